"""Data benchmarks on the big clinic: recording a reading, and ``kapdesk check``.

* Record a vital reading through ``VitalsService.record`` (validation, the
  session's earlier readings, classification, the audit entry with its hash
  chain, commit with synchronous=FULL) on a running session, vs the floor: a
  bare sqlite3 INSERT of one row + COMMIT on the same file (WAL,
  synchronous=FULL).
* ``kapdesk check`` (integrity, foreign keys, schema, the whole audit chain,
  signatures) as a process on the big file, vs ``PRAGMA integrity_check``
  alone on it; and linearity: the time on the big file against the time on a
  clinic a tenth its size, scaled by the ratio of their audit entries.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from table import Row, row, timed

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import ServiceContext
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.db import Database

TARGET_RECORD_MS = 5.0
LINEAR_SLACK = 1.25  # big / (tenth x size ratio): at most this for "linear"


def _running_session(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute(
                "SELECT id FROM dosing_sessions WHERE state = 'monitoring' ORDER BY id LIMIT 1"
            ).fetchone()[0]
        )
    finally:
        conn.close()


def vitals_rows(work: Path, end: datetime, runs: int) -> list[Row]:
    session_id = _running_session(work)
    clock = FakeClock(end)
    db = Database.open(work, create=False, clock=clock)
    try:
        ctx = ServiceContext(db=db, clock=clock)
        nurse = actor_of(next(u for u in UserService(ctx).list_users() if u.username == "nurse"))
        vitals = VitalsService(ctx)
        record = timed(lambda: vitals.record(nurse, session_id, 128, 82, 76, 97), runs, warmup=2)
    finally:
        db.close()
    conn = sqlite3.connect(work, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, v TEXT)")

        def bare() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO bench_floor (v) VALUES ('128/82')")
            conn.execute("COMMIT")

        floor = timed(bare, runs, warmup=2)
    finally:
        conn.close()
    return [
        row("record a vital reading (VitalsService)", record, floor,
            "bare sqlite3 INSERT of one row + COMMIT, same file, WAL, synchronous=FULL",
            limit=TARGET_RECORD_MS),
    ]  # fmt: skip


def _check_seconds(path: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kapdesk", "check", "--db", str(path)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"kapdesk check failed on {path}: {done.stdout}{done.stderr}")
    return seconds


def _integrity_seconds(path: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return time.perf_counter() - start


def check_rows(
    big: Path, big_entries: int, tenth: Path, tenth_entries: int, runs: int
) -> list[Row]:
    big_times = [_check_seconds(big) for _ in range(runs)]
    floor = [_integrity_seconds(big) for _ in range(runs)]
    tenth_times = [_check_seconds(tenth) for _ in range(runs)]
    scale = big_entries / tenth_entries
    scaled = [t * scale for t in tenth_times]
    tenth_row = row(f"kapdesk check, 1/10 clinic ({tenth_entries:,} audit entries)",
                    tenth_times, None, "", unit="s")  # fmt: skip
    return [
        row(f"kapdesk check, big clinic ({big_entries:,} audit entries)", big_times, floor,
            "PRAGMA integrity_check alone on the same file (sqlite3 module)", unit="s"),
        tenth_row,
        row("kapdesk check linearity: big vs 1/10 scaled", big_times, scaled,
            f"the 1/10 clinic's time x {scale:.1f} (ratio of audit entries)", unit="s",
            ratio_limit=LINEAR_SLACK),
    ]  # fmt: skip
