"""The print file of an edition, for the printing house: the options a printer asks for, and its page boxes.

``report: print:`` in the config (defaults in ``DEFAULTS``):

- ``bleed-mm``: the bleed around the A4 trim (the book has no picture running off the page, so the bleed
  stays white; printers ask for it all the same);
- ``crop-marks``: marks at the trim corners, in a 10 mm slug beyond the bleed;
- ``profile``: ``pdf-a-2a`` (Typst's own output: PDF/A-2a and PDF/UA-1, fonts embedded and subset, sRGB
  with its output intent, tagged: the print file is the archival file too) or ``pdf-x-3`` (converted to
  CMYK PDF/X-3 by Ghostscript, ``gs`` on PATH: its tags are lost, so the edition's A4 PDF stays the
  archival, accessible copy);
- ``min-dpi``, ``pages-multiple``: what preflight (``helpers.checks.preflight``) demands of raster images and of the
  page count.

Typst writes no TrimBox or BleedBox: they are set here (pikepdf), from the same sizes the template uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

from helpers.core.processes import child_setup
from helpers.core import config
from helpers.core.errors import BuildError

DEFAULTS = {"bleed-mm": 3, "crop-marks": True, "profile": "pdf-a-2a", "min-dpi": 300, "pages-multiple": 2}
PROFILES = ("pdf-a-2a", "pdf-x-3")
SLUG_MM = 10  # beyond the bleed, for the crop marks (book.typ's `slug`)
TRIM_MM = (210, 297)  # A4
PT_PER_MM = 72 / 25.4


def settings(config: dict) -> dict:
    """The print options of ``report: print:``, checked; unknown keys and values are errors."""
    given = dict(config or {})
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise BuildError(f"report.print: unknown option(s) {', '.join(unknown)} (known: {', '.join(DEFAULTS)})")
    out = {**DEFAULTS, **given}
    if out["profile"] not in PROFILES:
        raise BuildError(f"report.print.profile: '{out['profile']}' is not one of {', '.join(PROFILES)}")
    if not isinstance(out["bleed-mm"], (int, float)) or not 0 <= out["bleed-mm"] <= 10:
        raise BuildError(f"report.print.bleed-mm: {out['bleed-mm']!r} is not a number of millimetres from 0 to 10")
    out["crop-marks"] = bool(out["crop-marks"])
    return out


def typeset(compile_to: Callable[[Path, dict], list], options: dict, dest: Path) -> None:
    """Typeset the print file into ``dest`` (``compile_to(path, sys_inputs)`` runs Typst), set its boxes and,
    for ``pdf-x-3``, convert it."""
    options = {**DEFAULTS, **options}
    raw = dest.with_name(dest.stem + ".typst.pdf")
    compile_to(raw, {"press": {"print": True, "bleed-mm": options["bleed-mm"], "crop-marks": options["crop-marks"]}})
    set_boxes(raw, options["bleed-mm"], SLUG_MM if options["crop-marks"] else 0, options["pages-multiple"])
    if options["profile"] == "pdf-x-3":
        to_pdfx(raw, dest)
        raw.unlink()
    else:
        raw.replace(dest)


def set_boxes(path: Path, bleed_mm: float, slug_mm: float, pages_multiple: int = 1) -> None:
    """TrimBox (the A4 page) and BleedBox (trim plus bleed) of every page, inside the MediaBox (the sheet);
    blank pages at the end up to a multiple of ``pages_multiple`` (2: both sides of the last sheet)."""
    import pikepdf

    off, bleed = (bleed_mm + slug_mm) * PT_PER_MM, bleed_mm * PT_PER_MM
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        last = pdf.pages[-1].mediabox
        while pages_multiple > 1 and len(pdf.pages) % pages_multiple:
            blank = pdf.add_blank_page(page_size=(float(last[2]) - float(last[0]), float(last[3]) - float(last[1])))
            blank.obj.Contents = pdf.make_stream(b"q Q")  # an empty content stream is an error to Ghostscript
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            page.trimbox = [x0 + off, y0 + off, x1 - off, y1 - off]
            page.bleedbox = [x0 + off - bleed, y0 + off - bleed, x1 - off + bleed, y1 - off + bleed]
        pdf.save(path, deterministic_id=True)


def to_pdfx(source: Path, dest: Path) -> None:
    """CMYK PDF/X-3 by Ghostscript's pdfwrite, with Ghostscript's default CMYK profile as the output intent.

    Measured (a 54-page edition): 4.4 s, 995 -> 410 KB; fonts stay embedded and subset, the text stays
    searchable; the tags and the links go (PDF/X-3 allows no link annotations), the colours become CMYK."""

    gs = shutil.which("gs")
    if gs is None:
        raise BuildError("report.print.profile 'pdf-x-3' needs Ghostscript ('gs' on PATH; Debian: apt-get install "
                         "ghostscript), or set the profile to 'pdf-a-2a'")
    found = sorted(Path(p) for p in Path("/usr/share/ghostscript").glob("*/lib/PDFX_def.ps"))
    if not found:
        raise BuildError("Ghostscript's PDFX_def.ps is not in /usr/share/ghostscript/*/lib: cannot write PDF/X")
    icc = found[-1].parents[1] / "iccprofiles" / "default_cmyk.icc"
    definition = found[-1].read_text(encoding="latin-1").replace("(ISO Coated sb.icc)", f"({icc})").replace(
        "/Title (Title)", f"/Title ({dest.stem})")
    pdfx_def = dest.with_name(dest.stem + ".pdfx.ps")
    pdfx_def.write_text(definition, encoding="latin-1")
    try:
        proc = subprocess.run([gs, "-q", "-dSAFER", f"--permit-file-read={icc}", "-dBATCH", "-dNOPAUSE",
                               "-sDEVICE=pdfwrite", "-dPDFX", "-dPreserveAnnots=false",
                               "-sColorConversionStrategy=CMYK", "-dPDFSETTINGS=/prepress",
                               f"-sOutputFile={dest}", str(pdfx_def), str(source)], capture_output=True, text=True,
                              env={**os.environ, "SOURCE_DATE_EPOCH": str(config.epoch())},  # its dates
                              preexec_fn=child_setup())
    finally:
        pdfx_def.unlink(missing_ok=True)
    if proc.returncode != 0 or not dest.is_file():
        raise BuildError(f"Ghostscript could not convert the print file to PDF/X-3: {proc.stderr.strip()[-500:]}")
    _fixed_id(dest)


def _fixed_id(path: Path) -> None:
    """Ghostscript writes a random document ID into the trailer: one from the content keeps the build
    reproducible."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        del pdf.trailer.ID  # else qpdf keeps its first half
        pdf.save(path, deterministic_id=True)
