"""Storage faults on the command line: a full disk, an I/O error or a read-only database
is one clear `kapdesk:` line (exit 1), nothing half-done; a bug is logged (no patient data)
and the line says where the log is."""

from __future__ import annotations

import io
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from kapdesk import logs
from kapdesk.storage import db as db_module
from tests.faultkit import Faults, inject

from .conftest import Run, assert_one_line_error, sql

WORDS = {
    "full": "is full, so nothing was saved",
    "io": "could not be read or written (a disk I/O error), so nothing was saved",
    "read_only": "is read-only",
}


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """Every engine the command opens gets the same fault switch."""
    switch = Faults()
    real = db_module.create_sqlite_engine

    def faulty(path: Path, **kwargs: Any) -> Any:
        engine = real(path, **kwargs)
        injected = inject(engine)
        injected.__dict__ = switch.__dict__  # share mode and hits
        return engine

    monkeypatch.setattr(db_module, "create_sqlite_engine", faulty)
    return switch


def _count(path: Path, table: str) -> int:
    [(n,)] = sql(path, f"SELECT count(*) FROM {table}")
    return int(n)


@pytest.mark.parametrize("mode", ["full", "io", "read_only"])
def test_user_add_on_a_failing_disk(
    run: Run, demo_db: Path, faults: Faults, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    users, entries = _count(demo_db, "users"), _count(demo_db, "audit_log")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    faults.mode = mode
    line = assert_one_line_error(
        run("user", "add", "newbie", "--role", "nurse", "--full-name", "New Bie",
            "--db", demo_db, "--password-stdin"),
        code=1,
    )  # fmt: skip
    assert faults.hits
    assert WORDS[mode] in line
    assert str(demo_db) in line
    assert "sqlite3" not in line
    assert "OperationalError" not in line
    assert (_count(demo_db, "users"), _count(demo_db, "audit_log")) == (users, entries)


@pytest.mark.parametrize("mode", ["full", "read_only"])
def test_an_export_that_cannot_be_audited_is_not_made(
    run: Run, demo_db: Path, faults: Faults, mode: str
) -> None:
    faults.mode = mode
    result = run("list", "patients", "--db", demo_db)
    line = assert_one_line_error(result, code=1)
    assert WORDS[mode] in line
    assert result.out == ""  # no identifiers left the database unaudited


def test_a_raw_sqlite_error_outside_a_transaction_is_said_plainly(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kapdesk.services.backups as backups

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backups, "backup_database", full)  # the copy BackupService makes
    line = assert_one_line_error(run("backup", "--db", demo_db, "-o", tmp_path / "b.sqlite"))
    assert "is full" in line
    assert "unexpected" not in line


def test_a_bug_is_logged_without_patient_data_and_the_line_names_the_log(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.services import listing

    [(name,)] = sql(demo_db, "SELECT family_name FROM patients LIMIT 1")

    def boom(*row: object) -> dict[str, object]:
        raise RuntimeError(f"cannot list {name}")

    log_dir = tmp_path / "logs"
    monkeypatch.setenv(logs.LOG_ENV, str(log_dir))
    monkeypatch.delenv("KAPDESK_DEBUG", raising=False)
    monkeypatch.setattr(listing, "_patient_row", boom)
    try:
        line = assert_one_line_error(run("list", "patients", "--db", demo_db))
    finally:
        logs.stop_logging()
    log_file = log_dir / "kapdesk.log"
    assert f"details in the log: {log_file}" in line
    text = log_file.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in text
    assert name not in text
