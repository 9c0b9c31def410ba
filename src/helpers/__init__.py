"""Helpers that regenerate every figure, table and number of the 2019 national report on the NGO sector.

The package is folders by concern, imported downward only (README, "The package"):
``lang`` and ``core`` -> ``facts`` -> ``checks`` -> ``present`` -> ``engines`` -> ``commands``.

What chapters and the published notebooks import is the public face, kept by name whatever the folders
become, so that a notebook published years ago still runs: ``helpers.book`` (chapters), ``helpers.review``
(the notebooks' first and last cells) and the modules of ``PUBLIC`` (appendix В reads the audit).
"""

from importlib import import_module

__version__ = "0.1.0"

PUBLIC = {"audit": "helpers.checks.audit", "audit_report": "helpers.present.audit_report"}


def __getattr__(name: str):
    if name in PUBLIC:
        return import_module(PUBLIC[name])
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
