"""The fonts every report uses: DejaVu Sans, bundled and embedded in each PDF.

The 14 standard PDF fonts cannot show "Nguyễn" (and reportlab's Vera lacks
Vietnamese too), so kapdesk ships DejaVu Sans 2.37 in ``resources/fonts``
(Bitstream Vera licence, which allows redistribution; ``LICENSE.txt`` beside
the files). They are read through importlib.resources, so an installed wheel
finds them wherever it lives. reportlab embeds only the glyphs a document uses.

Registering parses each TTF once per process (~15-20 ms of CPU each) or, usually, reads
the parse kept from an earlier process (``kapdesk.reports.font_cache``); later calls are
free.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib.resources import files

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from kapdesk.reports.font_cache import load_font


@dataclass(frozen=True)
class FontSet:
    """reportlab font names to use in styles and on the canvas."""

    regular: str = "DejaVuSans"
    bold: str = "DejaVuSans-Bold"
    italic: str = "DejaVuSans-Oblique"
    condensed: str = "DejaVuSansCondensed"
    condensed_bold: str = "DejaVuSansCondensed-Bold"


FONTS = FontSet()
FONT_FOLDER = "fonts"
_FILES = {
    FONTS.regular: "DejaVuSans.ttf",
    FONTS.bold: "DejaVuSans-Bold.ttf",
    FONTS.italic: "DejaVuSans-Oblique.ttf",
    FONTS.condensed: "DejaVuSansCondensed.ttf",
    FONTS.condensed_bold: "DejaVuSansCondensed-Bold.ttf",
}
_lock = threading.Lock()
_registered = False


class FontMissing(RuntimeError):
    """A bundled font file is not where the package should have it (a broken install)."""


def _load(name: str, filename: str) -> TTFont:
    resource = files("kapdesk.resources") / FONT_FOLDER / filename
    try:
        data = resource.read_bytes()
    except OSError as exc:
        raise FontMissing(
            f"The report font {filename} is missing from kapdesk/resources/{FONT_FOLDER} "
            f"({exc.strerror or exc}); reinstall kapdesk."
        ) from None
    return load_font(name, data)


def register_fonts() -> FontSet:
    """Register the bundled fonts with reportlab (once per process) and return their names."""
    global _registered
    if _registered:
        return FONTS
    with _lock:
        if not _registered:
            for name, filename in _FILES.items():
                pdfmetrics.registerFont(_load(name, filename))
            # <b> and <i> inside Paragraph markup resolve through this family mapping.
            addMapping(FONTS.regular, 0, 0, FONTS.regular)
            addMapping(FONTS.regular, 1, 0, FONTS.bold)
            addMapping(FONTS.regular, 0, 1, FONTS.italic)
            addMapping(FONTS.regular, 1, 1, FONTS.bold)
            addMapping(FONTS.condensed, 0, 0, FONTS.condensed)
            addMapping(FONTS.condensed, 1, 0, FONTS.condensed_bold)
            addMapping(FONTS.condensed, 0, 1, FONTS.condensed)
            addMapping(FONTS.condensed, 1, 1, FONTS.condensed_bold)
            _registered = True
    return FONTS
