"""The Today board: every session of a day and every running one, with what is due.

Runs every few seconds in the GUI, so it costs a fixed number of queries
whatever the number of sessions: sessions (with course and patient), then
readings with their alert acknowledgements, doses, overrides and the dosed
sessions of their courses at once (five SELECTs, the open side effects a
column of the first; one when no session is listed). One session's row
(``only``) adds one: the places of the running sessions (rooms held).

Each running session's row carries its whole reading schedule (``items``: the
protocol's readings, rule rechecks and conditional readings, judged by
``kapdesk.services.due_readings.session_schedule``) and its active alerts
(``alerts``: an alert or critical reading from the minute it is recorded until
a later reading within limits or a clinician's acknowledgement).

Flags (in this order, each only when it applies):

* "Checklist incomplete" - before the dose, a required checklist item of the
  session's route is not answered yes (weight: not entered);
* "Checklist 'no' blocks dose: <item>" / "Checklist overridden: <item>" - a
  blocking item (protocol data) answered no / overridden by a clinician;
* "Elevated pre-dose BP" (or "Alert/Critical pre-dose reading"), "Hold: override
  needed" (+ "Hold: recheck too soon") / "Hold overridden" - before the dose, the
  pre-dose hold of kapdesk.domain.gates;
* "Booster held: override needed" / "Booster gate overridden" - after the dose,
  an alert/critical post-dose reading gates every further dose;
* "Reading overdue" - a scheduled reading's window has closed without one;
* "Readings missed: N" - windows that passed without a reading (counted);
* "Escalate" - the latest reading fired a rule for the N-th time in a row;
* "Open side effects: N" - present and not yet resolved.
* "Room 2 shared with <patient>" - another running session is in the same room;
  "Room 2 in use by <patient>" - a session due to check in whose room is taken
  (``kapdesk.domain.check_in.shared_room_flags``).

A recheck is a scheduled reading (in ``items`` and ``next_due``), not a flag.
Time-based flags, ``items``, ``alerts`` and ``next_due`` are given for running
sessions only.
``worst_band`` is the highest band among the session's readings ("" if none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, tzinfo
from typing import TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, func, or_, select
from sqlalchemy.orm import Session

from kapdesk.domain.alerts import ActiveAlert
from kapdesk.domain.check_in import SessionAtClinic, shared_room_flags
from kapdesk.domain.clock import day_window, local_time, zone_of
from kapdesk.domain.protocol import Band, Phase, Protocol, Route
from kapdesk.domain.schedule import DueItem, ItemStatus, next_due
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.domain.vitals import VitalsInput, classify
from kapdesk.i18n import N_, _
from kapdesk.services.context import ServiceContext
from kapdesk.services.due_readings import (
    DosedSession,
    course_history,
    session_alerts,
    session_schedule,
)
from kapdesk.services.pinned_version import cached_course_protocol, find_course_protocol
from kapdesk.services.row_info import patient_name, session_route
from kapdesk.services.screen_dtos import BoardRow
from kapdesk.services.session_check_in import at_clinic
from kapdesk.services.session_support import reading_order, session_gate
from kapdesk.storage.orm import (
    AlertAcknowledgement,
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
# A pre-dose reading that holds the dose, by its band (an unknown band: as before).
_HOLDING_READING = {
    Band.ELEVATED: N_("Elevated pre-dose BP"),
    Band.ALERT: N_("Alert pre-dose reading"),
    Band.CRITICAL: N_("Critical pre-dose reading"),
}


def _holding_flag(band: Band) -> str:
    flag = _HOLDING_READING.get(band)
    return _(flag) if flag else f"{band.value.capitalize()} pre-dose reading"


_PRE_DOSE = (_S.CHECKED_IN, _S.PRE_DOSE_VITALS)
_ACTIVE_VALUES = sorted(s.value for s in ACTIVE)


def _gate_flags(
    protocol: Protocol,
    ds: DosingSession,
    state: SessionState,
    route: Route | None,
    readings: Sequence[VitalReading],
    overrides: Sequence[HoldOverride],
) -> list[str]:
    """The dose gates (kapdesk.domain.gates) as board flags: checklist, hold, booster gate."""
    first = state in _PRE_DOSE
    gate = session_gate(protocol, ds, readings, overrides, route=route, first_dose=first)
    flags: list[str] = []
    if first and not gate.checklist.complete:
        flags.append(_("Checklist incomplete"))
    for b in gate.checklist.blocks:
        if b.answer is False:
            item_name = b.item.id.replace("_", " ")
            flags.append(_("Checklist 'no' blocks dose: {item}", item=item_name))
    for item, _override in gate.checklist.overridden:
        flags.append(_("Checklist overridden: {item}", item=item.id.replace("_", " ")))
    if first:
        hold = gate.hold
        held = hold.reading
        if held is not None:
            flags.append(_holding_flag(held.band))
            flags.append(_("Hold: override needed"))
            if hold.too_soon:
                flags.append(_("Hold: recheck too soon"))
        else:
            pre = [r for r in readings if r.phase == Phase.PRE_DOSE.value]
            latest = max(pre, key=reading_order) if pre else None
            # the overridden reading is still the latest pre-dose one
            if hold.override is not None and latest is not None and latest.band != "normal":
                flags.append(_holding_flag(Band(latest.band)))
                flags.append(_("Hold overridden"))
    elif gate.post_dose.active:
        flags.append(_("Booster held: override needed"))
    elif gate.post_dose.override is not None:
        flags.append(_("Booster gate overridden"))
    return flags


def _latest_assessment_flags(
    protocol: Protocol, readings: Sequence[VitalReading], now: datetime
) -> list[str]:
    """'Escalate' from the latest reading, classified again in context (a recheck is a
    scheduled reading, no flag)."""
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
    if assessment.escalate:
        flags.append(_("Escalate"))
    return flags


def _grouped(rows: Iterable[_T], key: str) -> dict[int, list[_T]]:
    out: dict[int, list[_T]] = defaultdict(list)
    for r in rows:
        out[getattr(r, key)].append(r)
    return out


def _places(s: Session, where: ColumnElement[bool]) -> list[SessionAtClinic]:
    """Where the board's sessions are (rooms, states, names): columns, not whole rows."""
    found = s.execute(
        select(
            DosingSession.id,
            Patient.id,
            Patient.family_name,
            Patient.given_name,
            DosingSession.room,
            DosingSession.state,
            DosingSession.scheduled_at,
            DosingSession.first_dose_at,
        )
        .join(Course, DosingSession.course_id == Course.id)
        .join(Patient, Course.patient_id == Patient.id)
        .where(where)
    ).all()
    return [
        SessionAtClinic(
            id=sid,
            patient_id=pid,
            patient_name=f"{family}, {given}",  # as session_support.patient_name
            room=room,
            state=SessionState(state),
            scheduled_at=scheduled_at,
            first_dose_at=first_dose_at,
        )
        for sid, pid, family, given, room, state, scheduled_at, first_dose_at in found
    ]


def _open_effects() -> ScalarSelect[int]:
    """The session's side effects present and not resolved (one column of the sessions'
    query; an entry marked entered in error counts for nothing)."""
    return (
        select(func.count(SideEffect.id))
        .where(
            SideEffect.session_id == DosingSession.id,
            SideEffect.present.is_(True),
            SideEffect.resolved_at.is_(None),
            SideEffect.error_at.is_(None),
        )
        .correlate(DosingSession)
        .scalar_subquery()
    )


def board_readings(
    s: Session, ids: list[int]
) -> tuple[dict[int, list[VitalReading]], dict[int, set[int]]]:
    """The sessions' readings (not those entered in error, which count for nothing on the
    board) and which of them a clinician acknowledged, in one query."""
    acked = (
        select(AlertAcknowledgement.id)
        .where(
            AlertAcknowledgement.session_id == VitalReading.session_id,
            AlertAcknowledgement.reading_id == VitalReading.id,
        )
        .exists()
    )
    found = s.execute(
        select(VitalReading, acked).where(
            VitalReading.session_id.in_(ids), VitalReading.error_at.is_(None)
        )
    ).all()
    readings: dict[int, list[VitalReading]] = defaultdict(list)
    acknowledged: dict[int, set[int]] = defaultdict(set)
    for reading, is_acked in found:
        readings[reading.session_id].append(reading)
        if is_acked:
            acknowledged[reading.session_id].add(reading.id)
    return readings, acknowledged


class BoardService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def today_board(
        self, day: date | None = None, tz: tzinfo | None = None, *, only: Collection[int] = ()
    ) -> list[BoardRow]:
        """Sessions scheduled on ``day`` (local to ``tz``; default: the clock's zone, else the
        computer's, and today there) plus every running session, ordered by room, then
        scheduled time. The day runs from its own local midnight to the next one (23 or
        25 h on a summer-time change day), not from today's UTC offset. ``only``: just the
        rows of these sessions (those on the board), flagged as on the whole board (a room
        shared with another session)."""
        now = self.ctx.now()
        zone = tz or zone_of(self.ctx.clock)
        day = day or local_time(now, zone).date()
        start, end = day_window(day, zone)
        in_day = (DosingSession.scheduled_at >= start) & (DosingSession.scheduled_at < end)
        return self._rows(or_(in_day, DosingSession.state.in_(_ACTIVE_VALUES)), now, only)

    def running_sessions(self) -> list[BoardRow]:
        """Sessions checked in, taking pre-dose vitals, dosed or in monitoring."""
        return self._rows(DosingSession.state.in_(_ACTIVE_VALUES), self.ctx.now())

    def _rows(
        self, where: ColumnElement[bool], now: datetime, only: Collection[int] = ()
    ) -> list[BoardRow]:
        with self.ctx.db.read() as s:
            query = (
                select(DosingSession, Course, Patient, _open_effects())
                .join(Course, DosingSession.course_id == Course.id)
                .join(Patient, Course.patient_id == Patient.id)
            )
            if only:  # just the rows asked for, and the rooms running sessions hold
                found = s.execute(query.where(where, DosingSession.id.in_(only))).all()
                places = [at_clinic(ds, p) for ds, _, p, _ in found]
                mine = {p.id for p in places}
                running = _places(s, where & DosingSession.state.in_(_ACTIVE_VALUES))
                places += [p for p in running if p.id not in mine]
            else:
                found = s.execute(query.where(where)).all()
                places = [at_clinic(ds, p) for ds, _, p, _ in found]
            if not found:
                return []
            ids = [ds.id for ds, _, _, _ in found]
            readings, acknowledged = board_readings(s, ids)
            doses, overrides = self._batch(s, ids)
            history = course_history(s, {c.id for _, c, _, _ in found})
            for course in {c.id: c for _, c, _, _ in found}.values():
                find_course_protocol(s, self.ctx, course)  # parse pinned versions once, cached
        rows = [
            self._row(
                ds,
                course,
                patient,
                sorted(readings.get(ds.id, []), key=reading_order),
                sorted(doses.get(ds.id, []), key=lambda d: (d.given_at, d.id)),
                overrides.get(ds.id, []),
                int(open_effects or 0),
                now,
                acknowledged.get(ds.id, set()),
                history.get(course.id, []),
            )
            for ds, course, patient, open_effects in found
        ]
        # by id: a room's other sessions are named in the same order on both kinds of reload
        shared = shared_room_flags(sorted(places, key=lambda p: p.id), now)
        rows = [
            replace(r, flags=(*r.flags, shared[r.session_id])) if r.session_id in shared else r
            for r in rows
        ]
        rows.sort(key=lambda r: (r.room.casefold(), r.scheduled_at, r.session_id))
        return rows

    def _batch(
        self, s: Session, ids: list[int]
    ) -> tuple[dict[int, list[Dose]], dict[int, list[HoldOverride]]]:
        # A dose entered in error counts for nothing on the board.
        doses = s.scalars(select(Dose).where(Dose.session_id.in_(ids), Dose.error_at.is_(None)))
        overrides = s.scalars(select(HoldOverride).where(HoldOverride.session_id.in_(ids)))
        return _grouped(doses, "session_id"), _grouped(overrides, "session_id")

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
        acknowledged: set[int] | None = None,
        history: Sequence[DosedSession] = (),
    ) -> BoardRow:
        state = SessionState(ds.state)
        protocol = cached_course_protocol(self.ctx, course)  # the course's pinned version
        flags: list[str] = []
        due = None
        items: list[DueItem] = []
        alerts: tuple[ActiveAlert, ...] = ()
        if protocol is None:
            flags.append(
                _(
                    "Protocol {protocol} v{version} missing: session cannot be opened",
                    protocol=course.protocol_id,
                    version=course.protocol_version,
                )
            )
        elif state in ACTIVE:
            route = session_route(protocol, doses)
            flags.extend(_gate_flags(protocol, ds, state, route, readings, overrides))
            items = session_schedule(
                protocol,
                session=ds,
                route=route,
                readings=readings,
                doses=doses,
                history=history,
                now=now,
            )
            if any(i.status is ItemStatus.OVERDUE for i in items):
                flags.append(_("Reading overdue"))
            missed = sum(1 for i in items if i.status is ItemStatus.MISSED)
            if missed:
                flags.append(_("Readings missed: {n}", n=missed))
            flags.extend(_latest_assessment_flags(protocol, readings, now))
            due = next_due(items, now)
            alerts = session_alerts(protocol, readings, acknowledged or set(), now)
        if state is SessionState.DISCHARGED and (ds.discharge_criteria or {}).get(
            "against_criteria"
        ):
            against = _("Discharged against criteria: {reason}", reason=ds.discharge_reason or "")
            flags.append(against.rstrip(": "))
        if open_effects:
            flags.append(_("Open side effects: {n}", n=open_effects))
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
            items=tuple(items),
            alerts=alerts,
        )


def warm_board(ctx: ServiceContext) -> None:
    """Run the board's queries once (the whole day, one session's row) and drop the rows:
    their SQL is compiled and the day's pages read before the first board is shown and the
    first reading recorded (~20-40 ms each otherwise). Run while the sign-in window waits."""
    rows = today_board(ctx)
    if rows:
        today_board(ctx, only={rows[0].session_id})


def today_board(
    ctx: ServiceContext,
    day: date | None = None,
    tz: tzinfo | None = None,
    *,
    only: Collection[int] = (),
) -> list[BoardRow]:
    return BoardService(ctx).today_board(day, tz, only=only)


def running_sessions(ctx: ServiceContext) -> list[BoardRow]:
    return BoardService(ctx).running_sessions()
