"""Check-in conflicts: a room in use, the patient already in a session, a second dose in a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.check_in import (
    SessionAtClinic,
    check_in_conflicts,
    room_in_use_message,
    room_key,
    room_text,
    same_day_message,
    shared_room_flags,
)
from kapdesk.domain.session_state import SessionState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = {"day_start": datetime(2026, 3, 2, tzinfo=UTC), "day_end": datetime(2026, 3, 3, tzinfo=UTC)}
_S = SessionState


def at_clinic(
    sid: int,
    patient: int,
    room: str,
    state: SessionState = _S.SCHEDULED,
    first_dose_at: datetime | None = None,
) -> SessionAtClinic:
    return SessionAtClinic(sid, patient, f"Patient {patient}", room, state, T0, first_dose_at)


def test_a_free_room_and_a_first_session_of_the_day_have_no_conflict() -> None:
    me = at_clinic(1, 10, "Room 1")
    c = check_in_conflicts(me, [me, at_clinic(2, 11, "Room 2", _S.MONITORING)], **DAY)
    assert not c.refused
    assert not c.needs_same_day_confirmation
    assert c.rooms_in_use == ("Room 2",)


def test_a_room_held_by_a_running_session_is_taken_whatever_its_spelling() -> None:
    me = at_clinic(1, 10, "Room 2")
    other = at_clinic(2, 11, " room  2", _S.PRE_DOSE_VITALS)
    c = check_in_conflicts(me, [other], **DAY)
    assert c.refused
    assert c.room_taken_by == other
    assert check_in_conflicts(me, [other], room="Room 3", **DAY).room_taken_by is None
    assert room_key(" ROOM   2 ") == room_key("room 2")
    text = room_in_use_message("Room 2", other)
    assert text.startswith("Room 2 is in use by session #2 (Patient 11, taking pre-dose vitals)")


def test_finished_sessions_do_not_hold_a_room() -> None:
    me = at_clinic(1, 10, "Room 2")
    for state in (_S.DISCHARGED, _S.CANCELLED, _S.DOSE_WITHHELD, _S.SCHEDULED):
        assert (
            check_in_conflicts(me, [at_clinic(2, 11, "Room 2", state)], **DAY).room_taken_by is None
        )


def test_a_patient_is_in_one_session_at_a_time() -> None:
    me = at_clinic(1, 10, "Room 1")
    c = check_in_conflicts(me, [at_clinic(2, 10, "Room 4", _S.CHECKED_IN)], **DAY)
    assert c.refused
    assert c.patient_running is not None
    assert c.patient_running.id == 2


def test_a_dose_earlier_the_same_day_needs_a_confirmation_but_not_yesterdays() -> None:
    me = at_clinic(3, 10, "Room 1")
    today = at_clinic(1, 10, "Room 1", _S.DISCHARGED, T0 - timedelta(hours=1))
    yesterday = at_clinic(2, 10, "Room 1", _S.DISCHARGED, T0 - timedelta(days=1))
    undosed = at_clinic(4, 10, "Room 1", _S.CANCELLED)
    someone_else = at_clinic(5, 11, "Room 1", _S.DISCHARGED, T0)
    c = check_in_conflicts(me, [today, yesterday, undosed, someone_else], **DAY)
    assert not c.refused
    assert c.dosed_same_day == (today,)
    assert same_day_message("Patient 10", c.dosed_same_day, "08:00").startswith(
        "Patient 10 was already dosed today (session #1 at 08:00): a second dosing session"
    )


def test_board_flags_shared_rooms_and_rooms_in_use() -> None:
    a = at_clinic(1, 10, "Room 2", _S.MONITORING)
    b = at_clinic(2, 11, "room 2", _S.CHECKED_IN)
    waiting = at_clinic(3, 12, "Room 2")
    later = SessionAtClinic(4, 13, "Patient 13", "Room 2", _S.SCHEDULED, T0 + timedelta(hours=3))
    alone = at_clinic(5, 14, "Room 5", _S.MONITORING)
    flags = shared_room_flags([a, b, waiting, later, alone], T0)
    assert flags == {
        1: "Room 2 shared with Patient 11",
        2: "room 2 shared with Patient 10",
        3: "Room 2 in use by Patient 10, Patient 11",
    }


@given(rooms=st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=8))
def test_no_two_running_sessions_share_a_room_unflagged(rooms: list[str]) -> None:
    sessions = [at_clinic(i, 100 + i, r, _S.MONITORING) for i, r in enumerate(rooms)]
    flags = shared_room_flags(sessions, T0)
    for s in sessions:
        shared = sum(room_key(o.room) == room_key(s.room) for o in sessions) > 1
        assert (s.id in flags) is shared


def test_scheduling_warns_of_the_patients_other_sessions_that_day() -> None:
    from kapdesk.domain.check_in import same_day_sessions

    booked = at_clinic(1, 10, "Room 1")
    cancelled = at_clinic(2, 10, "Room 1", _S.CANCELLED)
    dosed = at_clinic(3, 10, "Room 1", _S.DISCHARGED, T0)
    other_patient = at_clinic(4, 11, "Room 1")
    tomorrow = SessionAtClinic(5, 10, "Patient 10", "Room 1", _S.SCHEDULED, T0 + timedelta(days=1))
    found = same_day_sessions(10, [booked, cancelled, dosed, other_patient, tomorrow], **DAY)
    assert [o.id for o in found] == [1, 3]


def test_format_characters_do_not_make_a_different_room() -> None:
    """Issue 9 review: 'Room 1\u200b' (a zero-width space) got past the room-in-use check."""
    me = at_clinic(1, 10, "Room 9")
    other = at_clinic(2, 11, "Room 1", _S.CHECKED_IN)
    for spelling in ("Room 1\u200b", "\ufeffRoom 1", "Ro\u00adom\u2060 1", "ROOM\u00a0 1\u200d"):
        assert room_key(spelling) == room_key("Room 1")
        assert check_in_conflicts(me, [other], room=spelling, **DAY).room_taken_by == other
    assert room_text(" Room\u200b  1\ufeff ") == "Room 1"
    assert room_text("\u200b") == ""


@given(st.text(alphabet="Rom 12\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0", max_size=12))
def test_a_room_key_has_no_format_characters_and_is_stable(room: str) -> None:
    import unicodedata

    key = room_key(room)
    assert not any(unicodedata.category(c) == "Cf" for c in key)
    assert room_key(room_text(room)) == key == room_key(key)
