"""The print file of an edition, for the printing house: the options a printer asks for, and its page boxes.

``report: print:`` in the config (defaults in ``DEFAULTS``):

- ``bleed-mm``: the bleed around the A4 trim (the book has no picture running off the page, so the bleed
  stays white; printers ask for it all the same);
- ``crop-marks``: marks at the trim corners, in a 10 mm slug beyond the bleed;
- ``profile``: ``pdf-a-2a`` (Typst's own output: PDF/A-2a and PDF/UA-1, fonts embedded and subset, sRGB
  with its output intent, tagged: the print file is the archival file too) or ``pdf-x-3`` (converted to
  CMYK PDF/X-3 by Ghostscript, ``gs`` on PATH: its tags are lost, so the edition's A4 PDF stays the
  archival, accessible copy).

Typst writes no TrimBox or BleedBox: they are set here (pikepdf), from the same sizes the template uses.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable

from . import BuildError

DEFAULTS = {"bleed-mm": 3, "crop-marks": True, "profile": "pdf-a-2a"}
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
    set_boxes(raw, options["bleed-mm"], SLUG_MM if options["crop-marks"] else 0)
    if options["profile"] == "pdf-x-3":
        to_pdfx(raw, dest)
        raw.unlink()
    else:
        raw.replace(dest)


def set_boxes(path: Path, bleed_mm: float, slug_mm: float) -> None:
    """TrimBox (the A4 page) and BleedBox (trim plus bleed) of every page, inside the MediaBox (the sheet)."""
    import pikepdf

    off, bleed = (bleed_mm + slug_mm) * PT_PER_MM, bleed_mm * PT_PER_MM
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            page.trimbox = [x0 + off, y0 + off, x1 - off, y1 - off]
            page.bleedbox = [x0 + off - bleed, y0 + off - bleed, x1 - off + bleed, y1 - off + bleed]
        pdf.save(path, deterministic_id=True)


def to_pdfx(source: Path, dest: Path) -> None:
    """CMYK PDF/X-3 by Ghostscript's pdfwrite (its default CMYK profile as the output intent)."""
    gs = shutil.which("gs")
    if gs is None:
        raise BuildError("report.print.profile 'pdf-x-3' needs Ghostscript ('gs' on PATH; Debian: apt-get install "
                         "ghostscript), or set the profile to 'pdf-a-2a'")
    proc = subprocess.run([gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-dPDFX",
                           "-sColorConversionStrategy=CMYK", "-dPDFSETTINGS=/prepress", "-dEmbedAllFonts=true",
                           f"-sOutputFile={dest}", str(source)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"Ghostscript could not convert the print file to PDF/X-3: {proc.stderr.strip()[-500:]}")
