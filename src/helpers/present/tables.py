"""Tables as pandoc/Quarto pipe tables, with their data kept for the CSV download."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpers.present.notebook_html import table_html


def nowrap(text: str) -> str:
    """Markdown that keeps a numbered place in one piece: "14-диаграмма", "2-бөлім" (no break at the hyphen),
    "диаграмма 14", "раздел 2" (no break before the number)."""
    return re.sub(r"(?<![\w\[])(\d+-\w+|[^\W\d]+ \d+\b)", r"[\1]{.nowrap}", text)


@dataclass
class Table:
    """A formatted table: a header, rows of already formatted cells, alignment, and the raw data as CSV."""

    header: list[str]
    rows: list[list[str]]
    align: list[str]  # "l" or "r" per column
    csv: str = ""
    notes: list[str] = field(default_factory=list)
    widths: list[int] | None = None  # relative column widths on the web page; default: by content

    def markdown(self) -> str:
        def cell(text: str) -> str:
            return str(text).replace("|", "\\|").replace("\n", " ")

        # the dashes give pandoc the relative column widths: the label column gets room for its text
        width = [max([len(str(self.header[i]))] + [len(str(r[i])) for r in self.rows]) for i in range(len(self.header))]
        dashes = [max(3, min(w, 60)) for w in (self.widths or width)]
        lines = ["| " + " | ".join(cell(h) for h in self.header) + " |",
                 "|" + "|".join(":" + "-" * d if a == "l" else "-" * d + ":" for a, d in zip(self.align, dashes)) + "|"]
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"

    def _repr_pretty_(self, p, cycle) -> None:  # the text Jupyter shows where it shows no Markdown
        p.text(self.markdown())

    def _repr_markdown_(self):
        return self.markdown(), {"ngo-report": {"csv": self.csv, "notes": self.notes}}

    def _repr_html_(self) -> str:  # what Jupyter shows (the engines read the Markdown)

        return table_html(self.header, self.rows, self.align)
