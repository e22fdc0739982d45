"""What the dosing-session services share: loading a session, dto conversion,
the pre-dose hold rule and checking times that callers pass in.

Decisions a caller must know:

* The protocol of a session is the exact version its course is pinned to
  (``ctx.course_protocol``, see protocol_store), even after a newer file ships;
  a course whose pinned text is missing cannot have its sessions opened.
* The *route* of a session is the route of its first dose; before a dose it is
  the protocol's only route, or None when the protocol allows several.
* The dose gates (pre-dose hold, post-dose gate, checklist) are defined once in
  kapdesk.domain.gates; ``session_gate`` runs them over a session's rows. The gates and
  the room rule (kapdesk.domain.check_in) are imported by the functions that use them:
  a printed course summary (``kapdesk report course``, a process of its own) loads this
  module for its dto conversions and judges no gate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Final
from typing import Protocol as Structural

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import ensure_utc, shown_time
from kapdesk.domain.corrections import standing
from kapdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from kapdesk.domain.patients import validate_full_name, validate_notes
from kapdesk.domain.permissions import Action, roles_that_can
from kapdesk.domain.protocol import Band, Phase, Protocol, Route
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.vitals import VitalsInput
from kapdesk.services.context import ServiceContext
from kapdesk.services.dtos import (
    DoseInfo,
    OverrideInfo,
    ReadingInfo,
    SessionInfo,
)
from kapdesk.services.error_marks import error_mark
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    HoldOverride,
    Patient,
    User,
    VitalReading,
)

if TYPE_CHECKING:
    from kapdesk.domain.gates import DoseGate, GateOverride, GateReading

# How far ahead of the clock a caller-given time may be (a typed HH:MM in the current
# minute, a slightly fast workstation clock), not a clinical number. A time inside it is
# stored as the clock's time, so no gate is ever judged against a typed future time.
FUTURE_TOLERANCE: Final = timedelta(minutes=1)
# Nothing kapdesk records happened before this (a year-1 typo is refused, not stored).
EARLIEST_TIME: Final = datetime(2000, 1, 1, tzinfo=UTC)
# Real time zones lie between UTC-12 and UTC+14; anything further is a typing error.
MAX_UTC_OFFSET: Final = timedelta(hours=14)
_DAY_HM: Final = "%Y-%m-%d %H:%M"
# How far ahead a session may be scheduled.
SCHEDULE_HORIZON: Final = timedelta(days=2 * 366)
MAX_ROOM_CHARS: Final = 64
MAX_LOT_CHARS: Final = 64


@dataclass
class Loaded:
    session: DosingSession
    course: Course
    patient: Patient
    protocol: Protocol

    @property
    def state(self) -> SessionState:
        return SessionState(self.session.state)


def load(s: Session, ctx: ServiceContext, session_id: int) -> Loaded:
    """The session with its course, patient and the course's pinned protocol, or NotFound."""
    row = s.execute(
        select(DosingSession, Course, Patient)
        .join(Course, DosingSession.course_id == Course.id)
        .join(Patient, Course.patient_id == Patient.id)
        .where(DosingSession.id == session_id)
    ).first()
    if row is None:
        raise NotFound(f"There is no dosing session #{session_id}.")
    ds, course, patient = row
    return Loaded(ds, course, patient, ctx.course_protocol(s, course))


def refuse(state: SessionState, what: str, message: str) -> IllegalTransition:
    """A use case the session's state does not allow (shown to the user as is)."""
    return IllegalTransition(state.value, what, message)


def who_may(action: Action) -> str:
    """'a clinician' / 'a nurse or a clinician': the roles allowed ``action``."""
    return " or ".join(f"a {r.value}" for r in roles_that_can(action)) or "nobody"


# ------------------------------------------------------------------ converters


def patient_name(p: Patient) -> str:
    return f"{p.family_name}, {p.given_name}"


def session_info(ds: DosingSession, course: Course, patient: Patient) -> SessionInfo:
    return SessionInfo(
        id=ds.id,
        course_id=course.id,
        patient_id=patient.id,
        mrn=patient.mrn,
        patient_name=patient_name(patient),
        protocol_id=course.protocol_id,
        protocol_version=course.protocol_version,
        scheduled_at=ds.scheduled_at,
        room=ds.room,
        state=ds.state,
        weight_kg=ds.weight_kg,
        checklist=dict(ds.checklist or {}),
        checked_in_at=ds.checked_in_at,
        first_dose_at=ds.first_dose_at,
        discharged_at=ds.discharged_at,
        discharge_criteria=dict(ds.discharge_criteria or {}),
        discharge_reason=ds.discharge_reason,
        state_reason=ds.state_reason,
        same_day_reason=ds.same_day_reason,
    )


def user_names(s: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = s.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all()
    return {r.id: r.full_name for r in rows}


def minutes_between(start: datetime | None, moment: datetime) -> float | None:
    """Exact minutes (not rounded: the Min column floors them, so 19 min 58 s is +19,
    like the schedule that does not count it as 20 minutes after the dose)."""
    return None if start is None else (moment - start).total_seconds() / 60


def reading_info(
    r: VitalReading, names: dict[int, str], first_dose_at: datetime | None
) -> ReadingInfo:
    """``minutes_from_dose`` is negative for readings before the first dose."""
    return ReadingInfo(
        id=r.id,
        session_id=r.session_id,
        taken_at=r.taken_at,
        systolic=r.systolic,
        diastolic=r.diastolic,
        pulse=r.pulse,
        spo2=r.spo2,
        phase=r.phase,
        band=r.band,
        rules=tuple(str(x) for x in r.rules or ()),
        assessment=r.assessment,
        protocol_label=r.protocol_label,
        recorded_by=names.get(r.recorded_by, ""),
        recorded_at=r.recorded_at,
        minutes_from_dose=minutes_between(first_dose_at, r.taken_at),
        error=error_mark(r, names),
    )


def dose_info(d: Dose, names: dict[int, str]) -> DoseInfo:
    return DoseInfo(
        id=d.id,
        session_id=d.session_id,
        medication=d.medication,
        route=d.route,
        amount=d.amount,
        unit=d.unit,
        mg=d.mg,
        given_at=d.given_at,
        lot_number=d.lot_number,
        given_by=names.get(d.given_by, ""),
        is_booster=d.is_booster,
        over_limit=d.over_limit,
        confirmation_reason=d.confirmation_reason,
        confirmed_by=None if d.confirmed_by is None else names.get(d.confirmed_by, ""),
        recorded_by=names.get(d.recorded_by, ""),
        warnings=tuple(str(w) for w in d.warnings or ()),
        recorded_at=d.recorded_at,
        error=error_mark(d, names),
    )


def override_info(o: HoldOverride, names: dict[int, str]) -> OverrideInfo:
    return OverrideInfo(
        id=o.id,
        session_id=o.session_id,
        reading_id=o.reading_id,
        prescriber_name=o.prescriber_name,
        reason=o.reason,
        recorded_by=names.get(o.recorded_by, ""),
        recorded_at=o.recorded_at,
        kind=o.kind or "reading",
        item_id=o.item_id,
    )


# ------------------------------------------------------------------ rules


def session_route(protocol: Protocol, doses: Sequence[Dose]) -> Route | None:
    doses = standing(doses)
    if doses:
        first = min(doses, key=lambda d: (d.given_at, d.id))
        return Route(first.route)
    return protocol.routes[0] if len(protocol.routes) == 1 else None


def reading_order(r: VitalReading) -> tuple[datetime, int]:
    return (r.taken_at, r.id)


def latest_pre_dose(readings: Iterable[VitalReading]) -> VitalReading | None:
    pre = [r for r in standing(readings) if r.phase == Phase.PRE_DOSE.value]
    return max(pre, key=reading_order) if pre else None


def gate_reading(r: VitalReading, protocol: Protocol | None) -> GateReading:
    """A stored reading as the dose gates (kapdesk.domain.gates) see it."""
    from kapdesk.domain.gates import GateReading

    return GateReading(
        id=r.id,
        taken_at=r.taken_at,
        recorded_at=r.recorded_at,
        phase=Phase(r.phase),
        band=Band(r.band),
        rules=tuple(str(x) for x in r.rules or ()),
        protocol_label=r.protocol_label,
        text=reading_text(r, protocol),
        values=VitalsInput(r.systolic, r.diastolic, r.pulse, r.spo2),
    )


def gate_override(o: HoldOverride, names: Mapping[int, str] | None = None) -> GateOverride:
    from kapdesk.domain.gates import GateOverride, OverrideKind

    return GateOverride(
        id=o.id,
        kind=OverrideKind(o.kind or OverrideKind.READING.value),
        reading_id=o.reading_id,
        item_id=o.item_id,
        prescriber_name=o.prescriber_name,
        reason=o.reason,
        recorded_at=o.recorded_at,
        recorded_by=(names or {}).get(o.recorded_by, ""),
    )


def gate_rows(s: Session, session_id: int) -> tuple[list[VitalReading], list[HoldOverride]]:
    """The readings and overrides the dose gates judge (no reading entered in error)."""
    readings = standing(
        s.scalars(select(VitalReading).where(VitalReading.session_id == session_id))
    )
    overrides = list(s.scalars(select(HoldOverride).where(HoldOverride.session_id == session_id)))
    return readings, overrides


def session_gate(
    protocol: Protocol,
    ds: DosingSession,
    readings: Iterable[VitalReading],
    overrides: Iterable[HoldOverride],
    *,
    route: Route | None,
    first_dose: bool,
    names: Mapping[int, str] | None = None,
) -> DoseGate:
    """kapdesk.domain.gates.dose_gate over the session's rows: what refuses the next dose
    (readings entered in error count for nothing)."""
    from kapdesk.domain.gates import dose_gate

    readings = standing(readings)
    return dose_gate(
        protocol,
        first_dose=first_dose,
        route=route,
        answers=dict(ds.checklist or {}),
        readings=[gate_reading(r, protocol) for r in readings],
        overrides=[gate_override(o, names) for o in overrides],
    )


def holding_reading(
    readings: Iterable[VitalReading], overrides: Iterable[HoldOverride], protocol: Protocol
) -> VitalReading | None:
    """The pre-dose reading that holds the first dose (kapdesk.domain.gates.pre_dose_hold),
    or None when the hold is lifted or there is none (a reading entered in error holds
    nothing)."""
    from kapdesk.domain.gates import pre_dose_hold

    rows = standing(readings)
    hold = pre_dose_hold(
        protocol, [gate_reading(r, protocol) for r in rows], [gate_override(o) for o in overrides]
    )
    held = hold.reading
    return None if held is None else next(r for r in rows if r.id == held.id)


def reading_text(r: VitalReading, protocol: Protocol | None) -> str:
    """'BP 152/94', plus the pulse or SpO2 when a rule fired on them."""
    text = f"BP {r.systolic}/{r.diastolic}"
    rules = {x.id: x for x in protocol.vital_rules} if protocol else {}
    fired = [rules[i] for i in (r.rules or ()) if i in rules]
    if r.pulse is not None and any(x.pulse_gt is not None for x in fired):
        text += f", pulse {r.pulse}/min"
    if r.spo2 is not None and any(x.spo2_lt is not None for x in fired):
        text += f", SpO2 {r.spo2} %"
    return text


# ------------------------------------------------------------------ input


def _utc(field: str, value: object) -> datetime:
    """``value`` as an aware UTC datetime with a real offset, or a ValidationError."""
    if not isinstance(value, datetime):
        raise ValidationError(field, value, f"{field} must be a date and time, got {value!r}.")
    try:
        offset = value.utcoffset()
    except (ValueError, TypeError, OverflowError):
        offset = None
    if value.tzinfo is None or offset is None:
        raise ValidationError(
            field, value, f"{field} {_shown(value)} has no time zone; kapdesk needs one."
        )
    if abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            field,
            value,
            f"{field} {_shown(value)} has a time zone offset of {_offset_text(offset)}; "
            "real time zones lie between UTC-12:00 and UTC+14:00.",
        )
    try:
        moment = ensure_utc(value)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or moment < EARLIEST_TIME:
        raise ValidationError(
            field,
            value,
            f"{field} {_shown(value)} is not a plausible date: "
            f"kapdesk takes times from {EARLIEST_TIME:%Y-%m-%d} on.",
        )
    return moment


def _shown(value: datetime) -> str:
    try:
        return value.isoformat()
    except (ValueError, TypeError, OverflowError):
        return f"{value:%Y-%m-%d %H:%M}"


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def given_time(
    field: str, value: datetime | None, now: datetime, tz: tzinfo | None = None
) -> datetime:
    """A caller-given moment (None: now), in UTC: timezone-aware, a plausible date, and
    not in the future. A time at most FUTURE_TOLERANCE ahead (the current minute typed
    as HH:MM, a fast workstation) is taken as ``now``. A refusal gives times in ``tz``."""
    if value is None:
        return now
    moment = _utc(field, value)
    if moment > now + FUTURE_TOLERANCE:
        raise ValidationError(
            field,
            value,
            f"{field} {shown_time(moment, tz, _DAY_HM, zone=True)} is in the future; a time "
            f"may be now or earlier (now is {shown_time(now, tz, _DAY_HM)}).",
        )
    return min(moment, now)


class CheckedIn(Structural):
    """What :func:`not_before_check_in` reads of a session: a DosingSession, or its columns."""

    @property
    def id(self) -> int: ...
    @property
    def checked_in_at(self) -> datetime | None: ...


def not_before_check_in(
    field: str, value: object, moment: datetime, ds: CheckedIn, tz: tzinfo | None = None
) -> None:
    """Refuse a moment before the session's check-in (compared by the minute shown, since
    time fields are typed as HH:MM). A refusal gives times in ``tz``."""
    start = ds.checked_in_at
    if start is None:
        return
    if moment < start.replace(second=0, microsecond=0):
        raise ValidationError(
            field,
            value,
            f"{field} {shown_time(moment, tz, _DAY_HM, zone=True)} is before the patient was "
            f"checked in to session #{ds.id} ({shown_time(start, tz, _DAY_HM)}); give a time "
            "during the session.",
        )


def short_text(field: str, value: object, max_chars: int) -> str:
    """Required one-line text, blanks stripped, at most ``max_chars``; a "Room" also loses
    Unicode format characters (check_in.room_text), so it cannot pass for another room."""
    from kapdesk.domain.check_in import room_text

    if not isinstance(value, str):
        raise ValidationError(field, value, f"{field} must be text, got {value!r}.")
    text = room_text(value) if field == "Room" else " ".join(value.split())
    if not text:
        raise ValidationError(field, value, f"{field} is required.")
    if len(text) > max_chars:
        raise ValidationError(
            field,
            text,
            f"{field} is {len(text)} characters long; at most {max_chars} are allowed.",
        )
    return text


def aware_time(field: str, value: datetime, now: datetime | None = None) -> datetime:
    """A planned moment, in UTC: it must carry a real time zone and be a plausible date
    (with ``now``: at most SCHEDULE_HORIZON ahead of it)."""
    moment = _utc(field, value)
    if now is not None and moment > now + SCHEDULE_HORIZON:
        raise ValidationError(
            field,
            value,
            f"{field} {moment:%Y-%m-%d} is more than {SCHEDULE_HORIZON.days // 366} years "
            "ahead; schedule sessions within that time.",
        )
    return moment


def reason_text(value: str | None) -> str:
    """Free-text reason, stripped ('' when blank), at most the notes limit."""
    return validate_notes("Reason", value)


def validate_prescriber(value: str) -> str:
    try:
        return validate_full_name(value)
    except ValidationError as exc:
        message = exc.message.replace("Full name", "Prescriber name", 1)
        raise ValidationError("Prescriber name", exc.value, message) from None


def no_hold_reason(readings: Iterable[VitalReading]) -> str:
    """Why there is no hold to override (for the refusal message)."""
    latest = latest_pre_dose(readings)
    if latest is None:
        return "no pre-dose reading has been recorded."
    if Band(latest.band) is Band.NORMAL:
        return f"the latest pre-dose reading ({reading_text(latest, None)}) is normal."
    return "the latest pre-dose reading is already overridden."
