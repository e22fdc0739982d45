"""The inputs of the reading schedule and of the alert rule, from stored rows.

One place turns a session's rows into what ``kapdesk.domain.schedule`` and
``kapdesk.domain.alerts`` need, so the board, the session screen, discharge and
the reports judge the same schedule:

* rechecks: every reading whose stored rules include one with
  ``repeat_after_min`` asks for a recheck (``RecheckRequest``);
* conditions for conditional readings (``session_conditions``): the baseline
  is elevated when any pre-dose reading is not within limits; the *first
  session* of a course is one with no other session of the course dosed before
  it; a *dose increase* is a session total (mg, all doses) above the previous
  dosed session's total;
* alert readings with their acknowledgements.

:func:`course_history` loads the dosed sessions of several courses in one query
(the board runs every few seconds and keeps a fixed number of queries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.alerts import ActiveAlert, AlertReading, active_alerts
from kapdesk.domain.corrections import standing
from kapdesk.domain.protocol import Band, Phase, Protocol, Route
from kapdesk.domain.schedule import (
    DueItem,
    RecheckRequest,
    compute_schedule,
    recheck_after,
    session_conditions,
)
from kapdesk.storage.orm import AlertAcknowledgement, Dose, DosingSession, VitalReading


@dataclass(frozen=True)
class DosedSession:
    """A session of a course that received a dose: when, and how much in all."""

    session_id: int
    first_dose_at: datetime
    total_mg: float


def course_history(s: Session, course_ids: Iterable[int]) -> dict[int, list[DosedSession]]:
    """Dosed sessions per course, oldest first (one query)."""
    ids = sorted(set(course_ids))
    if not ids:
        return {}
    rows = s.execute(
        select(
            DosingSession.course_id,
            DosingSession.id,
            DosingSession.first_dose_at,
            func.sum(Dose.mg),
        )
        .join(Dose, Dose.session_id == DosingSession.id)
        .where(
            DosingSession.course_id.in_(ids),
            DosingSession.first_dose_at.is_not(None),
            Dose.error_at.is_(None),  # a dose entered in error was not given
        )
        .group_by(DosingSession.id)
    ).all()
    out: dict[int, list[DosedSession]] = defaultdict(list)
    for course_id, sid, first, total in rows:
        if first is not None:
            out[course_id].append(DosedSession(sid, first, float(total or 0)))
    for sessions in out.values():
        sessions.sort(key=lambda d: (d.first_dose_at, d.session_id))
    return dict(out)


def acknowledged_readings(s: Session, session_ids: Iterable[int]) -> dict[int, set[int]]:
    """Acknowledged reading ids per session (one query)."""
    ids = sorted(set(session_ids))
    out: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return {}
    rows = s.execute(
        select(AlertAcknowledgement.session_id, AlertAcknowledgement.reading_id).where(
            AlertAcknowledgement.session_id.in_(ids)
        )
    ).all()
    for sid, rid in rows:
        out[sid].add(rid)
    return dict(out)


def recheck_requests(protocol: Protocol, readings: Sequence[VitalReading]) -> list[RecheckRequest]:
    out: list[RecheckRequest] = []
    for r in readings:
        if Band(r.band) is Band.NORMAL:
            continue
        minutes = recheck_after(protocol, [str(x) for x in r.rules or ()])
        if minutes is not None:
            out.append(RecheckRequest(r.taken_at, minutes, r.band))
    return out


def conditions_for(
    session_id: int,
    readings: Sequence[VitalReading],
    doses: Sequence[Dose],
    history: Sequence[DosedSession],
) -> frozenset[str]:
    """The schedule conditions of one session (see the module docstring)."""
    first = min((d.given_at for d in doses), default=None)
    earlier = [
        h
        for h in history
        if h.session_id != session_id and (first is None or h.first_dose_at < first)
    ]
    previous = earlier[-1] if earlier else None
    elevated = any(
        r.phase == Phase.PRE_DOSE.value and Band(r.band) is not Band.NORMAL for r in readings
    )
    return session_conditions(
        baseline_elevated=elevated,
        first_session=not earlier,
        dose_mg=sum(d.mg for d in doses) if doses else None,
        previous_dose_mg=previous.total_mg if previous else None,
    )


def session_schedule(
    protocol: Protocol,
    *,
    session: DosingSession,
    route: Route | None,
    readings: Sequence[VitalReading],
    doses: Sequence[Dose],
    history: Sequence[DosedSession],
    now: datetime,
) -> list[DueItem]:
    """compute_schedule with the session's rechecks and conditions (entries marked entered
    in error count for nothing: a marked reading is due again)."""
    readings, doses = standing(readings), standing(doses)
    return compute_schedule(
        protocol,
        route=route,
        dose_times=[d.given_at for d in doses],
        readings=[r.taken_at for r in readings],
        now=now,
        discharged_at=session.discharged_at,
        checked_in_at=session.checked_in_at,
        rechecks=recheck_requests(protocol, readings),
        conditions=conditions_for(session.id, readings, doses, history),
    )


def alert_reading(r: VitalReading) -> AlertReading:
    return AlertReading(
        reading_id=r.id,
        taken_at=r.taken_at,
        band=Band(r.band),
        rule_ids=tuple(str(x) for x in r.rules or ()),
        systolic=r.systolic,
        diastolic=r.diastolic,
        pulse=r.pulse,
        spo2=r.spo2,
        protocol_label=r.protocol_label,
    )


def session_alerts(
    protocol: Protocol | None,
    readings: Sequence[VitalReading],
    acknowledged: Iterable[int],
    now: datetime,
) -> tuple[ActiveAlert, ...]:
    rules = {r.id: r for r in protocol.vital_rules} if protocol else {}
    readings = standing(readings)  # a reading entered in error raises no alert
    return active_alerts([alert_reading(r) for r in readings], set(acknowledged), rules, now)
