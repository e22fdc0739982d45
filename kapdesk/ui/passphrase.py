"""The passphrase of an encrypted (SQLCipher) database, asked for before anything opens.

``PassphraseDialog`` has a masked field (two for a new database: passphrase and
repeat), Enter opens, Esc cancels. Each passphrase typed is handed to
``attempt`` (which opens the database); a ``WrongPassphrase`` from it is shown
in the dialog and the person may try again, up to ``tries`` times (3). Any
other storage error ends the dialog: it is in ``dialog.error`` for the caller
to show. :func:`ask_passphrase` wraps this for ``run_gui``.

A new database's passphrase must pass ``check_passphrase(new=True)`` (at least
10 characters) and be typed twice; nothing is created before that.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kapdesk.composition import WrongPassphrase, check_passphrase
from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.ui.widgets import error_label, ok_cancel, set_error
from kapdesk.ui.widgets.edits import clear_when_edited

T = TypeVar("T")
TRIES = 3


class PassphraseDialog(QDialog):
    def __init__(
        self,
        path: Path,
        attempt: Callable[[str], object],
        *,
        new: bool = False,
        tries: int = TRIES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.attempt = attempt
        self.new = new
        self.tries_left = tries
        self.result_value: object = None
        self.error: KapdeskError | None = None
        self.setWindowTitle(self.tr("Encrypted database – kapdesk"))
        self.setModal(True)
        self.setMinimumWidth(460)

        root = QVBoxLayout(self)
        if new:
            text = self.tr(
                "Choose a passphrase for the new encrypted database {name} (at least 10 "
                "characters). Keep it safe: without it nobody can open the database, and it "
                "cannot be recovered."
            )
        else:
            text = self.tr("{name} is encrypted. Enter its passphrase to open it.")
        intro = QLabel(text.format(name=self.path.name))
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        root.addWidget(intro)
        form = QFormLayout()
        self.passphrase = self._secret(form, self.tr("&Passphrase"))
        self.passphrase_error = error_label()
        self.passphrase_error.setAccessibleName(self.tr("Passphrase error"))
        form.addRow("", self.passphrase_error)
        clear_when_edited(self.passphrase, self.passphrase_error)
        self.repeat: QLineEdit | None = None
        self.repeat_error: QLabel | None = None
        if new:
            self.repeat = self._secret(form, self.tr("&Repeat passphrase"))
            self.repeat_error = error_label()
            self.repeat_error.setAccessibleName(self.tr("Repeat passphrase error"))
            form.addRow("", self.repeat_error)
            clear_when_edited(self.repeat, self.repeat_error)
        root.addLayout(form)
        root.addStretch(1)
        self.buttons, self.ok_button = ok_cancel(
            self.tr("&Create") if new else self.tr("&Open"), self.submit, self.reject
        )
        root.addWidget(self.buttons)
        self.passphrase.setFocus()

    @staticmethod
    def _secret(form: QFormLayout, text: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(text.replace("&", ""))
        label = QLabel(text)
        label.setBuddy(edit)
        form.addRow(label, edit)
        return edit

    def _field_error(self, edit: QLineEdit, label: QLabel, text: str) -> None:
        set_error(label, text)
        edit.clear()
        edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        set_error(self.passphrase_error, "")
        if self.repeat_error is not None:
            set_error(self.repeat_error, "")
        key = self.passphrase.text()
        try:
            check_passphrase(key, new=self.new)
        except ValidationError as exc:
            self._field_error(self.passphrase, self.passphrase_error, exc.message)
            return
        if self.repeat is not None and self.repeat_error is not None and self.repeat.text() != key:
            self._field_error(
                self.repeat, self.repeat_error, self.tr("The two passphrases differ.")
            )
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.result_value = self.attempt(key)
        except WrongPassphrase as exc:
            self.tries_left -= 1
            if self.tries_left <= 0:
                self.error = exc
                self.reject()
                return
            if self.tries_left == 1:
                text = self.tr("{error} (1 try left.)")
            else:
                text = self.tr("{error} ({n} tries left.)")
            text = text.format(error=exc, n=self.tries_left)
            self._field_error(self.passphrase, self.passphrase_error, text)
            return
        except KapdeskError as exc:  # not a question of the passphrase: retrying cannot help
            self.error = exc
            self.reject()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()


def ask_passphrase(
    path: Path,
    attempt: Callable[[str], T],
    *,
    new: bool = False,
    tries: int = TRIES,
) -> T | None:
    """``attempt(passphrase)``'s result, or None when cancelled; the last error is raised."""
    dialog = PassphraseDialog(path, attempt, new=new, tries=tries)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    error = dialog.error
    result = dialog.result_value
    dialog.deleteLater()
    if error is not None:
        raise error
    return cast("T", result) if accepted else None
