"""`kapdesk list sessions --json` streams: the same one JSON array as before, written while
the rows are read, so its memory does not grow with the clinic."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kapdesk.cli import list_command
from kapdesk.composition import build_context
from kapdesk.services import listing
from tests.cli.conftest import Run, sql

DUPLICATED_COLUMNS = (
    "course_id, scheduled_at, room, state, weight_kg, checklist, checked_in_at, "
    "first_dose_at, discharged_at, discharged_by, discharge_criteria, discharge_reason, "
    "state_reason, created_at, created_by"
)


def _old_output(path: Path, what: str) -> str:
    """What `list --json` printed before it streamed: print(json.dumps(every row))."""
    ctx = build_context(path, create=False)
    try:
        with ctx.db.read() as s:
            query = listing._sessions_query() if what == "sessions" else listing._patients_query()
            to_row = listing._session_row if what == "sessions" else listing._patient_row
            rows = [to_row(*row) for row in s.execute(query)]
    finally:
        ctx.db.close()
    return json.dumps(rows, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("what", ["sessions", "patients"])
def test_the_json_is_byte_for_byte_what_it_was(
    run: Run, demo_db: Path, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "CHUNK", 3)  # several chunks from SQLite
    out = run("list", what, "--db", demo_db, "--json").out
    assert out == _old_output(demo_db, what)
    assert len(json.loads(out)) > 3


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 7])
def test_written_a_chunk_at_a_time_it_is_still_one_array(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"id": n, "patient": "Nguyễn, Thị"} for n in range(count)]
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    list_command._print_json_array(iter(rows), chunk=3)
    assert out.getvalue() == json.dumps(rows) + "\n"  # StringIO has no encoding: \u escapes


def test_rows_are_read_as_they_are_taken_and_the_export_is_audited_first(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    real = listing._session_row

    def counted(*row: Any) -> dict[str, Any]:
        made.append(row[0])
        return real(*row)

    monkeypatch.setattr(listing, "_session_row", counted)
    (total,) = sql(demo_db, "SELECT count(*) FROM dosing_sessions")[0]
    ctx = build_context(demo_db, create=False)
    try:
        with listing.export_list(ctx, "sessions", fmt="json") as rows:
            (action, after) = sql(
                demo_db, "SELECT action, after FROM audit_log ORDER BY id DESC LIMIT 1"
            )[0]
            assert action == "list.sessions_console"
            assert json.loads(after)["rows"] == total
            first = next(rows)
            assert made == [first["id"]]  # one row made, not the clinic's
            assert len(list(rows)) == total - 1
    finally:
        ctx.db.close()


def _grow(path: Path, doublings: int) -> int:
    conn = sqlite3.connect(path)
    try:
        for _ in range(doublings):
            conn.execute(
                f"INSERT INTO dosing_sessions ({DUPLICATED_COLUMNS}) "
                f"SELECT {DUPLICATED_COLUMNS} FROM dosing_sessions"
            )
        conn.commit()
        return int(conn.execute("SELECT count(*) FROM dosing_sessions").fetchone()[0])
    finally:
        conn.close()


def _peak_kib(path: Path) -> int:
    """VmHWM of a `kapdesk list sessions --json` process whose output goes to /dev/null."""
    code = (
        "import sys; from kapdesk.cli import main; code = main(sys.argv[1:]); "
        "sys.stdout.flush(); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
        "sys.stderr.write(hwm.split()[1]); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "list", "sessions", "--json", "--db", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=True,
    )
    return int(done.stderr.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_memory_stays_flat_when_the_clinic_has_many_times_the_sessions(
    demo_db: Path, tmp_path: Path
) -> None:
    small = tmp_path / "small.sqlite"
    small.write_bytes(demo_db.read_bytes())
    few = int(sql(small, "SELECT count(*) FROM dosing_sessions")[0][0])
    many = _grow(demo_db, 11)  # x2048: ~100,000 sessions, ~16 MB of JSON
    assert many >= 2048 * few
    grown = _peak_kib(demo_db) - _peak_kib(small)
    # Held whole, the rows and their JSON took over 100 MB; streamed, a chunk at a time.
    assert grown < 12 * 1024, f"peak memory grew by {grown} KiB for {many - few} more rows"
