"""PDF bytes to page images (pypdfium2), for the on-screen preview and for printing.

The preview and the printer are both fed from the exact bytes the report
service produced (and audited), so what is seen, printed and saved is one
document. Pillow is not needed: pdfium renders into a BGRx buffer, which on the
little-endian machines Qt runs on is QImage's ``Format_RGB32`` byte for byte.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QSizeF
from PySide6.QtGui import QImage

from kapdesk.domain.errors import KapdeskError

POINTS_PER_INCH: Final = 72.0
MAX_PIXELS: Final = 60_000_000  # one page image stays below ~240 MB whatever the zoom


class PdfUnreadable(KapdeskError):
    """The bytes are not a PDF pdfium can open (a bug in the report, never user input)."""


@dataclass(frozen=True)
class PageSize:
    """A page's size in PDF points (1/72 inch)."""

    width: float
    height: float

    def qsize(self) -> QSizeF:
        return QSizeF(self.width, self.height)


class PdfPages:
    """An open PDF: page count, page sizes and page images at a chosen resolution."""

    def __init__(self, pdf: bytes) -> None:
        import pypdfium2 as pdfium

        self.pdf = pdf
        try:
            self._doc: Any = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            text = QCoreApplication.translate(
                "PdfPages", "The report could not be read back as a PDF: {error}."
            )
            raise PdfUnreadable(text.format(error=exc)) from exc
        self.sizes = tuple(PageSize(*self._doc.get_page_size(i)) for i in range(len(self._doc)))

    def __len__(self) -> int:
        return len(self.sizes)

    def scale(self, index: int, dpi: float) -> float:
        """Pixels per PDF point of page ``index`` at ``dpi`` (less for a page too big)."""
        size = self.sizes[index]
        scale = dpi / POINTS_PER_INCH
        area = size.width * size.height * scale * scale
        if area > MAX_PIXELS:
            scale *= (MAX_PIXELS / area) ** 0.5
        return scale

    def pixel_size(self, index: int, dpi: float) -> tuple[int, int]:
        """The width and height of :meth:`image` at ``dpi``, without rendering it."""
        size, scale = self.sizes[index], self.scale(index, dpi)
        return math.ceil(size.width * scale), math.ceil(size.height * scale)  # as pdfium does

    def image(self, index: int, dpi: float) -> QImage:
        """Page ``index`` (0-based) rendered at ``dpi`` dots per inch, white background."""
        import pypdfium2.raw as pdfium_c

        scale = self.scale(index, dpi)
        page = self._doc[index]
        try:
            bitmap = page.render(
                scale=scale,
                fill_color=(255, 255, 255, 255),
                force_bitmap_format=pdfium_c.FPDFBitmap_BGRx,
                draw_annots=True,
            )
            # QImage only borrows pdfium's buffer (no bytes() copy of it first: ~2 ms a page
            # at 100 %); the bitmap stays open until the copy owns its pixels.
            width, height, stride = int(bitmap.width), int(bitmap.height), int(bitmap.stride)
            view = QImage(bitmap.buffer, width, height, stride, QImage.Format.Format_RGB32)
            image: QImage = view.copy()
            del view
            bitmap.close()
        finally:
            page.close()
        image.setDotsPerMeterX(round(scale * POINTS_PER_INCH / 0.0254))
        image.setDotsPerMeterY(round(scale * POINTS_PER_INCH / 0.0254))
        return image

    def close(self) -> None:
        self._doc.close()


def page_images(pdf: bytes, dpi: float) -> list[QImage]:
    """Every page of ``pdf`` as an image (convenience for tests and small documents)."""
    pages = PdfPages(pdf)
    try:
        return [pages.image(i, dpi) for i in range(len(pages))]
    finally:
        pages.close()
