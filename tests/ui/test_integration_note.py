"""Integration sessions: start one from the chart, autosaving drafts, PHQ-9, signing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.notes import SECTION_KEYS
from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import AuditEntry, InstrumentResult, Note, Signature
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.course_dialog import NewIntegrationDialog
from kapdesk.ui.instrument_form import InstrumentDialog
from kapdesk.ui.integration_note import AUTOSAVE_MS, IntegrationNoteEditor
from kapdesk.ui.patient_chart import PatientChart

from .conftest import PASSWORD, focused
from .helpers_patients import CourseHistory, actor_for, build_course_history, show_chart


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock)


@pytest.fixture
def chart(qtbot: QtBot, app: AppContext, history: CourseHistory) -> PatientChart:
    chart = show_chart(qtbot, app, history.patient.id, Role.THERAPIST)
    chart.tabs.setCurrentIndex(2)
    return chart


def note_row(app: AppContext, note_id: int) -> Note:
    with app.ctx.db.read() as s:
        row = s.get(Note, note_id)
        assert row is not None
        s.expunge(row)
        return row


def note_updates(app: AppContext, note_id: int) -> int:
    with app.ctx.db.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "note.update", AuditEntry.entity_id == str(note_id))
            )
            or 0
        )


def start_note(qtbot: QtBot, chart: PatientChart) -> IntegrationNoteEditor:
    panel = chart.notes_panel
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, NewIntegrationDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.follows)
    qtbot.keyClick(dialog.follows, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.created is not None
    editor = panel.editors[dialog.created.id]
    assert editor.isVisible()
    return editor


def test_new_integration_session_follows_the_latest_held_session(
    qtbot: QtBot, app: AppContext, chart: PatientChart, history: CourseHistory, clock: FakeClock
) -> None:
    editor = start_note(qtbot, chart)
    row = note_row(app, editor.note.id)
    assert (row.kind, row.status, row.course_id) == ("integration", "draft", history.course.id)
    # Sessions 3 and 4 are only scheduled: the latest session held is the second.
    assert row.dosing_session_id == history.session_ids[1]
    assert row.held_at == clock.now()
    assert row.author_id == app.require_actor().user_id
    assert "Follows the dosing session of" in editor.subheading.text()
    qtbot.waitUntil(lambda: chart.notes_panel.table.rowCount() == 3)


def test_the_followed_session_is_optional(
    qtbot: QtBot, app: AppContext, chart: PatientChart
) -> None:
    chart.notes_panel.new_note()
    dialog = chart.notes_panel.dialog
    assert dialog is not None
    assert dialog.follows.count() == 3  # none + the two sessions held
    dialog.follows.setCurrentIndex(0)
    dialog.submit()
    assert dialog.created is not None
    assert note_row(app, dialog.created.id).dosing_session_id is None


def test_draft_autosaves_after_a_pause_in_typing(
    qtbot: QtBot, app: AppContext, chart: PatientChart
) -> None:
    editor = start_note(qtbot, chart)
    note_id = editor.note.id
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.editors["themes"])
    qtbot.keyClicks(editor.editors["themes"], "A sense of spaciousness.")
    assert editor.timer.isActive()
    assert editor.timer.interval() == AUTOSAVE_MS
    assert editor.saved_label.text() == "Editing…"
    assert note_row(app, note_id).sections["themes"] == ""  # not saved while typing
    qtbot.waitUntil(lambda: not editor.timer.isActive(), timeout=AUTOSAVE_MS * 3)
    row = note_row(app, note_id)
    assert row.sections == {
        "themes": "A sense of spaciousness.", "changes": "", "plan": "", "risk": "",
    }  # fmt: skip
    assert row.body == ""
    assert editor.saved_label.text() == "Draft · saved 09:00"
    assert note_updates(app, note_id) == 1  # one save for the whole burst of typing


def test_focus_out_and_close_save_at_once(
    qtbot: QtBot, app: AppContext, chart: PatientChart, clock: FakeClock
) -> None:
    editor = start_note(qtbot, chart)
    note_id = editor.note.id
    plan = editor.editors["plan"]
    plan.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is plan)
    qtbot.keyClicks(plan, "Walk daily.")
    qtbot.keyClick(plan, Qt.Key.Key_Tab)  # focus moves on: saved without waiting
    assert focused() is editor.editors["risk"]
    assert not editor.timer.isActive()
    assert note_row(app, note_id).sections["plan"] == "Walk daily."
    clock.advance(minutes=3)
    qtbot.keyClicks(editor.body, "Partner joined for the last 10 minutes.")
    editor.close()
    row = note_row(app, note_id)
    assert row.body == "Partner joined for the last 10 minutes."
    assert set(row.sections) == set(SECTION_KEYS)
    assert note_updates(app, note_id) == 2


def signatures(app: AppContext) -> list[tuple[str, int, int, str]]:
    with app.ctx.db.read() as s:
        return [
            (g.entity, g.entity_id, g.signer_id, g.meaning)
            for g in s.scalars(select(Signature).order_by(Signature.id))
        ]


def test_signing_makes_the_note_final_and_read_only(
    qtbot: QtBot, app: AppContext, chart: PatientChart
) -> None:
    editor = start_note(qtbot, chart)
    qtbot.keyClicks(editor.editors["risk"], "No ideation; safety plan reviewed.")
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    dialog = editor.sign_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert note_row(app, editor.note.id).sections["risk"] == "No ideation; safety plan reviewed."
    assert dialog.meaning.currentText() == "Authored and signed"  # the author signs
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    row = note_row(app, editor.note.id)
    assert row.status == "final"
    author = app.require_actor().user_id
    assert signatures(app) == [("note", editor.note.id, author, "Authored and signed")]
    assert all(e.isReadOnly() for e in editor.editors.values())
    assert editor.body.isReadOnly()
    assert not editor.sign_button.isEnabled()
    assert editor.heading.text().endswith("(signed)")
    assert editor.saved_label.text().startswith("Signed")
    assert editor.signature_banner.status.text().startswith("Signed by Test Therapist")
    qtbot.waitUntil(lambda: chart.notes_panel.table.item(0, 2).text() == "final")


def test_signing_cancelled_keeps_the_saved_draft(
    qtbot: QtBot, app: AppContext, chart: PatientChart
) -> None:
    editor = start_note(qtbot, chart)
    qtbot.keyClicks(editor.editors["themes"], "x")
    dialog = editor.sign()
    assert dialog is not None
    qtbot.keyClick(dialog.password, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    row = note_row(app, editor.note.id)
    assert (row.status, row.sections["themes"]) == ("draft", "x")  # saved, not final
    assert signatures(app) == []
    assert editor.sign_button.isEnabled()


def test_empty_note_cannot_be_signed(qtbot: QtBot, app: AppContext, chart: PatientChart) -> None:
    editor = start_note(qtbot, chart)
    dialog = editor.sign()
    assert dialog is not None
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "is empty; an empty note cannot be signed" in dialog.message.text()
    assert note_row(app, editor.note.id).status == "draft"
    assert signatures(app) == []


def test_record_phq9_from_the_note_links_it_to_the_course(
    qtbot: QtBot, app: AppContext, chart: PatientChart, history: CourseHistory, clock: FakeClock
) -> None:
    clock.advance(timedelta(days=1))
    editor = start_note(qtbot, chart)
    qtbot.mouseClick(editor.phq_button, Qt.MouseButton.LeftButton)
    dialog = editor.phq_dialog
    assert isinstance(dialog, InstrumentDialog)
    assert dialog.course.currentData() == history.course.id
    dialog.form.set_answers([1, 1, 0, 0, 0, 0, 0, 0, 0])
    dialog.submit()
    assert not dialog.isVisible()
    assert editor.phq_label.text() == "PHQ-9 recorded 09:00: 2 / 27 – minimal"
    with app.ctx.db.read() as s:
        row = s.scalars(select(InstrumentResult).order_by(InstrumentResult.id.desc())).first()
        assert row is not None
        assert (row.course_id, row.total, row.taken_at) == (history.course.id, 2, clock.now())
    qtbot.waitUntil(lambda: len(chart.outcome_chart.curve_data()[0]) == 5)


def test_other_therapists_draft_is_read_only(
    qtbot: QtBot, app: AppContext, chart: PatientChart, history: CourseHistory
) -> None:
    app.actor = actor_for(app, Role.NURSE)  # not the author, and no integration-note rights
    editor = chart.notes_panel.open_note(history.draft_note_id)
    assert editor.body.isReadOnly()
    assert editor.saved_label.text() == "Draft · read-only for you"
    assert not editor.sign_button.isEnabled()
    before = note_updates(app, history.draft_note_id)
    editor.body.setPlainText("typed anyway")
    editor.close()
    assert note_updates(app, history.draft_note_id) == before
    app.actor = actor_for(app, Role.CLINICIAN)  # a clinician may edit anyone's draft
    editor = chart.notes_panel.open_note(history.draft_note_id)
    assert not editor.body.isReadOnly()


def test_final_note_opens_read_only(
    qtbot: QtBot, chart: PatientChart, history: CourseHistory
) -> None:
    table = chart.notes_panel.table
    table.setFocus()
    table.selectRow(1)  # newest first: the final note is the second row
    qtbot.keyClick(table, Qt.Key.Key_Return)
    editor = chart.notes_panel.editors[history.final_note_id]
    assert editor.isVisible()
    assert editor.editors["themes"].toPlainText() == "Felt held; image of a lake."
    assert editor.editors["themes"].isReadOnly()
    assert editor.heading.text().endswith("(final)")
