"""Lay out a cohort table (kapdesk.services.cohort) as PDF pages: what was selected, the
summary, the PHQ-9 trajectories plot, one row per course, and the definitions used."""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Group, Line, Polygon, PolyLine, Rect
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from kapdesk.domain.cohort import CohortTable, definitions, median_trajectory
from kapdesk.domain.cohort_cells import shown_cells, shown_columns
from kapdesk.domain.instruments import PHQ9
from kapdesk.i18n import _, _n
from kapdesk.i18n.formats import long_date
from kapdesk.reports.charts import AXIS, INK_TEXT, SEVERITY_FILLS, _axes, _Frame, _text
from kapdesk.reports.common import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    heading,
    make_styles,
    table,
    text,
)
from kapdesk.reports.fonts import FONTS, register_fonts
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.model import PageHeader, PrintContext
from kapdesk.services.report_data.model import Table as TableData

COURSE_LINE = colors.HexColor("#7f93a8")
MEDIAN_LINE = colors.HexColor("#1f4e79")
WIDTHS = (60, 41, 51, 51, 36, 44, 41, 56, 82, 48)  # points, fitted to the page


def _bands(g: Group, f: _Frame) -> None:
    bands = PHQ9.bands
    last = len(SEVERITY_FILLS) - 1
    for i, band in enumerate(bands):
        lo = f.py(band.low - (0.5 if band.low > 0 else 0))
        hi = f.py(min(band.high + 0.5, PHQ9.max_total))
        fill = SEVERITY_FILLS[round(i * last / max(len(bands) - 1, 1))]
        g.add(Rect(f.x, lo, f.w, hi - lo, fillColor=fill, strokeColor=None))
        g.add(Rect(f.x + f.w + 1, lo, 2.5, hi - lo, fillColor=fill, strokeColor=None))
        _text(g, f.x + f.w + 5, (lo + hi) / 2 - 2, _(band.label), 5.8)


def trajectories_drawing(t: CohortTable, width: float, height: float = 230) -> Drawing:
    """Each course's PHQ-9 over the weeks since its start (thin; follow-ups hollow, not
    joined), the cohort's weekly median over the acute phase (thick), bands behind."""
    register_fonts()
    d = Drawing(width, height)
    g = Group()
    xs = [w for r in t.rows for w, _total in (*r.trajectory, *r.follow_up_points)]
    x_hi = max([8.0, *xs]) + 0.5
    f = _Frame(30, 30, width - 34 - 62, height - 50, -0.5, x_hi, 0, PHQ9.max_total)
    _bands(g, f)
    _axes(g, f, 1.0 if x_hi <= 16 else 4.0, 3.0, _("Weeks since the course started"), "PHQ-9")
    for r in t.rows:
        pts = [v for w, total in r.trajectory for v in (f.px(w), f.py(total))]
        if len(pts) > 2:
            g.add(PolyLine(pts, strokeColor=COURSE_LINE, strokeWidth=0.6))
        for w, total in r.follow_up_points:
            cx, cy = f.px(w), f.py(total)
            g.add(
                Polygon(
                    [cx, cy + 2.4, cx + 2.4, cy, cx, cy - 2.4, cx - 2.4, cy],
                    fillColor=colors.white,
                    strokeColor=COURSE_LINE,
                    strokeWidth=0.7,
                )
            )
    median = median_trajectory(t.rows)
    if len(median) > 1:
        pts = [v for w, m in median for v in (f.px(w), f.py(m))]
        g.add(PolyLine(pts, strokeColor=MEDIAN_LINE, strokeWidth=2.6))
    _legend(g, f.x, height - 10)
    d.add(g)
    return d


def _legend(g: Group, x: float, top: float) -> None:
    """Above the plot, each entry after the one before (at its usual place when there is
    room: the English entries' places)."""
    each, median = _("each course"), _("cohort median by week (acute phase)")
    g.add(Line(x, top + 2, x + 14, top + 2, strokeColor=COURSE_LINE, strokeWidth=0.6))
    _text(g, x + 18, top, each, 6.5, colour=INK_TEXT)
    at = max(x + 70, x + 18 + _width(each) + 10)
    g.add(Line(at, top + 2, at + 14, top + 2, strokeColor=MEDIAN_LINE, strokeWidth=2.6))
    _text(g, at + 18, top, median, 6.5, colour=INK_TEXT)
    at = max(x + 230, at + 18 + _width(median) + 12)
    _text(g, at, top, _("◇ follow-up (not joined)"), 6.5, colour=AXIS)


def _width(value: str) -> float:
    return float(stringWidth(value, FONTS.condensed, 6.5))


def _header(t: CohortTable, pc: PrintContext) -> PageHeader:
    n = len(t.rows)
    return PageHeader(
        title=_("Cohort outcomes"),
        clinic_name=pc.clinic_name,
        patient_name=_n(
            "{n} course · {mode}", "{n} courses · {mode}", n, mode=mode(t.deidentified)
        ),
        mrn="",
        date_of_birth=t.made_on,
        printed_by=pc.printed_by,
        printed_at=fmt.stamp(pc.printed_at, pc.tz),
        demo=pc.demo,
        subtitle=long_date(t.made_on),
        seal=pc.seal,
    )


def mode(deidentified: bool) -> str:
    """How the cohort names its patients (the page header, kapdesk cohort's line)."""
    return _("de-identified") if deidentified else _("identifying: names and MRNs")


def cohort_story(t: CohortTable, st: Styles) -> list[Flowable]:
    story: list[Flowable] = []
    story += heading(_("Selection"), st)
    selection = _("Courses: {selection}.", selection=t.filters.describe())
    story.append(Paragraph(text(selection), st.body))
    story += heading(_("Summary"), st)
    for line in t.summary.lines():
        head, sep, rest = line.partition(": ")
        story.append(Paragraph(f"<b>{text(head)}</b>{sep}{text(rest)}", st.body))
    story += heading(_("PHQ-9 trajectories"), st)
    story += [CondPageBreak(240), trajectories_drawing(t, CONTENT_WIDTH), Spacer(0, 2)]
    story += heading(_("Courses"), st)
    data = TableData(
        shown_columns(),
        tuple(shown_cells(r) for r in t.rows),
        caption=_("SI = suicidal ideation (PHQ-9 item 9 above 0). Bands: PHQ-9 severity."),
        empty_text=_("No course matches the selection."),
    )
    story += table(data, WIDTHS, st, bold_columns=(4,))
    story += heading(_("Definitions"), st)
    story += [Paragraph(text(line), st.small) for line in definitions()]
    return story


def render_cohort_pdf(t: CohortTable, pc: PrintContext) -> bytes:
    st = make_styles()
    return build_pdf(cohort_story(t, st), _header(t, pc), subject=_("Cohort outcomes"))
