"""Live updates: what another app window (another process: here another Database on the
same file, with its own connections and ChangeFeed) commits reaches this window's board
and alerts through the one bridge, without the 5 s re-query (stopped here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.storage import change_feed
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow

from .conftest import Query

WAIT_MS = 10_000  # the longest a test waits (a change normally shows within a second)


@pytest.fixture
def elsewhere(db_path: Path, clock: FakeClock) -> Iterator[ServiceContext]:
    """The other window's services: the same file, its own pool and feed."""
    context = build_context(db_path, clock=clock, create=False)
    yield context
    context.db.close()


@pytest.fixture
def window(
    qtbot: QtBot, app: AppContext, nurse: Actor, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    app.actor = nurse
    w = MainWindow(app, resume=False)
    w.board_store.stop()  # no 5 s re-query: only a change set can bring news
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_a_session_and_a_reading_from_another_window_show_on_the_board_and_alerts(
    qtbot: QtBot, window: MainWindow, elsewhere: ServiceContext, nurse: Actor, clock: FakeClock
) -> None:
    other = Kit(elsewhere, clock, nurse)
    sid = other.dosed(room="2")
    qtbot.waitUntil(lambda: window.today.model.row_of_session(sid) is not None, timeout=WAIT_MS)
    row = window.today.model.row_of_session(sid)
    assert row is not None
    assert not window.today.model.row_at(row).alerts

    other.vitals.record(nurse, sid, 118, 76, pulse=72, spo2=88)  # an alert reading

    def alerting() -> bool:
        row = window.today.model.row_of_session(sid)
        return row is not None and bool(window.today.model.row_at(row).alerts)

    qtbot.waitUntil(alerting, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: [a.session_id for a in window.alerts.active if a.is_reading_alert] == [sid],
        timeout=WAIT_MS,
    )


def test_the_windows_own_reading_is_not_reloaded_again(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    nurse: Actor,
    clock: FakeClock,
    queries: list[Query],
) -> None:
    kit = Kit(app.ctx, clock, nurse)
    sid = kit.dosed(room="2")
    time.sleep(2 * change_feed.POLL_S)  # what the watcher had to say about these, it said
    qtbot.wait(10)  # (delivered by the event loop)
    queries.clear()

    kit.vitals.record(nurse, sid, 118, 76, pulse=72, spo2=88)
    assert queries == [frozenset({sid})]  # its own row, at once, in-process
    time.sleep(3 * change_feed.POLL_S)  # the watcher looked at least twice meanwhile
    qtbot.wait(10)
    assert queries == [frozenset({sid})]  # and nothing more


def test_closing_the_window_stops_listening(qtbot: QtBot, app: AppContext, nurse: Actor) -> None:
    app.actor = nurse
    w = MainWindow(app, resume=False)
    qtbot.addWidget(w)
    remote = w.live.remote
    assert remote is not None
    assert remote.worker is not None
    assert remote.worker.running
    w.close()
    assert w.live.remote is None
    assert not remote.worker.running


@pytest.fixture
def server_app(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[AppContext]:
    """A window's context on the test server's clinic (skipped without a server)."""
    from tests.pg_support import pg_skip_reason

    reason = pg_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    clinic = request.getfixturevalue("server_clinic")
    clinic.reset()
    context = AppContext(build_context(clinic.server, clock=clock, create=False))
    yield context
    context.close()


def test_on_a_server_another_workstations_reading_shows_on_the_board(
    qtbot: QtBot, server_app: AppContext, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.domain.permissions import Role

    from .conftest import actor_for

    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    nurse = actor_for(server_app, Role.NURSE)
    server_app.actor = nurse
    w = MainWindow(server_app, resume=False)
    w.board_store.stop()
    qtbot.addWidget(w)
    remote = w.live.remote
    assert remote is not None
    assert isinstance(remote.worker, change_feed.ServerListener)
    listener = remote.worker
    qtbot.waitUntil(lambda: listener.backend_pid is not None, timeout=WAIT_MS)
    server = server_app.ctx.db.server
    assert server is not None
    station = build_context(server, clock=clock, create=False)  # another workstation
    try:
        other = Kit(station, clock, nurse)
        sid = other.dosed(room="2")
        qtbot.waitUntil(lambda: w.today.model.row_of_session(sid) is not None, timeout=WAIT_MS)
        other.vitals.record(nurse, sid, 118, 76, pulse=72, spo2=88)  # an alert reading

        def alerting() -> bool:
            row = w.today.model.row_of_session(sid)
            return row is not None and bool(w.today.model.row_at(row).alerts)

        qtbot.waitUntil(alerting, timeout=WAIT_MS)
    finally:
        w.close()
        station.db.close()


def test_a_restore_stops_the_watcher_before_the_file_is_replaced(
    qtbot: QtBot, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watcher's connection of its own must not read (nor hold) the file while the
    backup's content is written into it; the restore signs out, so it stays stopped."""
    from kapdesk.domain.permissions import Role
    from kapdesk.services.backups import BackupService
    from kapdesk.ui.backup_actions import BackupNotice, RestoreChooser, RestoreConfirm

    from .conftest import actor_for

    admin = actor_for(app, Role.ADMIN)
    app.actor = admin
    w = MainWindow(app, resume=False)
    qtbot.addWidget(w)
    remote = w.live.remote
    assert remote is not None
    watcher = remote.worker
    assert watcher is not None
    backup = BackupService(app.ctx).back_up_now(admin).path
    monkeypatch.setattr(RestoreChooser, "choose", classmethod(lambda cls, *a: backup))
    monkeypatch.setattr(RestoreConfirm, "ask", classmethod(lambda cls, *a: True))
    monkeypatch.setattr(BackupNotice, "info", classmethod(lambda cls, *a: None))
    watching_during_restore: list[bool] = []
    real = BackupService.restore

    def watched(self: BackupService, actor: Actor, path: Path) -> object:
        watching_during_restore.append(watcher.running)
        return real(self, actor, path)

    monkeypatch.setattr(BackupService, "restore", watched)

    w.backup_actions.restore_action.trigger()
    qtbot.waitUntil(lambda: w.signed_out, timeout=WAIT_MS)
    assert watching_during_restore == [False]
    assert w.live.remote is None
