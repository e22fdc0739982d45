"""Everything about one dosing session, for the session screen (read only)."""

from __future__ import annotations

from sqlalchemy import func, select

from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.services.context import ServiceContext
from kapdesk.services.dtos import NoteInfo, ObservationInfo, SessionDetail, SideEffectInfo
from kapdesk.services.due_readings import (
    acknowledged_readings,
    course_history,
    session_alerts,
    session_schedule,
)
from kapdesk.services.session_discharge import compute_checks, frozen_checks
from kapdesk.services.session_support import (
    course_info,
    dose_info,
    holding_reading,
    load,
    override_info,
    patient_info,
    reading_info,
    reading_order,
    session_gate,
    session_info,
    session_route,
    user_names,
)
from kapdesk.storage.orm import (
    Dose,
    DosingSession,
    HoldOverride,
    Note,
    Observation,
    SideEffect,
    VitalReading,
)

_PRE_DOSE = (SessionState.CHECKED_IN, SessionState.PRE_DOSE_VITALS)
_TAKES_DOSES = (*_PRE_DOSE, SessionState.DOSED, SessionState.MONITORING)


def _side_effect(x: SideEffect, names: dict[int, str]) -> SideEffectInfo:
    return SideEffectInfo(
        id=x.id,
        session_id=x.session_id,
        effect_id=x.effect_id,
        label=x.label,
        present=x.present,
        severity=x.severity,
        onset_at=x.onset_at,
        intervention=x.intervention,
        resolved_at=x.resolved_at,
        recorded_by=names.get(x.recorded_by, ""),
        recorded_at=x.recorded_at,
    )


def _observation(x: Observation, names: dict[int, str]) -> ObservationInfo:
    return ObservationInfo(
        id=x.id,
        session_id=x.session_id,
        kind=x.kind,
        score=x.score,
        present=x.present,
        text=x.text,
        observed_at=x.observed_at,
        recorded_by=names.get(x.recorded_by, ""),
        recorded_at=x.recorded_at,
    )


def _note(x: Note, names: dict[int, str]) -> NoteInfo:
    return NoteInfo(
        id=x.id,
        kind=x.kind,
        course_id=x.course_id,
        dosing_session_id=x.dosing_session_id,
        held_at=x.held_at,
        sections={str(k): str(v) for k, v in (x.sections or {}).items()},
        body=x.body,
        status=x.status,
        author=names.get(x.author_id, ""),
        created_at=x.created_at,
        updated_at=x.updated_at,
    )


def build_detail(ctx: ServiceContext, session_id: int) -> SessionDetail:
    """The session with its readings, doses, overrides, side effects, observations,
    notes (session notes and integration notes that follow it up), the reading
    schedule as of now, the discharge checks and whether a pre-dose hold is active."""
    now = ctx.now()
    with ctx.db.read() as s:
        loaded = load(s, ctx, session_id)
        ds, protocol = loaded.session, loaded.protocol
        readings = sorted(
            s.scalars(select(VitalReading).where(VitalReading.session_id == session_id)),
            key=reading_order,
        )
        doses = list(
            s.scalars(
                select(Dose).where(Dose.session_id == session_id).order_by(Dose.given_at, Dose.id)
            )
        )
        overrides = list(
            s.scalars(
                select(HoldOverride)
                .where(HoldOverride.session_id == session_id)
                .order_by(HoldOverride.recorded_at, HoldOverride.id)
            )
        )
        effects = list(
            s.scalars(
                select(SideEffect)
                .where(SideEffect.session_id == session_id)
                .order_by(SideEffect.recorded_at, SideEffect.id)
            )
        )
        observations = list(
            s.scalars(
                select(Observation)
                .where(Observation.session_id == session_id)
                .order_by(Observation.observed_at, Observation.id)
            )
        )
        notes = list(
            s.scalars(
                select(Note)
                .where(Note.dosing_session_id == session_id)
                .order_by(Note.held_at, Note.id)
            )
        )
        count = int(
            s.scalar(
                select(func.count(DosingSession.id)).where(
                    DosingSession.course_id == loaded.course.id
                )
            )
            or 0
        )
        history = course_history(s, [loaded.course.id]).get(loaded.course.id, [])
        acknowledged = acknowledged_readings(s, [session_id]).get(session_id, set())
        names = user_names(
            s,
            [
                *(r.recorded_by for r in readings),
                *(d.given_by for d in doses),
                *(d.recorded_by for d in doses),
                *(d.confirmed_by for d in doses),
                *(o.recorded_by for o in overrides),
                *(e.recorded_by for e in effects),
                *(o.recorded_by for o in observations),
                *(n.author_id for n in notes),
            ],
        )

    route = session_route(protocol, doses)
    state = SessionState(ds.state)
    # the same schedule as the board: rule rechecks and conditional readings included
    schedule = session_schedule(
        protocol,
        session=ds,
        route=route,
        readings=readings,
        doses=doses,
        history=history,
        now=now,
    )
    checks = frozen_checks(ds.discharge_criteria or {})
    if checks is None:
        checks = compute_checks(
            protocol,
            route=route,
            doses=doses,
            readings=readings,
            stored=ds.discharge_criteria or {},
            at=now,
            side_effects=effects,
            schedule=schedule,  # judged on the schedule this screen shows
        )
    hold = state in _PRE_DOSE and holding_reading(readings, overrides, protocol) is not None
    gate = None
    if state in _TAKES_DOSES:
        gate = session_gate(
            protocol,
            ds,
            readings,
            overrides,
            route=route,
            first_dose=state in _PRE_DOSE,
            names=names,
        )
    return SessionDetail(
        session=session_info(ds, loaded.course, loaded.patient),
        patient=patient_info(loaded.patient),
        course=course_info(loaded.course, ctx, count),
        readings=tuple(reading_info(r, names, ds.first_dose_at) for r in readings),
        doses=tuple(dose_info(d, names) for d in doses),
        overrides=tuple(override_info(o, names) for o in overrides),
        side_effects=tuple(_side_effect(e, names) for e in effects),
        observations=tuple(_observation(o, names) for o in observations),
        notes=tuple(_note(n, names) for n in notes),
        schedule=tuple(schedule),
        discharge_checks=checks,
        hold_active=hold,
        route=route.value if route else None,
        gate=gate,
        alerts=session_alerts(protocol, readings, acknowledged, now) if state in ACTIVE else (),
    )
