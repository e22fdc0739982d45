"""The chart's session rows: the same sessions, order and signatures as
``sessions_for_patient``, read in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import NotFound
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.session_rows import SessionRow, SessionRows
from kapdesk.services.sessions import SessionService
from kapdesk.services.signing import SigningService
from kapdesk.storage.orm import Course

from .conftest import PASSWORD
from .sessionkit import Kit
from .signkit import cheap_passwords, closed_session


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    cheap_passwords(ctx.db)
    return Kit(ctx, clock, nurse)


def test_rows_match_the_full_session_list(
    kit: Kit, clinician: Actor, therapist: Actor, nurse: Actor
) -> None:
    signed = closed_session(kit, clinician, therapist)
    SigningService(kit.ctx).sign(clinician, "dosing_session", signed, PASSWORD)
    sessions = SessionService(kit.ctx)
    with kit.ctx.db.read() as s:
        course = s.get(Course, sessions.get(signed).course_id)
        assert course is not None
        patient_id, course_id = course.patient_id, course.id
    later = sessions.schedule(nurse, course_id, kit.clock.now() + timedelta(days=7), "3").id
    earlier = sessions.schedule(nurse, course_id, kit.clock.now() + timedelta(days=2), "1").id
    kit.scheduled(mrn="MRN-2")  # another patient's session is not listed

    rows = SessionRows(kit.ctx).for_patient(patient_id)

    full = sessions.sessions_for_patient(patient_id)
    assert [r.id for r in rows] == [i.id for i in full] == [signed, earlier, later]
    for row, info in zip(rows, full, strict=True):
        assert row == SessionRow(
            info.id,
            info.scheduled_at,
            info.protocol_id,
            info.protocol_version,
            info.state,
            info.room,
            info.signed_at,
            info.signed_by,
        )
        assert row.protocol_label == info.protocol_label
    assert rows[0].signed_at is not None
    assert rows[0].signed_by == clinician.full_name
    assert rows[1].signed_at is None
    assert rows[1].signed_by == ""


def test_one_query_besides_the_patient_check(kit: Kit) -> None:
    sid = kit.scheduled()
    patient_id = SessionService(kit.ctx).get(sid).patient_id
    selects: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(kit.ctx.db.engine, "before_cursor_execute", seen)
    try:
        rows = SessionRows(kit.ctx).for_patient(patient_id)
    finally:
        event.remove(kit.ctx.db.engine, "before_cursor_execute", seen)
    assert [r.id for r in rows] == [sid]
    assert len(selects) == 2  # the patient exists; the rows with their signatures


def test_an_unknown_patient_is_refused(kit: Kit) -> None:
    with pytest.raises(NotFound):
        SessionRows(kit.ctx).for_patient(9999)


def test_started_at_is_the_first_dose_else_the_scheduled_time(
    kit: Kit, clinician: Actor, therapist: Actor, nurse: Actor
) -> None:
    held = closed_session(kit, clinician, therapist)  # dosed
    sessions = SessionService(kit.ctx)
    course_id = sessions.get(held).course_id
    later = sessions.schedule(nurse, course_id, kit.clock.now() + timedelta(days=7), "3").id
    kit.scheduled(mrn="MRN-2")  # another course's session is not listed

    started = SessionRows(kit.ctx).started_at(course_id)

    full = {i.id: i for i in sessions.sessions_for_course(course_id)}
    assert set(started) == set(full) == {held, later}
    assert started == {i.id: i.first_dose_at or i.scheduled_at for i in full.values()}
    assert full[held].first_dose_at is not None
    assert started[held] == full[held].first_dose_at
    assert started[later] == full[later].scheduled_at
    with pytest.raises(NotFound):
        SessionRows(kit.ctx).started_at(999_999)
