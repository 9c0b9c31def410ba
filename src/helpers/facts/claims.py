"""Claims: the comparisons the prose makes in words ("the most common form", "more than half", "grew"),
declared as predicates beside the facts and evaluated on the data in every build.

A chapter's facts module declares them, one claim for both editions:

    claims("ch2",
           most_public_associations=largest(T01, "legal_form", "public_association", region="kz"),
           membership_majority=above(membership_share, 50))       # a fact and the sentence's own threshold
    not_checkable("ch2", budget_and_scope=CORRELATION)              # the data cannot decide it: the reason

and the prose binds the comparative phrase with a span: ``[Ең көп тарағаны]{claim=most_public_associations}``.
Operands are facts (functions returning a ``stats.Quantity``), ``row(dataset, **key)`` or plain numbers, which
are the words of the sentence ("half" is 50), never data. Evaluating a claim gives a ``Verdict``: whether it
holds, the values compared and the data rows they come from (never formatted here).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Union

import pandas as pd

from helpers import facts
from helpers.core import precision, stats
from helpers.core.stats import Label, Quantity, Row

Operand = Union[Callable[[], object], Quantity, float, int]


@dataclass(frozen=True)
class Term:
    """One value a claim compares: the quantity, and what it is (an id of ``scheme``, or none for a fact or a
    number of the sentence)."""

    quantity: Quantity
    scheme: str = ""
    id: str = ""


TRUE, FALSE, NOT_CHECKABLE, RESTATES, UNDECIDED = ("true", "false", "not checkable", "restates the source",
                                                    "undecided")
STATES = (TRUE, FALSE, NOT_CHECKABLE, RESTATES, UNDECIDED)


@dataclass
class Verdict:
    holds: bool | None  # None: not checkable, restating the source or undecided (``state`` says which)
    predicate: str  # the predicate in words, e.g. "largest(t01_registered_ngos.legal_form | region=kz) = ..."
    groups: list[tuple[list[Term], str]] = field(default_factory=list)  # values compared, and how: ">", "≈", ":"
    reason: str = ""  # why a claim is not checkable, restates the source or is undecided
    state: str = ""  # one of STATES; set from ``holds`` when empty

    def __post_init__(self):
        if not self.state:
            self.state = NOT_CHECKABLE if self.holds is None else (TRUE if self.holds else FALSE)

    @property
    def terms(self) -> list[Term]:
        return [t for terms, _ in self.groups for t in terms]

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(dict.fromkeys(r for t in self.terms for r in t.quantity.origin))


# --- operands ---------------------------------------------------------------------------------------

def row(dataset: str, **key) -> Callable[[], Quantity]:
    """One row of a dataset as an operand (named by the labels of its key)."""

    def one_row() -> Quantity:
        return stats.value(dataset, **key)

    one_row.__name__ = f"{dataset}[{';'.join(f'{k}={v}' for k, v in key.items())}]"
    return one_row


def _term(x: Operand, unit: str = "") -> Term:
    if callable(x):
        value = x()
        if isinstance(value, tuple):  # a (label, quantity) fact
            label, value = value
            return Term(value, label.scheme, label.id)
        if not isinstance(value, Quantity):
            raise TypeError(f"the fact '{_name(x)}' is not a number: a claim compares numbers")
        return Term(value)
    if isinstance(x, Quantity):
        return Term(x)
    return Term(Quantity(float(x), unit))  # a number of the sentence ("half": 50), not data


def _terms(a: Operand, b: Operand) -> tuple[Term, Term]:
    """Both operands; a number of the sentence takes the unit of the other side."""
    ta = _term(a) if callable(a) or isinstance(a, Quantity) else None
    tb = _term(b, ta.quantity.unit if ta else "")
    return (ta or _term(a, tb.quantity.unit)), tb


def _value(t: Term) -> float:
    if t.quantity.value is None:
        raise ValueError(f"a value it compares is not given by the source ({_rows_text(t.quantity.origin)})")
    return float(t.quantity.value)


def _name(x: Operand) -> str:
    if callable(x):
        return getattr(x, "__name__", "fact")
    if isinstance(x, Quantity):
        return "quantity"
    return f"{x:g}" if isinstance(x, float) else str(x)


def _rows_text(rows) -> str:
    return " ".join(f"{r.dataset}:{r.row}" for r in rows)


# --- values as intervals -----------------------------------------------------------------------------
# A value the source gives in words is the interval it stands for (core.precision): "more than half" is
# (50, 100], "about a quarter" [22.5, 27.5]. A comparison holds when it holds for every point of the
# intervals, fails when it fails for every point, and is undecided otherwise.

def _interval(t: Term) -> tuple[float, float, bool, bool]:
    _value(t)
    return t.quantity.interval()


def _greater(x: Term, y: Term, strict: bool = True) -> bool | None:
    """``x > y`` (``x >= y`` unless ``strict``) on intervals: True, False or None (undecided)."""
    xl, xh, xlo, xho = _interval(x)
    yl, yh, ylo, yho = _interval(y)
    surely = xl > yh or (xl == yh and (xlo or yho or not strict))
    never = xh < yl or (xh == yl and (strict or xho or ylo))
    return True if surely else (False if never else None)


def _distance(x: Term, y: Term) -> tuple[float, float]:
    """The least and the largest distance between a point of ``x`` and a point of ``y``."""
    xl, xh, _, _ = _interval(x)
    yl, yh, _, _ = _interval(y)
    least = max(0.0, yl - xh, xl - yh)
    return least, max(abs(xh - yl), abs(yh - xl))


def _worded(t: Term) -> bool:
    return t.quantity.precision.kind in precision.WORDED


def _decide(holds: bool | None, terms: list[Term], predicate: str, groups, unsure: list[Term] | None = None) -> Verdict:
    """The verdict of a comparison on intervals: a comparison whose data are only values the source gives in
    words (and the sentence's own numbers) restates the source; one the intervals cannot decide is undecided."""
    data_terms = [t for t in terms if t.quantity.origin]
    if data_terms and all(_worded(t) for t in data_terms):
        words = "; ".join(dict.fromkeys(f"«{t.quantity.precision.words}»" for t in data_terms))
        return Verdict(None, predicate, groups, f"the only evidence is the source's wording {words}", RESTATES)
    if holds is None:
        words = "; ".join(dict.fromkeys(f"«{t.quantity.precision.words}»" for t in (unsure or data_terms)
                                        if _worded(t)))
        return Verdict(None, predicate, groups, f"the source's wording {words} does not decide it", UNDECIDED)
    return Verdict(holds, predicate, groups)


# --- predicates -------------------------------------------------------------------------------------

class Predicate:
    def evaluate(self) -> Verdict:  # pragma: no cover - every predicate defines it
        raise NotImplementedError


@dataclass(frozen=True)
class Compare(Predicate):
    a: Operand
    b: Operand
    op: str  # ">", "<", ">=", "<="

    def evaluate(self) -> Verdict:
        ta, tb = _terms(self.a, self.b)
        holds = {">": lambda: _greater(ta, tb), "<": lambda: _greater(tb, ta),
                 ">=": lambda: _greater(ta, tb, strict=False), "<=": lambda: _greater(tb, ta, strict=False)}[self.op]()
        symbol = {">": ">", "<": "<", ">=": "≥", "<=": "≤"}[self.op]
        return _decide(holds, [ta, tb], f"{_name(self.a)} {self.op} {_name(self.b)}", [([ta, tb], symbol)])


@dataclass(frozen=True)
class Ratio(Predicate):
    a: Operand
    b: Operand
    k: float

    def evaluate(self) -> Verdict:
        ta, tb = _terms(self.a, self.b)
        ratio = _value(ta) / _value(tb)
        (al, ah, _, _), (bl, bh, _, _) = _interval(ta), _interval(tb)
        holds = True if al / bh >= self.k else (False if ah / bl < self.k else None)
        k = stats.computed(round(ratio, 2), "count", ta.quantity, tb.quantity, decimals=2)
        return _decide(holds, [ta, tb], f"{_name(self.a)} / {_name(self.b)} >= {self.k:g}",
                       [([ta, tb, Term(k)], ":")])


@dataclass(frozen=True)
class Close(Predicate):
    a: Operand
    b: Operand
    within: float  # the most the two may differ and still be "about the same" (in the unit of the values)

    def evaluate(self) -> Verdict:
        ta, tb = _terms(self.a, self.b)
        least, most = _distance(ta, tb)
        holds = True if most <= self.within else (False if least > self.within else None)
        return _decide(holds, [ta, tb], f"|{_name(self.a)} - {_name(self.b)}| <= {self.within:g}", [([ta, tb], "≈")])


@dataclass(frozen=True)
class Order(Predicate):
    """``ids`` come first, in this order, among the values of dimension ``by`` (largest first, or smallest
    first when ``ascending``); with ``ordered=False`` they are the first ones in any order."""

    dataset: str
    by: str
    ids: tuple[str, ...]
    where: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    ascending: bool = False
    ordered: bool = True
    kind: str = "ranked"
    within: int = 0  # > 0: the ids are among the first ``within`` places ("among the least used")

    def named(self) -> tuple[str, ...]:
        """The ids the claim names; a fact (a leader the prose prints from the data) gives its own."""
        out = []
        for i in self.ids:
            value = i() if callable(i) else i
            for v in value if isinstance(value, list) else [value]:
                v = v[0] if isinstance(v, tuple) else v
                out.append(v.id if isinstance(v, Label) else str(v))
        return tuple(out)

    def candidates(self, ids: tuple[str, ...]) -> pd.DataFrame:
        frame = stats.select(stats.resolved(self.dataset), **dict(self.where)).dropna(subset=["value"])
        if "formula" in frame:  # a total or a combined share over the ranked dimension is not one of its values
            formula = frame["formula"].fillna("")
            over = formula.str.contains(f"{self.by}=", regex=False)
            if "status" in frame:  # a printed total the data keeps without its formula
                over |= (frame["status"] == "derived") & (formula == "")
            frame = frame[~over | frame[self.by].isin(ids)]
        frame = frame[~frame[self.by].isin(self.exclude)]
        if frame[self.by].duplicated().any():
            raise ValueError(f"{self.dataset}: several rows per {self.by}; the claim must fix the other "
                             f"dimensions with where=...")
        missing = [i for i in ids if i not in set(frame[self.by])]
        if missing:
            raise KeyError(f"{self.dataset}: no value for {self.by} {', '.join(missing)} "
                           f"(where {dict(self.where)})")
        return frame.sort_values("value", ascending=self.ascending, kind="stable")

    def evaluate(self) -> Verdict:
        ids = self.named()
        frame = self.candidates(ids)
        origins = stats._rows(self.dataset, frame, frame.attrs["dimensions"])
        whole = stats.resolved(self.dataset)
        terms = [Term(Quantity(float(v), unit, origin=(origin,),
                               precision=precision.of_row(self.dataset, int(i), whole)), self.by, id_)
                 for i, v, unit, id_, origin in zip(frame.index, frame["value"], frame["unit"], frame[self.by], origins)]
        term = {t.id: t for t in terms}
        named = [term[i] for i in ids]
        rest = [t for k, t in term.items() if k not in ids]
        better = (lambda x, y: _greater(y, x)) if self.ascending else _greater
        if self.within:
            # among the first ``within`` places: fewer than ``within`` other values can come before each named one
            outcomes = [_places_before(term[i], rest, better, self.within) for i in ids]
            unsure = []
        else:
            pairs = list(zip(named, named[1:])) if self.ordered else []
            pairs += [(n, r) for n in named for r in rest]
            outcomes = [better(x, y) for x, y in pairs]
            unsure = [t for (x, y), o in zip(pairs, outcomes) if o is None for t in (x, y)]
        holds = False if False in outcomes else (None if None in outcomes else True)
        where = ", ".join(f"{k}={v}" for k, v in self.where)
        text = f"{self.kind}({self.dataset}.{self.by}{' | ' + where if where else ''}) = {', '.join(ids)}"
        return _decide(holds, terms, text, [(terms, "<" if self.ascending else ">")], unsure)


def _places_before(x: Term, others: list[Term], better, places: int) -> bool | None:
    """Whether ``x`` is surely (True), surely not (False) or perhaps (None) among the first ``places``."""
    surely_before = sum(better(o, x) is True for o in others)
    perhaps_before = sum(better(x, o) is not True for o in others)
    return True if perhaps_before < places else (False if surely_before >= places else None)


@dataclass(frozen=True)
class AllOf(Predicate):
    parts: tuple[Predicate, ...]

    def evaluate(self) -> Verdict:
        verdicts = [p.evaluate() for p in self.parts]
        text = " and ".join(f"({v.predicate})" for v in verdicts)
        groups = [g for v in verdicts for g in v.groups]
        for state in (FALSE, UNDECIDED, NOT_CHECKABLE, RESTATES):  # the weakest part decides
            weak = [v for v in verdicts if v.state == state]
            if weak:
                return Verdict(False if state == FALSE else None, text, groups,
                               "; ".join(dict.fromkeys(v.reason for v in weak if v.reason)), state)
        return Verdict(True, text, groups)


@dataclass(frozen=True)
class NotCheckable(Predicate):
    reason: str

    def evaluate(self) -> Verdict:
        return Verdict(None, "not checkable", reason=self.reason)


def largest(dataset: str, by: str, id_, *, exclude=(), **where) -> Order:
    """``id_`` has the largest value of dimension ``by`` (in the rows ``where`` selects; totals left out)."""
    return Order(dataset, by, (id_,), tuple(where.items()), tuple(exclude), kind="largest")


def smallest(dataset: str, by: str, id_, *, exclude=(), **where) -> Order:
    return Order(dataset, by, (id_,), tuple(where.items()), tuple(exclude), ascending=True, kind="smallest")


def ranked(dataset: str, by: str, ids: list, *, exclude=(), ascending: bool = False, **where) -> Order:
    """``ids`` are the first places of the ranking, in this order."""
    return Order(dataset, by, tuple(ids), tuple(where.items()), tuple(exclude), ascending, kind="ranked")


def leading(dataset: str, by: str, ids, *, exclude=(), **where) -> Order:
    """``ids`` are the first places of the ranking, in any order ("the leading regions")."""
    ids = (ids,) if callable(ids) else tuple(ids)
    return Order(dataset, by, ids, tuple(where.items()), tuple(exclude), ordered=False, kind="leading")


def among_smallest(dataset: str, by: str, id_, places: int, *, exclude=(), **where) -> Order:
    """``id_`` is among the ``places`` smallest values ("among the least used": the sentence's own count)."""
    return Order(dataset, by, (id_,), tuple(where.items()), tuple(exclude), ascending=True,
                 kind=f"among_smallest_{places}", within=places)


def above(a: Operand, b: Operand) -> Compare:
    """``a > b``: one group above another, a share above a threshold ("more than half": ``above(x, 50)``)."""
    return Compare(a, b, ">")


def below(a: Operand, b: Operand) -> Compare:
    return Compare(a, b, "<")


def at_least(a: Operand, b: Operand) -> Compare:
    return Compare(a, b, ">=")


def at_most(a: Operand, b: Operand) -> Compare:
    return Compare(a, b, "<=")


def grew(before: Operand, after: Operand) -> Compare:
    """A change up: the later value is larger."""
    return Compare(after, before, ">")


def fell(before: Operand, after: Operand) -> Compare:
    """A change down: the later value is smaller."""
    return Compare(after, before, "<")


def ratio_at_least(a: Operand, b: Operand, k: float) -> Ratio:
    """``a`` is at least ``k`` times ``b`` ("twice as many": k=2)."""
    return Ratio(a, b, k)


def about(a: Operand, b: Operand, within: float) -> Close:
    """``a`` and ``b`` are about the same: they differ by at most ``within``."""
    return Close(a, b, within)


def all_of(*parts: Predicate) -> AllOf:
    return AllOf(tuple(parts))


# --- declaration ------------------------------------------------------------------------------------

CLAIMS: dict[str, tuple[str, Predicate]] = {}  # claim name -> (chapter, predicate)


def claims(chapter: str, **predicates: Predicate) -> None:
    """Declare the claims of a chapter: ``name=predicate``; a name is unique in the book."""
    for name, predicate in predicates.items():
        if not isinstance(predicate, Predicate):
            raise TypeError(f"claim '{name}' of {chapter}: {predicate!r} is not a predicate (largest, above, ...)")
        owner = CLAIMS.get(name, (chapter,))[0]
        if owner != chapter:
            raise ValueError(f"claim '{name}' is declared in the facts of both {owner} and {chapter}")
        CLAIMS[name] = (chapter, predicate)


def not_checkable(chapter: str, **reasons: str) -> None:
    """Declare claims the data cannot decide, each with its reason (an expert's view, a finding the data
    does not hold)."""
    claims(chapter, **{name: NotCheckable(reason) for name, reason in reasons.items()})


def declared() -> dict[str, tuple[str, Predicate]]:
    """Every claim of the book (imports every facts module)."""

    for module in pkgutil.iter_modules(facts.__path__):
        importlib.import_module(f"{facts.__name__}.{module.name}")
    return CLAIMS


def evaluate(name: str) -> Verdict:
    return declared()[name][1].evaluate()


def label_of(term: Term) -> tuple[str, str] | None:
    """The scheme and id that name a term: its own, or the key of its one data row (a region, an answer)."""
    if term.scheme:
        return term.scheme, term.id
    if len(term.quantity.origin) == 1:
        pairs = [p.partition("=") for p in term.quantity.origin[0].key.split(";")]
        named = [(d, i) for d, _, i in pairs if i not in ("kz", "all", "all_types_mean")]
        if len(named) == 1:
            return named[0]
    return None


__all__ = ["claims", "not_checkable", "largest", "smallest", "ranked", "leading", "above", "below", "at_least",
           "at_most", "grew", "fell", "ratio_at_least", "about", "all_of", "row", "Verdict", "Label"]
