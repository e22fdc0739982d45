"""Reading printed summaries back: text per page with pypdf, whitespace flattened."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed to single spaces (table cells and wrapped
    lines come out one after another, so a row reads as its cells joined by spaces)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [flat(p.extract_text() or "") for p in reader.pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def document(pdf: bytes) -> str:
    return " ".join(pages(pdf))


def font_names(pdf: bytes) -> set[str]:
    """The fonts a PDF uses (subset prefixes like ABCDEF+ removed)."""
    names = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", pdf)
    return {n.decode().split("+")[-1] for n in names}


def in_order(text: str, *parts: str) -> bool:
    """Every part occurs in ``text``, each after the one before."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def fonts_showing_text(pdf: bytes) -> set[str]:
    """The fonts selected whenever text is shown (reportlab also declares Helvetica as
    /F1 and selects it in empty BT/ET blocks; that draws nothing and is not counted)."""
    reader = PdfReader(io.BytesIO(pdf))
    used: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        names = {key: str(fonts[key].get_object()["/BaseFont"]).split("+")[-1] for key in fonts}
        current = ""
        data = page.get_contents().get_data()
        for m in re.finditer(rb"(/[A-Za-z0-9+]+) [\d.]+ Tf|\)\s*Tj|\]\s*TJ", data):
            if m.group(1):
                current = m.group(1).decode()
            else:
                used.add(names.get(current, current).lstrip("/"))
    return used
