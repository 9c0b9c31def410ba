"""The audit: every place where the printed report is not consistent with itself.

Rules (each finding names one):
- ``derived``: a figure the source prints as derived (a total, a share of a count, a combined share), recomputed
  from its inputs with the formula of its row and compared within the rounding the printed digits allow;
- ``sum100``: a single-choice distribution (declared in ``data/audit-checks.yaml``) must sum to 100;
- ``granularity``: a percentage must be k/n for a whole number k of the stated base n (``bases`` lists the
  bases consistent with all percentages of a question whose base is not stated);
- ``cross``: declared checks across places of the text: the same quantity printed twice, a part that cannot
  exceed its whole, totals implied by a share and an amount;
- ``ranking``: a list the text prints in order (the five leading regions) against the order of the values it
  ranks.

A mismatch gets a likely cause (truncated instead of rounded, columns exchanged, a factor of 10 or 1000,
growth divided by the new value, ...). Numbers here are plain floats; ``audit_report`` words and formats them.
The register ``data/audit-acknowledged.csv`` says, for every known finding, how the book handles it.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from helpers.core import data, precision, session, stats
from helpers.core.cache import ByReads, Key, Store, sha_file
from helpers.core.files import atomic, write_atomic
from helpers.core.paths import data_dir

CHECKS_FILE = "audit-checks.yaml"
REGISTER_FILE = "audit-acknowledged.csv"
REGISTER_COLUMNS = ["id", "handling", "values", "comment"]
SEVERITIES = ("error", "warning", "minor", "info")  # info needs no acknowledgement
HANDLINGS = ("recomputed", "kept_as_printed", "not_shown", "reading", "approximation")
EXACT_UNITS = {"organisation", "project", "body", "count", "year"}  # whole counts, no rounding
SURVEYS = {"ngo_survey", "population_survey", "expert_survey", "beneficiary_survey"}
MAX_BASE = 2000  # bases searched for a question whose base is not stated


@dataclass
class Finding:
    id: str
    rule: str
    severity: str
    dataset: str
    key: str
    section: str
    printed_kind: str
    printed_number: int | None
    printed: float | None
    recomputed: float | None
    unit: str
    cause: str
    detail: dict = field(default_factory=dict)
    handling: str | None = None  # from the register; None = not acknowledged
    comment: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.handling is not None or self.severity == "info"


@dataclass
class Audit:
    findings: list[Finding]
    stale: list[str]  # register ids that match no finding any more

    @property
    def open(self) -> list[Finding]:
        return [f for f in self.findings if not f.acknowledged]

    def counts(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}


# --- reading -----------------------------------------------------------------------------------------

def _decimals(raw: str) -> int:
    raw = raw.strip()
    return len(raw.split(".")[1]) if "." in raw else 0


def _half_unit(raw: str, unit: str) -> float:
    """Half a unit of the last printed digit: how far the printed figure may be from the true one."""
    if unit in EXACT_UNITS and "." not in raw:
        return 0.0
    return 0.5 * 10 ** -_decimals(raw)


class Tables:
    """Each dataset once: typed values, recomputed values and the printed strings (for their precision)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._cache: dict[str, pd.DataFrame] = {}
        self._reads: dict[str, dict[str, str]] = {}  # what each dataset's table read, recorded again on each use

    def get(self, dataset: str) -> pd.DataFrame:
        if dataset not in self._cache:
            with session.recording() as reads:
                frame = (stats.resolved(dataset, self.folder) if _has_values(dataset, self.folder)
                         else data.load(dataset, derived=True, folder=self.folder))
                res = data.resource(dataset, self.folder)
                raw = pd.read_csv(io.StringIO(data.read_text(self.folder / res["path"])), dtype=str,
                                  keep_default_na=False)
                if "value" in raw.columns:
                    frame["raw"] = raw["value"].str.strip().values
                    _precision_columns(dataset, frame, self.folder)
            self._cache[dataset], self._reads[dataset] = frame, reads
        else:  # a rule that takes the table from here depends on the files as much as the first one
            for path, digest in self._reads[dataset].items():
                session.record_read(path, digest)
        return self._cache[dataset]


def _precision_columns(dataset: str, frame: pd.DataFrame, folder: Path) -> None:
    """``worded``: the source gives the value only in words (core.precision); ``low``/``high``: the interval the
    printed value stands for (the printed value itself when it is exact)."""
    kinds, lows, highs = [], [], []
    for i, v in zip(frame.index, frame["printed"]):
        p = precision.of_row(dataset, int(i), frame, folder)
        lo, hi, _, _ = p.interval(float(v)) if not pd.isna(v) else (None, None, 0, 0)
        kinds.append(p.kind in precision.WORDED)
        lows.append(lo)
        highs.append(hi)
    frame["worded"], frame["low"], frame["high"] = kinds, lows, highs


def _spread(row) -> float:
    """How far the true value may be from the printed one: half a unit of its last digit, or the reach of the
    interval its words stand for."""
    if row["worded"]:
        return max(float(row["printed"]) - float(row["low"]), float(row["high"]) - float(row["printed"]))
    return _half_unit(row["raw"], row["unit"])


def _has_values(dataset: str, folder: Path) -> bool:
    return any(f["name"] == "value" for f in data.resource(dataset, folder)["schema"]["fields"])


def _key(row: pd.Series, dims: list[str]) -> str:
    return ";".join(f"{d}={row[d]}" for d in dims)


def _place(dataset: str, folder: Path) -> dict:
    src = data.source_of(dataset, folder)
    printed = src.get("printed") or {}
    return {"section": str(src.get("section") or ""), "printed_kind": printed.get("kind") or "text",
            "printed_number": printed.get("number")}


def _finding(rule: str, severity: str, dataset: str, key: str, folder: Path, printed, recomputed, unit: str,
             cause: str, detail: dict | None = None, ident: str | None = None) -> Finding:
    return Finding(id=ident or f"{rule}:{dataset}:{key}", rule=rule, severity=severity, dataset=dataset, key=key,
                   printed=_num(printed), recomputed=_num(recomputed), unit=unit, cause=cause,
                   detail=detail or {}, **_place(dataset, folder))


def _num(v) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return round(float(v), 6)


# --- formulas with their uncertainty -----------------------------------------------------------------

def _evaluate(expr: str, values: list[float]) -> float:
    return stats.substitute(expr, values, _ANY_REF)


def _with_error(expr: str, values: list[float], halves: list[float]) -> tuple[float, float]:
    """The value of ``expr`` and how far the rounding of its inputs can move it (first-order)."""
    centre = _evaluate(expr, values)
    spread = 0.0
    for i, h in enumerate(halves):
        if h:
            up, down = list(values), list(values)
            up[i] += h
            down[i] -= h
            spread += abs(_evaluate(expr, up) - _evaluate(expr, down)) / 2
    return centre, spread


# In-file references ``{dim=v}`` / ``sum{...}``, and cross-file ones ``dataset{dim=v}``.
_ANY_REF = re.compile(r"(?:([a-z][a-z0-9_]*)|sum)?\{([^{}]*)\}")


def _row_inputs(formula: str, row: pd.Series, frame: pd.DataFrame) -> list[tuple[float, float]] | None:
    out = []
    for (is_sum, _), rows in zip(stats.references(formula), stats.inputs(formula, row, frame)):
        if rows.empty or rows["value"].isna().any() or (not is_sum and len(rows) != 1):
            return None
        out.append((float(rows["value"].sum()), sum(_half_unit(r, u) for r, u in zip(rows["raw"], rows["unit"]))))
    return out


# --- rules -------------------------------------------------------------------------------------------

def check_derived(tables: Tables, dataset: str, folder: Path) -> list[Finding]:
    frame = tables.get(dataset)
    if "formula" not in frame.columns:
        return []
    dims = frame.attrs["dimensions"]
    found, recomputed = [], {}
    rows = frame[(frame["status"] == "derived") & frame["formula"].notna() & frame["printed"].notna() & ~frame["worded"]]
    for i, row in rows.iterrows():
        ins = _row_inputs(row["formula"], row, frame)
        if ins is not None:
            value, spread = _with_error(row["formula"], [v for v, _ in ins], [h for _, h in ins])
            recomputed[i] = (value, spread)
    for i, (value, spread) in recomputed.items():
        row = frame.loc[i]
        printed, raw = float(row["printed"]), row["raw"]
        tol = _half_unit(raw, row["unit"]) + spread + 1e-9
        if abs(printed - value) <= tol:
            continue
        cause, detail = _cause(printed, value, raw, row, frame, recomputed, dims, tol)
        found.append(_finding("derived", _severity(cause, printed, value, row["unit"]), dataset, _key(row, dims), folder,
                              printed, value, row["unit"], cause, {**detail, "formula": row["formula"]}))
    return found


def _cause(printed: float, value: float, raw: str, row, frame, recomputed: dict, dims, tol) -> tuple[str, dict]:
    d = _decimals(raw)
    exact = row["unit"] in EXACT_UNITS and d == 0  # whole counts: no rounding excuses a difference
    if exact:
        return "mismatch", {}
    if value > 0 and math.floor(value * 10 ** d + 1e-9) / 10 ** d == printed:
        return "truncated", {}
    near = tol + 10 ** -d  # a neighbour's figure, rounded or cut, printed in this cell
    for last in (True, False):  # the neighbour in the same row of the table first
        for j, (other, spread) in recomputed.items():
            sib = frame.loc[j]
            differs = [x for x in dims if sib[x] != row[x]]
            if differs and len(differs) == 1 and (differs[0] == dims[-1]) == last and abs(printed - other) <= near + spread:
                return "exchanged", {"with": _key(sib, dims)}
    factor = _factor(printed, value)
    if factor:
        return "magnitude" if abs(factor) == 1000 else "decimal_shift", {"factor": factor}
    formula = row.get("formula") or ""
    if "-1)" in formula.replace(" ", ""):  # growth: (new/old - 1) printed as (new - old)/new
        g = value / 100
        if g > -1 and abs(printed - 100 * g / (1 + g)) <= tol + 0.1:
            return "wrong_base", {"by_new_value": round(100 * g / (1 + g), 3)}
    if abs(printed - value) <= 10 ** -d + tol:
        return "rounding", {}
    return "mismatch", {}


def _factor(printed: float, value: float) -> int | None:
    if not printed or not value or (printed > 0) != (value > 0):
        return None
    ratio = printed / value
    for f in (10, 100, 1000):
        for r, sign in ((ratio, 1), (1 / ratio, -1)):
            if abs(r / f - 1) < 0.03:
                return sign * f
    return None


def _severity(cause: str, printed: float, value: float, unit: str = "") -> str:
    if unit in EXACT_UNITS and cause == "mismatch":
        return "error"
    if cause in ("truncated", "rounding"):
        return "minor"
    if cause in ("exchanged", "magnitude", "decimal_shift", "wrong_base"):
        return "error"
    rel = abs(printed - value) / max(abs(value), 1e-9)
    return "error" if rel > 0.05 else "warning"


def check_distribution(tables: Tables, dataset: str, spec: dict, folder: Path) -> list[Finding]:
    frame = tables.get(dataset)
    over = spec["over"]
    parts = spec.get("parts")
    by = [d for d in frame.attrs["dimensions"] if d != over]
    pick = frame[frame[over].isin(parts)] if parts else frame[(frame["status"] != "derived") | frame["formula"].isna()]
    pick = pick[pick["unit"] == "percent"]
    if spec.get("where"):
        pick = stats.select(pick, **spec["where"])
    found = []
    groups = pick.groupby(by, sort=False, dropna=False) if by else [((), pick)]
    for group, rows in groups:
        if rows.empty:
            continue
        known = rows.dropna(subset=["value"])
        total = float(known["printed"].sum())
        exact = known[~known["worded"]]  # a value given in words counts as the interval it stands for
        tol = sum(_half_unit(r, "percent") for r in exact["raw"]) + 1e-9
        low, high = float(known["low"].sum()), float(known["high"].sum())
        complete = len(known) == len(rows)
        key = ";".join(f"{d}={v}" for d, v in zip(by, group if isinstance(group, tuple) else (group,)))
        if low > 100 + tol:
            cause, severity = "over_100", "error"
        elif complete and high < 100 - tol:
            cause, severity = "under_100", "warning"
        else:
            continue
        found.append(_finding("sum100", severity, dataset, key or "*", folder, total, 100.0, "percent", cause,
                              {"parts": [str(x) for x in known[over]], "missing": int(len(rows) - len(known))}))
    return found


def _possible(p: float, n: int, half: float) -> bool:
    k = round(p * n / 100)
    return any(abs(100 * kk / n - p) <= half + 1e-9 for kk in (k - 1, k, k + 1) if 0 <= kk <= n)


def check_granularity(tables: Tables, dataset: str, group_bases: dict, folder: Path) -> list[Finding]:
    src = data.source_of(dataset, folder)
    if src.get("respondents") not in SURVEYS:
        return []
    frame = tables.get(dataset)
    if "value" not in frame.columns:
        return []
    rows = frame[(frame["unit"] == "percent") & frame["printed"].notna() & ~frame["worded"]]  # words: no k/n
    if rows.empty:
        return []
    dims = frame.attrs["dimensions"]
    stated = src.get("base")
    assumed = group_bases.get(src.get("respondents"))
    found = []
    base = stated or assumed
    if base:
        for _, row in rows.iterrows():
            if not _possible(float(row["printed"]), int(base), _half_unit(row["raw"], "percent")):
                near = _nearest(float(row["printed"]), int(base), _decimals(row["raw"]))
                found.append(_finding("granularity", "error" if stated else "warning", dataset, _key(row, dims),
                                      folder, row["printed"], near, "percent", "impossible_for_base",
                                      {"base": int(base), "base_stated": bool(stated)}))
    if not stated:
        precise = [(float(p), _half_unit(r, "percent")) for p, r in zip(rows["printed"], rows["raw"]) if "." in r]
        if precise:
            bases = [n for n in range(1, MAX_BASE + 1) if all(_possible(p, n, h) for p, h in precise)]
            found.append(_finding("bases", "info", dataset, "*", folder, None, bases[0] if bases else None,
                                  "person", "consistent_bases",
                                  {"smallest": bases[:6], "count_up_to": MAX_BASE, "consistent": len(bases),
                                   "assumed": assumed, "assumed_fits": bool(assumed) and assumed in bases}))
    return found


def _nearest(p: float, n: int, d: int) -> float:
    """The printable percentage of base ``n`` nearest to ``p``."""
    k = round(p * n / 100)
    return round(100 * k / n, d)


# --- declared cross-checks ---------------------------------------------------------------------------

def _resolve(expr: str, tables: Tables, printed: bool) -> tuple[float, float, list[tuple[str, str]], str] | None:
    """Evaluate a cross-file expression; money is taken in million tenge. Returns value, spread, refs, unit."""
    expr = str(expr)
    values, halves, refs, units = [], [], [], set()
    for m in _ANY_REF.finditer(expr):
        dataset, body = m.group(1), m.group(2)
        if not dataset:
            raise ValueError(f"'{expr}': every reference of a cross-check names its dataset")
        frame = tables.get(dataset)
        picked = frame
        ref = stats.parse_ref(body)
        for dim, vals in ref.items():
            if vals != ["*"]:
                picked = picked[picked[dim].isin(vals)]
        if ["*"] in ref.values() and (picked["status"] != "derived").any():
            picked = picked[picked["status"] != "derived"]  # a sum over published rows, not their printed total
        if picked.empty:
            raise ValueError(f"'{expr}': {dataset}{{{body}}} selects no row")
        column = "printed" if printed else "value"
        if picked[column].isna().any():
            return None
        scale = picked["unit"].map({"billion_kzt": 1000.0}).fillna(1.0)
        values.append(float((picked[column].astype(float) * scale).sum()))
        # a value given in words compared on its own counts as its interval; inside a formula (where the same
        # worded value may stand on both sides) as printed, within its last digit
        alone = _ANY_REF.fullmatch(expr.strip()) is not None
        halves.append(float(sum((_spread(r) if alone else _half_unit(r["raw"], r["unit"])) * s
                                for (_, r), s in zip(picked.iterrows(), scale))))
        refs.append((dataset, body))
        units |= {"million_kzt" if u == "billion_kzt" else u for u in picked["unit"]}
    value, spread = _with_error(expr, values, halves)
    return value, spread, refs, (units.pop() if len(units) == 1 else "")


def _worded_interval(expr: str, tables: Tables) -> tuple[float, float] | None:
    """The interval of a cross-check's side that is one value the source gives only in words (money in million
    tenge), else None."""
    m = _ANY_REF.fullmatch(str(expr).strip())
    if not m or not m.group(1):
        return None
    picked = tables.get(m.group(1))
    for dim, vals in stats.parse_ref(m.group(2)).items():
        picked = picked[picked[dim].isin(vals)]
    if len(picked) != 1 or not picked["worded"].iloc[0]:
        return None
    scale = 1000.0 if picked["unit"].iloc[0] == "billion_kzt" else 1.0
    return float(picked["low"].iloc[0]) * scale, float(picked["high"].iloc[0]) * scale


def check_cross(tables: Tables, spec: dict, folder: Path) -> list[Finding]:
    left = _resolve(spec["printed"], tables, printed=True)
    right = _resolve(spec["expected"], tables, printed=False)
    if left is None or right is None:
        return []
    p, p_spread, refs, unit = left
    e, e_spread, _, _ = right
    tol = p_spread + e_spread + 1e-9
    relation = spec.get("relation", "same")
    rel_tol = spec.get("relative_tolerance")
    if rel_tol:
        tol += abs(e) * float(rel_tol)
    bad = {"same": abs(p - e) > tol, "at_most": p > e + tol, "at_least": p < e - tol}[relation]
    worded = _worded_interval(spec["printed"], tables)
    if worded:  # a value given in words holds if the expected value lies within the interval its words stand for
        low, high = worded
        slack = e_spread + 1e-9
        bad = {"same": not low - slack <= e <= high + slack, "at_most": low > e + slack,
               "at_least": high < e - slack}[relation]
    if not bad:
        return []
    factor = _factor(p, e) if relation == "same" else None
    if relation == "at_most" and e > 0 and p > 10 * e:  # read as a thousand times smaller it would fit
        factor = 1000 if p / 1000 <= e + tol else None
    cause = ("magnitude" if abs(factor) == 1000 else "decimal_shift") if factor else spec.get("cause", {"same": "differs", "at_most": "part_exceeds_whole",
                                                           "at_least": "below_bound"}[relation])
    severity = spec.get("severity") or ("error" if factor or relation != "same" else "warning")
    dataset, body = refs[0]
    detail = {"check": spec["id"], "relation": relation, "expected_from": spec["expected"],
              "printed_from": spec["printed"], **({"factor": factor} if factor else {})}
    single = _ANY_REF.fullmatch(str(spec["printed"]).strip())
    if single:  # the figure as printed, in its printed unit
        row = tables.get(dataset)
        for dim, vals in stats.parse_ref(body).items():
            row = row[row[dim].isin(vals)]
        if len(row) == 1:
            detail["as_printed"] = {"value": _num(row["printed"].iloc[0]), "unit": row["unit"].iloc[0]}
    return [_finding("cross", severity, dataset, body, folder, p, e, spec.get("unit") or unit, cause, detail,
                     ident=f"cross:{spec['id']}")]


def check_ranking(tables: Tables, spec: dict, folder: Path) -> list[Finding]:
    """The places of a printed list (``rank``) against the values it ranks, largest first."""
    listed = tables.get(spec["printed"]).sort_values("rank", kind="stable")
    by = spec["by"]
    m = _ANY_REF.fullmatch(str(spec["expected"]).strip())
    if not m or not m.group(1):
        raise ValueError(f"'{spec['expected']}': the ranked values are one reference dataset{{dim=id}}")
    frame = tables.get(m.group(1))
    for dim, vals in stats.parse_ref(m.group(2)).items():
        if vals != ["*"]:
            frame = frame[frame[dim].isin(vals)]
    frame = frame[~frame[by].isin(spec.get("exclude") or [])].dropna(subset=["value"])
    if frame.empty:
        raise ValueError(f"'{spec['expected']}' selects no row")
    ranked = frame.sort_values("value", ascending=False, kind="stable")
    dims = data.dimensions(data.resource(spec["printed"], folder))
    out = []
    values = dict(zip(ranked[by], ranked["value"]))
    for _, row in listed.iterrows():  # the figure printed beside each place is the value it ranks
        expected = values.get(row[by])
        if expected is not None and abs(row["printed"] - expected) > _half_unit(row["raw"], row["unit"]) + 1e-9:
            out.append(_finding("ranking", "error", spec["printed"], _key(row, dims), folder, row["printed"],
                                expected, row["unit"], "differs", {"check": spec["id"]},
                                ident=f"ranking:{spec['id']}:{row[by]}"))
    printed_order, expected_order = list(listed[by]), list(ranked[by])[:len(listed)]
    if printed_order == expected_order:
        return out
    place = next(i for i, (a, b) in enumerate(zip(printed_order, expected_order)) if a != b)
    skipped = [r for r in expected_order if r not in printed_order]
    row, instead = listed.iloc[place], ranked.iloc[place]
    detail = {"check": spec["id"], "place": place + 1, "instead": instead[by], "scheme": by,
              "printed_order": printed_order, "expected_order": expected_order, "skipped": skipped}
    return out + [_finding("ranking", spec.get("severity", "error"), spec["printed"], _key(row, dims), folder,
                           row["printed"], instead["value"], row["unit"],
                           "ranking_skips" if skipped else "ranking_order", detail, ident=f"ranking:{spec['id']}")]


# --- running it --------------------------------------------------------------------------------------

def load_checks(folder: Path) -> dict:
    path = folder / CHECKS_FILE
    if not path.exists():
        return {}
    try:
        return yaml.safe_load(data.read_text(path)) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise data.DataError(CHECKS_FILE, "yaml", str(getattr(err, "problem", err)),
                             row=mark.line + 1 if mark else None) from None


def survey_base(group: str, folder: Path | None = None) -> int | None:
    """The sample of a respondent group (``survey_bases`` of the checks file)."""
    folder = folder or data_dir()
    return _bases(load_checks(folder), Tables(folder)).get(group)


def _bases(checks: dict, tables: Tables) -> dict[str, int]:
    """``survey_bases``: each group's sample, read from the data (``base_from``) or given (``base``)."""
    out = {}
    for group, spec in (checks.get("survey_bases") or {}).items():
        if spec.get("base_from"):
            resolved = _resolve(spec["base_from"], tables, printed=False)
            out[group] = int(round(resolved[0])) if resolved else None
        else:
            out[group] = spec.get("base")
    return out


def load_register(folder: Path) -> list[dict]:
    path = folder / REGISTER_FILE
    if not path.exists():
        return []
    rows = list(csv.DictReader(io.StringIO(data.read_text(path))))
    for line, row in enumerate(rows, start=2):
        row["values"] = (row.get("values") or "").strip()
        for column in ("id", "handling"):
            if not (row.get(column) or "").strip():
                raise data.DataError(REGISTER_FILE, "empty-value", f"'{column}' is empty", row=line, column=column)
        if row["handling"] not in HANDLINGS:
            raise data.DataError(REGISTER_FILE, "enum", f"unknown handling '{row['handling']}'", row=line,
                                 column="handling", hint="one of " + ", ".join(HANDLINGS))
    return rows


def _inputs(folder: Path) -> tuple[str, dict[str, str]]:
    """A key of everything the audit depends on (the data folder, the code that reads and checks it), and the
    data files with their hashes."""
    files = {str(p): sha_file(p) for p in sorted(folder.iterdir()) if p.is_file()}
    key = (Key("audit", AUDIT_FORMAT).libraries("pandas", "pyyaml").folder("data", folder)
           .file("helpers/core/data.py", Path(data.__file__)).file("helpers/core/stats.py", Path(stats.__file__))
           .file("helpers/checks/audit.py", Path(__file__)))
    return key.hexdigest(), files


AUDIT_FORMAT = 3  # of a stored audit; one of another format, or unreadable, is computed again


def run(folder: Path | None = None, *, cache: bool = True) -> Audit:
    """Audit the data folder; findings in a stable order, each matched against the register. The result is
    kept in the project's cache (``.cache/audit/``, one entry) until a data file or the audit's code changes;
    the build and both editions may ask at once: one computes, the others wait for its result."""
    folder = folder or data_dir()
    key, files = _inputs(folder)
    for path, digest in files.items():  # the chapters that show the audit depend on every data file
        session.record_read(path, digest)
    root = folder.absolute().parent  # a data folder linked from elsewhere is still the project's
    store = Store(root, "audit", enabled=cache and (root / "_quarto.yml").exists())
    computed: list[Audit] = []

    def audit() -> dict:
        computed.append(_run(folder, cache))
        return {"stale": computed[0].stale, "findings": [asdict(f) for f in computed[0].findings]}

    saved = store.compute(key, audit, slot="findings")
    if not computed:
        try:
            return Audit([Finding(**f) for f in saved["findings"]], saved["stale"])
        except (TypeError, KeyError):  # an entry of another shape: not to be trusted, computed again
            saved = audit()
            store.put(key, saved, slot="findings")
    store.keep_only(["findings", "rules"])  # and nothing of an older version
    # made from its JSON, as when it is read from the cache: the same findings are then the same objects, shared
    # alike, and so the same pickle, which is the result's fingerprint in a chapter (its output cells are cached)
    saved = json.loads(json.dumps(saved, ensure_ascii=False))
    return Audit([Finding(**f) for f in saved["findings"]], saved["stale"])


def _rules(folder: Path, enabled: bool) -> ByReads:
    """The findings of each rule, kept with the files the rule read (``.cache/audit/rules.json``, ``ByReads``):
    a data edit evaluates again the rules that read the edited file. Keyed by the helper package's modules and
    the libraries; each rule by its kind and specification."""
    root = folder.absolute().parent
    store = Store(root, "audit", enabled=enabled and (root / "_quarto.yml").exists())
    code = Key("audit-rules", AUDIT_FORMAT).libraries("pandas", "pyyaml", "numpy").package((".py",)).hexdigest()
    return ByReads(store, "rules", code, folder)


def _findings(rules: ByReads, rule: str, spec, evaluate) -> list[Finding]:
    key = Key(rule).add("spec", json.dumps(spec, sort_keys=True, ensure_ascii=False, default=repr)).hexdigest()
    return [Finding(**f) for f in rules.get(key, lambda: [asdict(f) for f in evaluate()])]


def _run(folder: Path, cache: bool = True) -> Audit:
    checks = load_checks(folder)
    tables = Tables(folder)
    group_bases = _bases(checks, tables)
    rules = _rules(folder, cache)
    findings: list[Finding] = []
    for dataset in data.dataset_ids(folder):
        if dataset in ("labels", "regions") or not _has_values(dataset, folder):
            continue
        findings += _findings(rules, "dataset", [dataset, group_bases], lambda: (
            check_derived(tables, dataset, folder) + check_granularity(tables, dataset, group_bases, folder)))
    for dataset, specs in (checks.get("distributions") or {}).items():
        for spec in specs if isinstance(specs, list) else [specs]:
            findings += _findings(rules, "distribution", [dataset, spec],
                                   lambda: check_distribution(tables, dataset, spec, folder))
    for spec in checks.get("cross_checks") or []:
        try:
            findings += _findings(rules, "cross", spec, lambda: check_cross(tables, spec, folder))
        except (ValueError, KeyError) as err:
            raise data.DataError(CHECKS_FILE, "cross-check", f"check '{spec.get('id')}': {err}") from None
    for spec in checks.get("rankings") or []:
        try:
            findings += _findings(rules, "ranking", spec, lambda: check_ranking(tables, spec, folder))
        except (ValueError, KeyError) as err:
            raise data.DataError(CHECKS_FILE, "ranking", f"check '{spec.get('id')}': {err}") from None
    rules.save()
    order = {d: i for i, d in enumerate(data.dataset_ids(folder))}
    findings.sort(key=lambda f: (order.get(f.dataset, 999), f.rule, f.id))
    register = load_register(folder)
    covered: dict[str, list[Finding]] = {}  # each finding under the first entry whose id matches it
    for f in findings:
        entry = next((e for e in register if fnmatch.fnmatchcase(f.id, e["id"])), None)
        if entry is not None:
            covered.setdefault(entry["id"], []).append(f)
    for entry in register:
        group = covered.get(entry["id"], [])
        if pin(group) == entry["values"]:  # acknowledged for exactly these values
            for f in group:
                f.handling, f.comment = entry["handling"], entry.get("comment", "")
        else:  # the values changed since: a new finding
            for f in group:
                f.detail["acknowledged_for"] = entry["values"]
    stale = [e["id"] for e in register if e["id"] not in covered]
    return Audit(findings, stale)


def _g(v: float | None) -> str:
    return "-" if v is None else f"{v:.6g}"


def pin(findings: list[Finding]) -> str:
    """The values an acknowledgement is made for: ``printed/recomputed`` of its one finding, or for several
    (an id ending in ``*``) their count and a digest of their ids and values. The same rule, dataset and key
    with other values is another finding."""
    if len(findings) == 1:
        return f"{_g(findings[0].printed)}/{_g(findings[0].recomputed)}"
    lines = sorted(f"{f.id} {_g(f.printed)} {_g(f.recomputed)}" for f in findings)
    return f"{len(findings)} findings, sha256:{hashlib.sha256(chr(10).join(lines).encode()).hexdigest()[:16]}"


def open_text(f: Finding) -> str:
    """A finding nobody has acknowledged, with its values and, when an acknowledgement was made for other
    values, those."""
    text = f"{f.id} (printed {_g(f.printed)}, recomputed {_g(f.recomputed)})"
    if "acknowledged_for" in f.detail:
        text += f": data/{REGISTER_FILE} acknowledges it for other values ({f.detail['acknowledged_for'] or 'none recorded'})"
    return text


def pin_register(folder: Path | None = None) -> list[str]:
    """Record in the register the values each acknowledgement covers now (``report audit --pin``: after the
    editors have looked at the findings); returns the ids whose values were new."""
    folder = folder or data_dir()
    path = folder / REGISTER_FILE
    register = load_register(folder)
    findings = _run(folder).findings
    changed = []
    for entry in register:
        group = [f for f in findings if fnmatch.fnmatchcase(f.id, entry["id"])
                 and next(e for e in register if fnmatch.fnmatchcase(f.id, e["id"])) is entry]
        values = pin(group)
        if values != entry["values"]:
            changed.append(entry["id"])
            entry["values"] = values
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, REGISTER_COLUMNS, lineterminator="\n")
        out.writeheader()
        out.writerows({c: e.get(c, "") for c in REGISTER_COLUMNS} for e in register)
    return changed


def write(audit: Audit, target: Path, explain=None) -> list[Path]:
    """``findings.json`` and ``findings.csv`` in ``target`` (``explain(finding) -> str`` adds a sentence)."""
    target.mkdir(parents=True, exist_ok=True)
    rows = []
    for f in audit.findings:
        row = asdict(f)
        row["acknowledged"] = f.acknowledged
        row["explanation"] = explain(f) if explain else ""
        rows.append(row)
    summary = {"findings": len(rows), "by_severity": audit.counts(), "unacknowledged": len(audit.open),
               "stale_acknowledgements": audit.stale}
    js = target / "findings.json"
    write_atomic(js, json.dumps({"summary": summary, "findings": rows}, ensure_ascii=False, indent=1))
    cs = target / "findings.csv"
    columns = ["id", "rule", "severity", "dataset", "key", "section", "printed_kind", "printed_number", "printed",
               "recomputed", "unit", "cause", "handling", "acknowledged", "explanation", "detail"]
    with atomic(cs) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({**row, "detail": json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)})
    return [js, cs]
