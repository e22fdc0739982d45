"""The board store's 5 s re-query runs off the GUI thread (issue 13): the timer's tick hands
the query to a worker thread (its own database session), the rows are applied in place when
they arrive, a result older than a query started since is dropped, one query still serves
the board and the alert centre, and an alert reading still shows the moment it is committed
while a background query is in flight."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.board import BoardService
from kapdesk.services.screen_dtos import BoardRow
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.board_store import BoardStore
from kapdesk.ui.main_window import MainWindow


class Queries:
    """Every whole-board query the service runs, the thread it ran on, and a gate that holds
    the worker thread's queries until opened."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.left = threading.Event()  # a worker's query got past the gate (or gave up)


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queries]:
    seen = Queries()
    original = BoardService.today_board
    gui = threading.get_ident()

    def counting(self: BoardService, *args: object, **kw: object) -> list[BoardRow]:
        if not kw.get("only"):
            seen.threads.append(threading.get_ident())
        if threading.get_ident() != gui:
            seen.entered.set()
            try:
                assert seen.gate.wait(10)
            finally:
                seen.left.set()
        return original(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(BoardService, "today_board", counting)
    yield seen
    seen.gate.set()


@pytest.fixture
def window(
    qtbot: QtBot, app: AppContext, kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    w = MainWindow(app, resume=False)
    w.board_store.timer.stop()  # its timeout is emitted by hand after moving the fake clock
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def _timer_second(store: BoardStore) -> None:
    store.timer.timeout.emit()  # exactly what the timer runs every second


def test_the_timers_requery_runs_on_a_worker_thread_and_is_applied_when_read(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    store = window.board_store
    kit.dosed(room="2")
    store.load()
    assert window.today.model.rowCount() == 1
    kit.dosed(mrn="MRN-3", room="3")  # a change set: read at once, on the GUI thread
    assert window.today.model.rowCount() == 2
    queries.threads.clear()
    loads = store.loads
    clock.advance(seconds=5)
    _timer_second(store)
    assert store.querying  # handed over, not read on the GUI thread
    qtbot.waitUntil(lambda: store.loads == loads + 1, timeout=5000)
    assert len(queries.threads) == 1  # one query for the board and the alert centre
    assert queries.threads[0] != threading.get_ident()
    assert not store.querying
    assert store.queried_at == clock.now()
    assert window.today.model.rowCount() == 2


def test_the_ticks_between_requeries_query_nothing(
    window: MainWindow, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    store = window.board_store
    kit.dosed(room="2")
    store.load()
    queries.threads.clear()
    for _ in range(4):
        clock.advance(seconds=1)
        _timer_second(store)
        assert not store.querying
    assert queries.threads == []


def test_a_background_result_older_than_a_change_is_dropped(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    store = window.board_store
    kit.dosed(room="2")
    store.load()
    clock.advance(seconds=5)
    queries.gate.clear()
    queries.entered.clear()
    _timer_second(store)
    assert queries.entered.wait(5)  # the worker is reading the board as it was
    other = kit.dosed(mrn="MRN-3", room="3")  # committed meanwhile: read at once
    assert {r.session_id for r in store.rows} >= {other}
    loads = store.loads
    stale = [r for r in store.rows if r.session_id != other]
    queries.gate.set()
    qtbot.waitUntil(lambda: not store.querying, timeout=5000)
    # whatever the worker read, it started before the change's query: never shown over it
    assert store.dropped == 1
    assert store.loads == loads
    assert {r.session_id for r in store.rows} == {other, *(r.session_id for r in stale)}
    assert window.today.model.rowCount() == 2
    clock.advance(seconds=1)  # the rows are still 5 s old: the next second asks again
    _timer_second(store)
    assert store.querying
    qtbot.waitUntil(lambda: store.loads == loads + 1, timeout=5000)


def test_an_alert_reading_shows_at_once_while_a_background_query_is_in_flight(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    store = window.board_store
    sid = kit.dosed(room="2")
    store.load()
    clock.advance(minutes=12)
    queries.gate.clear()
    queries.entered.clear()
    _timer_second(store)
    assert queries.entered.wait(5)
    kit.vitals.record(kit.nurse, sid, 118, 76, pulse=80, spo2=88)
    # the committed change set read the row on the GUI thread: the banner is up already
    [banner] = window.alert_bar.banners
    assert banner.property("level") == "alert"
    assert window.today.model.row_at(0).alerts
    queries.gate.set()
    qtbot.waitUntil(lambda: not store.querying, timeout=5000)
    assert [b.property("level") for b in window.alert_bar.banners] == ["alert"]
    assert window.today.model.row_at(0).alerts


def test_a_due_reading_alerts_when_the_background_rows_arrive(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    store = window.board_store
    kit.dosed(room="2")
    store.load()
    clock.advance(minutes=20, seconds=1)  # the 20-30 min reading falls due
    _timer_second(store)  # alerts from the clock at once, on the rows already read
    assert [a.level for a in window.alerts.active] == ["due"]
    qtbot.waitUntil(lambda: not store.querying, timeout=5000)
    assert [a.level for a in window.alerts.active] == ["due"]  # raised once


def test_the_arriving_rows_announce_only_the_rows_that_changed(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    store = window.board_store
    kit.dosed(room="2")
    kit.dosed(mrn="MRN-3", room="3")
    store.load()
    model = window.today.model
    resets: list[int] = []
    rows: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, *_: rows.append((a.row(), b.row())))
    clock.advance(seconds=5)
    _timer_second(store)
    rows.clear()
    loads = store.loads
    qtbot.waitUntil(lambda: store.loads == loads + 1, timeout=5000)
    assert resets == []  # the same sessions: applied in place
    assert rows == []  # the same rows read again: no cell announced


def test_closing_does_not_wait_for_a_query_that_does_not_come_back_and_drops_it(
    qtbot: QtBot, app: AppContext, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    store = BoardStore(app)
    store.timer.stop()
    kit.dosed(room="2")
    store.load()
    loads = store.loads
    queries.gate.clear()  # the worker's read hangs (a server that does not answer)
    clock.advance(seconds=5)
    _timer_second(store)
    assert queries.entered.wait(5)
    store.stop()  # sign-out, exit: returns while the read is still blocked
    assert not queries.left.is_set()
    assert store.querying
    queries.gate.set()  # the late rows are delivered, and dropped
    qtbot.waitUntil(lambda: store.dropped == 1, timeout=5000)
    assert store.loads == loads
    assert not store.querying


def test_a_background_query_that_does_not_come_back_says_alerts_are_not_updating(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, queries: Queries
) -> None:
    from kapdesk.ui.board_store import STUCK_AFTER, BoardQueryStuck

    store = window.board_store
    kit.dosed(room="2")
    store.load()
    queries.threads.clear()
    queries.gate.clear()  # a cut network or a hung server: the read neither ends nor fails
    clock.advance(seconds=5)
    _timer_second(store)
    assert queries.entered.wait(5)
    started = clock.now()
    while clock.now() - started < STUCK_AFTER - timedelta(seconds=1):
        clock.advance(seconds=1)
        _timer_second(store)
        assert not store.failing  # a slow read is not yet a failure
    clock.advance(seconds=1)
    _timer_second(store)
    assert store.failing
    assert isinstance(store.error, BoardQueryStuck)
    assert store.failing_since == clock.now()
    assert window.alert_bar.stale_banner.isVisible()
    assert window.today.model.rowCount() == 1  # the last rows stay
    for _ in range(5):  # still stuck: still failing, since the same moment, no query piled on
        clock.advance(seconds=1)
        _timer_second(store)
    assert store.failing_since == started + STUCK_AFTER
    assert len(queries.threads) == 1
    queries.gate.set()  # the server answers: the rows arrive and the banner goes
    qtbot.waitUntil(lambda: not store.querying, timeout=5000)
    assert not store.failing
    assert not window.alert_bar.stale_banner.isVisible()


def test_a_failing_background_query_shows_alerts_not_updating_until_it_works_again(
    qtbot: QtBot,
    app: AppContext,
    window: MainWindow,
    kit: Kit,
    clock: FakeClock,
    queries: Queries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kapdesk.storage.errors import DatabaseBusy

    store = window.board_store
    kit.dosed(room="2")
    store.load()
    original = BoardService.today_board
    failing = {"on": True}

    def busy(self: BoardService, *args: object, **kw: object) -> list[BoardRow]:
        if failing["on"]:
            raise DatabaseBusy(app.ctx.db.path)
        return original(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(BoardService, "today_board", busy)
    clock.advance(seconds=5)
    _timer_second(store)
    qtbot.waitUntil(lambda: not store.querying, timeout=5000)
    assert store.failing
    assert window.alert_bar.stale_banner.isVisible()
    assert window.today.model.rowCount() == 1  # the last rows stay
    clock.advance(seconds=1)  # retried the next second, off the GUI thread too
    failing["on"] = False
    _timer_second(store)
    assert store.querying
    qtbot.waitUntil(lambda: not store.querying, timeout=5000)
    assert not store.failing
    assert not window.alert_bar.stale_banner.isVisible()
