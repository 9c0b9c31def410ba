"""``report check``: every data file against its Table Schema (frictionless) and the cross-file rules."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from helpers.core import data, gap_decisions, precision, stats
from helpers.core.cache import Key, Store
from helpers.core.data import DataError
from helpers.core.paths import data_dir

NON_NEGATIVE = {"count", "organisation", "project", "person", "body", "million_kzt", "billion_kzt", "year"}
HINTS = {
    "type-error": "write a plain number with '.' as decimal point",
    "constraint-error": "the value breaks a constraint of the schema (allowed values, required, range)",
    "primary-key": "two rows have the same key: remove the duplicate or fix a dimension id",
    "missing-label": "add the id to data/labels.csv",
    "extra-cell": "a row has more cells than the header: quote text containing commas",
    "missing-cell": "a row has fewer cells than the header",
    "blank-row": "remove the empty line",
}


def check(folder: Path | None = None) -> list[DataError]:
    """All problems of the data folder; an empty list means the data is valid."""
    folder = folder or data_dir()
    problems: list[DataError] = []
    try:
        desc = data.descriptor(folder)
    except (DataError, ValueError) as err:
        return [err if isinstance(err, DataError) else DataError("datapackage.json", "json", str(err))]
    tables: dict[str, pd.DataFrame] = {}
    for res in desc["resources"]:
        try:
            tables[res["name"]] = data.read_table(res, folder)
        except DataError as err:
            problems.append(err)
    if problems:
        return problems  # a file that cannot be read is the first thing to fix
    problems += _frictionless(folder)
    try:
        labels = tables["labels"]
        known = set(zip(labels["scheme"], labels["id"]))
        regions = set(tables["regions"]["region"]) | {data.NATIONAL}
    except KeyError as err:
        return problems + [DataError("datapackage.json", "missing-resource", f"resource {err} is required")]
    problems += _rules_of_all(folder, desc, tables, known, regions)
    if "region_boundaries" in tables:
        problems += _outlines(tables["region_boundaries"], regions - {data.NATIONAL})
    problems += precision.check(folder)  # x-precision: kinds, rows, words, intervals
    try:
        gap_decisions.load(folder)  # the editors' register: known datasets, one decision each
    except DataError as err:
        problems.append(err)
    return problems


def data_and_modules(root: Path, *parts: object) -> Key:
    """The key of a result computed from the data by the helper package (the data check, the claims' verdicts):
    the data folder, the package's modules, Python and the libraries that read the data."""
    return Key(*parts).add("python", sys.version).libraries("pandas", "numpy", "pyyaml").package((".py",)).data(root)


def _frictionless(folder: Path) -> list[DataError]:
    """Frictionless validation of each resource; a resource whose file and descriptor are those of an earlier
    clean validation in this project is not validated again."""
    root = folder.absolute().parent  # a data folder linked from elsewhere is still the project's
    clean = Store(root, "check-resources", enabled=(root / "_quarto.yml").exists())
    out, passed = [], []
    for res in data.descriptor(folder)["resources"]:
        key = (Key().libraries("frictionless").add("resource", res)  # the validator, the descriptor, the file
               .file(f"data/{res['path']}", folder / res["path"]).hexdigest())
        if clean.get(key) is None:
            errors = _validate_resource(res, folder)
            out += errors
            if errors:
                continue
            clean.put(key, True)
        passed.append(key)
    clean.keep_only(passed)  # a resource changed or no longer clean is validated again next time
    return out


def _validate_resource(res: dict, folder: Path) -> list[DataError]:
    from frictionless import Resource

    report = Resource(res, basepath=str(folder)).validate()
    out = []
    for task in report.tasks:
        name = Path(task.place).name if task.place else res["path"]
        for err in task.errors:
            row = getattr(err, "row_number", None)
            col = getattr(err, "field_name", None)
            out.append(DataError(name, err.type, err.message, row=row, column=col, hint=HINTS.get(err.type, "")))
    return out


def _outlines(table: pd.DataFrame, regions: set) -> list[DataError]:
    """The maps' outlines: one valid polygon (or multipolygon) for each region of data/regions.csv."""
    import shapely

    name, out = "region_boundaries.csv", []
    for i, row in table.iterrows():
        try:
            geom = shapely.from_wkt(row["geometry"])
        except shapely.errors.GEOSException as err:
            out.append(DataError(name, "geometry", f"not WKT: {err}", int(i) + 2, "geometry",
                                 "derive the file again: python scripts/derive_region_boundaries.py"))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid or geom.is_empty:
            out.append(DataError(name, "geometry", f"the outline of '{row['region']}' is not a valid polygon "
                                 f"({shapely.is_valid_reason(geom)})", int(i) + 2, "geometry",
                                 "derive the file again: python scripts/derive_region_boundaries.py"))
    for region in sorted(regions - set(table["region"])):
        out.append(DataError(name, "missing-outline", f"region '{region}' of data/regions.csv has no outline",
                             hint="derive the file again: python scripts/derive_region_boundaries.py"))
    return out


def _rules_of_all(folder: Path, desc: dict, tables: dict, known: set, regions: set) -> list[DataError]:
    """``_rules`` of every resource; the problems of each are kept (``.cache/check-rules/``) by the resource's
    descriptor and file, the label and region files and the helper package: a data edit checks the edited file
    again, not every file."""
    root = folder.absolute().parent
    store = Store(root, "check-rules", enabled=(root / "_quarto.yml").exists())
    common = Key("check-rules").add("python", sys.version).libraries("pandas", "numpy").package((".py",))
    for name in ("labels", "regions"):
        common.file(name, folder / data.resource(name, folder)["path"])
    common = common.hexdigest()
    old = store.get("rules", slot="rules")
    old = old if isinstance(old, dict) and old.get("common") == common and isinstance(old.get("items"), dict) else {}
    kept, out = old.get("items", {}), []
    items: dict[str, list] = {}
    for res in desc["resources"]:
        if res["name"] in ("labels", "regions", "gap-decisions", "glossary"):
            continue
        key = Key().add("resource", res).file(f"data/{res['path']}", folder / res["path"]).hexdigest()
        found = kept.get(key)
        try:
            problems = [DataError(**p) for p in found] if isinstance(found, list) else None
        except TypeError:  # an entry of another shape: checked again
            problems = None
        if problems is None:
            problems = _rules(res, tables[res["name"]], known, regions)
        items[key] = [{"file": p.file, "rule": p.rule, "message": p.message, "row": p.row, "column": p.column,
                       "hint": p.hint} for p in problems]
        out += problems
    if items != kept:
        store.put("rules", {"common": common, "items": items}, slot="rules")
    return out


def _rules(res: dict, table: pd.DataFrame, known: set, regions: set) -> list[DataError]:
    name = res["path"]
    out = []
    dims = data.dimensions(res)
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    table = table.copy()
    table.attrs["dimensions"] = dims
    for i, row in table.iterrows():
        line = int(i) + 2
        for col in dims + (["level"] if "level" in fields else []):
            v = row.get(col)
            if pd.isna(v) or fields[col].get("type", "string") != "string":
                continue
            scheme = fields[col].get("x-scheme", col)
            if col == "region" and v not in regions:
                out.append(DataError(name, "unknown-region", f"'{v}' is not one of the 17 regions of 2019", line, col,
                                     "use an id of data/regions.csv (or 'kz' for the national total)"))
            elif (scheme, v) not in known:
                out.append(DataError(name, "missing-label", f"id '{v}' has no label of scheme '{scheme}'", line, col,
                                     HINTS["missing-label"]))
        if "value" not in fields:
            continue
        value, unit, status = row.get("value"), row.get("unit"), row.get("status")
        if status == "missing" and not pd.isna(value):
            out.append(DataError(name, "missing-with-value", "status is 'missing' but a value is given", line, "value",
                                 "set status to 'published' or empty the value"))
        if status in ("published", "derived") and pd.isna(value):
            out.append(DataError(name, "empty-value", f"status is '{status}' but the value is empty", line, "value",
                                 "give the value or set status to 'missing'"))
        if pd.isna(value):
            continue
        if unit == "percent" and not 0 <= float(value) <= 100:
            out.append(DataError(name, "share-range", f"a share of {value}% is outside 0-100", line, "value",
                                 "percentages are stored as 0-100"))
        if unit in NON_NEGATIVE and float(value) < 0:
            out.append(DataError(name, "negative", f"a count or amount of {value} is negative", line, "value"))
        formula = row.get("formula")
        if status == "derived" and isinstance(formula, str) and formula:
            try:
                picked = stats.inputs(formula, row, table)
            except Exception as err:  # a formula that cannot be parsed
                out.append(DataError(name, "formula", f"cannot read formula '{formula}': {err}", line, "formula"))
                continue
            for (is_sum, ref), rows in zip(stats.references(formula), picked):
                if rows.empty:
                    out.append(DataError(name, "formula", f"formula '{formula}': reference {ref} selects no row",
                                         line, "formula", "check the ids in the formula"))
    return out
