"""The ``report`` command: build the book, check the data, list the gaps."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import paths

EPILOG = ("Examples: report build; report build --lang kk --to html; report check; report gaps; "
          'report trace "17 988"')


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _root(args) -> Path:
    return Path(args.root).resolve() if args.root else paths.project_root()


def cmd_check(args) -> int:
    from .validate import check

    root = _root(args)
    problems = check(paths.data_dir(root))
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        print(f"report check: {len(problems)} problem(s) in data/", file=sys.stderr)
        return 1
    print("report check: data/ is valid")
    if getattr(args, "language", False):  # `report check` itself (the build reports these with the book's problems)
        found = language_problems(root)
        strict = getattr(args, "strict", False)
        for line in found:
            print(f"{'error' if strict else 'warning'}: {line}", file=sys.stderr)
        if found:
            print(f"report check: {len(found)} language or parity problem(s) in the chapters", file=sys.stderr)
            return 1 if strict else 0
    return 0


def language_problems(root: Path) -> list[str]:
    """Terminology (data/glossary.csv) in both editions' chapters and chart labels; the editions' parity."""
    from . import data, glossary, parity
    from .data import DataError

    try:
        has_glossary = "glossary" in data.dataset_ids(paths.data_dir(root))
        found = glossary.check(root, paths.data_dir(root)) if has_glossary else []
    except (DataError, KeyError) as err:
        found = [f"GLOSSARY: {err}"]
    return found + parity.check(root)


def cmd_gaps(args) -> int:
    import os

    from . import data

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

    from . import audit, audit_report
    from .data import DataError

    root = _root(args)
    os.environ.setdefault("REPORT_ROOT", str(root))
    try:
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
            print(f"  {f.id}: {audit_report.explain(f)}", file=sys.stderr)
        return 1
    return 0


def audit_summary(root: Path) -> tuple[str, list[str]]:
    """One line for the build, and the ids of findings nobody has acknowledged (kept while the data and the
    helpers are unchanged, like the data check)."""
    import json

    from . import audit
    from .build import builtin

    stamp = root / ".cache" / "audit.json"
    key = builtin.check_key(root)
    try:
        cached = json.loads(stamp.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return cached["line"], cached["open"]
    except (OSError, ValueError, KeyError):
        pass
    result = audit.run(paths.data_dir(root))
    counts = result.counts()
    shown = sum(counts[s] for s in ("error", "warning", "minor"))
    line = (f"audit: {shown} finding(s) in the printed report ({counts['error']} error(s)), "
            f"{shown - len(result.open)} acknowledged (report audit lists them)")
    opened = [f.id for f in result.open]
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"key": key, "line": line, "open": opened}), encoding="utf-8")
    except OSError:
        pass
    return line, opened


def book_problems(root: Path) -> tuple[list[str], list[str]]:
    """What the final print may not contain beyond one edition's pages: notes to print, and problems."""
    from .build import project
    from .data import DataError

    notes, problems = [], project.untranslated(root) + language_problems(root)
    try:
        line, opened = audit_summary(root)
        notes.append(line)
        problems += [f"UNACKNOWLEDGED-FINDING {i}: fix the data or explain it in data/audit-acknowledged.csv"
                     for i in opened]
    except DataError as err:
        problems.append(f"AUDIT: {err}")
    return notes, problems


def cmd_build(args) -> int:
    from .build import BuildError

    root = _root(args)
    langs, formats = _split(args.lang), _split(args.to)
    for fmt in formats:
        if fmt not in ("html", "pdf"):
            print(f"error: unknown format '{fmt}': use --to html,pdf", file=sys.stderr)
            return 2
    for lang in langs:
        if lang not in ("kk", "ru"):
            print(f"error: unknown language '{lang}': use --lang kk,ru", file=sys.stderr)
            return 2
    start = time.perf_counter()
    try:
        if args.engine == "quarto":
            from .build import quarto

            quarto.build(root, langs, formats)
            return 0
        from .build import builtin

        opts = builtin.Options(langs=langs, formats=formats, cache=not args.no_cache, strict=args.strict,
                               timeout=args.timeout, output=Path(args.output).resolve() if args.output else None,
                               only=_split(args.only), jobs=args.jobs)
        # the check depends only on data/ and the helper code: skipped when both are those of a passed check
        checked = opts.cache and builtin.data_checked(root)

        def gate() -> bool:
            """What must pass before any output is replaced: the data check and the book's problems."""
            if checked:
                print("check data/ ... unchanged since the last check", flush=True)
            else:
                print("check data/ ...", flush=True)
                if cmd_check(args) != 0:
                    print("error: the data does not pass 'report check'; nothing was built", file=sys.stderr)
                    return False
                builtin.remember_check(root)
            notes, problems = book_problems(root)
            for line in notes:
                print(line, flush=True)
            for line in problems:
                print(f"{'error' if opts.strict else 'warning'}: {line}", file=sys.stderr, flush=True)
            if problems and opts.strict:
                print("error: a build for the printer (--strict) may not contain these; nothing was built",
                      file=sys.stderr)
                return False
            return True

        if checked and not gate():
            return 1

        def done(res) -> None:
            for w in sorted(set(res.warnings)):
                print(f"[{res.lang}] warning: {w}", file=sys.stderr, flush=True)
            what = ("up to date" if res.up_to_date else
                    f"{res.executed} chapter(s) executed, {res.cached} cached")
            print(f"[{res.lang}] done: {len(res.outputs)} files in {builtin.output_root(root, opts)}/{res.lang} "
                  f"({what})", flush=True)

        # a check that has to run runs while the editions are built; they replace their output only if it passed
        if builtin.build_editions(root, opts, progress=lambda m: print(m, flush=True), done=done,
                                  gate=None if checked else gate) is None:
            return 1
    except BuildError as err:
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        print("the previous output, if any, is unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: the previous output is unchanged", file=sys.stderr)
        return 130
    print(f"built in {time.perf_counter() - start:.1f} s")
    return 0


def cmd_verify(args) -> int:
    from .build import BuildError, verify

    root = _root(args)
    langs = _split(args.lang)
    for lang in langs:
        if lang not in ("kk", "ru"):
            print(f"error: unknown language '{lang}': use --lang kk,ru", file=sys.stderr)
            return 2
    try:
        reports = verify.verify(root, langs, output=Path(args.output).resolve() if args.output else None,
                                progress=lambda m: print(m, flush=True))
    except BuildError as err:
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    for rep in reports:
        for line in verify.summary(rep):
            print(line, file=sys.stdout if rep.same else sys.stderr, flush=True)
    return 0 if all(rep.same for rep in reports) else 1


def cmd_trace(args) -> int:
    from . import trace

    root = _root(args)
    output = Path(args.output).resolve() if args.output else root / "output"
    try:
        text, found = trace.report(args.number, output, paths.data_dir(root))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(text)
    return 0 if found else 1


def cmd_preview(args) -> int:
    from . import preview

    if args.lang not in ("kk", "ru"):
        print(f"error: unknown language '{args.lang}': use --lang kk or --lang ru", file=sys.stderr)
        return 2
    return preview.run(_root(args), args.lang, port=args.port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="report", description="Build and check the NGO sector report.",
                                     epilog=EPILOG)
    parser.add_argument("--root", help="project folder (default: the one holding _quarto.yml)")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the editions (HTML site and PDF)")
    b.add_argument("--lang", default="kk,ru", help="editions, comma separated (default kk,ru)")
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
    v.add_argument("--lang", default="kk,ru", help="editions, comma separated (default kk,ru)")
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
    a.set_defaults(func=cmd_audit)
    t = sub.add_parser("trace", help="where a number comes from: the prose that prints it (chapter, line, data "
                       "rows) and the data rows that hold it (file, row, source)")
    t.add_argument("number", help='the number as printed, e.g. "17 988", "50,7%%", 6,4')
    t.add_argument("--output", help="output folder of the built editions (default output/)")
    t.set_defaults(func=cmd_trace)
    pv = sub.add_parser("preview", help="serve one edition's web pages on localhost, rebuilt and reloaded "
                        "when a chapter, the data or the helpers change")
    pv.add_argument("--lang", default="kk", help="edition: kk or ru (default kk)")
    pv.add_argument("--port", type=int, default=8000, help="port on localhost (default 8000; 0: any free port)")
    pv.set_defaults(func=cmd_preview)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
