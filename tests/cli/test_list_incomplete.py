"""`kapdesk list ... --json > out.json` when the listing stops part-way (a page that cannot
be read, a bug, a full disk under stdout): stdout is never left as invalid JSON when it
can still be written, and the one error line says the list is incomplete, and how much of
it was written."""

from __future__ import annotations

import errno
import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from kapdesk import logs
from kapdesk.services import listing
from tests.cli.conftest import Run, assert_one_line_error, sql
from tests.cli.test_list_streaming import _grow


def _fail_after(monkeypatch: pytest.MonkeyPatch, rows: int, error: BaseException) -> None:
    real = listing._session_row
    made = [0]

    def row(*values: object) -> dict[str, object]:
        made[0] += 1
        if made[0] > rows:
            raise error
        return real(*values)

    monkeypatch.setattr(listing, "_session_row", row)


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(logs.LOG_ENV, str(tmp_path / "logs"))
    monkeypatch.delenv("KAPDESK_DEBUG", raising=False)
    yield tmp_path / "logs" / "kapdesk.log"
    logs.stop_logging()


def test_a_page_that_cannot_be_read_leaves_the_rows_before_it_as_valid_json(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch, log_file: Path
) -> None:
    total = _grow(demo_db, 6)  # over 1,000 sessions: several chunks of the JSON
    complete = json.loads(run("list", "sessions", "--db", demo_db, "--json").out)
    _fail_after(monkeypatch, 1500, sqlite3.DatabaseError("database disk image is malformed"))
    result = run("list", "sessions", "--db", demo_db, "--json")
    line = assert_one_line_error(result, code=1)
    assert json.loads(result.out) == complete[:1000]  # the chunks written before the failure
    assert "looks damaged (SQLite: database disk image is malformed)" in line
    assert f"the list is incomplete: 1000 of {total} sessions were written" in line
    assert f"details in the log: {log_file}" in line
    text = log_file.read_text(encoding="utf-8")
    assert f"kapdesk list sessions --json stopped after 1000 of {total} rows" in text
    [(name,)] = sql(demo_db, "SELECT family_name FROM patients LIMIT 1")
    assert name not in text
    # The export's entry, written before the first row, counts the snapshot to be listed.
    (after,) = sql(
        demo_db,
        "SELECT after FROM audit_log WHERE action = 'list.sessions_console' ORDER BY id DESC",
    )[0]
    assert json.loads(after)["rows"] == total


def test_a_bug_on_the_first_row_leaves_an_empty_array_and_the_usual_line(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch, log_file: Path
) -> None:
    [(name,)] = sql(demo_db, "SELECT family_name FROM patients LIMIT 1")
    (total,) = sql(demo_db, "SELECT count(*) FROM dosing_sessions")[0]
    _fail_after(monkeypatch, 0, RuntimeError(f"cannot list {name}"))
    result = run("list", "sessions", "--db", demo_db, "--json")
    line = assert_one_line_error(result, code=1)
    assert json.loads(result.out) == []
    assert line.startswith(f"kapdesk: unexpected RuntimeError: cannot list {name}")
    assert f"the list is incomplete: 0 of {total} sessions were written" in line
    text = log_file.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in text
    assert name not in text


def test_ctrl_c_part_way_closes_the_array_and_says_interrupted(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch, log_file: Path
) -> None:
    total = _grow(demo_db, 6)
    _fail_after(monkeypatch, 1200, KeyboardInterrupt())
    result = run("list", "sessions", "--db", demo_db, "--json")
    line = assert_one_line_error(result, code=130)
    assert line.startswith("kapdesk: interrupted; the list is incomplete: ")
    assert f"1000 of {total} sessions were written, as a closed JSON array" in line
    assert len(json.loads(result.out)) == 1000


class _FullDisk(io.StringIO):
    """stdout redirected to a file on a disk that fills up after ``room`` writes."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, text: str) -> int:
        if self.room == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= 1
        return super().write(text)


def test_a_full_disk_under_stdout_says_the_json_is_cut_off(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch, log_file: Path
) -> None:
    total = _grow(demo_db, 6)
    out = _FullDisk(room=2)  # "[" and the first chunk
    monkeypatch.setattr(sys, "stdout", out)
    result = run("list", "sessions", "--db", demo_db, "--json")
    line = assert_one_line_error(result, code=1)
    assert "No space left on device" in line
    assert f"the list is incomplete: 1000 of {total} sessions were written" in line
    assert "the JSON on stdout is cut off" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(out.getvalue())


def test_a_complete_listing_is_unchanged(run: Run, demo_db: Path) -> None:
    result = run("list", "sessions", "--db", demo_db, "--json")
    assert (result.code, result.err) == (0, "")
    (total,) = sql(demo_db, "SELECT count(*) FROM dosing_sessions")[0]
    assert len(json.loads(result.out)) == total
