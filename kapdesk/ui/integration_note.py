"""Integration sessions: the autosaving editor of an integration note.

(A course's list of them is ``integration_notes_panel.IntegrationNotesPanel``.)
``IntegrationNoteEditor`` edits the template sections plus free text. Drafts save
themselves: 1 s after the last keystroke, when an editor loses focus, and when the window closes (or
the app quits); the "Saved 10:42" label says when. Closing when the draft cannot be saved
(the note was signed meanwhile, the database is busy) asks before discarding it.
"Sign note…" saves and signs the note with the password typed again
(``kapdesk.ui.signing.SignDialog``); the note is then final and read-only, and
the signature banner over it shows who signed, when and with which meaning,
with the addenda written since. "Record PHQ-9…" opens the instrument form
linked to the note's course.

Two workstations editing one note: the editor saves against the version its text was read
at; a save over a change made since writes nothing and asks what to keep
(``ui.edit_conflict``: save mine over theirs, take theirs with mine on the clipboard, or
keep editing); the close, sign or Esc that made the save stops there, so the answer is
seen in the editor. After "Keep editing" autosave pauses: only Ctrl+S replaces theirs, and
Close, Esc and Sign ask again.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.authorship import is_author_or_clinician
from kapdesk.domain.errors import NO_RECORD, EditConflict, KapdeskError, ValidationError
from kapdesk.domain.notes import NoteStatus
from kapdesk.domain.permissions import Action, Role, can
from kapdesk.domain.signing import Meaning, SignedEntity
from kapdesk.i18n import _
from kapdesk.services.notes import NoteService
from kapdesk.services.sessions import SessionService
from kapdesk.ui.course_dialog import session_choice_text
from kapdesk.ui.discard_guard import DiscardQuestion, may_close
from kapdesk.ui.edit_conflict import (
    KEEP_INTEGRATION_NOTE,
    PAUSED_INTEGRATION_NOTE,
    Choice,
    ConflictQuestion,
    ConflictView,
    copy_to_clipboard,
    integration_text,
    kept_message,
)
from kapdesk.ui.errors import message_of
from kapdesk.ui.integration_phq import phq9_dialog, phq9_line
from kapdesk.ui.signing import SignatureBanner, SignDialog
from kapdesk.ui.widgets import Field, FieldSet, error_label, local_time, set_error
from kapdesk.ui.widgets.locale_words import day_clock_text

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import NoteInfo
    from kapdesk.ui.app_context import AppContext

AUTOSAVE_MS = 1000
BODY_FIELD = "Note text"  # the field name a ValidationError gives (not shown)
CLIPBOARD_SAID = str(
    QT_TRANSLATE_NOOP(
        "IntegrationNoteEditor", "Your text was copied to the clipboard; the note shows theirs now."
    )
)
THIS_NOTE = str(QT_TRANSLATE_NOOP("IntegrationNoteEditor", "this note"))


class IntegrationNoteEditor(QDialog):
    """The template sections plus free text of one integration note; drafts autosave."""

    def __init__(self, app: AppContext, note_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.note: NoteInfo = NoteService(app.ctx).get(note_id)
        self.base_version = self.note.version or NO_RECORD  # what the texts were read at
        self._hold = False  # a conflict was answered: the close/sign that saved stops there
        self._asking = False
        self._kept: EditConflict | None = None  # "Keep editing" chosen: autosave is paused
        self.dirty = False
        self.saved_at: datetime | None = None
        self.setWindowTitle(self.tr("Integration note"))
        self.setMinimumSize(720, 640)

        root = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.subheading = QLabel()
        self.subheading.setObjectName("pageSubtitle")
        self.subheading.setWordWrap(True)
        root.addWidget(self.heading)
        root.addWidget(self.subheading)
        self.signature_banner = SignatureBanner(
            app,
            SignedEntity.NOTE,
            note_id,
            what=self._sign_what,
            signable=lambda: False,  # signed from the button below, not from the banner
            final=lambda: self.note.status == NoteStatus.FINAL,
            sign_text=None,
        )
        self.signature_banner.changed.connect(self._update_state)
        root.addWidget(self.signature_banner)
        self.sign_dialog: SignDialog | None = None

        self.editors: dict[str, QPlainTextEdit] = {}
        fields: list[Field] = []
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for section in NoteService.template():
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(_(section.prompt))  # the domain's text, its catalogue
            edit.setToolTip(_(section.prompt))
            edit.setMinimumHeight(70)
            self.editors[section.key] = edit
            fields.append(Field(_mnemonic(_(section.label)), edit, name=section.label))
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)
        self.body.setPlaceholderText(self.tr("Anything else from the session."))
        self.body.setMinimumHeight(70)
        fields.append(Field(self.tr("Free te&xt"), self.body, name=BODY_FIELD))
        self.fields = FieldSet(fields)
        for f in fields:
            f.add_to(form)
        root.addLayout(form, 1)

        self.phq_label = QLabel()
        self.phq_label.setObjectName("pageSubtitle")
        self.phq_label.setWordWrap(True)
        root.addWidget(self.phq_label)
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Note message"))
        root.addWidget(self.message)
        self.notice = QLabel()  # calm: what a conflict's answer did
        self.notice.setObjectName("statusLine")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Note notice"))
        self.notice.hide()
        root.addWidget(self.notice)

        bottom = QHBoxLayout()
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setAccessibleName(self.tr("Save status"))
        self.phq_button = QPushButton(self.tr("Record P&HQ-9…"))
        self.sign_button = QPushButton(self.tr("Si&gn note…"))
        self.close_button = QPushButton(self.tr("&Close"))
        self.close_button.setDefault(True)
        bottom.addWidget(self.saved_label, 1)
        bottom.addWidget(self.phq_button)
        bottom.addWidget(self.sign_button)
        bottom.addWidget(self.close_button)
        root.addLayout(bottom)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.save)
        self._load_texts()
        for edit in (*self.editors.values(), self.body):
            edit.textChanged.connect(self._edited)
            edit.installEventFilter(self)
        self.phq_button.clicked.connect(self.record_phq9)
        self.sign_button.clicked.connect(self.sign)
        self.close_button.clicked.connect(self.close)
        app.signals.actor_changed.connect(self._update_state)
        quitting = QCoreApplication.instance()
        if quitting is not None:
            quitting.aboutToQuit.connect(self.save)
        self._update_state()
        next(iter(self.editors.values())).setFocus()

    # ------------------------------------------------------------ content
    def _load_texts(self) -> None:
        for key, edit in self.editors.items():
            edit.setPlainText(self.note.sections.get(key, ""))
        self.body.setPlainText(self.note.body)
        self.dirty = False

    def sections(self) -> dict[str, str]:
        return {key: edit.toPlainText() for key, edit in self.editors.items()}

    def _edited(self) -> None:
        if not self.editable():
            return
        self.dirty = True
        self.saved_label.setText(self.tr("Editing…"))
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        save_key = isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Save)
        if event.type() == QEvent.Type.KeyPress and save_key:
            self.save_mine()
            return True
        if event.type() == QEvent.Type.FocusOut and self.dirty:
            self.save()
        return super().eventFilter(watched, event)

    def save_mine(self) -> bool:
        """Ctrl+S, deliberate: after "Keep editing" it replaces theirs (kept in the trail)."""
        self._kept = None
        return self.save()

    def _save_asking(self) -> bool:
        """The save of Close, Esc and Sign: while autosave is paused it asks again."""
        if self._kept is not None and self.dirty and self.editable():
            return self._resolve(self._kept)
        return self.save()

    # ------------------------------------------------------------ saving
    def save(self) -> bool:
        """Write the draft if anything changed; True when nothing is left unsaved."""
        self.timer.stop()
        if self._asking:
            return not self.dirty
        self._hold = False  # set again below only by this save's conflict
        if not self.dirty or not self.editable():
            return not self.dirty
        if self._kept is not None:  # "Keep editing": only Ctrl+S replaces theirs
            set_error(self.notice, PAUSED_INTEGRATION_NOTE.format(who=self._kept.changed_by))
            self.saved_label.setText(self.tr("Not saved · autosave paused"))
            return False
        self.fields.clear_errors()
        set_error(self.message, "")
        try:
            self.note = NoteService(self.app.ctx).update_integration_note(
                self.app.require_actor(), self.note.id, sections=self.sections(),
                body=self.body.toPlainText(), version=self.base_version,
            )  # fmt: skip
        except EditConflict as conflict:
            return self._resolve(conflict)
        except ValidationError as exc:
            if not self.fields.show_error(exc.field, exc.message):
                set_error(self.message, exc.message)
            self.saved_label.setText(self.tr("Not saved"))
            return False
        except KapdeskError as exc:  # RecordLocked, PermissionDenied, DatabaseBusy
            set_error(self.message, self.tr("Not saved: {error}").format(error=exc))
            self.saved_label.setText(self.tr("Not saved"))
            return False
        self.dirty, self._kept = False, None
        self.base_version = self.note.version or NO_RECORD
        set_error(self.notice, "")
        self.saved_at = self.app.now()
        self.saved_label.setText(self._saved_text(self.saved_at))
        return True

    def _resolve(self, conflict: EditConflict) -> bool:
        """Another workstation saved the note since its texts were read; nothing was saved.
        Ask what to keep; True when nothing is left unsaved afterwards."""
        theirs: NoteInfo = conflict.current
        mine = integration_text(self.sections(), self.body.toPlainText())
        self.saved_label.setText(self.tr("Not saved"))
        if not self.isVisible():  # quitting: keep the text, ask at the next save
            set_error(
                self.message,
                self.tr("{conflict} Your text is kept here.").format(conflict=conflict),
            )
            return False
        self._asking = True
        try:
            text = integration_text(theirs.sections, theirs.body)
            view = ConflictView(self.tr(THIS_NOTE), text, mine, keep=KEEP_INTEGRATION_NOTE)
            choice = ConflictQuestion.ask(self, conflict, view)
        finally:
            self._asking = False
        self.base_version, self._kept = conflict.version, None
        if choice is Choice.MINE:
            return self.save()  # against their version; asks again if a third save came first
        self._hold = True
        if choice is Choice.THEIRS:
            copy_to_clipboard(mine)
            self.note = theirs
            self._load_texts()
            self.timer.stop()
            self.saved_label.setText(self._saved_text(theirs.updated_at))
            set_error(self.notice, self.tr(CLIPBOARD_SAID))
            return True
        self._kept = conflict  # autosave pauses: it must not replace theirs unasked
        set_error(self.notice, kept_message(conflict, self.tr(THIS_NOTE), KEEP_INTEGRATION_NOTE))
        return False

    def _held(self) -> bool:
        """True (once) when a conflict was just answered with theirs or keep editing."""
        held, self._hold = self._hold, False
        return held

    def may_quit(self) -> bool:
        """kapdesk is quitting: the draft is saved now, asking again while autosave is
        paused. True when nothing typed is lost (or the person chose to discard it); False
        keeps kapdesk open with this editor in front: a conflict answered with theirs or
        keep editing is shown here first, and a draft that cannot be saved (signed
        meanwhile, the database busy) is discarded only when the person says so."""
        saved = self._save_asking()
        held = self._held()
        if saved and not held:
            return True
        self.raise_()
        self.activateWindow()
        return not held and DiscardQuestion.ask(self, self.tr("integration note"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_asking()
        if self._held() and self.isVisible():
            event.ignore()  # the answer to a conflict is shown in the editor first
            return
        super().closeEvent(event)

    def reject(self) -> None:
        """Esc closes, keeping what was typed (saved now); when it cannot be saved, asks."""
        saved = self._save_asking()
        if self._held():
            return
        if saved or may_close(self, self.tr("note"), self.dirty):
            super().reject()

    def sign(self) -> SignDialog | None:
        """Save, then sign with the password typed again; the note is final afterwards."""
        if not self._save_asking() or self._held():
            return None
        actor = self.app.require_actor()
        own = actor.user_id == self.note.author_id
        if self.sign_dialog is not None and not self.sign_dialog.isVisible():
            self.sign_dialog.deleteLater()
        dialog = SignDialog(
            self.app,
            SignedEntity.NOTE,
            self.note.id,
            self._sign_what(),
            self,
            meaning=Meaning.AUTHORED if own else Meaning.REVIEWED,
        )
        dialog.accepted.connect(self._signed)
        self.sign_dialog = dialog
        dialog.open()
        return dialog

    def _signed(self) -> None:
        try:
            self.note = NoteService(self.app.ctx).get(self.note.id)
            self.base_version = self.note.version or NO_RECORD
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
        self._update_state()

    def _sign_what(self) -> str:
        return self.tr("the integration note of {held} (author: {author})").format(
            held=day_clock_text(self.note.held_at), author=self._author()
        )

    def _author(self) -> str:
        return self.note.author or self.tr("unknown")

    def _saved_text(self, moment: datetime) -> str:
        return self.tr("Draft · saved {time}").format(time=local_time(moment))

    def record_phq9(self) -> None:
        self.save()
        dialog = phq9_dialog(self.app, self.note.course_id, self)
        dialog.accepted.connect(lambda: self.phq_label.setText(phq9_line(dialog)))
        self.phq_dialog = dialog
        dialog.open()

    # ------------------------------------------------------------ state
    def editable(self) -> bool:
        actor = self.app.actor
        if actor is None or self.note.status == NoteStatus.FINAL:
            return False
        if not can(actor.role, Action.WRITE_INTEGRATION_NOTE):
            return False
        return actor.user_id == self.note.author_id or actor.role is Role.CLINICIAN

    def _update_state(self) -> None:
        note, actor = self.note, self.app.actor
        final = note.status == NoteStatus.FINAL
        self.signature_banner.refresh()
        signed = self.signature_banner.is_signed()
        held = day_clock_text(note.held_at)
        if signed:
            self.heading.setText(self.tr("Integration session {held} (signed)").format(held=held))
        elif final:
            self.heading.setText(self.tr("Integration session {held} (final)").format(held=held))
        else:
            self.heading.setText(self.tr("Integration session {held}").format(held=held))
        self.subheading.setText(self._follows_text())
        editable = self.editable()
        for edit in (*self.editors.values(), self.body):
            edit.setReadOnly(not editable)
        author_id = -1 if note.author_id is None else note.author_id  # no author: clinicians
        may_sign = actor is not None and is_author_or_clinician(
            actor.role, actor.user_id, author_id, Action.SIGN_INTEGRATION_NOTE
        )
        self.sign_button.setEnabled(may_sign and not signed)
        tip = "" if may_sign else self.tr("Only its author or a clinician may sign this note.")
        self.sign_button.setToolTip(self.tr("Signed.") if signed else tip)
        self.phq_button.setEnabled(
            actor is not None and can(actor.role, Action.RECORD_INSTRUMENT) and not final
        )
        if signed:
            self.saved_label.setText(self.tr("Signed · read-only; corrections are addenda"))
        elif final:
            final_at = self.tr("Final · {time}").format(time=day_clock_text(note.updated_at))
            self.saved_label.setText(final_at)
        elif not editable:
            self.saved_label.setText(self.tr("Draft · read-only for you"))
        elif self.saved_at is None:
            last = self.tr("Draft · last saved {time}").format(time=local_time(note.updated_at))
            self.saved_label.setText(last)

    def _follows_text(self) -> str:
        """'Follows the dosing session of ... Author: ...'."""
        note = self.note
        author = self.tr("Author: {author}.").format(author=self._author())
        if note.dosing_session_id is None:
            return author
        try:
            s = SessionService(self.app.ctx).get(note.dosing_session_id)
            follows = self.tr("Follows the dosing session of {session}.").format(
                session=session_choice_text(s)
            )
        except KapdeskError:
            follows = self.tr("Follows dosing session #{id}.").format(id=note.dosing_session_id)
        return f"{follows} {author}"


def _mnemonic(label: str) -> str:
    """'Themes and insights' -> '&Themes and insights' (first letters T, W, P, R)."""
    return f"&{label}"
