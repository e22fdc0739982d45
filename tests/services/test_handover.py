"""The end-of-day handover: open sessions, readings missed today, unsigned sessions and notes."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kapdesk.composition import build_context
from kapdesk.demo import build_demo_clinic
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.domain.schedule import ItemStatus
from kapdesk.domain.signing import SignedEntity
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.handover import Handover, HandoverService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService, actor_of
from tests.sql_seen import statements_seen

from .conftest import PASSWORD
from .sessionkit import Kit
from .signkit import cheap_passwords, closed_session, integration_note


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    cheap_passwords(ctx.db)
    return Kit(ctx, clock, nurse)


def _handover(ctx: ServiceContext, actor: Actor) -> Handover:
    return HandoverService(ctx).today(actor)


def test_open_sessions_are_the_running_and_the_still_scheduled(
    kit: Kit, ctx: ServiceContext, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    waiting = kit.scheduled(mrn="MRN-1")
    kit.advance(minutes=3)
    running = kit.checked_in(mrn="MRN-2")
    done = closed_session(kit, clinician, therapist, mrn="MRN-3")
    tomorrow = kit.sessions.schedule(
        nurse, kit.course(mrn="MRN-4"), kit.clock.now() + timedelta(days=1), "Room 4"
    ).id

    h = _handover(ctx, nurse)

    by_id = {o.session_id: o for o in h.open_sessions}
    assert set(by_id) == {waiting, running}, (done, tomorrow)
    assert h.open_count == 2
    assert by_id[running].state == "checked_in"
    assert by_id[running].room == "Room 2"
    assert by_id[running].patient_name == "Simões, Conceição"
    assert by_id[waiting].state == "scheduled"
    assert by_id[waiting].since == by_id[running].since - timedelta(minutes=3)


def test_a_missed_reading_is_the_one_the_board_calls_missed(
    kit: Kit, ctx: ServiceContext, nurse: Actor
) -> None:
    sid = kit.dosed(mrn="MRN-1")
    assert _handover(ctx, nurse).missed_readings == ()
    kit.advance(minutes=90)  # past the 20-30 min window and its grace, nothing recorded

    h = _handover(ctx, nurse)

    board = next(r for r in BoardService(ctx).today_board() if r.session_id == sid)
    board_missed = [i for i in board.items if i.status is ItemStatus.MISSED]
    assert board_missed, "the test needs a missed reading on the board"
    assert [m.reading for m in h.missed_readings] == [i.label for i in board_missed]
    assert h.missed_count == len(board_missed)
    first = h.missed_readings[0]
    assert first.session_id == sid
    assert first.due_from == board_missed[0].opens_at
    assert first.due_until == board_missed[0].closes_at
    assert first.room == "Room 1"


def test_a_session_discharged_today_keeps_its_missed_reading(
    kit: Kit, ctx: ServiceContext, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    sid = kit.dosed(mrn="MRN-1")
    kit.advance(minutes=45)
    kit.vitals.record(nurse, sid, 128, 80, pulse=70, spo2=98)  # late: the window has closed
    kit.sessions.discharge(clinician, sid, unmet_reason="Reviewed by the clinician")

    h = _handover(ctx, nurse)

    assert sid not in {o.session_id for o in h.open_sessions}
    assert sid in {m.session_id for m in h.missed_readings}
    # the next day it is yesterday's: not on today's list
    kit.advance(minutes=24 * 60)
    assert sid not in {m.session_id for m in _handover(ctx, nurse).missed_readings}


def test_unsigned_sessions_until_a_clinician_signs(
    kit: Kit, ctx: ServiceContext, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    sid = closed_session(kit, clinician, therapist, mrn="MRN-1")
    cancelled = kit.scheduled(mrn="MRN-2")
    kit.sessions.cancel(nurse, cancelled, "Patient unwell, rebooked")

    h = _handover(ctx, nurse)

    assert [u.session_id for u in h.unsigned_sessions] == [sid]
    row = h.unsigned_sessions[0]
    assert row.discharged_by == "Test Clinician"
    assert row.state == "discharged"
    assert row.ended_at == kit.sessions.get(sid).discharged_at
    assert h.unsigned_session_count == 1

    SigningService(ctx).sign(clinician, SignedEntity.DOSING_SESSION, sid, PASSWORD)
    assert _handover(ctx, nurse).unsigned_sessions == ()


def test_unsigned_integration_notes_until_signed(
    kit: Kit, ctx: ServiceContext, nurse: Actor, therapist: Actor
) -> None:
    course_id = kit.course(mrn="MRN-1")
    note_id = integration_note(ctx, therapist, course_id)

    h = _handover(ctx, nurse)

    assert [(n.note_id, n.author, n.status) for n in h.unsigned_notes] == [
        (note_id, "Test Therapist", "draft")
    ]
    assert h.unsigned_notes[0].patient_name == "Simões, Conceição"
    SigningService(ctx).sign(therapist, SignedEntity.NOTE, note_id, PASSWORD)
    assert _handover(ctx, nurse).unsigned_note_count == 0


def test_an_admin_gets_the_counts_and_no_clinical_detail(
    kit: Kit, ctx: ServiceContext, admin: Actor, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    kit.checked_in(mrn="MRN-1")
    sid = kit.dosed(mrn="MRN-2")
    closed_session(kit, clinician, therapist, mrn="MRN-3")
    integration_note(ctx, therapist, kit.course(mrn="MRN-4"))
    kit.advance(minutes=90)
    staff = _handover(ctx, nurse)
    assert staff.missed_count, sid
    assert not staff.detail_hidden

    h = _handover(ctx, admin)

    assert h.detail_hidden
    assert (h.open_count, h.missed_count, h.unsigned_session_count, h.unsigned_note_count) == (
        staff.open_count,
        staff.missed_count,
        staff.unsigned_session_count,
        staff.unsigned_note_count,
    )
    assert (h.open_sessions, h.missed_readings, h.unsigned_sessions, h.unsigned_notes) == (
        (),
        (),
        (),
        (),
    )
    assert "Simões" not in repr(h)


def test_a_fixed_number_of_queries_whatever_the_number_of_sessions(
    kit: Kit, ctx: ServiceContext, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    def one_of_each(n: int) -> None:
        kit.checked_in(mrn=f"A-{n}")
        kit.dosed(mrn=f"B-{n}")
        closed_session(kit, clinician, therapist, mrn=f"C-{n}")
        integration_note(ctx, therapist, kit.course(mrn=f"D-{n}"))

    one_of_each(1)
    _handover(ctx, nurse)  # protocols parsed once on this context
    with statements_seen(ctx.db.engine) as few:
        _handover(ctx, nurse)
    for n in range(2, 6):
        one_of_each(n)
    with statements_seen(ctx.db.engine) as many:
        h = _handover(ctx, nurse)
    assert (h.open_count, h.unsigned_session_count, h.unsigned_note_count) == (10, 5, 5)
    selects = [q for q in many if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len([q for q in few if q.lstrip().upper().startswith("SELECT")])
    # sessions; readings, doses, overrides, side effects; dosed history; unsigned sessions
    # counted, listed, their users; unsigned notes counted, listed, their authors
    assert len(selects) <= 12, selects


# ---------------------------------------------------------------- the demo clinic

DEMO_DAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handover-demo") / "demo.sqlite"
    build_demo_clinic(path, seed=1, patients=4, today=DEMO_DAY)
    return path


def test_the_demo_clinic_has_a_handover_read_quickly(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    demo = build_context(path, clock=FakeClock(datetime(2026, 3, 2, 18, 0, tzinfo=UTC)))
    try:
        users = {u.role: actor_of(u) for u in UserService(demo).list_users()}
        start = time.perf_counter()
        h = HandoverService(demo).today(users[Role.NURSE])
        took = time.perf_counter() - start
    finally:
        demo.db.close()
    assert h.day == DEMO_DAY
    # the demo leaves its newest sessions and notes unsigned, as a real clinic's day does
    assert h.unsigned_session_count > 0
    assert h.unsigned_note_count > 0
    assert h.open_count + h.missed_count > 0
    assert took < 1.0


def test_the_chart_session_list_says_who_signed_and_when(
    kit: Kit, ctx: ServiceContext, clinician: Actor, therapist: Actor
) -> None:
    signed = closed_session(kit, clinician, therapist, mrn="MRN-1")
    sig = SigningService(ctx).sign(clinician, SignedEntity.DOSING_SESSION, signed, PASSWORD)
    course = kit.sessions.get(signed).course_id
    later = kit.sessions.schedule(kit.nurse, course, kit.clock.now() + timedelta(days=7), "1").id

    listed = {s.id: s for s in kit.sessions.sessions_for_course(course)}

    assert (listed[signed].signed_at, listed[signed].signed_by) == (sig.signed_at, "Test Clinician")
    assert (listed[later].signed_at, listed[later].signed_by) == (None, "")


def test_a_long_backlog_is_counted_in_full_and_the_newest_listed(
    kit: Kit,
    ctx: ServiceContext,
    nurse: Actor,
    therapist: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kapdesk.services.handover as handover

    monkeypatch.setattr(handover, "LISTED", 2)
    notes = []
    for n in range(3):
        notes.append(integration_note(ctx, therapist, kit.course(mrn=f"MRN-{n}")))
        kit.advance(minutes=30)

    h = _handover(ctx, nurse)

    assert h.unsigned_note_count == 3
    assert [n.note_id for n in h.unsigned_notes] == [notes[2], notes[1]]
