"""The backup on a clean exit runs off the GUI thread while a small window says so."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from kapdesk.services.backups import BackupService
from kapdesk.storage import sqlite_file
from kapdesk.storage.backup import verify_database
from kapdesk.ui import exit_backup
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.backup_actions import back_up_on_exit
from kapdesk.ui.widgets import local_time


@pytest.fixture(autouse=True)
def short_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exit_backup, "DONE_PAUSE_MS", 300)


def test_the_exit_backup_runs_in_a_worker_while_the_window_keeps_turning(
    qtbot: QtBot, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui = threading.get_ident()
    ticks: list[float] = []
    ticked = threading.Event()
    seen: dict[str, Any] = {}
    original = BackupService.rolling_backup

    def rolling_backup(self: BackupService, reason: Any, progress: Any = None) -> Any:
        seen["thread"] = threading.get_ident()
        # The GUI thread's timer must tick while the backup is under way: it would
        # never tick (and this would time out) if the backup ran on the GUI thread.
        seen["gui_ran_meanwhile"] = ticked.wait(10)
        return original(self, reason, progress)

    def tick() -> None:
        ticks.append(time.perf_counter())
        if len(ticks) >= 3:
            ticked.set()
        window = exit_backup.last_window
        if window is not None and window.info is not None and "done" not in seen:
            seen["done"] = window.message.text()
            seen["visible"] = window.isVisible()

    monkeypatch.setattr(BackupService, "rolling_backup", rolling_backup)
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    try:
        assert back_up_on_exit(app)
    finally:
        timer.stop()
    assert seen["thread"] != gui
    assert seen["gui_ran_meanwhile"]
    [info] = BackupService(app.ctx).list_backups()
    assert info.reason == "exit"
    assert verify_database(info.path).ok
    window = exit_backup.last_window
    assert window is not None
    assert window.worker_thread == seen["thread"]
    assert seen["visible"]
    assert seen["done"] == f"Backup saved {local_time(info.taken_at)}, {info.path}"
    window.grab().save("/tmp/exit-backup-done.png")


def test_the_window_says_what_is_being_saved_and_how_big(
    qtbot: QtBot, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts: list[str] = []

    def look() -> None:
        window = exit_backup.last_window
        if window is not None and not texts:
            texts.append(window.message.text())
            window.grab().save("/tmp/exit-backup-running.png")

    original = BackupService.rolling_backup

    def slow(self: BackupService, reason: Any, progress: Any = None) -> Any:
        time.sleep(0.3)
        return original(self, reason, progress)

    monkeypatch.setattr(BackupService, "rolling_backup", slow)
    QTimer.singleShot(100, look)
    assert back_up_on_exit(app)
    size = app.ctx.db.path.stat().st_size
    assert texts == [f"Saving the backup before kapdesk closes… ({exit_backup.size_words(size)})"]
    assert exit_backup.size_words(int(2.65 * 1024**3)) == "2.6 GB"


def test_a_failed_exit_backup_says_so_plainly_and_waits_for_ok(
    qtbot: QtBot, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: BackupService, reason: Any, progress: Any = None) -> Any:
        raise OSError(28, "No space left on device", "/media/usb/clinic.bak")

    monkeypatch.setattr(BackupService, "rolling_backup", full)
    shown: list[str] = []

    def press_ok() -> None:
        window = exit_backup.last_window
        if window is None or window.problem is None:
            QTimer.singleShot(20, press_ok)
            return
        shown.append(window.message.text())
        shown.append(window.note.text())
        assert window.isVisible()
        window.grab().save("/tmp/exit-backup-failed.png")
        window.buttons.accepted.emit()

    QTimer.singleShot(0, press_ok)
    assert not back_up_on_exit(app)
    assert shown[0] == (
        "The backup on exit could not be made: A file could not be read or written: "
        "No space left on device (/media/usb/clinic.bak)."
    )
    assert "Traceback" not in "".join(shown)
    assert shown[1].startswith("Everything you recorded is saved in the database")


def test_closing_the_window_leaves_the_copy_out_and_no_partial_file(
    qtbot: QtBot, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_file, "BACKUP_STEP_PAGES", 1)
    original = BackupService.rolling_backup

    def slow_steps(self: BackupService, reason: Any, progress: Any = None) -> Any:
        def step(copied: int, total: int) -> None:
            time.sleep(0.01)
            progress(copied, total)

        return original(self, reason, step)

    def close() -> None:
        window = exit_backup.last_window
        if window is None or not window.isVisible():
            QTimer.singleShot(10, close)
            return
        window.close()

    monkeypatch.setattr(BackupService, "rolling_backup", slow_steps)
    QTimer.singleShot(50, close)
    assert not back_up_on_exit(app)
    folder = BackupService(app.ctx).folder
    assert not [p.name for p in folder.iterdir() if ".bak" in p.name]
