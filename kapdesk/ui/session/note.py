"""The session note: free text, autosaved ~1 s after typing stops and on focus-out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action
from kapdesk.ui.session.common import Host, local_hhmm, message_label, set_message

if TYPE_CHECKING:
    from kapdesk.services.dtos import NoteInfo, SessionDetail

AUTOSAVE_MS: Final = 1000


class NotePanel(QWidget):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Session &note")
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Session note")
        self.editor.setPlaceholderText("Free text; saved as you type.")
        self.editor.setTabChangesFocus(True)
        label.setBuddy(self.editor)
        root.addWidget(label)
        root.addWidget(self.editor, 1)
        self.saved = QLabel("")
        self.saved.setObjectName("pageSubtitle")
        self.saved.setAccessibleName("Note saved")
        root.addWidget(self.saved)
        self.message = message_label("Note message")
        root.addWidget(self.message)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.save_now)
        self.editor.textChanged.connect(self._typed)
        self.editor.installEventFilter(self)
        self._stored = ""  # the body as last saved / loaded
        self._loading = False
        self.note: NoteInfo | None = None

    @property
    def pending(self) -> bool:
        return self.editor.toPlainText() != self._stored

    def _typed(self) -> None:
        if not self._loading:
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.save_now()
        return False

    def show_detail(self, detail: SessionDetail) -> None:
        note = next((n for n in detail.notes if n.kind == "session"), None)
        self.note = note
        final = note is not None and note.status == "final"
        self.editor.setReadOnly(final or not self.host.can(Action.WRITE_SESSION_NOTE))
        if not self.pending and not self.editor.hasFocus():
            body = note.body if note else ""
            if body != self.editor.toPlainText():
                self._loading = True
                self.editor.setPlainText(body)
                self._loading = False
            self._stored = body
        self._show_saved()

    def _show_saved(self) -> None:
        note = self.note
        if note is None:
            self.saved.setText("")
        elif note.status == "final":
            self.saved.setText(f"Final since {local_hhmm(note.updated_at)}")
        else:
            self.saved.setText(f"Saved {local_hhmm(note.updated_at)}")

    def save_now(self) -> None:
        """Store the text now if it differs from what is stored (idempotent)."""
        from kapdesk.services.notes import NoteService

        self.timer.stop()
        if not self.pending or self.editor.isReadOnly() or self.host.app.actor is None:
            return
        text = self.editor.toPlainText()
        try:
            note = NoteService(self.host.app.ctx).save_session_note(
                self.host.actor(), self.host.session_id, text
            )
        except KapdeskError as exc:
            set_message(self.message, str(exc))
            return
        set_message(self.message, "")
        self._stored = text
        if note is not None:
            self.note = note
            self._show_saved()
