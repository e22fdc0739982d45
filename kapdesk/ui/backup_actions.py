"""File menu "Back up now" and "Restore…", the daily backup check and the backup on exit.

Backups and restores run on a worker thread (``BackgroundRunner``: a one-thread
``QThreadPool``), never on the GUI thread: the window keeps repainting and its
timers keep running while a progress dialog says what is happening. The
worker uses the same ``Database`` (its engine pool is thread-safe); every
service call opens its own session, so no session crosses threads. Results
come back to the GUI thread as queued signals.

Decisions a caller must know:

* Both menu items are shown only to roles with ``BACKUP_RESTORE`` (admins);
  the service refuses everyone else anyway.
* "Back up now…" asks where (``backup_destination.choose_backup_folder``, e.g. a USB
  drive), copies there, reads the copy back (``services.backup_check``) and says where
  it went and whether it verified in a dialog (``done_box``) and the status bar.
* Restore: choose a backup (``RestoreChooser.choose``), confirm
  (``RestoreConfirm.ask``), then other windows are closed (drafts save), the
  Today page is shown and its timers paused, and the restore runs in the
  worker. Success: a notice, then ``window.sign_out()`` - ``run_gui`` shows the
  login again and builds every view anew. Failure: nothing changed, the
  timers resume and the error is shown.
* ``start_daily_check()`` (``run_gui`` calls it) asks ``daily_backup_due()``
  every 10 minutes and makes the daily rolling backup in the worker.
* :func:`back_up_on_exit` (kapdesk.ui.exit_backup) makes the exit rolling backup after
  the main loop ended (``run_gui``), before the database is closed: in the worker, while
  a small window says what is happening and then that it is done.
* Dialog questions go through classmethods tests monkeypatch.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, can
from kapdesk.services.backup_check import verify_backup
from kapdesk.services.backups import BackupService
from kapdesk.ui.background import BackgroundRunner
from kapdesk.ui.backup_destination import choose_backup_folder, show_backup_done, size_text
from kapdesk.ui.errors import show_error
from kapdesk.ui.exit_backup import back_up_on_exit
from kapdesk.ui.lock_screen import LOCK_SAFE
from kapdesk.ui.widgets import local_datetime

if TYPE_CHECKING:
    from kapdesk.services.backup_check import BackupCheck
    from kapdesk.services.screen_dtos import BackupInfo, RestoreInfo
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.main_window import MainWindow

_log = logging.getLogger(__name__)

__all__ = ["BackupActions", "BackupNotice", "RestoreChooser", "RestoreConfirm", "back_up_on_exit"]

# How each kind of backup is named in the restore list.
_KINDS = {
    "manual": QT_TRANSLATE_NOOP("RestoreChooser", "Back up now"),
    "exit": QT_TRANSLATE_NOOP("RestoreChooser", "On exit"),
    "daily": QT_TRANSLATE_NOOP("RestoreChooser", "Daily"),
}

DAILY_CHECK_MS = 10 * 60 * 1000
PROGRESS_AFTER_MS = 300  # a backup faster than this never flashes a dialog


class _Progress(QProgressDialog):
    """A busy indicator without a Cancel button: a running copy is finished, not abandoned."""

    def __init__(self, parent: QWidget | None, text: str, title: str) -> None:
        super().__init__(text, "", 0, 0, parent)
        self.setCancelButton(None)
        self.setWindowTitle(title)
        self.setMinimumDuration(PROGRESS_AFTER_MS)
        self.setMinimumWidth(380)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setProperty(LOCK_SAFE, True)
        self.finishing = False
        self.setValue(0)  # starts the minimum-duration timer that shows the dialog

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.finishing:
            event.ignore()
            return
        super().closeEvent(event)

    def finish(self) -> None:
        self.finishing = True
        self.close()
        self.deleteLater()


# ---------------------------------------------------------------- questions


class RestoreChooser(QDialog):
    """The backups of this database, newest first, or another file."""

    def __init__(self, parent: QWidget | None, backups: list[BackupInfo], folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Restore from a backup"))
        self.setMinimumSize(560, 360)
        self.backups = backups
        self.folder = folder
        self.chosen: Path | None = None
        root = QVBoxLayout(self)
        if backups:
            text = self.tr(
                "Backups in {folder} (newest first). Choose one, or another backup file."
            )
        else:
            text = self.tr("There are no backups in {folder} yet. Choose a backup file.")
        intro = QLabel(text.format(folder=folder))
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        root.addWidget(intro)
        self.table = QTableWidget(len(backups), 3)
        self.table.setAccessibleName(self.tr("Backups"))
        self.table.setHorizontalHeaderLabels([self.tr("Taken"), self.tr("Kind"), self.tr("Size")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, info in enumerate(backups):
            kind = QCoreApplication.translate("RestoreChooser", str(_KINDS[info.reason]))
            for col, text in enumerate(
                (local_datetime(info.taken_at), kind, size_text(info.size_bytes))
            ):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if backups:
            self.table.selectRow(0)
        self.table.doubleClicked.connect(lambda _i: self._accept_row())
        root.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.file_button = QPushButton(self.tr("Other &file…"))
        buttons.addButton(self.file_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok = buttons.addButton(self.tr("&Restore…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.ok.setEnabled(bool(backups))
        buttons.accepted.connect(self._accept_row)
        buttons.rejected.connect(self.reject)
        self.file_button.clicked.connect(self._pick_file)
        root.addWidget(buttons)
        (self.table if backups else self.file_button).setFocus()

    def _accept_row(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.backups):
            self.chosen = self.backups[row].path
            self.accept()

    def _pick_file(self) -> None:
        path = self.pick_file(self, self.folder)
        if path is not None:
            self.chosen = path
            self.accept()

    @classmethod
    def pick_file(cls, parent: QWidget | None, folder: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            QCoreApplication.translate("RestoreChooser", "Restore from a backup file"),
            str(folder),
            QCoreApplication.translate("RestoreChooser", "kapdesk backups (*.bak *.sqlite)"),
        )
        return Path(name) if name else None

    @classmethod
    def choose(cls, parent: QWidget | None, backups: list[BackupInfo], folder: Path) -> Path | None:
        dialog = cls(parent, backups, folder)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen


class RestoreConfirm:
    @classmethod
    def ask(cls, parent: QWidget | None, text: str) -> bool:
        title = QCoreApplication.translate("RestoreConfirm", "Restore the database?")
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
        restore = box.addButton(
            QCoreApplication.translate("RestoreConfirm", "&Restore"),
            QMessageBox.ButtonRole.DestructiveRole,
        )
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is restore


class BackupNotice:
    @classmethod
    def info(cls, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)


def restore_warning(path: Path, backups: list[BackupInfo]) -> str:
    info = next((b for b in backups if b.path == path), None)
    if info is not None:
        question = QCoreApplication.translate(
            "RestoreConfirm", "Replace everything in this database with the backup taken {taken}?"
        ).format(taken=local_datetime(info.taken_at))
    else:
        question = QCoreApplication.translate(
            "RestoreConfirm", "Replace everything in this database with the file {path}?"
        ).format(path=path)
    details = QCoreApplication.translate(
        "RestoreConfirm",
        "Whatever was recorded after that backup will no longer be in the database. The backup "
        "is checked first; the database as it is now is kept beside it (a .replaced file), and "
        "the restore is recorded in the audit trail.",
    )
    after = QCoreApplication.translate(
        "RestoreConfirm", "Everyone is signed out afterwards and must sign in again."
    )
    return f"{question}\n\n{details}\n\n{after}"


# ---------------------------------------------------------------- the menu actions


class BackupActions(QObject):
    def __init__(self, window: MainWindow, *, folder: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.app: AppContext = window.app
        self.folder = folder  # None: the service's default (``backups`` beside the database)
        self.runner = BackgroundRunner(self)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.progress: _Progress | None = None
        self.last_backup: BackupInfo | None = None
        self.last_restore: RestoreInfo | None = None
        self.last_check: BackupCheck | None = None
        self.done_box: QMessageBox | None = None  # "Backup saved" after Back up now
        self._paused: list[QTimer] = []

        self.back_up_action = QAction(self.tr("&Back up now…"), window)
        self.back_up_action.setToolTip(self.tr("Copy the database now, into a folder you choose"))
        self.back_up_action.triggered.connect(lambda _=False: self.choose_and_back_up())
        self.restore_action = QAction(self.tr("&Restore…"), window)
        self.restore_action.setToolTip(self.tr("Replace the database with a backup"))
        self.restore_action.triggered.connect(lambda _=False: self.restore())

        self.daily_timer = QTimer(self)
        self.daily_timer.setInterval(DAILY_CHECK_MS)
        self.daily_timer.timeout.connect(self.check_daily)
        self.app.signals.actor_changed.connect(self.update_permissions)
        self.update_permissions()

    def service(self) -> BackupService:
        return BackupService(self.app.ctx, folder=self.folder)

    def add_to(self, menu: QMenu) -> None:
        menu.addAction(self.back_up_action)
        menu.addAction(self.restore_action)

    def update_permissions(self) -> None:
        actor = self.app.actor
        allowed = actor is not None and can(actor.role, Action.BACKUP_RESTORE)
        for action in (self.back_up_action, self.restore_action):
            action.setVisible(allowed)
            action.setEnabled(allowed)

    # ------------------------------------------------------------ lifecycle
    def start_daily_check(self) -> None:
        self.daily_timer.start()

    def shutdown(self) -> None:
        """Stop the daily check and let a running backup finish (the window is closing)."""
        self.daily_timer.stop()
        if self.runner.busy:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.runner.wait()
            finally:
                QGuiApplication.restoreOverrideCursor()

    # ------------------------------------------------------------ back up now
    def choose_and_back_up(self) -> bool:
        """Ask where (e.g. a USB drive), then back up there; False if nothing was started."""
        if self.app.actor is None or self.runner.busy:
            return False
        try:
            start = self.service().folder
        except KapdeskError:
            start = self.app.ctx.db.path.parent
        folder = choose_backup_folder(self.window, start)
        return folder is not None and self.back_up_now(folder)

    def back_up_now(self, folder: Path | None = None) -> bool:
        """Start a manual backup (into ``folder``, else the backup folder) in the worker,
        then read the copy back; False if one is already running."""
        actor = self.app.actor
        if actor is None or self.runner.pending("manual") or self.runner.pending("restore"):
            return False
        service = self.service() if folder is None else BackupService(self.app.ctx, folder=folder)
        ctx = self.app.ctx

        def back_up_and_verify() -> tuple[BackupInfo, BackupCheck]:
            info = service.back_up_now(actor)
            return info, verify_backup(ctx, info.path)

        self._show_progress(
            self.tr("Backing up and verifying the database…"), self.tr("Back up now"), modal=False
        )
        self.runner.submit("manual", back_up_and_verify)
        return True

    def check_daily(self) -> bool:
        """The timer's question: make the daily backup now if one is due (in the worker)."""
        if self.runner.busy:
            return False
        service = self.service()
        try:
            due = service.daily_backup_due()
        except (KapdeskError, OSError) as exc:
            _log.warning("daily backup check failed: %s", exc)
            return False
        if due:
            self.runner.submit("daily", lambda: service.rolling_backup("daily"))
        return due

    # ------------------------------------------------------------ restore
    def restore(self) -> bool:
        """Choose, confirm and start a restore; False if nothing was started."""
        actor = self.app.actor
        if actor is None or not can(actor.role, Action.BACKUP_RESTORE) or self.runner.busy:
            return False
        service = self.service()
        try:
            backups = service.list_backups()
        except OSError as exc:
            show_error(
                self.window, self.tr("The backups folder cannot be read: {error}").format(error=exc)
            )
            return False
        path = RestoreChooser.choose(self.window, backups, service.folder)
        if path is None or not RestoreConfirm.ask(self.window, restore_warning(path, backups)):
            return False
        if not self._close_other_windows():
            show_error(
                self.window,
                self.tr(
                    "Close the other kapdesk windows first, then choose Restore again; "
                    "nothing was changed."
                ),
            )
            return False
        if not self._pause_views():
            show_error(
                self.window,
                self.tr(
                    "The board is still waiting for the database to answer a query; a restore "
                    "now would replace the file under it. Nothing was changed: try Restore "
                    "again in a minute."
                ),
            )
            return False
        self._show_progress(
            self.tr("Checking and restoring the backup…"), self.tr("Restore"), modal=True
        )
        self.runner.submit("restore", lambda: service.restore(actor, path))
        return True

    def _close_other_windows(self) -> bool:
        """Close dialogs and editors (drafts are saved now, into the database being replaced)."""
        for w in QApplication.topLevelWidgets():
            if w is self.window or not w.isVisible():
                continue
            if isinstance(w, QDialog):
                w.reject()
            else:
                w.close()
        return not any(
            w.isVisible() and w is not self.window for w in QApplication.topLevelWidgets()
        )

    def _pause_views(self) -> bool:
        """Stop what reads the database on its own while the file's content is replaced;
        False if the board's query in flight is still reading (nothing must replace it)."""
        from kapdesk.ui.main_window import PAGE_TODAY

        self.window.show_page(PAGE_TODAY)  # a session page saves its note when hidden
        store = self.window.board_store  # the board's and the alerts' one clock
        self._paused = [store.timer] if store.timer.isActive() else []
        for timer in self._paused:
            timer.stop()
        if not store.drop_background():  # a re-query in flight reads the old file no more
            for timer in self._paused:
                timer.start()
            self._paused = []
            return False
        self.window.live.stop()  # nor the watcher of other windows' writes (own connection)
        return True

    def _resume_views(self) -> None:
        self.window.live.start()
        for timer in self._paused:
            if shiboken6.isValid(timer):
                timer.start()
        self._paused = []

    # ------------------------------------------------------------ outcomes
    def _show_progress(self, text: str, title: str, *, modal: bool) -> None:
        self._close_progress()
        progress = _Progress(self.window, text, title)
        progress.setWindowModality(
            Qt.WindowModality.ApplicationModal if modal else Qt.WindowModality.WindowModal
        )
        self.progress = progress

    def _close_progress(self) -> None:
        if self.progress is not None and shiboken6.isValid(self.progress):
            self.progress.finish()
        self.progress = None

    def _finished(self, name: str, result: Any) -> None:
        if name == "manual":
            self._close_progress()
            self.last_backup, self.last_check = result
            if result[1].ok:
                saved = self.tr("Backup saved: {path} ({size}), verified.")
            else:
                saved = self.tr("Backup saved: {path} ({size}), did NOT verify.")
            self.window.statusBar().showMessage(
                saved.format(path=result[0].path, size=size_text(result[0].size_bytes)), 15_000
            )
            self.done_box = show_backup_done(self.window, *result)
        elif name == "daily":
            self.last_backup = result
            self.window.statusBar().showMessage(self.tr("Daily backup saved."), 10_000)
        elif name == "restore":
            self._close_progress()
            self.last_restore = result
            text = self.tr("The database now holds the content of {name}.").format(
                name=result.restored_from.name
            )
            if result.replaced_kept_at:
                text += self.tr(" The database as it was is kept at {path}.").format(
                    path=result.replaced_kept_at
                )
            text += "\n\n" + self.tr("Everyone is signed out: sign in again.")
            BackupNotice.info(self.window, self.tr("Restore complete"), text)
            self.window.sign_out()

    def _failed(self, name: str, exc: Any) -> None:
        if name == "daily":
            _log.warning("daily backup failed: %s", exc)
            self.window.statusBar().showMessage(
                self.tr("The daily backup failed: {error}").format(error=exc), 60_000
            )
            return
        self._close_progress()
        if name == "restore":
            self._resume_views()
            show_error(self.window, exc, title=self.tr("Restore"))
        else:
            show_error(self.window, exc, title=self.tr("Back up now"))
