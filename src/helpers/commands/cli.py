"""The ``report`` command: build the book, check the data, list the gaps.

Each command imports what it needs when it runs, so that ``report --help`` and the quick commands do not load
pandas, Jupyter or Typst.
"""

from __future__ import annotations

import argparse
import faulthandler
import signal
import sys
import time
from pathlib import Path

from helpers.commands import ahead
from helpers.core import config, paths
from helpers.core.errors import BuildError
from helpers.core.processes import say, stop_on_signals

EPILOG = ("Examples: report build; report build --lang kk --to html; report check; report gaps; "
          'report trace "17 988"; report claims --unchecked')


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _langs(value: str | None, root: Path) -> tuple[str, ...] | None:
    """The editions of ``--lang kk,ru`` (all the book declares when not given); ``None`` (after saying why)
    when one is unknown."""
    try:
        declared = config.langs(root)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return None
    langs = _split(value) if value else declared
    for lang in langs:
        if lang not in declared:
            print(f"error: unknown language '{lang}': use --lang {','.join(declared)}", file=sys.stderr)
            return None
    return langs


def _root(args) -> Path:
    return Path(args.root).resolve() if args.root else paths.project_root()


def elsewhere(root: Path, explicit: bool = False) -> list[str]:
    """What would make a build of ``root`` use another folder's files without a word: a ``REPORT_ROOT`` left
    pointing at another copy of the project, or a helper package installed from another copy."""
    import os

    from helpers import __file__ as package_init

    out = []
    env = os.environ.get("REPORT_ROOT")
    here = next((f for f in (Path.cwd().resolve(), *Path.cwd().resolve().parents) if (f / paths.MARKER).exists()), None)
    if env and not explicit and here is not None and here != root:
        out.append(f"REPORT_ROOT={env}: building {root}, not the project of the current folder ({here})")
    own, used = root / "src" / "helpers", Path(package_init).resolve().parent
    if own.is_dir() and own.resolve() != used:
        out.append(f"the helpers package in use is {used}, not this project's {own}: edits to this project's "
                   "helpers do not count (install this copy: rm -rf .venv && make book)")
    return out


def say_drift(root: Path) -> str | None:
    """The one line that says, before anything else, that the installed packages are not the lock's (returned
    as said)."""
    from helpers.core import environment

    line = environment.drift_line(root)
    if line:
        print(f"warning: {line}", file=sys.stderr, flush=True)
        return f"warning: {line}"
    return None


def cmd_check(args) -> int:
    from helpers.checks import gate

    root = _root(args)
    problems = gate.data_problems(root)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        print(f"report check: {len(problems)} problem(s) in data/", file=sys.stderr)
        return 1
    print("report check: data/ is valid")
    found = gate.language_problems(root)
    for p in found:
        print(f"{'error' if args.strict else 'warning'}: {p}", file=sys.stderr)
    if found:
        print(f"report check: {len(found)} language or parity problem(s) in the chapters", file=sys.stderr)
        return 1 if args.strict else 0
    return 0


def cmd_gaps(args) -> int:
    import os

    from helpers.core import data

    os.environ.setdefault("REPORT_ROOT", str(_root(args)))
    register = data.gaps()
    if args.format == "csv":
        register.to_csv(sys.stdout, index=False)
    else:
        for _, row in register.iterrows():
            number = row["printed_number"]
            printed = row["printed_kind"] + (f" {int(number)}" if number == number and number else "")
            print(f"{row['dataset']:<40} {printed:<12} {row['key']}")
        print(f"{len(register)} missing value(s) in {register['dataset'].nunique()} dataset(s)")
    return 0


def cmd_audit(args) -> int:
    import os

    from helpers.checks import audit
    from helpers.core.data import DataError
    from helpers.present import audit_report

    root = _root(args)
    os.environ.setdefault("REPORT_ROOT", str(root))
    try:
        if args.pin:
            changed = audit.pin_register(paths.data_dir(root))
            print(f"data/{audit.REGISTER_FILE}: values recorded for {len(changed)} acknowledgement(s)"
                  + "".join(f"\n  {i}" for i in changed))
        result = audit.run(paths.data_dir(root))
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    target = Path(args.output).resolve() if args.output else root / "output" / "audit"
    written = audit.write(result, target, explain=audit_report.explain)
    if args.format == "json":
        sys.stdout.write(written[0].read_text(encoding="utf-8") + "\n")
    elif args.format == "csv":
        sys.stdout.write(written[1].read_text(encoding="utf-8"))
    else:
        print(audit_report.terminal(result))
        print(f"written: {', '.join(str(p) for p in written)}")
    if result.open:
        print(f"error: {len(result.open)} finding(s) neither acknowledged in data/{audit.REGISTER_FILE} nor "
              "fixed in the data:", file=sys.stderr)
        for f in result.open:
            print(f"  {audit.open_text(f)}: {audit_report.explain(f)}", file=sys.stderr)
        return 1
    return 0


def load_engine() -> None:
    """Import what a build runs beyond the no-change path (``helpers.commands.ahead`` does it before an edit)."""
    from helpers.engines import bytecode

    bytecode.hash_checked()  # before the engine's modules are imported: they run as they are now
    # jsonschema, which nbformat imports, builds the grammars of rfc3987-syntax at import where that is installed
    # (JupyterLab brings it): about 1 s, for checks of IRI formats that writing a notebook never makes
    sys.modules.setdefault("rfc3987_syntax", None)
    import multiprocessing.popen_fork  # noqa: F401 - the editions' processes
    import multiprocessing.synchronize  # noqa: F401 - and their locks

    import packaging.markers  # noqa: F401 - the lock's markers, for the drift line said before a build

    import helpers.checks.gate  # noqa: F401
    import helpers.engines.builtin  # noqa: F401


def cmd_build(args) -> int:
    from helpers.core import stamp

    start = time.perf_counter()
    root = _root(args)
    formats = _split(args.to)
    for fmt in formats:
        if fmt not in ("html", "pdf"):
            print(f"error: unknown format '{fmt}': use --to html,pdf", file=sys.stderr)
            return 2
    langs = _langs(args.lang, root)
    if langs is None:
        return 2
    output = Path(args.output).resolve() if args.output else None
    out_root = output or root / "output"
    # the no-change path (core.stamp): a stat of the inputs and outputs, nothing imported, nothing read
    ctx = stamp.context({"root": str(root), "langs": list(langs), "formats": sorted(formats), "only": args.only,
                         "timeout": args.timeout, "output": str(out_root)})
    stamped = not (args.no_cache or args.strict or args.engine != "builtin")
    lines = stamp.current_lines(out_root, ctx, langs) if stamped else None
    if lines is not None:
        for line in elsewhere(root, explicit=bool(args.root)):
            say(f"warning: {line}", sys.stderr)
        for stream, line in lines:
            say(line, sys.stderr if stream == "err" else None)
        print(f"built in {time.perf_counter() - start:.1f} s")
        return 0
    before = stamp.inputs(root, out_root) if stamped else {}
    stamp.forget(out_root)  # a build under way, or killed, leaves no stamp: only one that succeeds writes it
    replay: list[list[str]] = []  # what a build with nothing changed would print

    def said(line: str, stream=None, again: bool = True) -> None:
        say(line, stream)
        if again:
            replay.append(["err" if stream is sys.stderr else "out", line])

    load_engine()
    from helpers.checks import gate
    from helpers.core.problems import Problem, blocking, of_lines
    from helpers.engines import builtin
    from helpers.engines.options import Options

    drift = say_drift(root)
    if drift:
        replay.append(["err", drift])
    for line in elsewhere(root, explicit=bool(args.root)):
        say(f"warning: {line}", sys.stderr)

    def check_line(line: str) -> None:
        """The checks' lines; a check that ran says, when run again, that nothing changed."""
        say(line)
        if line == "check data/ ...":
            line = "check data/ ... unchanged since the last check"
        if line != "report check: data/ is valid":
            replay.append(["out", line])

    checks = gate.BookChecks(root, langs, strict=args.strict, cache=not args.no_cache, say=check_line)
    found: list[Problem] = []  # what the data and book checks reported

    def data_and_book() -> str:
        """The data check, then the book's checks: what the editions may do with their output."""
        problems, data_passed = checks.data_and_book()
        found.extend(problems)
        for p in problems:
            said(f"{'error' if args.strict or not data_passed else 'warning'}: {p}", sys.stderr)
        if not data_passed:
            print("error: the data does not pass 'report check'; nothing was built", file=sys.stderr)
            return builtin.STOP
        return builtin.HOLD if args.strict and blocking(problems) else builtin.GO

    try:
        if args.engine == "quarto":
            return _build_with_quarto(root, langs, formats, output, data_and_book, args.strict)
        opts = Options(langs=langs, formats=formats, cache=not args.no_cache, strict=args.strict,
                       timeout=args.timeout, output=output, only=_split(args.only), jobs=args.jobs, checks=checks)

        def done(res) -> None:
            replay.append(["out", f"[{res.lang}] up to date: chapters, config, data, helpers and versions unchanged "
                                  "since the last build"])
            for w in sorted(set(res.warnings)):
                said(f"[{res.lang}] warning: {w}", sys.stderr)
            what = ("up to date" if res.up_to_date else
                    f"{res.executed} chapter(s) executed, {res.cached} cached")
            if not res.held:
                say(f"[{res.lang}] done: {len(res.outputs)} files in {builtin.output_root(root, opts)}/{res.lang} "
                    f"({what})")
                replay.append(["out", f"[{res.lang}] done: {len(res.outputs)} files in "
                                      f"{builtin.output_root(root, opts)}/{res.lang} (up to date)"])

        # the checks run while the editions are built; these replace their output only if they passed
        try:
            results = builtin.build_editions(root, opts, progress=say, done=done,
                                             gate=data_and_book)
        except BuildError as err:
            if args.strict and blocking(found):  # the editions' problems, then the refusal of them all
                for line in str(err).splitlines():
                    print(f"error: {line}", file=sys.stderr)
                print(f"error: {gate.refusal(found + of_lines([line.strip() for line in str(err).splitlines()]))}",
                      file=sys.stderr)
                return 1
            raise
        if results is None:
            stamp.forget(out_root)
            return 1
        if any(res.held for res in results):
            print(f"error: {gate.refusal(found)}", file=sys.stderr)
            stamp.forget(out_root)
            return 1
    except BuildError as err:
        stamp.forget(out_root)
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        print("the previous output, if any, is unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stamp.forget(out_root)
        print("interrupted: the previous output is unchanged", file=sys.stderr)
        return 130
    if stamped and not any(res.uncacheable for res in results):
        stamp.write(out_root, ctx, before, langs, replay)
    else:
        stamp.forget(out_root)
    print(f"built in {time.perf_counter() - start:.1f} s")
    return 0


def _build_with_quarto(root: Path, langs: tuple[str, ...], formats: tuple[str, ...], output: Path | None,
                       data_and_book, strict: bool) -> int:
    """The same data and book checks, then Quarto; claims are checked on the chapters' sources. What
    ``--strict`` cannot apply to Quarto's output is said in one line (README, Engines)."""
    from helpers.checks import gate
    from helpers.engines import builtin, quarto

    verdict = data_and_book()
    if verdict == builtin.STOP:
        return 1
    claims = gate.source_claims(root, langs)
    for p in claims:
        say(f"{'error' if strict else 'warning'}: {p}", sys.stderr)
    if verdict == builtin.HOLD or (strict and claims):
        print("error: a build for the printer (--strict) may not contain these; Quarto was not run", file=sys.stderr)
        return 1
    quarto.build(root, langs, formats, output=output)
    if strict:
        print("note: --strict with the quarto engine checked the data, the book and the claims; it cannot check "
              "Quarto's pages for unresolved references or gap panels, nor make and preflight a print file",
              file=sys.stderr)
    return 0


def cmd_verify(args) -> int:
    from helpers.checks import gate
    from helpers.engines import verify

    root = _root(args)
    say_drift(root)
    langs = _langs(args.lang, root)
    if langs is None:
        return 2
    try:
        reports = verify.verify(root, langs, output=Path(args.output).resolve() if args.output else None,
                                progress=say,
                                checks=gate.BookChecks(root, langs, cache=False))
    except BuildError as err:
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    for rep in reports:
        for line in verify.summary(rep):
            say(line, sys.stdout if rep.same else sys.stderr)
    return 0 if all(rep.same for rep in reports) else 1


def cmd_trace(args) -> int:
    from helpers.commands import trace

    root = _root(args)
    output = Path(args.output).resolve() if args.output else root / "output"
    try:
        text, found = trace.report(args.number, output, paths.data_dir(root))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(text)
    return 0 if found else 1


def cmd_preflight(args) -> int:
    from helpers.checks import preflight
    from helpers.engines import builtin, press

    root = _root(args)
    output = Path(args.output).resolve() if args.output else root / "output"
    files = [(Path(f), press.DEFAULTS) for f in args.files]
    try:
        langs = () if args.files else _langs(args.lang, root)
        if langs is None:
            return 2
        for lang in langs:
            book = config.load(root, lang)
            files.append((output / lang / builtin.print_file(book), press.settings(book.get("print", {}))))
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = 0
    for path, options in files:
        if not path.is_file():
            print(f"error: {path} does not exist: the print file is written by 'report build --strict'",
                  file=sys.stderr)
            failed += 1
            continue
        rep = preflight.check(path, min_dpi=options["min-dpi"], pages_multiple=options["pages-multiple"])
        for line in rep.summary():
            say(line, sys.stdout if rep.passed else sys.stderr)
        failed += not rep.passed
    return 1 if failed else 0


def cmd_claims(args) -> int:
    from helpers.checks import prose_claims

    root = _root(args)
    langs = _langs(args.lang, root)
    if langs is None:
        return 2
    try:
        text, ok = prose_claims.report(root, langs, unchecked_only=args.unchecked)
    except prose_claims.ClaimError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(text)
    return 0 if ok else 1


def cmd_preview(args) -> int:
    from helpers.commands import preview

    root = _root(args)
    if _langs(args.lang, root) is None:
        return 2
    return preview.run(root, args.lang, port=args.port)


def cmd_rerun(args) -> int:
    from helpers.commands import rerun

    root = _root(args)
    say_drift(root)
    langs = _langs(args.lang, root)
    if langs is None:
        return 2
    output = Path(args.output).resolve() if args.output else root / "output"
    start = time.perf_counter()
    try:
        outcomes = rerun.rerun(root, output, langs, tuple(args.notebooks), timeout=args.timeout, jobs=args.jobs,
                               keep=Path(args.keep).resolve() if args.keep else None,
                               progress=say)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    differ = [o for o in outcomes if not o.reproduced]
    print(f"rerun: {len(outcomes) - len(differ)} of {len(outcomes)} notebook(s) reproduced in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr if differ else sys.stdout)
    return 1 if differ else 0


def cmd_kernel(args) -> int:
    from helpers.commands import lab

    for line in lab.install(args.prefix, args.user):
        print(line)
    return 0


def cmd_lab(args) -> int:
    from helpers.commands import lab

    root = _root(args)
    if _langs(args.lang, root) is None:
        return 2
    output = Path(args.output).resolve() if args.output else root / "output"
    return lab.run(root, output / args.lang / "notebooks", port=args.port, browser=not args.no_browser)


def run() -> None:
    """The ``report`` command as a process (``python -m helpers``, the ``report`` script): ``main``, then
    ``processes.exit_now``. An exception takes the usual way out."""
    from helpers.core.processes import exit_now

    exit_now(main())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == [ahead.FLAG]:  # a build's process started ahead of the edit (report preview)
        if not ahead.wait(load_engine):
            return 0
        argv = argv[1:]
    stop_on_signals()  # SIGTERM, SIGHUP: stop as Ctrl-C does, so that every command cleans up what it started
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 <pid>` prints where a command that seems to hang is
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    parser = argparse.ArgumentParser(prog="report", description="Build and check the NGO sector report.",
                                     epilog=EPILOG)
    parser.add_argument("--root", help="project folder (default: the one holding _quarto.yml)")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the editions (HTML site and PDF)")
    b.add_argument("--lang", default=None, help="editions, comma separated (default: every edition the book declares)")
    b.add_argument("--to", default="html,pdf", help="formats, comma separated (default html,pdf)")
    b.add_argument("--engine", choices=("builtin", "quarto"), default="builtin")
    b.add_argument("--no-cache", action="store_true", help="execute every chapter again")
    b.add_argument("--strict", action="store_true", help="final print: fail on gaps panels, broken references")
    b.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600)")
    b.add_argument("--output", help="output folder (default output/)")
    b.add_argument("--jobs", type=int, default=0, help="editions built at the same time, in separate processes "
                   "(default: one per core; 1: one after the other)")
    b.add_argument("--only", default="", help="build only these chapter files (stems, comma separated): "
                   "a quick look while writing; numbering restarts")
    b.set_defaults(func=cmd_build)
    v = sub.add_parser("verify", help="rebuild without the cache in a temporary folder and compare with the "
                       "manifests of output/")
    v.add_argument("--lang", default=None, help="editions, comma separated (default: every edition the book declares)")
    v.add_argument("--output", help="output folder holding the editions to verify (default output/)")
    v.set_defaults(func=cmd_verify)
    c = sub.add_parser("check", help="validate data/ against its schemas and cross-file rules; check the "
                       "chapters' terminology (data/glossary.csv) and that both editions have the same skeleton")
    c.add_argument("--strict", action="store_true", help="a language problem is an error (exit status 1)")
    c.set_defaults(func=cmd_check, language=True)
    g = sub.add_parser("gaps", help="list every value the sources do not give")
    g.add_argument("--format", choices=("text", "csv"), default="text")
    g.set_defaults(func=cmd_gaps)
    a = sub.add_parser("audit", help="recompute and cross-check every number the source prints")
    a.add_argument("--format", choices=("text", "json", "csv"), default="text")
    a.add_argument("--output", help="folder for findings.json and findings.csv (default output/audit)")
    a.add_argument("--pin", action="store_true", help="record in data/audit-acknowledged.csv the values each "
                   "acknowledgement covers now (after reviewing the findings)")
    a.set_defaults(func=cmd_audit)
    t = sub.add_parser("trace", help="where a number comes from: the prose that prints it (chapter, line, data "
                       "rows) and the data rows that hold it (file, row, source)")
    t.add_argument("number", help='the number as printed, e.g. "17 988", "50,7%%", 6,4')
    t.add_argument("--output", help="output folder of the built editions (default output/)")
    t.set_defaults(func=cmd_trace)
    pf = sub.add_parser("preflight", help="check the print PDFs as a printing house does: fonts, image resolution, "
                        "page boxes, colour, draft mark, unresolved references, page count")
    pf.add_argument("files", nargs="*", help="PDF files to check instead of the editions' print files")
    pf.add_argument("--lang", default=None, help="editions, comma separated (default: every edition the book declares)")
    pf.add_argument("--output", help="output folder of the built editions (default output/)")
    pf.set_defaults(func=cmd_preflight)


    cl = sub.add_parser("claims", help="the comparisons the prose makes, checked against the data; with "
                        "--unchecked the sentences with a comparative word bound to no claim")
    cl.add_argument("--lang", default=None, help="editions, comma separated (default: every edition the book declares)")
    cl.add_argument("--unchecked", action="store_true", help="only the sentences bound to no claim (and the "
                    "claims one edition lacks)")
    cl.set_defaults(func=cmd_claims)
    pv = sub.add_parser("preview", help="serve one edition's web pages on localhost, rebuilt and reloaded "
                        "when a chapter, the data or the helpers change")
    pv.add_argument("--lang", default="kk", help="edition: kk or ru (default kk)")
    pv.add_argument("--port", type=int, default=8000, help="port on localhost (default 8000; 0: any free port)")
    pv.set_defaults(func=cmd_preview)
    r = sub.add_parser("rerun", help="execute the published notebooks again in fresh kernels (in a temporary "
                       "folder) and compare every output; fails on any difference")
    r.add_argument("notebooks", nargs="*", help="notebooks to rerun (file name, chapter stem or path; default all)")
    r.add_argument("--lang", default=None, help="editions, comma separated (default: every edition the book declares)")
    r.add_argument("--output", help="output folder of the built editions (default output/)")
    r.add_argument("--keep", help="write the rerun notebooks into this folder (for nbdime's nbdiff-web)")
    r.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600)")
    r.add_argument("--jobs", type=int, default=0, help="notebooks run at the same time (default: one per core)")
    r.set_defaults(func=cmd_rerun)
    lb = sub.add_parser("lab", help="open JupyterLab on an edition's notebooks with the project's kernel "
                        "(needs the lab extra: make lab)")
    lb.add_argument("--lang", default="kk", help="edition: kk or ru (default kk)")
    lb.add_argument("--port", type=int, default=8888, help="port on localhost (default 8888)")
    lb.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lb.add_argument("--output", help="output folder of the built editions (default output/)")
    lb.set_defaults(func=cmd_lab)
    k = sub.add_parser("kernel", help="register the notebooks' kernel (ngo-report) and Jupyter's settings for "
                       "reproducible notebooks in this environment (make installs them)")
    k.add_argument("--prefix", help="environment to install into (default: this Python's, e.g. .venv)")
    k.add_argument("--user", action="store_true", help="into the user's Jupyter folders instead (an image whose "
                   "Jupyter runs from another environment, as binder/postBuild does)")
    k.set_defaults(func=cmd_kernel)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # a command without its own message
        say("interrupted", sys.stderr)
        return 130


if __name__ == "__main__":
    run()
