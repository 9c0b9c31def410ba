"""``report trace``: where a number a reader sees comes from.

A number as printed ("17 988", "50,7%", "6,4") is looked up in the register of the prose's numbers that each
build writes (``output/<lang>/numbers.csv``: chapter, line, expression, data rows) and among the values of every
data file (as printed and as recomputed), with the place in the source of each file.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.core import config, data, stats

NUMBER = re.compile(r"[-−]?\d[\d \u00a0\u202f]*(?:[.,]\d+)?")


@dataclass(frozen=True)
class Wanted:
    value: float
    decimals: int  # the precision it is printed with

    def matches(self, v) -> bool:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return False
        return math.isclose(round(float(v), self.decimals), self.value, abs_tol=10 ** -(self.decimals + 3))


def parse(text: str) -> Wanted:
    """``"17 988"`` -> 17988; ``"50,7%"`` -> 50.7 with one decimal."""
    m = NUMBER.search(text)
    if not m:
        raise ValueError(f"'{text}' holds no number")
    raw = re.sub(r"[ \u00a0\u202f]", "", m.group(0)).replace("−", "-").replace(",", ".")
    return Wanted(float(raw), len(raw.split(".")[1]) if "." in raw else 0)


def numbers_in(text: str) -> list[Wanted]:
    return [parse(m.group(0)) for m in NUMBER.finditer(text)]


def in_prose(wanted: Wanted, output: Path, langs: tuple[str, ...] | None = None) -> tuple[list[dict], list[str]]:
    """Inline values of the built editions that print the number; and the editions not built yet."""
    found, unbuilt = [], []
    for lang in langs or config.langs():
        register = output / lang / "numbers.csv"
        if not register.exists():
            unbuilt.append(lang)
            continue
        with register.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if any(w.value == wanted.value and w.decimals == wanted.decimals for w in numbers_in(row["text"])):
                    found.append({"lang": lang, **row})
    return found, unbuilt


def in_data(wanted: Wanted, folder: Path | None = None) -> list[dict]:
    """Rows of the data files whose value, as printed or as recomputed, is the number."""
    found = []
    for dataset in data.dataset_ids(folder):
        res = data.resource(dataset, folder)
        if not any(f["name"] == "value" for f in res["schema"]["fields"]):
            continue
        frame = stats.resolved(dataset, folder)
        dims = data.dimensions(res)
        for i, row in frame.iterrows():
            printed = None if pd.isna(row["printed"]) else float(row["printed"])
            value = None if pd.isna(row["value"]) else float(row["value"])
            if wanted.matches(printed) or wanted.matches(value):
                found.append({"file": res["path"], "row": int(i) + 2, "key": ", ".join(f"{d}={row[d]}" for d in dims),
                              "printed": printed, "value": value, "unit": row["unit"], "status": row["status"],
                              "source": _place(res)})
    return found


def _place(res: dict) -> str:
    src = res.get("x-source") or {}
    printed = src.get("printed") or {}
    where = [src.get("document", "")]
    if src.get("section"):
        where.append(f"section {src['section']}")
    if printed.get("kind") and printed.get("number"):
        where.append(f"{printed['kind']} {printed['number']}")
    elif printed.get("kind"):
        where.append(printed["kind"])
    return ", ".join(w for w in where if w)


def _fmt(v: float | None) -> str:
    return "–" if v is None else (f"{v:.6f}".rstrip("0").rstrip("."))


def report(text: str, output: Path, folder: Path | None = None) -> tuple[str, bool]:
    """The answer of ``report trace`` in words, and whether anything was found."""
    wanted = parse(text)
    prose, unbuilt = in_prose(wanted, output)
    rows = in_data(wanted, folder)
    lines = [f"{text}:"]
    for p in prose:
        shown = re.sub(r"[\u00a0\u202f]", " ", p["text"])
        lines.append(f"  prose ({p['lang']}) {p['chapter']}:{p['line']} `{p['expression']}` prints \"{shown}\"")
        lines.append(f"      from {p['rows'] or '(no data row)'}")
    for r in rows:
        recomputed = "" if r["status"] != "derived" or r["value"] == r["printed"] else \
            f", recomputed {_fmt(r['value'])}"
        lines.append(f"  data {r['file']}, row {r['row']} ({r['key']}): {_fmt(r['printed'])} {r['unit']}, "
                     f"{r['status']}{recomputed}; source: {r['source']}")
    if not prose and not rows:
        lines.append("  not found in the prose of the built editions nor in data/")
    for lang in unbuilt:
        lines.append(f"  note: {output / lang / 'numbers.csv'} does not exist: build the {lang} edition to trace "
                     "its prose")
    return "\n".join(lines), bool(prose or rows)
