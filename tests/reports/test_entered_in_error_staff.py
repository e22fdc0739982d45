"""Entered in error in the printed session and course summaries: the staff table leaves
out a part that was struck through (a booster marked in error was not given) and names who
marked entries; a mark made on a later day than its entry says which day."""

from __future__ import annotations

import re
from datetime import timedelta

from services.conftest import insert_patient_and_course
from services.sessionkit import Kit

from kapdesk.services.instruments import InstrumentService

from .conftest import Setup
from .pdftext import document


def _parts(st: Setup, sid: int) -> dict[str, str]:
    report = st.reports.session_report(st.staff.clinician, sid, demo=False)
    return {str(r[0]): str(r[2]) for r in report.staff.rows}


def test_a_booster_marked_in_error_was_not_given_and_its_marker_is_named(setup: Setup) -> None:
    nurse, clinician = setup.staff.nurse, setup.staff.clinician
    kit = Kit(setup.ctx, setup.clock, nurse)
    sid = kit.dosed()
    kit.advance(minutes=20)
    kit.vitals.record(nurse, sid, 130, 80, pulse=70, spo2=98)
    kit.advance(minutes=5)
    booster = kit.dose(sid, amount=0.25)
    setup.ctx.corrections.mark_entered_in_error(clinician, "dose", booster, "typed twice")
    parts = _parts(setup, sid)
    assert "gave the dose" in parts[nurse.full_name]
    assert "gave a booster" not in parts[nurse.full_name]
    assert "marked an entry entered in error" in parts[clinician.full_name]
    pdf = setup.reports.session_summary_pdf(clinician, sid, demo=False)
    assert "gave a booster" not in document(pdf)


def test_a_mark_on_a_later_day_says_which_day(setup: Setup) -> None:
    nurse, clinician = setup.staff.nurse, setup.staff.clinician
    kit = Kit(setup.ctx, setup.clock, nurse)
    sid = kit.dosed()
    kit.advance(minutes=20)
    reading = kit.vitals.record(nurse, sid, 130, 80, pulse=70, spo2=98).reading
    kit.advance(minutes=1)
    same_day = kit.vitals.record(nurse, sid, 131, 81, pulse=70, spo2=98).reading
    setup.ctx.corrections.mark_entered_in_error(nurse, "reading", same_day.id, "typed twice")
    setup.clock.advance(timedelta(days=1))
    setup.ctx.corrections.mark_entered_in_error(nurse, "reading", reading.id, "wrong patient")
    pdf = setup.reports.session_summary_pdf(clinician, sid, demo=False)
    text = document(pdf)
    marked_on = (reading.taken_at + timedelta(days=1)).date().isoformat()
    assert re.search(rf"by {nurse.full_name} on {marked_on} at \d\d:\d\d: wrong patient", text)
    assert f"by {nurse.full_name} at " in text  # the same day's mark: the time alone

    pid, course = insert_patient_and_course(setup.ctx.db, mrn="MRN-77")
    result = InstrumentService(setup.ctx).record(
        setup.staff.therapist, pid, "PHQ-9", [3] * 9, course_id=course
    )
    setup.clock.advance(timedelta(days=20))
    setup.ctx.corrections.mark_entered_in_error(clinician, "instrument", result.id, "other form")
    course_pdf = setup.reports.course_summary_pdf(clinician, course, demo=False)
    day = (result.taken_at + timedelta(days=20)).date().isoformat()
    assert f"by {clinician.full_name} on {day} at " in document(course_pdf)
