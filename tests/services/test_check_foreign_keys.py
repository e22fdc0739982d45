"""``foreign_key_check`` in ``kapdesk check``: on a big file one of the command's early
replay workers runs it (memory-mapped, in its own process); a broken reference is named
the same way as on a small file, and where the worker gives no rows (it could not run the
pragma, or died) the check reads them itself."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from kapdesk.services import database_check
from kapdesk.storage import replay_processes
from kapdesk.storage.backup import FOREIGN_KEY_PRAGMA

from .test_tamper_suite import (  # noqa: F401 (fixtures)
    Clinic,
    _check,
    _one,
    _sql,
    clinic,
    copy,
    replay_path,
)


def _broken_reference(path: Path) -> str:
    """A reading moved to a session that does not exist (behind the app); its line."""
    reading = _one(path, "SELECT min(id) FROM vital_readings")
    _sql(path, f"UPDATE vital_readings SET session_id = 999999 WHERE id = {reading}")
    return (
        f"foreign key: vital_readings row {reading} refers to a dosing_sessions row that "
        "does not exist"
    )


@pytest.fixture
def read_here(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per foreign_key_check this process ran itself."""
    ran: list[bool] = []
    real = database_check._sqlite_checks

    def spying(path: Path, key: str | None, **kinds: bool) -> Any:
        if kinds.get("foreign_keys", True):
            ran.append(True)
        return real(path, key, **kinds)

    monkeypatch.setattr(database_check, "_sqlite_checks", spying)
    return ran


def _big(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (replay_processes, database_check):
        monkeypatch.setattr(module, "PROCESS_MIN_BYTES", 0)


def test_a_small_file_reads_its_foreign_keys_itself(
    copy: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    read_here: list[bool],
) -> None:
    line = _broken_reference(copy)
    code, out = _check(copy, capsys)
    assert code == 1, out
    assert line in out, out
    assert read_here == [True]


def test_a_big_file_has_its_foreign_keys_read_by_an_early_worker(
    copy: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    read_here: list[bool],
) -> None:
    line = _broken_reference(copy)
    _big(monkeypatch)
    code, out = _check(copy, capsys)
    assert code == 1, out
    assert line in out, out
    assert read_here == []


@pytest.mark.parametrize("failure", ["no rows", "worker died"])
def test_foreign_keys_a_worker_cannot_give_are_read_here(
    copy: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    read_here: list[bool],
    failure: str,
) -> None:
    line = _broken_reference(copy)
    _big(monkeypatch)
    real = replay_processes.ReplayProcesses.rows

    def failing(self: replay_processes.ReplayProcesses, query: Any) -> Any:
        if query[0] != FOREIGN_KEY_PRAGMA:
            return real(self, query)
        given: Future[Any] = Future()
        if failure == "no rows":
            given.set_result(None)
        else:
            given.set_exception(BrokenProcessPool("a worker died"))
        return given

    monkeypatch.setattr(replay_processes.ReplayProcesses, "rows", failing)
    code, out = _check(copy, capsys)
    assert code == 1, out
    assert line in out, out
    assert read_here == [True]
