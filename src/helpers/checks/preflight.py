"""``report preflight``: the print file checked as a printing house checks it before accepting it.

Per file (pikepdf reads the objects and the content streams, pypdfium2 the text layer):

- every font embedded (a font file in its descriptor; Type 3 glyphs are drawn by the file itself) and subset;
- every raster image at ``min_dpi`` or more at the size it is printed (from the transformation matrix in
  force where it is drawn, through nested forms); vector drawings need no resolution;
- page boxes: every page the same sheet, a TrimBox of the expected trim size (A4), a BleedBox between
  the TrimBox and the MediaBox;
- colour: the colour spaces used, and an output intent when device colour is used;
- no draft mark (the document's keywords, the draft word as text), no unresolved reference (``??``);
- the page count a multiple of ``pages_multiple`` (2: the sheets are printed on both sides);
- the file well formed for qpdf (pikepdf's syntax check) and every page interpreted, without an error or a
  repair message, by an independent PDF interpreter: Ghostscript, on which many printing houses' RIPs and
  preflight tools are built (skipped, and said so, where it is not installed).

Each problem names the page and the object (font name, image name, box).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from helpers.core.processes import child_setup
from helpers.lang import i18n

PT_PER_MM = 72 / 25.4
A4_MM = (210.0, 297.0)
DRAFT_KEYWORD = "draft"  # the draft build's PDF carries it among the document's keywords
DRAFT_WORDS = tuple(words["draft"] for words in i18n.WORDS.values())  # the draft mark of every edition
UNRESOLVED = re.compile(r"\?\?[\w-]*")


@dataclass
class Report:
    path: Path
    pages: int = 0
    fonts: dict[str, str] = field(default_factory=dict)  # font name -> "embedded, subset" | problem
    images: int = 0
    lowest_dpi: float | None = None
    colour_spaces: set[str] = field(default_factory=set)
    output_intent: str = ""
    trim_mm: tuple[float, float] | None = None
    bleed_mm: float = 0.0
    interpreted: str = ""  # which independent interpreter read every page, or why none did
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def summary(self) -> list[str]:
        trim = f"{self.trim_mm[0]:.0f} × {self.trim_mm[1]:.0f} mm" if self.trim_mm else "?"
        dpi = f", the lowest {self.lowest_dpi:.0f} dpi" if self.lowest_dpi is not None else ""
        lines = [f"{self.path}: {self.pages} pages, trim {trim}, bleed {self.bleed_mm:.1f} mm",
                 f"  fonts: {len(self.fonts)} ({', '.join(sorted(self.fonts))})",
                 f"  raster images: {self.images}{dpi}; colour spaces: {', '.join(sorted(self.colour_spaces)) or '-'}"
                 f"; output intent: {self.output_intent or 'none'}",
                 f"  interpreted: {self.interpreted or '-'}"]
        grouped: dict[str, list[str]] = {}  # the same problem on many pages: one line
        for problem in self.problems:
            m = re.match(r"page (\d+): (.*)", problem)
            grouped.setdefault(m.group(2) if m else problem, []).append(m.group(1) if m else "")
        for message, pages in grouped.items():
            where = [p for p in pages if p]
            label = (f"page {where[0]}: " if len(where) == 1 else f"pages {', '.join(where[:8])}"
                     + (f" and {len(where) - 8} more" if len(where) > 8 else "") + ": ") if where else ""
            lines.append(f"  FAIL {label}{message}")
        lines.append("  preflight: " + ("passed" if self.passed else f"{len(self.problems)} problem(s)"))
        return lines


def check(path: Path, *, min_dpi: float = 300, trim_mm: tuple[float, float] = A4_MM, pages_multiple: int = 2,
          draft_words: tuple[str, ...] = DRAFT_WORDS) -> Report:
    import pikepdf

    report = Report(Path(path))
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as err:
        report.problems.append(f"cannot be read as a PDF: {err}")
        return report
    with pdf:
        report.pages = len(pdf.pages)
        report.problems += [f"PDF syntax: {problem}" for problem in pdf.check_pdf_syntax()]
        _intent(pdf, report)
        _keywords(pdf, report)
        sheets = set()
        for number, page in enumerate(pdf.pages, start=1):
            sheets.add(tuple(round(float(v), 1) for v in page.mediabox))
            _boxes(page, number, trim_mm, report)
            images: list = []
            _resources(page.obj.get("/Resources"), number, report, set(), images)
            if images or _inline_images(page):  # content streams are parsed only where an image is drawn
                _draw(page, pikepdf.Matrix(), number, min_dpi, report, depth=0)
        if len(sheets) > 1:
            report.problems.append(f"the pages have {len(sheets)} different sizes (MediaBox): {sorted(sheets)[:3]}")
    if pages_multiple > 1 and report.pages % pages_multiple:
        report.problems.append(f"{report.pages} pages: not a multiple of {pages_multiple} (add or remove a page)")
    _text(path, draft_words, report)
    _interpret(Path(path), report)
    return report


def _interpret(path: Path, report: Report) -> None:
    """Every page run through Ghostscript (no output device): a file it stops on, or repairs with a message, is
    one a RIP may print differently from the screen."""
    gs = shutil.which("gs")
    if gs is None:
        report.interpreted = "not checked (Ghostscript is not installed; Debian: ghostscript)"
        return
    proc = subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage", "-dPDFSTOPONERROR",
                           str(path)], capture_output=True, text=True, errors="replace", timeout=900,
                          preexec_fn=child_setup())
    version = subprocess.run([gs, "--version"], capture_output=True, text=True,
                             preexec_fn=child_setup()).stdout.strip()
    messages = [line.strip() for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    report.interpreted = f"every page by Ghostscript {version}"
    if proc.returncode or messages:
        report.problems.append(f"Ghostscript {version} " + ("stops on the file" if proc.returncode else "reports an error in it")
                               + ": " + "; ".join(messages[:3]))


def _intent(pdf, report: Report) -> None:
    for intent in pdf.Root.get("/OutputIntents", []):
        name = str(intent.get("/Info", "")) or str(intent.get("/OutputConditionIdentifier", ""))
        report.output_intent = f"{str(intent.get('/S', '')).lstrip('/')} {name}".strip()


def _keywords(pdf, report: Report) -> None:
    words = str(pdf.docinfo.get("/Keywords", "")) if pdf.trailer.get("/Info") is not None else ""
    if DRAFT_KEYWORD in [w.strip().lower() for w in words.split(",")]:
        report.problems.append(f"document keywords: '{DRAFT_KEYWORD}': this is the draft build's PDF, not the "
                               "print file (report build --strict)")


def _boxes(page, number: int, trim_mm: tuple[float, float], report: Report) -> None:
    media = [float(v) for v in page.mediabox]
    trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
    bleed = [float(v) for v in page.obj.get("/BleedBox", trim)]
    size = ((trim[2] - trim[0]) / PT_PER_MM, (trim[3] - trim[1]) / PT_PER_MM)
    report.trim_mm = report.trim_mm or size
    if any(abs(a - b) > 0.5 for a, b in zip(size, trim_mm)):
        report.problems.append(f"page {number}: TrimBox {size[0]:.1f} × {size[1]:.1f} mm, expected "
                               f"{trim_mm[0]:.0f} × {trim_mm[1]:.0f} mm")
    inside = lambda a, b: a[0] >= b[0] - 0.01 and a[1] >= b[1] - 0.01 and a[2] <= b[2] + 0.01 and a[3] <= b[3] + 0.01
    if not inside(trim, bleed) or not inside(bleed, media):
        report.problems.append(f"page {number}: the boxes are not nested (TrimBox {trim}, BleedBox {bleed}, "
                               f"MediaBox {media})")
    report.bleed_mm = max(report.bleed_mm, min(trim[0] - bleed[0], bleed[2] - trim[2]) / PT_PER_MM)


def _resources(resources, number: int, report: Report, seen: set, images: list) -> None:
    """Fonts and colour spaces of a resource dictionary, and of the forms and Type 3 fonts it uses."""
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    for name, font in (resources.get("/Font") or {}).items():
        _font(font, name, number, report)
        if font.get("/Subtype") == "/Type3":
            _resources(font.get("/Resources"), number, report, seen, images)
    for cs in (resources.get("/ColorSpace") or {}).values():
        report.colour_spaces.add(_space_name(cs))
    for xobj in (resources.get("/XObject") or {}).values():
        if xobj.get("/Subtype") == "/Form":
            _resources(xobj.get("/Resources"), number, report, seen, images)
        elif xobj.get("/Subtype") == "/Image" and not xobj.get("/ImageMask", False):
            report.colour_spaces.add(_space_name(xobj.get("/ColorSpace")))
            images.append(xobj)


def _inline_images(page) -> bool:
    """Whether the page's content draws an inline image (``BI ... ID ... EI``: it has no resource entry)."""
    import pikepdf

    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    return any(re.search(rb"(^|\s)BI\s", stream.read_bytes()) for stream in streams)


def _space_name(cs) -> str:
    import pikepdf

    if isinstance(cs, pikepdf.Array) and len(cs):
        return str(cs[0]).lstrip("/")
    return str(cs).lstrip("/") if cs is not None else "?"


def _font(font, name, number: int, report: Report) -> None:
    base = str(font.get("/BaseFont", name)).lstrip("/")
    if base in report.fonts:
        return
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        report.fonts[base] = "Type 3"
        return
    descriptor = font.get("/FontDescriptor")
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts") or []
        descriptor = descendants[0].get("/FontDescriptor") if len(descendants) else None
    embedded = descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    report.fonts[base] = "embedded" if embedded else "NOT embedded"
    if not embedded:
        report.problems.append(f"page {number}: font {name} ({base}) is not embedded")
    elif not re.match(r"^[A-Z]{6}\+", base):
        report.problems.append(f"page {number}: font {name} ({base}) is embedded whole, not subset")


def _draw(container, ctm, number: int, min_dpi: float, report: Report, depth: int) -> None:
    """Follow the content stream's transformation matrix to every image and form it draws."""
    import pikepdf

    if depth > 8:
        return
    resources = container.get("/Resources") if not isinstance(container, pikepdf.Page) else container.obj.get("/Resources")
    xobjects = (resources or {}).get("/XObject") or {}
    stack, m = [], ctm
    for operands, operator in pikepdf.parse_content_stream(container):
        op = str(operator)
        if op == "q":
            stack.append(m)
        elif op == "Q":
            m = stack.pop() if stack else ctm
        elif op == "cm":
            m = pikepdf.Matrix(*[float(v) for v in operands]) @ m
        elif op == "Do":
            name = operands[0]
            xobj = xobjects.get(name)
            if xobj is None:
                continue
            if xobj.get("/Subtype") == "/Image":
                _image(xobj, str(name), m, number, min_dpi, report)
            elif xobj.get("/Subtype") == "/Form":
                inner = pikepdf.Matrix(*[float(v) for v in xobj.get("/Matrix", [1, 0, 0, 1, 0, 0])]) @ m
                _draw(xobj, inner, number, min_dpi, report, depth + 1)
        elif op == "INLINE IMAGE":
            image = operands[0].obj if hasattr(operands[0], "obj") else None
            if image is not None:
                _image(image, "inline image", m, number, min_dpi, report)


def _image(image, name: str, m, number: int, min_dpi: float, report: Report) -> None:
    if image.get("/ImageMask", False):
        return
    width, height = int(image.get("/Width", image.get("/W", 0))), int(image.get("/Height", image.get("/H", 0)))
    shown_w = math.hypot(m.a, m.b) / 72  # inches: the unit square scaled by the matrix in force
    shown_h = math.hypot(m.c, m.d) / 72
    if not shown_w or not shown_h:
        return
    dpi = min(width / shown_w, height / shown_h)
    report.images += 1
    report.lowest_dpi = dpi if report.lowest_dpi is None else min(report.lowest_dpi, dpi)
    if dpi < min_dpi:
        report.problems.append(f"page {number}: image {name} ({width} × {height} px) is printed at "
                               f"{shown_w * 25.4:.0f} × {shown_h * 25.4:.0f} mm: {dpi:.0f} dpi, below {min_dpi:.0f}")


def _text(path: Path, draft_words: tuple[str, ...], report: Report) -> None:
    import pypdfium2  # PDFium's text layer: measured 0.3 s for 54 pages, pypdf's extraction 7.4 s

    document = pypdfium2.PdfDocument(str(path))
    try:
        texts = [document[i].get_textpage().get_text_bounded() for i in range(len(document))]
    finally:
        document.close()
    for number, text in enumerate(texts, start=1):
        unresolved = UNRESOLVED.findall(text)
        if unresolved:
            report.problems.append(f"page {number}: unresolved reference {unresolved[0]!r} in the text")
        for word in draft_words:
            if re.search(rf"(?m)^\s*{word}\s*$", text):
                report.problems.append(f"page {number}: the draft mark '{word}' is on the page")
