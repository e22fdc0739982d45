"""Treatment courses: start one on a protocol, end it, list a patient's courses.

Decisions a caller must know:

* A course stores the protocol id, version and the SHA-256 of the protocol
  file's exact text current at its start, and that text is kept
  (``protocol_store.pin``); its sessions are judged with that version for ever,
  and every alert in them names it. A changed file that keeps a version already
  used by courses is refused (it needs a new version).
* A patient has at most one open course: starting a second one while another
  has no end date is refused (end the first, then start the next).
* A course can only end once every one of its sessions is finished
  (discharged, cancelled or dose withheld). The reason for ending has no column
  of its own: it is kept in the audit entry (``after["end_reason"]``).
* Dates are calendar dates; ``started_on`` defaults to today's local date and
  may be at most MAX_DAYS_AHEAD in the future (a course planned ahead).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import local_time
from kapdesk.domain.dates import calendar_date
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.patients import validate_notes
from kapdesk.domain.permissions import Action
from kapdesk.domain.session_state import SessionState, is_terminal
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.dtos import CourseInfo
from kapdesk.services.guard import audit_denials
from kapdesk.services.protocol_store import pin
from kapdesk.services.recording import AuditRecord, audit_change, audit_row, snapshot
from kapdesk.services.row_info import course_info, patient_name
from kapdesk.services.rows import stored
from kapdesk.storage.orm import Course, DosingSession, Patient

# Plausible input, not a clinical number: how far ahead a course may be dated.
MAX_DAYS_AHEAD: Final = 366


def _session_count(s: Session, course_id: int) -> int:
    return int(
        s.scalar(select(func.count(DosingSession.id)).where(DosingSession.course_id == course_id))
        or 0
    )


def _get(s: Session, course_id: int) -> Course:
    return stored(s, Course, course_id)


def course_row(s: Session, course_id: int) -> tuple[Course, int]:
    """The course's row and its number of dosing sessions; NotFound for no such course."""
    return _get(s, course_id), _session_count(s, course_id)


@audit_denials
class CourseService(Service):
    def _today(self) -> date:
        return local_time(self.ctx.now(), self.ctx.tz).date()

    def _start_date(self, started_on: date | str | None) -> date:
        """The course's first day (default: today), at most MAX_DAYS_AHEAD ahead."""
        today = self._today()
        start = today if started_on is None else calendar_date(N_("Start date"), started_on)
        latest = today + timedelta(days=MAX_DAYS_AHEAD)
        if start > latest:
            raise ValidationError(
                "Start date",
                start,
                _(
                    "Start date {start} is more than {days} days ahead (latest {latest}).",
                    start=start.isoformat(),
                    days=MAX_DAYS_AHEAD,
                    latest=latest.isoformat(),
                ),
            )
        return start

    def start(
        self,
        actor: Actor,
        patient_id: int,
        protocol_id: str,
        started_on: date | str | None = None,
        goal: str = "",
    ) -> CourseInfo:
        actor.require(Action.MANAGE_COURSES)
        protocol = self.ctx.protocols.get(protocol_id)
        if protocol is None:
            known = ", ".join(sorted(self.ctx.protocols))
            raise ValidationError(
                "Protocol",
                protocol_id,
                _(
                    "Protocol '{protocol}' is not known; known: {known}.",
                    protocol=protocol_id,
                    known=known,
                ),
            )
        start = self._start_date(started_on)
        clean_goal = validate_notes(N_("Goal"), goal)
        with self.ctx.db.write() as s:
            patient = stored(s, Patient, patient_id)
            if start < patient.date_of_birth:
                raise ValidationError(
                    "Start date",
                    start,
                    _(
                        "Start date {start} is before the patient's date of birth {born}.",
                        start=start.isoformat(),
                        born=patient.date_of_birth.isoformat(),
                    ),
                )
            open_course = s.scalar(
                select(Course).where(Course.patient_id == patient_id, Course.ended_on.is_(None))
            )
            if open_course is not None:
                raise ValidationError(
                    "Course",
                    open_course.id,
                    _(
                        "{name} already has an open course ({protocol} v{version}, started "
                        "{started}); end it before starting another.",
                        name=patient_name(patient),
                        protocol=open_course.protocol_id,
                        version=open_course.protocol_version,
                        started=open_course.started_on.isoformat(),
                    ),
                )
            digest, pinned = pin(s, protocol, self.ctx.now())
            if pinned is not None:
                audit_row(s, self.ctx, actor, "protocol.pin", pinned)
            row = Course(
                patient_id=patient_id,
                protocol_id=protocol.id,
                protocol_version=protocol.version,
                protocol_hash=digest,
                started_on=start,
                goal=clean_goal,
                ended_on=None,
                created_at=self.ctx.now(),
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "course.start", row)
            return course_info(row, self.ctx, 0, s)

    def end(
        self, actor: Actor, course_id: int, ended_on: date | str, reason: str = ""
    ) -> CourseInfo:
        actor.require(Action.MANAGE_COURSES)
        end = calendar_date(N_("End date"), ended_on)
        clean_reason = validate_notes(N_("Reason"), reason)
        today = self._today()
        if end > today:
            raise ValidationError(
                "End date",
                end,
                _(
                    "End date {end} is in the future (today is {today}).",
                    end=end.isoformat(),
                    today=today.isoformat(),
                ),
            )
        with self.ctx.db.write() as s:
            row = _get(s, course_id)
            if row.ended_on is not None:
                raise ValidationError(
                    "End date",
                    end,
                    _(
                        "Course #{course} already ended on {ended}.",
                        course=course_id,
                        ended=row.ended_on.isoformat(),
                    ),
                )
            if end < row.started_on:
                raise ValidationError(
                    "End date",
                    end,
                    _(
                        "End date {end} is before the course started ({started}).",
                        end=end.isoformat(),
                        started=row.started_on.isoformat(),
                    ),
                )
            states = s.scalars(
                select(DosingSession.state).where(DosingSession.course_id == course_id)
            ).all()
            unfinished = sorted({st for st in states if not is_terminal(SessionState(st))})
            if unfinished:
                raise ValidationError(
                    "End date",
                    end,
                    _(
                        "Course #{course} still has sessions that are not finished ({states}); "
                        "discharge or cancel them first.",
                        course=course_id,
                        states=", ".join(SessionState(st).label for st in unfinished),
                    ),
                )
            before = snapshot(row)
            row.ended_on = end
            after = {**snapshot(row), "end_reason": clean_reason}
            record = AuditRecord("course.end", "course", row.id, before=before, after=after)
            audit_change(s, self.ctx, actor, record)
            return course_info(row, self.ctx, len(states), s)

    def get(self, course_id: int) -> CourseInfo:
        with self.ctx.db.read() as s:
            row, sessions = course_row(s, course_id)
            return course_info(row, self.ctx, sessions, s)

    def list_for_patient(self, patient_id: int) -> list[CourseInfo]:
        """Oldest first, each with its number of dosing sessions."""
        with self.ctx.db.read() as s:
            stored(s, Patient, patient_id)
            return courses_of(s, self.ctx, patient_id)


def courses_of(s: Session, ctx: ServiceContext, patient_id: int) -> list[CourseInfo]:
    """A patient's courses, oldest first, each with its number of dosing sessions (in the
    caller's transaction: ``list_for_patient``, and the chart's one read)."""
    return [course_info(c, ctx, n, s) for c, n in course_rows(s, patient_id)]


def course_rows(s: Session, patient_id: int) -> list[tuple[Course, int]]:
    """A patient's course rows, oldest first, each with its number of dosing sessions."""
    sessions = (
        select(func.count(DosingSession.id))
        .where(DosingSession.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )
    rows = s.execute(
        select(Course, sessions)
        .where(Course.patient_id == patient_id)
        .order_by(Course.started_on, Course.id)
    ).all()
    return [(c, int(n)) for c, n in rows]
