"""An inline error goes away as soon as the field it is about is edited: one form per kind
of error line (FieldSet dialogs, the vitals form, the session steps' message lines, the
checklist's number fields, the passphrase dialog)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.ui.app_context import AppContext
from kapdesk.ui.passphrase import PassphraseDialog
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.checklist import ChecklistPage
from kapdesk.ui.session.dose import DosePage
from kapdesk.ui.session.pre_dose import PreDosePage
from kapdesk.ui.session.workspace import STEP_CHECKLIST, STEP_DOSE, STEP_PRE_DOSE

OpenWs = Callable[[int], SessionWorkspace]


def type_and_enter(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_a_dialog_field_error_clears_when_that_field_is_typed_in(
    qtbot: QtBot, app: AppContext, kit: Kit
) -> None:
    dialog = PatientDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.mrn, "KAP-0300")
    qtbot.keyClicks(dialog.weight, "500")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    shown = dialog.fields.messages()
    assert shown, "an invalid patient shows errors"
    name, _ = next(iter(shown.items()))
    others = set(shown) - {name}
    editor = dialog.fields[name].editor
    assert isinstance(editor, QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_End)
    qtbot.keyClicks(editor, "1")
    assert name not in dialog.fields.messages()
    assert set(dialog.fields.messages()) == others  # errors of other fields stay


def test_a_vitals_error_clears_when_its_field_is_edited_not_another(
    qtbot: QtBot, kit: Kit, open_ws: OpenWs
) -> None:
    ws = open_ws(kit.checked_in())
    ws.go_to(STEP_PRE_DOSE)
    page = ws.page(STEP_PRE_DOSE)
    assert isinstance(page, PreDosePage)
    form = page.form
    qtbot.keyClicks(form.edits["systolic"], "400")
    qtbot.keyClicks(form.edits["diastolic"], "80")
    qtbot.keyClick(form.edits["diastolic"], Qt.Key.Key_Return)
    assert form.errors["systolic"].isVisible()
    qtbot.keyClicks(form.edits["pulse"], "7")
    assert form.errors["systolic"].isVisible()
    qtbot.keyClick(form.edits["systolic"], Qt.Key.Key_Backspace)
    assert form.errors["systolic"].isHidden()
    assert form.errors["systolic"].text() == ""


def test_a_dose_field_error_clears_on_typing_but_not_when_the_program_fills_it(
    qtbot: QtBot, kit: Kit, open_ws: OpenWs
) -> None:
    ws = open_ws(kit.ready())
    ws.go_to(STEP_DOSE)
    dose = ws.page(STEP_DOSE)
    assert isinstance(dose, DosePage)
    type_and_enter(qtbot, dose.amount, "0.5")  # lot number left empty
    assert dose.lot_error.isVisible()
    dose.lot.setText("from a barcode scanner")  # not typed here: the error stays
    assert dose.lot_error.isVisible()
    dose.lot.clear()
    type_and_enter(qtbot, dose.amount, "abc")
    assert dose.amount_error.isVisible()
    qtbot.keyClicks(dose.lot, "L")
    assert dose.lot_error.isHidden()
    assert dose.amount_error.isVisible()  # about another field
    qtbot.keyClick(dose.amount, Qt.Key.Key_Backspace)
    assert dose.amount_error.isHidden()


def test_a_checklist_number_error_clears_on_typing(qtbot: QtBot, kit: Kit, open_ws: OpenWs) -> None:
    ws = open_ws(kit.checked_in())
    ws.go_to(STEP_CHECKLIST)
    page = ws.page(STEP_CHECKLIST)
    assert isinstance(page, ChecklistPage)
    weight = page.numbers["weight_kg"]
    type_and_enter(qtbot, weight, "500")
    error = page.number_errors["weight_kg"]
    assert error.isVisible()
    qtbot.keyClick(weight, Qt.Key.Key_Backspace)
    assert error.isHidden()


def test_a_passphrase_error_clears_on_typing(qtbot: QtBot, tmp_path: Path) -> None:
    tried: list[str] = []
    dialog = PassphraseDialog(tmp_path / "clinic.sqlite", tried.append)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.passphrase_error.text() == "The passphrase is empty."
    qtbot.keyClicks(dialog.passphrase, "h")
    assert dialog.passphrase_error.isHidden()
    assert tried == []


def test_a_wrong_password_message_clears_when_the_password_is_retyped(
    qtbot: QtBot, app: AppContext
) -> None:
    from kapdesk.ui.login import LoginDialog

    dialog = LoginDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username.edit, "nurse")
    type_and_enter(qtbot, dialog.password.edit, "wrong password")
    assert dialog.message.text() == "Unknown username or wrong password."
    qtbot.keyClicks(dialog.password.edit, "a")
    assert dialog.message.isHidden()


def test_the_lock_screens_message_clears_on_typing(qtbot: QtBot) -> None:
    from kapdesk.ui.lock_screen import LockScreen

    page = LockScreen()
    qtbot.addWidget(page)
    page.show()
    page.show_error("Wrong password.")  # as ScreenLock.unlock shows it
    assert page.message.isVisible()
    qtbot.keyClicks(page.password, "a")
    assert page.message.isHidden()
