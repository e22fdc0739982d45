"""Fixtures for CLI tests: a small demo clinic built once, copied for each test."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kapdesk.cli import main
from kapdesk.demo import build_demo_clinic
from kapdesk.storage.sqlite_file import sidecars

DEMO_DAY = date(2026, 3, 4)
DEMO_PATIENTS = 4


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _no_remembered_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands without --db take the workstation's remembered server: never the real one
    of the computer running the tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The workstation's config and data folders, both in tmp_path (neither made yet), and
    no KAPDESK_DB: (config, data)."""
    from kapdesk import paths
    from kapdesk import workstation as ws

    config, data = tmp_path / "config", tmp_path / "data"
    monkeypatch.setattr(ws, "config_dir", lambda: config)
    monkeypatch.setattr(paths, "data_dir", lambda: data)
    monkeypatch.delenv("KAPDESK_DB", raising=False)
    return config, data


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-demo") / "demo.sqlite"
    build_demo_clinic(path, seed=1, patients=DEMO_PATIENTS, today=DEMO_DAY)
    assert not any(p.exists() for p in sidecars(path))  # closed cleanly: one file to copy
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("list", "patients", ...)``: kapdesk.cli.main in process, output captured."""

    def _run(*argv: str | Path) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


def assert_one_line_error(result: Result, *, code: int | None = None) -> str:
    """A failure: non-zero exit, exactly one line on stderr starting 'kapdesk:', no traceback."""
    assert result.code != 0
    if code is not None:
        assert result.code == code
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("kapdesk: ")
    assert "Traceback" not in result.err + result.out
    return lines[0]


def sql(path: Path, *statements: str) -> list[Any]:
    """Run raw SQL on the file behind kapdesk's back (tampering, inspection)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        out: list[Any] = []
        for statement in statements:
            out = conn.execute(statement).fetchall()
        return out
    finally:
        conn.close()


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, password hashes left out (they are salted per run)."""
    tables = [t for (t,) in sql(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = {}
    for table in sorted(tables):
        columns = [r[1] for r in sql(path, f"PRAGMA table_info({table})")]
        kept = ", ".join(c for c in columns if c != "password_hash")
        out[table] = sql(path, f"SELECT {kept} FROM {table} ORDER BY rowid")
    return out
