"""Printed summaries: a dosing session or a treatment course as PDF bytes, audited.

Decisions a caller must know:

* ``session_summary_pdf`` / ``course_summary_pdf`` need PRINT_REPORT
  (therapists and clinicians). Each call is one print or save and writes one
  audit entry, ``report.session`` (entity ``dosing_session``) or
  ``report.course`` (entity ``course``), whose ``after`` says what was printed:
  document, session/course id, MRN, purpose ("print", "save", "preview"),
  pages, size and the SHA-256 of the bytes. The entry is written after the PDF
  is made; if it cannot be written, no PDF is returned.
* The command line has no signed-in user: ``console_session_summary_pdf`` /
  ``console_course_summary_pdf`` audit with user None and the actions
  ``report.session_console`` / ``report.course_console`` (with the operating
  system login, if the caller passes it, and ``actor`` "console:<login>").
* ``course_summary_pdf`` takes a course id (int) or an MRN (str); for an MRN it
  prints the patient's most recent course (latest start date).
* ``session_report`` / ``course_report`` return the same content as plain
  dataclasses (kapdesk.services.report_data.model) for an on-screen preview; they need
  VIEW_PATIENT and write nothing.
* The service assembles and audits; the caller hands it the ``renderer`` that
  draws the bytes (``kapdesk.reports.pdf.PDF``), so the services never import
  the rendering package.
* Times print in ``tz`` (default: the computer's zone); "printed at" is the
  context clock's now. ``demo=True`` puts a DEMO watermark on every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from kapdesk.domain.permissions import Action
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.course_print import (
    Purpose,
    ReportRenderer,
    check_purpose,
    console_course_summary_pdf,
    console_details,
    console_name,
    course_printed,
    course_summary,
    is_demo_database,
    print_context,
    printed,
)
from kapdesk.services.course_summary_reads import course_in
from kapdesk.services.dtos import CourseInfo
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.services.report_data.model import CourseReport, PrintContext
from kapdesk.storage.audit import chain_head
from kapdesk.storage.orm import AuditEntry, User
from kapdesk.storage.settings_store import read_setting

if TYPE_CHECKING:
    from kapdesk.services.report_data.session_data import SessionExtras
    from kapdesk.services.report_data.session_model import SessionReport
    from kapdesk.services.screen_dtos import AddendumInfo, SessionDetail

# Session steps that leave no clinical row naming who did them, only an audit entry.
# (The audit actions are compared, never translated; what they say is, where printed.)
SESSION_STEPS = {
    "session.schedule": N_("scheduled"),
    "session.check_in": N_("check-in"),
    "session.checklist": N_("checklist"),
    "session.discharge_answers": N_("discharge criteria"),
    "session.cancel": N_("cancelled the session"),
    "session.withhold_dose": N_("withheld the dose"),
}


@audit_denials
class ReportService:
    def __init__(
        self, ctx: ServiceContext, *, renderer: ReportRenderer, tz: tzinfo | None = None
    ) -> None:
        self.ctx = ctx
        self.renderer = renderer
        self.tz = tz

    # ---------------------------------------------------------------- session

    def session_report(self, actor: Actor, session_id: int, *, demo: bool) -> SessionReport:
        actor.require(Action.VIEW_PATIENT)
        return self._session_report(session_id, actor.full_name, demo)

    def session_summary_pdf(
        self, actor: Actor, session_id: int, *, demo: bool, purpose: Purpose = "print"
    ) -> bytes:
        actor.require(Action.PRINT_REPORT)
        check_purpose(purpose)
        return self._session_pdf(actor, session_id, actor.full_name, demo, purpose, {})

    def console_session_summary_pdf(
        self, session_id: int, *, demo: bool, os_user: str = ""
    ) -> bytes:
        printed_by, extra = console_name(os_user), console_details(os_user)
        return self._session_pdf(None, session_id, printed_by, demo, "save", extra)

    def _session_report(self, session_id: int, printed_by: str, demo: bool) -> SessionReport:
        # Imported here: a course report (and `kapdesk report course`, a process of its own)
        # does without the session services, their signing, addenda and password modules.
        from kapdesk.services.protocol_store import protocol_of_session
        from kapdesk.services.report_data.session_data import build_session_report
        from kapdesk.services.sessions import SessionService

        detail = SessionService(self.ctx).detail(session_id)
        extras = self._session_extras(detail)
        protocol = protocol_of_session(self.ctx, session_id)  # the course's pinned version
        return build_session_report(detail, protocol, self._print_context(printed_by, demo), extras)

    def _session_pdf(
        self,
        actor: Actor | None,
        session_id: int,
        printed_by: str,
        demo: bool,
        purpose: Purpose,
        extra: dict[str, Any],
    ) -> bytes:
        report = self._session_report(session_id, printed_by, demo)
        pdf = self.renderer.session_pdf(report)
        what = {
            "document": "session summary",
            "session_id": session_id,
            "mrn": report.header.mrn,
            **printed(pdf, purpose, demo),
            **extra,
        }
        action = "report.session" if actor else "report.session_console"
        self._audit(actor, action, "dosing_session", session_id, what)
        return pdf

    def _session_extras(self, detail: SessionDetail) -> SessionExtras:
        from kapdesk.domain.signing import SignedEntity
        from kapdesk.services.addenda import AddendumService
        from kapdesk.services.alerts import AcknowledgementInfo
        from kapdesk.services.report_data import fmt
        from kapdesk.services.report_data.session_data import SessionExtras
        from kapdesk.services.signing import SigningService
        from kapdesk.storage.orm import AlertAcknowledgement, DosingSession

        sid = detail.session.id
        names = _names_in(detail)
        with self.ctx.db.read() as s:
            by = s.scalar(
                select(User.full_name)
                .join(DosingSession, DosingSession.discharged_by == User.id)
                .where(DosingSession.id == sid)
            )
            if by:
                names.add(by)
            steps = tuple(
                (row.full_name, SESSION_STEPS[row.action])
                for row in s.execute(
                    select(AuditEntry.action, User.full_name)
                    .join(User, AuditEntry.user_id == User.id)
                    .where(
                        AuditEntry.entity == "dosing_session",
                        AuditEntry.entity_id == str(sid),
                        AuditEntry.action.in_(SESSION_STEPS),
                    )
                    .order_by(AuditEntry.id)
                )
            )
            names.update(name for name, _step in steps)
            acks = tuple(
                AcknowledgementInfo(a.id, sid, a.reading_id, who, a.acknowledged_at, a.note)
                for a, who in s.execute(
                    select(AlertAcknowledgement, User.full_name)
                    .join(User, AlertAcknowledgement.acknowledged_by == User.id)
                    .where(AlertAcknowledgement.session_id == sid)
                    .order_by(AlertAcknowledgement.acknowledged_at, AlertAcknowledgement.id)
                )
            )
            names.update(a.acknowledged_by for a in acks)
            roles: dict[str, str] = {
                row.full_name: row.role
                for row in s.execute(
                    select(User.full_name, User.role).where(User.full_name.in_(names))
                )
            }
        signing, addenda = SigningService(self.ctx), AddendumService(self.ctx)
        integration = [n for n in detail.notes if n.kind == "integration"]
        note_sigs = {n.id: signing.signature_for(SignedEntity.NOTE, n.id) for n in integration}
        amended: list[tuple[str, AddendumInfo]] = [
            (_("Session #{id}", id=sid), a)
            for a in addenda.list_for(SignedEntity.DOSING_SESSION, sid)
        ]
        for n in integration:
            what = _("the integration note of {day}", day=fmt.day(n.held_at, self.tz))
            amended += [(what, a) for a in addenda.list_for(SignedEntity.NOTE, n.id)]
        return SessionExtras(
            discharged_by=by,
            session_steps=steps,
            staff_roles=roles,
            session_signature=signing.signature_for(SignedEntity.DOSING_SESSION, sid),
            note_signatures={k: v for k, v in note_sigs.items() if v is not None},
            addenda=tuple(sorted(amended, key=lambda pair: (pair[1].created_at, pair[1].id))),
            acknowledgements=acks,
        )

    # ---------------------------------------------------------------- course

    def course_report(
        self, actor: Actor, mrn_or_course_id: str | int, *, demo: bool
    ) -> CourseReport:
        actor.require(Action.VIEW_PATIENT)
        return course_summary(self.ctx, self.tz, mrn_or_course_id, actor.full_name, demo)[1]

    def course_summary_pdf(
        self, actor: Actor, mrn_or_course_id: str | int, *, demo: bool, purpose: Purpose = "print"
    ) -> bytes:
        actor.require(Action.PRINT_REPORT)
        check_purpose(purpose)
        course, report = course_summary(self.ctx, self.tz, mrn_or_course_id, actor.full_name, demo)
        pdf = self.renderer.course_pdf(report)
        what = course_printed(course, report, pdf, purpose, demo)
        self._audit(actor, "report.course", "course", course.id, what)
        return pdf

    def console_course_summary_pdf(
        self, mrn_or_course_id: str | int, *, demo: bool, os_user: str = ""
    ) -> bytes:
        """As ``kapdesk report course`` prints (kapdesk.services.course_print)."""
        return console_course_summary_pdf(
            self.ctx, self.renderer, self.tz, mrn_or_course_id, demo=demo, os_user=os_user
        )

    def resolve_course(self, mrn_or_course_id: str | int) -> CourseInfo:
        """A course id, or an MRN (the patient's most recent course); NotFound otherwise."""
        with self.ctx.db.connect_read() as conn:
            return course_in(conn, self.ctx, mrn_or_course_id)

    # ---------------------------------------------------------------- shared

    def clinic_name(self) -> str:
        with self.ctx.db.connect_read() as conn:
            return str(read_setting(conn, "clinic_name"))

    def _print_context(self, printed_by: str, demo: bool) -> PrintContext:
        with self.ctx.db.connect_read() as conn:
            head = chain_head(conn)
            name = str(read_setting(conn, "clinic_name"))
        return print_context(self.ctx, self.tz, printed_by, demo, name, head)

    def is_demo_database(self) -> bool:
        """True when the demo generator made this database: its printouts carry the DEMO
        watermark (kapdesk.services.course_print.is_demo)."""
        return is_demo_database(self.ctx)

    def _audit(
        self, actor: Actor | None, action: str, entity: str, entity_id: int, what: dict[str, Any]
    ) -> None:
        with self.ctx.db.write() as s:
            audit_change(s, self.ctx, actor, AuditRecord(action, entity, entity_id, after=what))


def _names_in(d: SessionDetail) -> set[str]:
    found: Iterable[str | None] = (
        *(r.recorded_by for r in d.readings),
        *(x.given_by for x in d.doses),
        *(x.recorded_by for x in d.doses),
        *(x.confirmed_by for x in d.doses),
        *(o.recorded_by for o in d.overrides),
        *(e.recorded_by for e in d.side_effects),
        *(o.recorded_by for o in d.observations),
        *(n.author for n in d.notes),
    )
    return {n for n in found if n}
