"""The clinic's cohort table (kapdesk.domain.cohort): load each course in the filters,
compute its row and the summary through the domain, and write it as CSV or PDF.

Decisions a caller must know:

* One read transaction; each course's PHQ-9 split is the chart's own
  (kapdesk.services.instruments.course_split: its pinned protocol's acute weeks and
  deterioration rise; results entered in error left out).
* Dosing sessions = sessions of the course in which a dose was given. Side effects =
  effects present, each once per session (its latest entry), none entered in error.
  BP excursions = readings of the course outside the protocol's normal range (their
  stored band), none entered in error.
* ``deidentify``: the patient is the research pseudonym (kapdesk.domain.research, the
  clinic's research key, the same as ``kapdesk export csv --deidentify``), no MRN, and
  course start dates move by the patient's secret offset. Otherwise names and MRNs are
  shown: identifying output, for the clinic's own staff.
* Viewing needs VIEW_COHORT (clinicians only: every patient's outcomes at once); every
  export (CSV or PDF) is audited once,
  ``export.cohort``, naming the filters, the format, whether de-identified and how many
  courses, never a patient (console exports: the operating-system user).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import local_time
from kapdesk.domain.cohort import (
    CohortFilter,
    CohortRow,
    CohortTable,
    CourseFacts,
    Phq9Point,
    cohort_row,
    summarize,
)
from kapdesk.domain.permissions import Action
from kapdesk.domain.research import Pseudonymizer
from kapdesk.services.console import audit_console
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.guard import audit_denials
from kapdesk.services.instruments import course_split
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.storage.orm import Course, DosingSession, Patient, SideEffect, VitalReading

AUDIT_ACTION = "export.cohort"
VIEW_ACTION = "cohort.view"


def _courses(s: Session, f: CohortFilter) -> list[tuple[Course, Patient]]:
    q = select(Course, Patient).join(Patient, Patient.id == Course.patient_id)
    if f.protocols:
        q = q.where(Course.protocol_id.in_(f.protocols))
    if f.started_from is not None:
        q = q.where(Course.started_on >= f.started_from)
    if f.started_to is not None:
        q = q.where(Course.started_on <= f.started_to)
    if f.status == "open":
        q = q.where(Course.ended_on.is_(None))
    elif f.status == "ended":
        q = q.where(Course.ended_on.is_not(None))
    rows = s.execute(q.order_by(Course.started_on, Course.id)).all()
    return [(c, p) for c, p in rows if f.admits(c.protocol_id, c.started_on, c.ended_on)]


def _dosed_sessions(s: Session, course_id: int) -> int:
    q = select(func.count(DosingSession.id)).where(
        DosingSession.course_id == course_id, DosingSession.first_dose_at.is_not(None)
    )
    return int(s.scalar(q) or 0)


def _side_effects(s: Session, course_id: int) -> int:
    rows = s.execute(
        select(SideEffect.session_id, SideEffect.effect_id, SideEffect.present)
        .join(DosingSession, DosingSession.id == SideEffect.session_id)
        .where(DosingSession.course_id == course_id, SideEffect.error_at.is_(None))
        .order_by(SideEffect.recorded_at, SideEffect.id)
    ).all()
    latest = {(r.session_id, r.effect_id): r.present for r in rows}
    return sum(1 for present in latest.values() if present)


def _excursions(s: Session, course_id: int) -> int:
    q = (
        select(func.count(VitalReading.id))
        .join(DosingSession, DosingSession.id == VitalReading.session_id)
        .where(
            DosingSession.course_id == course_id,
            VitalReading.error_at.is_(None),
            VitalReading.band != "normal",
        )
    )
    return int(s.scalar(q) or 0)


def _row(
    s: Session, ctx: ServiceContext, course: Course, patient: Patient, pseudo: Pseudonymizer | None
) -> CohortRow:
    _, split, results, _ = course_split(s, ctx, course.id)
    points = tuple(
        Phq9Point(local_time(r.taken_at, ctx.tz).date(), r.total, r.answers[8]) for r in results
    )
    started, ended = course.started_on, course.ended_on
    if pseudo is None:
        who, mrn = f"{patient.family_name}, {patient.given_name}", patient.mrn
    else:
        who, mrn = pseudo.pseudonym("patient", patient.id), ""
        shift = pseudo.offset(patient.id)
        started += shift
        ended = None if ended is None else ended + shift
        points = tuple(Phq9Point(p.taken_on + shift, p.total, p.item9) for p in points)
    facts = CourseFacts(
        course_id=course.id,
        course=str(course.id) if pseudo is None else pseudo.pseudonym("course", course.id),
        patient=who,
        mrn=mrn,
        protocol_id=course.protocol_id,
        started_on=started,
        ended_on=ended,
        dosing_sessions=_dosed_sessions(s, course.id),
        side_effects=_side_effects(s, course.id),
        bp_excursions=_excursions(s, course.id),
        phq9=points,
    )
    return cohort_row(facts, split)


def cohort_table(
    ctx: ServiceContext, filters: CohortFilter, *, pseudo: Pseudonymizer | None = None
) -> CohortTable:
    """The table and summary (no permission check: the console and CohortService)."""
    with ctx.db.read() as s:
        rows = tuple(_row(s, ctx, c, p, pseudo) for c, p in _courses(s, filters))
    if pseudo is not None:  # not in the real chronology (nor matchable line by line)
        rows = tuple(sorted(rows, key=lambda r: r.facts.course))
    return CohortTable(filters, pseudo is not None, rows, summarize(rows), ctx.now().date())


def audit_details(table: CohortTable, fmt: str) -> dict[str, object]:
    f = table.filters
    return {
        "format": fmt,
        "filters": {
            "protocols": list(f.protocols),
            "from": None if f.started_from is None else f.started_from.isoformat(),
            "to": None if f.started_to is None else f.started_to.isoformat(),
            "status": f.status,
        },
        "deidentified": table.deidentified,
        "courses": len(table.rows),
    }


def audit_console_export(ctx: ServiceContext, table: CohortTable, fmt: str) -> None:
    audit_console(ctx, AUDIT_ACTION, after=audit_details(table, fmt))


@audit_denials
class CohortService(Service):
    """The Cohort screen's door: clinicians (VIEW_COHORT)."""

    def table(self, actor: Actor, filters: CohortFilter) -> CohortTable:
        """The table for the screen; audited (``cohort.view``: the filters and how many
        courses, never a patient), as opening a chart is."""
        actor.require(Action.VIEW_COHORT)
        table = cohort_table(self.ctx, filters)
        details = {k: v for k, v in audit_details(table, "screen").items() if k != "format"}
        with self.ctx.db.write() as s:
            audit_change(s, self.ctx, actor, AuditRecord(VIEW_ACTION, "database", after=details))
        return table
