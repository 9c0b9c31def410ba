"""The audit in words: explanations per edition (and in English for the JSON/CSV), the appendix tables, the
terminal summary. ``audit`` finds; this module only words and formats."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from helpers.checks import audit
from helpers.core import data
from helpers.lang import fmt, i18n, kk_grammar
from helpers.lang.fmt import Formatted
from helpers.present.tables import Table, nowrap

CAUSES = {
    "truncated": {
        "en": "digits cut off instead of rounded ({recomputed} printed as {printed})",
        "kk": "дөңгелектелмей, соңғы таңбалары қиылған ({recomputed} орнына {printed})",
        "ru": "знаки отброшены вместо округления ({printed} вместо {recomputed})"},
    "rounding": {
        "en": "differs in the last digit ({recomputed})",
        "kk": "соңғы таңбада айырмашылық бар ({recomputed})",
        "ru": "расхождение в последнем знаке ({recomputed})"},
    "exchanged": {
        "en": "the figure of the neighbouring column ({other}): the columns are exchanged",
        "kk": "көршілес бағанның мәні ({other}): бағандар ауысып кеткен",
        "ru": "значение соседнего столбца ({other}): столбцы переставлены"},
    "magnitude": {
        "en": "off by a factor of {factor}: a slip of units (million/billion)",
        "kk": "{factor} есе айырмашылық: өлшем бірлігі шатасқан (млн/млрд)",
        "ru": "расхождение в {factor} раз: перепутаны единицы (млн/млрд)"},
    "decimal_shift": {
        "en": "off by a factor of {factor}: a misplaced decimal point or digit",
        "kk": "{factor} есе айырмашылық: ондық үтірдің немесе цифрдың орны қате",
        "ru": "расхождение в {factor} раз: ошибка в положении запятой или в разряде"},
    "implied_population": {
        "en": "the two ends of the estimate imply different populations: {printed} and {recomputed}",
        "kk": "бағалаудың екі шегінен халық саны әртүрлі шығады: {printed} және {recomputed}",
        "ru": "из двух границ оценки следует разная численность населения: {printed} и {recomputed}"},
    "wrong_base": {
        "en": "the increase divided by the new value instead of the old one (gives {by_new_value})",
        "kk": "өсім бұрынғы емес, жаңа мәнге бөлінген (сонда {by_new_value} шығады)",
        "ru": "прирост отнесён к новому значению, а не к прежнему (так получается {by_new_value})"},
    "mismatch": {
        "en": "does not follow from its inputs ({recomputed})",
        "kk": "бастапқы шамаларынан шықпайды ({recomputed})",
        "ru": "не следует из исходных величин ({recomputed})"},
    "under_100": {
        "en": "the shares add up to {printed}: some are not given",
        "kk": "үлестердің жиыны {printed}: кейбірі келтірілмеген",
        "ru": "сумма долей {printed}: часть не приведена"},
    "over_100": {
        "en": "the shares add up to {printed}: the categories overlap or one share is wrong",
        "kk": "үлестердің жиыны {printed}: санаттар қиылысады немесе бір үлес қате",
        "ru": "сумма долей {printed}: категории пересекаются или одна из долей неверна"},
    "impossible_for_base": {
        "en": "no whole number of {base} respondents gives this share (nearest {recomputed}); fewer may have "
              "answered",
        "kk": "{base} респонденттің бүтін санынан мұндай үлес шықпайды (ең жақыны {recomputed}); сұраққа "
              "азырақ адам жауап берген болуы мүмкін",
        "ru": "такая доля не получается ни при каком целом числе ответивших из {base} (ближайшая {recomputed}); "
              "возможно, ответили не все"},
    "differs": {
        "en": "the same quantity is printed elsewhere as {recomputed}",
        "kk": "дәл осы шама басқа жерде {recomputed} деп берілген",
        "ru": "та же величина в другом месте доклада: {recomputed}"},
    "part_exceeds_whole": {
        "en": "a part larger than its whole ({recomputed})",
        "kk": "бөлік бүтіннен ({recomputed}) үлкен",
        "ru": "часть больше целого ({recomputed})"},
    "below_bound": {
        "en": "below the figure it bounds ({recomputed})",
        "kk": "өзі шектейтін саннан ({recomputed}) кіші",
        "ru": "меньше величины, которую ограничивает ({recomputed})"},
    "mean_exceeds_bound": {
        "en": "the mean over all cannot exceed {recomputed} (mean of those with staff x their share)",
        "kk": "жалпы орташа {recomputed:-дан} аспауы керек (штаты барлардың орташасы × олардың үлесі)",
        "ru": "среднее по всем не может превышать {recomputed} (среднее у имеющих штат × их доля)"},
    "implied_total_differs": {
        "en": "share and amount imply a total of {printed}, the report's total is {recomputed}",
        "kk": "үлес пен сомадан {printed} жиыны шығады, ал баяндамада {recomputed}",
        "ru": "из доли и суммы следует итог {printed}, а в докладе {recomputed}"},
    "ranking_skips": {
        "en": "the list skips a value above this place: {instead} ({recomputed})",
        "kk": "осы орыннан жоғары тұрған мән тізімде жоқ: {instead} ({recomputed})",
        "ru": "в списке пропущено значение выше этого места: {instead} ({recomputed})"},
    "ranking_order": {
        "en": "out of order: place {place} belongs to {instead} ({recomputed})",
        "kk": "реті бұзылған: {place}-орын {instead} ({recomputed}) мәніне тиесілі",
        "ru": "нарушен порядок: место {place} принадлежит значению {instead} ({recomputed})"},
    "consistent_bases": {
        "en": "bases consistent with every percentage: {bases}",
        "kk": "барлық пайызбен үйлесетін базалар: {bases}",
        "ru": "базы, совместимые со всеми процентами: {bases}"},
}

SHORT = {  # a cause without the figures of one finding, for a row that stands for several
    "differs": {"en": "the same quantities are printed differently elsewhere",
                "kk": "дәл осы шамалар басқа жерде басқаша берілген",
                "ru": "те же величины в другом месте доклада иные"},
}

GROUP = {
    "en": "{text} ({count} cells); e.g. {example}",
    "kk": "{text} ({count} ұяшық); мысалы, {example}",
    "ru": "{text} (ячеек: {count}); например, {example}",
}

HANDLING = {
    "recomputed": {"en": "the book prints the figure recomputed from its inputs",
                   "kk": "кітапта бастапқы шамаларынан қайта есептелген сан берілген",
                   "ru": "в книге приведено значение, пересчитанное из исходных величин"},
    "kept_as_printed": {"en": "printed as in the source; the inconsistency is shown here",
                        "kk": "бастапқы құжаттағыдай берілген; сәйкессіздік осында көрсетілген",
                        "ru": "приведено как в источнике; расхождение отмечено здесь"},
    "not_shown": {"en": "the book does not use the figure",
                  "kk": "кітапта бұл сан қолданылмайды",
                  "ru": "в книге это число не используется"},
    "reading": {"en": "the book follows the reading described in Appendix B",
                "kk": "кітап Б қосымшасында сипатталған түсіндірмеге сүйенеді",
                "ru": "книга следует прочтению, описанному в приложении Б"},
    "approximation": {"en": "the report's approximate figure, given as such",
                      "kk": "баяндамадағы жуық сан ретінде берілген",
                      "ru": "приведено как приблизительное значение доклада"},
}

HANDLING_SHORT = {  # the last column of the appendix table; the prose explains them
    "recomputed": {"kk": "қайта есептелді", "ru": "пересчитано", "en": "recomputed"},
    "kept_as_printed": {"kk": "өзгеріссіз", "ru": "как в источнике", "en": "as in the source"},
    "not_shown": {"kk": "қолданылмайды", "ru": "не используется", "en": "not used"},
    "reading": {"kk": "Б қосымшасы бойынша", "ru": "по прил. Б", "en": "per Appendix B"},
    "approximation": {"kk": "жуық сан", "ru": "приблизительно", "en": "approximate"},
}

SEVERITY = {
    "error": {"en": "error", "kk": "қате", "ru": "ошибка"},
    "warning": {"en": "warning", "kk": "күмәнді", "ru": "сомнительно"},
    "minor": {"en": "minor", "kk": "болмашы", "ru": "незначительно"},
    "info": {"en": "information", "kk": "ақпарат", "ru": "сведения"},
}

HEADERS = {
    "kk": {"no": "№", "place": "Орны", "what": "Сан", "printed": "Баяндамада", "recomputed": "Тексеру",
           "finding": "Сәйкессіздік", "handling": "Кітапта", "question": "Сауалнама", "count": "Үлестер саны",
           "bases": "Үйлесетін ең кіші базалар", "fits": "ҮЕҰ сауалнамасына сай ма", "yes": "иә", "not": "жоқ",
           "text": "мәтін", "section": "{n}-бөлім", "conclusion": "қорытынды", "intro": "кіріспе",
           "survey": "бенефициарлар сауалнамасы", "kinds": {"table": "кесте", "diagram": "диаграмма",
                                                              "figure": "сурет", "text": "мәтін"}},
    "ru": {"no": "№", "place": "Место", "what": "Показатель", "printed": "В докладе", "recomputed": "Проверка",
           "finding": "Расхождение", "handling": "В книге", "question": "Опрос", "count": "Число долей",
           "bases": "Наименьшие совместимые базы", "fits": "Совместимо с опросом НПО", "yes": "да", "not": "нет",
           "text": "текст", "section": "раздел {n}", "conclusion": "заключение", "intro": "введение",
           "survey": "опрос бенефициаров", "kinds": {"table": "таблица", "diagram": "диаграмма",
                                                     "figure": "рисунок", "text": "текст"}},
    "en": {"no": "No.", "place": "Place", "what": "Indicator", "printed": "In the report", "recomputed": "Check",
           "finding": "Inconsistency", "handling": "In the book", "question": "Survey", "count": "Number of shares",
           "bases": "Smallest consistent bases", "fits": "Consistent with the NGO survey", "yes": "yes", "not": "no",
           "text": "text", "section": "Section {n}", "conclusion": "Conclusion", "intro": "Introduction",
           "survey": "Beneficiary survey", "kinds": {"table": "table", "diagram": "figure",
                                                     "figure": "map", "text": "text"}},
}

_KIND = {"table": "tbl", "diagram": "dgm", "figure": "fig"}
# the findings' own files (findings.csv, the terminal) are in plain English for programs and reviewers: ids, not
# labels, and numbers as Python prints them; the English edition words them as the book does
PLAIN = "plain"


def _words(lang: str) -> str:
    """The language of a finding's words: ``plain`` speaks English."""
    return "en" if lang == PLAIN else lang


GROUP_MIN = 3  # this many findings of one rule and cause in one dataset are shown as one row


def _value(v: float | None, unit: str, lang: str, decimals: int | None = None) -> str:
    if v is None:
        return "–"
    if decimals is None:
        decimals = 0 if abs(v) >= 100 else min(fmt._decimals_of(v), 2)
    if lang == PLAIN:
        text = f"{v:,.{decimals}f}"
        return text + ("%" if unit == "percent" else f" {unit}" if unit and unit != "person" else "")
    return fmt.quantity(v, unit, lang, decimals)


def place(f: audit.Finding, lang: str) -> str:
    """``2-бөлім, 5-кесте`` / ``раздел 3, таблица 5``."""
    h = HEADERS.get(lang, HEADERS["ru"])
    section = {"conclusion": h["conclusion"], "intro": h["intro"], "survey": h["survey"]}.get(
        f.section, h["section"].format(n=f.section) if f.section.isdigit() else "")
    kind = _KIND.get(f.printed_kind)
    what = i18n.reference_label(kind, f.printed_number, lang) if kind and f.printed_number else h["text"]
    return f"{section}, {what}" if section else what


def item(f: audit.Finding, lang: str) -> str:
    """The row (or rows) of the dataset the finding is about, in words."""
    if f.key in ("", "*"):
        return data.resource(f.dataset).get("title", f.dataset) if lang == PLAIN else ""
    parts = []
    for pair in f.key.split(";"):
        scheme, _, id_ = pair.partition("=")
        if id_ == "*" or "|" in id_:
            continue
        parts.append(id_ if lang == PLAIN else data.labels(scheme, lang, short=True).get(id_, id_))
    return " – ".join(parts)


def explain(f: audit.Finding, lang: str = "plain") -> str:
    """A short sentence: what is wrong and its likely cause."""
    dec = 1 if f.unit == "percent" else None
    params = {"printed": _value(f.printed, f.unit, lang, dec if f.rule == "sum100" else _printed_decimals(f)),
              "recomputed": _value(f.recomputed, f.unit, lang, _shown_decimals(f)),
              "factor": _factor(f.detail.get("factor"), lang), "base": f.detail.get("base", ""),
              "by_new_value": _value(f.detail.get("by_new_value"), f.unit, lang, 1),
              "bases": ", ".join(str(b) for b in f.detail.get("smallest", [])[:4]),
              "other": _other(f, lang), "place": f.detail.get("place", ""), "instead": _instead(f, lang)}
    return kk_grammar.format_text(CAUSES[f.cause][_words(lang)], **params)


def _factor(factor, lang: str):
    """A factor of 10 or 1000 as the edition prints its numbers (``1 000``); English keeps the plain number."""
    value = abs(factor or 0)
    return value if lang == PLAIN else fmt.number(value, lang, 0)


def _instead(f: audit.Finding, lang: str) -> str:
    """The id a ranking check puts in the place of the printed one, as the edition names it."""
    id_ = f.detail.get("instead")
    if not id_ or lang == PLAIN:
        return id_ or ""
    return data.labels(f.detail.get("scheme", ""), lang).get(id_, id_)


def _shown_decimals(f: audit.Finding) -> int | None:
    """Recomputed figures get one digit more than printed ones, so that a cut-off digit shows."""
    if f.recomputed is None or abs(f.recomputed) >= 100:
        return 0 if f.recomputed is not None else None
    shown = fmt._decimals_of(f.printed) if f.printed is not None else 1
    if f.rule == "granularity":
        return shown
    if f.rule == "cross":
        return min(fmt._decimals_of(f.recomputed), 2)
    return min(shown + 1, 2)


def _printed(f: audit.Finding, lang: str) -> str:
    shown = f.detail.get("as_printed")
    if shown:
        return _value(shown["value"], shown["unit"], lang, fmt._decimals_of(shown["value"]))
    if f.rule == "sum100":
        return _value(f.printed, f.unit, lang, 1)
    return _value(f.printed, f.unit, lang, _printed_decimals(f))


def _other(f: audit.Finding, lang: str) -> str:
    key = f.detail.get("with")
    if not key:
        return ""
    return item(audit.Finding(**{**f.__dict__, "key": key}), lang)


def _short(f: audit.Finding, lang: str) -> str:
    return SHORT[f.cause][_words(lang)] if f.cause in SHORT else explain(f, lang).split(" (")[0]


def handling(f: audit.Finding, lang: str) -> str:
    return HANDLING[f.handling][_words(lang)] if f.handling else "–"


def _groups(findings: list[audit.Finding]) -> list[list[audit.Finding]]:
    """Findings of one rule and cause in one dataset, kept together when there are many of them."""
    by = defaultdict(list)
    for f in findings:
        by[(f.dataset, f.rule, f.cause)].append(f)
    out, seen = [], set()
    for f in findings:
        k = (f.dataset, f.rule, f.cause)
        if k in seen:
            continue
        if len(by[k]) >= GROUP_MIN:
            out.append(by[k])
            seen.add(k)
        else:
            out.append([f])
    return out


def rows(result: audit.Audit, lang: str) -> list[list[str]]:
    """One row per finding, or per group of alike findings: number, place and item, printed, check, finding,
    handling."""
    out = []
    listed = [f for f in result.findings if f.severity != "info"]
    for n, group in enumerate(_groups(listed), start=1):
        f = group[0]
        severity = SEVERITY[f.severity][_words(lang)]
        if len(group) == 1:
            what, printed, check = item(f, lang), _printed(f, lang), _value(f.recomputed, f.unit, lang,
                                                                            _shown_decimals(f))
            text = explain(f, lang)
        else:
            what, printed, check = "", "…", "…"
            example = f"{item(f, lang)}: {_printed(f, lang)} → " \
                      f"{_value(f.recomputed, f.unit, lang, _shown_decimals(f))}"
            text = GROUP[_words(lang)].format(count=len(group), text=_short(f, lang), example=example)
        where = nowrap(place(f, lang)) + (f": {what}" if what else "")
        short = HANDLING_SHORT[f.handling][lang] if f.handling else "–"
        out.append([str(n), where, printed, check, f"{severity}: {text}", short])
    return out


def _printed_decimals(f: audit.Finding) -> int | None:
    if f.printed is None:
        return None
    return 0 if abs(f.printed) >= 1000 else fmt._decimals_of(f.printed)


def findings_table(lang: str, result: audit.Audit | None = None) -> Table:
    result = result or audit.run()
    h = HEADERS[lang]
    return Table([h["no"], h["place"], h["printed"], h["recomputed"], h["finding"], h["handling"]],
                 rows(result, lang), ["r", "l", "r", "r", "l", "l"], widths=[3, 24, 9, 9, 44, 11])


def bases_table(lang: str, result: audit.Audit | None = None, min_shares: int = 3) -> Table:
    """Questions whose base is not stated: the smallest numbers of respondents every printed share allows."""
    result = result or audit.run()
    h = HEADERS[lang]
    out = []
    for f in result.findings:
        if f.rule != "bases":
            continue
        frame = data.load(f.dataset)
        shares = int(((frame["unit"] == "percent") & frame["value"].notna()).sum())
        if shares < min_shares:
            continue
        src = data.source_of(f.dataset)
        title = nowrap(place(f, lang))
        fits = f.detail.get("assumed")
        fits_text = (h["yes"] if f.detail.get("assumed_fits") else h["not"]) if fits else "–"
        who = i18n.WORDS[lang]["respondents"].get(src.get("respondents") or "", "")
        out.append([title, who, str(shares), ", ".join(str(b) for b in f.detail.get("smallest", [])[:4]), fits_text])
    return Table([h["place"], h["question"], h["count"], h["bases"], h["fits"]], out, ["l", "l", "r", "l", "l"])


def numbers(lang: str, result: audit.Audit | None = None) -> SimpleNamespace:
    """Counts for the appendix prose, formatted for the edition."""
    result = result or audit.run()
    counts = result.counts()
    listed = [f for f in result.findings if f.severity != "info"]
    rows_ = _groups(listed)
    origin = i18n.WORDS[lang]["audit_origin"]
    n = lambda v: Formatted(fmt.number(v, lang), origin, "datapackage.json")  # noqa: E731
    return SimpleNamespace(
        findings=n(len(listed)), rows=n(len(rows_)), errors=n(counts["error"]), warnings=n(counts["warning"]),
        minor=n(counts["minor"]), acknowledged=n(sum(f.handling is not None for f in listed)),
        open=n(len(result.open)), datasets=n(len({f.dataset for f in listed})),
        bases=n(sum(f.rule == "bases" for f in result.findings)),
        ngo_base=n(audit.survey_base("ngo_survey")))


def terminal(result: audit.Audit) -> str:
    """The summary ``report audit`` prints."""
    lines = []
    for f in result.findings:
        if f.severity == "info":
            continue
        mark = " " if f.acknowledged else "!"
        lines.append(f"{mark} {f.severity:<7} {f.id}\n    {explain(f)}"
                     + (f"\n    handled: {HANDLING[f.handling]['en']}" if f.handling else "\n    NOT ACKNOWLEDGED"))
    counts = result.counts()
    lines.append("")
    lines.append(f"{sum(counts[s] for s in ('error', 'warning', 'minor'))} finding(s): {counts['error']} error(s), "
                 f"{counts['warning']} warning(s), {counts['minor']} minor; {counts['info']} note(s) on bases; "
                 f"{len(result.open)} not acknowledged")
    for stale in result.stale:
        lines.append(f"note: the acknowledgement '{stale}' in data/{audit.REGISTER_FILE} matches no finding any more")
    return "\n".join(lines)
