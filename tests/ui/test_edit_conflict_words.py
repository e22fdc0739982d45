"""After "Keep editing" on an edit conflict, the button's tooltip and the editor's line say
how that editor's next save really happens: the session note and the integration note pause
their autosave and only Ctrl+S replaces theirs (the integration note's Close, Esc and Sign ask
again); the patient dialog replaces theirs only with Save changes. Each claim is then checked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import EditConflict
from kapdesk.domain.permissions import Role
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.storage.orm import Note, Patient
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.edit_conflict import Choice, ConflictQuestion, ConflictView, EditConflictDialog
from kapdesk.ui.integration_note import IntegrationNoteEditor
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.session import SessionWorkspace

from .conftest import actor_for

OLD_WORDS = "your next save replaces theirs"


@pytest.fixture
def keep_tips(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer every conflict with a click on the real dialog's Keep editing; its tooltip
    is kept for the test."""
    tips: list[str] = []

    def ask(_cls: type, parent: object, conflict: EditConflict, view: ConflictView) -> Choice:
        dialog = EditConflictDialog(conflict, view, parent)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        tips.append(dialog.keep_button.toolTip())
        qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
        return dialog.choice

    monkeypatch.setattr(ConflictQuestion, "ask", classmethod(ask))
    return tips


def _shown(qtbot: QtBot, widget: SessionWorkspace | IntegrationNoteEditor) -> None:
    qtbot.addWidget(widget)
    widget.resize(1280, 900)
    widget.show()
    qtbot.waitExposed(widget)


@pytest.mark.parametrize("stations", ["sqlite"], indirect=True)
def test_session_note_says_only_ctrl_s_replaces_theirs(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock, keep_tips: list[str]
) -> None:
    a, b = stations
    a.actor, b.actor = actor_for(a, Role.NURSE), actor_for(b, Role.THERAPIST)
    sid = Kit(a.ctx, clock, a.actor).dosed()
    ws_a, ws_b = SessionWorkspace(a, sid), SessionWorkspace(b, sid)
    _shown(qtbot, ws_a)
    _shown(qtbot, ws_b)
    ws_b.note.editor.setPlainText("Mine.")
    ws_a.note.editor.setPlainText("Theirs.")
    ws_a.note.save_now()
    ws_b.note.save_now()
    [tip] = keep_tips
    line = ws_b.note.notice.text()
    for words in (tip, line):
        assert "Ctrl+S" in words
        assert OLD_WORDS not in words
    assert "autosave" in tip.lower()
    ws_b.note.save_now()  # an autosave: theirs stays, as said
    with a.ctx.db.read() as s:
        assert list(s.scalars(select(Note.body).where(Note.dosing_session_id == sid))) == [
            "Theirs."
        ]


@pytest.mark.parametrize("stations", ["sqlite"], indirect=True)
def test_integration_note_says_only_ctrl_s_replaces_theirs(
    qtbot: QtBot, stations: list[AppContext], clock: FakeClock, keep_tips: list[str]
) -> None:
    a, b = stations
    a.actor, b.actor = actor_for(a, Role.THERAPIST), actor_for(b, Role.CLINICIAN)
    course_id = Kit(a.ctx, clock, actor_for(a, Role.NURSE)).course()
    note = NoteService(a.ctx).create_integration_note(a.actor, course_id)
    ed_a, ed_b = IntegrationNoteEditor(a, note.id), IntegrationNoteEditor(b, note.id)
    _shown(qtbot, ed_a)
    _shown(qtbot, ed_b)
    ed_b.body.setPlainText("Mine.")
    ed_a.body.setPlainText("Theirs.")
    assert ed_a.save()
    assert not ed_b.save()
    [tip] = keep_tips
    line = ed_b.notice.text()
    for words in (tip, line):
        assert "Ctrl+S" in words
        assert "autosave" in words.lower()
        assert "asks" in words  # closing or signing asks again
        assert "automatically" not in words
        assert OLD_WORDS not in words
    ed_b.body.setPlainText("Mine, more.")  # typing on: the autosave timer...
    assert ed_b.timer.isActive()
    ed_b.timer.timeout.emit()  # ...fires and leaves theirs, as said
    assert NoteService(a.ctx).get(note.id).body == "Theirs."
    assert len(keep_tips) == 1
    ed_b.close()  # closing asks again, as said
    ed_b.timer.stop()
    assert len(keep_tips) == 2
    assert ed_b.isVisible()
    assert NoteService(a.ctx).get(note.id).body == "Theirs."


@pytest.mark.parametrize("stations", ["sqlite"], indirect=True)
def test_patient_dialog_says_save_changes_replaces_theirs(
    qtbot: QtBot, stations: list[AppContext], keep_tips: list[str]
) -> None:
    a, b = stations
    a.actor, b.actor = actor_for(a, Role.NURSE), actor_for(b, Role.CLINICIAN)
    made = PatientService(a.ctx).create(
        a.actor, mrn="K-9", given_name="Ana", family_name="Lima",
        date_of_birth="1984-02-03", sex="female", weight_kg=61.0,
    )  # fmt: skip
    da = PatientDialog(a, PatientService(a.ctx).get(made.id))
    db = PatientDialog(b, PatientService(b.ctx).get(made.id))
    for dialog in (da, db):
        qtbot.addWidget(dialog)
        dialog.show()
    da.allergies.setPlainText("penicillin")
    da.submit()
    db.allergies.setPlainText("latex")
    db.submit()
    [tip] = keep_tips
    line = db.message.text()
    for words in (tip, line):
        assert "Save changes" in words
        assert OLD_WORDS not in words
    with a.ctx.db.read() as s:
        row = s.get(Patient, made.id)
        assert row is not None
        assert row.allergies == "penicillin"  # nothing until Save changes
