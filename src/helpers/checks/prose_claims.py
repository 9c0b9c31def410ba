"""The claims of the chapters' prose: their markers, their verdicts on the data, the sentences nobody bound.

An author binds the comparative phrase of a sentence to a claim of the chapter's facts module with a pandoc
span, which both engines keep as ordinary text: ``[Ең көп тарағаны]{claim=most_public_associations}``.
Each build

- evaluates every claim on the data (``verdicts``: once for all editions, by the build's gate while the
  chapters execute, and cached while the data and the helpers are unchanged), gives each marked phrase its
  evidence as a tooltip on the web page and lists the claims in ``claims.csv``; a claim the data
  contradicts is ``FALSE-CLAIM`` (``check_edition``);
- lists as ``UNCHECKED-CLAIM`` every sentence that uses a comparative word (``data/comparative-words.csv``)
  and has no marker (``unchecked``);
- and, for the book, every claim bound in one edition and missing in the other (``parity``).
"""

from __future__ import annotations

import csv
import difflib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers.core import config, data, paths, validate
from helpers.core.cache import ByReads, Key, Store
from helpers.core.data import DataError
from helpers.core.errors import BuildError
from helpers.facts import claims
from helpers.lang import fmt, i18n
from helpers.lang.fmt import inline_origin

MARKER = re.compile(r"\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\{claim=(?P<name>[A-Za-z_][\w-]*)\}")
INLINE = re.compile(r"`\{python\}\s+([^`]+?)`")
FENCE = re.compile(r"^\s*(```+)\s*\{python[^}]*\}\s*$")
FLOAT_OPEN = re.compile(r"^:::+\s*\{#(?:dgm|tbl|fig)-")
SENTENCE_END = re.compile(r"(?<=[.!?…])[*»”’)\]]*\s+(?=[*«“‘(\[]*[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")
WORDS_FILE = "comparative-words.csv"

WORDS = {
    "kk": {"true": "Деректермен тексерілді", "false": "ДЕРЕКТЕРГЕ СӘЙКЕС КЕЛМЕЙДІ",
           "open": "Деректермен тексерілмейді: пікір немесе деректерде жоқ мәлімет",
           "restates": "Тексерілмеген: дереккөздің өз сөзін қайталайды",
           "undecided": "Шешілмеген: дереккөз сөзбен берген мән оны шешпейді"},
    "ru": {"true": "Проверено по данным", "false": "НЕ ПОДТВЕРЖДАЕТСЯ ДАННЫМИ",
           "open": "Данными не проверяется: мнение или сведения, которых нет в данных",
           "restates": "Не проверено: повторяет формулировку источника",
           "undecided": "Не решено: значение, данное источником словами, не позволяет проверить"},
    "en": {"true": "Checked against the data", "false": "NOT SUPPORTED BY THE DATA",
           "open": "Not checkable against the data: an opinion or information the data does not hold",
           "restates": "Not checked: restates the source's own words",
           "undecided": "Undecided: a value the source gives in words does not decide it"},
}


class ClaimError(Exception):
    """A marker that names no declared claim, or a claim that cannot be evaluated: says file and line."""


@dataclass
class Sentence:
    file: str  # chapters/<lang>/<file>.qmd
    line: int  # where it starts
    text: str  # as in the source
    markers: list[tuple[str, int, str]]  # (claim name, line, marked phrase)
    first_inline: int  # the chapter's count of inline expressions before this sentence


# --- reading chapters -----------------------------------------------------------------------------------

def _lines(path: Path) -> list[tuple[int, str, bool]]:
    """The lines outside the front matter and the code cells (those the build reads inline expressions
    from): ``(line number, text, is running prose)``; headings, div fences and the captions of floats are
    not running prose."""
    lines = path.read_text(encoding="utf-8").split("\n")
    out, i, in_float = [], 0, 0
    if lines and lines[0].strip() == "---" and "---" in lines[1:]:
        i = lines.index("---", 1) + 1
    fence = None
    while i < len(lines):
        line = lines[i]
        if fence:
            fence = None if line.strip() == fence else fence
        elif FENCE.match(line):
            fence = FENCE.match(line).group(1)
        else:
            stripped = line.strip()
            if FLOAT_OPEN.match(stripped):
                in_float += 1
            elif in_float and stripped.startswith(":::") and not stripped.strip(":"):
                in_float -= 1
            heading = re.match(r"#{1,6}\s", stripped)  # "#. " opens an item of a numbered list: prose
            out.append((i + 1, line, not (in_float or heading or stripped.startswith(":::"))))
        i += 1
    return out


def sentences(path: Path, root: Path) -> list[Sentence]:
    """The sentences of a chapter's running prose, each with the claim markers it holds."""
    where = path.resolve().relative_to(root.resolve()).as_posix()
    out: list[Sentence] = []
    paragraph: list[tuple[int, str]] = []
    count = 0  # inline expressions before the paragraph

    def flush():
        nonlocal count
        text = "\n".join(t for _, t in paragraph)
        starts = [0] + [m.end() for m in SENTENCE_END.finditer(_masked(text))]
        for a, z in zip(starts, starts[1:] + [len(text)]):
            chunk = text[a:z]
            lead = len(chunk) - len(chunk.lstrip())
            first = paragraph[0][0] + text[:a + lead].count("\n") if paragraph else 0
            markers = [(m.group("name"), first + chunk[lead:m.start()].count("\n"), m.group("text"))
                       for m in MARKER.finditer(chunk)]
            if chunk.strip():
                out.append(Sentence(where, first, chunk.strip(), markers, count))
            count += len(INLINE.findall(chunk))
        paragraph.clear()

    for number, line, is_prose in _lines(path):
        if is_prose and line.strip():
            paragraph.append((number, line))
            continue
        flush()
        count += len(INLINE.findall(line))
    flush()
    return out


def _masked(text: str) -> str:
    """The text with inline code replaced by a word of the same length (``n.total`` ends no sentence, and
    a sentence may begin with a number)."""
    return INLINE.sub(lambda m: "Ж" * len(m.group(0)), text)


def markers(path: Path, root: Path) -> list[tuple[str, int, str]]:
    """Every claim marker of a chapter in reading order (captions and headings too): ``(name, line, phrase)``."""
    lines = _lines(path)
    text = "\n".join(line for _, line, _ in lines)
    return [(m.group("name"), lines[text[:m.start()].count("\n")][0], m.group("text"))
            for m in MARKER.finditer(text)]


def chapter_files(root: Path, lang: str) -> list[Path]:

    return config.load(root, lang).files


# --- the comparative words ------------------------------------------------------------------------------

def words(root: Path) -> dict[str, tuple[re.Pattern | None, re.Pattern | None, list[str]]]:
    """Per language: one pattern of its idioms (phrases that compare nothing), one of its comparative words
    (each a named group) and the words as listed; a ``*`` ends a stem. Each pattern asks once, at the start,
    that no letter comes before (seven times as fast as asking it in every word's branch)."""
    out = {}
    for lang, entries in _word_list(root).items():
        idioms = [p for w, p in entries if w.startswith("-")]
        listed = [(w, p) for w, p in entries if not w.startswith("-")]
        out[lang] = (re.compile(r"(?<!\w)(?:" + "|".join(idioms) + ")") if idioms else None,
                     re.compile(r"(?<!\w)(?:" + "|".join(f"(?P<w{i}>{p})" for i, (_, p) in enumerate(listed)) + ")")
                     if listed else None,
                     [w for w, _ in listed])
    return out


def _word_list(root: Path) -> dict[str, list[tuple[str, str]]]:
    """Per language: each listed word (an idiom's with a leading "-") and its pattern: its letters, then no letter
    (a stem, ending in ``*``: any); ``words`` asks that no letter comes before."""
    path = paths.data_dir(root) / WORDS_FILE
    out: dict[str, list[tuple[str, str]]] = {lang: [] for lang in config.langs(root)}
    if not path.exists():
        return out
    with path.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            word, lang = (row.get("word") or "").strip().lower(), (row.get("lang") or "").strip()
            kind = (row.get("kind") or "").strip()
            if lang in i18n.WORDS and lang not in out:
                continue  # words of a language the helpers speak but the book does not declare an edition in
            if lang not in out or not word or kind not in ("comparative", "idiom"):
                raise ClaimError(f"{path.name}, row {number}: needs a language ({', '.join(out)}), a word and a kind "
                                 "(comparative, or idiom: a phrase that compares nothing)")
            body = r"\s+".join(re.escape(w).replace(r"\*", r"\w*") for w in word.split())
            tail = "" if word.endswith("*") else r"(?!\w)"
            out[lang].append((("-" if kind == "idiom" else "") + word, body + tail))
    return out


def unchecked(root: Path, lang: str, files: list[Path] | None = None,
              read: dict[Path, list[Sentence]] | None = None) -> list[str]:
    """``UNCHECKED-CLAIM`` for every sentence with a comparative word and no claim marker (``read``: the
    sentences of chapters already read)."""
    idioms, pattern, listed = words(root)[lang]
    found = []
    for path in files if files is not None else chapter_files(root, lang):
        for s in (read or {}).get(path) or sentences(path, root):
            if s.markers or pattern is None:
                continue
            plain = INLINE.sub(" ", s.text).lower()
            if idioms is not None:  # an idiom ("тем не менее") is not a comparison
                plain = idioms.sub(" ", plain)
            hits = list(dict.fromkeys(listed[int(m.lastgroup[1:])] for m in pattern.finditer(plain)))
            hits.sort(key=listed.index)
            if hits:
                found.append(f"UNCHECKED-CLAIM at {s.file}:{s.line}: \"{_short(s.text)}\" uses "
                             f"{', '.join(repr(h) for h in hits)}; bind it to a claim "
                             "([phrase]{claim=name}) or declare it not_checkable")
    return found


def _short(text: str, n: int = 90) -> str:
    text = " ".join(INLINE.sub(r"\1", text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def parity(root: Path) -> list[str]:
    """``MISSING-CLAIM``: a claim bound in one edition's chapter and not in the other's chapter of that name."""
    bound: dict[str, dict[str, dict[str, tuple[Path, int]]]] = {}
    editions = config.langs(root)
    for lang in editions:
        try:
            files = chapter_files(root, lang)
        except BuildError:
            return []  # reported by the build
        bound[lang] = {p.stem: {name: (p, line) for name, line, _ in reversed(markers(p, root))} for p in files}
    problems = []
    for lang, other in ((a, b) for a in editions for b in editions if a != b):
        for stem, names in bound[lang].items():
            theirs = bound[other].get(stem)
            if theirs is None:
                continue  # a missing chapter is MISSING-TRANSLATION
            for name in sorted(set(names) - set(theirs), key=lambda n: names[n][1]):
                path, line = names[name]
                problems.append(f"MISSING-CLAIM: claim '{name}' is bound at {path.relative_to(root).as_posix()}:"
                                f"{line} ({lang}) and nowhere in chapters/{other}/{stem}.qmd")
    return problems


# --- verdicts -------------------------------------------------------------------------------------------

def _plain(q) -> str:
    if q.value is None:
        return "–"
    d = q.decimals if q.decimals is not None else 2
    text = f"{q.value:.{d}f}".rstrip("0").rstrip(".") if "." in f"{q.value:.{d}f}" else f"{q.value:.{d}f}"
    return f"{text} {q.unit}".strip()


def _evidence(verdict, lang: str) -> str:
    """The values a claim compares, as the edition prints them, and their data rows."""

    groups = []
    shown_rows = []
    for terms, relation in verdict.groups:
        if relation in (">", "<") and len(terms) > 2:  # a ranking: the first places and the next one
            named = set(verdict.predicate.rpartition("= ")[2].split(", "))
            last = max((i for i, t in enumerate(terms) if t.id in named), default=0)
            cut = min(len(terms), max(last + 2, 2))
            terms, more = terms[:cut], len(terms) > cut
        else:
            more = False
        texts = []
        for t in terms:
            shown_rows += t.quantity.origin
            q = t.quantity
            value = "–" if q.value is None else fmt.mark(fmt.quantity(q.value, q.unit, lang, q.decimals if q.decimals
                                                                     is not None else None), q.precision.sign)
            named = claims.label_of(t)
            label = _labels(named[0], lang).get(named[1], named[1]) if named else ""
            texts.append(f"{label} {value}".strip())
        if relation == ":":
            texts = [f"{texts[0]} : {texts[1]} = {texts[2]}"]
        joined = f" {relation} ".join(texts) + (f" {relation} …" if more else "")
        groups.append(joined)
    files: dict[str, tuple[list, dict]] = {}
    for r in dict.fromkeys(shown_rows):
        res = data.resource(r.dataset)
        files.setdefault(res["path"], ([], res.get("x-source", {})))[0].append((r.row, r.key))
    word = WORDS[lang][_WORD_OF[verdict.state]]
    values = "; ".join(groups)
    return f"{word}: {values}{'' if values.endswith('…') else '.'} {i18n.origin_note(files, lang)}".strip()


_WORD_OF = {claims.TRUE: "true", claims.FALSE: "false", claims.NOT_CHECKABLE: "open", claims.RESTATES: "restates",
            claims.UNDECIDED: "undecided"}


def state(v: dict) -> str:
    """A claim's verdict in words: true, false, not checkable, restates the source, undecided."""
    return v.get("state") or (claims.NOT_CHECKABLE if v["holds"] is None else (claims.TRUE if v["holds"] else claims.FALSE))


_LABELS: dict[tuple[str, str], dict[str, str]] = {}


def _labels(scheme: str, lang: str) -> dict[str, str]:

    if (scheme, lang) not in _LABELS:
        _LABELS[scheme, lang] = data.labels(scheme, lang, short=True)
    return _LABELS[scheme, lang]


def _evaluate_all(root: Path) -> dict[str, dict]:
    """Every claim's verdict; each kept with the data files it read (``ByReads``), so that a data edit evaluates
    again only the claims that read the edited file."""
    code = Key("claims").add("python", sys.version).libraries("pandas", "numpy", "pyyaml").package((".py",)) \
        .add("editions", config.langs(root)).hexdigest()
    each = ByReads(Store(root, "claims"), "each", code, paths.data_dir(root))
    out = {name: each.get(Key(name, chapter).hexdigest(), lambda: _evaluate(chapter, predicate))
           for name, (chapter, predicate) in sorted(claims.declared().items())}
    each.save()
    return out


def _evaluate(chapter: str, predicate) -> dict:
    _LABELS.clear()  # each claim reads the labels itself, so that its files read name them
    try:
        v = predicate.evaluate()
    except (KeyError, ValueError, TypeError, ZeroDivisionError, DataError) as err:
        return {"chapter": chapter, "error": f"{type(err).__name__}: {err}"}
    entry = {"chapter": chapter, "holds": v.holds, "state": v.state, "predicate": v.predicate, "reason": v.reason,
             "values": "; ".join(f"{claims.label_of(t)[1] + '=' if claims.label_of(t) else ''}{_plain(t.quantity)}"
                                 for t in v.terms),
             "rows": " ".join(f"{r.dataset}.csv:{r.row}" for r in v.rows)}
    entry["evidence"] = ({lang: WORDS[lang]["open"] for lang in config.langs()} if v.state == claims.NOT_CHECKABLE
                         else {lang: _evidence(v, lang) for lang in config.langs()})  # the declared editions
    if v.rows:  # the data files' own names (a resource's path may differ from its name)
        entry["rows"] = " ".join(f"{data.resource(r.dataset)['path']}:{r.row}" for r in v.rows)
    return entry


def _verdicts_key(root: Path) -> str:
    """What the verdicts depend on: the data files, the helper package's modules, Python and the libraries,
    and the declared editions (each gets its evidence in its words; an edit of the site's stylesheet or the Lua
    filter evaluates nothing again)."""
    return validate.data_and_modules(root, "claims").add("editions", config.langs(root)).hexdigest()


def verdicts(root: Path) -> dict[str, dict]:
    """Every claim of the book evaluated on the data; kept in ``.cache/claims/`` while the data and the
    helper package are unchanged (both editions at once: one evaluates, the other waits for its result)."""

    def evaluate() -> dict[str, dict]:
        os.environ["REPORT_ROOT"] = str(root)
        return _evaluate_all(root)

    return Store(root, "claims").compute(_verdicts_key(root), evaluate, slot="verdicts")


# --- one edition --------------------------------------------------------------------------------------

FIELDS = ["chapter", "line", "sentence", "claim", "predicate", "values", "rows", "holds", "reason"]


def _span(text: str, name: str, verdict: dict, lang: str) -> str:
    title = verdict["evidence"][lang].replace("\\", "\\\\").replace('"', '\\"')
    return (f'[{text}]{{.claim .claim-{_WORD_OF[state(verdict)]} title="{title}" data-claim="{name}" '
            f'data-rows="{verdict.get("rows", "")}"}}')


def _reader_text(sentence: str) -> str:
    text = MARKER.sub(lambda m: m.group("text"), sentence)
    text = re.sub(r"\^\[|\*+", "", text)
    return " ".join(text.replace("\u00a0", " ").split())


def check_edition(root: Path, lang: str, files: list[Path], pages: list,
                  table: dict[str, dict]) -> tuple[list[dict], list[str]]:
    """Give each claim marker of the pages its verdict (``page.markdown`` rewritten); returns the rows of
    ``claims.csv`` in reading order and the warnings (``FALSE-CLAIM``, ``UNCHECKED-CLAIM``).

    ``pages`` are the assembled chapters of ``files`` in the same order (``page.inline`` holds what each
    inline expression printed)."""

    rows, warnings, read = [], [], {}
    for path, page in zip(files, pages):
        where = path.resolve().relative_to(root.resolve()).as_posix()
        found = markers(path, root)
        for name, line, _ in found:
            if name not in table:
                close = difflib.get_close_matches(name, list(table), n=1)
                raise ClaimError(f"{where}:{line}: no claim '{name}' is declared in the facts modules"
                                 + (f" (did you mean '{close[0]}'?)" if close else ""))
            if "error" in table[name]:
                raise ClaimError(f"{where}:{line}: the claim '{name}' ({table[name]['chapter']}) cannot be "
                                 f"evaluated: {table[name]['error']}")
        printed = [inline_origin(str(v["text"]))["text"] for v in page.inline]
        read[path] = sentences(path, root)
        for s in read[path]:
            values = iter(printed[s.first_inline:])
            text = _reader_text(INLINE.sub(lambda m: next(values, m.group(0)), s.text))
            for name, line, _ in s.markers:
                v = table[name]
                holds = state(v)
                rows.append({"chapter": where, "line": line, "sentence": text, "claim": name,
                             "predicate": v["predicate"], "values": v["values"], "rows": v["rows"],
                             "holds": holds, "reason": v["reason"]})
                if v["holds"] is False:
                    warnings.append(f"FALSE-CLAIM at {where}:{line}: '{name}' ({v['predicate']}) does not hold "
                                    f"on the data: {v['values']} ({v['rows']})")
                elif holds == claims.UNDECIDED:
                    warnings.append(f"UNDECIDED-CLAIM at {where}:{line}: '{name}' ({v['predicate']}): {v['reason']}")
        page.markdown = _annotate(page.markdown, table, lang, where, len(found))
    warnings += unchecked(root, lang, files, read)
    return rows, warnings


def _annotate(markdown: str, table: dict, lang: str, where: str, expected: int) -> str:
    count = 0

    def one(m: re.Match) -> str:
        nonlocal count
        count += 1
        return _span(m.group("text"), m.group("name"), table[m.group("name")], lang)

    out = MARKER.sub(one, markdown)
    if count != expected:
        raise ClaimError(f"{where}: {expected} claim marker(s) in the chapter but {count} on its page "
                         "(a marker inside a code cell's output?)")
    return out


def write_csv(rows: list[dict], path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    return path


# --- report claims --------------------------------------------------------------------------------------

def report(root: Path, langs: tuple[str, ...], unchecked_only: bool = False) -> tuple[str, bool]:
    """What ``report claims`` prints, from the chapters and the data (no build needed), and whether the
    prose is clean: no false claim, no unbound comparative sentence, no claim one edition lacks."""
    lines, bad = [], 0
    table = {} if unchecked_only else verdicts(root)
    for lang in langs:
        files = chapter_files(root, lang)
        if not unchecked_only:
            counts = dict.fromkeys(claims.STATES, 0)
            for path in files:
                for name, line, phrase in markers(path, root):
                    where = path.resolve().relative_to(root.resolve()).as_posix()
                    v = table.get(name)
                    if v is None or "error" in v:
                        raise ClaimError(f"{where}:{line}: " + (f"no claim '{name}' is declared in the facts "
                                         "modules" if v is None else f"the claim '{name}' cannot be evaluated: "
                                         f"{v['error']}"))
                    verdict = state(v)
                    counts[verdict] += 1
                    detail = v["reason"] if v["holds"] is None else f"{v['predicate']}: {v['values']}"
                    mark = "FALSE-CLAIM " if v["holds"] is False else ""
                    lines.append(f"[{lang}] {mark}{where}:{line} {name} ({verdict}): \"{_short(phrase, 50)}\" – {detail}")
            bad += counts["false"]
            lines.append(f"[{lang}] {sum(counts.values())} claim(s): {summary(counts)}")
        found = unchecked(root, lang, files)
        bad += len(found)
        lines += [f"[{lang}] {w}" for w in found]
        lines.append(f"[{lang}] {len(found)} sentence(s) with a comparative word bound to no claim")
    missing = parity(root)
    bad += len(missing)
    lines += missing
    return "\n".join(lines), bad == 0


def summary(counts: dict[str, int]) -> str:
    """The count of each verdict: ``40 true, 0 false, 12 not checkable, 3 restates the source, 0 undecided``."""
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in claims.STATES)


def false_claims(root: Path, langs: tuple[str, ...]) -> list[str]:
    """``FALSE-CLAIM`` for every claim marker of the chapters' sources that the data contradicts: the same
    verdicts as a build's, without one (for an engine that gives no pages to check)."""
    table, out = verdicts(root), []
    for lang in langs:
        for path in chapter_files(root, lang):
            where = path.resolve().relative_to(root.resolve()).as_posix()
            for name, line, _ in markers(path, root):
                v = table.get(name) or {}
                if v.get("holds") is False:
                    out.append(f"FALSE-CLAIM at {where}:{line}: '{name}' ({v['predicate']}) does not hold "
                               f"on the data: {v['values']} ({v['rows']})")
    return out
