"""The SQLite schema of a new kapdesk file, as text (compared by test_pg_sqlite_schema)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.db import Database

EXPECTED = Path(__file__).parent / "fixtures" / "sqlite_schema_head.txt"


def sqlite_schema_dump(path: Path) -> str:
    """Every sqlite_master row (type, name, table, exact SQL) and the header pragmas."""
    Database.open(path, clock=FakeClock()).close()
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        pragmas = [
            f"{p} = {conn.execute(f'PRAGMA {p}').fetchone()[0]}"
            for p in ("application_id", "user_version", "journal_mode", "auto_vacuum")
        ]
        sequence = conn.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name").fetchall()
    finally:
        conn.close()
    lines = [f"{kind}\t{name}\t{table}\t{sql!r}" for kind, name, table, sql in rows]
    return "\n".join([*pragmas, *lines, f"sqlite_sequence {sequence!r}"]) + "\n"
