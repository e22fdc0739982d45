"""Issue 12: Esc, Cancel or closing a half-filled form asks before discarding; an empty or
unchanged one closes at once. One shared question (kapdesk.ui.discard_guard)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.notes import NoteService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.course_dialog import ScheduleSessionDialog, StartCourseDialog
from kapdesk.ui.discard_guard import discard_box
from kapdesk.ui.instrument_form import InstrumentDialog
from kapdesk.ui.integration_note import IntegrationNoteEditor
from kapdesk.ui.main_window import PAGE_SESSION, MainWindow
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.quick_vitals import QuickVitalsDialog
from kapdesk.ui.session.workspace import STEP_DOSE
from kapdesk.ui.sign_dialogs import AddendumDialog

from .conftest import PASSWORD, table_counts
from .helpers_patients import actor_for, add_patient


def shown(qtbot: QtBot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_question_defaults_to_keep_editing(qtbot: QtBot) -> None:
    box = discard_box(None, "dose")
    assert box.text() == "Discard the unsaved dose?"
    default, escape = box.defaultButton(), box.escapeButton()
    assert default is not None
    assert default.text() == "&Keep editing"
    assert escape is default
    roles = {b.text(): box.buttonRole(b) for b in box.buttons()}
    assert roles["&Discard"] == QMessageBox.ButtonRole.DestructiveRole


def test_phq9_esc_asks_keep_editing_keeps_the_answers_discard_closes(
    qtbot: QtBot, app: AppContext, answer: list[str]
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician)
    app.actor = clinician
    dialog = shown(qtbot, InstrumentDialog(app, patient.id, "PHQ-9"))
    counts = table_counts(app.ctx.db)
    qtbot.keyClick(dialog.form.rows[0], Qt.Key.Key_2)
    qtbot.keyClick(dialog.form.rows[1], Qt.Key.Key_Escape)
    assert answer == ["PHQ-9"]
    assert dialog.isVisible()
    assert dialog.form.answers()[0] == 2
    answer.append("discard")
    dialog.close()  # the window's close button
    assert answer[-1] == "PHQ-9"
    assert not dialog.isVisible()
    assert table_counts(app.ctx.db) == counts


def test_an_untouched_form_closes_without_asking(
    qtbot: QtBot, app: AppContext, answer: list[str], kit: Kit
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician)
    app.actor = clinician
    for dialog in (
        InstrumentDialog(app, patient.id, "GAD-7"),
        PatientDialog(app),
        PatientDialog(app, patient),  # unchanged details
        QuickVitalsDialog(app, kit.dosed(room="2"), "Room 2"),
    ):
        shown(qtbot, dialog)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible()
    assert answer == []


def test_patient_dialog_cancel_asks_and_keeps_what_was_typed(
    qtbot: QtBot, app: AppContext, answer: list[str]
) -> None:
    app.actor = actor_for(app, Role.NURSE)
    dialog = shown(qtbot, PatientDialog(app))
    qtbot.keyClicks(dialog.mrn, "KAP-0300")
    qtbot.keyClick(dialog.mrn, Qt.Key.Key_Escape)
    assert answer == ["new patient"]
    assert dialog.isVisible()
    assert dialog.mrn.text() == "KAP-0300"


def test_edited_patient_details_ask(qtbot: QtBot, app: AppContext, answer: list[str]) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    app.actor = clinician
    dialog = shown(qtbot, PatientDialog(app, add_patient(app, clinician)))
    qtbot.keyClicks(dialog.weight, "5")
    dialog.reject()
    assert answer == ["changes to the patient"]
    assert dialog.isVisible()


def test_quick_vitals_with_a_value_typed_asks(
    qtbot: QtBot, app: AppContext, kit: Kit, answer: list[str]
) -> None:
    sid = kit.dosed(room="2")
    dialog = shown(qtbot, QuickVitalsDialog(app, sid, "Room 2"))
    qtbot.keyClicks(dialog.form.first_field, "128")
    qtbot.keyClick(dialog.form.first_field, Qt.Key.Key_Escape)
    assert answer == ["vitals"]
    assert dialog.isVisible()
    answer.append("discard")
    qtbot.keyClick(dialog.form.first_field, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_note_that_cannot_be_saved_asks_before_it_is_closed(
    qtbot: QtBot, app: AppContext, clock: FakeClock, answer: list[str]
) -> None:
    therapist = actor_for(app, Role.THERAPIST)
    patient = add_patient(app, actor_for(app, Role.CLINICIAN))
    course = CourseService(app.ctx).start(actor_for(app, Role.CLINICIAN), patient.id, "kap-default")
    notes = NoteService(app.ctx)
    note = notes.create_integration_note(therapist, course.id)
    app.actor = therapist
    editor = shown(qtbot, IntegrationNoteEditor(app, note.id))
    assert isinstance(editor, IntegrationNoteEditor)
    # Typed and saved: Esc closes at once (the draft is stored).
    qtbot.keyClicks(editor.body, "Slept well.")
    qtbot.keyClick(editor.body, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert answer == []
    assert notes.get(note.id).body == "Slept well."
    editor = shown(qtbot, IntegrationNoteEditor(app, note.id))
    assert isinstance(editor, IntegrationNoteEditor)
    notes.finalize(therapist, note.id)  # signed elsewhere meanwhile: the draft cannot be saved
    qtbot.keyClicks(editor.body, " Dreams.")
    qtbot.keyClick(editor.body, Qt.Key.Key_Escape)
    assert answer == ["note"]
    assert editor.isVisible()
    assert "Dreams." in editor.body.toPlainText()


def test_opening_another_session_with_a_dose_typed_asks(
    qtbot: QtBot, window: MainWindow, kit: Kit, answer: list[str]
) -> None:
    first = kit.ready(mrn="MRN-1")
    second = kit.dosed(mrn="MRN-2")
    window.open_session(first)
    page = window.session_page
    dose = page.pages[STEP_DOSE]  # type: ignore[union-attr]
    qtbot.keyClicks(dose.amount, "0.5")
    window.open_session(second)
    assert answer == ["dose"]
    assert window.session_id == first
    assert window.session_page is page
    assert window.current_page() == PAGE_SESSION
    assert dose.amount.text() == "0.5"
    answer.append("discard")
    window.open_session(second)
    assert window.session_id == second


def test_opening_another_session_with_nothing_typed_does_not_ask(
    window: MainWindow, kit: Kit, answer: list[str]
) -> None:
    first, second = kit.ready(mrn="MRN-1"), kit.dosed(mrn="MRN-2")
    window.open_session(first)
    window.open_session(second)
    assert window.session_id == second
    assert answer == []


def test_course_and_addendum_dialogs_ask_once_something_is_typed(
    qtbot: QtBot, app: AppContext, kit: Kit, answer: list[str]
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    app.actor = clinician
    patient = add_patient(app, clinician)
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    start = shown(qtbot, StartCourseDialog(app, patient.id))
    assert isinstance(start, StartCourseDialog)
    qtbot.keyClick(start, Qt.Key.Key_Escape)  # untouched: closes
    assert not start.isVisible()
    schedule = shown(qtbot, ScheduleSessionDialog(app, course))
    assert isinstance(schedule, ScheduleSessionDialog)
    qtbot.keyClicks(schedule.room, "Room 4")
    qtbot.keyClick(schedule.room, Qt.Key.Key_Escape)
    addendum = shown(qtbot, AddendumDialog(app, "dosing_session", kit.dosed(), "this session"))
    assert isinstance(addendum, AddendumDialog)
    qtbot.keyClicks(addendum.text, "Pulse was 72, not 27.")
    addendum.reject()
    assert answer == ["session", "addendum"]
    assert schedule.isVisible()
    assert addendum.isVisible()


def half_filled_vitals(qtbot: QtBot, window: MainWindow, sid: int) -> QuickVitalsDialog:
    dialog = QuickVitalsDialog(window.app, sid, "Room 2", window)
    dialog.open()  # as the Today board opens it
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.form.first_field, "128")
    return dialog


def test_the_idle_lock_keeps_a_half_filled_form_for_the_same_user(
    qtbot: QtBot, window: MainWindow, kit: Kit, answer: list[str]
) -> None:
    dialog = half_filled_vitals(qtbot, window, kit.dosed(room="2"))
    lock = window.screen_lock
    lock.lock("idle")  # not blocked by the half-filled form
    assert lock.locked
    assert not dialog.isVisible()
    assert lock.unlock(PASSWORD)
    assert dialog.isVisible()
    assert dialog.form.first_field.text() == "128"
    assert answer == []


def test_someone_else_unlocking_closes_the_form_without_a_question(
    qtbot: QtBot, window: MainWindow, kit: Kit, answer: list[str]
) -> None:
    """What the nurse typed is not the clinician's to record: the lock closes it unasked."""
    dialog = half_filled_vitals(qtbot, window, kit.dosed(room="2"))
    lock = window.screen_lock
    lock.lock("manual")
    qtbot.mouseClick(lock.screen_page.switch_button, Qt.MouseButton.LeftButton)
    login = lock.login_dialog
    assert login is not None
    qtbot.keyClicks(login.username.edit, "clinician")
    qtbot.keyClicks(login.password.edit, PASSWORD)
    qtbot.keyClick(login.password.edit, Qt.Key.Key_Return)
    assert not lock.locked
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert answer == []
