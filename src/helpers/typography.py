"""Typographic ties of both editions, applied to a page's Markdown before pandoc (for the web and for print).

- a no-break space before a spaced dash, so that a line never starts with "–";
- "№" tied to its number ("№ 154");
- Russian: a no-break space after a one-letter preposition or conjunction (в, с, к, у, о, и, а, я), so that it
  never hangs at the end of a line, and inside "т. д.", "т. п.".
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
DASH = re.compile(r"(?<=[^\s|])[ \n]+([–—])(?=[ \n])")
NUMBER_SIGN = re.compile(r"№[ \n]+(?=\d)")
RU_ONE_LETTER = re.compile(r"(?<![\w\u00a0\-–.])([вВсСкКуУоОиИаАяЯ])[ \n]+(?=[\w«(\[\"])")
RU_ABBREVIATIONS = re.compile(r"\bт\.[ \n]+([дп])\.")


def apply(markdown: str, lang: str) -> str:
    text = DASH.sub(NBSP + r"\1", markdown)
    text = NUMBER_SIGN.sub("№" + NBSP, text)
    if lang == "ru":
        text = RU_ONE_LETTER.sub(r"\1" + NBSP, text)
        text = RU_ABBREVIATIONS.sub("т." + NBSP + r"\1.", text)
    return text
