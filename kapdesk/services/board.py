"""The Today board: every session of a day and every running one, with what is due.

Runs every few seconds in the GUI, so it costs a fixed number of queries
whatever the number of sessions: sessions (with course and patient), then
readings, doses, overrides and open side effects of all listed sessions at
once (five SELECTs; one when no session is listed).

Flags (in this order, each only when it applies):

* "Checklist incomplete" - before the dose, a required checklist item of the
  session's route is not answered yes (weight: not entered);
* "Elevated pre-dose BP" (or "Alert/Critical pre-dose reading") - before the
  dose, the latest pre-dose reading is not normal;
* "Hold: override needed" / "Hold overridden" - before the dose;
* "Reading overdue" - a scheduled reading's window has closed without one;
* "Recheck due" - the latest reading is not normal and its recheck time passed;
* "Escalate" - the latest reading fired a rule for the N-th time in a row;
* "Open side effects: N" - present and not yet resolved.

Time-based flags and ``next_due`` are given for running sessions only.
``worst_band`` is the highest band among the session's readings ("" if none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from kapdesk.domain.protocol import Band, Phase, Protocol, Route
from kapdesk.domain.schedule import ItemStatus, compute_schedule, next_due
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.domain.vitals import VitalsInput, classify
from kapdesk.services.context import ServiceContext
from kapdesk.services.dtos import BoardRow
from kapdesk.services.protocol_store import cached_course_protocol, find_course_protocol
from kapdesk.services.session_support import (
    is_overridden,
    latest_pre_dose,
    patient_name,
    reading_order,
    session_route,
)
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    HoldOverride,
    Patient,
    SideEffect,
    VitalReading,
)

_S = SessionState
_T = TypeVar("_T")
_PRE_DOSE = (_S.CHECKED_IN, _S.PRE_DOSE_VITALS)
_ACTIVE_VALUES = sorted(s.value for s in ACTIVE)


def _checklist_incomplete(
    protocol: Protocol, route: Route | None, answers: dict[str, object]
) -> bool:
    for item in protocol.checklist_for(route):
        if not item.required:
            continue
        value = answers.get(item.id)
        if (item.kind == "number" and value is None) or (
            item.kind != "number" and value is not True
        ):
            return True
    return False


def _latest_assessment_flags(
    protocol: Protocol, readings: Sequence[VitalReading], now: datetime
) -> list[str]:
    """'Recheck due' / 'Escalate' from the latest reading, classified again in context."""
    if not readings:
        return []
    latest = readings[-1]
    phase = Phase(latest.phase)
    previous = [
        VitalsInput(r.systolic, r.diastolic, r.pulse, r.spo2)
        for r in readings[:-1]
        if r.phase == latest.phase
    ]
    current = VitalsInput(latest.systolic, latest.diastolic, latest.pulse, latest.spo2)
    assessment = classify(current, protocol, phase, previous)
    flags: list[str] = []
    recheck = assessment.recheck_after_min
    if (
        assessment.band is not Band.NORMAL
        and recheck is not None
        and now >= latest.taken_at + timedelta(minutes=recheck)
    ):
        flags.append("Recheck due")
    if assessment.escalate:
        flags.append("Escalate")
    return flags


def _grouped(rows: Iterable[_T], key: str) -> dict[int, list[_T]]:
    out: dict[int, list[_T]] = defaultdict(list)
    for r in rows:
        out[getattr(r, key)].append(r)
    return out


class BoardService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def today_board(self, day: date | None = None, tz: tzinfo | None = None) -> list[BoardRow]:
        """Sessions scheduled on ``day`` (local to ``tz``; default: the computer's zone and
        today) plus every running session, ordered by room, then scheduled time."""
        now = self.ctx.now()
        zone = tz or now.astimezone().tzinfo or UTC
        day = day or now.astimezone(zone).date()
        start = datetime.combine(day, time(0), zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        in_day = (DosingSession.scheduled_at >= start) & (DosingSession.scheduled_at < end)
        return self._rows(or_(in_day, DosingSession.state.in_(_ACTIVE_VALUES)), now)

    def running_sessions(self) -> list[BoardRow]:
        """Sessions checked in, taking pre-dose vitals, dosed or in monitoring."""
        return self._rows(DosingSession.state.in_(_ACTIVE_VALUES), self.ctx.now())

    def _rows(self, where: ColumnElement[bool], now: datetime) -> list[BoardRow]:
        with self.ctx.db.read() as s:
            found = s.execute(
                select(DosingSession, Course, Patient)
                .join(Course, DosingSession.course_id == Course.id)
                .join(Patient, Course.patient_id == Patient.id)
                .where(where)
            ).all()
            if not found:
                return []
            ids = [ds.id for ds, _, _ in found]
            readings, doses, overrides, open_effects = self._batch(s, ids)
            for course in {c.id: c for _, c, _ in found}.values():
                find_course_protocol(s, self.ctx, course)  # parse pinned versions once, cached
        rows = [
            self._row(
                ds,
                course,
                patient,
                sorted(readings.get(ds.id, []), key=reading_order),
                sorted(doses.get(ds.id, []), key=lambda d: (d.given_at, d.id)),
                overrides.get(ds.id, []),
                open_effects.get(ds.id, 0),
                now,
            )
            for ds, course, patient in found
        ]
        rows.sort(key=lambda r: (r.room.casefold(), r.scheduled_at, r.session_id))
        return rows

    def _batch(
        self, s: Session, ids: list[int]
    ) -> tuple[
        dict[int, list[VitalReading]],
        dict[int, list[Dose]],
        dict[int, list[HoldOverride]],
        dict[int, int],
    ]:
        readings = s.scalars(select(VitalReading).where(VitalReading.session_id.in_(ids)))
        doses = s.scalars(select(Dose).where(Dose.session_id.in_(ids)))
        overrides = s.scalars(select(HoldOverride).where(HoldOverride.session_id.in_(ids)))
        effects = s.execute(
            select(SideEffect.session_id, func.count(SideEffect.id))
            .where(
                SideEffect.session_id.in_(ids),
                SideEffect.present.is_(True),
                SideEffect.resolved_at.is_(None),
            )
            .group_by(SideEffect.session_id)
        ).all()
        return (
            _grouped(readings, "session_id"),
            _grouped(doses, "session_id"),
            _grouped(overrides, "session_id"),
            {sid: int(n) for sid, n in effects},
        )

    def _row(
        self,
        ds: DosingSession,
        course: Course,
        patient: Patient,
        readings: list[VitalReading],
        doses: list[Dose],
        overrides: list[HoldOverride],
        open_effects: int,
        now: datetime,
    ) -> BoardRow:
        state = SessionState(ds.state)
        protocol = cached_course_protocol(self.ctx, course)  # the course's pinned version
        flags: list[str] = []
        due = None
        if protocol is None:
            flags.append(
                f"Protocol {course.protocol_id} v{course.protocol_version} missing: "
                "session cannot be opened"
            )
        elif state in ACTIVE:
            route = session_route(protocol, doses)
            if state in _PRE_DOSE:
                if _checklist_incomplete(protocol, route, dict(ds.checklist or {})):
                    flags.append("Checklist incomplete")
                latest = latest_pre_dose(readings)
                if latest is not None and Band(latest.band) is not Band.NORMAL:
                    band = Band(latest.band)
                    flags.append(
                        "Elevated pre-dose BP"
                        if band is Band.ELEVATED
                        else f"{band.value.capitalize()} pre-dose reading"
                    )
                    overridden = is_overridden(latest, overrides)
                    flags.append("Hold overridden" if overridden else "Hold: override needed")
            items = compute_schedule(
                protocol,
                route=route,
                dose_times=[d.given_at for d in doses],
                readings=[r.taken_at for r in readings],
                now=now,
                checked_in_at=ds.checked_in_at,
            )
            if any(i.status is ItemStatus.OVERDUE for i in items):
                flags.append("Reading overdue")
            flags.extend(_latest_assessment_flags(protocol, readings, now))
            due = next_due(items, now)
        if open_effects:
            flags.append(f"Open side effects: {open_effects}")
        worst = max((Band(r.band) for r in readings), key=lambda b: b.rank, default=None)
        return BoardRow(
            session_id=ds.id,
            room=ds.room,
            patient_name=patient_name(patient),
            mrn=patient.mrn,
            protocol_label=f"{course.protocol_id} v{course.protocol_version}",
            state=ds.state,
            scheduled_at=ds.scheduled_at,
            first_dose_at=ds.first_dose_at,
            next_due=due,
            flags=tuple(flags),
            worst_band=worst.value if worst else "",
        )


def today_board(
    ctx: ServiceContext, day: date | None = None, tz: tzinfo | None = None
) -> list[BoardRow]:
    return BoardService(ctx).today_board(day, tz)


def running_sessions(ctx: ServiceContext) -> list[BoardRow]:
    return BoardService(ctx).running_sessions()
