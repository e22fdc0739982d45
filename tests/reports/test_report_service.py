"""ReportService: who may print, what the audit trail keeps, the console path, DEMO."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from services.conftest import table_counts
from sqlalchemy import select

from kapdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from kapdesk.domain.permissions import Role
from kapdesk.reports.pdf import PDF
from kapdesk.services.reports import ReportService
from kapdesk.services.users import UserService
from kapdesk.storage.orm import AuditEntry

from .clinic import T0
from .conftest import BERLIN, Setup
from .pdftext import pages


@pytest.fixture
def session_id(setup: Setup) -> int:
    pid, course_id = setup.clinic.patient_and_course()
    return setup.clinic.simple_session(course_id, pid, T0, phq9=(14, 0), effects=("nausea",))


def _audit(setup: Setup, action: str) -> list[AuditEntry]:
    with setup.ctx.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_printing_a_session_is_audited_with_what_was_printed(setup: Setup, session_id: int) -> None:
    therapist = setup.staff.therapist
    pdf = setup.reports.session_summary_pdf(therapist, session_id, demo=False, purpose="save")
    (entry,) = _audit(setup, "report.session")
    assert entry.user_id == therapist.user_id
    assert (entry.entity, entry.entity_id) == ("dosing_session", str(session_id))
    assert entry.at == setup.clock.now()
    assert entry.after_data == {
        "document": "session summary",
        "session_id": session_id,
        "mrn": "KAP-0042",
        "purpose": "save",
        "pages": len(pages(pdf)),
        "bytes": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "demo": False,
    }


def test_printing_a_course_is_audited(setup: Setup, session_id: int) -> None:
    clinician = setup.staff.clinician
    pdf = setup.reports.course_summary_pdf(clinician, "KAP-0042", demo=True)
    (entry,) = _audit(setup, "report.course")
    assert entry.user_id == clinician.user_id
    assert entry.entity == "course"
    after = entry.after_data or {}
    assert after["document"] == "course summary"
    assert after["purpose"] == "print"
    assert after["demo"] is True
    assert after["sha256"] == hashlib.sha256(pdf).hexdigest()


@pytest.mark.parametrize("role", [Role.NURSE, Role.ADMIN])
def test_roles_without_print_permission_are_refused_and_nothing_is_written(
    setup: Setup, session_id: int, role: Role
) -> None:
    from .conftest import actor

    who = actor(setup.ctx, role)
    before = table_counts(setup.ctx.db)
    with pytest.raises(PermissionDenied, match="may not print a report"):
        setup.reports.session_summary_pdf(who, session_id, demo=False)
    with pytest.raises(PermissionDenied, match="may not print a report"):
        setup.reports.course_summary_pdf(who, "KAP-0042", demo=False)
    assert table_counts(setup.ctx.db) == before


def test_preview_needs_view_permission_and_writes_nothing(setup: Setup, session_id: int) -> None:
    from .conftest import actor

    before = table_counts(setup.ctx.db)
    report = setup.reports.session_report(setup.staff.nurse, session_id, demo=False)
    assert report.header.printed_by == "Test Nurse"
    assert setup.reports.course_report(setup.staff.nurse, "KAP-0042", demo=False).sessions.rows
    assert table_counts(setup.ctx.db) == before
    with pytest.raises(PermissionDenied):
        setup.reports.session_report(actor(setup.ctx, Role.ADMIN), session_id, demo=False)


def test_unknown_session_or_bad_purpose_writes_no_audit(setup: Setup, session_id: int) -> None:
    before = table_counts(setup.ctx.db)
    with pytest.raises(NotFound, match="There is no dosing session #4242"):
        setup.reports.session_summary_pdf(setup.staff.clinician, 4242, demo=False)
    with pytest.raises(ValidationError, match="Purpose 'fax' is not one of print, save, preview"):
        setup.reports.session_summary_pdf(
            setup.staff.clinician,
            session_id,
            demo=False,
            purpose="fax",  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError, match="Give an MRN"):
        setup.reports.course_summary_pdf(setup.staff.clinician, "  ", demo=False)
    assert table_counts(setup.ctx.db) == before


def test_console_path_audits_without_a_user(setup: Setup, session_id: int) -> None:
    pdf = setup.reports.console_session_summary_pdf(session_id, demo=False, os_user="ops")
    text = pages(pdf)[0]
    assert "Printed by command line (no signed-in user), ops on 2026-03-02" in text
    (entry,) = _audit(setup, "report.session_console")
    assert entry.user_id is None
    assert (entry.after_data or {})["os_user"] == "ops"
    setup.reports.console_course_summary_pdf("KAP-0042", demo=False)
    (course_entry,) = _audit(setup, "report.course_console")
    assert course_entry.user_id is None
    assert "os_user" not in (course_entry.after_data or {})


def test_demo_watermark_on_every_page(setup: Setup, session_id: int) -> None:
    pdf = setup.reports.session_summary_pdf(setup.staff.clinician, session_id, demo=True)
    texts = pages(pdf)
    assert all("DEMO DATA – not a patient record" in t for t in texts)
    assert all(t.count("DEMO") >= 2 for t in texts)  # the footer and the watermark
    plain = pages(setup.reports.session_summary_pdf(setup.staff.clinician, session_id, demo=False))
    assert not any("DEMO" in t for t in plain)


def test_a_database_made_by_the_demo_generator_is_recognised(setup: Setup) -> None:
    assert setup.reports.is_demo_database() is False
    UserService(setup.ctx)._add_demo_user(
        username="demo-nurse", full_name="Demo Nurse", role=Role.NURSE, password="demo"
    )
    assert setup.reports.is_demo_database() is True


def test_printed_at_and_times_follow_the_given_zone(setup: Setup, session_id: int) -> None:
    setup.clock.advance(timedelta(days=120))  # 2026-06-30: Berlin is on summer time
    text = pages(ReportService(setup.ctx, renderer=PDF, tz=BERLIN).session_summary_pdf(
        setup.staff.clinician, session_id, demo=False
    ))[0]  # fmt: skip
    assert "CEST (UTC+02:00)" in text  # printed in summer
    assert "Times are local: CET (UTC+01:00)." in text  # the session was in winter
    assert "first dose 10:05" in text


def test_importing_the_service_does_not_load_reportlab() -> None:
    """The GUI imports ReportService at start-up; reportlab loads on the first print."""
    import subprocess
    import sys

    code = (
        "import sys, kapdesk.services.reports; "
        "print(any(m.startswith('reportlab') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
