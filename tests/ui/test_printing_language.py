"""The app prints a summary in the language the signed-in user speaks (kapdesk.ui.translation
.speak at sign-in): the print path (ReportTarget.generate, the ReportService) reads the
active language when the PDF is made, so a switch of language at the next sign-in prints
the next PDF in the new language, in the same process."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication
from reports.clinic import Clinic, Staff

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.printing import session_target
from kapdesk.ui.translation import speak

from .conftest import actor_for


@pytest.fixture
def qapp_language(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    speak(qapp, "en")


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages
    )


def test_the_session_summary_prints_in_the_language_of_the_signed_in_user(
    qapp_language: QApplication, app: AppContext, clock: FakeClock
) -> None:
    staff = Staff(
        nurse=actor_for(app, Role.NURSE),
        therapist=actor_for(app, Role.THERAPIST),
        clinician=actor_for(app, Role.CLINICIAN),
    )
    clinic = Clinic(app.ctx, clock, staff)
    _, course_id = clinic.patient_and_course()
    target = session_target(app, clinic.known_session(course_id))
    app.actor = staff.clinician

    speak(qapp_language, "pt-PT")
    portuguese = _text(target.generate(app, "preview"))
    speak(qapp_language, "en")
    english = _text(target.generate(app, "preview"))

    assert "Resumo da sessão de administração" in portuguese
    assert "Impresso por Test Clinician a" in portuguese
    assert "Minutos desde a primeira dose" in portuguese
    assert "Dosing session summary" not in portuguese
    assert "Dosing session summary" in english
    assert "Printed by Test Clinician on" in english
    assert "Minutes from the first dose" in english
    assert "Resumo" not in english
