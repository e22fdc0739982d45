"""The session note: free text, autosaved ~1 s after typing stops and on focus-out.

The panel keeps the version its text was read at (``NoteInfo.version``; ``NO_RECORD``
while the session has no note) and saves against it. When another workstation saved the
note in between, the save writes nothing and the conflict dialog (``ui.edit_conflict``)
asks what to keep; while the user is typing, a change that arrives with the session's
live updates is said quietly under the editor before any save.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from kapdesk.domain.errors import NO_RECORD, EditConflict, KapdeskError
from kapdesk.domain.permissions import Action
from kapdesk.ui.edit_conflict import (
    KEEP_SESSION_NOTE,
    Choice,
    ConflictQuestion,
    ConflictView,
    copy_to_clipboard,
    kept_message,
)
from kapdesk.ui.errors import message_of
from kapdesk.ui.session.common import Host, local_hhmm, message_label, set_message, translate
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import NoteInfo, SessionDetail

AUTOSAVE_MS: Final = 1000
WHAT: Final = QT_TRANSLATE_NOOP("NotePanel", "this note")
CLIPBOARD_SAID: Final = QT_TRANSLATE_NOOP(
    "NotePanel", "Your text was copied to the clipboard; the note shows theirs now."
)


class NotePanel(QWidget):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        label = QLabel(translate("NotePanel", "Session &note"))
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(translate("NotePanel", "Session note"))
        self.editor.setPlaceholderText(translate("NotePanel", "Free text; saved as you type."))
        self.editor.setTabChangesFocus(True)
        label.setBuddy(self.editor)
        root.addWidget(label)
        root.addWidget(self.editor, 1)
        self.saved = QLabel("")
        self.saved.setObjectName("pageSubtitle")
        self.saved.setAccessibleName(translate("NotePanel", "Note saved"))
        root.addWidget(self.saved)
        self.message = message_label(translate("NotePanel", "Note message"))
        root.addWidget(self.message)
        # calm: what happened
        self.notice = message_label(translate("NotePanel", "Note notice"), kind="status")
        root.addWidget(self.notice)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.save_now)
        self.editor.textChanged.connect(self._typed)
        self.editor.installEventFilter(self)
        self._stored = ""  # the body as last saved / loaded
        self._loading = False
        self._asking = False  # the conflict dialog is open
        self._kept_over: str | None = None  # "Keep editing" chosen over this name's text
        self._hiding = False  # the session is being left: a conflict is not asked now
        self.note: NoteInfo | None = None
        self.base_version = NO_RECORD  # the version the editor's text was read at
        self._base_stamp: tuple[int, datetime] | None = None  # (note id, updated_at) of it

    @property
    def pending(self) -> bool:
        return self.editor.toPlainText() != self._stored

    def _typed(self) -> None:
        if not self._loading:
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.save_now()
        elif (
            watched is self.editor
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.matches(QKeySequence.StandardKey.Save)
        ):
            self.save_mine()
            return True
        return False

    def save_mine(self) -> None:
        """The deliberate save (Ctrl+S in the editor): after "Keep editing" it replaces
        theirs (theirs stays in the audit trail); otherwise the same as an autosave."""
        self._kept_over = None
        self.save_now()

    def show_detail(self, detail: SessionDetail) -> None:
        note = next((n for n in detail.notes if n.kind == "session"), None)
        self.note = note
        final = note is not None and note.status == "final"
        self.editor.setReadOnly(final or not self.host.can(Action.WRITE_SESSION_NOTE))
        if not self.pending and not self.editor.hasFocus():
            self._load(note)
        elif note is not None and _stamp(note) != self._base_stamp and not self._asking:
            text = translate(
                "NotePanel",
                "This note was changed on another workstation at {time} while you were "
                "typing; saving will ask which text to keep.",
            )
            set_message(self.notice, text.format(time=local_hhmm(note.updated_at)))
        self._show_saved()

    def _load(self, note: NoteInfo | None) -> None:
        """Show the stored text and keep the version it was read at (read again, text and
        version in one snapshot, when the note changed since the editor's text was read)."""
        if note is None:
            body, version, stamp = "", NO_RECORD, None
        elif _stamp(note) == self._base_stamp:
            return
        else:
            from kapdesk.services.notes import NoteService

            try:
                fresh = NoteService(self.host.app.ctx).get(note.id)
            except KapdeskError as exc:  # keep the old base: a save then asks
                set_message(self.message, message_of(exc))
                return
            self.note = fresh
            body, version, stamp = fresh.body, fresh.version or NO_RECORD, _stamp(fresh)
        if body != self.editor.toPlainText():
            self._loading = True
            self.editor.setPlainText(body)
            self._loading = False
        self._stored = body
        self.base_version, self._base_stamp = version, stamp
        self._kept_over = None
        set_message(self.notice, "")

    def _show_saved(self) -> None:
        note = self.note
        if note is None:
            self.saved.setText("")
        elif note.status == "final":
            text = translate("NotePanel", "Final since {time}")
            self.saved.setText(text.format(time=local_hhmm(note.updated_at)))
        else:
            text = translate("NotePanel", "Saved {time}")
            self.saved.setText(text.format(time=local_hhmm(note.updated_at)))

    def save_now(self) -> None:
        """Store the text now if it differs from what is stored (idempotent)."""
        from kapdesk.services.notes import NoteService

        self.timer.stop()
        if self._asking or not self.pending or self.editor.isReadOnly():
            return
        if self._kept_over is not None:  # "Keep editing": only Ctrl+S replaces theirs
            set_message(self.notice, _paused(self._kept_over))
            return
        if self.host.app.actor is None:
            return
        text = self.editor.toPlainText()
        try:
            note = NoteService(self.host.app.ctx).save_session_note(
                self.host.actor(), self.host.session_id, text, version=self.base_version
            )
        except EditConflict as conflict:
            self._resolve(conflict, text)
            return
        except KapdeskError as exc:
            set_message(self.message, message_of(exc))
            return
        set_message(self.message, "")
        set_message(self.notice, "")
        self._stored = text
        self._kept_over = None
        if note is not None:
            self.note = note
            self.base_version, self._base_stamp = note.version or NO_RECORD, _stamp(note)
            self._show_saved()

    def save_on_hide(self) -> None:
        """The save made as the session is left (another page, the lock screen, closing):
        a conflict is never asked then (a modal question would stand over the lock screen or
        block the closing window); the text stays here and the next save asks."""
        self._hiding = True
        try:
            self.save_now()
        finally:
            self._hiding = False

    def _resolve(self, conflict: EditConflict, mine: str) -> None:
        """Ask what to keep (nothing was saved); a hidden panel keeps the text and asks at
        its next save."""
        theirs: NoteInfo = conflict.current
        if self._hiding or not self.isVisible():
            text = translate("NotePanel", "{conflict} Your text is kept here.")
            set_message(self.notice, text.format(conflict=conflict))
            return
        self._asking = True
        what = translate("NotePanel", WHAT)
        try:
            view = ConflictView(what, theirs=theirs.body, mine=mine, keep=KEEP_SESSION_NOTE)
            choice = ConflictQuestion.ask(self, conflict, view)
        finally:
            self._asking = False
        self.base_version = conflict.version
        self._base_stamp = _stamp(theirs)
        if choice is Choice.MINE:
            self.save_now()  # against their version; asks again if a third save came first
        elif choice is Choice.THEIRS:
            copy_to_clipboard(mine)
            self.note = theirs
            self._loading = True
            self.editor.setPlainText(theirs.body)
            self._loading = False
            self._stored = theirs.body
            set_message(self.notice, translate("NotePanel", CLIPBOARD_SAID))
            self._show_saved()
        else:  # autosave pauses: an autosave must not replace theirs unasked
            self._kept_over = conflict.changed_by
            set_message(self.notice, kept_message(conflict, what, KEEP_SESSION_NOTE))
        self.editor.setFocus()


def _paused(who: str) -> str:
    return translate(
        "NotePanel",
        "Autosave is paused: saving will replace {who}'s text (theirs stays in the audit "
        "trail). Press Ctrl+S to save yours.",
    ).format(who=who)


def _stamp(note: NoteInfo) -> tuple[int, datetime]:
    return note.id, note.updated_at
