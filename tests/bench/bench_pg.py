"""Clinic-server benchmarks (issue 14): kapdesk against PostgreSQL on this machine.

    .venv/bin/python tests/bench/bench_pg.py [--runs N] [--only record,board,notify,big]
                                             [--seconds S] [--big FILE]

The server: ``KAPDESK_BENCH_PG_URL``, else ``KAPDESK_TEST_PG_URL`` (an admin URL, a role
with CREATEDB); without one every row is skipped and :func:`skip_reason` says why.
Clinics: the cached benchmark files moved to the server once with ``kapdesk migrate`` and
kept there (``pg_clinics``); every measurement works on a copy made from them
(``CREATE DATABASE ... TEMPLATE``), dropped afterwards. Rows (floors in the same run):

* recording a reading through the services (``VitalsService.record``: validation,
  classification, the audit entry appended to the chain under the write lock, the change
  announced with NOTIFY, COMMIT), on a running session of the 50-row clinic, vs a bare
  INSERT of the same row into vital_readings + COMMIT through psycopg on the same
  database; blocks of 10 alternated, median of each. Targets: <= 10 ms, ratio <= 5.
* the Today board with 50 sessions today while four writer processes record readings
  (``pg_gui_child board``, one fresh app process per run): a refresh on the GUI thread
  (query + model + painted) and the timer's re-query on the worker thread (to the rows
  painted; its longest GUI stall as information), each after the clinic clock moved a
  minute (every countdown changes); floor: the same statements through psycopg. Target
  <= 200 ms.
* change to screen: every reading the writers commit, from just after its COMMIT to the
  first paint of the board after its row was reloaded, heard through the app's live
  updates (LISTEN/NOTIFY); p50 and p99 over all readings of all runs; floor: a bare
  NOTIFY committed on one psycopg connection until another one LISTENing gets it.
  Target p99 <= 1 s.
* the big clinic on the server (its build, once), patient search per keystroke and chart
  opens (first, warm, largest) against it, measured as on the file (``bench_gui``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from pg_clinics import (  # noqa: E402
    connect,
    ensure_server_clinic,
    gui_child,
    server_url,
    skip_reason,
    working,
)
from table import Row, render, row  # noqa: E402

END = datetime.fromisoformat("2026-03-04T11:00:00+00:00")
TARGET_RECORD_MS = 10.0
TARGET_RECORD_RATIO = 5.0
TARGET_BOARD_MS = 200.0
TARGET_SCREEN_P99_MS = 1000.0
WRITERS = 4
# Each writer: a reading, then this pause: ~2 readings/s in all, several times what four
# nurses entering readings by hand could reach.
WRITER_PAUSE_MS = 2000.0
Log = Callable[[str], object]


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def board_file(log: Log = log) -> Path:
    """The cached 50-row board clinic file (board_prep; built once from the p300 clinic)."""
    from board_prep import SMALL_PATIENTS, prepared, small_clinic

    path, _rows = prepared(small_clinic(SMALL_PATIENTS[50], log), END, 50, log)
    return path


# ---------------------------------------------------------------- (a) recording a reading


def _running_session(ctx: Any) -> int:
    from kapdesk.services.board import today_board

    running = [r.session_id for r in today_board(ctx) if r.state == "monitoring"]
    if not running:
        raise RuntimeError("no monitoring session on the board")
    return running[0]


def record_rows(db: str, runs: int) -> list[Row]:
    from kapdesk.composition import build_context
    from kapdesk.domain.clock import FakeClock
    from kapdesk.services.users import UserService, actor_of
    from kapdesk.services.vitals import VitalsService

    ctx = build_context(server_url(db), clock=FakeClock(END), create=False)
    nurse = actor_of({u.username: u for u in UserService(ctx).list_users()}["nurse"])
    session = _running_session(ctx)
    vitals = VitalsService(ctx)
    app: dict[str, list[float]] = {"wall": [], "cpu": []}
    floor: dict[str, list[float]] = {"wall": [], "cpu": []}
    conn = connect(db, autocommit=False)
    try:
        recorded = vitals.record(nurse, session, 121, 79, 70, 97)  # warm-up, untimed
        columns, values = _reading_row(conn, recorded.reading.id)
        insert = (f"INSERT INTO vital_readings ({', '.join(columns)}) "
                  f"VALUES ({', '.join(['%s'] * len(columns))})")  # fmt: skip
        statements = _statements(ctx, lambda: vitals.record(nurse, session, 120, 78, 70, 97))

        def record(i: int) -> None:
            ctx.clock.advance(seconds=20)  # type: ignore[attr-defined]
            vitals.record(nurse, session, 112 + i, 74 + i % 5, 66 + i, 97)

        def bare(_i: int) -> None:
            with conn.cursor() as cur:
                cur.execute(insert, values)
            conn.commit()

        for block in range(max(runs * 2, 10) + 1):  # blocks of 10 alternated, the first untimed
            _timed(record, app, keep=block > 0)
            _timed(bare, floor, keep=block > 0)
    finally:
        conn.close()
        ctx.db.close()
    return [
        row("record a reading on the server (VitalsService: audit entry, NOTIFY, COMMIT)",
            app["wall"], floor["wall"], "a bare INSERT of the same reading's row into "
            "vital_readings + COMMIT (psycopg, same server and database)",
            limit=TARGET_RECORD_MS, ratio_limit=TARGET_RECORD_RATIO,
            note=f"{len(app['wall'])} readings on a running session of the 50-row clinic, "
            f"blocks of 10 alternated with the floor's; p90 {pct(app['wall'], 0.9):.1f} ms "
            f"(floor {pct(floor['wall'], 0.9):.1f} ms); this process's CPU per reading "
            f"{statistics.median(app['cpu']):.1f} ms (floor {statistics.median(floor['cpu']):.2f}"
            f" ms); {statements} queries, {statements + 1} round trips (BEGIN with the write lock"
            " in one query, the NOTIFY with the COMMIT in one) (floor: 1 + BEGIN, COMMIT)"),
    ]  # fmt: skip


def _timed(fn: Callable[[int], object], out: dict[str, list[float]], *, keep: bool) -> None:
    for i in range(10):
        wall, cpu = time.perf_counter(), time.process_time()
        fn(i)
        if keep:
            out["wall"].append((time.perf_counter() - wall) * 1000)
            out["cpu"].append((time.process_time() - cpu) * 1000)


def _statements(ctx: Any, fn: Callable[[], object]) -> int:
    """How many statements ``fn`` sends through the app's engine."""
    from sqlalchemy import event

    sent: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", count)
    return len(sent)


def _reading_row(conn: Any, reading_id: int) -> tuple[list[str], tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM vital_readings WHERE id = %s", (reading_id,))
        values = cur.fetchone()
        names = [d.name for d in cur.description]
    conn.commit()
    from psycopg.types.json import Json

    keep = [i for i, n in enumerate(names) if n != "id"]
    bound = tuple(Json(v) if isinstance(v, dict | list) else v for v in values)  # json columns
    return [names[i] for i in keep], tuple(bound[i] for i in keep)


# ---------------------------------------------------------------- (b, c) board + writers


def child(what: str, db: str, *extra: str) -> Any:
    return gui_child(what, db, END, *extra)


def notify_floor(db: str, n: int = 200) -> list[float]:
    """A bare NOTIFY committed on one psycopg connection until another LISTENing gets it."""
    listener = connect(db)
    sender = connect(db, autocommit=False)
    got: list[float] = []
    try:
        listener.execute("LISTEN kapdesk_bench_floor")
        ready = threading.Event()

        def listen() -> None:
            ready.set()
            for note in listener.notifies(stop_after=n, timeout=30):
                got.append(time.perf_counter() * 1000 - float(note.payload))

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        ready.wait()
        time.sleep(0.2)
        for _ in range(n):
            with sender.cursor() as cur:
                cur.execute("SELECT pg_notify('kapdesk_bench_floor', %s)",
                            (repr(time.perf_counter() * 1000),))  # fmt: skip
            sender.commit()
            time.sleep(0.02)
        thread.join(30)
    finally:
        listener.close()
        sender.close()
    return got


def board_rows(cached: str, runs: int, seconds: float) -> list[Row]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            log(f"  board + {WRITERS} writers, run {run + 1} of {runs} ...")
            with working(cached, "kapdesk_bench_work_board") as db:
                results.append(child("board", db, "--clock", str(Path(tmp) / "clock"),
                                     "--writers", str(WRITERS), "--seconds", str(seconds),
                                     "--pause-ms", str(WRITER_PAUSE_MS)))  # fmt: skip
        with working(cached, "kapdesk_bench_work_notify") as db:
            bare = notify_floor(db)
    return _board_rows(results, bare)


def _board_rows(results: list[dict[str, Any]], bare: list[float]) -> list[Row]:
    gui = [g for r in results for g in r["gui"]]
    timer = [t for r in results for t in r["timer"]]
    floor = [f for r in results for f in r["floor"]]
    painted = [x for r in results for x in r["painted"]]
    unchanged = [x for r in results for x in r["unchanged"]]
    latency = painted + unchanged
    written = sum(r["written"] for r in results)
    missing = sum(r["missing"] for r in results)
    rows, running, shown = results[0]["rows"], results[0]["running"], results[0]["shown"]
    load = (
        f"{WRITERS} writer processes recording readings on the {shown} running sessions on "
        f"screen (of {running}; each writer a reading then {WRITER_PAUSE_MS:.0f} ms), the "
        "board's live updates on"
    )
    floor_name = "the board load's statements through psycopg in one transaction, same database"
    repainted = sum(bool(t["repainted"]) for t in timer)
    out = [
        row(f"board refresh on the server, GUI thread, until painted ({rows} rows, "
            f"{WRITERS} writers)", [g["painted"] for g in gui], floor, floor_name,
            limit=TARGET_BOARD_MS,
            note=f"BoardStore.load (a change set that moves sessions, a reload) after the "
            f"clinic clock moved a minute; {load}; query + model "
            f"{statistics.median(g['loaded'] for g in gui):.0f} ms; until the loop is idle "
            f"{statistics.median(g['idle'] for g in gui):.0f} ms; {len(gui)} refreshes"),
        row(f"board refresh on the server, the timer's re-query on the worker thread, until "
            f"painted ({rows} rows, {WRITERS} writers)", [t["painted"] for t in timer], floor,
            floor_name, limit=TARGET_BOARD_MS,
            note=f"rows applied after {statistics.median(t['applied'] for t in timer):.0f} ms; "
            f"longest GUI stall meanwhile {statistics.median(t['stall'] for t in timer):.0f} ms"
            f" (median), {max(t['stall'] for t in timer):.0f} ms (max; the writers' change sets "
            f"are loaded on the GUI thread meanwhile); repainted after the rows in {repainted} "
            f"of {len(timer)} (else the tick had painted them)"),
    ]  # fmt: skip
    screen = ("a reading committed by another process (a writer) until the board painted it "
              "(or, when it changed no cell, until its row was reloaded)")  # fmt: skip
    bare_name = "a bare NOTIFY committed on one psycopg connection until another LISTENing gets it"
    med = statistics.median
    seen = (f"{len(painted)} readings repainted a row (median {med(painted or [0]):.0f} ms), "
            f"{len(unchanged)} changed no cell (reloaded after a median "
            f"{med(unchanged or [0]):.0f} ms); {missing} of {written} not heard by id")  # fmt: skip
    for q, name, limit in ((0.5, "p50", None), (0.99, "p99", TARGET_SCREEN_P99_MS)):
        value = pct(latency, q)
        out.append(Row(f"change to screen on the server, {name} ({rows} rows, {WRITERS} writers)",
                       value, pct(bare, q), f"{bare_name} ({name})", "ms", len(latency),
                       "" if limit is None else f"<= {limit:g} ms",
                       None if limit is None else value <= limit and missing == 0,
                       note=f"{screen}; {seen}; max {max(latency):.0f} ms"))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="record,board,big")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--big", type=Path, help="the big clinic file (default: bigdb's cache)")
    a = parser.parse_args(argv)
    reason = skip_reason()
    if reason is not None:
        print(f"clinic-server benchmarks skipped: {reason}")
        return 0
    rows = server_rows(a.runs, set(a.only.split(",")), a.seconds, a.big)
    print(render(rows))
    return 0


def server_rows(runs: int, only: set[str], seconds: float, big: Path | None) -> list[Row]:
    from pg_big import big_rows

    rows: list[Row] = []
    if only & {"record", "board"}:
        cached, note, built = ensure_server_clinic(board_file(), log)
        if built:
            log(f"  {note}")
        if "record" in only:
            with working(cached, "kapdesk_bench_work_record") as db:
                rows += record_rows(db, runs)
        if "board" in only:
            rows += board_rows(cached, runs, seconds)
    if "big" in only:
        rows += big_rows(big, END, runs, log)
    return rows


if __name__ == "__main__":
    raise SystemExit(main())


SECONDS = 30.0  # per board run (four writers)


def run_all_rows(big: Path, runs: int) -> list[Row]:
    """run_all.py's clinic-server section: every row above, or none when there is no server
    (:func:`skipped` then says why)."""
    reason = skip_reason()
    if reason is not None:
        log(f"  clinic-server benchmarks skipped: {reason}")
        return []
    return server_rows(runs, {"record", "board", "big"}, SECONDS, big)


def skipped() -> str | None:
    """The line run_all prints under its table when the server rows were skipped."""
    reason = skip_reason()
    return None if reason is None else f"clinic-server (PostgreSQL) benchmarks skipped: {reason}"
