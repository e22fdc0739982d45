"""Everything a patient's chart shows, read in one transaction.

The chart read the patient, the courses and the PHQ-9 and GAD-7 histories through four
services, then its sessions, the shown course's outcome, its integration notes, when their
sessions began and the course and patient again for the print action: seven read
transactions and 24 statements on every open (issue 14: on a server each statement and each
BEGIN / COMMIT is a round trip; 33 of them with the view's audit). :meth:`ChartReads.for_patient`
reads the same in one snapshot: the patient, their courses (each with its number of
sessions), both instruments' results, the sessions, the shown course's notes and one query
of user names for the results and the notes; the course's outcome is built from the
patient's PHQ-9 results of that course (a result filed under a course is that course's
patient's: ``InstrumentService.record`` refuses another patient's course). Whatever the
number of courses, sessions, results or notes: the same statements.
:meth:`ChartReads.for_course` reads another course chosen on the chart, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.instruments import GAD7, PHQ9
from kapdesk.services.context import Service, ServiceContext
from kapdesk.services.courses import course_rows
from kapdesk.services.dtos import CourseInfo, CourseOutcomeInfo, InstrumentInfo, PatientInfo
from kapdesk.services.error_marks import markers
from kapdesk.services.guard import audit_denials
from kapdesk.services.instruments import course_outcome_in
from kapdesk.services.notes import note_info
from kapdesk.services.row_info import course_info, instrument_info, patient_info, user_names
from kapdesk.services.rows import stored
from kapdesk.services.screen_dtos import NoteInfo
from kapdesk.services.session_rows import SessionRow, patient_sessions
from kapdesk.storage.orm import Course, DosingSession, InstrumentResult, Note, Patient


@dataclass(frozen=True)
class CourseRead:
    """A course as the chart shows it: its outcome (``InstrumentService.course_outcome``),
    its notes (``NoteService.list_for_course``) and when each of its sessions began
    (``SessionRows.started_at``)."""

    course_id: int
    outcome: CourseOutcomeInfo
    notes: list[NoteInfo]
    started: dict[int, datetime]


@dataclass(frozen=True)
class ChartHead:
    patient: PatientInfo
    courses: list[CourseInfo]  # oldest first (CourseService.list_for_patient)
    phq9: list[InstrumentInfo]  # oldest first (InstrumentService.history)
    gad7: list[InstrumentInfo]
    sessions: list[SessionRow]  # oldest first (SessionRows.for_patient)
    course: CourseRead | None  # the course shown (see ChartReads.for_patient), if any


def shown_course(courses: list[CourseInfo], wanted: int | None) -> int | None:
    """The course the chart shows: ``wanted`` if it is one of the patient's, else the
    newest (the course selector lists the newest first), None without courses."""
    ids = [c.id for c in courses]
    if wanted in ids:
        return wanted
    return ids[-1] if ids else None


@audit_denials
class ChartReads(Service):
    def for_patient(self, patient_id: int, course_id: int | None = None) -> ChartHead:
        """The patient, their courses, PHQ-9 and GAD-7 results and sessions, and the course
        shown (``course_id`` if it is theirs, else their newest), as the services return
        them, from one snapshot."""
        with self.ctx.db.read() as s:
            patient = patient_info(stored(s, Patient, patient_id))
            rows = course_rows(s, patient_id)  # held: the course shown is read from them
            courses = [course_info(c, self.ctx, n, s) for c, n in rows]
            shown = shown_course(courses, course_id)
            results = _results(s, patient_id)
            sessions, started = patient_sessions(s, patient_id)
            notes = [] if shown is None else _notes(s, shown)
            names = user_names(
                s,
                [
                    *(r.recorded_by for r in results),
                    *markers(results),
                    *(n.author_id for n in notes),
                ],
            )
            infos = [instrument_info(r, names) for r in results]
            phq9 = [r for r in infos if r.instrument == PHQ9.code]
            course = None
            if shown is not None:
                outcome = course_outcome_in(
                    s, self.ctx, shown, [r for r in phq9 if r.course_id == shown]
                )  # its course row is one of ``rows``, in the session: no statement
                course = CourseRead(
                    shown,
                    outcome,
                    [note_info(n, names) for n in notes],
                    started.get(shown, {}),
                )
        return ChartHead(
            patient,
            courses,
            phq9,
            [r for r in infos if r.instrument == GAD7.code],
            sessions,
            course,
        )

    def for_course(self, course_id: int) -> CourseRead:
        """A course as the chart shows it, from one snapshot."""
        with self.ctx.db.read() as s:
            stored(s, Course, course_id)
            outcome = course_outcome_in(s, self.ctx, course_id)
            notes = _notes(s, course_id)
            names = user_names(s, (n.author_id for n in notes))
            rows = s.execute(
                select(
                    DosingSession.id, DosingSession.first_dose_at, DosingSession.scheduled_at
                ).where(DosingSession.course_id == course_id)
            ).all()
            return CourseRead(
                course_id,
                outcome,
                [note_info(n, names) for n in notes],
                {sid: first or at for sid, first, at in rows},
            )


def warm_chart(ctx: ServiceContext) -> None:
    """The chart's queries run once for a patient and a course that do not exist (id 0; ids
    start at 1), so that SQLAlchemy has compiled them before the first chart of the process
    (~15 ms of CPU of the first open otherwise). Run by the sign-in preload, beside the
    board's (``warm_board``): no row is read, nothing is audited."""
    with ctx.db.read() as s:
        s.get(Patient, 0)
        course_rows(s, 0)
        _results(s, 0)
        patient_sessions(s, 0)
        _notes(s, 0)
        user_names(s, [0])


def _results(s: Session, patient_id: int) -> Sequence[InstrumentResult]:
    """The patient's PHQ-9 and GAD-7 results, oldest first (``InstrumentService.history``)."""
    return s.scalars(
        select(InstrumentResult)
        .where(
            InstrumentResult.patient_id == patient_id,
            InstrumentResult.instrument.in_((PHQ9.code, GAD7.code)),
        )
        .order_by(InstrumentResult.taken_at, InstrumentResult.id)
    ).all()


def _notes(s: Session, course_id: int) -> list[Note]:
    """The course's notes, by the time the session was held (``NoteService.list_for_course``)."""
    return list(
        s.scalars(select(Note).where(Note.course_id == course_id).order_by(Note.held_at, Note.id))
    )
