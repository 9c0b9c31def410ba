"""What chapter cells call: one ``Book`` per edition turns data into figures, tables and prose numbers.

    b = Book("kk")                 # setup cell of every chapter
    n = b.numbers("ch2")           # named facts: `{python} n.registered_total`
    b.chart("d02_scope")           # a diagram from its dataset, with source line and gap notes
    b.table("t01_registered_ngos", rows="region", cols="legal_form")
"""

from __future__ import annotations

import html
import os
import re
from types import SimpleNamespace

import pandas as pd

from helpers import facts
from helpers.checks import glossary
from helpers.core import config, data, precision, stats
from helpers.core.stats import Label, Quantity
from helpers.lang import fmt, i18n
from helpers.lang.fmt import Formatted
from helpers.present import charts
from helpers.present.charts import draw
from helpers.present.notebook_html import markdown_html
from helpers.present.tables import Table, nowrap


def _display(*objs) -> None:
    from IPython.display import display

    display(*objs)


class Markdown:
    """Markdown output that both engines place into the page as is."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:  # no memory address: Jupyter's text of the output is the same at every run
        return f"Markdown({self.text!r})"

    def _repr_pretty_(self, p, cycle) -> None:  # the text Jupyter shows where it shows no Markdown
        p.text(self.text)

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_html_(self) -> str | None:  # what Jupyter shows (the engines read the Markdown)
        if os.environ.get("REPORT_ENGINE") == "quarto":
            return None  # Quarto prefers HTML to Markdown: it gets the Markdown only, with its raw blocks

        return markdown_html(self.text)


class Book:
    """The presentation of the report in one language."""

    def __init__(self, lang: str):
        if lang not in config.langs():
            raise ValueError(f"unknown language '{lang}': use one of {', '.join(config.langs())}")
        self.lang = lang

    # --- words and numbers -----------------------------------------------------------------------
    def label(self, scheme: str, id_: str, *, short: bool = False, in_text: bool = False) -> Formatted:
        """A category's label; ``in_text``: as quoted inside a sentence, the first letter in lower case
        (an answer option quoted in the prose is the chart's own label)."""
        labels = data.labels(scheme, self.lang, short=short)
        if id_ not in labels:
            raise KeyError(f"no {self.lang} label for id '{id_}' of scheme '{scheme}' in data/labels.csv")
        text = labels[id_]
        if in_text and not text[1:2].isupper():  # an abbreviation keeps its capitals
            text = text[:1].lower() + text[1:]
        if not any(c.isdigit() for c in text):
            return Formatted(text)
        # a category named by its bounds ("up to 4 million"): its numbers are traced to labels.csv
        return self.traced(text, (stats.Row("labels", data.label_row(scheme, id_), f"scheme={scheme};id={id_}"),))

    def format(self, obj, decimals: int | None = None) -> Formatted:
        """A Quantity, Label, (Label, Quantity) pair or list of them, as the edition prints it."""
        if isinstance(obj, Quantity):
            d = obj.decimals if decimals is None else decimals
            return self.worded(self.traced(fmt.quantity(obj.value, obj.unit, self.lang, d), obj.origin), obj.precision)
        if isinstance(obj, Label):
            label = self.label(obj.scheme, obj.id)
            return self.traced(label, obj.origin) if obj.origin else label
        if isinstance(obj, tuple):
            name, q = obj
            return self.traced(f"{self.format(name)} ({self.format(q)})", _origin_of(obj))
        if isinstance(obj, list):
            names = [self.format(x[0] if isinstance(x, tuple) else x) for x in obj]
            notes = [f" ({self.format(x[1])})" if isinstance(x, tuple) else "" for x in obj]
            return self.traced(i18n.series(names, notes, self.lang), _origin_of(obj))
        if isinstance(obj, (int, float)):
            return Formatted(fmt.number(obj, self.lang, decimals))
        return Formatted(str(obj))

    def traced(self, text: str, rows: tuple[stats.Row, ...]) -> Formatted:
        """``text`` that says where it comes from: its data rows and the source's place of their files."""
        if not rows:
            return Formatted(text)
        files: dict[str, tuple[list, dict]] = {}
        refs = []
        for r in rows:
            res = None if r.row == 0 else data.resource(r.dataset)  # row 0: the whole data package
            name = res["path"] if res else "datapackage.json"
            files.setdefault(name, ([], res.get("x-source", {}) if res else {}))[0].append((r.row, r.key))
            refs.append(f"{name}:{r.row}" if res else name)
        return Formatted(text, i18n.origin_note(files, self.lang), " ".join(refs))

    def worded(self, text: Formatted, p: precision.Precision) -> Formatted:
        """A value the source gives only in words: its tooltip quotes them, and it is marked as such
        (``data-precision``), so that the prose must say it as the source does (checks.precision_prose)."""
        if p.kind not in precision.WORDED:
            return text
        words = i18n.word("source_words", self.lang).format(words=i18n.quoted(p.words, self.lang, markdown=False))
        words += f" ({p.say[self.lang]})" if p.say.get(self.lang) else ""
        return Formatted(str(text), f"{text.origin} {words}".strip(), text.rows, p.kind)

    def value(self, dataset: str, decimals: int | None = None, **key) -> Formatted:
        """One value of a dataset, formatted (a printed derived figure is recomputed from its inputs)."""
        return self.format(stats.value(dataset, **key), decimals)

    def numbers(self, chapter: str) -> SimpleNamespace:
        """The chapter's named facts, formatted: ``n.registered_total``."""
        return SimpleNamespace(**{name: self.format(func()) for name, func in facts.of(chapter).items()})

    # --- figures ---------------------------------------------------------------------------------
    def source(self, dataset: str) -> Markdown:
        return Markdown(f"::: {{.source}}\n{i18n.source_line(data.source_of(dataset), self.lang)}\n:::\n")

    def chart(self, dataset: str, kind: str | None = None, *, where: dict | None = None,
              order: list[str] | None = None, exclude: list[str] | None = None, rows: str | None = None,
              answers: str | None = None, number: str | None = None, caption: str | None = None,
              others_unpublished: bool = False, as_shares: bool = False) -> None:
        """Draw a dataset as its diagram and show the source line (and what the source does not give).

        Printed totals over a dimension are left out when the selection has observations; other derived
        figures (combined shares, complements) are drawn, recomputed from their inputs where they exist.
        ``number`` and ``caption`` caption a diagram that is not one of the report's numbered floats (the
        appendix's own series, ``А.1``): ``А.1-диаграмма. ...`` / ``Диаграмма А.1. ...``.
        ``others_unpublished`` says under the chart that the source gives only the classes drawn.
        ``as_shares`` draws counts as percentages of their sum (a distribution computed from a table).
        """
        show = _display if caption is None else (lambda *out: _display(*self._captioned(out, number, caption)))
        frame, dims = charts.select(dataset, where, exclude)
        kind = kind or charts.guess_kind(frame, dims)
        if kind == "gap":
            not_published = i18n.word("not_published", self.lang)
            show(draw.gap_panel(not_published, alt=not_published, csv=charts.csv_of(frame), dataset=dataset),
                 self.source(dataset))
            return
        chart, missing_note = charts.prepare(kind, frame, dims, self.lang, order=order, rows=rows, answers=answers,
                                             as_shares=as_shares)
        if "value" in frame.columns and frame["value"].isna().all():
            chart.gap = dataset  # only the names of the answers are published: not for the final print
        out = [chart, self.source(dataset)]
        if as_shares:
            out.append(Markdown(f"::: {{.gap-note}}\n{i18n.word('shares_computed', self.lang)}.\n:::\n"))
        if others_unpublished:
            out.append(Markdown(f"::: {{.gap-note}}\n{i18n.word('others_not_published', self.lang)}.\n:::\n"))
        if missing_note:
            out.append(Markdown(f"::: {{.gap-note}}\n{i18n.word('partial', self.lang)}: "
                                f"{'; '.join(missing_note)}.\n:::\n"))  # labels may hold commas
        drawn = frame[frame[dims[0]].isin(order)] if order and kind == "bars" else frame  # drawn values only
        worded = charts.worded(drawn, dims, self.lang)
        if worded:
            out.append(Markdown(f"::: {{.gap-note .worded-note}}\n{i18n.word('worded', self.lang)}: "
                                f"{'; '.join(worded)}.\n:::\n"))
        show(*out)

    def _captioned(self, out, number: str | None, caption: str) -> list:
        """A chart with its own caption, kept together on the page: chart, caption, then the notes."""
        label = i18n.caption_label("dgm", number, self.lang) + "." if number else ""
        chart, notes = out[0], list(out[1:])
        typst_caption = _typst_escape(f"{label} {caption}".strip())
        if label:
            typst_caption = f"*{_typst_escape(label)}* {_typst_escape(caption)}"
        html_caption = (f"<strong>{html.escape(label)}</strong> " if label else "") + html.escape(caption)
        opening = Markdown("```{=typst}\n#figure(kind: image, supplement: none, caption: [" + typst_caption
                           + "])[\n```\n\n```{=html}\n<figure class=\"float dgm\">\n```\n")
        closing = Markdown("```{=typst}\n]\n```\n\n```{=html}\n<figcaption>" + html_caption
                           + "</figcaption>\n</figure>\n```\n")
        return [opening, chart, closing, *notes]

    def heatmap(self, dataset: str, rows: str, cols: str, *, number: str | None = None,
                caption: str | None = None) -> None:
        """A table of counts as a heatmap, its companion where a reader would rather look than read: rows and
        columns in the table's order, printed totals left out (``number``, ``caption``: as for ``chart``)."""
        chart = charts.heatmap.prepare(dataset, rows, cols, self.lang)
        out = [chart, self.source(dataset)]
        _display(*(self._captioned(out, number, caption) if caption else out))

    # --- tables ----------------------------------------------------------------------------------
    def table(self, dataset: str, rows: str, cols: str | None = None, *, where: dict | None = None,
              value_header: str | None = None, sort_rows: bool = True, decimals: int | None = None) -> None:
        """A table of a dataset: ``rows`` x ``cols`` dimensions (or one value column), totals last."""
        frame = stats.resolved(dataset)
        if "value" in frame:
            frame = precision.with_marks(dataset, frame)
        if where:
            frame = stats.select(frame, **where)
        row_ids = list(dict.fromkeys(frame[rows]))
        derived_rows = set(frame[frame["status"] == "derived"][rows]) if cols else set()
        totals = [r for r in row_ids if r in derived_rows and (frame[frame[rows] == r]["status"] == "derived").all()]
        body = [r for r in row_ids if r not in totals]
        labels = data.labels(rows, self.lang)
        if sort_rows:
            body.sort(key=lambda r: (charts.row_group(rows, r), i18n.sort_key(labels.get(r, r), self.lang)))
        ordered = body + totals
        if cols:
            col_ids = list(dict.fromkeys(frame[cols]))
            header = [self._row_header(rows)] + [self._column_header(frame, cols, c) for c in col_ids]
            table_rows = []
            for r in ordered:
                line = [labels.get(r, r)]
                for c in col_ids:
                    cell = frame[(frame[rows] == r) & (frame[cols] == c)]
                    line.append(self._traced_cell(dataset, cell, decimals))
                table_rows.append(line)
        else:
            unit = frame["unit"].iloc[0]
            header = [self._row_header(rows), value_header or ("%" if unit == "percent" else "")]
            table_rows = [[labels.get(r, r), self._traced_cell(dataset, frame[frame[rows] == r], decimals, bare=True)]
                          for r in ordered]
        align = ["l"] + ["r"] * (len(header) - 1)
        _display(Table(header, table_rows, align, charts.csv_of(frame)), self.source(dataset))

    def _row_header(self, dimension: str) -> str:
        """The header of the label column: the name of the row dimension (scheme ``dimension`` of labels.csv)."""
        return data.labels("dimension", self.lang).get(dimension, "")

    def _column_header(self, frame: pd.DataFrame, cols: str, col_id: str) -> str:
        """A column's label; a column of bare amounts (cells print no unit) names its unit: ``Сумма, млн тенге``."""
        text = data.labels(cols, self.lang, short=True).get(col_id, col_id)
        units = set(frame.loc[frame[cols] == col_id, "unit"].dropna()) if "unit" in frame else set()
        words = fmt.UNIT_WORDS[self.lang].get(next(iter(units))) if len(units) == 1 else None
        return f"{text}, {words}" if words and words not in text else text

    def _traced_cell(self, dataset: str, cell: pd.DataFrame, decimals, bare: bool = False) -> str:
        """A table cell as Markdown that names its data row on the web page (as the prose's numbers do)."""
        text = self._cell(cell, decimals, bare)
        if cell.empty or text == "–":
            return text
        return self.traced(text, stats.rows_of(dataset, cell))._repr_markdown_()

    def _cell(self, cell: pd.DataFrame, decimals, bare: bool = False) -> str:
        if cell.empty or pd.isna(cell["value"].iloc[0]):
            return "–"
        v, unit = float(cell["value"].iloc[0]), cell["unit"].iloc[0]
        printed = cell["printed"].iloc[0] if "printed" in cell else None
        if decimals is None and printed is not None and not pd.isna(printed):
            decimals = fmt._decimals_of(float(printed))  # a recomputed figure keeps the printed precision
        sign = cell["mark"].iloc[0] if "mark" in cell else ""
        if unit in ("million_kzt", "billion_kzt") or (bare and unit == "percent"):
            return fmt.mark(fmt.number(v, self.lang, decimals), sign)
        return fmt.mark(fmt.quantity(v, unit, self.lang, decimals), sign)



def _origin_of(obj) -> tuple[stats.Row, ...]:
    """The data rows behind a Quantity or a (label, quantity) pair or a list of them."""
    if isinstance(obj, (Quantity, Label)):
        return obj.origin
    if isinstance(obj, (tuple, list)):
        return tuple(dict.fromkeys(r for x in obj for r in _origin_of(x)))
    return ()


def _typst_escape(text: str) -> str:
    """Text for Typst markup: every character with a meaning there is escaped."""
    return re.sub(r"([\\#*_\[\]$@<>`~/%=+-])", r"\\\1", text)


# --- appendix: the register of gaps and the list of datasets -------------------------------------------

_KIND_OF_PRINTED = {"table": "tbl", "diagram": "dgm", "figure": "fig"}
_HEADERS = {
    "kk": {"place": "Бастапқы құжаттағы орны", "missing": "Берілмеген мән", "dataset": "Деректер жиыны",
           "respondents": "Дереккөз / респонденттер", "title": "Мазмұны", "text": "мәтін", "document": "Құжат",
           "file": "Файл", "bytes": "Көлемі, байт", "sha256": "SHA-256 (басы)", "worded": "Мән",
           "shown": "Кітапта", "words": "Бастапқы құжаттың сөздері"},
    "ru": {"place": "Место в исходном документе", "missing": "Отсутствующее значение", "dataset": "Набор данных",
           "respondents": "Источник / респонденты", "title": "Содержание", "text": "текст", "document": "Документ",
           "file": "Файл", "bytes": "Размер, байт", "sha256": "SHA-256 (начало)", "worded": "Значение",
           "shown": "В книге", "words": "Слова исходного документа"},
    "en": {"place": "Place in the source document", "missing": "Missing value", "dataset": "Dataset",
           "respondents": "Source / respondents", "title": "Contents", "text": "text", "document": "Document",
           "file": "File", "bytes": "Size, bytes", "sha256": "SHA-256 (start)", "worded": "Value",
           "shown": "In the book", "words": "Words of the source document"},
}


def _printed_place(src: dict, lang: str) -> str:
    printed = src.get("printed") or {}
    kind = _KIND_OF_PRINTED.get(printed.get("kind"))
    section = src.get("section")
    where = i18n.WORDS[lang]["section"].format(n=section) if str(section).isdigit() else ""
    if kind and printed.get("number"):
        label = i18n.reference_label(kind, printed["number"], lang)
        return f"{where}, {label}" if where else label
    return f"{where}, {_HEADERS[lang]['text']}" if where else _HEADERS[lang]["text"]


def _key_label(key: str, lang: str) -> str:
    parts = []
    for pair in key.split(";"):
        scheme, _, id_ = pair.partition("=")
        parts.append(data.labels(scheme, lang).get(id_, id_))
    return " – ".join(parts)


def gap_register(lang: str) -> None:
    """The register of gaps as a table: where the source names a value it does not give."""
    h = _HEADERS[lang]
    rows = []
    for _, g in data.gaps().iterrows():
        src = data.source_of(g["dataset"])
        rows.append([nowrap(_printed_place(src, lang)), _key_label(g["key"], lang), g["dataset"]])
    _display(Table([h["place"], h["missing"], h["dataset"]], rows, ["l", "l", "l"]))


def precision_register(lang: str) -> None:
    """The values the source gives only in words: where, which, as the book shows them, the source's words."""
    h = _HEADERS[lang]
    rows = []
    for r in precision.register():
        if r["kind"] == "derived":
            continue
        src = data.source_of(r["dataset"])
        shown = fmt.mark(fmt.quantity(r["value"], r["unit"], lang), r["sign"])
        rows.append([nowrap(_printed_place(src, lang)), _key_label(r["key"], lang), shown, i18n.quoted(r['words'], lang),
                     r["dataset"]])
    _display(Table([h["place"], h["worded"], h["shown"], h["words"], h["dataset"]], rows, ["l", "l", "r", "l", "l"]))


def source_documents(lang: str) -> None:
    """The source documents the data was transcribed from, with the size and checksum of each text."""
    h = _HEADERS[lang]
    rows = [[i18n.WORDS[lang]["documents"].get(src["x-id"], src["title"]), f"`{src['path']}`",
             fmt.number(src["x-bytes"], lang), f"`{src['x-sha256'][:16]}…`"] for src in data.descriptor()["sources"]]
    _display(Table([h["document"], h["file"], h["bytes"], h["sha256"]], rows, ["l", "l", "r", "l"]))


def dataset_list(lang: str) -> None:
    """Every dataset with its place in the source and its respondents."""
    h = _HEADERS[lang]
    rows = []
    for res in data.descriptor()["resources"]:
        src = res.get("x-source")
        if not src:
            continue
        who = i18n.WORDS[lang]["respondents"].get(src.get("respondents") or "", "–")
        base = f" (n = {src['base']})" if src.get("base") else ""
        rows.append([res["name"], nowrap(_printed_place(src, lang)), who + base])
    _display(Table([h["dataset"], h["place"], h["respondents"]], rows, ["l", "l", "l"]))


def terms_table(lang: str) -> None:
    """The abbreviations of the edition with their terms, and the same terms in the other editions, from the
    glossary (data/glossary.csv)."""
    w = i18n.WORDS[lang]
    others = [x for x in config.langs() if x != lang]
    # each other edition's term marked as its language's text (a screen reader reads it so)
    rows = [row[:2] + [f'[{term}]{{lang="{x}"}}' for x, term in zip(others, row[2:])] for row in glossary.terms(lang)]
    _display(Table([w["abbreviation"], w["term"], *(w["languages"][x] for x in others)], rows, ["l"] * (2 + len(others))))
