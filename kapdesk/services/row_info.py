"""A stored row as the screens and summaries are given it: the conversions to dtos.

Each takes an ORM object or a Core ``Row`` of the same table (:mod:`kapdesk.storage.tables`),
which answer the same attribute names: the services read ORM objects, the course summary
printed from the command line reads Core rows, without loading the ORM (~80 ms of that
process), and both print the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, select

from kapdesk.domain.corrections import standing
from kapdesk.domain.instruments import InstrumentScore, score_instrument
from kapdesk.domain.protocol import Protocol, Route
from kapdesk.services.dtos import (
    CourseInfo,
    DoseInfo,
    InstrumentInfo,
    ObservationInfo,
    PatientInfo,
    ReadingInfo,
    SessionInfo,
    SideEffectInfo,
)
from kapdesk.services.error_marks import error_mark
from kapdesk.services.pinned_version import find_course_protocol
from kapdesk.storage.tables import users

if TYPE_CHECKING:
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.orm import (
        Course,
        Dose,
        DosingSession,
        InstrumentResult,
        Observation,
        Patient,
        SideEffect,
        VitalReading,
    )
    from kapdesk.storage.tables import Bind


def patient_name(p: Patient | Row[Any]) -> str:
    return f"{p.family_name}, {p.given_name}"


def patient_info(p: Patient | Row[Any], version: int | None = None) -> PatientInfo:
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
        version=version,
    )


def course_info(
    c: Course | Row[Any], ctx: ServiceContext, session_count: int, s: Bind
) -> CourseInfo:
    """The title is the pinned version's ('' when its text is missing from the database)."""
    proto = find_course_protocol(s, ctx, c)
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


def session_info(
    ds: DosingSession | Row[Any], course: Course | Row[Any], patient: Patient | Row[Any]
) -> SessionInfo:
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


def user_names(s: Bind, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = s.execute(select(users.c.id, users.c.full_name).where(users.c.id.in_(wanted))).all()
    return {r.id: r.full_name for r in rows}


def minutes_between(start: datetime | None, moment: datetime) -> float | None:
    """Exact minutes (not rounded: the Min column floors them, so 19 min 58 s is +19,
    like the schedule that does not count it as 20 minutes after the dose)."""
    return None if start is None else (moment - start).total_seconds() / 60


def reading_info(
    r: VitalReading | Row[Any], names: dict[int, str], first_dose_at: datetime | None
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


def dose_info(d: Dose | Row[Any], names: dict[int, str]) -> DoseInfo:
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


def session_route(protocol: Protocol | None, doses: Sequence[Dose | Row[Any]]) -> Route | None:
    """The route of the first dose standing; before a dose, the protocol's only route (None
    when it allows several, or when the course's pinned text is missing)."""
    doses = standing(doses)
    if doses:
        first = min(doses, key=lambda d: (d.given_at, d.id))
        return Route(first.route)
    return protocol.routes[0] if protocol is not None and len(protocol.routes) == 1 else None


def side_effect_info(r: SideEffect | Row[Any], names: dict[int, str]) -> SideEffectInfo:
    return SideEffectInfo(
        id=r.id,
        session_id=r.session_id,
        effect_id=r.effect_id,
        label=r.label,
        present=r.present,
        severity=r.severity,
        onset_at=r.onset_at,
        intervention=r.intervention,
        resolved_at=r.resolved_at,
        recorded_by=names.get(r.recorded_by, ""),
        recorded_at=r.recorded_at,
        error=error_mark(r, names),
    )


def observation_info(o: Observation | Row[Any], names: dict[int, str]) -> ObservationInfo:
    return ObservationInfo(
        id=o.id,
        session_id=o.session_id,
        kind=o.kind,
        score=o.score,
        present=o.present,
        text=o.text,
        observed_at=o.observed_at,
        recorded_by=names.get(o.recorded_by, ""),
        recorded_at=o.recorded_at,
        error=error_mark(o, names),
    )


@lru_cache(maxsize=4096)
def _stored_score(instrument: str, answers: tuple[int, ...]) -> InstrumentScore:
    """A stored result's answers scored by the domain. The same answers always give the
    same (immutable) score, so a result read again (the course outcome re-reads the
    chart's results; a chart opened again) is not scored again."""
    return score_instrument(instrument, answers)


def instrument_info(r: InstrumentResult | Row[Any], names: dict[int, str]) -> InstrumentInfo:
    score = _stored_score(r.instrument, tuple(int(a) for a in r.answers))
    return InstrumentInfo(
        id=r.id,
        patient_id=r.patient_id,
        course_id=r.course_id,
        session_id=r.session_id,
        instrument=r.instrument,
        answers=score.answers,
        total=r.total,
        band=r.band,
        item9_flag=r.item9_flag,
        taken_at=r.taken_at,
        recorded_by=names.get(r.recorded_by, ""),
        band_rule=score.band_rule,
        follow_up=score.follow_up,
        max_total=score.max_total,
        scoring_rule=r.scoring_rule,
        error=error_mark(r, names),
    )
