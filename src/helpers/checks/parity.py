"""The editions say the same: the same chapters, and per chapter the same skeleton in every language.

The sentences differ; what a reader can check across the editions must not: footnotes, the notes and gap notes
the cells print (the cells' code, with the edition's language taken out), references to floats and sections,
the floats and headings' ids, and the inline numbers (a Kazakh case ending ``.kk("ға")`` or a Russian noun form is not a difference, nor is a range ``a.to(b)``
written as two numbers). The terms of the glossary (``data/glossary.csv``) go in pairs: a chapter that uses a term
(or its abbreviation) in one edition uses its pair in the other, so that a term fixed in one edition only is found
(``EDITIONS-DIFFER``, like the rest). A term is found in any of its forms: each word by its stem, in order.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from helpers.checks import glossary
from helpers.core import config
from helpers.core.errors import BuildError
from helpers.core.qmd import INLINE

FOOTNOTE = re.compile(r"\^\[|\[\^[^\]]+\](?!:)")
REFERENCE = re.compile(r"@((?:fig|tbl|dgm|map|sec|eq)-[\w-]+)")
ID = re.compile(r"\{#([\w-]+)")
KK_ENDING = re.compile(r"""\.(?:kk|ru|en)\([^)]*\)""")  # a case ending or a noun form
RANGE = re.compile(r"(.+)\.to\((.+)\)")
LANG_LITERAL = re.compile(r"""(["'])(kk|ru|en)\1""")
STRING = re.compile(r""""[^"]*"|'[^']*'""")
# a string in words (a caption, a noun form): one with a space, a capital or a letter outside ASCII; an id
# ("t01_registered_ngos", "kz") is code and is compared
IN_WORDS = re.compile(r"[\sA-Z\u00c0-\u04ff]")


def _words(code: str) -> list[str]:
    """The strings in words of a line of code."""
    return [m.group(0)[1:-1] for m in STRING.finditer(code) if IN_WORDS.search(m.group(0))]


def _without_words(code: str) -> str:
    return STRING.sub(lambda m: '"…"' if IN_WORDS.search(m.group(0)) else m.group(0), code)
OPTION_TEXT = ("fig-alt", "fig-cap", "tbl-cap")


def skeleton(path: Path) -> dict[str, Counter]:
    """What one chapter file contains besides its sentences."""
    text = path.read_text(encoding="utf-8")
    parts: dict[str, Counter] = {k: Counter() for k in ("footnotes", "cells", "references", "ids", "inline")}
    in_code, code = False, []
    for line in text.splitlines():
        if line.startswith("```"):
            if in_code:
                parts["cells"]["\n".join(code)] += 1
                code = []
            in_code = not in_code
            continue
        if in_code:
            if line.startswith("#|") and line[2:].strip().split(":")[0] in OPTION_TEXT:
                continue  # captions and alt texts are sentences
            code.append(_without_words(LANG_LITERAL.sub(r"\1LANG\1", line.rstrip())))
            continue
        parts["footnotes"]["footnote"] += len(FOOTNOTE.findall(line))
        parts["references"].update(REFERENCE.findall(line))
        parts["ids"].update(ID.findall(line))
        for m in INLINE.finditer(line):
            expr = KK_ENDING.sub("", m.group(1).strip())
            bounds = RANGE.fullmatch(expr)  # a range counts as its two numbers
            parts["inline"].update(bounds.groups() if bounds else [expr])
    return parts


LABELS = {"footnotes": "footnotes", "cells": "cells (tables, charts, notes, gap notes)",
          "references": "cross-references", "ids": "floats and headings", "inline": "inline expressions"}


def check(root: Path, folder: Path | None = None) -> list[str]:
    """Differences between the editions, chapter by chapter: each declared edition against the first (empty:
    all editions have the same skeleton and the same terms)."""
    first, *others = config.langs(root)
    return [line for other in others for kind in (skeletons, terms) for name in pairs(root, first, other)
            for line in kind(root, first, other, name, folder)]


def pairs(root: Path, a: str, b: str) -> list[str]:
    """The chapter files (names) both editions have."""
    return [path.name for path in sorted((root / "chapters" / a).glob("*.qmd"))
            if (root / "chapters" / b / path.name).exists()]  # a missing translation is reported on its own


def _stem(word: str) -> str:
    """The part of a word its inflected forms share: a final vowel (Russian endings, a Kazakh possessive) is left
    off, and of a long word its last three letters (Russian case endings, a Kazakh case suffix or the voiced
    form of a final consonant: "Республикасының" ~ "Республикасы", "бірлестік" ~ "бірлестігі")."""
    stem = word.lower()
    while len(stem) > 3 and stem[-1] in "аеёиоуыэюяйьіүұөә":
        stem = stem[:-1]
    return stem[:max(4, len(word) - 3)] if len(word) > 6 else stem


def _word_forms(word: str) -> str:
    """A word of a term in any of its forms: a Cyrillic word by its stem, an English one with its plural
    ("body", "bodies"; "dataset", never "data")."""
    if not word.isascii():
        return re.escape(_stem(word)) + r"\w*"
    if word.endswith("y") and len(word) > 2:
        return re.escape(word[:-1]) + r"(?:y|ies)"
    return re.escape(word) + r"(?:s|es)?"


def term_pattern(term: str, abbr: str | None = None) -> re.Pattern:
    """A term in any of its forms (each word in its forms, in order), or its abbreviation with any ending."""
    words = [_word_forms(w) + r"(?!\w)" if w.isascii() else _word_forms(w) for w in re.findall(r"\w+", term)]
    # an abbreviation with any ending: ҮЕҰ-ның, НПО, NGOs
    forms = [r"[\s\u00a0()-]+".join(words)] + ([re.escape(abbr) + r"(?:s|’s)?(?![\w])"] if abbr else [])
    return re.compile(r"(?<!\w)(?:" + "|".join(forms) + ")", re.IGNORECASE)


def _prose(path: Path) -> str:
    """A chapter's prose and captions, with the words its inline expressions print (``.ru("наборе", ...)``)."""
    text = " ".join(line for _, line in glossary.prose_lines(path, inline=True))
    def printed(expr: str) -> str:
        forms = [m.group(0)[1:-1] for call in KK_ENDING.finditer(expr) for m in STRING.finditer(call.group(0))]
        return " ".join(forms + _words(KK_ENDING.sub("", expr))) or " "
    return INLINE.sub(lambda m: printed(m.group(1)), text)


def terms(root: Path, a: str, b: str, name: str, folder: Path | None = None) -> list[str]:
    """A glossary term used in chapter ``name`` of one edition whose pair the same chapter of the other never
    uses."""
    folder = folder or root / "data"
    try:
        rows = glossary.table(folder)
    except Exception:  # noqa: BLE001 - a book without a glossary has no pairs to check
        return []
    pairs = []
    for i, row in rows.iterrows():
        terms = [row.get(x) for x in (a, b)]
        # a term of whole words (not "т.б."): a few letters alone would be found inside other words
        if all(isinstance(t, str) and "." not in t and re.search(r"\w{4}", t) for t in terms):
            abbrs = [row.get(f"{x}_abbr") if isinstance(row.get(f"{x}_abbr"), str) else None for x in (a, b)]
            pairs.append((int(i) + 2, terms, [term_pattern(t, ab) for t, ab in zip(terms, abbrs)]))
    out = []
    texts = [_prose(root / "chapters" / x / name) for x in (a, b)]
    for line, terms, patterns in pairs:
        has = [bool(pat.search(text)) for pat, text in zip(patterns, texts)]
        if has[0] != has[1]:
            lang, other = (a, b) if has[0] else (b, a)
            term, pair = (terms[0], terms[1]) if has[0] else (terms[1], terms[0])
            out.append(f"EDITIONS-DIFFER in chapters/{a}|{b}/{name}: the term «{term}» is used in {lang} "
                       f"and its pair «{pair}» nowhere in {other} (data/glossary.csv, line {line})")
    return out


def skeletons(root: Path, a: str, b: str, name: str, folder: Path | None = None) -> list[str]:
    """What chapter ``name`` of the two editions contains besides its sentences, where it differs."""
    out = []
    sa, sb = (skeleton(root / "chapters" / x / name) for x in (a, b))
    for part, label in LABELS.items():
        only_a, only_b = sa[part] - sb[part], sb[part] - sa[part]
        if not (only_a or only_b):
            continue
        detail = []
        for lang, only in ((a, only_a), (b, only_b)):
            if only:
                items = [f"{k} (×{n})" if n > 1 else k for k, n in only.items()]
                detail.append(f"only in {lang}: " + "; ".join(i.replace("\n", " ")[:80] for i in items[:5]))
        out.append(f"EDITIONS-DIFFER in chapters/{a}|{b}/{name}: {label} – " + ", ".join(detail))
    return out


def untranslated(root: Path) -> list[str]:
    """Chapters that one edition has and another lacks: in the profiles, or as files on disk."""
    problems = []
    stems: dict[str, dict[str, Path]] = {}
    for lang in config.langs(root):
        try:
            book = config.load(root, lang)
        except BuildError:
            continue  # reported by the build of that edition
        stems[lang] = {p.stem: p for p in book.files}
    for lang, own in stems.items():
        for other, theirs in stems.items():
            for stem in sorted(set(own) - set(theirs)):
                counterpart = root / "chapters" / other / f"{stem}.qmd"
                where = (f"{counterpart.relative_to(root)} exists but is not in _quarto-{other}.yml"
                         if counterpart.exists() else f"there is no {counterpart.relative_to(root)}")
                problems.append(f"MISSING-TRANSLATION: {own[stem].relative_to(root)} is in the {lang} edition "
                                f"only ({where})")
    return problems
