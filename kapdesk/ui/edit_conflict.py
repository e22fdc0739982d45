"""Two workstations edited one record: the calm question after a save found a newer version.

A save refused with :class:`~kapdesk.domain.errors.EditConflict` wrote nothing. The dialog
says "Mara Quinn changed this note at 10:42 while you were editing." and shows their text
(read-only) beside the user's own (kept; both selectable), or for patient details a table
of the fields that differ. Three answers:

* **Save mine over theirs**: the save is made again against their version; their text
  stays in the audit trail (the update's ``before``).
* **Take theirs**: the editor shows their text; the user's text is copied to the clipboard
  and the editor says so.
* **Keep editing** (the default, and Esc): the user's text stays in the editor and their
  version becomes the base. What then replaces theirs differs per editor, and the button's
  tooltip and the editor's line say which (:class:`KeepWords`): the session note pauses its
  autosave and only Ctrl+S does (:data:`KEEP_SESSION_NOTE`); the integration note too, and
  its Close, Esc and Sign ask again (:data:`KEEP_INTEGRATION_NOTE`); the patient dialog's
  Save changes does (:data:`KEEP_PATIENT`).

``ConflictQuestion.ask`` is the hook tests replace. Pure presentation: the editors
(``ui.session.note``, ``ui.integration_note``, ``ui.patient_dialog``) act on the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import EditConflict
from kapdesk.domain.notes import INTEGRATION_SECTIONS
from kapdesk.i18n import _
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP

translate = QCoreApplication.translate
# The words below are Qt's to translate where they are shown: translate("EditConflictDialog", X).
FREE_TEXT_LABEL: Final = QT_TRANSLATE_NOOP("EditConflictDialog", "Free text")


class Choice(StrEnum):
    MINE = "mine"  # save mine over theirs
    THEIRS = "theirs"  # take theirs (mine to the clipboard)
    KEEP = "keep"  # keep editing mine; what then replaces theirs: the editor's KeepWords


@dataclass(frozen=True)
class KeepWords:
    """How an editor's text replaces theirs after "Keep editing": ``tip`` for the button,
    ``yours`` and ``then`` for the editor's line (:func:`kept_message`)."""

    tip: str
    yours: str
    then: str


KEEP_SESSION_NOTE: Final = KeepWords(
    tip=QT_TRANSLATE_NOOP(
        "EditConflictDialog",
        "Your text stays and autosave pauses; only Ctrl+S then saves it over theirs.",
    ),
    yours=QT_TRANSLATE_NOOP("EditConflictDialog", "Your text is kept here and autosave is paused"),
    then=QT_TRANSLATE_NOOP("EditConflictDialog", "press Ctrl+S to save it over theirs"),
)
KEEP_INTEGRATION_NOTE: Final = KeepWords(
    tip=QT_TRANSLATE_NOOP(
        "EditConflictDialog",
        "Your text stays and autosave pauses; only Ctrl+S then saves it over theirs. "
        "Closing, Esc or signing asks again first.",
    ),
    yours=QT_TRANSLATE_NOOP("EditConflictDialog", "Your text is kept here and autosave is paused"),
    then=QT_TRANSLATE_NOOP(
        "EditConflictDialog",
        "press Ctrl+S to save it over theirs; closing or signing asks again first",
    ),
)
PAUSED_INTEGRATION_NOTE: Final = QT_TRANSLATE_NOOP(  # the integration note's paused autosave
    "EditConflictDialog",
    "Autosave is paused: saving will replace {who}'s text (theirs stays in the audit trail). "
    "Press Ctrl+S to save yours; closing or signing asks again first.",
)
KEEP_PATIENT: Final = KeepWords(
    tip=QT_TRANSLATE_NOOP(
        "EditConflictDialog", "Your changes stay in the form; Save changes then replaces theirs."
    ),
    yours=QT_TRANSLATE_NOOP("EditConflictDialog", "Your changes stay in the form"),
    then=QT_TRANSLATE_NOOP("EditConflictDialog", "Save changes replaces theirs"),
)


@dataclass(frozen=True)
class ConflictView:
    """What the dialog shows: ``what`` the record ("this note"), their text and the user's;
    ``rows`` (label, theirs, yours) for records of fields, shown as a table instead;
    ``keep`` how this editor's text then replaces theirs."""

    what: str
    theirs: str = ""
    mine: str = ""
    rows: Sequence[tuple[str, str, str]] = ()
    keep: KeepWords = KEEP_SESSION_NOTE


def heading(conflict: EditConflict, what: str) -> str:
    text = translate("EditConflictDialog", "{who} changed {what} at {when} while you were editing.")
    return text.format(who=conflict.changed_by, what=what, when=conflict.changed_at_text)


def integration_text(sections: dict[str, str], body: str) -> str:
    """An integration note as one text: each section's label over its text, then the free text."""
    parts = [f"{_(s.label)}:\n{sections.get(s.key, '')}" for s in INTEGRATION_SECTIONS]
    parts.append(f"{translate('EditConflictDialog', FREE_TEXT_LABEL)}:\n{body}")
    return "\n\n".join(parts)


def copy_to_clipboard(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)


def kept_message(conflict: EditConflict, what: str, words: KeepWords) -> str:
    """The editor's line after "Keep editing"."""
    text = translate(
        "EditConflictDialog",
        "{who} changed {what} at {when}. {yours}; {then} (theirs stays in the audit trail).",
    )
    return text.format(
        who=conflict.changed_by,
        what=what,
        when=conflict.changed_at_text,
        yours=translate("EditConflictDialog", words.yours),
        then=translate("EditConflictDialog", words.then),
    )


def _pane(title: str, text: str, name: str) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    label = QLabel(title)
    label.setObjectName("pageSubtitle")
    edit = QPlainTextEdit(text)
    edit.setReadOnly(True)  # still selectable and copyable
    edit.setTabChangesFocus(True)
    edit.setAccessibleName(name)
    edit.setObjectName(name)
    edit.setMinimumSize(300, 220)
    label.setBuddy(edit)
    lay.addWidget(label)
    lay.addWidget(edit, 1)
    return box


def _table(rows: Sequence[tuple[str, str, str]], who: str) -> QTableWidget:
    table = QTableWidget(len(rows), 3)
    table.setObjectName("conflictFields")
    table.setAccessibleName(translate("EditConflictDialog", "Fields that differ"))
    table.setHorizontalHeaderLabels(
        (
            translate("EditConflictDialog", "Field"),
            translate("EditConflictDialog", "{who}'s (saved)").format(who=who),
            translate("EditConflictDialog", "Yours"),
        )
    )
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    table.setTabKeyNavigation(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    for c in (1, 2):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    table.setMinimumSize(560, 60 + 34 * max(len(rows), 1))
    return table


class EditConflictDialog(QDialog):
    """The question; ``choice`` is the answer (Keep editing until a button is pressed)."""

    def __init__(
        self, conflict: EditConflict, view: ConflictView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.choice = Choice.KEEP
        self.setWindowTitle(translate("EditConflictDialog", "Changed on another workstation"))
        self.setModal(True)
        root = QVBoxLayout(self)
        self.heading = QLabel(heading(conflict, view.what))
        self.heading.setObjectName("conflictHeading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.heading.setFont(font)
        root.addWidget(self.heading)
        note = QLabel(
            translate(
                "EditConflictDialog",
                "Nothing was saved yet, and nothing is lost: choose what to keep.",
            )
        )
        note.setWordWrap(True)
        root.addWidget(note)
        if view.rows:
            self.table: QTableWidget | None = _table(view.rows, conflict.changed_by)
            root.addWidget(self.table, 1)
        else:
            self.table = None
            panes = QHBoxLayout()
            when = conflict.changed_at_text
            theirs = translate("EditConflictDialog", "{who}'s text ({when})")
            theirs = theirs.format(who=conflict.changed_by, when=when)
            panes.addWidget(_pane(theirs, view.theirs, "theirs"))
            mine = translate("EditConflictDialog", "Your text (kept)")
            panes.addWidget(_pane(mine, view.mine, "mine"))
            root.addLayout(panes, 1)
        buttons = QHBoxLayout()
        self.mine_button = QPushButton(translate("EditConflictDialog", "&Save mine over theirs"))
        self.mine_button.setToolTip(
            translate("EditConflictDialog", "Theirs stays in the audit trail.")
        )
        self.theirs_button = QPushButton(translate("EditConflictDialog", "&Take theirs"))
        self.theirs_button.setToolTip(
            translate("EditConflictDialog", "Yours is copied to the clipboard.")
        )
        self.keep_button = QPushButton(translate("EditConflictDialog", "&Keep editing"))
        self.keep_button.setObjectName("keep")
        self.keep_button.setToolTip(translate("EditConflictDialog", view.keep.tip))
        self.keep_button.setDefault(True)
        for button, choice in (
            (self.mine_button, Choice.MINE),
            (self.theirs_button, Choice.THEIRS),
            (self.keep_button, Choice.KEEP),
        ):
            button.clicked.connect(lambda _=False, c=choice: self.choose(c))
        buttons.addStretch(1)
        buttons.addWidget(self.mine_button)
        buttons.addWidget(self.theirs_button)
        buttons.addWidget(self.keep_button)
        root.addLayout(buttons)
        self.keep_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:  # Esc, the close button: keep editing
        self.choice = Choice.KEEP
        super().reject()


class ConflictQuestion:
    """Ask what to keep (tests replace ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget | None, conflict: EditConflict, view: ConflictView) -> Choice:
        dialog = EditConflictDialog(conflict, view, parent)
        dialog.exec()
        return dialog.choice
