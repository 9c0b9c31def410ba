"""Typographic ties of both editions, applied to a page's Markdown before pandoc (for the web and for print).

- a no-break space before a spaced dash, so that a line never starts with "–";
- "№" tied to its number ("№ 154");
- a number tied to the unit or the year word after it ("2001 жылы", "2013 года", "18,7 процентного пункта",
  "5,7 млрд"), and to the preposition before it ("до 8"), so that a line never parts them;
- Russian: a no-break space after a one-letter preposition or conjunction (в, с, к, у, о, и, а, я), so that it
  never hangs at the end of a line, and inside "т. д.", "т. п.".

``hyphenated`` breaks a short label (a region's name on a map) over two lines at a syllable: Kazakh by
``kk_hyphenation``, Russian by the LibreOffice patterns of pyphen; English names are not hyphenated.
"""

from __future__ import annotations

import re

from helpers.lang.kk_hyphenation import hyphenate_word

NBSP = "\u00a0"
DASH = re.compile(r"(?<=[^\s|])[ \n]+([–—])(?=[ \n])")
NUMBER_SIGN = re.compile(r"№[ \n]+(?=\d)")
RU_ONE_LETTER = re.compile(r"(?<![\w\u00a0\-–.])([вВсСкКуУоОиИаАяЯ])[ \n]+(?=[\w«(\[\"])")
RU_ABBREVIATIONS = re.compile(r"\bт\.[ \n]+([дп])\.")
# a number (in prose a traced span: "[2001]{.num ...}") and the unit word after it
NUMBER_END = r"(\d%?(?:\]\{[^{}\n]*\})?)"
UNIT = re.compile(NUMBER_END + r"[ \n]+(?=(?:жыл|жж\.|ж\.|год|гг?\.|процент|пайыз|млн|млрд|тыс\.|миллион|миллиард)"
                  r"|(?:пункт|балл)\w*)", re.IGNORECASE)
NUMBER_AFTER = re.compile(r"(?<![\w\u00a0])(до|от|по|на|из|за|около)[ \n]+(?=\[?\d)", re.IGNORECASE)


def apply(markdown: str, lang: str) -> str:
    text = DASH.sub(NBSP + r"\1", markdown)
    text = NUMBER_SIGN.sub("№" + NBSP, text)
    text = UNIT.sub(r"\1" + NBSP, text)
    if lang == "ru":
        text = RU_ONE_LETTER.sub(r"\1" + NBSP, text)
        text = RU_ABBREVIATIONS.sub("т." + NBSP + r"\1.", text)
        text = NUMBER_AFTER.sub(r"\1" + NBSP, text)
    return text


PYPHEN = {"ru": "ru_RU"}  # pyphen's (LibreOffice's) patterns of the editions that bring their own break points


def own_break_points(lang: str) -> bool:
    """Whether the edition brings its own break points (Kazakh by its syllables, which Typst has no patterns for;
    Russian by pyphen's, set the same way): as soft hyphens in print, and for the maps' labels. English is
    hyphenated by Typst's own patterns, and its labels, proper names, not at all."""
    return lang == "kk" or lang in PYPHEN


def print_word(lang: str):
    """The print edition's break points of one word, as a function ``(word, mark) -> word with marks``: Kazakh
    by its syllables (``kk_hyphenation``), Russian by the LibreOffice patterns of pyphen (no part shorter than
    two letters, no word shorter than five)."""
    if lang == "kk":
        return hyphenate_word
    import pyphen

    patterns = pyphen.Pyphen(lang=PYPHEN[lang], left=2, right=2)

    def word(text: str, mark: str) -> str:
        return text if len(text) < 5 or text.isupper() else patterns.inserted(text, hyphen=mark)
    return word


def break_points(word: str, lang: str) -> list[int]:
    """Where ``word`` may be hyphenated (positions of the breaks)."""
    if lang == "kk":

        marked, out = hyphenate_word(word, "\x00"), []
        for part in marked.split("\x00")[:-1]:
            out.append((out[-1] if out else 0) + len(part))
        return out
    import pyphen

    return pyphen.Pyphen(lang=PYPHEN[lang]).positions(word)


def hyphenated(label: str, lang: str) -> list[str]:
    """Two-line forms of a label broken inside a word with a hyphen, the most even first: "Туркестан-\nская".
    None in English, which does not hyphenate proper names (a label too wide is set smaller instead)."""
    if not own_break_points(lang):
        return []
    words, forms = label.split(" "), []
    for i, word in enumerate(words):
        for cut in break_points(word, lang):
            if "-" in word[cut - 1:cut + 1]:
                continue  # at a hyphen already: the line break is there without a second one
            first, second = " ".join(words[:i] + [word[:cut] + "-"]), " ".join([word[cut:]] + words[i + 1:])
            forms.append((abs(len(first) - len(second)), f"{first}\n{second}"))
    return [form for _, form in sorted(forms)]
