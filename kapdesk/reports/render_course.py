"""Lay out a CourseReport as PDF pages; returns the PDF bytes."""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from kapdesk.i18n import _
from kapdesk.reports.charts import trend_drawing
from kapdesk.reports.common import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    facts_table,
    heading,
    make_styles,
    table,
    text,
)
from kapdesk.services.report_data.model import CourseReport


def _trends(r: CourseReport, st: Styles) -> list[Flowable]:
    if not r.trends:
        return [Paragraph(text(r.trend_note), st.muted)]
    gap = 12
    width = (CONTENT_WIDTH - gap) / 2
    cells: list[Flowable | str] = [trend_drawing(t, width) for t in r.trends]
    while len(cells) < 2:
        cells.append("")
    grid = Table([cells], colWidths=[width + gap / 2, width + gap / 2], hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    captions = " ".join(t.caption for t in r.trends)
    return [CondPageBreak(190), grid, Spacer(0, 2), Paragraph(text(captions), st.muted)]


def course_story(r: CourseReport, st: Styles) -> list[Flowable]:
    story: list[Flowable] = []
    story += heading(_("Course"), st)
    story += [facts_table(r.facts, st), Spacer(0, 3), Paragraph(text(r.time_note), st.muted)]
    story += heading(_("Dosing sessions"), st)
    story += table(r.sessions, (12, 30, 40, 24, 30, 36, 22, 30), st, bold_columns=(4, 5))
    story += heading(_("PHQ-9 and GAD-7"), st)
    story += _trends(r, st)
    story.append(Spacer(0, 4))
    story += table(r.outcome, (18, 50, 50, 34), st, bold_columns=(0,))
    story.append(Spacer(0, 3))
    for line in r.outcome_lines:
        head, sep, rest = line.partition(" – ")
        markup = f"<b>{text(head)}</b>{sep}{text(rest)}" if sep else text(line)
        story.append(Paragraph(markup, st.body))
    story += heading(_("All questionnaire results"), st)
    story += table(r.results, (20, 17, 14, 26, 26, 36, 30), st, bold_columns=(2,))
    story += heading(_("PHQ-9 item 9 (self-harm thoughts) over the course"), st)
    story += table(r.item9, (24, 50, 50), st)
    if r.item9_note:
        story += [Spacer(0, 2), Paragraph(text(r.item9_note), st.small)]
    story += heading(_("Blood-pressure excursions across sessions"), st)
    story += table(r.excursions, (34, 18, 14, 24, 16, 16, 22, 120), st, bold_columns=(3, 6))
    story += heading(_("Side-effect frequencies"), st)
    story += table(r.side_effects, (60, 24, 18, 50, 18), st)
    story.append(Spacer(0, 6))
    story.append(Paragraph(_("End of course summary."), st.muted))
    return story


def render_course_pdf(report: CourseReport) -> bytes:
    st = make_styles()
    return build_pdf(course_story(report, st), report.header, subject=_("Treatment course summary"))
