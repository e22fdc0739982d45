"""The course summary reads its sessions in a fixed number of queries (not ~13 per session,
as one SessionService.detail each did), with the same rows as the session screen's."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from kapdesk.services.patients import PatientService
from kapdesk.services.protocol_store import protocol_of_course_or_none
from kapdesk.services.report_data.course_data import build_course_report
from kapdesk.services.report_sessions import CourseSession, course_sessions
from kapdesk.services.sessions import SessionService
from tests.sql_seen import statements_seen

from .clinic import COURSE_PLAN, T0, Clinic, build_course
from .conftest import Setup


def _as_from_detail(setup: Setup, course_id: int) -> list[CourseSession]:
    """The course's sessions as SessionService.detail sees each of them."""
    sessions = SessionService(setup.ctx)
    out = []
    for info in sessions.sessions_for_course(course_id):
        d = sessions.detail(info.id)
        out.append(
            CourseSession(d.session, d.readings, d.doses, d.side_effects, d.observations, d.route)
        )
    return out


def _course(clinic: Clinic, mrn: str, sessions: int) -> int:
    """Like build_course, for another patient."""
    pid, cid = clinic.patient_and_course(mrn=mrn)
    for i in range(sessions):
        start = datetime.combine(clinic.clock.now().date() + timedelta(days=7 * i), T0.timetz())
        clinic.simple_session(cid, pid, start, **dict(COURSE_PLAN[i % len(COURSE_PLAN)]))  # type: ignore[arg-type]
    return cid


def test_the_queries_do_not_grow_with_the_sessions(setup: Setup) -> None:
    short = _course(setup.clinic, "KAP-0101", 2)
    long = _course(setup.clinic, "KAP-0102", 7)
    with statements_seen(setup.ctx.db.engine, selects_only=True) as few:
        assert len(course_sessions(setup.ctx, short)) == 2
    with statements_seen(setup.ctx.db.engine, selects_only=True) as many:
        assert len(course_sessions(setup.ctx, long)) == 7
    assert len(many) == len(few) <= 8


def test_the_rows_are_those_of_the_session_screen(setup: Setup) -> None:
    c, st = setup.clinic, setup
    _, course = build_course(c, sessions=6)
    first = SessionService(st.ctx).sessions_for_course(course)[0].id
    d = c.sessions.detail(first)
    c.at(T0 + timedelta(days=60))
    st.ctx.corrections.mark_entered_in_error(
        st.staff.nurse, "reading", d.readings[-1].id, "Cuff on the wrong patient"
    )
    if d.side_effects:
        st.ctx.corrections.mark_entered_in_error(
            st.staff.therapist, "side_effect", d.side_effects[0].id, "Another patient"
        )
    batch = course_sessions(st.ctx, course)
    assert batch == _as_from_detail(st, course)
    assert any(r.error is not None for r in batch[0].readings)


def test_the_course_report_is_what_it_was_from_each_session_detail(setup: Setup) -> None:
    """The summary reads Core rows (course_summary_reads): what it prints is what the
    services, reading ORM objects, return; a result entered in error included."""
    _, course_id = build_course(setup.clinic, sessions=6)
    service = setup.reports
    course = service.resolve_course(course_id)
    phq9 = setup.clinic.instruments.history(course.patient_id, "PHQ-9", course_id)
    setup.clinic.at(T0 + timedelta(days=90))
    setup.ctx.corrections.mark_entered_in_error(
        setup.staff.clinician, "instrument", phq9[1].id, "Filed under the wrong patient"
    )
    report = service.course_report(setup.staff.therapist, course_id, demo=False)
    pc = replace(service._print_context(setup.staff.therapist.full_name, False))
    instruments = setup.clinic.instruments
    before = build_course_report(
        course,
        PatientService(setup.ctx).get(course.patient_id),
        _as_from_detail(setup, course_id),
        instruments.history(course.patient_id, "PHQ-9", course_id),
        instruments.history(course.patient_id, "GAD-7", course_id),
        instruments.course_outcome(course_id),
        protocol_of_course_or_none(setup.ctx, course_id),
        pc,
    )
    assert report == replace(before, header=report.header)  # printed_at is the only change
    assert any(r.error is not None for r in instruments.history(course.patient_id, "PHQ-9"))
    assert report.sessions.rows
    assert report.excursions.rows


def test_the_course_summary_is_read_in_one_snapshot_whatever_its_size(setup: Setup) -> None:
    """The patient, course, sessions, both instruments' results, the outcome, the protocol,
    the chain head and the clinic name: one read transaction, the same 12 queries for a
    course of 2 sessions as of 7 (it took 23 in ten transactions)."""
    short = _course(setup.clinic, "KAP-0103", 2)
    long = _course(setup.clinic, "KAP-0104", 7)
    for course_id in (short, long):
        setup.clinic.instruments.record(
            setup.staff.clinician, setup.reports.resolve_course(course_id).patient_id,
            "PHQ-9", [1] * 9, course_id=course_id,
        )  # fmt: skip
    reports, therapist = setup.reports, setup.staff.therapist
    reports.course_report(therapist, short, demo=False)  # the protocol's text parsed once
    seen: list[list[str]] = []
    for mrn in ("KAP-0103", "KAP-0104"):
        with statements_seen(setup.ctx.db.engine) as statements:
            report = reports.course_report(therapist, mrn, demo=False)
        assert report.header.mrn == mrn
        assert report.results.rows
        seen.append(statements)
    for statements in seen:
        assert [s for s in statements if s.lstrip().upper().startswith("BEGIN")] == ["BEGIN"]
        assert sum("FROM instrument_results" in s for s in statements) == 1
    assert len(seen[0]) == len(seen[1]) == 1 + 12
