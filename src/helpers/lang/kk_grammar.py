"""Kazakh case endings after numbers, chosen from the number's Kazakh reading.

A Kazakh ending follows the last word one says: ``17 988`` is read "он жеті мың тоғыз жүз сексен сегіз", so it
takes the endings of "сегіз" (``17 988‑ге``); ``48,1%`` is read "... пайыз" (``48,1%‑ы``). Authors write an ending
in any of its forms (``"ға"``, ``"ге"``, ``"ын"``, ``"ынан"``); :func:`attach` re-spells it by vowel harmony
(back/front) and consonant assimilation for the given number and joins it with a non-breaking hyphen (U+2011),
so a line never breaks between a number and its ending. An ending after a unit word (``6,4 млн теңге``) is
written on the word itself (``теңгеге``).
"""

from __future__ import annotations

import re
import string

NB_HYPHEN = "\u2011"

UNITS = ["нөл", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз"]
TENS = ["", "он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан"]
SCALES = [(10**9, "миллиард"), (10**6, "миллион"), (1000, "мың")]
ABBREVIATIONS = {"млн": "миллион", "млрд": "миллиард", "мың": "мың", "%": "пайыз"}

BACK_VOWELS = set("аоұыяё")
FRONT_VOWELS = set("әеөүіэи")
VOWELS = BACK_VOWELS | FRONT_VOWELS | {"у", "ю"}
VOICELESS = set("кқпстфхцчшщбвгд")  # б, в, г, д are devoiced at the end of a word
NASALS = set("мнң")
SONORANTS = set("лрйу")

# The morphemes an ending is made of, each spelled in all its forms (back forms first).
POSSESSIVE = ("ы", "і", "сы", "сі")
PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
CASES = {
    "genitive": ("ның", "нің", "дың", "дің", "тың", "тің"),
    "dative": ("ға", "ге", "қа", "ке", "на", "не"),
    "accusative": ("ны", "ні", "ды", "ді", "ты", "ті", "н"),
    "locative": ("нда", "нде", "да", "де", "та", "те"),
    "ablative": ("нан", "нен", "дан", "ден", "тан", "тен"),
    "instrumental": ("мен", "бен", "пен"),
}
CASE_NAMES = ("nominative", *CASES)


def reading(text: str) -> str:
    """The Kazakh reading of a printed number: ``"48,1%"`` -> ``"қырық сегіз бүтін оннан бір пайыз"``."""
    t = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    t = re.sub(r"^[\d ,]+%?–", "", t)  # a range "12–15%" is read, and takes its ending, from its upper end
    m = re.fullmatch(r"([−-]?)([\d ]+)(?:,(\d+))?\s*(%|млн|млрд|мың)?(?:\s+(\S.*))?", t)
    if not m:
        raise ValueError(f"not a printed number: {text!r}")
    sign, whole, frac, abbr, words = m.groups()
    parts = ["минус"] if sign else []
    parts.append(integer_reading(int(whole.replace(" ", ""))))
    if frac:
        denominator = integer_reading(10 ** len(frac)).removeprefix("бір ")
        parts += ["бүтін", _ablative(denominator), integer_reading(int(frac))]
    if abbr:
        parts.append(ABBREVIATIONS[abbr])
    if words:
        parts.append(words)
    return " ".join(parts)


def _ablative(word: str) -> str:
    last = word.split()[-1]
    return word + _ablative_suffix(last)


def _ablative_suffix(word: str) -> str:
    return _spell("ablative", word, after_possessive=False)


def integer_reading(n: int) -> str:
    if n == 0:
        return UNITS[0]
    words: list[str] = []
    for scale, name in SCALES:
        if n >= scale:
            words += [integer_reading(n // scale), name] if n // scale > 1 or scale > 1000 else [name]
            n %= scale
    if n >= 100:
        words += ([UNITS[n // 100]] if n // 100 > 1 else []) + ["жүз"]
        n %= 100
    if n >= 10:
        words.append(TENS[n // 10])
        n %= 10
    if n:
        words.append(UNITS[n])
    return " ".join(words)


def _is_back(word: str) -> bool:
    for ch in reversed(word.lower()):
        if ch in BACK_VOWELS:
            return True
        if ch in FRONT_VOWELS:
            return False
    return True


def _final(word: str) -> str:
    """The sound class of a word's end: vowel, sonorant (л р й у: "елу" -> "елудің"), nasal (м н ң), voiced
    (ж з), voiceless."""
    ch = word.lower()[-1]
    if ch in SONORANTS:
        return "sonorant"
    if ch in VOWELS:
        return "vowel"
    if ch in NASALS:
        return "nasal"
    if ch in VOICELESS:
        return "voiceless"
    return "voiced"


def _pick(forms: tuple[str, ...], back: bool) -> str:
    return forms[0] if back else forms[1]


def _spell(case: str, word: str, *, after_possessive: bool) -> str:
    back, final = _is_back(word), _final(word)
    if case == "possessive":
        return _pick(("сы", "сі") if final == "vowel" else ("ы", "і"), back)
    if case == "plural":
        start = {"vowel": "л", "sonorant": "л", "nasal": "д", "voiced": "д", "voiceless": "т"}[final]
        if word.lower()[-1] == "л":
            start = "д"
        return _pick((start + "ар", start + "ер"), back)
    if case == "instrumental":
        return {"voiced": "бен", "voiceless": "пен"}.get(final, "мен")
    if after_possessive:
        return {"genitive": _pick(("ның", "нің"), back), "dative": _pick(("на", "не"), back),
                "accusative": "н", "locative": _pick(("нда", "нде"), back),
                "ablative": _pick(("нан", "нен"), back)}[case]
    if case == "genitive":
        start = {"vowel": "н", "nasal": "н", "sonorant": "д", "voiced": "д", "voiceless": "т"}[final]
        return _pick((start + "ың", start + "ің"), back)
    if case == "accusative":
        start = {"vowel": "н", "nasal": "д", "sonorant": "д", "voiced": "д", "voiceless": "т"}[final]
        return _pick((start + "ы", start + "і"), back)
    if case == "dative":
        return _pick(("қа", "ке") if final == "voiceless" else ("ға", "ге"), back)
    if case == "locative":
        return _pick(("та", "те") if final == "voiceless" else ("да", "де"), back)
    if case == "ablative":
        start = {"vowel": "д", "nasal": "н", "sonorant": "д", "voiced": "д", "voiceless": "т"}[final]
        return _pick((start + "ан", start + "ен"), back)
    raise ValueError(f"unknown case {case!r}: use one of {', '.join(CASE_NAMES)}")


def parse_ending(ending: str) -> list[str]:
    """``"ынан"`` -> ``["possessive", "ablative"]``: the morphemes of an ending written in any of its forms."""
    e = ending.strip().lstrip("-\u2011").lower()
    if e in CASE_NAMES or e in ("possessive", "plural"):
        return [] if e == "nominative" else [e]
    for plural in ("", *PLURAL):
        if not e.startswith(plural):
            continue
        rest = e[len(plural):]
        for poss in ("", *POSSESSIVE):
            if not rest.startswith(poss):
                continue
            tail = rest[len(poss):]
            found = [name for name, forms in CASES.items() if tail in forms] if tail else [None]
            if found:
                return (["plural"] if plural else []) + (["possessive"] if poss else []) + \
                       ([found[0]] if found[0] else [])
    raise ValueError(f"not a Kazakh case ending: {ending!r} (write e.g. 'ға', 'ы', 'ын', 'ынан', 'дың', 'мен')")


def ending_for(word: str, ending: str) -> str:
    """The ending re-spelled for the word it follows: ``ending_for("сегіз", "ға")`` -> ``"ге"``."""
    out, stem = "", word
    morphemes = parse_ending(ending)
    for i, m in enumerate(morphemes):
        part = _spell(m, stem, after_possessive=i > 0 and morphemes[i - 1] == "possessive")
        out, stem = out + part, stem + part
    return out


def attach(text: str, ending: str) -> str:
    """A printed number with its ending: ``attach("17 988", "ға")`` -> ``"17 988‑ге"``."""
    last_word = reading(text).split()[-1]
    suffix = ending_for(last_word, ending)
    if not suffix:
        return text
    if text.rstrip()[-1].isalpha() and text.split()[-1] not in ABBREVIATIONS:
        return text + suffix  # a unit word: "6,4 млн теңгеге"
    return text + NB_HYPHEN + suffix


class _Endings(string.Formatter):
    def format_field(self, value, format_spec: str) -> str:
        if format_spec.startswith("-"):
            return attach(str(value), format_spec[1:])
        return super().format_field(value, format_spec)


def format_text(template: str, /, **params) -> str:
    """``str.format`` where ``{x:-дан}`` prints ``x`` with that ending: for sentences made in code."""
    return _Endings().format(template, **params)
