"""What a build of the editions is asked for (``Options``) and what the build of one edition gives back
(``Result``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpers.core.problems import Checks


@dataclass
class Options:
    langs: tuple[str, ...] = ()  # the editions to build; (): every edition the book declares
    formats: tuple[str, ...] = ("html", "pdf")
    cache: bool = True  # False: execute everything, rebuild even an up-to-date edition
    strict: bool = False
    timeout: int = 600
    output: Path | None = None  # default <root>/output
    only: tuple[str, ...] = ()  # chapter file stems: a quick build of some chapters (numbering restarts)
    jobs: int = 0  # editions built at the same time, in separate processes; 0: one per core, at most one per edition
    checks: Checks = field(default_factory=Checks)  # the book's checks, run at fixed points of the build
    stage_threads: int = 1  # an edition's stages run at once (web pages and notebooks beside the PDF): the cores
    # left to it by the editions built at the same time (set by ``build_editions``)


@dataclass
class Result:
    lang: str
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    executed: int = 0
    cached: int = 0
    notebooks: dict = field(default_factory=dict)
    up_to_date: bool = False  # nothing changed since the build in the output folder: nothing was done
    pandoc_reused: int = 0  # pandoc conversions taken from the cache
    reads: dict = field(default_factory=dict)  # files the chapters read besides data/ and the helpers (for the log)
    uncacheable: bool = False  # a chapter read a data file outside the project: never "up to date"
    held: bool = False  # built, but the output in place was kept: the book's checks refused a strict build

