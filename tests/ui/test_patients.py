"""The Patients page: search as you type, open a chart, add and edit patients."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import AuditEntry, Patient
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.patients_page import PatientsPage

from .conftest import focused, table_counts
from .helpers_patients import actor_for, add_patient, show_patients_page


@pytest.fixture
def people(app: AppContext) -> dict[str, int]:
    clinician = actor_for(app, Role.CLINICIAN)
    rows = {
        "simoes": add_patient(app, clinician),
        "lima": add_patient(
            app, clinician, mrn="KAP-0100", given_name="Ana", family_name="Lima",
            date_of_birth=date(1975, 1, 30),
        ),
        "limaverde": add_patient(
            app, clinician, mrn="X-77", given_name="Rui", family_name="Limaverde",
            date_of_birth=date(1990, 12, 1),
        ),
    }  # fmt: skip
    return {k: v.id for k, v in rows.items()}


@pytest.fixture
def page(qtbot: QtBot, app: AppContext, people: dict[str, int]) -> Iterator[PatientsPage]:
    app.actor = actor_for(app, Role.NURSE)
    widget = show_patients_page(qtbot, app)
    widget.list.focus_search()
    yield widget
    if widget.chart is not None:
        widget.chart.close_editors()


def names(page: PatientsPage) -> list[str]:
    return [p.display_name for p in page.list.results]


def search(qtbot: QtBot, page: PatientsPage, text: str) -> None:
    page.list.search.clear()
    qtbot.keyClicks(page.list.search, text)
    # Typing only starts the debounce timer; the search runs once it fires.
    assert page.list.timer.isActive()
    qtbot.waitUntil(lambda: not page.list.timer.isActive(), timeout=2000)


def test_blank_search_lists_everyone(page: PatientsPage) -> None:
    assert names(page) == ["Lima, Ana", "Limaverde, Rui", "Simões, Conceição"]
    assert page.list.count.text() == "3 patients"


def test_typing_a_name_prefix_narrows_the_list(qtbot: QtBot, page: PatientsPage) -> None:
    search(qtbot, page, "lim")
    assert names(page) == ["Lima, Ana", "Limaverde, Rui"]
    search(qtbot, page, "ana li")
    assert names(page) == ["Lima, Ana"]
    search(qtbot, page, "concei")  # accents do not matter
    assert names(page) == ["Simões, Conceição"]
    search(qtbot, page, "zzz")
    assert names(page) == []
    assert page.list.count.text() == "No patient matches."


def test_search_by_mrn_and_by_date_of_birth(qtbot: QtBot, page: PatientsPage) -> None:
    search(qtbot, page, "x-7")
    assert names(page) == ["Limaverde, Rui"]
    search(qtbot, page, "1975-01-30")
    assert names(page) == ["Lima, Ana"]
    search(qtbot, page, "01.12.1990")
    assert names(page) == ["Limaverde, Rui"]


def test_search_waits_for_a_pause_in_typing(qtbot: QtBot, page: PatientsPage) -> None:
    qtbot.keyClicks(page.list.search, "sim")
    assert names(page) == ["Lima, Ana", "Limaverde, Rui", "Simões, Conceição"]  # not yet
    qtbot.waitUntil(lambda: names(page) == ["Simões, Conceição"], timeout=2000)


def test_enter_opens_the_chart_and_audits_the_view(
    qtbot: QtBot, app: AppContext, page: PatientsPage, people: dict[str, int]
) -> None:
    qtbot.keyClicks(page.list.search, "KAP-0100")
    qtbot.keyClick(page.list.search, Qt.Key.Key_Return)  # runs the pending search first
    assert page.chart is not None
    assert page.chart.patient_id == people["lima"]
    assert page.chart.name.text() == "Lima, Ana"
    with app.ctx.db.read() as s:
        views = s.scalars(select(AuditEntry).where(AuditEntry.action == "patient.view")).all()
        assert [(v.entity_id, v.user_id) for v in views] == [
            (str(people["lima"]), app.require_actor().user_id)
        ]


def test_arrow_keys_move_from_search_into_results(
    qtbot: QtBot, page: PatientsPage, people: dict[str, int]
) -> None:
    search(qtbot, page, "lim")
    qtbot.keyClick(page.list.search, Qt.Key.Key_Down)
    assert focused() is page.list.table
    qtbot.keyClick(page.list.table, Qt.Key.Key_Down)
    qtbot.keyClick(page.list.table, Qt.Key.Key_Return)
    assert page.chart is not None
    assert page.chart.patient_id == people["limaverde"]
    # Up from the first row goes back to the search box; typing there searches again.
    qtbot.keyClick(page.list.table, Qt.Key.Key_Up)
    qtbot.keyClick(page.list.table, Qt.Key.Key_Up)
    assert focused() is page.list.search


def test_double_click_opens_a_chart(
    qtbot: QtBot, page: PatientsPage, people: dict[str, int]
) -> None:
    table = page.list.table
    rect = table.visualRect(table.model().index(2, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.chart is not None
    assert page.chart.patient_id == people["simoes"]


# ------------------------------------------------------------ adding a patient


def open_add_dialog(qtbot: QtBot, page: PatientsPage) -> PatientDialog:
    qtbot.keyClick(page.list.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = page.list.dialog
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.mrn)
    return dialog


def fill(qtbot: QtBot, dialog: PatientDialog, **values: str) -> None:
    defaults = {
        "mrn": "KAP-0200",
        "given": "Marta",
        "family": "Ribeiro",
        "dob": "1985-07-04",
        "weight": "61.5",
    }
    defaults.update(values)
    for attr, text in defaults.items():
        edit = getattr(dialog, attr)
        edit.clear()
        qtbot.keyClicks(edit, text)
    dialog.sex.setCurrentIndex(dialog.sex.findData("female"))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"dob": "2030-01-01"}, "Date of birth", "Date of birth 2030-01-01 is in the future"),
        ({"mrn": ""}, "MRN", "MRN is required"),
        ({"mrn": "kap-0100"}, "MRN", "MRN 'kap-0100' is already used by another patient."),
        ({"weight": "500"}, "Weight", "Weight 500"),
        ({"dob": "30 Feb 1980"}, "Date of birth", "is not a date (YYYY-MM-DD)"),
    ],
)
def test_invalid_patient_shows_the_message_at_the_field_and_stores_nothing(
    qtbot: QtBot,
    app: AppContext,
    page: PatientsPage,
    values: dict[str, str],
    field: str,
    message: str,
) -> None:
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog, **values)
    before = table_counts(app.ctx.db)
    qtbot.keyClick(dialog.family, Qt.Key.Key_Return)  # Enter submits
    assert dialog.isVisible()
    shown = dialog.fields.messages()
    assert list(shown) == [field]
    assert message in shown[field]
    assert focused() is dialog.fields[field].editor
    assert table_counts(app.ctx.db) == before


def test_valid_patient_is_stored_and_its_chart_opens(
    qtbot: QtBot, app: AppContext, page: PatientsPage
) -> None:
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog)
    qtbot.keyClicks(dialog.allergies, "Latex")
    with qtbot.waitSignal(app.signals.data_changed):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    with app.ctx.db.read() as s:
        row = s.scalars(select(Patient).where(Patient.mrn == "KAP-0200")).one()
        assert (row.given_name, row.family_name, row.date_of_birth) == (
            "Marta",
            "Ribeiro",
            date(1985, 7, 4),
        )
        assert (row.sex, row.weight_kg, row.allergies) == ("female", 61.5, "Latex")
        assert row.id == dialog.result_patient.id  # type: ignore[union-attr]
    assert page.chart is not None
    assert page.chart.patient_id == row.id
    assert "Allergies: Latex" in page.chart.allergy_banner.text()
    assert names(page) == ["Ribeiro, Marta"]


def test_escape_cancels_the_dialog(qtbot: QtBot, app: AppContext, page: PatientsPage) -> None:
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog)
    before = table_counts(app.ctx.db)
    qtbot.keyClick(dialog.mrn, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert table_counts(app.ctx.db) == before


def test_dialog_fields_have_mnemonic_buddies_and_accessible_names(
    qtbot: QtBot, page: PatientsPage
) -> None:
    dialog = open_add_dialog(qtbot, page)
    for name, f in dialog.fields.fields.items():
        assert f.label.buddy() is f.editor
        assert "&" in f.label.text()
        assert f.editor.accessibleName() == f.label.text().replace("&", "")
        assert name.startswith(f.editor.accessibleName()[:5])


def test_edit_from_the_chart_updates_the_row(
    qtbot: QtBot, app: AppContext, page: PatientsPage, people: dict[str, int]
) -> None:
    chart = page.open_patient(people["lima"])
    qtbot.mouseClick(chart.edit_button, Qt.MouseButton.LeftButton)
    dialog = chart.dialog
    assert isinstance(dialog, PatientDialog)
    assert dialog.mrn.text() == "KAP-0100"
    dialog.weight.clear()
    qtbot.keyClicks(dialog.weight, "72")
    dialog.contra.setPlainText("Uncontrolled hypertension")
    qtbot.keyClick(dialog.mrn, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    with app.ctx.db.read() as s:
        row = s.get(Patient, people["lima"])
        assert row is not None
        assert (row.weight_kg, row.contraindications) == (72.0, "Uncontrolled hypertension")
    qtbot.waitUntil(lambda: "72 kg" in chart.demographics.text())
    assert "Contraindications: Uncontrolled hypertension" in chart.allergy_banner.text()


def test_therapist_cannot_add_or_edit(
    qtbot: QtBot, app: AppContext, page: PatientsPage, people: dict[str, int]
) -> None:
    app.actor = actor_for(app, Role.THERAPIST)
    assert not page.list.add_button.isEnabled()
    chart = page.open_patient(people["lima"])
    assert not chart.edit_button.isEnabled()
    qtbot.keyClick(page.list.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.list.dialog is None


def test_admin_sees_no_patients_and_no_chart(
    qtbot: QtBot, app: AppContext, page: PatientsPage, people: dict[str, int]
) -> None:
    app.actor = actor_for(app, Role.ADMIN)
    assert names(page) == []
    assert "cannot view" in page.list.count.text()
    before = table_counts(app.ctx.db)
    chart = page.open_patient(people["lima"])
    assert chart.body.isHidden()
    assert chart.denied.text() == "An admin may not view a patient's chart."
    assert table_counts(app.ctx.db) == before  # no audit entry either
    QApplication.processEvents()


def test_ctrl_n_works_from_the_chart_too(
    qtbot: QtBot, page: PatientsPage, people: dict[str, int]
) -> None:
    chart = page.open_patient(people["lima"])
    chart.tabs.setCurrentIndex(1)
    chart.sessions_table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chart.sessions_table)
    qtbot.keyClick(chart.sessions_table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(page.list.dialog, PatientDialog)
    assert page.list.dialog.isVisible()
