"""``kapdesk check`` starts ``integrity_check`` before it imports SQLAlchemy
(kapdesk.storage.early_integrity): same findings, whatever the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kapdesk import cli
from kapdesk.services import database_check
from kapdesk.storage.backup import backup_database
from kapdesk.storage.db import Database
from kapdesk.storage.early_integrity import EarlyIntegrity

from .helpers import add_patient, add_user


def _damaged(db: Database, tmp_path: Path) -> Path:
    """A kapdesk file at the current schema whose later b-tree pages are scribbled over."""
    add_user(db)
    for n in range(300):
        add_patient(db, f"MRN-{n:04d}")
    copy = backup_database(db.path, tmp_path / "damaged.sqlite")
    data = bytearray(copy.read_bytes())
    page = 4096
    for start in range(12 * page, len(data) - page, 5 * page):
        data[start + 8 : start + 200] = b"\xa5" * 192
    copy.write_bytes(bytes(data))
    return copy


def _printed(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[str]]:
    code = cli.main(["check", "--db", str(path)])
    return code, capsys.readouterr().out.splitlines()


def test_the_command_hands_its_early_integrity_check_to_the_check(
    db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    given: dict[str, Any] = {}
    real = database_check.run_check

    def spying(*args: Any, **kwargs: Any) -> tuple[list[str], bool]:
        given.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(database_check, "run_check", spying)
    db.close()
    code, lines = _printed(capsys, db.path)
    assert code == 0, lines
    assert isinstance(given["integrity"], EarlyIntegrity)


def test_a_damaged_file_gets_the_same_findings_as_from_a_check_started_later(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = _damaged(db, tmp_path)
    later, ok = database_check.run_check(damaged)
    code, lines = _printed(capsys, damaged)
    assert not ok
    assert code == 1
    assert lines == later
    assert any("integrity check:" in line for line in lines), lines


def test_on_a_file_checked_otherwise_it_is_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SQLite file that is not a kapdesk file gets the storage checks only: the early
    integrity_check is stopped, the findings are those of a check without it."""
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(5000)])
    conn.close()
    later, ok = database_check.run_check(other)
    early = EarlyIntegrity(other)
    assert database_check.run_check(other, integrity=early) == (later, ok)
    early.cancel()  # again: nothing left to stop
    assert _printed(capsys, other) == (0 if ok else 1, later)


def test_it_is_stopped_before_a_file_checked_otherwise_is_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file checked by verify_database (not a kapdesk file, or a kapdesk file at an older
    schema, as after an upgrade of kapdesk before the app opened it) runs its own
    integrity_check: the early one is stopped first, not left reading the file beside it."""
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(50_000)])
    conn.close()
    early = EarlyIntegrity(other)
    running: list[bool] = []
    real = database_check.verify_database

    def verifying(path: Path, key: str | None = None) -> Any:
        running.append(early.running)
        return real(path, key=key)

    monkeypatch.setattr(database_check, "verify_database", verifying)
    database_check.run_check(other, integrity=early)
    assert running == [False]
