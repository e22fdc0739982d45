"""Check-in conflicts, loaded from the database and enforced (rules: domain/check_in.py).

Decisions a caller must know:

* The "day" of a same-day dose is the local day of ``now`` in ``tz`` (default:
  the clock's zone, domain.clock), as on the Today board.
* Refusals: the patient already in a running session -> IllegalTransition; the
  room in use -> ValidationError on "Room" (the check-in may name another
  room); a second dosing session on one day -> PermissionDenied for roles
  without CONFIRM_SAME_DAY_DOSE, else ValidationError on "Same-day reason"
  until a reason is given.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kapdesk.domain.check_in import (
    CheckInConflicts,
    SessionAtClinic,
    check_in_conflicts,
    patient_running_message,
    room_in_use_message,
    same_day_message,
    same_day_sessions,
)
from kapdesk.domain.clock import day_window, local_time, shown_time, zoned_once
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.domain.wording import shown_part
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor
from kapdesk.services.row_info import patient_name
from kapdesk.services.session_support import Loaded, refuse
from kapdesk.services.wording import denied, who_may
from kapdesk.storage.orm import Course, DosingSession, Patient

SAME_DAY_FIELD = N_("Same-day reason")
_ACTIVE_VALUES = sorted(s.value for s in ACTIVE)


def at_clinic(ds: DosingSession, patient: Patient) -> SessionAtClinic:
    return SessionAtClinic(
        id=ds.id,
        patient_id=patient.id,
        patient_name=patient_name(patient),
        room=ds.room,
        state=SessionState(ds.state),
        scheduled_at=ds.scheduled_at,
        first_dose_at=ds.first_dose_at,
    )


def day_bounds(moment: datetime, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the local day of ``moment`` (each midnight its own offset)."""
    return day_window(local_time(moment, tz).date(), tz)


def schedule_warnings(
    s: Session, patient: Patient, when: datetime, tz: tzinfo | None
) -> tuple[str, ...]:
    """Why scheduling the patient at ``when`` deserves a second look (same-day sessions)."""
    start, end = day_bounds(when, tz)
    rows = s.execute(
        select(DosingSession)
        .join(Course, DosingSession.course_id == Course.id)
        .where(Course.patient_id == patient.id)
    ).scalars()
    others = [at_clinic(ds, patient) for ds in rows]
    found = same_day_sessions(patient.id, others, day_start=start, day_end=end)
    if not found:
        return ()
    at = zoned_once(tz)  # local times, the zone named once
    listed = ", ".join(
        _(
            "session #{id} at {time} ({state})",
            id=o.id,
            time=at(o.scheduled_at),
            state=o.state.label,
        )
        for o in found
    )
    return (
        _(
            "{name} already has a dosing session that day ({listed}). A second dosing session "
            "on one day needs a clinician's confirmation with a reason at check-in.",
            name=patient_name(patient),
            listed=listed,
        ),
    )


def load_conflicts(
    s: Session, loaded: Loaded, now: datetime, room: str | None, tz: tzinfo | None
) -> CheckInConflicts:
    start, end = day_bounds(now, tz)
    rows = s.execute(
        select(DosingSession, Patient)
        .join(Course, DosingSession.course_id == Course.id)
        .join(Patient, Course.patient_id == Patient.id)
        .where(
            DosingSession.id != loaded.session.id,
            or_(
                DosingSession.state.in_(_ACTIVE_VALUES),
                Patient.id == loaded.patient.id,
            ),
        )
    ).all()
    others = [at_clinic(ds, p) for ds, p in rows]
    me = at_clinic(loaded.session, loaded.patient)
    return check_in_conflicts(me, others, room=room, day_start=start, day_end=end)


def enforce(
    conflicts: CheckInConflicts,
    loaded: Loaded,
    actor: Actor,
    same_day_reason: str,
    *,
    given_room: str | None,
    now: datetime,
    tz: tzinfo | None,
) -> None:
    """Raise the refusal a check-in with ``conflicts`` meets (see the module docstring)."""
    name = patient_name(loaded.patient)
    if conflicts.patient_running is not None:
        raise refuse(
            loaded.state, "check_in", patient_running_message(name, conflicts.patient_running)
        )
    if conflicts.room_taken_by is not None:
        raise ValidationError(
            "Room",
            given_room if given_room is not None else loaded.session.room,
            room_in_use_message(conflicts.room_taken_by.room, conflicts.room_taken_by),
        )
    if not conflicts.dosed_same_day:
        return
    first = conflicts.dosed_same_day[0].first_dose_at
    assert first is not None
    hhmm = shown_time(first, tz, zone=True)
    text = same_day_message(name, conflicts.dosed_same_day, hhmm)
    if not can(actor.role, Action.CONFIRM_SAME_DAY_DOSE):
        raise denied(
            actor.role.value,
            Action.CONFIRM_SAME_DAY_DOSE.value,
            lambda say: say(
                N_("{problem} Only {who} may check the patient in."),
                problem=text,
                who=who_may(Action.CONFIRM_SAME_DAY_DOSE, say),
            ),
        )
    if not same_day_reason:
        raise ValidationError(
            SAME_DAY_FIELD,
            same_day_reason,
            _("{problem} Give the reason.", problem=shown_part(text)),
        )
