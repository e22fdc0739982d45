"""The app against a clinic server, in one fresh process per measurement (bench_pg.py).

    python tests/bench/pg_gui_child.py WHAT --db NAME --end ISO [options]

``NAME`` is a database on the server of ``pg_clinics`` (a work copy). Every child runs the
app as users run it (``bench_app``): the app's own QApplication (stylesheet, icon), the
clinic opened as ``run_gui`` opens a server URL (``build_app_context``), a clinician signed
in through the real sign-in window, the main window with its lock-screen stack, its Today
board painted, its live updates listening (``ui/remote_changes.py``: LISTEN on the server).
Each prints one JSON object on stdout.

* ``board --writers 4 --seconds S``: four writer processes (``pg_writer.py``, a room's
  sessions each) record readings while the board is open. Every second the board is
  refreshed as the app does it, alternately (a) on the GUI thread (``BoardStore.load``:
  what a change set that moves sessions, or "reload everything", runs) and (b) as the
  timer's 5-s re-query (the query on the store's worker thread, the rows applied on the
  GUI thread); each time after the clinic clock moved on a minute, so every running row's
  countdown changes and the table repaints. Timed: from the refresh started to the table
  painted with its rows (and the loop idle), plus (b)'s longest GUI stall. And every
  reading the writers commit is followed to the screen: from its commit (the writer's
  feed, just after COMMIT; ``perf_counter`` is CLOCK_MONOTONIC, one clock for all
  processes) to the first paint of the board after its row was reloaded with it, or, when
  the reading changed no cell of its row (most readings fill no new due item), to the
  moment its row had been reloaded (there is nothing more to paint). Writers record only
  on running sessions whose rows are on screen (a row scrolled away paints nothing).
* ``search --runs N``: patient search per keystroke on the Patients page (as
  ``bench_gui.search``), and the floor: the app's own statements, caught as they run, run
  again through psycopg on the same server with the same parameters, 50 rows fetched.
* ``chart``/``chart-early``: ``bench_gui.chart``/``bench_gui.chart_early`` as they are,
  on the server's main window.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import bench_app as B  # noqa: E402  (sets the offscreen platform before Qt loads)
import bench_gui  # noqa: E402
from pg_clinics import connect, server_url  # noqa: E402
from pg_writer import SharedClock  # noqa: E402

MINUTE_S = 60.0
REFRESH_EVERY_MS = 1000


def main_window(db: str, end: datetime, clock: Any = None) -> Any:
    """The real app on the server database ``db``: signed in, board painted, idle."""
    from kapdesk.domain.clock import FakeClock
    from kapdesk.ui.app_context import build_app_context

    B.real_qapp()
    app = build_app_context(server_url(db), demo=False, clock=clock or FakeClock(end))
    window, _ = B.sign_in(app)
    if window.live.remote is None:
        raise RuntimeError("the main window's live updates did not start")
    return window


# ---------------------------------------------------------------- board + writers


class ScreenTracker:
    """Follows every reading heard through the live updates to the board's next paint."""

    def __init__(self, window: Any) -> None:
        from kapdesk.services.changes import Kind

        self.window = window
        self.store = window.board_store
        self.rows = {r.session_id: r for r in self.store.rows}
        self.changed: set[int] = set()
        # reading id -> (its change set handled, a watch for the next paint, its row changed)
        self.seen: dict[int, tuple[float, Any, bool]] = {}
        self.everything = 0
        self._kind = Kind.READING
        # connected after the views' and the store's own slots: they have run when these do
        self.store.updated.connect(self._updated)
        window.app.signals.data_changed.connect(self._changes)

    def _updated(self, _now: object) -> None:
        new = {r.session_id: r for r in self.store.rows}
        self.changed = {s for s, r in new.items() if self.rows.get(s) != r}  # this load's
        self.rows = new

    def _changes(self, changes: Any) -> None:
        if changes.everything:
            self.everything += 1
        ids = [(int(c.id), c.session_id) for c in changes if c.kind == self._kind]
        if not ids:
            return
        t = B.now_ms()
        visible = any(s in self.changed for _, s in ids)
        watch = B.PaintWatch(self.window.today.table.viewport()) if visible else None
        for rid, _sid in ids:
            self.seen[rid] = (t, watch, visible)
        self.changed = set()


def _refresh_gui(window: Any) -> dict[str, float]:
    store = window.board_store
    watch = B.PaintWatch(window.today.table.viewport())
    start = B.now_ms()
    if not store.load():
        raise RuntimeError(f"the board query failed: {store.error}")
    loaded = B.now_ms()
    B.run_until(lambda: watch.done, 10_000, "board refreshed and painted")
    return {"painted": watch.painted_ms - start, "idle": watch.idle_ms - start,  # type: ignore[operator]
            "loaded": loaded - start}  # fmt: skip


def _refresh_timer(window: Any) -> dict[str, float]:
    store = window.board_store
    loads = store.loads
    monitor = B.StallMonitor().start()
    start = B.now_ms()
    store.timer.timeout.emit()  # the timer's second, its rows 5 s old: the worker queries
    B.run_until(lambda: store.loads != loads, 10_000, "re-queried rows applied")
    applied = B.now_ms()
    watch = B.PaintWatch(window.today.table.viewport())
    # the tick itself repainted the countdowns; rows equal to those shown paint nothing
    B.run_until(lambda: watch.done or B.now_ms() - applied > 50, 10_000, "re-queried rows")
    B.run_loop_for(20)
    end = watch.painted_ms if watch.painted_ms is not None else applied
    return {"painted": end - start, "applied": applied - start, "stall": monitor.stop(),
            "repainted": watch.painted_ms is not None}  # fmt: skip


def _board_statements(window: Any) -> list[tuple[str, Any]]:
    """The statements one whole-board load sends, caught as they run (untimed)."""
    from sqlalchemy import event

    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: Any) -> None:
        caught.append((statement, params))

    engine = window.app.ctx.db.engine
    event.listen(engine, "before_cursor_execute", catch)
    try:
        window.board_store.load()
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    B.wait_idle()
    return caught


def _replay(conn: Any, statements: list[tuple[str, Any]]) -> float:
    """The floor: the board load's statements through psycopg in one transaction, every row
    fetched; ms."""
    start = B.now_ms()
    with conn.cursor() as cur:
        for statement, params in statements:
            cur.execute(statement, params)
            if cur.description is not None:
                cur.fetchall()
    conn.commit()
    return B.now_ms() - start


def _on_screen(window: Any, sessions: list[int]) -> list[int]:
    """Those of ``sessions`` whose board row is inside the table's viewport."""
    table, model = window.today.table, window.today.model
    area = table.viewport().rect()
    out = []
    for sid in sessions:
        index = model.index(model.row_of_session(sid), 0)
        if table.visualRect(index).intersects(area):
            out.append(sid)
    if not out:
        raise RuntimeError("no running session's row is on screen")
    return out


Writers = list[tuple[subprocess.Popen[str], list[str], threading.Thread]]


def _writers(db: str, clock: SharedClock, end: datetime, sessions: list[int], n: int,
             pause_ms: float) -> Writers:  # fmt: skip
    """``n`` writer processes, each recording on its share of ``sessions``, started together
    and ready (their context built, waiting for "go")."""
    procs = []
    for i in range(n):
        cmd = [sys.executable, str(HERE / "pg_writer.py"), "--db", db, "--clock", str(clock.path),
               "--end", end.isoformat(), "--sessions", ",".join(map(str, _share(sessions, i, n))),
               "--pause-ms", str(pause_ms)]  # fmt: skip
        procs.append(
            subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        )
    out: Writers = []
    for i, proc in enumerate(procs):
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if line != '"ready"':
            raise RuntimeError(f"writer {i} did not start: {line!r}")
        lines: list[str] = []
        reader = threading.Thread(target=lambda p=proc, ls=lines: ls.extend(p.stdout), daemon=True)  # type: ignore[misc]
        reader.start()
        out.append((proc, lines, reader))
    return out


def _share(sessions: list[int], i: int, n: int) -> list[int]:
    """Writer ``i``'s sessions (one each, shared round the writers, when fewer than ``n``)."""
    return sessions[i::n] or [sessions[i % len(sessions)]]


def _tell(writers: Writers, word: str) -> None:
    for proc, *_ in writers:
        assert proc.stdin is not None
        proc.stdin.write(word + "\n")
        proc.stdin.flush()


def _latencies(tracker: ScreenTracker, lines: list[str]) -> dict[str, Any]:
    """Commit to painted per reading the writers confirmed (and how many were not seen)."""
    painted, unchanged, missing, refused, written = [], [], 0, [], 0
    for line in lines:
        item = json.loads(line)
        if "refused" in item:
            refused.append(item)
        if "id" not in item:
            continue
        written += 1
        seen = tracker.seen.get(item["id"])
        if seen is None:
            missing += 1
            continue
        loaded, watch, visible = seen
        if visible and watch is not None and watch.painted_ms is not None:
            painted.append(watch.painted_ms - item["t"])
        else:  # no cell changed: the board is up to date once its row was reloaded
            unchanged.append(loaded - item["t"])
    return {"painted": painted, "unchanged": unchanged, "missing": missing,
            "written": written, "refused": refused[:3]}  # fmt: skip


def board(db: str, end: datetime, clock_file: Path, writers: int, seconds: float,
          pause_ms: float) -> dict[str, Any]:  # fmt: skip
    from kapdesk.ui.models.board import RUNNING_STATES

    clock = SharedClock(clock_file, end)
    clock.move_to(0.0)
    window = main_window(db, end, clock)
    rows = window.today.model.rows
    running = [r.session_id for r in rows if r.state in RUNNING_STATES]
    shown = _on_screen(window, running)  # a reading off screen paints nothing
    statements = _board_statements(window)
    floor_conn = connect(db, autocommit=False)
    procs = _writers(db, clock, end, shown, writers, pause_ms)
    tracker = ScreenTracker(window)
    gui: list[dict[str, float]] = []
    timer: list[dict[str, float]] = []
    floor: list[float] = []
    _tell(procs, "go")
    started = time.perf_counter()
    try:
        n = 0
        while time.perf_counter() - started < seconds:
            B.run_loop_for(REFRESH_EVERY_MS)
            window.screen_lock.watcher.reset()  # a nurse at the board: no idle lock
            if window.screen_lock.locked:
                raise RuntimeError("the screen locked during the board benchmark")
            clock.move_to(clock.offset() + MINUTE_S)  # every running row's countdown moves
            (gui if n % 2 == 0 else timer).append(
                (_refresh_gui if n % 2 == 0 else _refresh_timer)(window)
            )
            floor.append(_replay(floor_conn, statements))
            n += 1
    finally:
        _tell(procs, "stop")
    # the event loop runs meanwhile: the last readings' notifications and paints arrive
    B.run_until(lambda: all(p.poll() is not None for p, *_ in procs), 30_000, "writers done")
    B.run_loop_for(1500)
    for _, _, reader in procs:
        reader.join(5)
    floor_conn.close()
    lines = [line for _, ls, _ in procs for line in ls]
    return {"rows": len(rows), "running": len(running), "shown": len(shown), "gui": gui,
            "timer": timer, "floor": floor, "statements": len(statements),
            "everything": tracker.everything, **_latencies(tracker, lines)}  # fmt: skip


# ---------------------------------------------------------------- search, charts


def search(db: str, end: datetime, runs: int) -> dict[str, Any]:
    """``bench_gui.search`` on the server: the same keystrokes and end point."""
    from sqlalchemy import event

    from kapdesk.ui.patient_list import RESULT_LIMIT

    window = main_window(db, end)
    lst = bench_gui._patients_page(window).list
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: Any) -> None:
        if "FROM patients" in statement:
            caught.append((statement, params))

    engine = window.app.ctx.db.engine
    event.listen(engine, "before_cursor_execute", catch)
    samples: list[float] = []
    queries: list[tuple[str, Any]] = []
    slowest = ("", 0.0)
    for round_ in range(runs + 1):  # the first round warms caches and is not kept
        for word in bench_gui.SEARCHES:
            lst.search.clear()
            lst.run_search()
            for n in range(1, len(word) + 1):
                caught.clear()
                start = time.perf_counter()
                lst.search.setText(word[:n])
                lst.run_search()
                ms = (time.perf_counter() - start) * 1000
                if len(caught) != 1:
                    raise RuntimeError(f"{len(caught)} patient queries for {word[:n]!r}")
                if round_:
                    samples.append(ms)
                    queries.append(caught[0])
                    slowest = max(slowest, (word[:n], ms), key=lambda s: s[1])
    event.remove(engine, "before_cursor_execute", catch)
    return {"samples": samples, "floor": _search_floor(db, queries, RESULT_LIMIT),
            "slowest": slowest, "sql": queries[0][0]}  # fmt: skip


def _search_floor(db: str, queries: list[tuple[str, Any]], limit: int) -> list[float]:
    """The app's own statements through psycopg on the same server, ``limit`` rows fetched
    100 at a time; one untimed round first."""
    keystrokes = sum(len(w) for w in bench_gui.SEARCHES)
    out: list[float] = []
    with connect(db) as conn:
        for statement, params in queries[:keystrokes] + queries:
            start = time.perf_counter()
            with conn.cursor() as cur:
                cur.execute(statement, params)
                got = 0
                while got < limit:
                    batch = cur.fetchmany(100)
                    if not batch:
                        break
                    got += len(batch)
            out.append((time.perf_counter() - start) * 1000)
    return out[keystrokes:]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("board", "search", "chart", "chart-early"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--end", type=datetime.fromisoformat, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clock", type=Path)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pause-ms", type=float, default=500.0)
    parser.add_argument("--cold", type=int)
    parser.add_argument("--largest", type=int)
    parser.add_argument("--warm", type=lambda v: [int(x) for x in v.split(",") if x], default=[])
    a = parser.parse_args()
    # bench_gui's chart measurements as they are, on the server's main window
    bench_gui._main_window = lambda db, end: main_window(str(db), end)  # type: ignore[assignment]
    if a.what == "board":
        result = board(a.db, a.end, a.clock, a.writers, a.seconds, a.pause_ms)
    elif a.what == "search":
        result = search(a.db, a.end, a.runs)
    elif a.what == "chart":
        result = bench_gui.chart(a.db, a.end, a.cold, a.warm, a.largest)
    else:
        result = bench_gui.chart_early(a.db, a.end, a.cold)
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Qt teardown: nothing is measured after this


if __name__ == "__main__":
    raise SystemExit(main())
