"""Executed chapters to pandoc Markdown, and the book-wide numbering of chapters, floats and references."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from helpers.core.errors import BuildError
from helpers.core.qmd import INLINE, Cell, Chapter
from helpers.engines.chapter_cache import Executed
from helpers.lang import i18n
from helpers.lang.fmt import inline_origin

FLOAT_PREFIXES = ("dgm-", "tbl-", "fig-")
FLOAT_DIV = re.compile(r"^:::+\s*\{#((?:dgm|tbl|fig)-[\w-]+)[^}]*\}", re.M)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*\{([^}]*)\}\s*$", re.M)


@dataclass
class Page:
    """One chapter of the book after execution."""

    stem: str
    markdown: str
    title: str = ""
    section_id: str = ""
    appendix: bool = False
    media: dict[str, bytes] = field(default_factory=dict)  # relative path -> content
    print_media: dict[str, bytes] = field(default_factory=dict)  # the print edition's version of some media
    gaps: list[str] = field(default_factory=list)  # outputs marked as gap panels (not for the final print)
    gap_datasets: dict[str, str] = field(default_factory=dict)  # gap panel (chapter:line) -> its dataset
    inline: list[dict] = field(default_factory=list)  # every inline value: line, expression, text, origin


def _escape_alt(text: str) -> str:
    return re.sub(r"([\\\[\]*_`<>#])", r"\\\1", " ".join(str(text).split()))


def _outputs_markdown(cell: Cell, outputs: list[dict], stem: str, index: int, media: dict,
                      gaps: list[str] | None = None, cell_place: str = "", print_media: dict | None = None,
                      decided: Callable[[str, str], str | None] = lambda place, dataset: None) -> str:
    opts = cell.options
    pieces: list[str] = []
    if opts.get("echo") is True:
        pieces.append("```python\n" + cell.code + "\n```")
    if opts.get("output") is False:
        return "\n\n".join(pieces)
    base = str(opts.get("label") or f"{stem}-cell{index + 1}")
    for k, out in enumerate(outputs):
        kind = out.get("output_type")
        if kind == "stream":
            pieces.append("```\n" + "".join(out.get("text", "")).rstrip() + "\n```")
            continue
        if kind not in ("display_data", "execute_result"):
            continue
        bundle, meta = out.get("data", {}), out.get("metadata", {})
        name = base if k == 0 else f"{base}-{k + 1}"
        extra = meta.get("ngo-report") or {}
        if extra.get("gap") and gaps is not None:
            gaps.append(f"{cell_place}:{cell.line}")
        stands_in = decided(f"{cell_place}:{cell.line}", str(extra.get("gap"))) if extra.get("gap") else None
        if stands_in is not None:  # the editors' decision for the printed book replaces the gap panel
            pieces.append(stands_in)
        elif "image/svg+xml" in bundle:
            svg = bundle["image/svg+xml"]
            media[f"figures/{name}.svg"] = (svg if isinstance(svg, str) else "".join(svg)).encode("utf-8")
            if extra.get("print_svg") and print_media is not None:
                print_media[f"figures/{name}.svg"] = extra["print_svg"].encode("utf-8")
            # the author's description first, then the chart's own text alternative (its values, regenerated
            # with the data, "not published" where the source gives none)
            own = meta.get("image/svg+xml", {}).get("alt", "")
            alt = str(opts.get("fig-alt") or "").strip().rstrip(".")
            alt = f"{alt}. {own}" if alt and own and own not in alt else (alt or own)
            pieces.append(f"![{_escape_alt(alt)}](figures/{name}.svg)")
        elif "text/markdown" in bundle:
            text = bundle["text/markdown"]
            pieces.append(text if isinstance(text, str) else "".join(text))
        elif "text/plain" in bundle:
            pieces.append("```\n" + "".join(bundle["text/plain"]) + "\n```")
        if extra.get("csv"):
            media[f"data/{name}.csv"] = extra["csv"].encode("utf-8")
            pieces.append(f"::: {{.data-link}}\n[{{csv-link}}](data/{name}.csv){{.csv-link download=\"{name}.csv\"}}\n:::")
    return "\n\n".join(p.strip("\n") for p in pieces if p.strip())


def chapter_markdown(chapter: Chapter, executed: Executed, decisions: dict[str, str] | None = None,
                     lang: str = "") -> Page:
    """Replace cells by their outputs and inline expressions by their values.

    ``decisions`` (the print build): dataset -> ``note`` | ``omit``, the editors' decision for a gap panel
    of that dataset (``helpers.core.gap_decisions``); without it every gap panel is shown."""
    stem = chapter.path.stem
    media: dict[str, bytes] = {}
    print_media: dict[str, bytes] = {}
    gaps: list[str] = []
    gap_datasets: dict[str, str] = {}
    lang = lang or chapter.path.parent.name  # chapters/<lang>/*.qmd

    def decided(place: str, dataset: str) -> str | None:
        gap_datasets[place] = dataset
        choice = (decisions or {}).get(dataset)
        if choice == "note":
            return _editorial_note(i18n.word("gap_decision_note", lang))
        if choice == "omit":
            return OMITTED
        return None

    values = iter(executed.inline)
    where = "/".join(chapter.path.parts[-3:])
    inline = [dict(inline_origin(str(v)), chapter=where, line=line, expression=expr)
              for (expr, line), v in zip(chapter.inline, executed.inline)]
    out: list[str] = []
    cell_index = 0
    for part in chapter.parts:
        if isinstance(part, str):
            out.append(INLINE.sub(lambda m: str(next(values)), part))
            continue
        cell = part
        if cell.options.get("include") is False:
            cell_index += 1
            continue
        body = _outputs_markdown(cell, executed.outputs[cell_index], stem, cell_index, media, gaps, where,
                                 print_media, decided)
        label = str(cell.options.get("label") or "")
        cap = cell.options.get("fig-cap") or cell.options.get("tbl-cap")
        if label.startswith(FLOAT_PREFIXES):
            if not cap:
                raise BuildError(f"{chapter.path}:{cell.line}: the float '{label}' has no caption "
                                 f"(add '#| {label.split('-')[0]}-cap: ...' or put it in a captioned div)")
            body = f"::: {{#{label}}}\n{body}\n\n{cap}\n:::"
        out.append("\n" + body + "\n")
        cell_index += 1
    markdown = _omit_floats("".join(out), lang)
    heading = next((m for m in HEADING.finditer(markdown) if len(m.group(1)) == 1), None)
    title = heading.group(2) if heading else str(chapter.meta.get("title", stem))
    section_id = ""
    if heading:
        ids = re.findall(r"#([\w-]+)", heading.group(3))
        section_id = ids[0] if ids else ""
    return Page(stem, markdown, title=title, section_id=section_id, media=media, gaps=gaps, inline=inline,
                print_media=print_media, gap_datasets=gap_datasets)


OMITTED = "<!-- omitted: the source gives no values -->"
FENCE = re.compile(r"^(:{3,})\s*(\S.*)?$")


def _editorial_note(text: str) -> str:
    """A framed note in place of a diagram (web: a div, print: the template's ``editorial-note``)."""
    return ("::: {.editorial-note}\n```{=typst}\n#editorial-note[\n```\n\n" + text
            + "\n\n```{=typst}\n]\n```\n:::")


def _omit_floats(markdown: str, lang: str) -> str:
    """A float whose gap panel the editors left out: the float goes, a one-line note with its caption stays."""
    if OMITTED not in markdown:
        return markdown
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(2) and FLOAT_DIV.match(lines[i]):
            depth, j = 1, i + 1  # find the float's closing fence
            while j < len(lines) and depth:
                inner = FENCE.match(lines[j])
                if inner:
                    depth += 1 if inner.group(2) else -1
                j += 1
            block = lines[i:j]
            if any(OMITTED in line for line in block):
                caption = next((line for line in reversed(block[:-1]) if line.strip()), "")
                out += ["::: {.gap-note}", i18n.word("gap_decision_omit", lang).format(caption=caption.strip()), ":::"]
                i = j
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def write_numbers(pages: list[Page], path: Path) -> Path:
    """``numbers.csv``: every inline value of the book, in reading order, with the data it comes from."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=["chapter", "line", "expression", "text", "rows", "origin", "precision"], lineterminator="\n")
        out.writeheader()
        for page in pages:
            out.writerows(page.inline)
    return path


def registry(pages: list[Page], lang: str) -> dict:
    """Book-wide numbers: chapters (1, 2, ...; appendices А, Б), floats per kind, section references."""
    items: dict[str, dict] = {}
    counters = {k: 0 for k in i18n.KINDS}
    chapter_no, appendix_no = 0, 0
    for page in pages:
        html = f"{page.stem}.html"
        for m in HEADING.finditer(page.markdown):
            level, title, attrs = len(m.group(1)), m.group(2), m.group(3)
            ids = re.findall(r"#([\w-]+)", attrs)
            if not ids:
                continue
            entry = {"kind": "sec", "page": html, "title": title, "prefix": ""}
            if level == 1 and page.appendix:
                letter = i18n.appendix_letter(appendix_no, lang)
                appendix_no += 1
                entry["ref"] = i18n.WORDS[lang]["appendix"].format(letter=letter)
                entry["prefix"] = entry["ref"][:1].upper() + entry["ref"][1:] + "."
                entry["num"] = letter
            elif level == 1 and ".unnumbered" not in attrs:
                chapter_no += 1
                entry["prefix"] = f"{chapter_no}."
                entry["num"] = str(chapter_no)
                entry["ref"] = i18n.WORDS[lang]["section"].format(n=chapter_no)
            else:
                entry["num"] = title
                entry["ref"] = title
            if ids[0] in items:
                raise BuildError(f"{page.stem}: the id '{ids[0]}' is used twice in the book")
            items[ids[0]] = entry
        for m in FLOAT_DIV.finditer(page.markdown):
            fid = m.group(1)
            kind = fid.split("-")[0]
            counters[kind] += 1
            n = counters[kind]
            if fid in items:
                raise BuildError(f"{page.stem}: the float id '{fid}' is used twice in the book")
            items[fid] = {"kind": kind, "num": str(n), "page": html,
                          "caption": i18n.caption_label(kind, n, lang), "ref": i18n.reference_label(kind, n, lang)}
    return items


def write_registry(items: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    return path
