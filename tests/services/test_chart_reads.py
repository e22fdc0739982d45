"""The chart's one read of a patient: the same patient, courses and PHQ-9 / GAD-7 results
as the four services it replaces on the chart, from one transaction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine.default import CACHE_HIT

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import NotFound
from kapdesk.services.chart_reads import ChartReads, warm_chart
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.services.protocol_store import warm_protocols
from kapdesk.services.session_rows import SessionRows
from kapdesk.services.sessions import SessionService
from kapdesk.storage.orm import AuditEntry

from .conftest import insert_patient_and_course


def statements(ctx: ServiceContext) -> tuple[list[str], Any]:
    seen: list[str] = []

    def note(_conn: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", note)
    return seen, note


def test_one_read_gives_what_the_four_services_give(
    ctx: ServiceContext, clock: FakeClock, clinician: Actor, nurse: Actor
) -> None:
    patient_id, course_id = insert_patient_and_course(ctx.db)
    other_id, _ = insert_patient_and_course(ctx.db, mrn="MRN-2")
    instruments = InstrumentService(ctx)
    for day, (phq, gad) in enumerate([(2, 1), (1, 1), (0, 2)]):
        clock.advance(timedelta(days=day + 1))
        instruments.record(
            clinician, patient_id, "PHQ-9", [phq] * 8 + [day % 2], course_id=course_id
        )
        instruments.record(nurse, patient_id, "GAD-7", [gad] * 7)
    instruments.record(clinician, other_id, "PHQ-9", [3] * 9)  # another patient's: not read

    seen, note = statements(ctx)
    head = ChartReads(ctx).for_patient(patient_id)
    event.remove(ctx.db.engine, "before_cursor_execute", note)

    assert head.patient == PatientService(ctx).get(patient_id)
    assert head.courses == CourseService(ctx).list_for_patient(patient_id)
    assert head.phq9 == instruments.history(patient_id, "PHQ-9")
    assert head.gad7 == instruments.history(patient_id, "GAD-7")
    assert [r.instrument for r in head.phq9] == ["PHQ-9"] * 3
    assert [r.instrument for r in head.gad7] == ["GAD-7"] * 3
    assert {r.recorded_by for r in head.phq9 + head.gad7} == {
        clinician.full_name,
        nurse.full_name,
    }
    # One transaction: one results query (both instruments) and one of user names.
    assert sum("FROM instrument_results" in s for s in seen) == 1
    assert sum(s.lstrip().upper().startswith("BEGIN") for s in seen) <= 1


def test_a_patient_not_there_is_a_clear_refusal(ctx: ServiceContext) -> None:
    with pytest.raises(NotFound):
        ChartReads(ctx).for_patient(999_999)


def test_the_course_shown_is_read_as_the_services_read_it(
    ctx: ServiceContext, clock: FakeClock, clinician: Actor, nurse: Actor, therapist: Actor
) -> None:
    patient_id, first = insert_patient_and_course(ctx.db)
    instruments = InstrumentService(ctx)
    sessions = SessionService(ctx)
    notes = NoteService(ctx)
    for week, total in enumerate([2, 1]):
        clock.advance(timedelta(weeks=week + 1))
        instruments.record(clinician, patient_id, "PHQ-9", [total] * 9, course_id=first)
    cancelled = sessions.schedule(nurse, first, clock.now() + timedelta(days=1), "1").id
    sessions.cancel(nurse, cancelled, "patient ill")
    notes.create_integration_note(therapist, first)
    CourseService(ctx).end(clinician, first, clock.now().astimezone().date())
    second = CourseService(ctx).start(clinician, patient_id, "kap-default").id
    later = sessions.schedule(nurse, second, clock.now() + timedelta(days=2), "2").id
    notes.create_integration_note(therapist, second)
    instruments.record(clinician, patient_id, "PHQ-9", [3] * 9, course_id=second)

    seen, note = statements(ctx)
    newest = ChartReads(ctx).for_patient(patient_id)  # no course asked: the newest
    asked = ChartReads(ctx).for_patient(patient_id, first)
    event.remove(ctx.db.engine, "before_cursor_execute", note)

    assert newest.sessions == SessionRows(ctx).for_patient(patient_id)
    assert [r.id for r in newest.sessions] == [cancelled, later]
    for head, course_id in ((newest, second), (asked, first)):
        shown = head.course
        assert shown is not None
        assert shown.course_id == course_id
        assert shown.outcome == instruments.course_outcome(course_id)
        assert shown.notes == notes.list_for_course(course_id)
        assert shown.started == SessionRows(ctx).started_at(course_id)
        assert ChartReads(ctx).for_course(course_id) == shown
    assert [r.total for r in asked.course.outcome.results] == [18, 9]  # type: ignore[union-attr]
    # Two snapshots; each sends no statement per course, session, result or note.
    assert sum(s.lstrip().upper().startswith("BEGIN") for s in seen) <= 2
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) <= 2 * 7


def test_a_patient_without_courses_shows_no_course(ctx: ServiceContext, clinician: Actor) -> None:
    patient = PatientService(ctx).create(
        clinician, mrn="MRN-9", family_name="Lima", given_name="Ana",
        date_of_birth=date(1990, 1, 2), sex="female",
    )  # fmt: skip
    head = ChartReads(ctx).for_patient(patient.id, 12345)  # not their course: ignored
    assert head.courses == []
    assert head.course is None
    assert head.sessions == []


def test_warming_compiles_the_charts_queries_and_reads_nothing(
    ctx: ServiceContext, clinician: Actor
) -> None:
    """The sign-in preload runs ``warm_chart``: the first chart's read then compiles no SQL
    (every statement a hit in SQLAlchemy's compiled cache); warming reads no row, audits
    nothing."""
    patient_id, course_id = insert_patient_and_course(ctx.db)
    InstrumentService(ctx).record(clinician, patient_id, "PHQ-9", [1] * 9, course_id=course_id)
    NoteService(ctx).create_integration_note(clinician, course_id)
    warm_protocols(ctx)  # the preload's, before warm_chart
    audited = audit_count(ctx)
    warm_chart(ctx)
    assert audit_count(ctx) == audited

    misses: list[str] = []

    def cached(conn: Any, _cur: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and context.cache_hit != CACHE_HIT:
            misses.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", cached)
    head = ChartReads(ctx).for_patient(patient_id)
    event.remove(ctx.db.engine, "before_cursor_execute", cached)

    assert head.course is not None
    assert len(head.course.notes) == 1
    assert misses == []


def audit_count(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
