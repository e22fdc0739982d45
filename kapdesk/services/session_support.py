"""What the dosing-session services share: loading a session, dto conversion,
the pre-dose hold rule and checking times that callers pass in.

Decisions a caller must know:

* The protocol of a session is the exact version its course is pinned to
  (``ctx.course_protocol``, see protocol_store), even after a newer file ships;
  a course whose pinned text is missing cannot have its sessions opened.
* The *route* of a session is the route of its first dose; before a dose it is
  the protocol's only route, or None when the protocol allows several.
* A *pre-dose hold* is active when the latest pre-dose reading (by time taken)
  is elevated, alert or critical and no override names that reading. A later
  normal recheck clears it; a later elevated recheck needs a new override.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import ensure_utc
from kapdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from kapdesk.domain.patients import validate_full_name, validate_notes
from kapdesk.domain.permissions import Action, roles_that_can
from kapdesk.domain.protocol import Band, Phase, Protocol, Route
from kapdesk.domain.session_state import SessionState
from kapdesk.services.context import ServiceContext
from kapdesk.services.protocol_store import cached_course_protocol
from kapdesk.services.dtos import (
    CourseInfo,
    DoseInfo,
    OverrideInfo,
    PatientInfo,
    ReadingInfo,
    SessionInfo,
)
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    HoldOverride,
    Patient,
    User,
    VitalReading,
)

# How far ahead of the clock a caller-given time may be (a slightly fast
# workstation clock), not a clinical number.
FUTURE_TOLERANCE: Final = timedelta(minutes=5)
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
    )


def patient_info(p: Patient) -> PatientInfo:
    return PatientInfo(
        id=p.id,
        mrn=p.mrn,
        family_name=p.family_name,
        given_name=p.given_name,
        date_of_birth=p.date_of_birth,
        sex=p.sex,
        weight_kg=p.weight_kg,
        allergies=p.allergies,
        contraindications=p.contraindications,
    )


def course_info(c: Course, ctx: ServiceContext, session_count: int) -> CourseInfo:
    proto = cached_course_protocol(ctx, c) or ctx.protocols.get(c.protocol_id)  # title
    return CourseInfo(
        id=c.id,
        patient_id=c.patient_id,
        protocol_id=c.protocol_id,
        protocol_version=c.protocol_version,
        protocol_title=proto.title if proto else "",
        started_on=c.started_on,
        goal=c.goal,
        ended_on=c.ended_on,
        session_count=session_count,
    )


def user_names(s: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = s.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all()
    return {r.id: r.full_name for r in rows}


def minutes_between(start: datetime | None, moment: datetime) -> float | None:
    return None if start is None else round((moment - start).total_seconds() / 60, 1)


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
    )


# ------------------------------------------------------------------ rules


def session_route(protocol: Protocol, doses: Sequence[Dose]) -> Route | None:
    if doses:
        first = min(doses, key=lambda d: (d.given_at, d.id))
        return Route(first.route)
    return protocol.routes[0] if len(protocol.routes) == 1 else None


def reading_order(r: VitalReading) -> tuple[datetime, int]:
    return (r.taken_at, r.id)


def latest_pre_dose(readings: Iterable[VitalReading]) -> VitalReading | None:
    pre = [r for r in readings if r.phase == Phase.PRE_DOSE.value]
    return max(pre, key=reading_order) if pre else None


def is_overridden(reading: VitalReading, overrides: Iterable[HoldOverride]) -> bool:
    # Overrides written without a reading (older data) cover readings recorded before them.
    return any(
        o.reading_id == reading.id
        or (o.reading_id is None and o.recorded_at >= reading.recorded_at)
        for o in overrides
    )


def holding_reading(
    readings: Iterable[VitalReading], overrides: Iterable[HoldOverride]
) -> VitalReading | None:
    """The pre-dose reading that holds the dose, or None when dosing may go ahead."""
    latest = latest_pre_dose(readings)
    if latest is None or Band(latest.band) is Band.NORMAL:
        return None
    return None if is_overridden(latest, overrides) else latest


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


def hold_message(r: VitalReading, protocol: Protocol | None) -> str:
    """'Pre-dose BP 152/94 is elevated (kap-default v1.0): a clinician must record ...'."""
    return (
        f"Pre-dose {reading_text(r, protocol)} is {r.band} ({r.protocol_label}): "
        f"{who_may(Action.OVERRIDE_HOLD)} must record an override before dosing."
    )


# ------------------------------------------------------------------ input


def given_time(field: str, value: datetime | None, now: datetime) -> datetime:
    """A caller-given moment (None: now): timezone-aware, at most 5 min ahead of the clock."""
    if value is None:
        return now
    if not isinstance(value, datetime):
        raise ValidationError(field, value, f"{field} must be a date and time, got {value!r}.")
    try:
        moment = ensure_utc(value)
    except ValueError:
        raise ValidationError(
            field, value, f"{field} {value.isoformat()} has no time zone; kapdesk needs one."
        ) from None
    if moment > now + FUTURE_TOLERANCE:
        minutes = int(FUTURE_TOLERANCE.total_seconds() // 60)
        raise ValidationError(
            field,
            value,
            f"{field} {moment:%Y-%m-%d %H:%M} UTC is in the future; at most {minutes} min "
            f"ahead of now ({now:%H:%M} UTC) is allowed.",
        )
    return moment


def short_text(field: str, value: object, max_chars: int) -> str:
    """Required one-line text, blanks stripped, at most ``max_chars``."""
    if not isinstance(value, str):
        raise ValidationError(field, value, f"{field} must be text, got {value!r}.")
    text = " ".join(value.split())
    if not text:
        raise ValidationError(field, value, f"{field} is required.")
    if len(text) > max_chars:
        raise ValidationError(
            field,
            text,
            f"{field} is {len(text)} characters long; at most {max_chars} are allowed.",
        )
    return text


def aware_time(field: str, value: datetime) -> datetime:
    """A planned moment (any date): it must carry a time zone."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        shown = value.isoformat() if isinstance(value, datetime) else repr(value)
        raise ValidationError(
            field, value, f"{field} {shown} needs a date, a time and a time zone."
        )
    return value


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
