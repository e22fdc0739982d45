"""A course's integration notes in the patient chart: ``IntegrationNotesPanel`` lists them
with their status and starts new ones (``course_dialog.NewIntegrationDialog``); each opens
in its own ``integration_note.IntegrationNoteEditor`` window (``show_note_editor``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kapdesk.domain.notes import NoteStatus
from kapdesk.domain.permissions import Action, can
from kapdesk.ui.course_dialog import NewIntegrationDialog
from kapdesk.ui.integration_note import IntegrationNoteEditor
from kapdesk.ui.widgets import fill_table, plain_table
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.locale_words import day_clock_text, translated
from kapdesk.ui.widgets.open_rows import open_rows_by_id

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseInfo
    from kapdesk.services.screen_dtos import NoteInfo
    from kapdesk.ui.app_context import AppContext


HEADERS = (
    str(QT_TRANSLATE_NOOP("IntegrationNotesPanel", "Held")),
    str(QT_TRANSLATE_NOOP("IntegrationNotesPanel", "Follows dosing session")),
    str(QT_TRANSLATE_NOOP("IntegrationNotesPanel", "Status")),
    str(QT_TRANSLATE_NOOP("IntegrationNotesPanel", "Author")),
    str(QT_TRANSLATE_NOOP("IntegrationNotesPanel", "Last change")),
)
STATUS_TEXTS: dict[str, str] = {  # a note's status as the table shows it, by its value
    NoteStatus.DRAFT.value: str(QT_TRANSLATE_NOOP("IntegrationNotesPanel", "draft")),
    NoteStatus.FINAL.value: str(QT_TRANSLATE_NOOP("IntegrationNotesPanel", "final")),
}


class IntegrationNotesPanel(QWidget):
    """A course's integration notes with their status; new ones start from here."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.course: CourseInfo | None = None
        self.notes: list[NoteInfo] = []
        self.editors: dict[int, IntegrationNoteEditor] = {}
        self.dialog: NewIntegrationDialog | None = None
        self.new_button = QPushButton(self.tr("Ne&w integration session…"))
        self.new_button.clicked.connect(self.new_note)
        self.table = plain_table(
            translated("IntegrationNotesPanel", HEADERS), self.tr("Integration notes")
        )
        fit_columns(self.table, {0: 1, 1: 2, 3: 2, 4: 1})  # these wrap: no sideways scrolling
        open_rows_by_id(self.table, self.open_note)
        hint = QLabel(self.tr("Double-click or press Enter to open a note."))
        hint.setObjectName("pageSubtitle")
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(hint)
        app.signals.actor_changed.connect(self.update_permissions)
        self.update_permissions()

    def set_course(
        self,
        course: CourseInfo | None,
        notes: Sequence[NoteInfo] = (),
        started: Mapping[int, datetime] | None = None,
    ) -> None:
        """Show the course's integration notes: ``notes``, the course's notes (every kind),
        and ``started``, when each of its sessions began, as the chart read them
        (services/chart_reads.py: in its one transaction)."""
        self.course = course
        self.notes = []
        rows: list[tuple[int, tuple[str, ...]]] = []
        started = started or {}
        if course is not None:
            self.notes = [n for n in notes if n.kind == "integration"]
            for n in reversed(self.notes):  # newest first
                at = started.get(n.dosing_session_id) if n.dosing_session_id else None
                follows = day_clock_text(at) if at else "–"
                when = (day_clock_text(n.held_at), follows, self._status(n.status), n.author)
                rows.append((n.id, (*when, day_clock_text(n.updated_at))))
        drafts = {n.id for n in self.notes if n.status == NoteStatus.DRAFT}
        fill_table(self.table, rows, bold_rows=drafts)
        self.update_permissions()

    def _status(self, status: str) -> str:
        known = STATUS_TEXTS.get(status)
        return status if known is None else self.tr(known)

    def update_permissions(self) -> None:
        actor = self.app.actor
        permitted = actor is not None and can(actor.role, Action.WRITE_INTEGRATION_NOTE)
        self.new_button.setEnabled(permitted and self.course is not None)
        if not permitted:
            why_not = self.tr("Your role may not {action}.")
            self.new_button.setToolTip(why_not.format(action=Action.WRITE_INTEGRATION_NOTE.label))
        else:
            first = self.tr("Start a treatment course first.")
            self.new_button.setToolTip("" if self.course else first)

    def new_note(self) -> None:
        if self.course is None or not self.new_button.isEnabled():
            return
        dialog = NewIntegrationDialog(self.app, self.course, self)
        dialog.accepted.connect(lambda: dialog.created and self.open_note(dialog.created.id))
        self.dialog = dialog
        dialog.open()

    def open_note(self, note_id: int) -> IntegrationNoteEditor:
        return show_note_editor(self.app, self.editors, note_id, self)


def show_note_editor(
    app: AppContext, editors: dict[int, IntegrationNoteEditor], note_id: int, parent: QWidget
) -> IntegrationNoteEditor:
    """The note's editor window, brought to the front: the one in ``editors`` while it is
    open, else a new one (kept in ``editors``)."""
    editor = editors.get(note_id)
    if editor is None or not editor.isVisible():
        editor = IntegrationNoteEditor(app, note_id, parent)
        editor.setWindowFlag(Qt.WindowType.Window, True)
        editors[note_id] = editor
    editor.show()
    editor.raise_()
    editor.activateWindow()
    return editor
