"""Numbers in the chapters' prose: every number a reader sees comes from data/ through a helper.

Three rules, one place:

- ``TYPED-NUMBER``: a digit typed in a chapter's text outside an inline expression, an id (``@dgm-x``,
  ``{#sec-x}``) and the allow-list ``data/prose-digits-allowed.csv`` (``file,text,reason``: a year in a
  citation, a law's number; ``file`` may be ``*``);
- ``NUMBER-WORD``: a number said in words (``data/number-words.csv``, kind ``number``: half, two thirds, every
  second, a quarter, twice, ...) outside a claim marker (``[...]{claim=...}``) and outside a span that binds
  the words to a fact the source gives in words (``[две трети]{worded=outcomes_interested}``);
- ``UNWORDED-VALUE``: an inline value the source gives only in words (``core.precision``), printed with no word
  of kind ``hedge`` beside it (about, more than, up to, ...): the prose must say it as the source does.

``report check`` warns of the first two (``--strict``: fails); a build reports all three, and they stop the
print build. Each names chapter file and line.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.checks.prose_claims import INLINE, MARKER, _lines, chapter_files
from helpers import facts
from helpers.core import data, paths, precision
from helpers.core.data import DataError
from helpers.lang import i18n

WORDS_FILE = "number-words.csv"
ALLOWED_FILE = "prose-digits-allowed.csv"
WORDED = re.compile(r"\[(?P<text>[^\[\]]*)\]\{worded=(?P<name>[A-Za-z_]\w*)\}")
SETUP = re.compile(r"""b\.numbers\(\s*["'](\w+)["']\s*\)""")
# what is not prose: inline expressions, claim and worded markers' attributes, ids and references, links' targets
_NOT_PROSE = [INLINE, re.compile(r"\{[^{}]*\}"), re.compile(r"-?@[\w-]+"), re.compile(r"\]\([^)]*\)"),
              re.compile(r"<[^>]+>"), re.compile(r"https?://\S+")]
HEDGE_REACH = 40  # characters on either side of a worded value in which its hedge word must stand


@dataclass(frozen=True)
class Word:
    lang: str
    kind: str  # number | hedge
    text: str
    pattern: re.Pattern


def _csv(folder: Path, name: str, columns: list[str]) -> list[tuple[int, dict]]:
    path = folder / name
    if not path.exists():
        return []
    rows = list(csv.DictReader(io.StringIO(data.read_text(path))))
    for line, row in enumerate(rows, start=2):
        for column in columns:
            if not (row.get(column) or "").strip():
                raise DataError(name, "empty-value", f"'{column}' is empty", row=line, column=column)
    return list(enumerate(rows, start=2))


def words(folder: Path) -> list[Word]:
    """The number words and hedges of each language (``lang,kind,words,comment``)."""
    out = []
    for line, row in _csv(folder, WORDS_FILE, ["lang", "kind", "words"]):
        if row["kind"] not in ("number", "hedge"):
            raise DataError(WORDS_FILE, "enum", f"unknown kind '{row['kind']}'", row=line, column="kind",
                            hint="number or hedge")
        text = row["words"].strip()
        stem = text.endswith("*")  # a stem: any ending; else the whole word
        body = r"\s+".join(re.escape(w) for w in text.rstrip("*").split())
        out.append(Word(row["lang"], row["kind"], text, re.compile(rf"(?<![\w-]){body}" + ("" if stem else r"(?![\w])"),
                                                                     re.I)))
    return out


def allowed(folder: Path) -> list[tuple[str, str]]:
    """``(file, text)``: digits typed on purpose, each with its reason."""
    return [(row["file"].strip(), row["text"]) for _, row in _csv(folder, ALLOWED_FILE, ["file", "text", "reason"])]


def _blank(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _prose(line: str) -> str:
    """The line with everything that is not the author's typed text blanked (same length)."""
    for pattern in _NOT_PROSE:
        line = _blank(line, pattern)
    return line


def typed_digits(root: Path, lang: str, files: list[Path] | None = None) -> list[str]:
    folder = paths.data_dir(root)
    allow = allowed(folder)
    out = []
    for path in files or chapter_files(root, lang):
        where = path.resolve().relative_to(root.resolve()).as_posix()
        for number, line, _ in _lines(path):
            text = _prose(line)
            for file, ok in allow:
                if file in ("*", where, path.name):
                    text = text.replace(ok, " " * len(ok)) if ok in line else text
            for m in re.finditer(r"\d[\d\s,.]*\d|\d", text):
                out.append(f"TYPED-NUMBER at {where}:{number}: '{m.group(0).strip()}' typed in the prose: print it "
                           f"from data/ (`{{python}} n.<fact>`), or list it in data/{ALLOWED_FILE} with its reason")
    return out


def number_words(root: Path, lang: str, files: list[Path] | None = None) -> list[str]:
    folder = paths.data_dir(root)
    listed = sorted((w for w in words(folder) if w.lang == lang and w.kind == "number"), key=lambda w: -len(w.text))
    out = []
    for path in files or chapter_files(root, lang):
        where = path.resolve().relative_to(root.resolve()).as_posix()
        for number, line, _ in _lines(path):
            text = _blank(_blank(line, MARKER), WORDED)  # inside a claim marker or a worded span: bound
            text = _blank(text, INLINE)
            for w in listed:  # the longest first: "две трети" is not also "трети"
                for m in w.pattern.finditer(text):
                    text = text[:m.start()] + " " * len(m.group(0)) + text[m.end():]
                    out.append(f"NUMBER-WORD at {where}:{number}: '{m.group(0)}' says a number in words, bound to "
                               f"no claim and no fact: bind it ([...]{{claim=...}} or [...]{{worded=<fact>}}) or "
                               f"print the number from data/")
    return out


def worded_spans(root: Path, lang: str, files: list[Path] | None = None) -> list[str]:
    """``NUMBER-WORD`` for each ``[words]{worded=fact}`` span that names no fact of its chapter's facts modules,
    or a fact the source gives as a number (then print the number)."""
    out = []
    os.environ.setdefault("REPORT_ROOT", str(root))
    for path in files or chapter_files(root, lang):
        where = path.resolve().relative_to(root.resolve()).as_posix()
        for number, line, _ in _lines(path):
            for m in WORDED.finditer(line):
                found = [f for module in facts_of(path) for n, f in facts.of(module).items() if n == m.group("name")]
                kind = getattr(found[0](), "precision", precision.EXACT).kind if found else ""
                if not found:
                    out.append(f"NUMBER-WORD at {where}:{number}: '{m.group('text')}' is bound to '{m.group('name')}', "
                               f"which is no fact of {', '.join(facts_of(path)) or 'the chapter (no b.numbers)'}")
                elif kind not in precision.WORDED:
                    out.append(f"NUMBER-WORD at {where}:{number}: '{m.group('text')}' is bound to "
                               f"'{m.group('name')}', a value the source prints as a number: print it "
                               f"(`{{python}} n.{m.group('name')}`)")
    return out


def chapter_problems(root: Path, lang: str, files: list[Path] | None = None) -> list[str]:
    """What ``report check`` finds in an edition's chapters: typed digits, unbound number words, worded spans."""
    return typed_digits(root, lang, files) + number_words(root, lang, files) + worded_spans(root, lang, files)


def unworded_values(root: Path, lang: str, pages: list, files: list[Path]) -> list[str]:
    """``UNWORDED-VALUE`` for each inline value the source gives only in words that its sentence prints
    without a hedge (``page.inline``: what each inline expression printed, with its precision)."""
    hedges = [w.pattern for w in words(paths.data_dir(root)) if w.lang == lang and w.kind == "hedge"]
    out = []
    for path, page in zip(files, pages):
        source = path.read_text(encoding="utf-8").split("\n")
        for value in page.inline:
            if value.get("precision") not in precision.WORDED or ".to(" in value["expression"]:
                continue  # exact, or a range (``low.to(high)``): the source's own way of giving an interval
            line = source[value["line"] - 1]
            at = next((m.start() for m in INLINE.finditer(line) if m.group(1).strip() == value["expression"].strip()),
                      line.find(value["expression"]))
            before = " ".join(source[max(0, value["line"] - 2):value["line"] - 1]) + " " + line[:max(at, 0)]
            after = line[at:] + " " + (source[value["line"]] if value["line"] < len(source) else "")
            before, after = (" ".join(_prose(text).split()) for text in (before, after))
            near = before[-HEDGE_REACH:] + " " + after[:HEDGE_REACH]
            if not any(h.search(near) for h in hedges):
                out.append(f"UNWORDED-VALUE at {value['chapter']}:{value['line']}: {value['text']} "
                           f"({value['precision'].replace('_', ' ')}) is a value the source gives only in words; "
                           f"say it as the source does (a word of data/{WORDS_FILE}, kind hedge, beside it)")
    return out


def annotate(markdown: str, path: Path, lang: str) -> str:
    """Each ``[words]{worded=fact}`` of a page as a traced span: its tooltip quotes the source's words and names
    the fact's data rows, as a printed number's does."""

    def one(m: re.Match) -> str:
        found = [f for module in facts_of(path) for n, f in facts.of(module).items() if n == m.group("name")]
        if not found:
            return m.group(0)  # reported by worded_spans
        q = found[0]()
        files: dict[str, tuple[list, dict]] = {}
        for r in q.origin:
            res = data.resource(r.dataset)
            files.setdefault(res["path"], ([], res.get("x-source", {})))[0].append((r.row, r.key))
        title = (i18n.word("source_words", lang).format(words=i18n.quoted(q.precision.words, lang, markdown=False)) + ". "
                 + i18n.origin_note(files, lang)).replace("\\", "\\\\").replace('"', '\\"')
        rows = " ".join(f"{data.resource(r.dataset)['path']}:{r.row}" for r in q.origin)
        return f'[{m.group("text")}]{{.num .worded title="{title}" data-rows="{rows}" data-precision="{q.precision.kind}"}}'

    return WORDED.sub(one, markdown)


def facts_of(path: Path) -> list[str]:
    """The facts modules a chapter's setup cell reads (``b.numbers("ch2")``)."""
    return SETUP.findall(path.read_text(encoding="utf-8"))
