"""How often the board query runs in the main window (issue 13): one query serves the Today
board and the alert centre, on ticks, on the 5 s requery and on a change set; a reading
re-reads only its own session's row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.models.board import COL_NEXT

from .conftest import Query


@pytest.fixture
def window(
    qtbot: QtBot, app: AppContext, kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    w = MainWindow(app, resume=False)
    w.board_store.stop()  # ticked by hand after moving the fake clock
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_ticks_and_the_five_second_requery_run_one_query_for_both_views(
    window: MainWindow, kit: Kit, clock: FakeClock, queries: list[Query]
) -> None:
    kit.dosed(room="2")
    window.board_store.load()  # the whole board now: the next whole query 5 s after it
    queries.clear()
    for _ in range(4):
        clock.advance(seconds=1)
        window.board_store.tick()
    assert queries == []  # ticks recompute from the clock
    clock.advance(seconds=1)
    window.board_store.tick()
    assert queries == [None]  # one query for the board and the alert centre
    assert window.today.model.rowCount() == 1


def test_a_reading_rereads_only_its_sessions_row(
    window: MainWindow, kit: Kit, clock: FakeClock, queries: list[Query]
) -> None:
    sid = kit.dosed(room="2")
    other = kit.dosed(mrn="MRN-3", room="3")
    clock.advance(minutes=21)
    window.board_store.tick()
    row = window.today.model.row_of_session(sid)
    assert row is not None
    queries.clear()
    kit.vitals.record(kit.nurse, sid, 118, 76, pulse=72, spo2=88)  # an alert reading
    assert queries == [frozenset({sid})]
    assert "Recheck" in window.today.model.cell_text(row, COL_NEXT)  # of the alert reading
    assert window.today.model.row_at(row).alerts  # the board shows it ...
    assert [a.session_id for a in window.alerts.active if a.is_reading_alert] == [sid]  # ... and
    assert window.today.model.row_of_session(other) is not None  # the other row is kept


def test_a_change_of_a_session_itself_reloads_the_whole_board(
    window: MainWindow, kit: Kit, queries: list[Query]
) -> None:
    kit.dosed(room="2")
    waiting = kit.scheduled(mrn="MRN-3", room="3")
    queries.clear()
    kit.sessions.check_in(kit.nurse, waiting)  # its state: which rooms are held can change
    assert queries == [None]
    row = window.today.model.row_of_session(waiting)
    assert row is not None
    assert window.today.model.row_at(row).state == "checked_in"


def test_a_sessions_row_alone_is_its_row_of_the_whole_board(
    app: AppContext, kit: Kit, clock: FakeClock
) -> None:
    from kapdesk.services.board import today_board

    dosed = kit.dosed(room="2")
    waiting = kit.scheduled(mrn="MRN-3", room="2")  # due now in a room a running one holds
    clock.advance(minutes=1)
    whole = {r.session_id: r for r in today_board(app.ctx)}
    assert any("in use by" in f for f in whole[waiting].flags)  # names the other session
    for sid in (dosed, waiting):
        assert today_board(app.ctx, only={sid}) == [whole[sid]]


def test_warming_runs_the_whole_board_and_one_row_query(
    app: AppContext, kit: Kit, queries: list[Query]
) -> None:
    from kapdesk.services.board import warm_board

    warm_board(app.ctx)  # an empty day: the whole board only
    assert queries == [None]
    sid = kit.dosed(room="2")
    queries.clear()
    warm_board(app.ctx)  # what the sign-in window's preload runs
    assert queries == [None, frozenset({sid})]
