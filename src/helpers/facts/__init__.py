"""Named quantities of the report, one module per chapter, computed from data/ (never formatted).

A chapter's prose refers to them as ``n.<name>``: ``n = b.numbers("ch2")`` in the chapter's setup cell.
A fact is a function without arguments returning a ``stats.Quantity``, a ``stats.Label`` or a list of them.
"""

from __future__ import annotations

import importlib
from typing import Callable

REGISTRY: dict[str, dict[str, Callable]] = {}


def fact(chapter: str):
    """Register a function as a named fact of ``chapter`` (its name is the function's name)."""

    def register(func: Callable) -> Callable:
        REGISTRY.setdefault(chapter, {})[func.__name__] = func
        return func

    return register


def of(chapter: str) -> dict[str, Callable]:
    """The facts of a chapter (imports ``helpers.facts.<chapter>``)."""
    importlib.import_module(f"{__name__}.{chapter}")
    return REGISTRY.get(chapter, {})
