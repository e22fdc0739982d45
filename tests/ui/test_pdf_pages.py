"""Page images are pdfium's own rendering, pixel for pixel (kapdesk.ui.pdf_pages)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PySide6.QtGui import QImage
from reportlab.pdfgen import canvas

from kapdesk.ui.pdf_pages import PdfPages


def _pdf() -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(300, 200))
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.rect(20, 20, 120, 60, fill=1)
    pdf.drawString(30, 150, "Page one")
    pdf.showPage()
    pdf.drawString(30, 150, "Page two")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_a_page_image_holds_pdfiums_pixels_and_owns_them(qapp: object) -> None:
    data = _pdf()
    pages = PdfPages(data)
    image = pages.image(0, 144.0)
    pages.close()  # the image must not depend on pdfium's memory any more
    doc = pdfium.PdfDocument(data)
    bitmap = doc[0].render(
        scale=2.0, fill_color=(255, 255, 255, 255), force_bitmap_format=pdfium_c.FPDFBitmap_BGRx
    )
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    expected = bytes(bitmap.buffer)
    doc.close()
    assert (image.width(), image.height()) == (width, height) == (600, 400)
    assert image.format() == QImage.Format.Format_RGB32
    rows = [bytes(image.constScanLine(y))[: width * 4] for y in range(height)]
    assert rows == [expected[y * stride : y * stride + width * 4] for y in range(height)]
    red = image.pixelColor(80, 400 - 100)  # inside the filled rectangle
    assert (red.red(), red.green(), red.blue()) == (204, 26, 26)
