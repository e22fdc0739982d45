"""The end-of-day handover: what is still open, missed or unsigned.

``HandoverService(ctx).today(actor, day=None) -> Handover`` lists, for the local ``day``
(default: today in the clock's zone):

* open sessions - every session checked in and not yet discharged (whatever day it
  started), and every session still *scheduled* for the day or earlier (never checked in,
  never cancelled); "since" is the check-in time, or the scheduled time;
* readings missed today - the missed items of the reading schedule
  (``kapdesk.domain.schedule.attention``, judged by ``due_readings.session_schedule``, as
  on the Today board) of every running session and every session dosed that day;
* unsigned sessions - discharged or dose withheld and not signed, any day (a cancelled
  session is a scheduling matter, not a clinical record that waits for a signature);
* unsigned integration notes - any day, draft or final.

Unsigned sessions and notes are counted in full and the newest ``LISTED`` of each are
listed, newest first.

Who sees what: staff who may view a chart (nurse, therapist, clinician) get every row
with the patient's name. An admin, who reads no chart, gets the four counts only
(``detail_hidden``): enough to know whether the day is closed, no patient, reading or
note.

Cost: a fixed number of SELECTs whatever the number of sessions (open and dosed-today
sessions; their readings, doses, overrides and side effects, loaded as the board loads
them; the dosed sessions of their courses; unsigned sessions and their discharging
users; unsigned notes and their authors), plus one per pinned protocol version not yet
parsed on this context.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Exists, and_, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kapdesk.domain.clock import day_window, local_time
from kapdesk.domain.notes import NoteKind
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.schedule import DueItem, attention
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.domain.signing import SignedEntity
from kapdesk.services.board import BoardService, board_readings
from kapdesk.services.context import Actor, Service
from kapdesk.services.due_readings import course_history, session_schedule
from kapdesk.services.guard import audit_denials
from kapdesk.services.pinned_version import find_course_protocol
from kapdesk.services.row_info import patient_name, session_route, user_names
from kapdesk.services.session_support import reading_order
from kapdesk.storage.orm import Course, DosingSession, Note, Patient, Signature

# Sessions that wait for a clinician's signature once they end.
AWAITING_SIGNATURE = (SessionState.DISCHARGED.value, SessionState.DOSE_WITHHELD.value)
_ACTIVE_VALUES = sorted(s.value for s in ACTIVE)
# Unsigned sessions and notes listed, newest first (the counts are exact): a clinic that
# has not signed for months still gets its handover at once. A screen bound, not clinical.
LISTED = 100
_Listed = TypeVar("_Listed", DosingSession, Note)


@dataclass(frozen=True)
class OpenSession:
    session_id: int
    patient_id: int
    patient_name: str
    mrn: str
    room: str
    state: str
    since: datetime  # checked in at, or scheduled at (not checked in yet)


@dataclass(frozen=True)
class MissedReading:
    session_id: int
    patient_id: int
    patient_name: str
    mrn: str
    room: str
    reading: str  # the schedule's label: "20-30 min after dose"
    due_from: datetime | None
    due_until: datetime | None


@dataclass(frozen=True)
class UnsignedSession:
    session_id: int
    patient_id: int
    patient_name: str
    mrn: str
    state: str
    ended_at: datetime  # discharged at; for a withheld dose the check-in (else scheduled)
    discharged_by: str  # "" when not discharged (dose withheld)


@dataclass(frozen=True)
class UnsignedNote:
    note_id: int
    patient_id: int
    patient_name: str
    mrn: str
    held_at: datetime
    author: str
    status: str  # "draft" | "final"


@dataclass(frozen=True)
class Handover:
    day: date
    open_count: int
    missed_count: int
    unsigned_session_count: int
    unsigned_note_count: int
    open_sessions: tuple[OpenSession, ...] = ()
    missed_readings: tuple[MissedReading, ...] = ()
    unsigned_sessions: tuple[UnsignedSession, ...] = ()
    unsigned_notes: tuple[UnsignedNote, ...] = ()
    detail_hidden: bool = False  # an admin: the counts only


def _signed(entity: SignedEntity, id_column: InstrumentedAttribute[int]) -> Exists:
    return exists().where(Signature.entity == entity.value, Signature.entity_id == id_column)


@audit_denials
class HandoverService(Service):
    def today(self, actor: Actor, day: date | None = None) -> Handover:
        """The handover of ``day`` (local to the clock's zone; default today)."""
        now = self.ctx.now()
        day = day or local_time(now, self.ctx.tz).date()
        start, end = day_window(day, self.ctx.tz)
        with self.ctx.db.read() as s:
            opened, missed = self._open_and_missed(s, start, end, now)
            session_count, sessions = self._unsigned_sessions(s)
            note_count, notes = self._unsigned_notes(s)
        full = Handover(
            day=day,
            open_count=len(opened),
            missed_count=len(missed),
            unsigned_session_count=session_count,
            unsigned_note_count=note_count,
            open_sessions=tuple(opened),
            missed_readings=tuple(missed),
            unsigned_sessions=tuple(sessions),
            unsigned_notes=tuple(notes),
        )
        if can(actor.role, Action.VIEW_PATIENT):
            return full
        return Handover(
            day=day,
            open_count=full.open_count,
            missed_count=full.missed_count,
            unsigned_session_count=full.unsigned_session_count,
            unsigned_note_count=full.unsigned_note_count,
            detail_hidden=True,
        )

    # ------------------------------------------------------------ open and missed

    def _open_and_missed(
        self, s: Session, start: datetime, end: datetime, now: datetime
    ) -> tuple[list[OpenSession], list[MissedReading]]:
        running = DosingSession.state.in_(_ACTIVE_VALUES)
        waiting = and_(
            DosingSession.state == SessionState.SCHEDULED.value, DosingSession.scheduled_at < end
        )
        dosed_today = and_(DosingSession.first_dose_at >= start, DosingSession.first_dose_at < end)
        found = s.execute(
            select(DosingSession, Course, Patient)
            .join(Course, DosingSession.course_id == Course.id)
            .join(Patient, Course.patient_id == Patient.id)
            .where(or_(running, waiting, dosed_today))
        ).all()
        opened = [
            OpenSession(
                session_id=ds.id,
                patient_id=p.id,
                patient_name=patient_name(p),
                mrn=p.mrn,
                room=ds.room,
                state=ds.state,
                since=ds.checked_in_at or ds.scheduled_at,
            )
            for ds, _, p in found
            if ds.state == SessionState.SCHEDULED.value or ds.state in _ACTIVE_VALUES
        ]
        opened.sort(key=lambda o: (o.since, o.room.casefold(), o.session_id))
        judged = [
            (ds, c, p)
            for ds, c, p in found
            if ds.state in _ACTIVE_VALUES
            or (ds.first_dose_at is not None and start <= ds.first_dose_at < end)
        ]
        return opened, self._missed(s, judged, now)

    def _missed(
        self, s: Session, found: Sequence[tuple[DosingSession, Course, Patient]], now: datetime
    ) -> list[MissedReading]:
        if not found:
            return []
        ids = [ds.id for ds, _, _ in found]
        # The board's own loading, so a reading counts here exactly when it counts there.
        readings, _ = board_readings(s, ids)
        doses, _ = BoardService(self.ctx)._batch(s, ids)
        history = course_history(s, {c.id for _, c, _ in found})
        out: list[MissedReading] = []
        for ds, course, p in found:
            protocol = find_course_protocol(s, self.ctx, course)
            if protocol is None:  # the board names the missing protocol
                continue
            given = sorted(doses.get(ds.id, []), key=lambda d: (d.given_at, d.id))
            items = session_schedule(
                protocol,
                session=ds,
                route=session_route(protocol, given),
                readings=sorted(readings.get(ds.id, []), key=reading_order),
                doses=given,
                history=history.get(course.id, []),
                now=now,
            )
            out += [_missed_row(ds, p, item) for item in attention(items, now).missed]
        out.sort(key=lambda m: (m.due_from or now, m.patient_name, m.session_id))
        return out

    # ------------------------------------------------------------ unsigned

    def _unsigned_sessions(self, s: Session) -> tuple[int, list[UnsignedSession]]:
        where = (
            DosingSession.state.in_(AWAITING_SIGNATURE),
            ~_signed(SignedEntity.DOSING_SESSION, DosingSession.id),
        )
        ended = func.coalesce(
            DosingSession.discharged_at, DosingSession.checked_in_at, DosingSession.scheduled_at
        )
        count, found = _count_and_newest(
            s, DosingSession, where, ended.desc(), DosingSession.id.desc()
        )
        names = user_names(s, (ds.discharged_by for ds, _ in found))
        return count, [
            UnsignedSession(
                session_id=ds.id,
                patient_id=p.id,
                patient_name=patient_name(p),
                mrn=p.mrn,
                state=ds.state,
                ended_at=ds.discharged_at or ds.checked_in_at or ds.scheduled_at,
                discharged_by=names.get(ds.discharged_by, "") if ds.discharged_by else "",
            )
            for ds, p in found
        ]

    def _unsigned_notes(self, s: Session) -> tuple[int, list[UnsignedNote]]:
        where = (
            Note.kind == NoteKind.INTEGRATION.value,
            ~_signed(SignedEntity.NOTE, Note.id),
        )
        count, found = _count_and_newest(s, Note, where, Note.held_at.desc(), Note.id.desc())
        names = user_names(s, _authors(n for n, _ in found))
        return count, [
            UnsignedNote(
                note_id=n.id,
                patient_id=p.id,
                patient_name=patient_name(p),
                mrn=p.mrn,
                held_at=n.held_at,
                author=names.get(n.author_id, ""),
                status=n.status,
            )
            for n, p in found
        ]


def _count_and_newest(
    s: Session,
    entity: type[_Listed],
    where: Sequence[ColumnElement[bool]],
    *newest_first: ColumnElement[Any],
) -> tuple[int, list[tuple[_Listed, Patient]]]:
    """How many rows of ``entity`` match ``where``, and the newest ``LISTED`` of them with
    their patient."""
    count = s.scalar(select(func.count(entity.id)).where(*where)) or 0
    found = s.execute(
        select(entity, Patient)
        .join(Course, entity.course_id == Course.id)
        .join(Patient, Course.patient_id == Patient.id)
        .where(*where)
        .order_by(*newest_first)
        .limit(LISTED)
    ).all()
    return count, [(row, p) for row, p in found]


def _authors(notes: Iterable[Note]) -> list[int]:
    return [n.author_id for n in notes]


def _missed_row(ds: DosingSession, p: Patient, item: DueItem) -> MissedReading:
    return MissedReading(
        session_id=ds.id,
        patient_id=p.id,
        patient_name=patient_name(p),
        mrn=p.mrn,
        room=ds.room,
        reading=item.label,
        due_from=item.opens_at,
        due_until=item.closes_at,
    )
