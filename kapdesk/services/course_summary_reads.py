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
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kapdesk.domain.errors import NotFound, ValidationError
from kapdesk.domain.instruments import GAD7, PHQ9
from kapdesk.domain.protocol import Protocol
from kapdesk.i18n import _
from kapdesk.services.context import ServiceContext
from kapdesk.services.courses import course_row, course_rows
from kapdesk.services.dtos import CourseInfo, CourseOutcomeInfo, InstrumentInfo, PatientInfo
from kapdesk.services.instruments import course_outcome_in, course_results
from kapdesk.services.patients import patient_by_mrn
from kapdesk.services.pinned_version import find_course_protocol
from kapdesk.services.report_sessions import CourseSession, course_sessions_in
from kapdesk.services.row_info import course_info, patient_info
from kapdesk.services.rows import stored
from kapdesk.storage.audit import chain_head
from kapdesk.storage.orm import Course, Patient
from kapdesk.storage.settings_store import get_setting


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


def course_in(s: Session, ctx: ServiceContext, mrn_or_course_id: str | int) -> CourseInfo:
    """A course id, or an MRN (the patient's most recent course: latest start date, then
    highest id); NotFound otherwise (``ReportService.resolve_course``)."""
    row, sessions, _ = _course_rows(s, mrn_or_course_id)
    return course_info(row, ctx, sessions, s)


def _course_rows(s: Session, mrn_or_course_id: str | int) -> tuple[Course, int, Patient | None]:
    """The course's row, its number of sessions and, found by MRN, the patient's row (held
    by the caller: the session keeps a row only while something refers to it)."""
    if isinstance(mrn_or_course_id, int) and not isinstance(mrn_or_course_id, bool):
        return (*course_row(s, mrn_or_course_id), None)
    if not isinstance(mrn_or_course_id, str) or not mrn_or_course_id.strip():
        raise ValidationError(
            "MRN", mrn_or_course_id, _("Give an MRN (text) or a course id (a whole number).")
        )
    patient = patient_by_mrn(s, mrn_or_course_id)
    found = course_rows(s, patient.id)
    if not found:
        shown = patient_info(patient)
        raise NotFound(
            _(
                "Patient {name} (MRN {mrn}) has no treatment course.",
                name=shown.display_name,
                mrn=shown.mrn,
            )
        )
    row, sessions = max(found, key=lambda pair: (pair[0].started_on, pair[0].id))
    return row, sessions, patient


def read_course_summary(ctx: ServiceContext, mrn_or_course_id: str | int) -> CourseSummaryReads:
    """Everything the course summary of ``mrn_or_course_id`` (as :func:`course_in`) prints,
    from one snapshot."""
    with ctx.db.read() as s:
        row, sessions, patient_row = _course_rows(s, mrn_or_course_id)
        course = course_info(row, ctx, sessions, s)
        patient = patient_info(patient_row or stored(s, Patient, row.patient_id))
        results = course_results(s, patient.id, course.id)
        phq9 = [r for r in results if r.instrument == PHQ9.code]
        return CourseSummaryReads(
            course=course,
            patient=patient,
            sessions=course_sessions_in(s, ctx, course.id),
            phq9=phq9,
            gad7=[r for r in results if r.instrument == GAD7.code],
            outcome=course_outcome_in(s, ctx, course.id, phq9),  # ``row``: no statement
            protocol=find_course_protocol(s, ctx, row),
            chain_head=chain_head(s),
            clinic_name=str(get_setting(s, "clinic_name")),
        )
