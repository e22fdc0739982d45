"""The clinic name an admin sets (Admin > Clinic settings) prints on every page of both PDFs."""

from __future__ import annotations

import io

from pypdf import PdfReader

from kapdesk.domain.permissions import Role
from kapdesk.services.settings import SettingsService

from .conftest import Setup, actor
from .pdftext import pages

NAME = "Clínica Harbour – Ketamine Service"


def test_the_clinic_name_from_the_settings_prints_on_every_page(setup: Setup) -> None:
    SettingsService(setup.ctx).update(actor(setup.ctx, Role.ADMIN), clinic_name=f"  {NAME} ")
    _, course_id = setup.clinic.patient_and_course()
    sid = setup.clinic.known_session(course_id)
    clinician = setup.staff.clinician
    for pdf in (
        setup.reports.session_summary_pdf(clinician, sid, demo=False),
        setup.reports.course_summary_pdf(clinician, course_id, demo=False),
    ):
        texts = pages(pdf)
        assert texts
        for page in texts:
            assert page.startswith(f"{NAME} Simões, Conceição")
            assert "kapdesk clinic" not in page
        assert PdfReader(io.BytesIO(pdf)).metadata.author == NAME  # type: ignore[union-attr]
