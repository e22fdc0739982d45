"""The PostgreSQL branches in the revisions change nothing for SQLite: a new file's
schema (every sqlite_master row, exact SQL, and the header pragmas) is the one stored
before they were written."""

from __future__ import annotations

from pathlib import Path

from tests.storage.pg_schema_dump import EXPECTED, sqlite_schema_dump


def test_new_sqlite_file_schema_is_byte_identical(tmp_path: Path) -> None:
    assert sqlite_schema_dump(tmp_path / "new.sqlite") == EXPECTED.read_text(encoding="utf-8")
