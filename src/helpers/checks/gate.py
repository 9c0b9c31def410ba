"""One gate for both engines: the book's checks, in the order a build reaches them.

1. ``data``: every data file against its schema and the cross-file rules (``report check``). A failure stops
   the build: nothing after it can be trusted.
2. ``book``: what the book as a whole may not contain: a chapter one edition lacks, editions that differ, a
   term the glossary does not allow, a claim bound in one edition only, an audit finding nobody has
   acknowledged, an imprint field left unset. The claims are evaluated here, once for every edition.
3. per edition (``BookChecks`` is the engine's ``Checks``): the claims' verdicts on its pages (``claims.csv``,
   ``FALSE-CLAIM``), the gap panels it shows, and for the printer its print file (preflight).

Every check returns ``Problem``s; ``core.problems.BLOCKS_PRINT`` says which a printed report may not contain.
A draft prints them as warnings. ``--strict`` lists every blocking problem of every stage it reaches (the
editions are built, but not swapped in, when the book's checks found one) and then refuses.
"""

from __future__ import annotations

import sys
from collections import Counter

from pathlib import Path
from typing import Callable

from helpers.checks import audit, glossary, parity, preflight, prose_claims, prose_numbers
from helpers.core import config, data, gap_decisions, paths, validate
from helpers.core.cache import ByReads, Key, Store, sha_or_none
from helpers.core.data import DataError
from helpers.core.errors import BuildError
from helpers.core.problems import Checks, Problem, blocking, of_lines


def checked_inputs(root: Path, name: str) -> str:
    """What the data check and the audit's summary depend on: the data, the helper package's modules, Python and
    the libraries that read and validate the data."""
    return validate.data_and_modules(root, name).libraries("frictionless", "shapely").hexdigest()


# --- 1. the data --------------------------------------------------------------------------------------

def data_problems(root: Path) -> list[Problem]:
    """``report check``'s problems of the data folder (file, row, column, rule, fix)."""
    return [Problem("DATA", str(err), getattr(err, "file", ""), True) for err in validate.check(paths.data_dir(root))]


def data_checked(root: Path, cache: bool = True) -> bool:
    """Whether the data and the checking code are those of the last passed check."""
    return cache and Store(root, "check").get(checked_inputs(root, "check")) is True


def remember_check(root: Path) -> None:
    Store(root, "check").put(checked_inputs(root, "check"), True)


# --- 2. the book --------------------------------------------------------------------------------------

def language_problems(root: Path, cache: bool = True) -> list[Problem]:
    """Terminology (data/glossary.csv) in the chapters and chart labels; the editions' parity; the numbers in
    the prose. Each chapter's findings are kept with the chapter's text and the data files they read
    (``.cache/book-checks``), so a prose edit checks again the edited chapter (and its pairs) only; ``cache``
    False checks everything."""
    folder, langs = paths.data_dir(root), config.langs(root)
    memo = _per_chapter(root, cache)

    def kept(*what, compute) -> list[str]:
        return memo.get(Key(*what).hexdigest(), compute)

    def text(path: Path) -> str:
        return sha_or_none(path) or ""

    try:
        has_glossary = "glossary" in data.dataset_ids(folder)
        found = [line for path in glossary.chapters(root) if has_glossary
                 for line in kept("terms", path.relative_to(root).as_posix(), text(path),
                                  compute=lambda: glossary.chapter_terms(root, path, folder))]
        found += kept("label terms", compute=lambda: glossary.label_terms(folder)) if has_glossary else []
    except (DataError, KeyError) as err:
        found = [f"GLOSSARY: {err}"]
    first, *others = langs
    for other in others:
        for kind in (parity.skeletons, parity.terms):
            for name in parity.pairs(root, first, other):
                found += kept("parity", kind.__name__, other, name,
                              [text(root / "chapters" / x / name) for x in (first, other)],
                              compute=lambda: kind(root, first, other, name, folder))
    try:
        found += [line for lang in langs for path in prose_claims.chapter_files(root, lang)
                  for line in kept("numbers", lang, path.relative_to(root).as_posix(), text(path),
                                   compute=lambda: prose_numbers.chapter_problems(root, lang, [path]))]
    except DataError as err:
        found += [f"NUMBER-WORD: data/{err}"]
    memo.save()
    return of_lines(found)


def _per_chapter(root: Path, cache: bool) -> ByReads:
    """The chapters' checks' findings, with the data files each read; the code that checks, the declared
    editions and the names of the data files (a file added, such as a list of allowed numbers, checks again)
    key the whole."""
    folder = paths.data_dir(root)
    listing = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    code = Key("book-checks").add("python", sys.version).libraries("pandas", "numpy", "pyyaml") \
        .package((".py",)).add("editions", config.langs(root)).add("data files", listing).hexdigest()
    return ByReads(Store(root, "book-checks", enabled=cache), "chapters", code, folder)


def audit_summary(root: Path, cache: bool = True) -> tuple[str, list[str]]:
    """One line for the build, and the ids of the findings nobody has acknowledged."""
    def run() -> dict:
        result = audit.run(paths.data_dir(root))
        counts = result.counts()
        shown = sum(counts[s] for s in ("error", "warning", "minor"))
        return {"line": f"audit: {shown} finding(s) in the printed report ({counts['error']} error(s)), "
                        f"{shown - len(result.open)} acknowledged (report audit lists them)",
                "open": [audit.open_text(f) for f in result.open]}

    summary = Store(root, "audit-summary", cache).compute(checked_inputs(root, "audit-summary"), run)
    return summary["line"], summary["open"]


def imprint_problems(root: Path, langs: tuple[str, ...]) -> list[Problem]:
    """``IMPRINT-FIELD`` for each imprint field an edition leaves unset."""
    out = []
    for lang in langs:
        try:
            edition = config.load(root, lang)
        except BuildError:
            continue  # the build of that edition reports it
        for name in config.IMPRINT_FIELDS:
            value = edition.get(name)
            if value is None or not str(value).strip():
                out.append(Problem.of(f"IMPRINT-FIELD report.{name} is not set in _quarto-{lang}.yml or _quarto.yml "
                                      f"(give it, or for a code the report has none of write '{name}: {config.NOT_ASSIGNED}')"))
    return out


def book_problems(root: Path, langs: tuple[str, ...], cache: bool = True) -> tuple[list[str], list[Problem]]:
    """What the book as a whole may not contain: notes to print, and problems."""
    problems = of_lines(parity.untranslated(root) + prose_claims.parity(root)) + language_problems(root, cache)
    notes = []
    try:
        line, opened = audit_summary(root, cache)
        notes.append(line)
        problems += [Problem("UNACKNOWLEDGED-FINDING", f"UNACKNOWLEDGED-FINDING {i}: fix the data or explain it in "
                             f"data/{audit.REGISTER_FILE}", i.partition(" ")[0], True) for i in opened]
    except DataError as err:
        problems.append(Problem.of(f"AUDIT: {err}"))
    return notes, problems + imprint_problems(root, langs)


def source_claims(root: Path, langs: tuple[str, ...]) -> list[Problem]:
    """``FALSE-CLAIM`` for each claim marker of the chapters' sources that the data contradicts (for an engine
    that gives no pages to check, such as Quarto)."""
    return of_lines(prose_claims.false_claims(root, langs))


# --- 3. per edition -----------------------------------------------------------------------------------

class BookChecks(Checks):
    """The report's checks, given to an engine (``Options.checks``) and run by the command before it."""

    def __init__(self, root: Path, langs: tuple[str, ...], *, strict: bool = False, cache: bool = True,
                 say: Callable[[str], None] = print):
        self.root, self.langs, self.strict, self.cache, self.say = root, langs, strict, cache, say

    # run by the command (in its process, while the editions execute)
    def data_and_book(self) -> tuple[list[Problem], bool]:
        """The data check, then the book's checks: every problem found, and whether the data passed (when it
        did not, nothing later was checked)."""
        prose_claims.verdicts(self.root)  # evaluated once for all editions; they take them from the cache
        if data_checked(self.root, self.cache):
            self.say("check data/ ... unchanged since the last check")
        else:
            self.say("check data/ ...")
            found = data_problems(self.root)
            if found:
                return found, False
            self.say("report check: data/ is valid")
            remember_check(self.root)
        notes, problems = book_problems(self.root, self.langs, self.cache)
        for line in notes:
            self.say(line)
        return problems, True

    # the engine's hooks
    def gap_decisions(self) -> dict[str, str]:
        try:
            return {d.dataset: d.decision for d in gap_decisions.load(paths.data_dir(self.root)).values()}
        except DataError as err:
            raise BuildError(f"data/{err}") from None

    def gap_panels(self, lang: str, panels: list[tuple[str, str]], strict: bool) -> list[Problem]:
        decided = self.gap_decisions()  # the print build applies them; the draft shows every panel and says so
        register = gap_decisions.REGISTER_FILE
        return [Problem.of(f"GAP-PANEL at {place}: a diagram the source gives no values of ({dataset}); "
                           + (f"the print build follows data/{register}: {decided[dataset]}" if dataset in decided
                              else f"data/{register} has no decision for it (note or omit)"))
                for place, dataset in panels if not (strict and dataset in decided)]

    def edition(self, edition: config.Edition, pages: list, folder: Path,
                progress: Callable[[str], None] | None = None) -> list[Problem]:
        """Each claim marker of the pages gets its verdict; ``claims.csv`` lists them, the build counts them."""
        try:
            rows, warnings = prose_claims.check_edition(self.root, edition.lang, edition.files, pages,
                                                        prose_claims.verdicts(self.root))
        except prose_claims.ClaimError as err:
            raise BuildError(str(err)) from None
        prose_claims.write_csv(rows, folder / "claims.csv")
        for path, page in zip(edition.files, pages):  # words bound to a value the source gives in words: traced
            page.markdown = prose_numbers.annotate(page.markdown, path, edition.lang)
        warnings += prose_numbers.unworded_values(self.root, edition.lang, pages, edition.files)
        if progress:
            counts = Counter(r["holds"] for r in rows)
            progress(f"[{edition.lang}] claims: {len(rows)} marker(s): {prose_claims.summary(counts)}")
        return of_lines(warnings)

    def print_file(self, edition: config.Edition, path: Path, settings: dict,
                   progress: Callable[[str], None]) -> list[Problem]:
        """Preflight, with what the print settings demand of images and of the page count."""
        options = settings
        report = preflight.check(path, min_dpi=options["min-dpi"], pages_multiple=options["pages-multiple"])
        progress(f"[{edition.lang}] preflight: " + ("passed" if report.passed else f"{len(report.problems)} problem(s)")
                 + f" ({report.pages} pages, {len(report.fonts)} fonts embedded, {report.images} raster image(s))")
        return [Problem("PREFLIGHT", f"PREFLIGHT {path.name}: {problem}", path.name, True) for problem in report.problems]


def refusal(problems: list[Problem]) -> str:
    """The strict build's last line: how many blocking problems of which kinds it found."""
    found = list(dict.fromkeys(str(p) for p in blocking(problems)))
    codes = sorted({p.code for p in blocking(problems)})
    return (f"a build for the printer (--strict) may not contain these: {len(found)} problem(s) "
            f"({', '.join(codes)}); nothing was built")

