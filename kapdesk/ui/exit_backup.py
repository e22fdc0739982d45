"""The backup on a clean exit: made off the GUI thread while a small window says so.

``back_up_on_exit`` (``run_gui`` calls it after the main loop ended, before the
database is closed) makes the rolling ``exit`` backup in a worker thread
(``BackgroundRunner``) and shows :class:`ExitBackupWindow` meanwhile: what is being
saved and how much of it, with a progress bar; then "Backup saved HH:MM, <file>" for
a short pause (or until OK), or, on failure, the reason in plain words and OK (never a
traceback). The interface keeps responding throughout (a 2.7 GB clinic takes seconds).

The copy is SQLite's online backup in 16 MB steps, in a connection of its own opened by
the worker (``storage.sqlite_file.copy_with_backup_api``), written under a temporary
name and renamed when complete; the anchor of the audit chain is written after that,
from the finished copy, also in the worker (its own read-only engine). Closing the
window while the copy runs abandons the copy at the next step: the database itself is
complete and untouched, only this extra copy is left out (its partial file is removed;
one left by a machine shut down mid-copy is removed before the next backup).
"""

from __future__ import annotations

import gc
import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kapdesk.services.backups import BackupService
from kapdesk.ui import switch_interval
from kapdesk.ui.background import BackgroundRunner
from kapdesk.ui.errors import error_text
from kapdesk.ui.titles import window_title
from kapdesk.ui.widgets import local_time
from kapdesk.ui.words import decimal

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import BackupInfo
    from kapdesk.ui.app_context import AppContext

_log = logging.getLogger(__name__)

DONE_PAUSE_MS = 2500  # "Backup saved ..." stays this long, unless OK is pressed first
POLL_MS = 100  # the progress bar follows the worker's count this often


class BackupAbandoned(Exception):
    """The person closed the window while the copy ran."""


def size_words(size: int) -> str:
    if size >= 1024**3:
        return f"{decimal(size / 1024**3, 1)} GB"
    if size >= 1024**2:
        return f"{decimal(size / 1024**2, 0)} MB"
    return f"{max(size // 1024, 1)} KB"


class ExitBackupWindow(QDialog):
    """See the module doc. ``run()`` returns the backup made, or None."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setObjectName("exitBackupWindow")
        self.setWindowTitle(window_title(self.tr("Closing"), demo=app.demo))
        self.setMinimumWidth(460)
        try:
            size = app.ctx.db.path.stat().st_size
        except OSError:
            size = 0
        root = QVBoxLayout(self)
        self.message = QLabel(
            self.tr("Saving the backup before kapdesk closes… ({size})").format(
                size=size_words(size)
            )
            if size
            else self.tr("Saving the backup before kapdesk closes…")
        )
        self.message.setObjectName("dialogIntro")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Backup on exit"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.message)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first step reports
        self.bar.setAccessibleName(self.tr("Backup progress"))
        root.addWidget(self.bar)
        self.note = QLabel(
            self.tr(
                "Everything you recorded is saved in the database already; this is the extra "
                "copy kapdesk keeps. Closing this window leaves that copy out."
            )
        )
        self.note.setObjectName("fieldHint")
        self.note.setWordWrap(True)
        root.addWidget(self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.hide()
        root.addWidget(self.buttons)

        self.info: BackupInfo | None = None
        self.problem: BaseException | None = None
        self.running = False
        self.worker_thread: int | None = None  # the thread the copy ran on (tests)
        self._stop = threading.Event()
        self._count = (0, 0)  # (pages copied, pages in all), written by the worker
        self.runner = BackgroundRunner(self)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self._show_count)

    # ------------------------------------------------------------ running
    def run(self) -> BackupInfo | None:
        # kapdesk is closing: no full garbage collection (a walk over every object of the
        # process, holding the GIL ~100 ms) while the worker copies, and the GIL offered
        # to this thread every 1 ms rather than 5.
        collecting = gc.isenabled()
        gc.disable()
        switch_interval.begin()
        try:
            self.running = True
            self.runner.submit("exit", self._work)
            self.poll.start()
            self.show()
            self.exec()
            self.poll.stop()
        finally:
            switch_interval.end()
            if collecting:
                gc.enable()
        return self.info

    def _work(self) -> BackupInfo:
        self.worker_thread = threading.get_ident()
        return BackupService(self.app.ctx).rolling_backup("exit", progress=self._progress)

    def _progress(self, copied: int, total: int) -> None:
        """On the worker thread, after each step of the copy."""
        if self._stop.is_set():
            raise BackupAbandoned
        self._count = (copied, total)

    def _show_count(self) -> None:
        copied, total = self._count
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(copied)

    # ------------------------------------------------------------ outcomes
    def _finished(self, _name: str, info: Any) -> None:
        self.running = False
        self.info = info
        self.poll.stop()
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        text = self.tr("Backup saved {time}, {file}")
        self.message.setText(text.format(time=local_time(info.taken_at), file=info.path))
        self.note.setText(self.tr("kapdesk closes now."))
        self._offer_ok()
        QTimer.singleShot(DONE_PAUSE_MS, self.accept)

    def _failed(self, _name: str, exc: Any) -> None:
        self.running = False
        self.poll.stop()
        if isinstance(exc, BackupAbandoned):
            _log.info("exit backup left out: the window was closed while it ran")
            self.accept()
            return
        self.problem = exc
        _log.warning("exit backup failed: %s", exc)
        self.bar.hide()
        text = self.tr("The backup on exit could not be made: {error}")
        self.message.setText(text.format(error=error_text(exc)))
        self.note.setText(
            self.tr(
                "Everything you recorded is saved in the database; only this extra copy is "
                "missing. kapdesk makes the next one when it is due (daily), or use "
                "File > Back up now."
            )
        )
        self._offer_ok()

    def _offer_ok(self) -> None:
        self.buttons.show()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        ok.setFocus()

    # ------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:  # the worker stops at its next step and reports BackupAbandoned
            self._stop.set()
            self.message.setText(self.tr("Leaving out the backup…"))
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:  # Esc: as closing the window
        if self.running:
            self._stop.set()
            self.message.setText(self.tr("Leaving out the backup…"))
            return
        super().reject()


last_window: ExitBackupWindow | None = None  # the window of the last exit backup (tests)


def back_up_on_exit(app: AppContext) -> bool:
    """The exit rolling backup (the main loop has ended; the database is still open):
    True if it was made."""
    global last_window
    window = ExitBackupWindow(app)
    last_window = window
    info = window.run()
    window.runner.wait()  # the worker is done (it reported); nothing may outlive the database
    return info is not None
