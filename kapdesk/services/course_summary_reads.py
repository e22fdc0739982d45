"""Everything a course summary prints, read in one transaction.

The summary (``ReportService.course_report`` / ``course_summary_pdf``: on screen, printed,
or ``kapdesk report course``) read the course (for an MRN: the patient, then the patient
again with their courses), then the patient, the sessions, the PHQ-9 and the GAD-7 results
(the patient again with each), the course's outcome (the course and its PHQ-9 results
again), its pinned protocol (the course again), the audit chain's head and the clinic's
name: 23 queries in ten read transactions. Read here in one snapshot, as the chart reads
(``chart_reads``), nothing written meanwhile shows in one part of a summary and not in
another, and a course of any size takes 12 queries: the patient and their courses (by
MRN) or the course, the course's results of both instruments and their recorders' names,
the sessions' fixed set (``report_sessions``), the chain's head and the clinic's name;
one more for the pinned protocol's text when this context has not parsed it yet. The
outcome is built from the course's PHQ-9 results read there (a result filed under a
course is that course's patient's: ``InstrumentService.record`` refuses another
patient's course).

The statements are Core ones on :mod:`kapdesk.storage.tables`, over a Core connection
(``Database.connect_read``): ``kapdesk report course`` prints without importing the ORM
(~80 ms of that process), and :func:`course_in` serves an ORM session the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, select

from kapdesk.domain.errors import NotFound, ValidationError
from kapdesk.domain.instruments import GAD7, PHQ9
from kapdesk.domain.protocol import Protocol
from kapdesk.i18n import N_, _
from kapdesk.services.course_outcome import outcome_info, outcome_split
from kapdesk.services.dtos import CourseInfo, CourseOutcomeInfo, InstrumentInfo, PatientInfo
from kapdesk.services.error_marks import markers
from kapdesk.services.patient_lookup import missing_row, patient_by_mrn, patient_row
from kapdesk.services.pinned_version import find_course_protocol
from kapdesk.services.report_sessions import CourseSession, course_sessions_in
from kapdesk.services.row_info import course_info, instrument_info, patient_info, user_names
from kapdesk.storage.audit import chain_head
from kapdesk.storage.settings_store import read_setting
from kapdesk.storage.tables import courses, dosing_sessions, instrument_results

if TYPE_CHECKING:
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.tables import Bind


@dataclass(frozen=True)
class CourseSummaryReads:
    """What ``build_course_report`` is given, and what its print context reads."""

    course: CourseInfo
    patient: PatientInfo
    sessions: list[CourseSession]
    phq9: list[InstrumentInfo]  # oldest first (InstrumentService.history)
    gad7: list[InstrumentInfo]
    outcome: CourseOutcomeInfo  # InstrumentService.course_outcome
    protocol: Protocol | None  # the pinned version; None when its text is missing
    chain_head: tuple[int, str] | None  # the audit chain's newest entry (the record seal)
    clinic_name: str


def _with_session_count() -> Any:
    """The course's columns and its number of dosing sessions (``sessions``)."""
    count = (
        select(func.count(dosing_sessions.c.id))
        .where(dosing_sessions.c.course_id == courses.c.id)
        .correlate(courses)
        .scalar_subquery()
        .label("sessions")
    )
    return select(courses, count)


def course_and_patient(s: Bind, course_id: int) -> tuple[Row[Any], Row[Any]]:
    """The course's row (with ``sessions``, its number of dosing sessions) and its
    patient's; NotFound for no such course."""
    row = s.execute(_with_session_count().where(courses.c.id == course_id)).first()
    if row is None:
        raise missing_row(N_("treatment course"), course_id)
    return row, patient_row(s, row.patient_id)


def _course_rows(s: Bind, mrn_or_course_id: str | int) -> tuple[Row[Any], Row[Any]]:
    """The course's row (with ``sessions``) and its patient's: a course id, or an MRN (the
    patient's most recent course: latest start date, then highest id)."""
    if isinstance(mrn_or_course_id, int) and not isinstance(mrn_or_course_id, bool):
        return course_and_patient(s, mrn_or_course_id)
    if not isinstance(mrn_or_course_id, str) or not mrn_or_course_id.strip():
        raise ValidationError(
            "MRN", mrn_or_course_id, _("Give an MRN (text) or a course id (a whole number).")
        )
    patient = patient_by_mrn(s, mrn_or_course_id)
    newest = s.execute(
        _with_session_count()
        .where(courses.c.patient_id == patient.id)
        .order_by(courses.c.started_on.desc(), courses.c.id.desc())
        .limit(1)
    ).first()
    if newest is None:
        shown = patient_info(patient)
        raise NotFound(
            _(
                "Patient {name} (MRN {mrn}) has no treatment course.",
                name=shown.display_name,
                mrn=shown.mrn,
            )
        )
    return newest, patient


def course_in(s: Bind, ctx: ServiceContext, mrn_or_course_id: str | int) -> CourseInfo:
    """A course id, or an MRN (the patient's most recent course: latest start date, then
    highest id); NotFound otherwise (``ReportService.resolve_course``)."""
    row, _patient_row = _course_rows(s, mrn_or_course_id)
    return course_info(row, ctx, row.sessions, s)


def _course_results(s: Bind, patient_id: int, course_id: int) -> list[InstrumentInfo]:
    """The patient's PHQ-9 and GAD-7 results filed under the course, oldest first: what
    ``InstrumentService.history(patient_id, "PHQ-9", course_id)`` and ``history(...,
    "GAD-7", ...)`` return, read at once."""
    results = instrument_results.c
    rows = s.execute(
        select(instrument_results)
        .where(
            results.patient_id == patient_id,
            results.course_id == course_id,
            results.instrument.in_((PHQ9.code, GAD7.code)),
        )
        .order_by(results.taken_at, results.id)
    ).all()
    names = user_names(s, [*(r.recorded_by for r in rows), *markers(rows)])
    return [instrument_info(r, names) for r in rows]


def read_course_summary_in(
    s: Connection, ctx: ServiceContext, mrn_or_course_id: str | int
) -> CourseSummaryReads:
    """:func:`read_course_summary` in the caller's transaction."""
    row, patient_row = _course_rows(s, mrn_or_course_id)
    course = course_info(row, ctx, row.sessions, s)
    protocol = find_course_protocol(s, ctx, row)
    results = _course_results(s, patient_row.id, course.id)
    phq9 = [r for r in results if r.instrument == PHQ9.code]
    split, counted, label = outcome_split(ctx.tz, row.started_on, protocol, phq9)
    return CourseSummaryReads(
        course=course,
        patient=patient_info(patient_row),
        sessions=course_sessions_in(s, ctx, row, patient_row),
        phq9=phq9,
        gad7=[r for r in results if r.instrument == GAD7.code],
        outcome=outcome_info(course.id, split, counted, label),
        protocol=protocol,
        chain_head=chain_head(s),
        clinic_name=str(read_setting(s, "clinic_name")),
    )


def read_course_summary(ctx: ServiceContext, mrn_or_course_id: str | int) -> CourseSummaryReads:
    """Everything the course summary of ``mrn_or_course_id`` (as :func:`course_in`) prints,
    from one snapshot."""
    with ctx.db.connect_read() as conn:
        return read_course_summary_in(conn, ctx, mrn_or_course_id)
