"""The sessions of one course as its printed summary needs them, read in a fixed number of
queries: the sessions, then each kind of row for all of them at once, then the names.

Each row is converted as ``SessionService.detail`` converts it (the same functions), so
the course summary prints what the session screen shows; it needs no reading schedule,
discharge checks or dose gate, which ``detail`` works out per session (with ~13 queries
each: ~0.2 s of a 20-session course summary).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.services.context import ServiceContext
from kapdesk.services.dtos import (
    DoseInfo,
    ObservationInfo,
    ReadingInfo,
    SessionInfo,
    SideEffectInfo,
)
from kapdesk.services.row_info import (
    dose_info,
    observation_info,
    reading_info,
    session_info,
    session_route,
    side_effect_info,
    user_names,
)
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    Observation,
    Patient,
    SideEffect,
    VitalReading,
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class CourseSession:
    """One dosing session of a course with its own rows, in the session screen's order."""

    session: SessionInfo
    readings: tuple[ReadingInfo, ...]
    doses: tuple[DoseInfo, ...]
    side_effects: tuple[SideEffectInfo, ...]
    observations: tuple[ObservationInfo, ...]
    route: str | None


def _by_session(s: Session, model: type[_T], column: Any, ids: list[int], *order: Any) -> Any:
    """Rows of ``model`` for the sessions ``ids``, grouped by session, each group in
    ``order`` (what the session screen orders them by)."""
    grouped: defaultdict[int, list[_T]] = defaultdict(list)
    rows: Iterable[_T] = s.scalars(select(model).where(column.in_(ids)).order_by(column, *order))
    for row in rows:
        grouped[getattr(row, column.key)].append(row)
    return grouped


def course_sessions(ctx: ServiceContext, course_id: int) -> list[CourseSession]:
    """Every dosing session of the course, by scheduled time (as sessions_for_course)."""
    with ctx.db.read() as s:
        return course_sessions_in(s, ctx, course_id)


def course_sessions_in(s: Session, ctx: ServiceContext, course_id: int) -> list[CourseSession]:
    """:func:`course_sessions` in the caller's transaction."""
    found = s.execute(
        select(DosingSession, Course, Patient)
        .join(Course, DosingSession.course_id == Course.id)
        .join(Patient, Course.patient_id == Patient.id)
        .where(DosingSession.course_id == course_id)
        .order_by(DosingSession.scheduled_at, DosingSession.id)
    ).all()
    if not found:
        return []
    protocol = ctx.course_protocol(s, found[0][1])
    ids = [ds.id for ds, _, _ in found]
    readings = _by_session(
        s, VitalReading, VitalReading.session_id, ids, VitalReading.taken_at, VitalReading.id
    )
    doses = _by_session(s, Dose, Dose.session_id, ids, Dose.given_at, Dose.id)
    effects = _by_session(
        s, SideEffect, SideEffect.session_id, ids, SideEffect.recorded_at, SideEffect.id
    )
    observations = _by_session(
        s, Observation, Observation.session_id, ids, Observation.observed_at, Observation.id
    )
    everyone = [
        *(x for rs in readings.values() for r in rs for x in (r.recorded_by, r.error_by)),
        *(
            x
            for ds in doses.values()
            for d in ds
            for x in (d.given_by, d.recorded_by, d.confirmed_by, d.error_by)
        ),
        *(x for es in effects.values() for e in es for x in (e.recorded_by, e.error_by)),
        *(x for os in observations.values() for o in os for x in (o.recorded_by, o.error_by)),
    ]
    names = user_names(s, everyone)
    out = []
    for ds, course, patient in found:
        route = session_route(protocol, doses[ds.id])
        out.append(
            CourseSession(
                session=session_info(ds, course, patient),
                readings=tuple(reading_info(r, names, ds.first_dose_at) for r in readings[ds.id]),
                doses=tuple(dose_info(d, names) for d in doses[ds.id]),
                side_effects=tuple(side_effect_info(e, names) for e in effects[ds.id]),
                observations=tuple(observation_info(o, names) for o in observations[ds.id]),
                route=route.value if route else None,
            )
        )
    return out
