"""What the dosing-session services share: loading a session, the pre-dose hold rule and
checking times that callers pass in (the conversions of rows to dtos, and the route of a
session, are :mod:`kapdesk.services.row_info`'s).

Decisions a caller must know:

* The protocol of a session is the exact version its course is pinned to
  (``ctx.course_protocol``, see pinned_version), even after a newer file ships;
  a course whose pinned text is missing cannot have its sessions opened.
* The *route* of a session is the route of its first dose; before a dose it is
  the protocol's only route, or None when the protocol allows several.
* The dose gates (pre-dose hold, post-dose gate, checklist) are defined once in
  kapdesk.domain.gates; ``session_gate`` runs them over a session's rows. The gates and
  the room rule (kapdesk.domain.check_in) are imported by the functions that use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.corrections import standing
from kapdesk.domain.errors import IllegalTransition, NotFound
from kapdesk.domain.patients import validate_full_name, validate_notes
from kapdesk.domain.protocol import Band, Phase, Protocol, Route
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.vitals import VitalsInput
from kapdesk.i18n import N_, _
from kapdesk.services.context import ServiceContext
from kapdesk.services.dtos import OverrideInfo
from kapdesk.services.wording import Say
from kapdesk.storage.orm import (
    Course,
    DosingSession,
    HoldOverride,
    Patient,
    VitalReading,
)

if TYPE_CHECKING:
    from kapdesk.domain.gates import DoseGate, GateOverride, GateReading

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
        raise NotFound(_("There is no dosing session #{id}.", id=session_id))
    ds, course, patient = row
    return Loaded(ds, course, patient, ctx.course_protocol(s, course))


def refuse(state: SessionState, what: str, message: str) -> IllegalTransition:
    """A use case the session's state does not allow (shown to the user as is)."""
    return IllegalTransition(state.value, what, message)


# ------------------------------------------------------------------ converters


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


def reading_text(r: VitalReading, protocol: Protocol | None, say: Say = _) -> str:
    """'BP 152/94', plus the pulse or SpO2 when a rule fired on them (``say``: the
    language, :func:`kapdesk.services.wording.plain` for English)."""
    text = say(N_("BP {systolic}/{diastolic}"), systolic=r.systolic, diastolic=r.diastolic)
    rules = {x.id: x for x in protocol.vital_rules} if protocol else {}
    fired = [rules[i] for i in (r.rules or ()) if i in rules]
    if r.pulse is not None and any(x.pulse_gt is not None for x in fired):
        text += say(N_(", pulse {pulse}/min"), pulse=r.pulse)
    if r.spo2 is not None and any(x.spo2_lt is not None for x in fired):
        text += say(N_(", SpO2 {spo2} %"), spo2=r.spo2)
    return text


def reason_text(value: str | None) -> str:
    """Free-text reason, stripped ('' when blank), at most the notes limit."""
    return validate_notes(N_("Reason"), value)


def validate_prescriber(value: str) -> str:
    """The prescriber's name on an override; a refusal names the field 'Prescriber name'."""
    return validate_full_name(value, field=N_("Prescriber name"))


def no_hold_reason(readings: Iterable[VitalReading]) -> str:
    """Why there is no hold to override (for the refusal message)."""
    latest = latest_pre_dose(readings)
    if latest is None:
        return _("no pre-dose reading has been recorded.")
    if Band(latest.band) is Band.NORMAL:
        return _(
            "the latest pre-dose reading ({reading}) is normal.",
            reading=reading_text(latest, None),
        )
    return _("the latest pre-dose reading is already overridden.")
