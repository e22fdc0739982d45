"""What one child process of the board benchmarks measures (bench_board.py runs them).

    python tests/bench/board_child.py WHAT --db PATH --end ISO [--rows N] [--ticks N]

Each prints one JSON object. WHAT:

* ``session``: the app (bench_app: real QApplication, clinic, sign-in typed into the
  sign-in window): cold sign-in (the first in this process) timed to the Today board
  painted and to the event loop idle after it, the password check and the sign-in window's
  longest stall after its first paint (preload); one reading typed on the board (V, four
  values, Enter) timed from the Enter key to the last paint after the board's table was
  repainted with it, and to the event loop idle after that paint; ``ticks``
  rounds of per-second ticks of the board (the store's timer slot with the clock on, until
  the table is repainted); sign out and a warm sign-in.
* ``floor``: the same work minus the app, under the same QApplication (stylesheet, fonts):
  a QMainWindow of the main window's size with a same-size QTableWidget built and painted;
  its two time columns rewritten and repainted (tick); the same INSERTs (reading + audit
  entry) and COMMIT through sqlite3 on the same file plus one cell repainted, to the last
  paint and to the loop idle after it (reading);
  the longest gap of a bare event loop over the sign-in window's watch (stall).
* ``service``: ``VitalsService.record`` alone (no GUI), per reading.
* ``exit``: ``run_gui`` driven as a person (sign in, close the main window): the longest
  stall of the GUI thread from the close until run_gui returns (the exit backup), and when.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_app as B  # sets the offscreen platform before Qt loads

TICKS = 8
VALUES = ("118", "78", "72", "98")  # a reading within limits: no alert box
QUIET_MS = 300  # no paint for this long after the loop was idle: the last paint was seen


def _tick_once(window: Any, to: datetime) -> tuple[float, bool, bool]:
    """One tick of the board store's timer with the clock at ``to``: ms until the table was
    repainted (or, when no cell changed, until the tick's work was done); whether it
    re-queried and whether it repainted."""
    store = window.board_store
    window.app.ctx.clock.set(to)
    loads = store.loads
    watch = B.PaintWatch(window.today.table.viewport())
    start = B.now_ms()
    store.timer.timeout.emit()  # what the timer runs every second
    work = B.now_ms() - start
    # a changed cell is repainted on a later turn of the loop (Qt batches updates)
    B.run_until(lambda: watch.done or B.now_ms() - start > work + 50, 5000, "tick")
    painted = watch.painted_ms is not None
    return (watch.painted_ms - start if painted else work), store.loads != loads, painted  # type: ignore[operator]


def _requery_once(window: Any, to: datetime) -> tuple[float, float]:
    """The timer's tick with the rows 5 s old: the board query runs (on the store's worker
    thread when it has one) and its rows are applied and repainted. The longest time the GUI
    thread was blocked from the tick until 50 ms after the rows were applied (the tick's own
    work, applying them, the repaint), and ms from the tick until they were applied."""
    store = window.board_store
    window.app.ctx.clock.set(to)
    loads = store.loads
    monitor = B.StallMonitor().start()
    start = B.now_ms()
    store.timer.timeout.emit()  # what the timer runs every second
    B.run_until(lambda: store.loads != loads, 10_000, "re-queried rows applied")
    applied = B.now_ms() - start
    B.run_loop_for(50)  # their repaint (Qt batches updates onto a later turn)
    return monitor.stop(), applied


def ticks(window: Any, n: int) -> dict[str, Any]:
    """``n`` times: the tick two seconds before a minute turns (it re-queries: the rows are
    more than 5 s old), the next second's (nothing to re-query, usually no text changes)
    and the one where the minute turns (countdowns and "since dose" change: repainted)."""
    from datetime import timedelta

    store = window.board_store
    store.timer.stop()  # driven by hand below, exactly as the timer would
    B.run_loop_for(300)
    out: dict[str, list[float]] = {"tick_requery": [], "tick_plain": [], "tick_minute": [],
                                   "requery_applied": []}  # fmt: skip
    repainted = 0
    clock = window.app.ctx.clock
    for _ in range(n):
        # The clock moves a minute per round: without activity the idle lock would cover the
        # board after a few rounds and later ticks would repaint nothing (a flatter figure).
        window.screen_lock.watcher.reset()
        if window.screen_lock.locked:
            raise RuntimeError("the screen locked during the tick benchmark")
        turn = (clock.now() + timedelta(seconds=65)).replace(second=0, microsecond=0)
        stall, applied = _requery_once(window, turn - timedelta(seconds=2))
        out["tick_requery"].append(stall)
        out["requery_applied"].append(applied)
        B.run_loop_for(50)
        for key, at in (("tick_plain", -1), ("tick_minute", 0)):
            ms, _queried, painted = _tick_once(window, turn + timedelta(seconds=at))
            out[key].append(ms)
            repainted += painted and key == "tick_minute"
            B.run_loop_for(50)
    store.timer.start()
    return {**out, "tick_minute_repainted": repainted}


def _reading_row(window: Any) -> int | None:
    """The first running session's row with a reading due (or overdue) now: the reading
    fills it, so the row changes (an extra reading would not)."""
    from kapdesk.ui.reading_for import row_reading_refusal

    model = window.today.model
    rows = [model.row_at(r) for r in range(model.rowCount())]
    fits = [i for i, r in enumerate(rows) if not row_reading_refusal(r)]
    due = [i for i in fits if rows[i].next_due and rows[i].next_due.status in ("due", "overdue")]
    return due[0] if due else None


def _reading_due(window: Any) -> int:
    """The row of :func:`_reading_row`; when none is due (an earlier run on this copy
    recorded it), the clock moves on a minute at a time until one is (untimed)."""
    from datetime import timedelta

    clock = window.app.ctx.clock
    for _ in range(120):
        index = _reading_row(window)
        if index is not None:
            return index
        clock.set(clock.now() + timedelta(minutes=1))
        window.screen_lock.watcher.reset()  # a nurse at the board: no idle lock meanwhile
        window.board_store.load()
        B.wait_idle()
    model = window.today.model
    states = sorted({(r.state, str(r.next_due and r.next_due.status))
                     for r in (model.row_at(i) for i in range(model.rowCount()))})  # fmt: skip
    raise RuntimeError(f"no board row has a reading due in two hours: {states}")


def reading(window: Any) -> dict[str, Any]:
    """V on the board, the four values typed, Enter: ms from Enter to the LAST paint of the
    application (the board's table painted after the store reloaded is required; a full
    repaint can follow it, e.g. the main window re-activated after the dialog closed) and
    to the event loop idle after that paint; the first table paint after the reload, the
    reload and how many paint events came, as information."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel

    today, store = window.today, window.board_store
    index = _reading_due(window)
    session_id = today.model.row_at(index).session_id
    today.table.selectRow(index)
    today.table.setFocus()
    QTest.keyClick(today.table, Qt.Key.Key_V)
    dialog = today.vitals_dialog
    B.run_until(lambda: dialog is not None and dialog.isVisible(), 5000, "vitals dialog")
    B.wait_idle()
    for n, value in enumerate(VALUES):
        if n:
            QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        QTest.keyClicks(dialog.focusWidget(), value)
    loads, before = store.loads, today.model.row_at(index)
    seen: dict[str, Any] = {}

    def reloaded(_now: object) -> None:
        if store.loads != loads and "watch" not in seen:
            seen["watch"] = B.PaintWatch(today.table.viewport())
            seen["loaded"] = B.now_ms()

    store.updated.connect(reloaded)
    last = B.LastPaintWatch().start()
    start = B.now_ms()
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    B.run_until(lambda: "watch" in seen and seen["watch"].done and last.settled(QUIET_MS),
                10_000, "reading on the board, then no paint for QUIET_MS")  # fmt: skip
    last.stop()
    store.updated.disconnect(reloaded)
    after = today.model.row_at(today.model.row_of_session(session_id))
    if dialog.result_reading is None:
        raise RuntimeError(f"the reading was not recorded: {dialog.findChildren(QLabel)}")
    if after == before:
        raise RuntimeError(f"the board row did not change: {before}")
    watch = seen["watch"]
    return {"reading": last.painted_ms - start, "reading_idle": last.idle_ms - start,  # type: ignore[operator]
            "reading_first_paint": watch.painted_ms - start, "reading_paints": last.paints,
            "reading_loaded": seen["loaded"] - start, "reading_quiet": QUIET_MS}  # fmt: skip


def session(db: Path, end: datetime, n_ticks: int) -> dict[str, Any]:
    B.real_qapp()
    app = B.open_clinic(db, end)
    window, cold = B.sign_in(app)
    out: dict[str, Any] = {
        "rows": cold.rows, "cold_painted": cold.painted_ms, "cold_idle": cold.accepts_input_ms,
        "password": cold.password_check_ms, "login_stall": cold.login_stall_ms,
        "login_painted": cold.login_painted_ms, "preload": cold.extra.get("preload_ms"),
    }  # fmt: skip
    B.run_loop_for(500)
    out.update(reading(window))  # at the clinic's "now", on the board as it was opened
    out.update(ticks(window, n_ticks))
    B.sign_out(window)
    window, warm = B.sign_in(app, again=True)
    out.update(warm_painted=warm.painted_ms, warm_idle=warm.accepts_input_ms)
    return out


def _floor_window(rows: int, cols: int) -> tuple[Any, Any, float, float]:
    from PySide6.QtWidgets import QMainWindow, QTableWidget, QTableWidgetItem

    start = B.now_ms()
    window = QMainWindow()
    table = QTableWidget(rows, cols)
    for r in range(rows):
        for c in range(cols):
            table.setItem(r, c, QTableWidgetItem(f"cell {r}:{c} text"))
    window.setCentralWidget(table)
    window.resize(1280, 800)
    watch = B.PaintWatch(table.viewport())
    window.show()
    B.run_until(lambda: watch.done, 10_000, "floor table")
    return window, table, watch.painted_ms - start, watch.idle_ms - start  # type: ignore[operator]


def _floor_repaint(table: Any, change: Any) -> float:
    watch = B.PaintWatch(table.viewport())
    start = B.now_ms()
    change()
    B.run_until(lambda: watch.done, 5000, "floor repaint")
    return watch.painted_ms - start  # type: ignore[operator]


def _floor_record(table: Any, record: Any) -> tuple[float, float]:
    """The floor of the reading with the reading's end point: to the last paint and to
    the event loop idle after it (no paint for QUIET_MS after)."""
    watch, last = B.PaintWatch(table.viewport()), B.LastPaintWatch().start()
    start = B.now_ms()
    record()
    B.run_until(lambda: watch.done and last.settled(QUIET_MS), 5000, "floor reading")
    last.stop()
    return last.painted_ms - start, last.idle_ms - start  # type: ignore[operator]


def _floor_insert(db: Path) -> Any:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    cols = [r[1] for r in conn.execute("PRAGMA table_info(vital_readings)") if r[1] != "id"]
    acols = [r[1] for r in conn.execute("PRAGMA table_info(audit_log)") if r[1] != "id"]
    reading = (f"INSERT INTO vital_readings ({', '.join(cols)}) SELECT {', '.join(cols)} "
               "FROM vital_readings ORDER BY id DESC LIMIT 1")  # fmt: skip
    audit = (f"INSERT INTO audit_log ({', '.join(map(repr, acols))}) SELECT "
             f"{', '.join(map(repr, acols))} FROM audit_log ORDER BY id DESC LIMIT 1")  # fmt: skip

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(reading)
        conn.execute(audit)
        conn.execute("COMMIT")

    return insert


def floor(db: Path, rows: int, cols: int, n_ticks: int) -> dict[str, Any]:
    from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QTableWidgetItem

    B.real_qapp()
    dialog = QDialog()  # the sign-in window's stand-in: the first window polished, painted
    form = QFormLayout(dialog)
    form.addRow("Username", QLineEdit())
    form.addRow("Password", QLineEdit())
    dialog.show()
    B.wait_painted(dialog)
    monitor = B.StallMonitor().start()
    B.run_loop_for(B.SETTLE_MS)
    stall = monitor.stop()
    dialog.close()
    _window, table, painted, idle = _floor_window(rows, cols)
    tick: list[float] = []
    for n in range(n_ticks):

        def change(n: int = n) -> None:
            for r in range(rows):
                for c in (4, 5):  # "Since dose", "Next reading"
                    table.item(r, c).setText(f"{n} min {r}")

        tick.append(_floor_repaint(table, change))
        B.run_loop_for(50)
    insert = _floor_insert(db)
    reads: list[tuple[float, float]] = []
    for n in range(6):

        def record(n: int = n) -> None:
            insert()
            table.setItem(0, 5, QTableWidgetItem(f"recorded {n}"))

        reads.append(_floor_record(table, record))
    return {"painted": painted, "idle": idle, "tick": tick, "reading": [r[0] for r in reads[1:]],
            "reading_idle": [r[1] for r in reads[1:]], "stall": stall}  # fmt: skip


def service(db: Path, end: datetime, n: int) -> dict[str, Any]:
    """VitalsService.record alone on a running session (no Qt), ms per reading."""
    from kapdesk.composition import build_context
    from kapdesk.domain.clock import FakeClock
    from kapdesk.services.board import today_board
    from kapdesk.services.users import UserService, actor_of
    from kapdesk.services.vitals import VitalsService

    ctx = build_context(db, clock=FakeClock(end))
    actor = actor_of({u.username: u for u in UserService(ctx).list_users()}["nurse"])
    running = [r.session_id for r in today_board(ctx) if r.next_due is not None]
    service = VitalsService(ctx)
    times: list[float] = []
    for i in range(n + 1):
        ctx.clock.advance(seconds=30)  # type: ignore[attr-defined]
        start = B.now_ms()
        service.record(actor, running[i % len(running)], 118, 78, 72, 98)
        times.append(B.now_ms() - start)
    return {"service": times[1:], "median": statistics.median(times[1:])}


def exit_session(db: Path, end: datetime, settle_ms: int = 1500) -> dict[str, Any]:
    """``run_gui`` itself (its clock at ``end``), driven as a person: sign in, wait for the
    main window, close it (a clean exit); the longest stall of the GUI thread from the close
    until run_gui returns (whatever it does after its main loop: the exit backup), and when
    it returned (the backup is done by then)."""
    import functools

    from PySide6.QtCore import QTimer

    import kapdesk.ui.run as run
    from kapdesk.domain.clock import FakeClock

    qapp = B.real_qapp()
    # the one change to run_gui: the clinic's clock at its build day, as everywhere here
    opener = functools.partial(run.build_app_context, clock=FakeClock(end))  # type: ignore[attr-defined]
    run.build_app_context = opener  # type: ignore[attr-defined]
    state: dict[str, Any] = {}
    monitor = B.StallMonitor()

    def close(window: Any) -> None:
        state["rows"] = window.today.model.rowCount()
        monitor.start()
        state["closed"] = B.now_ms()
        window.close()

    def drive() -> None:
        modal: Any = qapp.activeModalWidget()
        if "typed" not in state and type(modal).__name__ == "LoginDialog" and modal.isVisible():
            state["typed"] = True
            QTimer.singleShot(300, lambda: B._type_credentials(modal, "clinician", "demo",
                                                               B.SignIn()))  # fmt: skip
        for top in qapp.topLevelWidgets():
            if type(top).__name__ == "MainWindow" and top.isVisible() and "window" not in state:
                state["window"] = True
                driver.stop()
                QTimer.singleShot(settle_ms, lambda top=top: close(top))

    driver = QTimer()
    driver.setInterval(20)
    driver.timeout.connect(drive)
    driver.start()
    code = run.run_gui(db, demo=False)
    done = B.now_ms()
    stall = monitor.stop()
    if "closed" not in state:
        raise RuntimeError(f"run_gui returned {code} before the main window was closed")
    return {"stall": stall, "done": done - state["closed"], "code": code, "rows": state["rows"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("session", "floor", "service", "exit"))
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--end", type=datetime.fromisoformat, required=True)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--cols", type=int, default=7)
    parser.add_argument("--ticks", type=int, default=TICKS)
    a = parser.parse_args()
    if a.what == "session":
        result = session(a.db, a.end, a.ticks)
    elif a.what == "exit":
        result = exit_session(a.db, a.end)
    elif a.what == "floor":
        result = floor(a.db, a.rows, a.cols, a.ticks)
    else:
        result = service(a.db, a.end, 20)
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Qt teardown: nothing is measured after this


if __name__ == "__main__":
    raise SystemExit(main())
