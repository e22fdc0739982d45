"""No silent failures in the desktop app: every unexpected error is logged and said plainly.

:class:`ErrorReporter` installs itself as ``sys.excepthook`` (PySide6 hands an exception
escaping a slot or an event handler to it), ``threading.excepthook`` and Qt's message
handler. An unexpected error is written to the log file (kapdesk.logs: no patient data)
and shown once as a plain dialog, never a traceback:

* a KapdeskError that no view caught (e.g. a full disk): its own sentence, plus where
  the log is;
* anything else: "Something went wrong; nothing after HH:MM was saved; details in the
  log: PATH", where HH:MM is the last committed write (everything confirmed until
  then is in the database), or the time the app started when nothing was written yet.

While that dialog is open, further errors are logged only (a failing timer would
otherwise stack dialogs). Errors from other threads reach the dialog through a queued
signal, on the GUI thread.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from kapdesk.domain import timetext
from kapdesk.domain.errors import KapdeskError
from kapdesk.logs import log_unexpected, start_logging
from kapdesk.ui.errors import ErrorBox

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext

_log = logging.getLogger("kapdesk.qt")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
TITLE = "kapdesk"


def hhmm(moment: datetime) -> str:
    return timetext.clock(moment)


class ErrorReporter(QObject):
    """Log and show unexpected errors (see the module docstring)."""

    _from_thread = Signal(object)  # an exception raised on another thread

    def __init__(
        self,
        log_file: Path | None = None,
        app: AppContext | None = None,
        *,
        started_at: datetime | None = None,
    ) -> None:
        """``log_file``: where the log already goes; None: start it (kapdesk.logs) at the
        first error, or when the app calls :meth:`start_log` after the first paint."""
        super().__init__()
        self._log_file = log_file
        self.app = app
        self.started_at = started_at or (app.now() if app else datetime.now().astimezone())
        self.shown: list[str] = []  # the texts shown, for tests and diagnostics
        self._showing = False
        self._previous: tuple[Any, Any] | None = None
        self._from_thread.connect(self._show)  # queued: the reporter lives in the GUI thread

    @property
    def log_file(self) -> Path:
        return self.start_log()

    def start_log(self) -> Path:
        if self._log_file is None:
            self._log_file = start_logging()
        return self._log_file

    # ------------------------------------------------------------ installing
    def install(self) -> ErrorReporter:
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self.excepthook
            threading.excepthook = self.thread_excepthook
            qInstallMessageHandler(self.qt_message)
        return self

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            qInstallMessageHandler(None)
            self._previous = None

    # ------------------------------------------------------------ hooks
    def excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        self.start_log()
        log_unexpected(exc, "the desktop app", tb)
        self._show(exc)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.start_log()
        log_unexpected(args.exc_value, f"thread {name}", args.exc_traceback)
        self._from_thread.emit(args.exc_value)

    def qt_message(self, mode: QtMsgType, context: object, message: str) -> None:
        _log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)

    # ------------------------------------------------------------ the dialog
    def saved_until(self) -> datetime:
        """The last committed write of this run, else when the app started."""
        last = self.app.ctx.db.last_commit_at if self.app is not None else None
        return last or self.started_at

    def text_for(self, exc: BaseException) -> str:
        log = self.log_file
        if isinstance(exc, KapdeskError):
            return self.tr("{error}\n\n(The details in the log: {log}.)").format(error=exc, log=log)
        text = self.tr(
            "Something went wrong; nothing after {time} was saved; details in the log: {log}."
            "\n\nEverything confirmed until then is kept. If it happens again, restart kapdesk "
            "and tell whoever looks after it."
        )
        return text.format(time=hhmm(self.saved_until()), log=log)

    def _show(self, exc: BaseException) -> None:
        if self._showing:
            return  # logged already; one dialog at a time
        text = self.text_for(exc)
        self.shown.append(text)
        self._showing = True
        try:
            ErrorBox.show(QApplication.activeWindow(), TITLE, text)
        finally:
            self._showing = False

    def report(self, exc: BaseException, where: str = "") -> None:
        """Log and show an error caught by the caller (e.g. at start-up)."""
        self.start_log()
        log_unexpected(exc, where)
        self._show(exc)
