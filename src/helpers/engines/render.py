"""Pandoc and Typst: pages of the HTML site and the print PDF, from assembled Markdown."""

from __future__ import annotations

import html
import json
import re
import subprocess
import importlib.util
import sys
from importlib import resources
from pathlib import Path
from string import Template

import pypandoc
import typst

from helpers import __version__
from helpers.core.processes import child_setup
from helpers.core import config
from helpers.core.cache import Key, Store
from helpers.core.config import Edition
from helpers.core.errors import BuildError
from helpers.core.files import write_atomic
from helpers.engines import linebreaks
from helpers.engines import press as press_file
from helpers.engines.assemble import Page
from helpers.lang import i18n, typography

# The book's Markdown: pandoc's, without implicit figures and without raw HTML or TeX in the prose (raw output
# for one format is written as a raw block, ```{=html}``` or ```{=typst}```): what a chapter says is then the
# same on the web, in print and in the notebooks, and pandoc reads it in half the time (it no longer tries every
# "<", "\" and "$" as the start of HTML or TeX)
READER = "markdown-implicit_figures-raw_html-native_divs-native_spans-raw_tex-latex_macros-tex_math_dollars"
RESOURCES = resources.files("helpers") / "resources"


def resource_path(name: str) -> Path:
    return Path(str(RESOURCES / name))


def pandoc(markdown: str, to: str, args: list[str], reader: str = READER) -> tuple[str, list[str]]:
    """Run pandoc with the project's Lua filter; returns the output and the filter's warnings."""
    cmd = [pypandoc.get_pandoc_path(), "-f", reader, "-t", to, "--lua-filter", str(resource_path("crossref.lua")),
           "--wrap=none", *args]
    proc = subprocess.run(cmd, input=markdown.encode("utf-8"), capture_output=True, preexec_fn=child_setup())
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise BuildError(f"pandoc failed ({to}): {err.strip()}")
    # pandoc has no Kazakh translation file; its word list is not used (the template and i18n supply words)
    benign = ("translations/", "Could not load translations", "has no translation defined")
    warnings = [line for line in err.splitlines() if line.strip() and not any(b in line for b in benign)]
    return proc.stdout.decode("utf-8"), warnings


# The print PDF's pieces: the template with a mark where the body goes, and the chapters, converted by one
# pandoc run with a boundary between them (``pandoc_pieces``), each piece cached by its own content
BODY_LINE = "// report: body\n"
BUILD_ID_STAND_IN = "f0e1d2c3b4a59687"  # in the frame's conversion, for the build id (``pdf``)
BODY_MARK = "```{=typst}\n" + BODY_LINE + "```\n"
BOUNDARY_LINE = "// report: chapter boundary\n"
BOUNDARY = "\n\n```{=typst}\n" + BOUNDARY_LINE + "```\n\n"


def pandoc_pieces(markdowns: list[str], to: str, args: list[str], reader: str = READER,
                  convert=None) -> tuple[list[str], list[str]]:
    """Each Markdown document converted, by one pandoc run (``convert``, default ``pandoc``) for all: joined
    with a boundary the writer passes through, the output split there. Each piece is stripped of the blank lines
    around it, so that it is the same whichever pieces it was converted with."""
    convert = convert or pandoc
    if not markdowns:
        return [], []
    output, warnings = convert(BOUNDARY.join(markdowns), to, args, reader)
    pieces = [piece.strip("\n") for piece in output.split(BOUNDARY_LINE)]
    if len(pieces) != len(markdowns):
        raise BuildError(f"pandoc ({to}): {len(pieces)} pieces for {len(markdowns)} chapters: a chapter "
                         "contains the line " + BOUNDARY_LINE.strip())
    return pieces, warnings


# --- HTML -------------------------------------------------------------------------------------------

def _strip_tags(text: str) -> str:
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _page_downloads(stem: str, words: dict) -> str:
    """Links to the chapter's notebook and source, published beside the site (``notebooks.write``)."""
    return (f'{words["downloads"]}: <a href="../notebooks/{stem}.ipynb" download>{words["notebook"]} (.ipynb)</a>'
            f' · <a href="../source/{stem}.qmd" download>{words["chapter_source"]} (.qmd)</a>')


def html_site(book: Edition, pages: list[Page], registry: dict, registry_path: Path, dest: Path,
              *, pdf_name: str, draft: bool = False) -> list[str]:
    """Write the multi-page site into ``dest``; returns the filter's warnings."""
    lang = book.lang
    others = [e for code, e in config.editions(book.root).items() if code != lang]  # the language switcher's
    words = i18n.WORDS[lang]
    template = Template(resource_path("page.html").read_text(encoding="utf-8"))
    dest.mkdir(parents=True, exist_ok=True)
    titles = []
    for page in pages:
        entry = registry.get(page.section_id, {})
        prefix = entry.get("prefix", "")
        titles.append(html.escape(f"{prefix} {page.title}".strip()))
    search, warnings = [], []
    for i, page in enumerate(pages):
        name = f"{page.stem}.html"
        markdown = typography.apply(page.markdown.replace("{csv-link}", words["download_csv"]), lang)
        body, warn = pandoc(markdown, "html5",
                            ["--metadata", f"crossref-registry={registry_path}", "--metadata", f"page={name}",
                             "--section-divs", "--id-prefix="])
        warnings += [f"{page.stem}: {w}" for w in warn]
        current = ' aria-current="page"'
        toc = "".join(f'<li><a href="{p.stem}.html"{current if j == i else ""}>{titles[j]}</a></li>'
                      for j, p in enumerate(pages))
        prev_link = (f'<a rel="prev" href="{pages[i - 1].stem}.html">← {words["previous"]}: {titles[i - 1]}</a>'
                     if i > 0 else "<span></span>")
        next_link = (f'<a rel="next" href="{pages[i + 1].stem}.html">{words["next"]}: {titles[i + 1]} →</a>'
                     if i + 1 < len(pages) else "<span></span>")
        banner = f'<aside class="draft-banner" aria-label="{words["draft"]}">{words["draft"]}</aside>' if draft else ""
        text = template.substitute(
            lang=lang, alternates=_alternates(others, name), switcher=_switcher(others, name), version=__version__,
            page_title=titles[i], book_title=html.escape(book.title), contents_word=words["contents"],
            search_word=words["search"], pager_word=words["pager"], toc=toc, body=body,
            prev_link=prev_link, next_link=next_link, pdf_href=f"../{pdf_name}", draft_banner=banner,
            page_downloads=_page_downloads(page.stem, words))
        (dest / name).write_text(text, encoding="utf-8")
        for rel, content in page.media.items():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        search.append({"href": name, "title": html.unescape(titles[i]), "text": _strip_tags(body)})
    assets = dest / "assets"
    assets.mkdir(exist_ok=True)
    for asset in ("style.css", "site.js"):
        (assets / asset).write_bytes(resource_path(asset).read_bytes())
    index = {"pages": search, "noResults": words["no_results"]}
    (assets / "search-index.js").write_text(
        "window.SEARCH_INDEX = " + json.dumps(index, ensure_ascii=False, sort_keys=True) + ";\n", encoding="utf-8")
    return warnings


def _alternates(others: list, name: str) -> str:
    """The page's counterparts in the other editions, for search engines and browsers (``hreflang``)."""
    return "\n".join(f'<link rel="alternate" hreflang="{e.code}" href="../../{e.code}/html/{name}">' for e in others)


def _switcher(others: list, name: str) -> str:
    """The language switcher: the same page in every other edition, each named in its own language."""
    return "".join(f'<a class="lang-switch" href="../../{e.code}/html/{name}" hreflang="{e.code}" lang="{e.code}">'
                   f'{html.escape(e.name)}</a>' for e in others)


def home_page(root: Path, out_root: Path) -> Path:
    """The combined output's home page (``output/index.html``): every edition the book declares, in its own
    language, with its web edition and its PDF."""
    items = []
    for code, lang in config.editions(root).items():
        book = config.load(root, code)
        pdf_name = f"ngo-report-{book.get('year')}-{code}.pdf"
        items.append(f'<li lang="{code}"><a class="edition" href="{code}/html/index.html" hreflang="{code}">'
                     f'{html.escape(book.title)}</a><br><span>{html.escape(i18n.WORDS[code]["edition"])} · '
                     f'<a href="{code}/{pdf_name}" hreflang="{code}">PDF</a></span></li>')
    first = config.langs(root)[0]
    text = Template(resource_path("home.html").read_text(encoding="utf-8")).substitute(
        lang=first, title=html.escape(config.load(root, first).title), version=__version__,
        editions="\n".join(items))
    target = out_root / "index.html"
    write_atomic(target, text)
    return target


# --- PDF --------------------------------------------------------------------------------------------

# archival and accessible: PDF/A-2a (tagged, Unicode text) and PDF/UA-1 (every figure has its text alternative)
PDF_STANDARDS = ["a-2a", "ua-1"]


def _plain(text: str) -> str:
    return re.sub(r'["\\\n]', " ", str(text))


# The imprint's fields (``report:`` of the config); a classification code the report has none of is declared
def imprint(book: Edition, build_id: str) -> dict:
    """The imprint's metadata for the template; a field left unset is printed "?" (the book's checks say so)."""
    words = i18n.WORDS[book.lang]
    meta = {}
    for name in config.IMPRINT_FIELDS:
        value = book.get(name)
        meta[name] = str(value).strip() if value is not None and str(value).strip() else "?"
    meta["codes"] = [{"label": words["imprint"][code],
                      "value": words["imprint"]["not_assigned"] if meta[code] == config.NOT_ASSIGNED else meta[code]}
                     for code in config.IMPRINT_CODES]
    meta.update({f"{key}-label": words["imprint"][key] for key in ("commissioned", "publisher", "citation",
                                                                   "licence", "build")})
    meta["build-id"] = build_id[:16]
    return meta


def pdf(book: Edition, pages: list[Page], registry_path: Path, workdir: Path, dest: Path,
        *, draft: bool = False, build_id: str = "", press: dict | None = None,
        print_dest: Path | None = None, memory: linebreaks.Memory | None = None,
        cache: Store | None = None) -> list[str]:
    """Typeset the whole edition as one PDF/A-2a and PDF/UA-1 file; returns the filter's warnings.

    With ``print_dest``, the same source is typeset a second time as the print file (``press``: bleed, crop
    marks, print profile; see ``helpers.engines.press``). ``memory``: the chapters' line breaks of earlier
    builds (``linebreaks.Memory``), which spare Typst's passes over the chapters that did not change; ``cache``:
    where the draft mark is kept once drawn."""
    words = i18n.WORDS[book.lang]
    workdir.mkdir(parents=True, exist_ok=True)
    for page in pages:
        for rel, content in {**page.media, **page.print_media}.items():  # charts with their text as text
            target = workdir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    meta = {
        # the title page's lines too: "доклад о развитии" never ends a line with "о"
        "title": typography.apply(book.title, book.lang),
        "subtitle": typography.apply(book.config.get("book", {}).get("subtitle", ""), book.lang),
        "lang": book.lang, "publisher": book.get("publisher"), "edition": words["edition"],
        "imprint": book.get("imprint"),
        "toc-title": words["contents"],
        "continued": words["continued"], "continued-plain": words["continued_plain"],
    }
    meta.update(imprint(book, build_id))
    if draft:
        meta["draft"] = True
        (workdir / DRAFT_MARK).write_text(draft_mark(words["draft"], cache), encoding="utf-8")
    meta_file = workdir / "metadata.json"
    # the frame is converted with a stand-in for the build id, put in its place after: the build id changes with
    # every edit, and the frame's conversion is then reused from the cache (the id is hexadecimal, which the
    # template prints as it is; a stand-in that is found in any other value is not used). The frame does not
    # name the registry (it has no cross-reference), which is in the staging folder, a new one for each build.
    ident = meta["build-id"]
    stand_in = BUILD_ID_STAND_IN if re.fullmatch(r"[0-9a-f]{16}", ident) and BUILD_ID_STAND_IN not in json.dumps(
        [meta, book.config], ensure_ascii=False, default=str) else None
    meta_file.write_text(json.dumps({**meta, "build-id": stand_in or ident}, ensure_ascii=False), encoding="utf-8")
    # what the chapters' conversion reads of the metadata (the Lua filter's): not the build id, so that an
    # unchanged chapter's conversion is reused from the cache
    chapter_meta = workdir / "chapter-metadata.json"
    chapter_meta.write_text(json.dumps({k: meta[k] for k in ("lang", "continued", "continued-plain")},
                                       ensure_ascii=False), encoding="utf-8")
    author = book.config.get("book", {}).get("author", "")
    # only the ids the chapters write become PDF destinations: ids made from Kazakh and Russian headings are
    # UTF-8 keys whose order qpdf-based tools read differently from Typst (and "repair")
    reader = READER + "-auto_identifiers"
    frame, warnings = pandoc(BODY_MARK, "typst", [
        "--standalone", "--template", str(resource_path("book.typ")), "--metadata-file", str(meta_file),
        "-V", f"title-plain={_plain(book.title)}", "-V", f"author-plain={_plain(author)}",
        "-V", f"hyphenate={'false' if typography.own_break_points(book.lang) else 'true'}",
        "-V", f"mainfont={_plain(mainfont(book))}"], reader=reader)
    if stand_in is not None:
        meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        frame = frame.replace(stand_in, ident)
    head, mark, tail = frame.partition(BODY_LINE)
    if not mark:
        raise BuildError(f"the print template {resource_path('book.typ')} has no $body$")
    chapters, chapter_warnings = pandoc_pieces(
        [typography.apply(page.markdown, book.lang) for page in pages], "typst",
        ["--metadata-file", str(chapter_meta), "--metadata", f"crossref-registry={registry_path}",
         *_hyphenation_filter(book.lang, workdir)], reader=reader)
    warnings += chapter_warnings
    typ = workdir / "book.typ"
    typ.write_text(head + "\n\n".join(chapters) + "\n" + tail, encoding="utf-8")
    parts, at = [], len(head)
    for chapter in chapters:
        parts.append((at, at + len(chapter)))
        at += len(chapter) + 2
    dest.parent.mkdir(parents=True, exist_ok=True)
    # soft hyphens only where a line breaks, so that the text layer has whole words (``linebreaks``)
    notes, breaks, learned = linebreaks.typeset(lambda out: _typeset(book, typ, workdir, out, {}), typ, dest,
                                                parts, memory.known if memory else lambda part: None)
    if memory:
        memory.learn(learned)
    if breaks.inside_words or breaks.page_end:
        warnings.append(f"HYPHENATION: {breaks.line()}")
    if print_dest is not None:
        press_file.typeset(lambda out, inputs: _typeset(book, typ, workdir, out, inputs), press or {}, print_dest)
    for note in notes:
        message = getattr(note, "message", str(note))
        if message.startswith("unknown font family"):
            family = message.split(":", 1)[1].strip()
            family = mainfont(book) if family == mainfont(book).lower() else family  # Typst says it in lower case
            raise BuildError(f"the font '{family}' is not available to Typst (fonts it has: "
                             f"{', '.join(available_fonts(book.root))}); set 'report: mainfont:' in _quarto.yml to "
                             "one of them, or put the font files into the project's fonts/ folder")
        warnings.append(f"TYPST: {message}")
    return warnings


def _typeset(book: Edition, typ: Path, workdir: Path, dest: Path, inputs: dict) -> list:
    try:
        _, notes = typst.compile_with_warnings(str(typ), output=str(dest), root=str(workdir),
                                               font_paths=font_paths(book.root), ignore_system_fonts=True,
                                               pdf_standards=PDF_STANDARDS, timestamp=config.epoch(),
                                               sys_inputs={k: json.dumps(v) for k, v in inputs.items()})
    except Exception as err:  # typst raises its own error type with the source location in the message
        raise BuildError(f"typst could not typeset the {book.lang} PDF: {err}") from None
    return notes


def _hyphenation_filter(lang: str, workdir: Path) -> list[str]:
    """The prose's break points as soft hyphens (Typst has no Kazakh patterns; the Russian ones are given the same
    way, so that ``linebreaks`` can keep a hyphenated word off a page's last line in both editions); none for a
    language Typst hyphenates by its own patterns (English)."""
    if not typography.own_break_points(lang):
        return []
    script = workdir / "hyphenation-filter"
    script.write_text(f"#!{sys.executable}\nfrom helpers.lang.kk_hyphenation import main\n"
                      f"from helpers.lang.typography import print_word\nmain(print_word({lang!r}))\n", encoding="utf-8")
    script.chmod(0o755)
    return ["--filter", str(script)]


DRAFT_MARK = "draft-mark.svg"


def draft_mark(word: str, cache: Store | None) -> str:
    """``draft_mark_svg`` of the word, from ``cache`` once drawn (drawing it loads matplotlib)."""
    if cache is None:
        return draft_mark_svg(word)
    key = Key("draft-mark", word).libraries("matplotlib").package([".py"]).hexdigest()
    slot = Key(word).hexdigest()[:16]  # one per word
    svg = cache.get(key, slot=slot)
    if not isinstance(svg, str):
        svg = draft_mark_svg(word)
        cache.put(key, svg, slot=slot)
    return svg


def draft_mark_svg(word: str, size: float = 90.0) -> str:
    """The draft mark drawn as outlines (no text), so that copying, search and screen readers skip it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MPath
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), word, size=size, prop=FontProperties(family="DejaVu Sans", weight="bold"))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    commands = {MPath.MOVETO: "M", MPath.LINETO: "L", MPath.CURVE3: "Q", MPath.CURVE4: "C"}
    d = []
    for points, code in path.iter_segments(simplify=False):
        if code == MPath.CLOSEPOLY:
            d.append("Z")
            continue
        xy = " ".join(f"{x - x0:.2f} {y1 - y:.2f}" for x, y in zip(points[::2], points[1::2]))
        d.append(commands[code] + xy)
    w, h = x1 - x0, y1 - y0
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2f}pt" height="{h:.2f}pt" '
            f'viewBox="0 0 {w:.2f} {h:.2f}"><path fill="#c81e1e" fill-opacity="0.16" d="{" ".join(d)}"/></svg>\n')


DEFAULT_FONT = "Libertinus Serif"  # bundled with Typst; covers every Kazakh letter


def mainfont(book: Edition) -> str:
    return str(book.get("mainfont") or DEFAULT_FONT)


def font_paths(root: Path) -> list[str]:
    """Fonts Typst may use besides its own: the project's fonts/ folder and matplotlib's DejaVu (the fallback
    for a letter the main font lacks, the same font the charts use)."""
    # matplotlib's data folder, found without importing matplotlib (``matplotlib.get_data_path()``)
    spec = importlib.util.find_spec("matplotlib")
    package = Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None
    folders = ([package / "mpl-data" / "fonts" / "ttf"] if package else []) + [root / "fonts"]
    return [str(p) for p in folders if p.is_dir()]


def available_fonts(root: Path) -> list[str]:
    """Text font families Typst can use here (system fonts are left out: the PDF must not depend on them)."""
    families = typst.Fonts(include_system_fonts=False, font_paths=font_paths(root)).families()
    return sorted({f for f in families if not re.match(r"(cm[a-z]+\d+|STIX|Last Resort)", f)})
