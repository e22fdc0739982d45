"""Import patients… on the Patients screen, driven as a user would: Alt+M, a file, the
dry-run report (the rows or every problem), Import only for a file without problems, and
the list showing the imported patients."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import AuditEntry, Patient
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.patient_import import ImportFile, PatientImportDialog
from kapdesk.ui.patients_page import PatientsPage

from .conftest import table_counts
from .helpers_patients import actor_for, show_patients_page

HEADER = "mrn,name,date_of_birth,sex,weight_kg,allergies,contraindications"
GOOD = (
    'IMP-001,"Simões, Conceição",1980-05-17,female,64.5,penicillin,\n'
    'IMP-002,"Nguyễn, Thị Lan",1992-11-03,female,,,\n'
)
BAD_ROW = 'IMP-003,"Lee Ann",1980-02-30,female,70,,\n'


@pytest.fixture
def chosen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path | None]:
    """What the file dialog answers next (tests put a path in it)."""
    answer: list[Path | None] = [None]
    monkeypatch.setattr(ImportFile, "ask", classmethod(lambda cls, parent: answer[0]))
    return answer


@pytest.fixture
def page(qtbot: QtBot, app: AppContext) -> PatientsPage:
    app.actor = actor_for(app, Role.NURSE)
    widget = show_patients_page(qtbot, app)
    widget.list.focus_search()
    return widget


def alt(qtbot: QtBot, window: QWidget, key: Qt.Key) -> None:
    """Alt+``key`` in ``window`` as a user presses it (the window active)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(250)  # a mnemonic clicks its button after a short animation


def open_import(
    qtbot: QtBot, page: PatientsPage, path: Path, chosen: list[Path | None]
) -> PatientImportDialog:
    chosen[0] = path
    alt(qtbot, page, Qt.Key.Key_M)
    dialog = page.list.import_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def csv_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "clinic.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n" + body).replace("\n", "\r\n").encode())
    return path


def cells(dialog: PatientImportDialog) -> list[list[str]]:
    t = dialog.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_alt_m_imports_a_good_file_and_the_list_shows_the_patients(
    qtbot: QtBot, page: PatientsPage, app: AppContext, tmp_path: Path, chosen: list[Path | None]
) -> None:
    assert page.list.import_button.text() == "I&mport patients…"
    dialog = open_import(qtbot, page, csv_file(tmp_path, GOOD), chosen)
    assert dialog.summary.text().startswith("clinic.csv: 2 patients would be created")
    assert [row[:5] for row in cells(dialog)] == [
        ["2", "IMP-001", "Simões, Conceição", "1980-05-17", "female"],
        ["3", "IMP-002", "Nguyễn, Thị Lan", "1992-11-03", "female"],
    ]
    assert dialog.import_button.isVisible()
    assert dialog.import_button.text() == "&Import 2 patients"
    assert table_counts(app.ctx.db)["patients"] == 0  # the report stored nothing
    alt(qtbot, dialog, Qt.Key.Key_I)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [p.mrn for p in dialog.created] == ["IMP-001", "IMP-002"]
    assert [p.display_name for p in page.list.results] == ["Nguyễn, Thị Lan", "Simões, Conceição"]
    assert page.list.count.text() == "2 patients (2 imported)"
    with app.ctx.db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))[-3:]
    assert actions == ["patient.create", "patient.create", "patient.import"]


def test_a_file_with_a_bad_row_shows_the_problems_and_no_import_button(
    qtbot: QtBot, page: PatientsPage, app: AppContext, tmp_path: Path, chosen: list[Path | None]
) -> None:
    before = table_counts(app.ctx.db)
    dialog = open_import(qtbot, page, csv_file(tmp_path, GOOD + BAD_ROW), chosen)
    assert dialog.summary.text().startswith("clinic.csv: 2 problems. Nothing can be imported")
    rows = cells(dialog)
    assert [row[:3] for row in rows] == [
        ["4", "name", '"Lee Ann"'],
        ["4", "date_of_birth", '"1980-02-30"'],
    ]
    assert "is not a date (YYYY-MM-DD)" in rows[1][3]
    assert not dialog.import_button.isVisible()
    assert dialog.close_button.text() == "Close"
    dialog.import_now()  # even if reached: nothing happens
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert table_counts(app.ctx.db) == before
    assert page.list.results == []


def test_an_mrn_added_meanwhile_is_shown_and_nothing_is_stored(
    qtbot: QtBot, page: PatientsPage, app: AppContext, tmp_path: Path, chosen: list[Path | None]
) -> None:
    dialog = open_import(qtbot, page, csv_file(tmp_path, GOOD), chosen)
    from kapdesk.services.patients import PatientService

    PatientService(app.ctx).create(
        actor_for(app, Role.CLINICIAN), mrn="imp-002", given_name="Ana", family_name="Lima",
        date_of_birth="1975-01-30", sex="female",
    )  # fmt: skip
    dialog.import_button.click()
    assert dialog.isVisible()
    assert [row[:2] for row in cells(dialog)] == [["3", "mrn"]]
    assert not dialog.import_button.isVisible()
    with app.ctx.db.read() as s:
        assert list(s.scalars(select(Patient.mrn))) == ["imp-002"]
    dialog.reject()


def test_an_unreadable_file_is_said_plainly(
    qtbot: QtBot, page: PatientsPage, tmp_path: Path, chosen: list[Path | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    shown: list[str] = []
    monkeypatch.setattr(ErrorBox, "show", classmethod(lambda cls, p, t, text: shown.append(text)))
    chosen[0] = tmp_path / "missing.csv"
    page.list.import_button.click()
    assert page.list.import_dialog is None
    assert len(shown) == 1
    assert "missing.csv cannot be read" in shown[0]


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.ADMIN])
def test_roles_that_may_not_add_patients_cannot_import(
    qtbot: QtBot, app: AppContext, role: Role
) -> None:
    app.actor = actor_for(app, role)
    page = show_patients_page(qtbot, app)
    assert not page.list.import_button.isEnabled()
    assert page.list.import_button.toolTip() == "Your role cannot add patients."
