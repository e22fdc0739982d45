"""Back up now, Restore…, the daily check and the exit backup: off the GUI thread, for admins."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.backups import BackupService
from kapdesk.services.context import Actor
from kapdesk.storage.orm import AuditEntry, Patient
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.backup_actions import (
    BackupActions,
    BackupNotice,
    RestoreChooser,
    RestoreConfirm,
)
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.main_window import MainWindow

from .conftest import PASSWORD, actor_for, insert_patient_and_course, show_main_window


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(ErrorBox, "show", classmethod(lambda cls, p, t, text: shown.append(text)))
    return shown


@pytest.fixture
def window(qtbot: QtBot, app: AppContext, admin: Actor) -> Iterator[MainWindow]:
    app.actor = admin
    w = show_main_window(qtbot, app)
    yield w
    w.close()


def patients(app: AppContext) -> int:
    with app.ctx.db.read() as s:
        return int(s.scalar(select(func.count(Patient.id))) or 0)


def audit_actions(app: AppContext) -> list[str]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# ---------------------------------------------------------------- back up now


def test_back_up_now_runs_in_the_worker_while_the_event_loop_keeps_turning(
    qtbot: QtBot, window: MainWindow, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = BackupService.back_up_now
    ran_on: list[threading.Thread] = []

    def slow(self: BackupService, actor: Actor) -> Any:
        ran_on.append(threading.current_thread())
        time.sleep(1.0)  # a big database (in the worker, not in the test)
        return real(self, actor)

    monkeypatch.setattr(BackupService, "back_up_now", slow)
    default = str(app.ctx.db.path.parent / "backups")  # the admin keeps the folder offered
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a: default))
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(50)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start()
    actions = window.backup_actions
    try:
        started = time.monotonic()
        actions.back_up_action.trigger()
        assert time.monotonic() - started < 0.5  # the menu item returns at once
        qtbot.waitUntil(lambda: actions.progress is not None and actions.progress.isVisible())
        qtbot.waitUntil(lambda: actions.last_backup is not None, timeout=15_000)
    finally:
        ticker.stop()

    assert ran_on
    assert ran_on[0] is not threading.main_thread()
    during = [t for t in ticks if t <= started + 1.0]
    assert len(during) >= 8, f"only {len(during)} ticks of 50 ms in the 1 s backup"
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 0.5, f"the event loop stalled for {max(gaps):.2f} s"
    assert actions.progress is None

    info = actions.last_backup
    assert info is not None
    assert info.path.is_file()
    assert info.reason == "manual"
    assert info.path.parent == app.ctx.db.path.parent / "backups"
    assert [b.path for b in BackupService(app.ctx).list_backups()] == [info.path]
    assert audit_actions(app)[-1] == "backup.create"
    assert str(info.path) in window.statusBar().currentMessage()


def test_backup_actions_are_for_admins_only_and_the_service_refuses_others(
    qtbot: QtBot, app: AppContext, nurse: Actor, errors: list[str]
) -> None:
    app.actor = nurse
    w = show_main_window(qtbot, app)
    actions = w.backup_actions
    for action in (actions.back_up_action, actions.restore_action):
        assert not action.isVisible()
        assert not action.isEnabled()
    assert not actions.restore()

    assert actions.back_up_now()  # even if reached, the service says no
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "nurse" in errors[0].lower()
    assert BackupService(app.ctx).list_backups() == []
    assert audit_actions(app)[-1] == "denied.backup_restore"

    app.actor = actor_for(app, Role.ADMIN)  # switching user updates the menu
    assert actions.back_up_action.isVisible()
    assert actions.back_up_action.isEnabled()
    w.close()


# ---------------------------------------------------------------- restore


@pytest.fixture
def backup_then_more(app: AppContext, admin: Actor) -> Path:
    """A backup, then a patient recorded after it (the restore must take it away)."""
    info = BackupService(app.ctx).back_up_now(admin)
    insert_patient_and_course(app.ctx.db, mrn="AFTER-1")
    assert patients(app) == 1
    return info.path


def test_restore_asks_restores_in_the_worker_and_signs_out(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    backup_then_more: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[list[Path]] = []
    warnings: list[str] = []
    notices: list[str] = []
    monkeypatch.setattr(
        RestoreChooser,
        "choose",
        classmethod(
            lambda cls, p, backups, folder: (
                offered.append([b.path for b in backups]) or backup_then_more
            )
        ),
    )
    monkeypatch.setattr(
        RestoreConfirm, "ask", classmethod(lambda cls, p, text: warnings.append(text) or True)
    )
    monkeypatch.setattr(
        BackupNotice, "info", classmethod(lambda cls, p, title, text: notices.append(text))
    )
    real = BackupService.restore
    ran_on: list[threading.Thread] = []

    def watched(self: BackupService, actor: Actor, path: Path) -> Any:
        ran_on.append(threading.current_thread())
        return real(self, actor, path)

    monkeypatch.setattr(BackupService, "restore", watched)

    window.backup_actions.restore_action.trigger()
    qtbot.waitUntil(lambda: window.signed_out, timeout=15_000)

    assert offered == [[backup_then_more]]
    assert "will no longer be in the database" in warnings[0]
    assert "signed out" in warnings[0]
    assert ran_on
    assert ran_on[0] is not threading.main_thread()
    assert app.actor is None
    assert not window.isVisible()
    assert patients(app) == 0  # the patient recorded after the backup is gone
    restored = window.backup_actions.last_restore
    assert restored is not None
    assert restored.replaced_kept_at is not None
    assert restored.replaced_kept_at.is_file()
    assert "sign in again" in notices[0]
    assert audit_actions(app)[-1] == "backup.restore"


def test_restore_declined_changes_nothing(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    admin: Actor,
    backup_then_more: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        RestoreChooser, "choose", classmethod(lambda cls, p, b, f: backup_then_more)
    )
    monkeypatch.setattr(RestoreConfirm, "ask", classmethod(lambda cls, p, text: False))
    assert not window.backup_actions.restore()
    assert patients(app) == 1
    assert app.actor == admin
    assert not window.signed_out


def test_a_damaged_backup_is_refused_and_the_window_carries_on(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    admin: Actor,
    tmp_path: Path,
    errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    insert_patient_and_course(app.ctx.db)
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a database at all" * 100)
    monkeypatch.setattr(RestoreChooser, "choose", classmethod(lambda cls, p, b, f: junk))
    monkeypatch.setattr(RestoreConfirm, "ask", classmethod(lambda cls, p, text: True))
    window.board_store.timer.start()  # running before: it must run again after the refusal

    assert window.backup_actions.restore()
    assert not window.board_store.timer.isActive()  # paused while the file could change
    qtbot.waitUntil(lambda: bool(errors), timeout=15_000)

    assert "nothing was changed" in errors[0]
    assert window.board_store.timer.isActive()
    window.board_store.timer.stop()
    assert patients(app) == 1
    assert app.actor == admin
    assert not window.signed_out
    assert window.backup_actions.progress is None


def test_restore_chooser_lists_the_backups_newest_first(
    qtbot: QtBot, app: AppContext, admin: Actor, clock: FakeClock
) -> None:
    service = BackupService(app.ctx)
    older = service.back_up_now(admin)
    clock.advance(timedelta(hours=2))
    newer = service.rolling_backup("daily")
    dialog = RestoreChooser(None, service.list_backups(), service.folder)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    assert [dialog.table.item(r, 1).text() for r in range(2)] == ["Daily", "Back up now"]
    dialog._accept_row()  # Enter on the selected (newest) row
    assert dialog.chosen == newer.path != older.path


# ---------------------------------------------------------------- automatic backups


def test_daily_check_makes_one_backup_a_day_in_the_worker(
    qtbot: QtBot, window: MainWindow, app: AppContext, clock: FakeClock
) -> None:
    actions: BackupActions = window.backup_actions
    assert actions.daily_timer.interval() == 10 * 60 * 1000
    assert actions.check_daily()
    qtbot.waitUntil(lambda: not actions.runner.busy, timeout=15_000)
    assert [b.reason for b in BackupService(app.ctx).list_backups()] == ["daily"]

    clock.advance(timedelta(hours=23, minutes=59))
    assert not actions.check_daily()
    clock.advance(minutes=1)
    assert actions.check_daily()
    qtbot.waitUntil(lambda: not actions.runner.busy, timeout=15_000)
    assert [b.reason for b in BackupService(app.ctx).list_backups()] == ["daily", "daily"]


# ---------------------------------------------------------------- the whole app


_RESTORE_DRIVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.run import _qapplication, run_gui
from kapdesk.services.backups import BackupService
from kapdesk.ui import backup_actions as ba
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.main_window import MainWindow

ba.RestoreConfirm.ask = classmethod(lambda cls, p, text: True)
ba.BackupNotice.info = classmethod(lambda cls, p, title, text: print("notice"))
ba.RestoreChooser.choose = classmethod(lambda cls, p, backups, folder: backups[0].path)
logins = []

def sign_in():
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, LoginDialog):
        QTimer.singleShot(20, sign_in)
        return
    logins.append(1)
    dialog.username.edit.setText("admin")
    dialog.password.edit.setText(sys.argv[2])
    dialog.submit()
    QTimer.singleShot(20, restore_then_close if len(logins) == 1 else close_main_window)

def shown_window():
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, MainWindow) and w.isVisible()), None)

def restore_then_close():
    window = shown_window()
    if window is None:
        QTimer.singleShot(20, restore_then_close)
        return
    window.backup_actions.restore_action.trigger()
    QTimer.singleShot(20, sign_in)

def close_main_window():
    window = shown_window()
    if window is None:
        QTimer.singleShot(20, close_main_window)
        return
    print(window.signed_in.text())
    window.close()

_qapplication()
QTimer.singleShot(0, sign_in)
sys.exit(run_gui(Path(sys.argv[1]), demo=False))
"""


def test_after_a_restore_the_app_signs_in_again_and_backs_up_on_exit(
    db_path: Path, clock: FakeClock
) -> None:
    from kapdesk.ui.app_context import build_app_context

    app = build_app_context(db_path, demo=False, clock=clock)
    try:
        BackupService(app.ctx).back_up_now(actor_for(app, Role.ADMIN))
        insert_patient_and_course(app.ctx.db, mrn="AFTER-1")
    finally:
        app.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", _RESTORE_DRIVER, str(db_path), PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["notice", "Signed in: Test Admin (admin)"]
    app = build_app_context(db_path, demo=False)
    try:
        assert patients(app) == 0
        reasons = sorted(b.reason for b in BackupService(app.ctx).list_backups())
        assert reasons == ["exit", "manual"]
        actions = audit_actions(app)
        assert actions.count("auth.login") >= 1
        assert "backup.restore" in actions
    finally:
        app.close()


def test_restore_is_refused_while_a_board_query_does_not_come_back(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    clock: FakeClock,
    backup_then_more: Path,
    errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kapdesk.services.board import BoardService
    from kapdesk.ui import board_store

    gate, entered = threading.Event(), threading.Event()
    original = BoardService.today_board
    gui = threading.get_ident()

    def hanging(self: BoardService, *args: Any, **kw: Any) -> Any:
        if threading.get_ident() != gui:
            entered.set()
            gate.wait(10)  # a server that does not answer the board's re-query
        return original(self, *args, **kw)

    monkeypatch.setattr(BoardService, "today_board", hanging)
    monkeypatch.setattr(board_store, "RESTORE_WAIT_S", 0.1)
    monkeypatch.setattr(
        RestoreChooser, "choose", classmethod(lambda cls, p, b, f: backup_then_more)
    )
    monkeypatch.setattr(RestoreConfirm, "ask", classmethod(lambda cls, p, text: True))
    store = window.board_store
    store.load()
    clock.advance(seconds=5)
    store.timer.start()
    store.timer.timeout.emit()
    assert entered.wait(5)
    try:
        assert not window.backup_actions.restore()
        assert "still waiting for the database" in errors[0]
        assert "Nothing was changed" in errors[0]
        assert store.timer.isActive()  # the board carries on
        assert window.backup_actions.progress is None
        assert patients(app) == 1  # the patient recorded after the backup is still there
        assert not window.signed_out
    finally:
        store.timer.stop()
        gate.set()
    qtbot.waitUntil(lambda: not store.querying, timeout=5000)
