"""Lay out a SessionReport as PDF pages (reportlab platypus); returns the PDF bytes."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from kapdesk.i18n import _
from kapdesk.reports.charts import bp_drawing
from kapdesk.reports.common import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    empty_section,
    facts_table,
    heading,
    make_styles,
    table,
    text,
)
from kapdesk.services.report_data.model import Table as TableData
from kapdesk.services.report_data.session_model import NoteBlock, SessionReport, Signature


def note_flowables(note: NoteBlock, st: Styles) -> list[Flowable]:
    out: list[Flowable] = [
        Paragraph(text(note.title), st.h3),
        Paragraph(text(note.meta), st.note_meta),
    ]
    for head, body in note.parts:
        if head:
            out.append(Paragraph(text(head), st.subhead))
        for para in body.split("\n\n"):
            if para.strip():
                out.append(Paragraph(text(para.strip("\n")), st.body))
                out.append(Spacer(0, 2.5))
    return out


def signature_flowables(
    signatures: tuple[Signature, ...], not_signed: str, st: Styles
) -> list[Flowable]:
    if not signatures:
        return [Paragraph(text(not_signed), st.banner)]
    out: list[Flowable] = []
    for s in signatures:
        out.append(Paragraph(f"<b>{text(s.what)}:</b> {text(s.line)}", st.signed))
        if s.method or s.content_sha256:
            out.append(
                Paragraph(
                    text(
                        _(
                            "Method: {method}. Content SHA-256 at signing: {sha}",
                            method=s.method,
                            sha=s.content_sha256,
                        )
                    ),
                    st.muted,
                )
            )
    return out


def section(
    title: str,
    data: TableData,
    widths: tuple[float, ...],
    st: Styles,
    bold: tuple[int, ...] = (),
) -> list[Flowable]:
    """Heading and table, or one line when there is nothing to show."""
    if not data.rows:
        return [empty_section(title, data.empty_text, st)]
    return [*heading(title, st), *table(data, widths, st, bold_columns=bold)]


def _vital_signs(r: SessionReport, st: Styles) -> list[Flowable]:
    # The chart comes first: it cannot split, the table can (with its header repeated),
    # so the table fills whatever the page has left.
    out = heading(_("Vital signs"), st)
    if r.chart is not None:
        out.append(
            KeepTogether(
                [
                    bp_drawing(r.chart, CONTENT_WIDTH),
                    Spacer(0, 2),
                    Paragraph(text(r.chart.caption), st.muted),
                    Spacer(0, 6),
                ]
            )
        )
    else:
        out += [Paragraph(text(r.chart_note), st.muted), Spacer(0, 4)]
    out += table(r.vitals, (25, 23, 36, 23, 25, 36, 58, 127, 64), st, bold_columns=(2, 6))
    return out


def _discharge(r: SessionReport, st: Styles) -> list[Flowable]:
    if r.discharge.against_criteria:  # amber, with its reason in the status: never green
        block: list[Flowable] = [Paragraph(text(r.discharge.status), st.caution)]
    else:
        block = [Paragraph(text(r.discharge.status), st.body)]
    if r.discharge.reason and not r.discharge.against_criteria:
        accepted = _("Reason unmet criteria were accepted:")
        block.append(
            Paragraph(
                f"<b>{text(accepted)}</b> {text(r.discharge.reason)}",
                st.body,
            )
        )
    if r.discharge.checks.rows:
        block += [Spacer(0, 3), *table(r.discharge.checks, (50, 16, 110), st, bold_columns=(1,))]
    return [KeepTogether([*heading(_("Discharge"), st), *block])]  # never an orphan heading


def session_story(r: SessionReport, st: Styles) -> list[Flowable]:
    story: list[Flowable] = []
    if r.banner:
        story.append(Paragraph(text(r.banner), st.banner))
    story += heading(_("Session"), st)
    story += [facts_table(r.facts, st), Spacer(0, 3), Paragraph(text(r.time_note), st.muted)]
    story += section(_("Staff involved"), r.staff, (34, 16, 70), st)
    story += section(_("Pre-session checklist"), r.checklist, (80, 20), st)
    story += _vital_signs(r, st)
    story += section(_("Readings due under the protocol"), r.schedule, (48, 54, 16, 30), st, (2,))
    story += section(_("Doses"), r.doses, (22, 18, 58, 26, 40, 34, 50, 56, 32, 76), st, (5,))
    story += section(_("Overrides"), r.overrides, (22, 40, 46, 96, 54, 40), st, (1,))
    story += section(_("Alerts acknowledged"), r.acknowledged_alerts, (34, 80, 40, 82), st)
    if r.side_effects.rows:
        story += section(_("Side effects"), r.side_effects, (38, 38, 34, 56, 26, 46), st, (1,))
        if r.absent_effects:
            story += [Spacer(0, 2), Paragraph(text(r.absent_effects), st.small)]
    else:
        message = r.side_effects.empty_text
        if r.absent_effects:
            message += " " + r.absent_effects
        story.append(empty_section(_("Side effects"), message, st))
    story += section(
        _("Sedation (MOAA/S) and dissociation"), r.observations, (24, 18, 40, 150, 50), st
    )
    story += _discharge(r, st)
    if r.notes:
        story += heading(_("Notes"), st)
        for note in r.notes:
            story += note_flowables(note, st)
    else:
        story.append(empty_section(_("Notes"), _("No session note or integration note."), st))
    story += heading(_("Signature"), st)
    story += signature_flowables(r.signatures, r.not_signed, st)
    if r.addenda:
        story += heading(_("Addenda"), st)
        for addendum in r.addenda:
            story += note_flowables(addendum, st)
    story.append(Spacer(0, 4))
    story.append(Paragraph(_("End of session summary."), st.muted))
    return story


def render_session_pdf(report: SessionReport) -> bytes:
    st = make_styles()
    return build_pdf(session_story(report, st), report.header, subject=_("Dosing session summary"))
