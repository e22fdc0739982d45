"""Every CLI error is one clear line on stderr with a non-zero exit, never a traceback;
and the console entry works as a real process."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from kapdesk.cli import run
from kapdesk.storage import engine

from .conftest import DEMO_PATIENTS, Run, assert_one_line_error, dump, sql

# (id, argv builder taking (demo db, tmp folder), words the message must contain)
Argv = Callable[[Path, Path], list[str]]
CASES: list[tuple[str, Argv, str]] = [
    ("check-missing", lambda db, d: ["check", "--db", f"{d}/no.sqlite"], "No database at"),
    ("list-missing", lambda db, d: ["list", "patients", "--db", f"{d}/no.sqlite"], "No database"),
    ("list-text-file", lambda db, d: ["list", "sessions", "--db", f"{d}/note.txt"],
     "is not a kapdesk database"),
    ("list-foreign-sqlite", lambda db, d: ["list", "patients", "--db", f"{d}/other.sqlite"],
     "is not a kapdesk database"),
    ("list-newer-schema", lambda db, d: ["list", "patients", "--db", f"{d}/newer.sqlite"],
     "newer version of kapdesk"),
    ("list-what", lambda db, d: ["list", "doctors", "--db", str(db)], "invalid choice"),
    ("no-such-command", lambda db, d: ["frobnicate"], "invalid choice"),
    ("user-bad-role", lambda db, d: ["user", "add", "x1y", "--role", "wizard", "--full-name",
     "X Y", "--db", str(db)], "is not a role"),
    ("user-missing-db", lambda db, d: ["user", "add", "x1y", "--role", "nurse", "--full-name",
     "X Y", "--db", f"{d}/no.sqlite", "--password-stdin"], "No database at"),
    ("user-bad-name", lambda db, d: ["user", "add", "x1y", "--role", "nurse", "--full-name",
     "X <script>", "--db", str(db), "--password-stdin"], "Full name"),
    ("user-bad-username", lambda db, d: ["user", "add", "9lives", "--role", "nurse",
     "--full-name", "Nine Lives", "--db", str(db), "--password-stdin"], "Username"),
    ("user-no-action", lambda db, d: ["user"], "required"),
    ("backup-onto-itself", lambda db, d: ["backup", "--db", str(db), "-o", str(db)],
     "the database itself"),
    ("backup-missing-db", lambda db, d: ["backup", "--db", f"{d}/no.sqlite", "-o", f"{d}/b"],
     "No database at"),
    ("backup-no-output", lambda db, d: ["backup", "--db", str(db)], "-o/--output"),
    ("restore-missing-backup", lambda db, d: ["restore", f"{d}/no.bak", "--db", str(db)],
     "No backup file"),
    ("restore-text-file", lambda db, d: ["restore", f"{d}/note.txt", "--db", str(db)],
     "cannot be restored"),
    ("demo-exists", lambda db, d: ["demo", "--db", str(db)], "already exists"),
    ("demo-no-db", lambda db, d: ["demo"], "--db"),
    ("demo-zero-patients", lambda db, d: ["demo", "--db", f"{d}/new.sqlite", "--patients", "0"],
     "at least 1 patient"),
    ("demo-too-many", lambda db, d: ["demo", "--db", f"{d}/new.sqlite", "--patients", "9999"],
     "1-500"),
    ("demo-seed-not-a-number", lambda db, d: ["demo", "--db", f"{d}/new.sqlite", "--seed", "x"],
     "invalid int value"),
]  # fmt: skip


@pytest.fixture
def scene(demo_db: Path, tmp_path: Path) -> Path:
    """Files the error cases point at: a text file, another program's SQLite file, and a
    kapdesk file from a newer schema."""
    (tmp_path / "note.txt").write_text("shopping list")
    sql(tmp_path / "other.sqlite", "CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(demo_db.read_bytes())
    sql(newer, "UPDATE alembic_version SET version_num = 'r9999_future'")
    return tmp_path


@pytest.mark.parametrize(("argv", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_error_is_one_line_without_traceback(
    run: Run,
    demo_db: Path,
    scene: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: Argv,
    expected: str,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    before = demo_db.read_bytes()
    line = assert_one_line_error(run(*argv(demo_db, scene)))
    assert expected in line
    assert demo_db.read_bytes() == before
    assert not (scene / "new.sqlite").exists()


def test_usage_errors_exit_2(run: Run) -> None:
    assert_one_line_error(run("list", "doctors"), code=2)
    assert_one_line_error(run("demo"), code=2)


def test_a_locked_database_gives_a_clear_busy_message(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)  # don't wait the full 5 s here
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    before = dump(demo_db)
    holder = sqlite3.connect(demo_db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        result = run("user", "add", "blocked", "--role", "nurse", "--full-name", "Blo Cked",
                     "--db", demo_db, "--password-stdin")  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = assert_one_line_error(result, code=1)
    assert "busy" in line
    assert "nothing was saved" in line
    assert dump(demo_db) == before


def test_an_unexpected_failure_is_still_one_line(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.services import listing

    def boom(*row: object) -> dict[str, object]:
        raise RuntimeError("first line\nsecond line")

    monkeypatch.delenv("KAPDESK_DEBUG", raising=False)
    monkeypatch.setattr(listing, "_patient_row", boom)
    line = assert_one_line_error(run("list", "patients", "--db", demo_db))
    assert "RuntimeError" in line
    assert "first line second line" in line


# ---------------------------------------------------------------- a real process

Completed = subprocess.CompletedProcess[str]
NAMES = "SELECT family_name || ', ' || given_name FROM patients"


def kapdesk(
    *argv: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kapdesk", *map(str, argv)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_python_m_kapdesk_runs_the_commands(demo_db: Path) -> None:
    ok = kapdesk("check", "--db", demo_db)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"{demo_db}: ok")
    listed = kapdesk("list", "patients", "--db", demo_db, "--json")
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) == DEMO_PATIENTS


def test_python_m_kapdesk_fails_with_one_line(tmp_path: Path) -> None:
    failed = kapdesk("list", "patients", "--db", tmp_path / "missing.sqlite")
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.count("\n") == 1
    assert failed.stderr.startswith("kapdesk: No database at")
    assert "Traceback" not in failed.stderr


def test_a_console_without_unicode_gets_escapes_not_a_crash(demo_db: Path) -> None:
    env = {"PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    table = kapdesk("list", "patients", "--db", demo_db, env=env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.isascii()
    assert len(table.stdout.strip().splitlines()) == DEMO_PATIENTS + 1
    as_json = kapdesk("list", "patients", "--db", demo_db, "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    assert as_json.stdout.isascii()
    names = {p["name"] for p in json.loads(as_json.stdout)}
    expected = {
        n for (n,) in sql(demo_db, "SELECT family_name || ', ' || given_name FROM patients")
    }
    assert names == expected


def test_the_console_script_is_kapdesk_cli_run() -> None:
    (script,) = entry_points(group="console_scripts", name="kapdesk")
    assert script.load() is run  # main(), then the exit (tests/cli/test_process_exit.py)
