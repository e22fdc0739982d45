"""Everything about one dosing session, for the session screen (read only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.protocol import Protocol, Route
from kapdesk.domain.schedule import DueItem
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.i18n import ENGLISH, current
from kapdesk.services.context import ServiceContext
from kapdesk.services.due_readings import (
    DosedSession,
    acknowledged_readings,
    course_history,
    session_alerts,
    session_schedule,
)
from kapdesk.services.error_marks import markers
from kapdesk.services.notes import note_info
from kapdesk.services.row_info import (
    course_info,
    dose_info,
    observation_info,
    patient_info,
    reading_info,
    session_info,
    session_route,
    side_effect_info,
    user_names,
)
from kapdesk.services.screen_dtos import DischargeCheck, SessionDetail
from kapdesk.services.session_discharge import compute_checks, frozen_checks, worded_checks
from kapdesk.services.session_support import (
    holding_reading,
    load,
    override_info,
    reading_order,
    session_gate,
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

_T = TypeVar("_T")
_PRE_DOSE = (SessionState.CHECKED_IN, SessionState.PRE_DOSE_VITALS)
_TAKES_DOSES = (*_PRE_DOSE, SessionState.DOSED, SessionState.MONITORING)


@dataclass(frozen=True)
class _Rows:
    """The session's own rows, each kind in the order the screen lists it."""

    readings: list[VitalReading]
    doses: list[Dose]
    overrides: list[HoldOverride]
    effects: list[SideEffect]
    observations: list[Observation]
    notes: list[Note]

    def people(self) -> list[int | None]:
        """Everyone named on these rows (for one user-name lookup)."""
        return [
            *markers(self.readings),
            *markers(self.doses),
            *markers(self.effects),
            *markers(self.observations),
            *(r.recorded_by for r in self.readings),
            *(x for d in self.doses for x in (d.given_by, d.recorded_by, d.confirmed_by)),
            *(o.recorded_by for o in self.overrides),
            *(e.recorded_by for e in self.effects),
            *(o.recorded_by for o in self.observations),
            *(n.author_id for n in self.notes),
        ]


def _ordered(s: Session, model: type[_T], *where: Any, order: tuple[Any, ...]) -> list[_T]:
    return list(s.scalars(select(model).where(*where).order_by(*order)))


def _load_rows(s: Session, session_id: int) -> _Rows:
    readings = sorted(
        s.scalars(select(VitalReading).where(VitalReading.session_id == session_id)),
        key=reading_order,
    )
    return _Rows(
        readings=readings,
        doses=_ordered(s, Dose, Dose.session_id == session_id, order=(Dose.given_at, Dose.id)),
        overrides=_ordered(
            s,
            HoldOverride,
            HoldOverride.session_id == session_id,
            order=(HoldOverride.recorded_at, HoldOverride.id),
        ),
        effects=_ordered(
            s,
            SideEffect,
            SideEffect.session_id == session_id,
            order=(SideEffect.recorded_at, SideEffect.id),
        ),
        observations=_ordered(
            s,
            Observation,
            Observation.session_id == session_id,
            order=(Observation.observed_at, Observation.id),
        ),
        notes=_ordered(
            s, Note, Note.dosing_session_id == session_id, order=(Note.held_at, Note.id)
        ),
    )


def _discharge_checks(
    ds: DosingSession,
    protocol: Protocol,
    route: Route | None,
    rows: _Rows,
    judged: tuple[Sequence[DueItem], Sequence[DosedSession]],
    now: datetime,
) -> tuple[DischargeCheck, ...]:
    """The checks frozen at discharge, else as of ``now`` on the schedule this screen shows
    (``judged``: that schedule and the course's history). In another language than English
    the frozen checks are judged again at the discharge time, so their words can be shown
    translated where they say what was frozen (session_discharge.worded_checks)."""
    schedule, history = judged
    frozen = frozen_checks(ds.discharge_criteria or {})
    at = ds.discharged_at if frozen is not None else now
    if at is None or (frozen is not None and current() == ENGLISH):
        return frozen or ()
    if frozen is not None:
        schedule = session_schedule(
            protocol,
            session=ds,
            route=route,
            readings=rows.readings,
            doses=rows.doses,
            history=history,
            now=at,
        )
    checks = compute_checks(
        protocol,
        route=route,
        doses=rows.doses,
        readings=rows.readings,
        stored=ds.discharge_criteria or {},
        at=at,
        side_effects=rows.effects,
        schedule=schedule,
    )
    return checks if frozen is None else worded_checks(frozen, checks)


def build_detail(ctx: ServiceContext, session_id: int) -> SessionDetail:
    """The session with its readings, doses, overrides, side effects, observations,
    notes (session notes and integration notes that follow it up), the reading
    schedule as of now, the discharge checks and whether a pre-dose hold is active."""
    now = ctx.now()
    with ctx.db.read() as s:
        loaded = load(s, ctx, session_id)
        rows = _load_rows(s, session_id)
        course_id = loaded.course.id
        count = s.scalar(
            select(func.count(DosingSession.id)).where(DosingSession.course_id == course_id)
        )
        history = course_history(s, [course_id]).get(course_id, [])
        acknowledged = acknowledged_readings(s, [session_id]).get(session_id, set())
        names = user_names(s, rows.people())
        course = course_info(loaded.course, ctx, int(count or 0), s)
    ds, protocol = loaded.session, loaded.protocol
    route = session_route(protocol, rows.doses)
    state = SessionState(ds.state)
    # the same schedule as the board: rule rechecks and conditional readings included
    schedule = session_schedule(
        protocol,
        session=ds,
        route=route,
        readings=rows.readings,
        doses=rows.doses,
        history=history,
        now=now,
    )
    checks = _discharge_checks(ds, protocol, route, rows, (schedule, history), now)
    first_dose = state in _PRE_DOSE
    hold = first_dose and holding_reading(rows.readings, rows.overrides, protocol) is not None
    gate = None
    if state in _TAKES_DOSES:
        gate = session_gate(
            protocol,
            ds,
            rows.readings,
            rows.overrides,
            route=route,
            first_dose=first_dose,
            names=names,
        )
    return SessionDetail(
        session=session_info(ds, loaded.course, loaded.patient),
        patient=patient_info(loaded.patient),
        course=course,
        readings=tuple(reading_info(r, names, ds.first_dose_at) for r in rows.readings),
        doses=tuple(dose_info(d, names) for d in rows.doses),
        overrides=tuple(override_info(o, names) for o in rows.overrides),
        side_effects=tuple(side_effect_info(e, names) for e in rows.effects),
        observations=tuple(observation_info(o, names) for o in rows.observations),
        notes=tuple(note_info(n, names) for n in rows.notes),
        schedule=tuple(schedule),
        discharge_checks=checks,
        hold_active=hold,
        route=route.value if route else None,
        gate=gate,
        alerts=(
            session_alerts(protocol, rows.readings, acknowledged, now) if state in ACTIVE else ()
        ),
    )
