"""Helpers that regenerate every figure, table and number of the 2019 national report on the NGO sector.

One flow, one direction: ``data`` (loading, labels, provenance) -> ``validate`` / ``stats`` / ``audit`` ->
presentation (``fmt``, ``i18n``, ``figures``, ``tables``) -> ``book`` (what chapter cells call) ->
``build`` (the engines) -> ``cli``; ``trace`` answers where a printed number comes from (``report trace``).
"""

__version__ = "0.1.0"
