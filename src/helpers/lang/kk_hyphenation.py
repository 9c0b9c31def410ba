"""Kazakh hyphenation: break points by syllables, written into the print edition as soft hyphens (U+00AD).

Typst has no Kazakh patterns, so the Kazakh edition marks its own break points. A Kazakh syllable has one vowel;
between two vowels one consonant goes to the next syllable (V-CV: ба-ла), of two the second does (VC-CV:
мек-теп), of three or more the last does (VCC-CV: ми-нистр-лі-гі); a loan word's obstruent before "р" goes
with it (диа-грам-ма); two vowels side by side are not split. "У" after a vowel is the consonant [w]
(а-уыл, та-уы), ь and ъ stay with the consonant before them. No part shorter than two letters is left on a line.
Abbreviations (all capitals), numbers, ids, file names, addresses and words in Latin letters are not touched.
A word before a full stop, a colon or other closing punctuation is hyphenated like any other. A compound with a
hard hyphen ("іс-қимыл", "материалдық-техникалық") gets no break points: a line may end only at its own hyphen
(where the template allows one), never inside one of its parts, which Typst would set without a visible hyphen.
"""

from __future__ import annotations

import json
import re
import sys

SOFT_HYPHEN = "\u00ad"
VOWELS = set("аәеёиоөуұүыіэюя")
SIGNS = set("ьъ")
OBSTRUENTS = set("бвгдкпстфхқ")
MIN_WORD, MIN_LEFT, MIN_RIGHT = 5, 2, 2

CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһіА-ЯЁӘҒҚҢӨҰҮҺІ]+")
# a token with any of these is an id, a file name, an address or a number with letters: left alone
NOT_PROSE = re.compile(r"[0-9A-Za-z_/\\@.:=#]")
# punctuation around a word, which says nothing about the word itself ("дайындалды.", "сипаттайды:", "(іс")
OUTER_PUNCTUATION = re.compile(r"^[(«\"'\[]*|[.,:;!?…)»\"'\]]*$")
HYPHENS = "-\u2010\u2011"


def _is_vowel(word: str, i: int) -> bool:
    ch = word[i].lower()
    if ch == "у" and i > 0 and word[i - 1].lower() in VOWELS:
        return False  # [w]: "ауыл", "тау"
    return ch in VOWELS


def syllables(word: str) -> list[str]:
    """``"мемлекеттік"`` -> ``["мем", "ле", "кет", "тік"]``."""
    nuclei = [i for i in range(len(word)) if _is_vowel(word, i)]
    if len(nuclei) < 2:
        return [word]
    cuts = []
    for a, b in zip(nuclei, nuclei[1:]):
        between = [i for i in range(a + 1, b) if word[i].lower() not in SIGNS]
        cut = b if not between else between[-1]  # the last consonant opens the next syllable
        if len(between) >= 2 and word[cut].lower() == "р" and word[between[-2]].lower() in OBSTRUENTS:
            cut = between[-2]  # a loan word's "гр", "тр", "пр" stays together: диа-грам-ма, про-грам-ма
        cuts.append(cut)
    parts, start = [], 0
    for cut in cuts:
        parts.append(word[start:cut])
        start = cut
    parts.append(word[start:])
    return parts


def hyphenate_word(word: str, mark: str = SOFT_HYPHEN) -> str:
    """A word with ``mark`` at every permitted break: ``"ұйымдастыру"`` -> ``"ұйым­дас­ты­ру"``."""
    if len(word) < MIN_WORD or word.isupper() or not CYRILLIC_WORD.fullmatch(word):
        return word
    parts = syllables(word)
    out, pos = parts[0], len(parts[0])
    for part in parts[1:]:
        left_ok, right_ok = pos >= MIN_LEFT, len(word) - pos >= MIN_RIGHT
        # "диа-": no break between two vowels ("я", "ю", "ё" begin with [j]: ба-ян)
        hiatus = _is_vowel(word, pos - 1) and _is_vowel(word, pos) and word[pos].lower() not in "яюё"
        out += (mark if left_ok and right_ok and not hiatus else "") + part
        pos += len(part)
    return out


def _hyphenate_token(token: str, mark: str, word=hyphenate_word) -> str:
    if NOT_PROSE.search(OUTER_PUNCTUATION.sub("", token)) or any(h in token for h in HYPHENS):
        return token  # an id, a file name, an address, a number, an abbreviation with a dot; a compound
    return CYRILLIC_WORD.sub(lambda w: word(w.group(0), mark), token)


def hyphenate_text(text: str, mark: str = SOFT_HYPHEN, word=hyphenate_word) -> str:
    """Break points in the Kazakh words of a run of text; any token that is not plain prose is left as it is.
    ``word(word, mark)`` marks one word (another language's rules: ``typography.print_word``)."""
    return re.sub(r"\S+", lambda m: _hyphenate_token(m.group(0), mark, word), text)


# --- the pandoc filter of the Kazakh print edition ------------------------------------------------------------

# Italic and bold text and the source lines (small italic, set ragged) get no break points: a font's hyphen glyph
# is named in the PDF's text layer by its first use, and a running header's or a heading's hard hyphen must not
# be read as a soft one ("материально­техническое")
SKIP = {"Code", "CodeBlock", "RawInline", "RawBlock", "Math", "Link", "Image", "Header", "Table", "Cite", "Emph",
        "Strong"}
NOTE_START = "#source-line["  # the print filter's raw block that opens a source line or a gap note


def _walk(node, word):
    if isinstance(node, list):
        in_note = False
        for child in node:
            if isinstance(child, dict) and child.get("t") == "RawBlock":
                in_note = child["c"][1].startswith(NOTE_START) or (in_note and child["c"][1].strip() != "]")
                continue
            if not in_note:
                _walk(child, word)
    elif isinstance(node, dict):
        kind = node.get("t")
        if kind in SKIP:
            return
        if kind == "Str":
            node["c"] = hyphenate_text(node["c"], word=word)
            return
        if kind in ("Div", "Span"):
            attrs = node["c"][0]
            if attrs[0] or "num" in attrs[1]:
                return  # a float (its caption is not hyphenated) or a traced number
            _walk(node["c"][1], word)
            return
        if "c" in node:
            _walk(node["c"], word)


def filter_document(doc: dict, word=hyphenate_word) -> dict:
    """Soft hyphens in the prose of a pandoc document (its JSON form): paragraphs, lists, notes and quotes."""
    _walk(doc["blocks"], word)
    return doc


def main(word=hyphenate_word) -> None:
    """A pandoc JSON filter: ``pandoc --filter`` runs it with the output format as its argument."""
    doc = json.load(sys.stdin)
    json.dump(filter_document(doc, word), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
