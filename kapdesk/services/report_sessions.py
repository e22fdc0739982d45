"""The sessions of one course as its printed summary needs them, read in a fixed number of
queries: the sessions, then each kind of row for all of them at once, then the names.

Each row is converted as ``SessionService.detail`` converts it (the same functions), so
the course summary prints what the session screen shows; it needs no reading schedule,
discharge checks or dose gate, which ``detail`` works out per session (with ~13 queries
each: ~0.2 s of a 20-session course summary). The statements are Core ones on
:mod:`kapdesk.storage.tables`: ``kapdesk report course`` reads them without loading the
ORM, and an ORM session runs them the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Table, select

from kapdesk.services.dtos import (
    DoseInfo,
    ObservationInfo,
    ReadingInfo,
    SessionInfo,
    SideEffectInfo,
)
from kapdesk.services.pinned_version import find_course_protocol
from kapdesk.services.row_info import (
    dose_info,
    observation_info,
    reading_info,
    session_info,
    session_route,
    side_effect_info,
    user_names,
)
from kapdesk.storage.tables import (
    doses,
    dosing_sessions,
    observations,
    side_effects,
    vital_readings,
)

if TYPE_CHECKING:
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.tables import Bind

_Rows = defaultdict[int, list[Row[Any]]]


@dataclass(frozen=True)
class CourseSession:
    """One dosing session of a course with its own rows, in the session screen's order."""

    session: SessionInfo
    readings: tuple[ReadingInfo, ...]
    doses: tuple[DoseInfo, ...]
    side_effects: tuple[SideEffectInfo, ...]
    observations: tuple[ObservationInfo, ...]
    route: str | None


def _by_session(s: Bind, table: Table, ids: list[int], *order: str) -> _Rows:
    """Rows of ``table`` for the sessions ``ids``, grouped by session, each group ordered
    by the columns ``order`` (what the session screen orders them by)."""
    grouped: _Rows = defaultdict(list)
    column = table.c.session_id
    rows = s.execute(
        select(table).where(column.in_(ids)).order_by(column, *(table.c[o] for o in order))
    )
    for row in rows:
        grouped[row.session_id].append(row)
    return grouped


def course_sessions(ctx: ServiceContext, course_id: int) -> list[CourseSession]:
    """Every dosing session of the course, by scheduled time (as sessions_for_course)."""
    from kapdesk.services.course_summary_reads import course_and_patient

    with ctx.db.connect_read() as conn:
        course, patient = course_and_patient(conn, course_id)
        return course_sessions_in(conn, ctx, course, patient)


def course_sessions_in(
    s: Bind, ctx: ServiceContext, course: Row[Any], patient: Row[Any]
) -> list[CourseSession]:
    """:func:`course_sessions` of the ``course`` row (of ``patient``) in the caller's
    transaction."""
    found = s.execute(
        select(dosing_sessions)
        .where(dosing_sessions.c.course_id == course.id)
        .order_by(dosing_sessions.c.scheduled_at, dosing_sessions.c.id)
    ).all()
    if not found:
        return []
    protocol = find_course_protocol(s, ctx, course)  # None: the summary still prints
    ids = [ds.id for ds in found]
    readings = _by_session(s, vital_readings, ids, "taken_at", "id")
    given = _by_session(s, doses, ids, "given_at", "id")
    effects = _by_session(s, side_effects, ids, "recorded_at", "id")
    observed = _by_session(s, observations, ids, "observed_at", "id")
    everyone = [
        *(x for rs in readings.values() for r in rs for x in (r.recorded_by, r.error_by)),
        *(
            x
            for ds in given.values()
            for d in ds
            for x in (d.given_by, d.recorded_by, d.confirmed_by, d.error_by)
        ),
        *(x for es in effects.values() for e in es for x in (e.recorded_by, e.error_by)),
        *(x for os in observed.values() for o in os for x in (o.recorded_by, o.error_by)),
    ]
    names = user_names(s, everyone)
    out = []
    for ds in found:
        route = session_route(protocol, given[ds.id])
        out.append(
            CourseSession(
                session=session_info(ds, course, patient),
                readings=tuple(reading_info(r, names, ds.first_dose_at) for r in readings[ds.id]),
                doses=tuple(dose_info(d, names) for d in given[ds.id]),
                side_effects=tuple(side_effect_info(e, names) for e in effects[ds.id]),
                observations=tuple(observation_info(o, names) for o in observed[ds.id]),
                route=route.value if route else None,
            )
        )
    return out
