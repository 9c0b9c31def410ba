"""Named quantities of the report, one module per chapter, computed from data/ (never formatted).

A chapter's prose refers to them as ``n.<name>``: ``n = b.numbers("ch2")`` in the chapter's setup cell.
A fact is a function without arguments returning a ``stats.Quantity``, a ``stats.Label`` or a list of them;
a fact that is one row of a data file is declared in a ``rows(...)`` table instead.
"""

from __future__ import annotations

import importlib
import sys
from types import SimpleNamespace
from typing import Callable

from helpers.core import session, stats

REGISTRY: dict[str, dict[str, Callable]] = {}


def _forget_chapters() -> None:
    """Between chapters: no fact registered and the chapter modules unloaded, so that the modules loaded at the
    end of a chapter are the ones it used (plus the shared ones loaded before it)."""
    for name in [m for m in sys.modules if m.startswith(f"{__name__}.")]:
        del sys.modules[name]
    REGISTRY.clear()


session.on_reset(_forget_chapters)


def fact(chapter: str):
    """Register a function as a named fact of ``chapter`` (its name is the function's name)."""

    def register(func: Callable) -> Callable:
        REGISTRY.setdefault(chapter, {})[func.__name__] = func
        return func

    return register


def rows(chapter: str, dataset: str, *, decimals: int | None = None, unit: str | None = None,
         **facts: dict) -> None:
    """Register facts that are each one row of ``dataset``: ``name=dict(dim=id, ...)``. A printed derived row is
    recomputed from its inputs (``stats.value``); ``decimals`` fixes the printed precision, ``unit`` the unit it
    is printed in (``"count"``: a number of years as a duration, not a calendar year)."""
    for name, key in facts.items():
        REGISTRY.setdefault(chapter, {})[name] = _row(name, dataset, key, decimals, unit)


def categories(chapter: str, dataset: str, column: str, by: str, **facts: str) -> None:
    """Register facts that are the ids of ``column`` (e.g. regions) whose ``by`` is one category, in file order:
    ``name="category"`` (the regions of one level of a map)."""
    for name, category in facts.items():
        REGISTRY.setdefault(chapter, {})[name] = _category(dataset, column, by, category)


def _category(dataset: str, column: str, by: str, category: str) -> Callable:
    def category_fact():
        return stats.labels_of(dataset, column, **{by: category})

    return category_fact


def _row(name: str, dataset: str, key: dict, decimals: int | None, unit: str | None) -> Callable:
    def row_fact():
        q = stats.value(dataset, **key)
        q = q if unit is None else q.as_(unit)
        return q if decimals is None else q.as_(decimals=decimals)

    row_fact.__name__ = row_fact.__qualname__ = name  # as a claim's operand it is named by the fact

    return row_fact


def declared(chapter: str) -> SimpleNamespace:
    """The facts of ``chapter`` registered so far, by name (``F.trust_charity_full``): the operands of its
    claims that are declared in a table rather than written as functions."""
    return SimpleNamespace(**REGISTRY.get(chapter, {}))


def of(chapter: str) -> dict[str, Callable]:
    """The facts of a chapter (imports ``helpers.facts.<chapter>``)."""
    importlib.import_module(f"{__name__}.{chapter}")
    return REGISTRY.get(chapter, {})
