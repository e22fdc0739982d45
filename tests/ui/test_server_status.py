"""The main window's line about the clinic server: it goes away (here: the test database
stops taking connections and its connections are ended, so the shared cluster keeps
running for everyone else), the line says since when nothing is saved, a vitals dialog's
save fails with its text kept, and when the server answers again the line says so, goes,
and the board shows what is really stored. On a kapdesk file: never a line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_support import _connect, pg_admin_url, pg_skip_reason
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.conftest import ServerClinic
from services.conftest import server_clinic as server_clinic  # re-exported fixture
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.errors import DatabaseBusy, ServerUnreachable
from kapdesk.storage.server_url import parse_server_url
from kapdesk.ui import server_status
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.quick_vitals import QuickVitalsDialog
from kapdesk.ui.server_status import back_text, down_text

from .conftest import actor_for

WAIT_MS = 15_000
TYPED = {"systolic": "121", "diastolic": "79", "pulse": "71", "spo2": "97"}
needs_server = pytest.mark.skipif(pg_skip_reason() is not None, reason=str(pg_skip_reason()))


def _admin(sql: str) -> None:
    url = pg_admin_url()
    assert url is not None
    with _connect(url) as conn:
        conn.execute(sql)


def server_down(name: str) -> None:
    """No new connection to ``name`` and every open one ended (the server 'goes away')."""
    _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid() "
        "AND usename = current_user"
    )


def server_up(name: str) -> None:
    _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_status, "PROBE_MS", 200)
    monkeypatch.setattr(server_status, "WATCH_MS", 200)
    monkeypatch.setattr(server_status, "BACK_MS", 600)
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))


@pytest.fixture
def server_app(server_clinic: ServerClinic, clock: FakeClock) -> Iterator[AppContext]:
    server_clinic.reset()
    context = build_app_context(server_clinic.server, demo=False, clock=clock)
    yield context
    server_up(server_clinic.server.database)  # whatever the test did
    context.close()


def _window(qtbot: QtBot, app: AppContext) -> MainWindow:
    app.actor = actor_for(app, Role.NURSE)
    w = MainWindow(app, resume=False)
    w.board_store.stop()  # no 5 s re-query: the reload after the outage must do it
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _dialog(qtbot: QtBot, app: AppContext, sid: int, parent: MainWindow) -> QuickVitalsDialog:
    dialog = QuickVitalsDialog(app, sid, "Room 2", parent)
    qtbot.addWidget(dialog)
    dialog.show()
    for key, text in TYPED.items():
        dialog.form.edits[key].setText(text)
    return dialog


def _typed(dialog: QuickVitalsDialog) -> dict[str, str]:
    return {key: dialog.form.edits[key].text() for key in TYPED}


@needs_server
@pytest.mark.usefixtures("quick")
def test_server_gone_and_back(
    qtbot: QtBot, server_app: AppContext, clock: FakeClock, tmp_path: Path
) -> None:
    app = server_app
    name = app.ctx.db.server.database if app.ctx.db.server else ""
    nurse = actor_for(app, Role.NURSE)
    sid = Kit(app.ctx, clock, nurse).dosed(room="2")
    stored = VitalsService(app.ctx).readings(sid)  # the pre-dose reading
    window = _window(qtbot, app)
    line = window.server_status.label
    qtbot.waitUntil(lambda: window.today.model.row_of_session(sid) is not None, timeout=WAIT_MS)
    remote = window.live.remote
    assert remote is not None
    assert remote.worker is not None
    qtbot.waitUntil(lambda: remote.worker.connections > 0, timeout=WAIT_MS)  # type: ignore[union-attr]
    assert line.isHidden()

    clock.advance(minutes=5)
    went = clock.now()
    server_down(name)
    # The listener loses its connection: the line says so, with that moment.
    qtbot.waitUntil(lambda: line.isVisible(), timeout=WAIT_MS)
    assert line.text() == down_text(went)
    assert window.server_status.down

    clock.advance(minutes=2)  # a later failure does not move "since"
    dialog = _dialog(qtbot, app, sid, window)
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.result() == 0
    assert _typed(dialog) == TYPED  # ... with what was typed
    shown = dialog.form.error_text()
    assert "cannot be reached" in shown
    assert "nothing was saved" in shown
    assert line.text() == down_text(went)
    assert window.grab().save(str(tmp_path / "server_down.png"))  # looked at by hand

    loads = window.board_store.loads
    clock.advance(minutes=1)
    back = clock.now()
    server_up(name)
    qtbot.waitUntil(lambda: line.text() == back_text(back), timeout=WAIT_MS)
    assert line.isVisible()
    assert not window.server_status.down
    qtbot.waitUntil(lambda: window.board_store.loads > loads, timeout=WAIT_MS)  # reloaded
    assert VitalsService(app.ctx).readings(sid) == stored  # the failed save is not there
    qtbot.waitUntil(lambda: line.isHidden(), timeout=WAIT_MS)

    dialog.submit()  # the kept text, saved now
    assert not dialog.isVisible()
    now_stored = VitalsService(app.ctx).readings(sid)
    assert now_stored[: len(stored)] == stored
    assert [r.systolic for r in now_stored[len(stored) :]] == [121]
    window.close()


@needs_server
@pytest.mark.usefixtures("quick")
def test_a_listener_reconnecting_at_once_is_no_outage(
    qtbot: QtBot, server_app: AppContext, clock: FakeClock
) -> None:
    window = _window(qtbot, server_app)
    remote = window.live.remote
    assert remote is not None
    assert remote.worker is not None
    worker = remote.worker
    qtbot.waitUntil(lambda: worker.connections > 0, timeout=WAIT_MS)
    _admin(  # the listener's connection ended; the database still takes connections
        f"SELECT pg_terminate_backend({worker.backend_pid})"  # type: ignore[union-attr]
    )
    qtbot.waitUntil(lambda: worker.connections > 1, timeout=WAIT_MS)
    qtbot.wait(3 * server_status.WATCH_MS)
    assert window.server_status.label.isHidden()
    assert not window.server_status.down
    window.close()


@needs_server
@pytest.mark.usefixtures("quick")
def test_a_failed_save_is_the_first_failure_seen(
    qtbot: QtBot, server_app: AppContext, clock: FakeClock
) -> None:
    app = server_app
    name = app.ctx.db.server.database if app.ctx.db.server else ""
    sid = Kit(app.ctx, clock, actor_for(app, Role.NURSE)).dosed(room="2")
    window = _window(qtbot, app)
    window.live.stop()  # no listener: the save is the first to meet the outage
    window.server_status._watch_timer.stop()
    dialog = _dialog(qtbot, app, sid, window)
    _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    _admin(  # the pool's idle connections go too
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid() "
        "AND usename = current_user"
    )
    clock.advance(minutes=3)
    failed_at = clock.now()
    line = window.server_status.label
    assert line.isHidden()
    dialog.submit()
    assert dialog.isVisible()
    assert _typed(dialog) == TYPED
    qtbot.waitUntil(lambda: line.isVisible(), timeout=WAIT_MS)  # queued from the failure
    assert line.text() == down_text(failed_at)
    clock.advance(minutes=1)
    server_up(name)
    qtbot.waitUntil(lambda: line.text() == back_text(clock.now()), timeout=WAIT_MS)
    window.close()


def test_unknown_outcome_is_said_and_the_text_kept(
    qtbot: QtBot, app: AppContext, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    nurse = actor_for(app, Role.NURSE)
    app.actor = nurse
    sid = Kit(app.ctx, clock, nurse).dosed(room="2")
    server = parse_server_url("postgresql://kapdesk@clinic.example/kapdesk")

    def lost_in_commit(*_a: object, **_k: object) -> None:
        raise ServerUnreachable(server, "server closed the connection", unknown_outcome=True)

    monkeypatch.setattr(VitalsService, "record", lost_in_commit)
    dialog = QuickVitalsDialog(app, sid, "Room 2")
    qtbot.addWidget(dialog)
    dialog.show()
    for key, text in TYPED.items():
        dialog.form.edits[key].setText(text)
    dialog.submit()
    assert dialog.isVisible()
    assert _typed(dialog) == TYPED
    assert "cannot tell whether it was saved" in dialog.form.error_text()


def test_on_a_file_there_is_no_line_and_no_probe(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    status = window.server_status
    assert not status.watching
    nurse = actor_for(app, Role.NURSE)
    sid = Kit(app.ctx, clock, nurse).dosed(room="2")

    def busy(*_a: object, **_k: object) -> None:
        raise DatabaseBusy(app.ctx.db.path)

    monkeypatch.setattr(VitalsService, "record", busy)
    dialog = _dialog(qtbot, app, sid, window)
    dialog.submit()
    assert dialog.isVisible()
    assert _typed(dialog) == TYPED
    qtbot.wait(50)
    assert status.label.isHidden()
    assert status.probes == 0
    assert not status._probe_timer.isActive()
    assert not status._watch_timer.isActive()
