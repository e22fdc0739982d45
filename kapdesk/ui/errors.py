"""Showing a KapdeskError to the user: its sentence, in a message box, never a traceback.

Logic paths call :func:`show_error`; tests replace ``ErrorBox.show`` with a
recorder (``monkeypatch.setattr(ErrorBox, "show", ...)``) instead of clicking
modal boxes.

:class:`SignInRevokedRelay` brings a refused write of a user whose account was
deactivated, locked or given another role (``SignInRevoked``, reported by the services
through ``ServiceContext.sign_in_revoked``, from any thread) to the GUI thread, after the
view that made the call has shown its own message; the main window then says so plainly
and returns to the sign-in (``MainWindow.sign_out``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.wording import shown_error
from kapdesk.ui.words import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from collections.abc import Callable

    from kapdesk.domain.errors import SignInRevoked
    from kapdesk.services.context import Actor, ServiceContext

NOT_SAVED = QT_TRANSLATE_NOOP("ErrorBox", "What you were entering just now was not saved.")


class ErrorBox:
    @classmethod
    def show(cls, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)


def message_of(exc: BaseException) -> str:
    """An error's sentence for the screen: kapdesk's own in the language spoken (the
    English one is what the audit log keeps), anything else as Python words it."""
    return shown_error(exc) if isinstance(exc, KapdeskError) else str(exc)


def error_text(error: BaseException | str) -> str:
    """The sentence to show: a KapdeskError's own message; a file problem in plain words;
    anything else (a bug) is logged (kapdesk.logs) and said without a traceback."""
    if isinstance(error, str):
        return error
    if isinstance(error, KapdeskError):
        return shown_error(error)
    translate = QCoreApplication.translate
    if isinstance(error, OSError) and error.strerror:
        if error.filename:
            text = translate("ErrorBox", "A file could not be read or written: {why} ({file}).")
            return text.format(why=error.strerror, file=error.filename)
        text = translate("ErrorBox", "A file could not be read or written: {why}.")
        return text.format(why=error.strerror)
    from kapdesk.logs import current_log_path, log_unexpected

    log_unexpected(error, "a view")
    log = current_log_path()
    if not log:
        return translate("ErrorBox", "Something went wrong and this step did not finish.")
    text = translate(
        "ErrorBox", "Something went wrong and this step did not finish; details in the log: {log}."
    )
    return text.format(log=log)


def show_error(
    parent: QWidget | None, error: BaseException | str, *, title: str = "kapdesk"
) -> None:
    ErrorBox.show(parent, title, error_text(error))


def revoked_text(message: str) -> str:
    """The plain message for a refused sign-in: why, and that the entry was not kept."""
    return f"{message}\n\n{QCoreApplication.translate('ErrorBox', NOT_SAVED)}"


class SignInRevokedRelay(QObject):
    """``revoked(user_id, message)`` in the GUI thread, queued after the refused call."""

    revoked = Signal(int, str)

    def __init__(self, ctx: ServiceContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        ctx.sign_in_revoked.append(self._told)

    def connect_to(self, slot: Callable[[int, str], None]) -> None:
        self.revoked.connect(slot, Qt.ConnectionType.QueuedConnection)

    def _told(self, actor: Actor, exc: SignInRevoked) -> None:  # any thread
        self.revoked.emit(actor.user_id, message_of(exc))

    def stop(self) -> None:
        if self._told in self._ctx.sign_in_revoked:
            self._ctx.sign_in_revoked.remove(self._told)


def close_windows_of(window: QWidget) -> None:
    """Close every visible window opened from ``window`` (dialogs rejected), not ``window``,
    without the discard question (ui.discard_guard lets a hidden form go)."""
    for w in QApplication.topLevelWidgets():
        if w is window or not w.isVisible():
            continue
        owner = w.parentWidget()
        while owner is not None and owner is not window:
            owner = owner.parentWidget()
        if owner is None:
            continue
        w.hide()  # closed by kapdesk, not by the person: a half-filled form does not ask
        if isinstance(w, QDialog):
            w.reject()
        else:
            w.close()
