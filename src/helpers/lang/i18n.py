"""Words the book itself prints, per edition: float kinds, captions, source lines, navigation."""

from __future__ import annotations

import re

KINDS = ("dgm", "tbl", "fig")

WORDS = {
    "kk": {
        "dgm": "диаграмма", "tbl": "кесте", "fig": "сурет",
        "source": "Дереккөз", "not_published": "Бастапқы құжатта мәндері жарияланбаған",
        "partial": "Бастапқы құжатта келтірілмеген мәндер",
        "worded": "Бастапқы құжат санмен емес, сөзбен берген мәндер (≈ шамамен, > артық, < кем)",
        "source_words": "Бастапқы құжатта сөзбен берілген: {words}",
        "contents": "Мазмұны", "previous": "Алдыңғы", "next": "Келесі", "search": "Іздеу",
        "pager": "Алдыңғы және келесі бөлімдер",
        "download_csv": "Деректерді жүктеу (CSV)", "draft": "ЖОБА",
        "downloads": "Жүктеу", "notebook": "Jupyter блокноты", "chapter_source": "бастапқы мәтіні",
        "edition": "Қазақ тіліндегі басылым",
        "languages": {"kk": "Қазақша", "ru": "Орысша", "en": "Ағылшынша"}, "abbreviation": "Қысқарту",
        "term": "Термин", "no_results": "Ештеңе табылмады",
        "imprint": {"udc": "ӘОЖ", "bbk": "КБЖ", "isbn": "ISBN", "not_assigned": "берілмеген",
                    "commissioned": "Тапсырыс беруші", "publisher": "Шығарушы", "citation": "Сілтеме жасау үлгісі",
                    "licence": "Лицензия", "build": "Құрастыру идентификаторы"},
        "national_report": "Ұлттық баяндама", "documents": {
            "national-report-2019": "Ұлттық баяндама, 2019",
            "beneficiary-survey-2019": "Бенефициарлар сауалнамасы, 2019"},
        "respondents": {
            "ngo_survey": "ҮЕҰ сауалнамасы", "population_survey": "халыққа сауалнама",
            "expert_survey": "сараптамалық сауалнама", "beneficiary_survey": "бенефициарлар сауалнамасы",
            "official_statistics": "ҚР Әділет министрлігінің деректері", "sso_monitoring": "МӘТ мониторингі"},
        "section": "{n}-бөлім", "appendix": "{letter} қосымшасы", "printed_as": "{n}-{kind}",
        "higher": "жоғары", "lower": "төмен", "no_data": "дерек жоқ", "log_scale": "логарифмдік шкала",
        "decade_end": "{decade} жылдардың\nсоңы", "all_values": "барлық мәндер",
        "shares_computed": "Үлестер кестедегі ұйымдар санынан есептелген",
        "not_given": "жарияланбаған", "others_not_published": "Басқа топтардың үлестері бастапқы құжатта келтірілмеген",
        "gap_decision_note": "Бастапқы құжатта бұл диаграмманың суреті сақталмаған, ал мәтін оның мәндерін "
                             "келтірмейді. Сондықтан бұл басылымда диаграмманың орнында осы ескерту тұр; "
                             "берілмеген мәндер Б қосымшасындағы тізілімде аталған.",
        "gap_decision_omit": "«{caption}» диаграммасы берілмейді: бастапқы құжатта оның мәндері жоқ (Б қосымшасы).",
        "continued": "{n}-кестенің жалғасы", "continued_plain": "Кестенің жалғасы",
        "data": "Деректер", "row": "{n}-жол", "whole_package": "деректер пакетінің барлық файлдары",
        "audit_origin": "Деректер: барлық деректер пакетін тексеру нәтижесі (report audit, output/audit/findings.csv).",
    },
    "ru": {
        "dgm": "диаграмма", "tbl": "таблица", "fig": "рисунок",
        "source": "Источник", "not_published": "Значения в исходном документе не опубликованы",
        "partial": "Значения, не приведённые в исходном документе",
        "worded": "Значения, которые исходный документ даёт словами, а не числом (≈ около, > более, < менее)",
        "source_words": "В исходном документе словами: {words}",
        "contents": "Содержание", "previous": "Назад", "next": "Далее", "search": "Поиск",
        "pager": "Предыдущий и следующий разделы",
        "download_csv": "Скачать данные (CSV)", "draft": "ЧЕРНОВИК",
        "downloads": "Скачать", "notebook": "блокнот Jupyter", "chapter_source": "исходный текст",
        "edition": "Издание на русском языке",
        "languages": {"kk": "Казахский", "ru": "Русский", "en": "Английский"}, "abbreviation": "Сокращение",
        "term": "Термин", "no_results": "Ничего не найдено",
        "imprint": {"udc": "УДК", "bbk": "ББК", "isbn": "ISBN", "not_assigned": "не присвоен",
                    "commissioned": "Заказчик", "publisher": "Издатель", "citation": "Рекомендуемая ссылка",
                    "licence": "Лицензия", "build": "Идентификатор сборки"},
        "national_report": "Национальный доклад", "documents": {
            "national-report-2019": "Национальный доклад, 2019",
            "beneficiary-survey-2019": "Опрос бенефициаров, 2019"},
        "respondents": {
            "ngo_survey": "опрос НПО", "population_survey": "опрос населения",
            "expert_survey": "экспертный опрос", "beneficiary_survey": "опрос бенефициаров",
            "official_statistics": "данные Министерства юстиции РК", "sso_monitoring": "мониторинг ГСЗ"},
        "section": "раздел\u00a0{n}", "appendix": "приложение\u00a0{letter}", "printed_as": "{kind} {n}",
        "higher": "выше", "lower": "ниже", "no_data": "нет данных", "log_scale": "логарифмическая шкала",
        "decade_end": "конец\n{decade}-х", "all_values": "все значения",
        "shares_computed": "Доли рассчитаны по числу организаций в таблице",
        "not_given": "не опубликовано", "others_not_published": "Доли остальных групп в исходном документе не приведены",
        "gap_decision_note": "Рисунок этой диаграммы в исходном документе не сохранился, а текст не приводит её "
                             "значений. Поэтому в этом издании вместо диаграммы дано это примечание; "
                             "отсутствующие значения перечислены в реестре приложения Б.",
        "gap_decision_omit": "Диаграмма «{caption}» не приводится: в исходном документе нет её значений (приложение Б).",
        "continued": "Продолжение таблицы {n}", "continued_plain": "Продолжение таблицы",
        "data": "Данные", "row": "строка {n}", "whole_package": "все файлы пакета данных",
        "audit_origin": "Данные: результат проверки всего пакета данных (report audit, output/audit/findings.csv).",
    },
    "en": {
        "dgm": "figure", "tbl": "table", "fig": "map",
        "source": "Source", "not_published": "The source document does not publish the values",
        "partial": "Values the source document does not give",
        "worded": "Values the source document gives in words, not as a number (≈ about, > more than, < less than)",
        "source_words": "In words in the source document: {words}",
        "contents": "Contents", "previous": "Previous", "next": "Next", "search": "Search",
        "pager": "Previous and next sections",
        "download_csv": "Download the data (CSV)", "draft": "DRAFT",
        "downloads": "Downloads", "notebook": "Jupyter notebook", "chapter_source": "source text",
        "edition": "English edition",
        "languages": {"kk": "Kazakh", "ru": "Russian", "en": "English"}, "abbreviation": "Abbreviation",
        "term": "Term", "no_results": "Nothing found",
        "imprint": {"udc": "UDC", "bbk": "LBC", "isbn": "ISBN", "not_assigned": "not assigned",
                    "commissioned": "Commissioned by", "publisher": "Publisher", "citation": "Cite as",
                    "licence": "Licence", "build": "Build identifier"},
        "national_report": "National Report", "documents": {
            "national-report-2019": "National Report, 2019",
            "beneficiary-survey-2019": "Beneficiary survey, 2019"},
        "respondents": {
            "ngo_survey": "survey of NGOs", "population_survey": "population survey",
            "expert_survey": "expert survey", "beneficiary_survey": "beneficiary survey",
            "official_statistics": "data of the Ministry of Justice of the Republic of Kazakhstan",
            "sso_monitoring": "monitoring of the state social order"},
        "section": "Section\u00a0{n}", "appendix": "Appendix\u00a0{letter}", "printed_as": "{kind} {n}",
        "higher": "higher", "lower": "lower", "no_data": "no data", "log_scale": "logarithmic scale",
        "decade_end": "late\n{decade}s", "all_values": "all values",
        "shares_computed": "Shares computed from the numbers of organisations in the table",
        "not_given": "not published", "others_not_published": "The source document does not give the shares of the other groups",
        "gap_decision_note": "The image of this diagram in the source document has been lost, and its text does "
                             "not give the values. This edition therefore gives this note in place of the diagram; "
                             "the missing values are listed in the register of Appendix B.",
        "gap_decision_omit": "The diagram “{caption}” is not shown: the source document does not give its values (Appendix B).",
        "continued": "Table\u00a0{n} (continued)", "continued_plain": "Table (continued)",
        "data": "Data", "row": "row {n}", "whole_package": "every file of the data package",
        "audit_origin": "Data: the result of checking the whole data package (report audit, output/audit/findings.csv).",
    },
}

# the order of the letters in each edition's alphabet: Python's code-point order would put Қ, Ө, Ұ ... after Я
ALPHABETS = {
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "en": "abcdefghijklmnopqrstuvwxyz",
}


# the appendices' letters: the Kazakh and Russian editions letter them А, Б, В (Cyrillic), the English A, B, C
APPENDIX_LETTERS = {"kk": "АБВГД", "ru": "АБВГД", "en": "ABCDE"}


def appendix_letter(index: int, lang: str) -> str:
    """The letter of the book's ``index``-th appendix (from 0) in the edition."""
    return APPENDIX_LETTERS[lang][index]


def sort_key(text: str, lang: str) -> tuple:
    """A key that sorts labels as a dictionary of the edition's language does (case-insensitive)."""
    order = ALPHABETS[lang]
    return tuple((0, order.index(c)) if c in order else (1, ord(c)) for c in str(text).lower())


QUOTES = {"kk": "«»", "ru": "«»", "en": "“”"}
SOURCE_LANG = "kk"  # the language of the source documents


def quoted(words: str, lang: str, markdown: bool = True) -> str:
    """The source's own words quoted in the edition: «...» or “...”; in Markdown, marked as Kazakh text
    (``[“...”]{lang="kk"}``: screen readers and the edition's checks know it is a quotation) where the edition
    is in another language."""
    opening, closing = QUOTES[lang]
    text = f"{opening}{words}{closing}"
    return f'[{text}]{{lang="{SOURCE_LANG}"}}' if markdown and lang != SOURCE_LANG else text


def word(key: str, lang: str) -> str:
    return WORDS[lang][key]


def milestone_date(milestone: str, year: int, lang: str) -> str:
    """The date of a milestone as the source gives it: a year, or the end of a decade for a ``late_1990s`` id
    (the value is then the decade, not an exact year)."""
    decade = re.search(r"late_(\d{4})s$", milestone)
    if decade:
        return WORDS[lang]["decade_end"].format(decade=decade.group(1))
    return str(year)


def caption_label(kind: str, number: int | str, lang: str) -> str:
    """``1-диаграмма`` (kk, number first), ``Диаграмма 1`` (ru), ``Figure 1`` (en)."""
    noun = WORDS[lang][kind]
    return f"{number}-{noun}" if lang == "kk" else f"{noun.capitalize()} {number}"


def reference_label(kind: str, number: int | str, lang: str) -> str:
    """An in-text reference: ``1-диаграмма`` (kk), ``диаграмма 1`` (ru), ``Figure 1`` (en: a float's name is
    a proper noun, capitalised in the sentence)."""
    noun = WORDS[lang][kind]
    if lang == "kk":
        return f"{number}-{noun}"
    return f"{noun.capitalize() if lang == 'en' else noun}\u00a0{number}"  # never parted at a line's end


def source_line(src: dict, lang: str) -> str:
    """``Дереккөз: Ұлттық баяндама, 2019, 2-бөлім, 1-кесте; ҮЕҰ сауалнамасы.``"""
    w = WORDS[lang]
    parts = [w["documents"].get(src.get("document", ""), src.get("document", ""))]
    section = src.get("section")
    if section and str(section).isdigit():
        parts.append(w["section"].format(n=section))
    printed = src.get("printed") or {}
    if printed.get("number") and printed.get("kind") in ("table", "diagram", "figure"):
        kind = {"table": "tbl", "diagram": "dgm", "figure": "fig"}[printed["kind"]]
        parts.append(reference_label(kind, printed["number"], lang))
    text = ", ".join(parts)
    who = w["respondents"].get(src.get("respondents", ""))
    if who and who.lower() not in text.lower():  # "Опрос бенефициаров, 2019; опрос бенефициаров" says it twice
        text += f"; {who}"
    if src.get("base"):
        text += f" (n = {src['base']})"
    return f"{w['source']}: {text}."


def origin_note(files: dict[str, tuple[list[tuple[int, str]], dict]], lang: str) -> str:
    """Where a printed number comes from, for a reviewer: its data rows and the source's place of each file.

    ``files``: ``{csv file name: ([(row, key), ...], x-source)}``; row 0 stands for the whole data package.
    """
    w = WORDS[lang]
    parts = []
    for name, (rows, src) in files.items():
        if any(row == 0 for row, _ in rows):
            parts.append(f"{w['data']}: {w['whole_package']}.")
            continue
        cells = "; ".join(f"{w['row'].format(n=row)} ({key.replace(';', ', ')})" for row, key in rows)
        parts.append(f"{w['data']}: {name}, {cells}. " + (source_line(src, lang) if src else ""))
    return " ".join(p.strip() for p in parts)


# A list of regions that all end in the same word names it once, in the plural, after the last and before which
# stands "и" / "және": "Алматинская, Атырауская и Жамбылская области", "Алматы, Атырау және Жамбыл облыстары".
SHARED_WORD = {"ru": ("область", "области"), "kk": ("облысы", "облыстары"), "en": ("Region", "regions")}
AND = {"ru": "и", "kk": "және", "en": "and"}


def series(names: list[str], notes: list[str], lang: str) -> str:
    """Names, each with its note (" (12)" or ""), as a list in the edition's prose."""
    single, plural = SHARED_WORD[lang]
    if len(names) < 2 or not all(n.endswith(" " + single) for n in names):
        items = [n + note for n, note in zip(names, notes)]
        if lang == "en" and len(items) > 1:  # English closes a list with "and": "A, B and C"
            return f"{', '.join(items[:-1])} {AND[lang]} {items[-1]}"
        return ", ".join(items)
    parts = [n[: -len(single) - 1] + note for n, note in zip(names, notes)]
    return f"{', '.join(parts[:-1])} {AND[lang]} {parts[-1]} {plural}"
