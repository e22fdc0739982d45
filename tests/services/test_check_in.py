"""Check-in: a room in use is refused (another room may be chosen), a patient is in one
session at a time, and a second dosing session on one day needs a clinician's reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import IllegalTransition, PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.session_check_in import SAME_DAY_FIELD
from kapdesk.storage.orm import AuditEntry, DosingSession

from .sessionkit import YES_TO_ALL, Kit, audit_probe, refused


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def _dose_and_discharge(kit: Kit, sid: int, clinician: Actor) -> None:
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    kit.advance(minutes=1)
    kit.dose(sid)
    kit.advance(minutes=40)
    kit.sessions.discharge(clinician, sid, unmet_reason="Transferred to the ward")


def test_a_room_in_use_is_refused_naming_the_room_and_the_other_session(kit: Kit) -> None:
    first = kit.checked_in(mrn="MRN-1", room="Room 2")
    second = kit.scheduled(mrn="MRN-2", room="room 2 ")
    err = refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.check_in(kit.nurse, second),
        rf"Room 2 is in use by session #{first} \(Simões, Conceição, checked in\)",
    )
    assert isinstance(err, ValidationError)
    assert err.field == "Room"
    conflicts = kit.sessions.check_in_conflicts(second)
    assert conflicts.room_taken_by is not None
    assert conflicts.room_taken_by.id == first
    assert conflicts.rooms_in_use == ("Room 2",)
    assert kit.sessions.check_in_conflicts(second, room="Room 3").room_taken_by is None

    with audit_probe(kit.ctx.db) as a:
        info = kit.sessions.check_in(kit.nurse, second, room="Room 3")
    assert (info.room, info.state) == ("Room 3", "checked_in")
    assert a.actions == ["session.change_room", "session.check_in"]
    assert a.entries[0].before_data["room"] == "room 2"  # type: ignore[index]
    assert a.entries[0].after_data["room"] == "Room 3"  # type: ignore[index]


def test_choosing_a_room_that_is_also_in_use_is_refused(kit: Kit) -> None:
    kit.checked_in(mrn="MRN-1", room="Room 2")
    kit.checked_in(mrn="MRN-3", room="Room 3")
    second = kit.scheduled(mrn="MRN-2", room="Room 2")
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.check_in(kit.nurse, second, room="ROOM 3"),
        "Room 3 is in use by session",
    )


def test_a_room_is_free_again_once_its_session_has_ended(kit: Kit) -> None:
    first = kit.checked_in(mrn="MRN-1", room="Room 2")
    second = kit.scheduled(mrn="MRN-2", room="Room 2")
    kit.sessions.cancel(kit.nurse, first, "No ride home")
    assert kit.sessions.check_in(kit.nurse, second).room == "Room 2"


def test_a_patient_is_in_one_session_at_a_time(kit: Kit) -> None:
    first = kit.checked_in(mrn="MRN-1", room="Room 1")
    course = kit.sessions.get(first).course_id
    again = kit.sessions.schedule(kit.nurse, course, kit.clock.now(), "Room 4").id
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.check_in(kit.nurse, again),
        rf"already in session #{first} \(Simões, Conceição, checked in\) in Room 1",
    )


def test_a_second_dosing_session_on_one_day_needs_a_clinicians_reason(
    kit: Kit, clinician: Actor
) -> None:
    first = kit.checked_in(mrn="MRN-1", room="Room 1")
    _dose_and_discharge(kit, first, clinician)
    course = kit.sessions.get(first).course_id
    again = kit.sessions.schedule(kit.nurse, course, kit.clock.now(), "Room 1").id
    assert kit.sessions.check_in_conflicts(again).needs_same_day_confirmation

    with pytest.raises(PermissionDenied, match="was already dosed today") as denied:
        kit.sessions.check_in(kit.nurse, again)
    assert "Only a clinician may check the patient in" in str(denied.value)
    with kit.ctx.db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None
        assert last.action == "denied.confirm_same_day_dose"
    err = refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.check_in(clinician, again, same_day_reason="  "),
        "a second dosing session on one day needs a clinician's confirmation",
    )
    assert isinstance(err, ValidationError)
    assert err.field == SAME_DAY_FIELD

    with audit_probe(kit.ctx.db) as a:
        kit.sessions.check_in(clinician, again, same_day_reason="Split dose per protocol")
    with kit.ctx.db.read() as s:
        ds = s.get(DosingSession, again)
        assert ds is not None
        assert (ds.same_day_reason, ds.same_day_confirmed_by) == (
            "Split dose per protocol",
            clinician.user_id,
        )
    assert a.actions == ["session.check_in"]
    assert a.entries[0].after_data["same_day_reason"] == "Split dose per protocol"  # type: ignore[index]


def test_a_dose_on_another_day_needs_no_confirmation(kit: Kit, clinician: Actor) -> None:
    first = kit.checked_in(mrn="MRN-1", room="Room 1")
    _dose_and_discharge(kit, first, clinician)
    kit.clock.advance(timedelta(days=1))
    course = kit.sessions.get(first).course_id
    again = kit.sessions.schedule(kit.nurse, course, kit.clock.now(), "Room 1").id
    assert not kit.sessions.check_in_conflicts(again).needs_same_day_confirmation
    assert kit.sessions.check_in(kit.nurse, again).state == "checked_in"


def test_the_board_never_shows_two_sessions_in_one_room_unflagged(kit: Kit) -> None:
    from kapdesk.services.board import BoardService

    a = kit.checked_in(mrn="MRN-1", room="Room 2")
    b = kit.checked_in(mrn="MRN-2", room="Room 3")
    waiting = kit.scheduled(mrn="MRN-4", room="Room 2")
    alone = kit.checked_in(mrn="MRN-5", room="Room 5")
    with kit.ctx.db.write() as s:  # e.g. written before check-in refused a room in use
        ds = s.get(DosingSession, b)
        assert ds is not None
        ds.room = "Room 2"
    kit.advance(minutes=1)
    flags = {r.session_id: r.flags for r in BoardService(kit.ctx).today_board()}
    assert "Room 2 shared with Simões, Conceição" in flags[a]
    assert "Room 2 shared with Simões, Conceição" in flags[b]
    assert "Room 2 in use by Simões, Conceição, Simões, Conceição" in flags[waiting]
    assert not any("Room" in f for f in flags[alone])


def test_scheduling_a_second_session_on_one_day_warns_but_is_allowed(
    kit: Kit, clinician: Actor
) -> None:
    first = kit.scheduled(mrn="MRN-1", room="Room 1")
    course = kit.sessions.get(first).course_id
    later = kit.clock.now() + timedelta(hours=3)
    [warning] = kit.sessions.schedule_warnings(course, later)
    assert warning.startswith(
        f"Simões, Conceição already has a dosing session that day (session #{first} at "
    )
    assert "needs a clinician's confirmation with a reason at check-in" in warning
    assert kit.sessions.schedule_warnings(course, kit.clock.now() + timedelta(days=1)) == ()
    kit.sessions.cancel(kit.nurse, first, "Rebooked")
    assert kit.sessions.schedule_warnings(course, later) == ()


def test_a_zero_width_character_does_not_make_a_room_free(kit: Kit) -> None:
    """Issue 9 review: 'Room 1\u200b' was accepted as a different room and stored so."""
    first = kit.checked_in(mrn="MRN-1", room="Room 1")
    second = kit.scheduled(mrn="MRN-2", room="Room 9")
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.check_in(kit.nurse, second, room="Room 1\u200b"),
        rf"Room 1 is in use by session #{first}",
    )
    third = kit.scheduled(mrn="MRN-3", room="\ufeffRoom\u200b 3\u2060")
    assert kit.sessions.get(third).room == "Room 3"
    info = kit.sessions.check_in(kit.nurse, second, room="Room\u200b 4")
    assert info.room == "Room 4"
    course = kit.course(mrn="MRN-5")
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.schedule(kit.nurse, course, kit.clock.now(), "\u200b"),
        "Room is required",
    )
