"""The editors' decisions for the printed book: what it does with each diagram the source gives no values of.

``data/gap-decisions.csv`` (declared in ``datapackage.json``) has one row per dataset of the register of gaps
that a chapter draws as a gap panel: ``dataset``, ``decision``, ``reason``, ``decided_by``. Decisions:

- ``note``: the diagram keeps its number, caption and source line; a short framed note stands in place of
  the panel (the text's references to it stay valid);
- ``omit``: the diagram is left out; the floats after it are numbered on, a one-line note in its place says
  the source gives no values, and a reference to it in the text stops the print build (UNRESOLVED-REFERENCE).

The draft build shows the gap panels whatever is decided; the print build (``--strict``) applies the decision
and stops on a gap panel without one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from helpers.core import data

REGISTER_FILE = "gap-decisions.csv"
DECISIONS = ("note", "omit")
COLUMNS = ("dataset", "decision", "reason", "decided_by")


@dataclass(frozen=True)
class Decision:
    dataset: str
    decision: str
    reason: str
    decided_by: str
    row: int  # line of the register (header = 1)


def load(folder: Path | None = None) -> dict[str, Decision]:
    """The decisions by dataset; a malformed row is a ``DataError`` naming the row and the column."""
    folder = folder or data.data_dir()
    path = folder / REGISTER_FILE
    if not path.exists():
        return {}
    out: dict[str, Decision] = {}
    known = set(data.dataset_ids(folder)) if (folder / "datapackage.json").exists() else None
    for line, row in enumerate(csv.DictReader(io.StringIO(data.read_text(path))), start=2):
        for column in COLUMNS:
            if not (row.get(column) or "").strip():
                raise data.DataError(REGISTER_FILE, "empty-value", f"'{column}' is empty", row=line, column=column,
                                     hint="every decision says what, why and who decided")
        dataset, decision = row["dataset"].strip(), row["decision"].strip()
        if decision not in DECISIONS:
            raise data.DataError(REGISTER_FILE, "enum", f"unknown decision '{decision}'", row=line,
                                 column="decision", hint="one of " + ", ".join(DECISIONS))
        if known is not None and dataset not in known:
            raise data.DataError(REGISTER_FILE, "unknown-dataset", f"no dataset '{dataset}' in datapackage.json",
                                 row=line, column="dataset", hint="use the dataset id that 'report gaps' lists")
        if dataset in out:
            raise data.DataError(REGISTER_FILE, "primary-key", f"a second decision for '{dataset}'", row=line,
                                 column="dataset", hint="keep one row per dataset")
        out[dataset] = Decision(dataset, decision, row["reason"].strip(), row["decided_by"].strip(), line)
    return out
