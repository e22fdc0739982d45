"""Two workstations edit the same note or patient: the conflict is shown, neither text is
lost (issue 14). Each workstation is its own AppContext (own connections, own live updates)
on one store: one SQLite file, or the test server's database."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFocusEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import EditConflict
from kapdesk.domain.permissions import Role
from kapdesk.domain.signing import SignedEntity
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.services.signing import SigningService
from kapdesk.storage.orm import AuditEntry, Note, Patient
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.edit_conflict import Choice, ConflictQuestion, ConflictView, EditConflictDialog
from kapdesk.ui.integration_note import CLIPBOARD_SAID, IntegrationNoteEditor
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.session import SessionWorkspace

from .conftest import PASSWORD, actor_for, show_main_window, table_counts

Asked = list[EditConflictDialog]


@pytest.fixture
def answer(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Callable[[Choice], Asked]:
    """Answer the conflict question with a button click on the real dialog (built, shown,
    not run modally); the dialogs asked are kept for the test to read."""

    def install(choice: Choice) -> Asked:
        asked: Asked = []

        def ask(_cls: type, parent: object, conflict: EditConflict, view: ConflictView) -> Choice:
            dialog = EditConflictDialog(conflict, view, parent)  # type: ignore[arg-type]
            qtbot.addWidget(dialog)
            dialog.show()
            asked.append(dialog)
            button = {
                Choice.MINE: dialog.mine_button,
                Choice.THEIRS: dialog.theirs_button,
                Choice.KEEP: dialog.keep_button,
            }[choice]
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert not dialog.isVisible()
            return dialog.choice

        monkeypatch.setattr(ConflictQuestion, "ask", classmethod(ask))
        return asked

    return install


def _pane(dialog: EditConflictDialog, name: str) -> str:
    edit = dialog.findChild(QPlainTextEdit, name)
    assert edit is not None
    assert edit.isReadOnly()
    return edit.toPlainText()


def _workspaces(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock
) -> tuple[SessionWorkspace, SessionWorkspace, int]:
    a, b = stations
    a.actor, b.actor = actor_for(a, Role.NURSE), actor_for(b, Role.THERAPIST)
    sid = Kit(a.ctx, clock, a.actor).dosed()
    made = []
    for app in stations:
        ws = SessionWorkspace(app, sid)
        qtbot.addWidget(ws)
        ws.resize(1280, 900)
        ws.show()
        qtbot.waitExposed(ws)
        made.append(ws)
    return made[0], made[1], sid


def _bodies(app: AppContext, sid: int) -> list[str]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(Note.body).where(Note.dosing_session_id == sid)))


def _trail_texts(app: AppContext, entity: str) -> str:
    with app.ctx.db.read() as s:
        rows = s.execute(
            select(AuditEntry.before, AuditEntry.after).where(AuditEntry.entity == entity)
        )
        return " ".join(json.dumps(json.loads(t)) for r in rows for t in r if t is not None)


def _type(ws: SessionWorkspace, text: str) -> None:
    ws.note.editor.setPlainText(text)


def test_the_real_dialog_shows_both_texts_and_esc_keeps_editing(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock
) -> None:
    a, _b = stations
    ws_a, ws_b, sid = _workspaces(qtbot, stations, clock)
    _type(ws_b, "Anxious at first; settled with music.")  # B starts typing on an empty note
    _type(ws_a, "Arrived 09:05, partner drives home.")
    ws_a.note.save_now()
    assert _bodies(a, sid) == ["Arrived 09:05, partner drives home."]
    counts = table_counts(a.ctx.db)

    seen: dict[str, str] = {}

    def inspect_and_escape() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, EditConflictDialog)
        seen["heading"] = dialog.heading.text()
        seen["theirs"], seen["mine"] = _pane(dialog, "theirs"), _pane(dialog, "mine")
        seen["focus"] = (dialog.focusWidget() or dialog).objectName()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(0, inspect_and_escape)
    ws_b.note.save_now()  # runs the dialog modally until Esc

    stored = NoteService(a.ctx).list_for_session(sid)[0]
    hhmm = stored.updated_at.astimezone().strftime("%H:%M")
    assert seen["heading"] == f"Test Nurse changed this note at {hhmm} while you were editing."
    assert seen["theirs"] == "Arrived 09:05, partner drives home."
    assert seen["mine"] == "Anxious at first; settled with music."
    assert seen["focus"] == "keep"  # Keep editing has the keyboard: Enter or Esc keeps the text
    # Nothing written; B still holds B's text and says what the next save does.
    assert table_counts(a.ctx.db) == counts
    assert ws_b.note.editor.toPlainText() == "Anxious at first; settled with music."
    assert "Test Nurse changed this note" in ws_b.note.notice.text()
    assert "press Ctrl+S to save it over theirs" in ws_b.note.notice.text()
    # The next save is deliberate: it replaces theirs, which stays in the audit trail.
    _type(ws_b, "Anxious at first; settled with music. Ride home ok.")
    ws_b.note.save_mine()  # Ctrl+S: autosave is paused after Keep editing
    assert _bodies(a, sid) == ["Anxious at first; settled with music. Ride home ok."]
    assert "Arrived 09:05, partner drives home." in _trail_texts(a, "note")


@pytest.mark.parametrize("choice", list(Choice))
def test_each_answer_keeps_both_texts(
    qtbot: QtBot,
    stations: list[AppContext],
    clock: FakeClock,
    answer: Callable[[Choice], Asked],
    choice: Choice,
) -> None:
    a, _ = stations
    ws_a, ws_b, sid = _workspaces(qtbot, stations, clock)
    _type(ws_a, "Calm.")
    ws_a.note.save_now()
    ws_b.refresh()  # B reads A's first text (and its version) before typing
    assert ws_b.note.editor.toPlainText() == "Calm."
    _type(ws_b, "Tearful, then calm.")
    _type(ws_a, "Calm. BP fine.")
    ws_a.note.save_now()
    QGuiApplication.clipboard().setText("")

    asked = answer(choice)
    ws_b.note.save_now()
    assert len(asked) == 1
    assert _pane(asked[0], "theirs") == "Calm. BP fine."
    assert _pane(asked[0], "mine") == "Tearful, then calm."
    stored, editor = _bodies(a, sid), ws_b.note.editor.toPlainText()
    if choice is Choice.MINE:
        assert stored == ["Tearful, then calm."]
        assert not ws_b.note.pending
        assert "Calm. BP fine." in _trail_texts(a, "note")
    elif choice is Choice.THEIRS:
        assert stored == ["Calm. BP fine."]
        assert editor == "Calm. BP fine."
        assert QGuiApplication.clipboard().text() == "Tearful, then calm."
        assert "copied to the clipboard" in ws_b.note.notice.text()
        assert not ws_b.note.pending
    else:
        assert stored == ["Calm. BP fine."]
        assert editor == "Tearful, then calm."
        assert ws_b.note.pending


def _note_editors(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock
) -> tuple[IntegrationNoteEditor, IntegrationNoteEditor, int]:
    a, b = stations
    a.actor, b.actor = actor_for(a, Role.THERAPIST), actor_for(b, Role.CLINICIAN)
    course_id = Kit(a.ctx, clock, actor_for(a, Role.NURSE)).course()
    note = NoteService(a.ctx).create_integration_note(a.actor, course_id)
    editors = []
    for app in stations:
        editor = IntegrationNoteEditor(app, note.id)
        qtbot.addWidget(editor)
        editor.show()
        qtbot.waitExposed(editor)
        editors.append(editor)
    return editors[0], editors[1], note.id


@pytest.mark.parametrize("choice", [Choice.MINE, Choice.THEIRS])
def test_integration_note_conflict(
    qtbot: QtBot,
    stations: list[AppContext],
    clock: FakeClock,
    answer: Callable[[Choice], Asked],
    choice: Choice,
) -> None:
    a, _ = stations
    ed_a, ed_b, note_id = _note_editors(qtbot, stations, clock)
    ed_b.editors["plan"].setPlainText("Journal daily.")
    ed_a.editors["themes"].setPlainText("Grief; relief.")
    assert ed_a.save()
    QGuiApplication.clipboard().setText("")
    asked = answer(choice)
    saved = ed_b.save()
    assert len(asked) == 1
    assert "Themes and insights:\nGrief; relief." in _pane(asked[0], "theirs")
    assert "Plan / homework:\nJournal daily." in _pane(asked[0], "mine")
    stored = NoteService(a.ctx).get(note_id)
    if choice is Choice.MINE:
        assert saved
        assert stored.sections["plan"] == "Journal daily."
        assert stored.sections["themes"] == ""  # B's whole text replaced A's...
        assert "Grief; relief." in _trail_texts(a, "note")  # ...which the trail keeps
    else:
        assert stored.sections == {**stored.sections, "themes": "Grief; relief.", "plan": ""}
        assert ed_b.editors["themes"].toPlainText() == "Grief; relief."
        assert "Plan / homework:\nJournal daily." in QGuiApplication.clipboard().text()
        assert ed_b.notice.text() == CLIPBOARD_SAID
        ed_b.reject()  # Esc after the answer closes without asking (nothing unsaved)
        assert not ed_b.isVisible()


def test_esc_that_met_a_conflict_keeps_the_editor_open(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock, answer: Callable[[Choice], Asked]
) -> None:
    a, _ = stations
    ed_a, ed_b, note_id = _note_editors(qtbot, stations, clock)
    ed_b.body.setPlainText("Mine.")
    ed_a.body.setPlainText("Theirs.")
    assert ed_a.save()
    answer(Choice.KEEP)
    ed_b.reject()  # Esc: the save meets the conflict, "Keep editing": the editor stays
    assert ed_b.isVisible()
    assert ed_b.body.toPlainText() == "Mine."
    assert NoteService(a.ctx).get(note_id).body == "Theirs."
    asked = answer(Choice.MINE)
    ed_b.reject()  # Esc again: autosave is paused, so the question comes again; mine closes
    assert len(asked) == 1
    assert not ed_b.isVisible()
    assert NoteService(a.ctx).get(note_id).body == "Mine."


def test_integration_note_keep_editing_pauses_autosave_until_a_deliberate_save(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock, answer: Callable[[Choice], Asked]
) -> None:
    """After "Keep editing" the integration note's autosave (timer, a field losing focus)
    does not replace theirs; Ctrl+S in the editor does."""
    a, _ = stations
    ed_a, ed_b, note_id = _note_editors(qtbot, stations, clock)
    ed_b.body.setPlainText("Mine.")
    ed_a.body.setPlainText("Theirs.")
    assert ed_a.save()
    asked = answer(Choice.KEEP)
    assert not ed_b.save()
    assert len(asked) == 1
    who = asked[0].heading.text().split(" changed ")[0]
    ed_b.body.setPlainText("Mine, more.")  # typing restarts the autosave timer
    assert ed_b.timer.isActive()
    ed_b.timer.timeout.emit()  # the autosave fires
    QApplication.sendEvent(ed_b.body, QFocusEvent(QEvent.Type.FocusOut))  # leaving a field
    assert NoteService(a.ctx).get(note_id).body == "Theirs."
    assert len(asked) == 1  # not asked again on each autosave
    notice = ed_b.notice.text()
    assert "autosave is paused" in notice.lower()
    assert f"replace {who}'s text" in notice
    assert "Ctrl+S" in notice
    assert ed_b.dirty
    ed_b.body.setFocus()
    qtbot.keyClick(ed_b.body, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    ed_b.timer.stop()
    assert NoteService(a.ctx).get(note_id).body == "Mine, more."
    assert "Theirs." in _trail_texts(a, "note")
    assert not ed_b.dirty
    assert len(asked) == 1


def test_integration_note_close_or_sign_while_paused_asks_again(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock, answer: Callable[[Choice], Asked]
) -> None:
    """Close and Sign are deliberate but do not replace theirs unasked while autosave is
    paused: the question comes again; Keep editing keeps the editor open and theirs stored."""
    a, _ = stations
    ed_a, ed_b, note_id = _note_editors(qtbot, stations, clock)
    ed_b.body.setPlainText("Mine.")
    ed_a.body.setPlainText("Theirs.")
    assert ed_a.save()
    asked = answer(Choice.KEEP)
    assert not ed_b.save()
    ed_b.close()
    assert ed_b.isVisible()
    assert ed_b.sign() is None
    ed_b.timer.stop()
    assert len(asked) == 3
    assert NoteService(a.ctx).get(note_id).body == "Theirs."
    assert ed_b.body.toPlainText() == "Mine."
    asked = answer(Choice.THEIRS)
    ed_b.close()  # asked again: Take theirs shows theirs; the next close closes
    assert len(asked) == 1
    assert ed_b.body.toPlainText() == "Theirs."
    ed_b.close()
    assert not ed_b.isVisible()
    assert NoteService(a.ctx).get(note_id).body == "Theirs."


@pytest.mark.parametrize("choice", list(Choice))
def test_patient_details_conflict_shows_the_fields_that_differ(
    qtbot: QtBot,
    stations: list[AppContext],
    clock: FakeClock,
    answer: Callable[[Choice], Asked],
    choice: Choice,
) -> None:
    a, b = stations
    a.actor, b.actor = actor_for(a, Role.NURSE), actor_for(b, Role.CLINICIAN)
    made = PatientService(a.ctx).create(
        a.actor, mrn="K-9", given_name="Ana", family_name="Lima",
        date_of_birth="1984-02-03", sex="female", weight_kg=61.0,
    )  # fmt: skip
    dialogs = []
    for app in stations:
        dialog = PatientDialog(app, PatientService(app.ctx).get(made.id))
        qtbot.addWidget(dialog)
        dialog.show()
        dialogs.append(dialog)
    da, db = dialogs
    da.weight.setText("63.5")  # the nurse: a new weight and an allergy
    da.allergies.setPlainText("penicillin")
    da.submit()
    assert da.result() == PatientDialog.DialogCode.Accepted
    db.allergies.setPlainText("latex")  # the clinician: only the allergies
    QGuiApplication.clipboard().setText("")
    asked = answer(choice)
    db.submit()
    assert len(asked) == 1
    table = asked[0].table
    assert table is not None
    rows = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
    # The weight the clinician never touched is not a difference: it takes the nurse's.
    assert rows == [("Allergies", "penicillin", "latex")]
    with a.ctx.db.read() as s:
        row = s.get(Patient, made.id)
        assert row is not None
        stored = (row.weight_kg, row.allergies)
    if choice is Choice.MINE:
        assert stored == (63.5, "latex")
        assert db.result() == PatientDialog.DialogCode.Accepted
        assert '"allergies": "penicillin"' in _trail_texts(a, "patient")
    elif choice is Choice.THEIRS:
        assert stored == (63.5, "penicillin")
        assert (db.weight.text(), db.allergies.toPlainText()) == ("63.5", "penicillin")
        assert "Allergies: latex" in QGuiApplication.clipboard().text()
        assert db.isVisible()
        assert not db.state.changed()
    else:
        assert stored == (63.5, "penicillin")
        assert (db.weight.text(), db.allergies.toPlainText()) == ("63.5", "latex")
        assert "Test Nurse changed this patient's details" in db.message.text()
        assert db.state.changed()
        db.submit()  # deliberate: replaces their allergies, keeps their weight
        with a.ctx.db.read() as s:
            row = s.get(Patient, made.id)
            assert row is not None
            assert (row.weight_kg, row.allergies) == (63.5, "latex")


def test_patient_details_conflict_with_nothing_of_mine_differing_asks_nothing(
    qtbot: QtBot, stations: list[AppContext], answer: Callable[[Choice], Asked]
) -> None:
    """Both changed the weight to the same value, the nurse also the allergies: nothing of
    the clinician's differs from what is stored, so no question; the form takes theirs."""
    a, b = stations
    a.actor, b.actor = actor_for(a, Role.NURSE), actor_for(b, Role.CLINICIAN)
    made = PatientService(a.ctx).create(
        a.actor, mrn="K-8", given_name="Ana", family_name="Lima",
        date_of_birth="1984-02-03", sex="female", weight_kg=61.0,
    )  # fmt: skip
    da, db = (PatientDialog(app, PatientService(app.ctx).get(made.id)) for app in stations)
    for dialog in (da, db):
        qtbot.addWidget(dialog)
        dialog.show()
    da.weight.setText("63.5")
    da.allergies.setPlainText("penicillin")
    da.submit()
    db.weight.setText("63.5")
    asked = answer(Choice.MINE)
    db.submit()
    assert asked == []
    assert (db.weight.text(), db.allergies.toPlainText()) == ("63.5", "penicillin")
    assert "Test Nurse changed this patient's details" in db.message.text()
    assert not db.state.changed()
    db.submit()  # against their version now: stores the same details again
    with a.ctx.db.read() as s:
        row = s.get(Patient, made.id)
        assert row is not None
        assert (row.weight_kg, row.allergies) == (63.5, "penicillin")


def test_a_change_arriving_while_typing_is_said_before_the_save(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock
) -> None:
    """The other workstation's save reaches the open session (its live update reloads the
    detail): the editor keeps what is being typed and says so quietly, before any save."""
    ws_a, ws_b, _sid = _workspaces(qtbot, stations, clock)
    _type(ws_b, "Still typing")
    _type(ws_a, "Saved elsewhere.")
    ws_a.note.save_now()
    ws_b.refresh()  # what the live update does on the other workstation
    assert ws_b.note.editor.toPlainText() == "Still typing"
    assert "changed on another workstation" in ws_b.note.notice.text()
    assert "saving will ask which text to keep" in ws_b.note.notice.text()
    assert ws_b.note.notice.isVisible()
    # The typing's autosave (~1 s) would meet the conflict during teardown's event processing
    # and open the real modal question there (it hung the run when the test took over 1 s).
    ws_b.note.timer.stop()


def test_keep_editing_pauses_autosave_until_a_deliberate_save(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock, answer: Callable[[Choice], Asked]
) -> None:
    """After "Keep editing" the autosave (timer, focus-out) does not replace theirs; only the
    deliberate save (Ctrl+S) does."""
    a, _ = stations
    ws_a, ws_b, sid = _workspaces(qtbot, stations, clock)
    _type(ws_b, "Mine.")
    _type(ws_a, "Theirs.")
    ws_a.note.save_now()
    asked = answer(Choice.KEEP)
    ws_b.note.save_now()
    assert len(asked) == 1
    _type(ws_b, "Mine, more.")  # typing restarts the autosave timer
    assert ws_b.note.timer.isActive()
    ws_b.note.timer.timeout.emit()  # the autosave fires
    ws_b.note.save_now()  # focus-out / leaving the page
    assert _bodies(a, sid) == ["Theirs."]
    assert len(asked) == 1  # and the question is not asked again on each keystroke
    assert "autosave is paused" in ws_b.note.notice.text().lower()
    assert "Test Nurse" in ws_b.note.notice.text()
    assert ws_b.note.pending
    ws_b.note.editor.setFocus()
    qtbot.keyClick(ws_b.note.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _bodies(a, sid) == ["Mine, more."]
    assert "Theirs." in _trail_texts(a, "note")
    assert not ws_b.note.pending


def _quit_with_editor_open(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock
) -> tuple[MainWindow, IntegrationNoteEditor, IntegrationNoteEditor, int]:
    """Workstation B's main window with B's integration note editor open in it (as the
    chart opens it: a window of its own, parented to the chart); A's editor on its own."""
    _, b = stations
    ed_a, loose_b, note_id = _note_editors(qtbot, stations, clock)
    loose_b.close()
    window = show_main_window(qtbot, b)
    ed_b = IntegrationNoteEditor(b, note_id, window)
    ed_b.setWindowFlag(Qt.WindowType.Window, True)
    ed_b.show()
    qtbot.waitExposed(ed_b)
    return window, ed_a, ed_b, note_id


def test_quitting_while_the_note_autosave_is_paused_asks_again_and_keep_stays_open(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock, answer: Callable[[Choice], Asked]
) -> None:
    """File > Quit with an integration note whose autosave is paused ("Keep editing" after a
    conflict) does not drop the typed text: the conflict question comes again; Keep editing
    keeps kapdesk open with the text in the editor, Save mine saves it and quits."""
    a, _ = stations
    window, ed_a, ed_b, note_id = _quit_with_editor_open(qtbot, stations, clock)
    ed_b.body.setPlainText("Mine.")
    ed_a.body.setPlainText("Theirs.")
    assert ed_a.save()
    asked = answer(Choice.KEEP)
    assert not ed_b.save()
    window.quit_action.trigger()
    ed_b.timer.stop()
    assert len(asked) == 2
    assert window.isVisible()
    assert ed_b.isVisible()
    assert ed_b.body.toPlainText() == "Mine."
    assert NoteService(a.ctx).get(note_id).body == "Theirs."
    asked = answer(Choice.MINE)
    window.quit_action.trigger()
    assert len(asked) == 1
    assert not window.isVisible()
    assert NoteService(a.ctx).get(note_id).body == "Mine."


def test_quitting_with_a_note_that_cannot_be_saved_asks_before_discarding_it(
    qtbot: QtBot,
    stations: list[AppContext],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The draft cannot be saved at quit (signed on another workstation meanwhile): quitting
    asks "Discard the unsaved integration note?"; Keep editing keeps kapdesk open."""
    from kapdesk.ui.discard_guard import DiscardQuestion

    a, _ = stations
    window, ed_a, ed_b, note_id = _quit_with_editor_open(qtbot, stations, clock)
    ed_a.body.setPlainText("Signed text.")
    assert ed_a.save()
    SigningService(a.ctx).sign(a.actor, SignedEntity.NOTE, note_id, PASSWORD)
    ed_b.body.setPlainText("Mine, unsaved.")
    ed_b.timer.stop()
    things: list[str] = []
    answers = [False, True]

    def ask(_cls: type, _parent: object, thing: str) -> bool:
        things.append(thing)
        return answers[len(things) - 1]

    monkeypatch.setattr(DiscardQuestion, "ask", classmethod(ask))
    window.quit_action.trigger()
    assert things == ["integration note"]
    assert window.isVisible()
    assert ed_b.isVisible()
    assert ed_b.body.toPlainText() == "Mine, unsaved."
    window.quit_action.trigger()
    assert things == ["integration note", "integration note"]
    assert not window.isVisible()
