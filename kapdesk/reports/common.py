"""The page every kapdesk report is printed on, and the pieces documents share.

* Header on every page: clinic name and document title on the left; patient
  name, MRN and date of birth on the right; a rule under it.
* Footer on every page: who printed it and when (local time with zone), a
  confidentiality line, and "Page X of Y" (filled in when the document is
  complete: the canvas keeps each page until it knows the total).
* A diagonal "DEMO" watermark behind the content when the data comes from a
  demo database, so a demo printout can never pass for a patient record.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from kapdesk.i18n import _
from kapdesk.reports.columns import fit_words
from kapdesk.reports.fonts import FONTS, register_fonts
from kapdesk.services.report_data.model import PageHeader
from kapdesk.services.report_data.model import Table as TableData

PAGE = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 27 * mm
MARGIN_BOTTOM = 19 * mm
CONTENT_WIDTH = PAGE[0] - 2 * MARGIN_X

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5a5f66")
ACCENT_HEX = "#1f4e79"
ACCENT = colors.HexColor(ACCENT_HEX)
RULE = colors.HexColor("#9aa5b1")
GRID = colors.HexColor("#c5ccd3")
HEAD_BG = colors.HexColor("#e4e9ef")
ZEBRA = colors.HexColor("#f6f8fa")
MARK_BG = {
    "elevated": colors.HexColor("#fff4d6"),
    "alert": colors.HexColor("#ffe3cc"),
    "critical": colors.HexColor("#f9d0d0"),
    "bad": colors.HexColor("#fbe3e3"),
}
WATERMARK = colors.Color(0.80, 0.10, 0.10, alpha=0.13)
ERROR_MARK = "error"  # a row entered in error: struck through, its note beneath (muted)
MUTED_HEX = "#5a5f66"


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    subhead: ParagraphStyle  # a heading inside a note: stays with its text
    note_meta: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    head: ParagraphStyle
    banner: ParagraphStyle
    caution: ParagraphStyle  # amber: e.g. a discharge against unmet criteria
    signed: ParagraphStyle
    label: ParagraphStyle
    empty: ParagraphStyle


def _boxed(
    name: str,
    body: ParagraphStyle,
    inks: tuple[str | None, str, str],
    space: tuple[float, float],
    **more: Any,
) -> ParagraphStyle:
    """A paragraph in a coloured, bordered box; ``inks`` = (text or None, fill, border).
    The border (drawn padding-wide outside) lines up with the tables."""
    ink, back, border = inks
    if ink is not None:
        more["textColor"] = colors.HexColor(ink)
    return ParagraphStyle(
        name,
        parent=body,
        backColor=colors.HexColor(back),
        borderColor=colors.HexColor(border),
        borderWidth=0.8,
        borderPadding=(4, 5, 4, 5),
        leftIndent=5,
        rightIndent=5,
        spaceBefore=space[0],
        spaceAfter=space[1],
        **more,
    )


def make_styles() -> Styles:
    f = register_fonts()
    body = ParagraphStyle(
        "body", fontName=f.regular, fontSize=8.8, leading=11.6, textColor=INK, alignment=TA_LEFT
    )
    cell = ParagraphStyle("cell", fontName=f.condensed, fontSize=7.6, leading=9.2, textColor=INK)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=7.6, leading=9.6),
        muted=ParagraphStyle("muted", parent=body, fontSize=7.4, leading=9.4, textColor=MUTED),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=f.bold,
            fontSize=10.6,
            leading=13,
            textColor=ACCENT,
            spaceBefore=9,
            spaceAfter=3,
        ),
        h3=ParagraphStyle(
            "h3",
            parent=body,
            fontName=f.bold,
            fontSize=8.8,
            leading=11.2,
            spaceBefore=4,
            spaceAfter=1,
            keepWithNext=1,
        ),
        subhead=ParagraphStyle("subhead", parent=body, fontName=f.bold, keepWithNext=1),
        note_meta=ParagraphStyle(
            "note_meta", parent=body, fontSize=7.4, leading=9.4, textColor=MUTED, keepWithNext=1
        ),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=f.condensed_bold),
        head=ParagraphStyle(
            "head", parent=cell, fontName=f.condensed_bold, textColor=colors.HexColor("#22303c")
        ),
        banner=_boxed(
            "banner",
            body,
            ("#8a1414", "#fbe3e3", "#c62828"),
            (6, 8),
            fontName=f.bold,
            fontSize=9.4,
            leading=12,
        ),
        caution=_boxed("caution", body, ("#7a4b00", "#fdf0d6", "#d9a441"), (4, 6), fontName=f.bold),
        signed=_boxed("signed", body, (None, "#e8f3ea", "#2e7d32"), (6, 6)),
        label=ParagraphStyle("label", parent=body, fontName=f.bold, textColor=MUTED, fontSize=8),
        empty=ParagraphStyle("empty", parent=body, spaceBefore=5, spaceAfter=1, textColor=MUTED),
    )


def text(value: str) -> str:
    """Escape for Paragraph markup, keeping line breaks."""
    # xml.sax.saxutils.escape, without its import of urllib.request and http.client
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


class SectionRule(Flowable):  # type: ignore[misc]
    """A thin accent rule under a section heading."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width = width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, 4

    def draw(self) -> None:
        self.canv.setStrokeColor(ACCENT)
        self.canv.setLineWidth(0.8)
        self.canv.line(0, 3, self.width, 3)


def heading(title: str, st: Styles) -> list[Flowable]:
    """A section title with a rule; starts a new page rather than sit alone at the bottom.

    (Not keepWithNext: that would glue the heading to a whole long table and push
    both to the next page, leaving the rest of this one empty.)
    """
    return [CondPageBreak(84), Paragraph(text(title), st.h2), SectionRule(CONTENT_WIDTH)]


def empty_section(title: str, message: str, st: Styles) -> Flowable:
    """A section with nothing to show, in one line instead of a heading and a blank."""
    return Paragraph(
        f'<font color="{ACCENT_HEX}"><b>{text(title)}:</b></font> {text(message)}',
        st.empty,
    )


def _cell(value: str, width: float, style: ParagraphStyle) -> Any:
    """Plain strings draw fastest; text that would not fit gets a wrapping Paragraph."""
    needs_wrap = "\n" in value or (stringWidth(value, style.fontName, style.fontSize) > width - 6)
    return Paragraph(text(value), style) if needs_wrap else value


def _struck(value: str, style: ParagraphStyle) -> Paragraph:
    """A cell of a row entered in error: the value kept, struck through, muted."""
    return Paragraph(f'<font color="{MUTED_HEX}"><strike>{text(value)}</strike></font>', style)


def table(
    data: TableData,
    widths: Sequence[float],
    st: Styles,
    *,
    bold_columns: Sequence[int] = (),
    header: bool = True,
) -> list[Flowable]:
    """A ruled table that splits across pages with its header row repeated."""
    if not data.rows:
        return [Paragraph(text(data.empty_text), st.muted), Spacer(0, 2)]
    scale = CONTENT_WIDTH / sum(widths)
    col_w = [w * scale for w in widths]
    # Measured in the table's widest font (the bold header) with the cell padding: no word
    # is broken at a column edge ('intrana sal').
    col_w = fit_words(col_w, [data.columns, *data.rows], FONTS.condensed_bold, 7.6, 6.5)
    rows: list[list[Any]] = []
    if header:
        rows.append([Paragraph(text(c), st.head) for c in data.columns])
    start = 1 if header else 0
    at: list[int] = []  # the table row of each data row (notes add rows beneath)
    spans: list[int] = []
    for k, row in enumerate(data.rows):
        struck = k < len(data.row_marks) and data.row_marks[k] == ERROR_MARK
        at.append(len(rows))
        rows.append(
            [
                _struck(v, st.cell)
                if struck
                else _cell(v, col_w[i], st.cell_bold if i in bold_columns else st.cell)
                for i, v in enumerate(row)
            ]
        )
        line = data.row_notes[k] if k < len(data.row_notes) else ""
        if line:
            spans.append(len(rows))
            rows.append([Paragraph(f"<i>{text(line)}</i>", st.cell), *([""] * (len(row) - 1))])
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONTS.condensed, 7.6, 9.2),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LINEBELOW", (0, start), (-1, -1), 0.25, GRID),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
    ]
    for i in bold_columns:
        style.append(("FONT", (i, start), (i, -1), FONTS.condensed_bold, 7.6, 9.2))
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ]
    style.append(("ROWBACKGROUNDS", (0, start), (-1, -1), [colors.white, ZEBRA]))
    for i, mark in enumerate(data.row_marks):
        if mark in MARK_BG:
            style.append(("BACKGROUND", (0, at[i]), (-1, at[i]), MARK_BG[mark]))
    for r in spans:
        style.append(("SPAN", (0, r), (-1, r)))
    t = Table(rows, colWidths=col_w, repeatRows=1 if header else 0, hAlign="LEFT")
    t.setStyle(TableStyle(style))
    out: list[Flowable] = [t]
    if data.caption:
        out += [Spacer(0, 2), Paragraph(text(data.caption), st.muted)]
    return out


def facts_table(pairs: Sequence[tuple[str, str]], st: Styles, short: int = 34) -> Table:
    """Label / value pairs: two short pairs share a row, a long one takes a whole row."""
    label_w = 31 * mm
    value_w = CONTENT_WIDTH / 2 - label_w
    rows: list[list[Any]] = []
    spans: list[tuple[Any, ...]] = []
    pending: list[Any] = []
    for k, v in pairs:
        cells = [Paragraph(text(k), st.label), Paragraph(text(v), st.body)]
        if len(v) <= short:
            pending += cells
            if len(pending) == 4:
                rows.append(pending)
                pending = []
            continue
        if pending:
            rows.append([*pending, "", ""])
            pending = []
        rows.append([*cells, "", ""])
        spans.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
    if pending:
        rows.append([*pending, "", ""])
    t = Table(rows, colWidths=[label_w, value_w, label_w, value_w], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 0.8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8),
                *spans,
            ]
        )
    )
    return t


# ---------------------------------------------------------------- the page


def _fit(c: rl_canvas.Canvas, value: str, font: str, size: float, width: float) -> float:
    """The font size (down to 6 pt) at which ``value`` fits ``width``."""
    while size > 6 and stringWidth(value, font, size) > width:
        size -= 0.5
    return size


def _draw_page(c: rl_canvas.Canvas, doc: BaseDocTemplate, h: PageHeader) -> None:
    w, ht = PAGE
    left, right = MARGIN_X, w - MARGIN_X
    top = ht - 11 * mm
    c.saveState()
    half = (right - left) / 2 - 6
    c.setFillColor(INK)
    size = _fit(c, h.clinic_name, FONTS.bold, 10.5, half)
    c.setFont(FONTS.bold, size)
    c.drawString(left, top, h.clinic_name)
    size = _fit(c, h.patient_name, FONTS.bold, 10.5, half)
    c.setFont(FONTS.bold, size)
    c.drawRightString(right, top, h.patient_name)
    c.setFont(FONTS.regular, 8.4)
    c.setFillColor(ACCENT)
    title = h.title + (f"  ·  {h.subtitle}" if h.subtitle else "")
    c.drawString(left, top - 12, title)
    c.setFillColor(INK)
    if h.mrn:  # a document about one patient (not the cohort table)
        c.drawRightString(
            right, top - 12, _("MRN {mrn}   ·   DOB {dob}", mrn=h.mrn, dob=_day(h.date_of_birth))
        )
    c.setStrokeColor(RULE)
    c.setLineWidth(0.7)
    c.line(left, top - 17, right, top - 17)

    base = 10 * mm
    c.line(left, base + 8, right, base + 8)
    c.setFont(FONTS.regular, 7)
    c.setFillColor(MUTED)
    c.drawString(left, base, _("Printed by {who} on {when}", who=h.printed_by, when=h.printed_at))
    notice = (
        _("DEMO DATA – not a patient record") if h.demo else _("Confidential patient information")
    )
    # kapdesk check --seal compares the seal
    seal = _(" · record seal {seal}", seal=h.seal) if h.seal else ""
    c.drawString(left, base - 9, f"{notice} · kapdesk{seal}")
    c.restoreState()


class _NumberedCanvas(rl_canvas.Canvas):  # type: ignore[misc]
    """Holds every page until the end so each can say 'Page X of Y'.

    The DEMO watermark is drawn here too, last, so it lies translucent over
    table backgrounds instead of hidden under them.
    """

    def __init__(self, *args: Any, demo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._demo = demo

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONTS.bold, 8)
            self.setFillColor(INK)
            self.drawRightString(
                PAGE[0] - MARGIN_X,
                10 * mm,
                _("Page {number} of {total}", number=number, total=total),
            )
            if self._demo:
                self._watermark()
            super().showPage()
        super().save()

    def _watermark(self) -> None:
        self.saveState()
        self.setFillColor(WATERMARK)
        self.setFont(FONTS.bold, 150)
        self.translate(PAGE[0] / 2, PAGE[1] / 2)
        self.rotate(55)
        self.drawCentredString(0, -52, "DEMO")
        self.restoreState()


def build_pdf(story: list[Flowable], header: PageHeader, *, subject: str) -> bytes:
    """Lay out ``story`` on kapdesk pages and return the PDF bytes."""
    register_fonts()
    # Binary (Flate only) streams: ASCII85 on top costs ~15 ms a document in pure Python
    # and makes the file 25 % larger, for 7-bit safety nobody needs any more.
    rl_config.useA85 = 0
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=PAGE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{header.title} – {header.patient_name}"
        + (f" ({header.mrn})" if header.mrn else ""),
        author=header.clinic_name,
        subject=subject,
        creator="kapdesk",
    )
    frame = Frame(
        MARGIN_X, MARGIN_BOTTOM, CONTENT_WIDTH, PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM, id="body",
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
    )  # fmt: skip
    doc.addPageTemplates(
        [PageTemplate(id="page", frames=[frame], onPage=partial(_page_hook, header=header))]
    )
    doc.build(story, canvasmaker=partial(_NumberedCanvas, demo=header.demo))
    return buf.getvalue()


def _page_hook(c: rl_canvas.Canvas, doc: BaseDocTemplate, *, header: PageHeader) -> None:
    _draw_page(c, doc, header)


def _day(value: date) -> str:
    """A date of birth as the reader writes dates ('1980-04-01'; '01/04/1980')."""
    from kapdesk.i18n.formats import medium_date

    return medium_date(value)
