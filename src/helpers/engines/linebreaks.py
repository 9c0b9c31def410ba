"""Hyphenation points that shape the page but stay out of the PDF's text layer.

Typst (0.13 and later, as installed) has no Kazakh patterns, takes no user patterns and offers no way to attach
a break point, or an ``ActualText``, that is not a character of the text: a soft hyphen in the source is a
character of the PDF's text layer. With one at every permitted break of every Kazakh word, search, copy and
screen readers met "ба­ян­да­ма" instead of "баяндама" (13 414 soft hyphens in the Kazakh edition).

So a source with soft hyphens is typeset in passes (``typeset``):

1. with every break point (``helpers.lang.kk_hyphenation``); the lines that end in a hyphen are read back from
   the PDF (PDFium marks such a hyphen U+FFFE and joins the word, or keeps it as soft hyphens before the line
   end) and matched to their words in the source by the words around them;
2. a word broken on the last line of a page, which a typesetter avoids, loses that break point and pass 1 runs
   again;
3. the final pass keeps a soft hyphen only where a line was broken; every other one is removed. A paragraph's
   lines are chosen among its break points by their cost alone, so the breaks pass 1 chose stay the best among
   fewer and the lines come out the same; ``Report`` says how many breaks the final PDF has and how many soft
   hyphens remain inside its words (none, when every kept break was used). A kept point that the final lines
   do not use, or a break that comes to a page's foot, is removed in one more pass (``MAX_PASSES`` in all).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from helpers.core.cache import Key, Store

SOFT = "\u00ad"
LINE_END = "\ufffe"  # PDFium's mark of a hyphen that ends a line
MAX_PASSES = 6
FULL_PASSES = 2  # passes with every break point (the second without those that fell at a page's foot)
CONTEXT = 3  # words on each side that place a break in the source
WINDOW = 600  # source words after the last break placed, where the next one is looked for first
SOURCE_WORD = re.compile(r"[\w\u00ad]+")


@dataclass(frozen=True)
class Break:
    """A word broken at the end of a line: its letters, where, the words around it in reading order."""

    word: str
    offset: int
    before: tuple[str, ...]
    after: tuple[str, ...]
    page_end: bool = False  # the last line of a page: only the first part (``word``) is known


@dataclass
class Report:
    rounds: int = 0  # Typst passes
    breaks: int = 0  # hyphenated line ends in the final PDF
    page_end: int = 0  # of them on the last line of a page
    inside_words: int = 0  # soft hyphens left inside words of the final text layer
    points: int = 0  # break points of the first pass
    unmatched: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.breaks} hyphenated line ends of {self.points} break points, {self.inside_words} soft hyphens "
                f"inside words, {self.page_end} on the last line of a page ({self.rounds} Typst passes)")


def pdf_breaks(path: Path) -> tuple[list[Break], int]:
    """The hyphenated line ends of a PDF, with ``CONTEXT`` words on each side, and the number of soft
    hyphens inside the words of its text layer (a line-end hyphen is not one of them)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    tokens: list[str] = []
    inside = 0
    try:
        for page in doc:
            # PDFium writes a line-end hyphen as U+FFFE and joins the word, or as soft hyphens before the line end
            text = re.sub(SOFT + r"+(\r?\n|$)", LINE_END, page.get_textpage().get_text_range())
            inside += text.count(SOFT)
            # a line-end hyphen before no letter ends the page's last line (a footnote's number or the folio follow)
            text = re.sub(LINE_END + r"(?=[\W\d_]|$)", LINE_END + "\n ", text)
            tokens += re.findall(r"[\w\u00ad\ufffe]+\n?", text)
    finally:
        doc.close()
    plain = [t.replace(SOFT, "").replace(LINE_END, "").rstrip("\n") for t in tokens]
    out = []
    for i, token in enumerate(tokens):
        if LINE_END not in token:
            continue
        bare = token.replace(SOFT, "")
        before, after = tuple(plain[max(0, i - CONTEXT):i]), tuple(plain[i + 1:i + 1 + CONTEXT])
        if token.endswith("\n"):
            out.append(Break(plain[i], len(plain[i]), before, (), page_end=True))
        else:
            out.append(Break(plain[i], bare.index(LINE_END), before, after))
    return out, inside


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    plain: str
    offsets: tuple[int, ...]  # where its soft hyphens are, in ``plain``


@lru_cache(maxsize=2)  # every pass matches and rewrites the same source: its words are found once
def _source_words(text: str) -> tuple[_Word, ...]:
    words = []
    for m in SOURCE_WORD.finditer(text):
        token, offsets, n = m.group(0), [], 0
        for ch in token:
            if ch == SOFT:
                offsets.append(n)
            else:
                n += 1
        words.append(_Word(m.start(), m.end(), token.replace(SOFT, ""), tuple(offsets)))
    return tuple(words)


def match(breaks: list[Break], text: str) -> list[tuple[int, int] | None]:
    """The source's (word index, offset) of each break, by the word and the words around it (``None``: found
    nowhere). Of equally good places, the first after the previous match (the pages keep the source's order)."""
    words = _source_words(text)
    by_plain: dict[str, list[int]] = {}
    for j, w in enumerate(words):
        if w.offsets:
            by_plain.setdefault(w.plain, []).append(j)
    found: list[tuple[int, int] | None] = []
    cursor = 0
    for brk in breaks:
        if brk.page_end:
            cands = [j for plain, js in by_plain.items() if plain.startswith(brk.word) for j in js
                     if brk.offset in words[j].offsets]
        else:
            cands = [j for j in by_plain.get(brk.word, []) if brk.offset in words[j].offsets]
        if not cands:
            found.append(None)
            continue

        def score(j: int) -> int:
            near = [words[k].plain for k in range(j - len(brk.before), j) if k >= 0]
            after = [words[k].plain for k in range(j + 1, j + 1 + len(brk.after)) if k < len(words)]
            return (sum(a == b for a, b in zip(reversed(near), reversed(brk.before)))
                    + sum(a == b for a, b in zip(after, brk.after)))

        j = _pick(cands, score, cursor)
        cursor = j
        found.append((j, brk.offset))
    return found


def _pick(cands: list[int], score: Callable[[int], int], cursor: int) -> int:
    """The best-scored candidate a little after the cursor (the pages follow the source), else anywhere (a
    float or a footnote set elsewhere than the source has it); of equal ones, the nearest after the cursor."""
    near = [j for j in cands if cursor <= j <= cursor + WINDOW]
    if near and max(map(score, near)) >= 2:
        cands = near
    best = max(map(score, cands))
    return min((j for j in cands if score(j) == best), key=lambda j: (j < cursor, abs(j - cursor)))


def rewrite(text: str, keep: set[tuple[int, int]] | None = None, drop: set[tuple[int, int]] = frozenset()) -> str:
    """The source with the soft hyphens of ``keep`` only (all when ``None``), none of ``drop``."""
    out, last = [], 0
    for j, w in enumerate(_source_words(text)):
        if not w.offsets:
            continue
        token = "".join(ch + (SOFT if (n + 1) in w.offsets and (keep is None or (j, n + 1) in keep)
                                   and (j, n + 1) not in drop else "") for n, ch in enumerate(w.plain))
        out += [text[last:w.start], token]
        last = w.end
    out.append(text[last:])
    return "".join(out)


def typeset(compile_to: Callable[[Path], list], typ: Path, dest: Path,
            parts: list[tuple[int, int]] = (), known: Callable[[str], list | None] = lambda key: None,
            ) -> tuple[list, Report, dict[str, list]]:
    """Typeset ``typ`` into ``dest`` with soft hyphens only where lines break (see the module's text); ``typ``
    is left as the final source (the print file is typeset from it). Returns Typst's warnings, the figures and
    what ``known`` may answer next time.

    ``parts`` are the chapters' spans in the source. Each chapter opens a page of its own and its lines do not
    depend on the others', so the breaks it kept in a book set before are its breaks again: ``known`` gives
    them by the chapter's text (its key, ``part_key``), and such a chapter starts from them instead of from all
    its points, which saves the passes that found them. Every pass checks them: a chapter whose kept breaks are
    not all used, or one of which falls at a page's foot, sets the whole book again from all its points. The
    returned entries (the chapters' keys and kept breaks) are those of a book that came to rest, not one cut
    short by ``MAX_PASSES``."""
    source = typ.read_text(encoding="utf-8")
    report = Report(points=source.count(SOFT))
    chapters = _Chapters(source, parts)
    # per part (the chapters, then the rest): the break points kept; None: every one
    keep = {c: chapters.globalise(c, known(key)) for c, key in enumerate(chapters.keys)}
    keep[len(parts)] = None if chapters.of(len(parts)) else set()
    trusted = {c for c, kept in keep.items() if kept is not None}  # as remembered, checked by every pass
    drop: set[tuple[int, int]] = set()  # breaks that fell on the last line of a page
    rounds, rested = 0, False
    while True:
        typ.write_text(rewrite(source, keep=chapters.points(keep) - drop), encoding="utf-8")
        notes = compile_to(dest)
        report.rounds += 1
        rounds += 1
        breaks, report.inside_words = pdf_breaks(dest)
        if not report.points:
            rested = True
            break
        places = match(breaks, source)
        used = {loc for loc in places if loc}
        ends = {loc for loc, brk in zip(places, breaks) if brk.page_end and loc}
        if any(ends & chapters.of(c) or not keep[c] <= used for c in trusted):
            # the remembered breaks do not hold in this book: from the start, every chapter with all its points
            keep, trusted, drop, rounds = {c: None for c in keep}, set(), set(), 0
            continue
        settled = all(kept is not None for kept in keep.values())
        if not ends and settled and all(kept <= used for kept in keep.values()):
            rested = True
            break
        if rounds == MAX_PASSES:
            break
        drop |= ends
        # a break at a page's foot is set again with all the paragraph's points; a kept point a line did not use
        # (the page came out otherwise) is removed
        again = ends and rounds < FULL_PASSES
        for c, kept in keep.items():
            mine = chapters.of(c)
            keep[c] = None if kept is None and again else ((used if kept is None else kept & used) & mine) - drop
    report.breaks, report.page_end = len(breaks), sum(b.page_end for b in breaks)
    report.unmatched = [f"{b.word}|{b.offset}" for loc, b in zip(places, breaks) if loc is None] if report.points else []
    learned = {key: chapters.localise(c, keep[c]) for c, key in enumerate(chapters.keys)} if rested else {}
    _source_words.cache_clear()  # the book's words are not kept beyond its typesetting
    return notes, report, learned


def part_key(text: str) -> str:
    """A chapter's key among the remembered breaks: its text with all its break points."""
    return hashlib.sha256(text.encode()).hexdigest()


class _Chapters:
    """The source's break points by chapter (``parts``: spans in the source); the text outside them (the title
    pages, the contents) is one more part, never remembered."""

    def __init__(self, source: str, parts: list[tuple[int, int]]):
        words = _source_words(source)
        starts = [w.start for w in words]
        self.keys = [part_key(source[a:b]) for a, b in parts]
        self.first = [bisect.bisect_left(starts, a) for a, _ in parts]
        self.sets: list[set[tuple[int, int]]] = [set() for _ in range(len(parts) + 1)]
        opens = [a for a, _ in parts]
        for j, w in enumerate(words):
            c = bisect.bisect_right(opens, w.start) - 1
            part = c if c >= 0 and w.start < parts[c][1] else len(parts)
            self.sets[part].update((j, n) for n in w.offsets)

    def of(self, c: int) -> set[tuple[int, int]]:
        return self.sets[c]

    def points(self, keep: dict[int, set | None]) -> set[tuple[int, int]]:
        out: set[tuple[int, int]] = set()
        for c, points in enumerate(self.sets):
            kept = keep.get(c)
            out |= points if kept is None else kept
        return out

    def globalise(self, c: int, local: list | None) -> set[tuple[int, int]] | None:
        """Remembered breaks (chapter-local word numbers) as places in the source; None when there are none, or
        when one is not a break point of the chapter (a remembered entry that does not fit)."""
        if local is None or c >= len(self.keys):
            return None
        places = {(self.first[c] + j, n) for j, n in local}
        return places if places <= self.sets[c] else None

    def localise(self, c: int, kept: set[tuple[int, int]] | None) -> list:
        return sorted([j - self.first[c], n] for j, n in (kept or ()))


class Memory:
    """The chapters' kept breaks between builds (``.cache/linebreaks/<lang>``): each entry keyed by ``layout``
    (what a chapter's lines depend on besides its text: the template, Typst, the fonts) and the chapter's
    text. After a successful build, ``forget_others`` keeps only the entries it used."""

    def __init__(self, store: Store, layout: str):
        self.store, self.layout, self.used = store, layout, set()

    def _key(self, part: str) -> str:
        key = Key("linebreaks", self.layout, part).hexdigest()
        self.used.add(key)
        return key

    def known(self, part: str) -> list | None:
        value = self.store.get(self._key(part))
        return value if isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 for v in value) else None

    def learn(self, learned: dict[str, list]) -> None:
        for part, kept in learned.items():
            self.store.put(self._key(part), kept)

    def forget_others(self) -> None:
        self.store.keep_only(self.used)
