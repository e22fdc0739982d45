"""Data benchmark on the big clinic: recording a reading through the service.

Record a vital reading through ``VitalsService.record`` (validation, the session's
earlier readings, classification, the audit entry with its hash chain, commit with
synchronous=FULL) on a running session, vs the floor: a bare sqlite3 INSERT of one row
+ COMMIT on the same file (WAL, synchronous=FULL). Information only: what a nurse
feels is the GUI path, key press to the reading painted on the board (``bench_board``).
``kapdesk check`` is ``bench_check.py``.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from table import Row, row, timed

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import ServiceContext
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.db import Database


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
        # The copy is checked later in the run (kapdesk check): no table behind the app.
        conn.execute("DROP TABLE bench_floor")
    finally:
        conn.close()
    return [
        row("record a vital reading (VitalsService, no GUI)", record, floor,
            "bare sqlite3 INSERT of one row + COMMIT, same file, WAL, synchronous=FULL",
            note="the service call alone; the GUI path is the key-press row"),
    ]  # fmt: skip
