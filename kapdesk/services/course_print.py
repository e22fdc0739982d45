"""A course summary printed: built from one snapshot (``course_summary_reads``), drawn by
the caller's renderer, audited. ``ReportService`` (:mod:`kapdesk.services.reports`, whose
docstring gives the rules) prints it for a signed-in user through these functions;
:func:`console_course_summary_pdf` is the whole of ``kapdesk report course``, which reads
and writes through Core statements only: that process never imports ``sqlalchemy.orm``
nor declares the mapped classes (~80 ms of it; tests/cli/test_report_imports.py).
"""

from __future__ import annotations

import hashlib
import re
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import String, cast, select

from kapdesk.domain.errors import ValidationError
from kapdesk.i18n import N_, _
from kapdesk.services.console import append_console_entry, console_actor
from kapdesk.services.course_summary_reads import read_course_summary
from kapdesk.services.dtos import CourseInfo
from kapdesk.services.report_data.course_data import build_course_report
from kapdesk.services.report_data.model import CourseReport, PrintContext
from kapdesk.storage.anchor import seal
from kapdesk.storage.tables import audit_log, users

if TYPE_CHECKING:
    from kapdesk.services.context import ServiceContext
    from kapdesk.services.report_data.session_model import SessionReport
    from kapdesk.storage.tables import Bind

Purpose = Literal["print", "save", "preview"]
PURPOSES: tuple[Purpose, ...] = ("print", "save", "preview")
CONSOLE_NAME = N_("command line (no signed-in user)")  # printed in the reader's language
DEMO_MARK = "user.add_demo"  # the audit action of the demo generator's accounts
_PAGE = re.compile(rb"/Type /Page[^s]")


def page_count(pdf: bytes) -> int:
    return len(_PAGE.findall(pdf))


class ReportRenderer(Protocol):
    """Draws report data as document bytes; the app's is ``kapdesk.reports.pdf.PDF``."""

    def session_pdf(self, report: SessionReport) -> bytes: ...

    def course_pdf(self, report: CourseReport) -> bytes: ...


def check_purpose(purpose: object) -> None:
    if purpose not in PURPOSES:
        raise ValidationError(
            "Purpose", purpose, f"Purpose {purpose!r} is not one of {', '.join(PURPOSES)}."
        )


def is_demo(s: Bind) -> bool:
    """True when the demo generator made this database (its accounts are audited
    ``user.add_demo``): its printouts must carry the DEMO watermark.

    The mark is only ever an account's creation entry, the first of the user entity
    for that id; reading each account's first entry by the (entity, entity_id) index
    costs the same however long the log (an ``action`` filter scanned all of it:
    ~0.3 s per print on a big clinic), and however often the staff signed in."""
    log = audit_log.c
    first_entry = (
        select(log.action)
        .where(log.entity == "user", log.entity_id == cast(users.c.id, String))
        .order_by(log.id)
        .limit(1)
        .scalar_subquery()
    )
    found = s.execute(select(users.c.id).where(first_entry == DEMO_MARK).limit(1)).first()
    return found is not None


def is_demo_database(ctx: ServiceContext) -> bool:
    """:func:`is_demo` of ``ctx``'s database, in a read of its own."""
    with ctx.db.connect_read() as conn:
        return is_demo(conn)


def print_context(
    ctx: ServiceContext,
    tz: tzinfo | None,
    printed_by: str,
    demo: bool,
    clinic_name: str,
    head: tuple[int, str] | None,
) -> PrintContext:
    return PrintContext(
        clinic_name=clinic_name,
        printed_by=printed_by,
        printed_at=ctx.now(),
        demo=demo,
        tz=tz,
        seal=seal(head),
    )


def printed(pdf: bytes, purpose: Purpose, demo: bool) -> dict[str, Any]:
    """What a print's audit entry says of the bytes."""
    return {
        "purpose": purpose,
        "pages": page_count(pdf),
        "bytes": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "demo": demo,
    }


def console_name(os_user: str) -> str:
    """Who printed, on a summary printed from the command line."""
    return _(CONSOLE_NAME) + (f", {os_user}" if os_user else "")


def console_details(os_user: str) -> dict[str, Any]:
    """What a console print's audit entry says of who printed."""
    return {"actor": console_actor(os_user), **({"os_user": os_user} if os_user else {})}


def course_summary(
    ctx: ServiceContext, tz: tzinfo | None, mrn_or_course_id: str | int, printed_by: str, demo: bool
) -> tuple[CourseInfo, CourseReport]:
    """The course of ``mrn_or_course_id`` (a course id, or an MRN: the patient's most
    recent course) and its summary, from one snapshot."""
    r = read_course_summary(ctx, mrn_or_course_id)
    context = print_context(ctx, tz, printed_by, demo, r.clinic_name, r.chain_head)
    return r.course, build_course_report(
        r.course, r.patient, r.sessions, r.phq9, r.gad7, r.outcome, r.protocol, context
    )


def course_printed(
    course: CourseInfo, report: CourseReport, pdf: bytes, purpose: Purpose, demo: bool
) -> dict[str, Any]:
    """The ``after`` of a course summary's audit entry."""
    return {
        "document": "course summary",
        "course_id": course.id,
        "mrn": report.header.mrn,
        **printed(pdf, purpose, demo),
    }


def console_course_summary_pdf(
    ctx: ServiceContext,
    renderer: ReportRenderer,
    tz: tzinfo | None,
    mrn_or_course_id: str | int,
    *,
    demo: bool,
    os_user: str = "",
) -> bytes:
    """The course summary saved from the command line, audited ``report.course_console``
    with no user (``ReportService.console_course_summary_pdf``)."""
    course, report = course_summary(ctx, tz, mrn_or_course_id, console_name(os_user), demo)
    pdf = renderer.course_pdf(report)
    what = {**course_printed(course, report, pdf, "save", demo), **console_details(os_user)}
    append_console_entry(ctx, "report.course_console", "course", course.id, what)
    return pdf
