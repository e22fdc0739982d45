"""A stored timestamp the app cannot read back, though SQL prints it as the recorded one, is
named by `kapdesk check` on a big file (every table compared in SQL first, in worker
processes): a NUL tail after '+00:00' (printf()'s %s stops at the NUL, so the text printed
was the recorded one) or the same bytes stored as a BLOB ('||' reads a BLOB as text). The
app reading either fails; the check said "ok". On a signature's ``signed_at`` the check
used to find it only because it read every signature through the ORM."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from kapdesk import cli

from .test_check_signed_from_entries import processes  # noqa: F401 (fixture)
from .test_signature_tamper_kinds import Clinic, clinic  # noqa: F401 (fixture)

SIGNED = "SELECT entity_id FROM signatures WHERE entity = 'dosing_session'"
TAMPERS = {
    "NUL tail": "{col} || '+00:00' || char(0) || 'x'",
    "BLOB": "CAST({col} AS BLOB)",
}


def _one(path: Path, sql: str) -> object:
    with sqlite3.connect(path) as conn:
        (value,) = conn.execute(sql).fetchone()
    conn.close()
    return value


def _update_keeping_triggers(path: Path, table: str, statement: str) -> None:
    """``statement`` run with ``table``'s triggers dropped and then created again exactly
    as they were (the schema check finds nothing missing)."""
    with sqlite3.connect(path) as conn:
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (table,),
        ).fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(statement)
        for _name, sql in triggers:
            conn.execute(sql)
    conn.close()


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["check", "--db", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_signatures_unreadable_signing_time_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    processes: list[frozenset[str]],  # noqa: F811
    tamper: str,
) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    sig = _one(path, "SELECT min(id) FROM signatures")
    value = TAMPERS[tamper].format(col="signed_at")
    _update_keeping_triggers(
        path, "signatures", f"UPDATE signatures SET signed_at = {value} WHERE id = {sig}"
    )
    code, out = _check(path, capsys)
    assert code == 1, out
    assert f"signature {sig}" in out


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_signed_readings_unreadable_time_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    processes: list[frozenset[str]],  # noqa: F811
    tamper: str,
) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    reading = _one(path, f"SELECT min(id) FROM vital_readings WHERE session_id IN ({SIGNED})")
    value = TAMPERS[tamper].format(col="taken_at")
    _update_keeping_triggers(
        path, "vital_readings", f"UPDATE vital_readings SET taken_at = {value} WHERE id = {reading}"
    )
    code, out = _check(path, capsys)
    assert code == 1, out
    assert f"vital_reading {reading}" in out


@pytest.mark.parametrize("full", [False, True])
def test_an_audit_entrys_time_stored_as_a_blob_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    full: bool,
) -> None:
    """The chain's payload printed in SQL read the BLOB as text: the same hash, "intact"."""
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    entry = _one(path, "SELECT max(id) - 5 FROM audit_log")
    _update_keeping_triggers(
        path, "audit_log", f"UPDATE audit_log SET at = CAST(at AS BLOB) WHERE id = {entry}"
    )
    code = cli.main(["check", *(["--full"] if full else []), "--db", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 1, captured.out
    assert f"entry {entry}" in captured.out
