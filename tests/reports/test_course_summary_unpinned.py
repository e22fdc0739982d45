"""A course whose pinned protocol text is missing (it began before kapdesk stored protocol
versions, or the row is gone) cannot have its sessions opened, but its record stays
readable: the course summary prints, saying the pinned text is missing, with each
session's route taken from its doses (the protocol's routes are unknown)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from kapdesk.reports.pdf import PDF
from kapdesk.services.course_print import console_course_summary_pdf
from kapdesk.services.pinned_version import PinnedProtocolMissing
from kapdesk.services.report_data.fmt import route_label
from kapdesk.storage.orm import Course

from .clinic import build_course
from .conftest import Setup
from .pdftext import pages


@pytest.mark.parametrize("stored_hash", ["", "0" * 64])
def test_a_course_whose_pinned_text_is_missing_still_prints(setup: Setup, stored_hash: str) -> None:
    _, course_id = build_course(setup.clinic, sessions=3)
    with setup.ctx.db.write() as s:  # as a course of an older kapdesk, or a lost row
        s.execute(update(Course).where(Course.id == course_id).values(protocol_hash=stored_hash))
    setup.ctx.pinned.clear()
    sessions = setup.clinic.sessions.sessions_for_course(course_id)
    with pytest.raises(PinnedProtocolMissing):
        setup.clinic.sessions.detail(sessions[0].id)  # judging a session needs the rules

    report = setup.reports.course_report(setup.staff.clinician, course_id, demo=False)
    assert [row[3] for row in report.sessions.rows] == [route_label("im")] * 3  # its doses'
    pdf = setup.reports.course_summary_pdf(setup.staff.clinician, course_id, demo=False)
    text = " ".join(pages(pdf))
    assert "(pinned text missing from this database)" in text
    saved = console_course_summary_pdf(setup.ctx, PDF, None, course_id, demo=False)
    assert "(pinned text missing from this database)" in " ".join(pages(saved))
