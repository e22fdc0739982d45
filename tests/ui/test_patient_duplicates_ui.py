"""Issue 12: a new patient with the name and birth date of an existing one (another MRN) is
flagged as a possible duplicate before it is created; the real dialog, the real database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import Patient
from kapdesk.ui import patient_dialog
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patients_page import PatientsPage

from .conftest import table_counts
from .helpers_patients import actor_for, add_patient, show_patients_page
from .test_patients import fill, open_add_dialog


@pytest.fixture
def existing(app: AppContext) -> int:
    """Simões, Conceição, born 1980-05-17, MRN KAP-0042."""
    return add_patient(app, actor_for(app, Role.CLINICIAN)).id


@pytest.fixture
def page(qtbot: QtBot, app: AppContext, existing: int) -> PatientsPage:
    app.actor = actor_for(app, Role.NURSE)
    widget = show_patients_page(qtbot, app)
    widget.list.focus_search()
    return widget


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts shown; the answer is the last of 'open', 'create', 'back' appended."""
    texts: list[str] = []

    def ask(_cls: type, _parent: object, text: str) -> str | None:
        answers = [t for t in texts if t in ("open", "create", "back")]
        texts.append(text)
        answer = answers[-1] if answers else "back"
        return None if answer == "back" else answer

    monkeypatch.setattr(patient_dialog.DuplicateChoice, "ask", classmethod(ask))
    return texts


def same_person(qtbot: QtBot, page: PatientsPage) -> patient_dialog.PatientDialog:
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog, mrn="KAP-0900", given=" conceicao ", family="SIMOES", dob="17.05.1980")
    return dialog


def patients(app: AppContext) -> list[str]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(Patient.mrn).order_by(Patient.mrn)))


def test_open_existing_creates_nothing_and_opens_that_chart(
    qtbot: QtBot, app: AppContext, page: PatientsPage, existing: int, asked: list[str]
) -> None:
    asked.append("open")
    dialog = same_person(qtbot, page)
    counts = table_counts(app.ctx.db)
    qtbot.keyClick(dialog.family, Qt.Key.Key_Return)
    assert asked[-1] == "Possible duplicate: Simões, Conceição, born 1980-05-17, MRN KAP-0042"
    after = table_counts(app.ctx.db)
    assert after.pop("audit_log") == counts.pop("audit_log") + 1  # the chart view, no create
    assert after == counts
    assert patients(app) == ["KAP-0042"]
    assert not dialog.isVisible()
    assert dialog.opened_existing
    assert page.chart is not None
    assert page.chart.patient_id == existing


def test_create_anyway_stores_the_new_patient(
    qtbot: QtBot, app: AppContext, page: PatientsPage, asked: list[str]
) -> None:
    asked.append("create")
    dialog = same_person(qtbot, page)
    qtbot.keyClick(dialog.family, Qt.Key.Key_Return)
    assert asked[-1].startswith("Possible duplicate: Simões, Conceição")
    assert patients(app) == ["KAP-0042", "KAP-0900"]
    assert not dialog.isVisible()
    assert not dialog.opened_existing


def test_back_to_the_form_stores_nothing_and_keeps_what_was_typed(
    qtbot: QtBot, app: AppContext, page: PatientsPage, asked: list[str]
) -> None:
    dialog = same_person(qtbot, page)
    qtbot.keyClick(dialog.family, Qt.Key.Key_Return)
    assert len(asked) == 1
    assert patients(app) == ["KAP-0042"]
    assert dialog.isVisible()
    assert dialog.mrn.text() == "KAP-0900"


def test_another_person_is_not_asked_about(
    qtbot: QtBot, app: AppContext, page: PatientsPage, asked: list[str]
) -> None:
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog, mrn="KAP-0901", given="Conceicao", family="Simoes", dob="1980-05-18")
    qtbot.keyClick(dialog.family, Qt.Key.Key_Return)
    assert asked == []
    assert patients(app) == ["KAP-0042", "KAP-0901"]
