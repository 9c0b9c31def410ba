"""The data layer: the datapackage, typed tables, labels and provenance. Knows no chart and no number format."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.core import config, files, session
from helpers.core.paths import data_dir

STANDARD_COLUMNS = ("value", "unit", "status", "formula")
NATIONAL = "kz"


@dataclass
class DataError(Exception):
    """A problem in a data file, located as precisely as the rule allows."""

    file: str
    rule: str
    message: str
    row: int | None = None  # 1-based line number in the file (header = 1)
    column: str | None = None
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: [{self.rule}] {self.message}"
        return text + (f" (hint: {self.hint})" if self.hint else "")


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(path: Path) -> str:
    """Read a data file as strict UTF-8, recording it; a file saved in another encoding is an error."""
    return _decode(path, path.read_bytes())


def _decode(path: Path, raw: bytes, digest: str | None = None) -> str:
    session.record_read(path, digest or _hash(raw))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(path.name, "encoding", "the file is not UTF-8 (it looks like cp1251 or another "
                        "legacy encoding)", row=line,
                        hint="re-save it as 'CSV UTF-8', e.g. iconv -f cp1251 -t utf-8") from None


_DESCRIPTORS: dict[str, dict] = {}  # parsed datapackage.json by digest


def descriptor(folder: Path | None = None) -> dict:
    """The parsed ``datapackage.json`` of the data folder."""
    folder = folder or data_dir()
    path = folder / "datapackage.json"
    try:
        state = files.settled_state(path)
    except FileNotFoundError:
        raise DataError("datapackage.json", "missing", f"no datapackage.json in {folder}") from None
    digest = files.known_digest(path, state)
    if digest not in _DESCRIPTORS:
        raw, digest = files.read(path, state)
        if digest not in _DESCRIPTORS:
            if len(_DESCRIPTORS) >= 8:
                _DESCRIPTORS.pop(next(iter(_DESCRIPTORS)))
            _DESCRIPTORS[digest] = json.loads(raw.decode("utf-8"))
    session.record_read(path, digest)
    return _DESCRIPTORS[digest]


def resource(dataset_id: str, folder: Path | None = None) -> dict:
    for res in descriptor(folder)["resources"]:
        if res["name"] == dataset_id:
            return res
    raise KeyError(f"unknown dataset '{dataset_id}': not a resource of data/datapackage.json")


def dataset_ids(folder: Path | None = None) -> list[str]:
    return [r["name"] for r in descriptor(folder)["resources"]]


_PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean",
                 "year": "Int64"}


# Parsed tables of this process, by file, content hash and schema: a chapter asks for the same file many times.
_PARSED: dict[tuple, pd.DataFrame] = {}


def read_table(res: dict, folder: Path | None = None, raw: bytes | None = None, shared: bool = False) -> pd.DataFrame:
    """Read one resource's CSV with the types of its schema (``raw``: its content, read already; ``shared``: the
    parsed frame itself, to be read and never changed, instead of a copy). Raises DataError on a malformed
    file."""
    folder = folder or data_dir()
    path = folder / res["path"]
    schema = repr(res["schema"])
    if raw is None:
        try:
            state = files.settled_state(path)
        except FileNotFoundError:
            raise DataError(res["path"], "missing-file", "the file named in datapackage.json does not exist") \
                from None
        digest = files.known_digest(path, state)
        if digest is None or (str(path), digest, schema) not in _PARSED:
            raw, digest = files.read(path, state)
    else:
        digest = _hash(raw)
    key = (str(path), digest, schema)  # its version: the content, never size and modification time
    if key in _PARSED:
        session.record_read(path, digest)
    else:
        frame = _parse_table(res, path, raw, digest)
        frame.attrs["version"] = key
        _PARSED[key] = frame
    return _PARSED[key] if shared else _PARSED[key].copy()


def _parse_table(res: dict, path: Path, raw: bytes, digest: str) -> pd.DataFrame:
    text = _decode(path, raw, digest)
    header = text.split("\n", 1)[0]
    if ";" in header and "," not in header:
        raise DataError(res["path"], "separator", "the file uses ';' as separator (as Excel saves CSV in "
                        "Kazakhstan)", row=1, hint="save with ',' as separator and '.' as decimal point")
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise DataError(res["path"], "missing-column", f"column(s) {missing} of the schema are not in the file",
                        row=1, column=missing[0], hint="restore the header: " + ",".join(names))
    out = {}
    for field in fields:
        col = frame[field["name"]].str.strip()
        kind = field.get("type", "string")
        if kind in ("number", "integer", "year"):
            bad = col[(col != "") & pd.to_numeric(col, errors="coerce").isna()]
            if len(bad):
                row = int(bad.index[0]) + 2
                hint = "use '.' as decimal point" if "," in bad.iloc[0] else "write a plain number"
                raise DataError(res["path"], "type", f"'{bad.iloc[0]}' is not a {kind}", row=row,
                                column=field["name"], hint=hint)
            col = pd.to_numeric(col.replace("", None), errors="coerce")
        else:
            col = col.replace("", None)
        out[field["name"]] = col.astype(_PANDAS_TYPES.get(kind, "string"))
    return pd.DataFrame(out)


def _raw(res: dict, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError(res["path"], "missing-file", "the file named in datapackage.json does not exist") from None


def dimensions(res: dict) -> list[str]:
    """The dimension columns of a resource (its primary key)."""
    key = res["schema"].get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


def load(dataset_id: str, *, derived: bool = False, folder: Path | None = None, shared: bool = False) -> pd.DataFrame:
    """A typed table of one dataset. Printed derived rows are left out unless ``derived=True``.

    ``frame.attrs`` carries the dataset id, its title, dimensions and provenance (``x-source``).
    ``shared=True`` (with ``derived=True``): the process's own frame instead of a copy, for a caller that only
    reads it.
    """
    res = resource(dataset_id, folder)
    if shared and derived:
        parsed = read_table(res, folder, shared=True)
        key = (dataset_id, parsed.attrs["version"])
        if key not in _LOADED:
            _LOADED[key] = _described(parsed.copy(), dataset_id, res)
        return _LOADED[key]
    frame = read_table(res, folder)
    if not derived and "status" in frame.columns:
        frame = frame[frame["status"] != "derived"].reset_index(drop=True)
    return _described(frame, dataset_id, res)


_LOADED: dict[tuple, pd.DataFrame] = {}  # the shared frames of ``load``, by dataset and version


def _described(frame: pd.DataFrame, dataset_id: str, res: dict) -> pd.DataFrame:
    frame.attrs.update(dataset=dataset_id, title=res.get("title", ""), dimensions=_Shared(dimensions(res)),
                       source=_SharedDict(res.get("x-source", {})))
    return frame


class _Shared(list):
    """Metadata that pandas copies into every derived frame: shared, not deep-copied (read-only by use)."""

    def __deepcopy__(self, memo):
        return self


class _SharedDict(dict):
    def __deepcopy__(self, memo):
        return self


def labels(scheme: str, lang: str, *, short: bool = False, folder: Path | None = None) -> dict[str, str]:
    """Labels of one scheme in one language: ``{id: label}`` (short forms where given, when asked)."""
    declared = config.langs()
    if lang not in declared:
        raise ValueError(f"unknown language '{lang}': use one of {', '.join(declared)}")
    table = _labels_table(folder)
    rows = table[table["scheme"] == scheme]
    out = dict(zip(rows["id"], rows[lang]))
    if short:
        shorts = rows[f"{lang}_short"]
        out.update({i: s for i, s in zip(rows["id"], shorts) if isinstance(s, str) and s})
    return out


def label_row(scheme: str, id_: str, folder: Path | None = None) -> int:
    """The row of labels.csv (header is row 1) that labels ``id_`` of ``scheme``."""
    table = _labels_table(folder)
    hit = table[(table["scheme"] == scheme) & (table["id"] == id_)]
    if hit.empty:
        raise KeyError(f"no label for id '{id_}' of scheme '{scheme}' in data/labels.csv")
    return int(hit.index[0]) + 2


def _labels_table(folder: Path | None = None) -> pd.DataFrame:
    return read_table(resource("labels", folder), folder)


def regions(folder: Path | None = None) -> pd.DataFrame:
    """The 17 regions of 2019 and their kind (oblast, city)."""
    return read_table(resource("regions", folder), folder)


def region_boundaries(folder: Path | None = None) -> pd.DataFrame:
    """The outlines of the 17 regions of 2019 (WKT) and their label points (scripts/derive_region_boundaries.py)."""
    return read_table(resource("region_boundaries", folder), folder)


def source_of(dataset_id: str, folder: Path | None = None) -> dict:
    """Provenance of a dataset (``x-source`` of its resource)."""
    return resource(dataset_id, folder).get("x-source", {})


def gaps(folder: Path | None = None) -> pd.DataFrame:
    """The register of gaps: every value the sources name but do not give. Of each file it reads only the rows
    marked missing, and records that view of it (``core.views``): a value edited elsewhere keeps the register."""
    rows = []
    for res in descriptor(folder)["resources"]:
        fields = {f["name"] for f in res["schema"]["fields"]}
        if "status" not in fields:
            continue
        path = (folder or data_dir()) / res["path"]
        with session.reading_view(path, "missing") as read:
            read.raw = _raw(res, path)
            table = read_table(res, folder, read.raw)
        src = res.get("x-source", {})
        printed = src.get("printed", {})
        dims = dimensions(res)
        for _, row in table[table["status"] == "missing"].iterrows():
            rows.append({
                "dataset": res["name"],
                "printed_kind": printed.get("kind", ""),
                "printed_number": printed.get("number"),
                "key": ";".join(f"{d}={row[d]}" for d in dims),
                "unit": row.get("unit") if "unit" in fields else None,
            })
    return pd.DataFrame(rows, columns=["dataset", "printed_kind", "printed_number", "key", "unit"])
