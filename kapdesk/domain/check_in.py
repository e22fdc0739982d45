"""Check-in conflicts: one room, one running session; one patient, one dose a day.

Decisions a caller must know:

* Rooms are compared by their text with Unicode format characters (category Cf:
  zero-width spaces and joiners, BOM, soft hyphen) dropped, blanks collapsed and case
  folded ("room 2 " and "Room 2\u200b" are "Room 2"); a room is stored as ``room_text``.
* A room is *in use* while another session in it is running (checked in ...
  monitoring). Checking a patient into a room in use is refused; the check-in
  may name another room instead.
* A patient is in one session at a time: checking in while another session of
  the same patient is running is refused.
* A second dosing session for a patient on one day (another session of theirs
  had its first dose that day, local time) needs a clinician's confirmation
  with a reason (Action.CONFIRM_SAME_DAY_DOSE).
* Scheduling a second session for the patient on one day is allowed with a
  warning (the confirmation is asked at check-in).
* On the Today board two running sessions in one room are both flagged
  ("Room 2 shared with <other patient>"), and a session due to check in whose
  room is taken says so ("Room 2 in use by <other patient>").

The messages and flags are in the active language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.domain.wording import Wording
from kapdesk.i18n import _


@dataclass(frozen=True)
class SessionAtClinic:
    """What the conflict rules need to know about one session."""

    id: int
    patient_id: int
    patient_name: str
    room: str
    state: SessionState
    scheduled_at: datetime
    first_dose_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.state in ACTIVE

    def describe(self) -> str:
        """'session #4 (Doe, Jane, in monitoring)'."""
        return _(
            "session #{id} ({patient}, {state})",
            id=self.id,
            patient=self.patient_name,
            state=self.state.label,
        )


@dataclass(frozen=True)
class CheckInConflicts:
    """Why a check-in into ``room`` would be refused or need a confirmation."""

    session_id: int
    room: str
    room_taken_by: SessionAtClinic | None
    patient_running: SessionAtClinic | None
    dosed_same_day: tuple[SessionAtClinic, ...]
    rooms_in_use: tuple[str, ...]  # rooms of running sessions, as they are written

    @property
    def needs_same_day_confirmation(self) -> bool:
        return bool(self.dosed_same_day)

    @property
    def refused(self) -> bool:
        return self.room_taken_by is not None or self.patient_running is not None


def room_text(room: str) -> str:
    """A room as stored and shown: format characters (Cf) dropped, blanks collapsed."""
    visible = "".join(c for c in room if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())


def room_key(room: str) -> str:
    """What two spellings of one room have in common (rooms in use are compared by it)."""
    return room_text(room).casefold()


def check_in_conflicts(
    session: SessionAtClinic,
    others: Iterable[SessionAtClinic],
    *,
    room: str | None = None,
    day_start: datetime,
    day_end: datetime,
) -> CheckInConflicts:
    """Conflicts of checking ``session`` in now, into ``room`` (default: its own room);
    ``others`` are the other sessions that may clash (running ones and the patient's)."""
    target = room if room is not None else session.room
    key = room_key(target)
    rest = [o for o in others if o.id != session.id]
    running = sorted((o for o in rest if o.running), key=lambda o: (o.scheduled_at, o.id))
    taken = next((o for o in running if room_key(o.room) == key), None)
    patient_running = next((o for o in running if o.patient_id == session.patient_id), None)
    same_day = tuple(
        sorted(
            (
                o
                for o in rest
                if o.patient_id == session.patient_id
                and o.first_dose_at is not None
                and day_start <= o.first_dose_at < day_end
            ),
            key=lambda o: (o.first_dose_at, o.id),
        )
    )
    in_use = tuple(dict.fromkeys(o.room for o in running))
    return CheckInConflicts(session.id, target, taken, patient_running, same_day, in_use)


def room_in_use_message(room: str, other: SessionAtClinic) -> str:
    return _(
        "{room} is in use by {session}: choose another room, or discharge or end that "
        "session first.",
        room=room,
        session=other.describe(),
    )


def patient_running_message(patient_name: str, other: SessionAtClinic) -> str:
    return _(
        "{patient} is already in {session} in {room}: a patient is in one session at a "
        "time; finish or cancel that one first.",
        patient=patient_name,
        session=other.describe(),
        room=other.room,
    )


def same_day_message(patient_name: str, earlier: Sequence[SessionAtClinic], hhmm: str) -> Wording:
    """'Simões, Conceição was already dosed today (session #3 at 09:10): ...' (a refusal
    the audit log keeps: English there, translated where shown).

    ``hhmm`` formats the first dose of the earliest one (local time, by the caller)."""
    first, extra = earlier[0], len(earlier) - 1
    return Wording.later(
        lambda _, _n: _(
            "{patient} was already dosed today (session #{id} at {time}{more}): a second "
            "dosing session on one day needs a clinician's confirmation with a reason.",
            patient=patient_name,
            id=first.id,
            time=hhmm,
            more=_n(" and {n} more", " and {n} more", extra) if extra else "",
        )
    )


def same_day_sessions(
    patient_id: int,
    others: Iterable[SessionAtClinic],
    *,
    day_start: datetime,
    day_end: datetime,
) -> tuple[SessionAtClinic, ...]:
    """The patient's other dosing sessions on a day (scheduled or dosed then), leaving out
    those that ended without a dose (cancelled, dose withheld): a warning when scheduling."""
    ended = (SessionState.CANCELLED, SessionState.DOSE_WITHHELD)
    return tuple(
        sorted(
            (
                o
                for o in others
                if o.patient_id == patient_id
                and o.state not in ended
                and (
                    day_start <= o.scheduled_at < day_end
                    or (o.first_dose_at is not None and day_start <= o.first_dose_at < day_end)
                )
            ),
            key=lambda o: (o.scheduled_at, o.id),
        )
    )


def shared_room_flags(sessions: Sequence[SessionAtClinic], now: datetime) -> dict[int, str]:
    """Board flags for rooms with more than one session at once: every running session
    sharing its room, and every session due to check in (scheduled for now or earlier)
    into a room a running session holds."""
    running: dict[str, list[SessionAtClinic]] = {}
    for s in sessions:
        if s.running:
            running.setdefault(room_key(s.room), []).append(s)
    flags: dict[int, str] = {}
    for s in sessions:
        holders = [o for o in running.get(room_key(s.room), []) if o.id != s.id]
        if not holders:
            continue
        names = ", ".join(o.patient_name for o in holders)
        if s.running:
            flags[s.id] = _("{room} shared with {names}", room=s.room, names=names)
        elif s.state is SessionState.SCHEDULED and s.scheduled_at <= now:
            flags[s.id] = _("{room} in use by {names}", room=s.room, names=names)
    return flags
