"""On a big file, `kapdesk check`'s signatures pass takes a signed row's text from its newest
audit entry instead of printing the row again, where the row replay's pass in SQL found that
row to be exactly that text. Held only for signatures none of whose rows so taken differs:
a row that does (changed or inserted behind the app, a NUL tail, a print audited on it) and
its signatures are rebuilt again with every row printed; a piece SQL cannot print, and every
signature is. So every change to signed content is still named, in worker processes as in
Python, and a forged audit entry too."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kapdesk import cli
from kapdesk.domain.signing import SignedEntity
from kapdesk.services import database_check, integrity
from kapdesk.storage import audit_replay, signed_sql
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.signed_sql import ENTITY_OF, entry_tables, record_sql

from .test_signature_tamper_kinds import (  # noqa: F401 (fixture)
    KINDS,
    SIGNED_SESSION,
    Clinic,
    change_signed_record,
    clinic,
)

Queries = list[tuple[str, tuple[Any, ...]]]


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """The check as on a big clinic (passes in worker processes, every table compared in
    SQL first); returns the ``from_entries`` of each signatures query built."""
    monkeypatch.setattr(database_check, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(audit_replay, "FAST_MIN_ROWS", 0)
    built: list[frozenset[str]] = []
    real = database_check.signature_queries

    def spying(kinds: Any, piece: Any, from_entries: Any = ()) -> Queries:
        built.append(frozenset(from_entries))
        return real(kinds, piece, from_entries)

    monkeypatch.setattr(database_check, "signature_queries", spying)
    return built


def _one(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        (value,) = conn.execute(sql).fetchone()
    conn.close()
    return int(value)


def _sql(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["check", "--db", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def _copy(clinic: Clinic, tmp_path: Path) -> Path:  # noqa: F811
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    return path


def _sig(path: Path, entity: str, entity_id: int) -> int:
    return _one(path, f"SELECT id FROM signatures WHERE entity = '{entity}' "
                f"AND entity_id = {entity_id}")  # fmt: skip


def test_entries_give_the_very_text_printing_gives(clinic: Clinic) -> None:  # noqa: F811
    """On an untouched clinic, every signed record's text built from its rows' entries is
    byte for byte the printed one."""
    tables = entry_tables(ENTITY_OF)
    assert {"vital_readings", "doses", "dosing_sessions", "notes", "addenda"} <= tables
    engine = create_readonly_engine(clinic.path)
    try:
        with engine.connect() as conn, conn.begin(), Session(bind=conn):
            for entity in SignedEntity:
                table, printed = record_sql(entity, 3)
                _same, read = record_sql(entity, 3, tables)
                assert "audit_log" in read
                assert read != printed
                rows = conn.exec_driver_sql(
                    f'SELECT g.entity_id, {printed}, {read} FROM signatures g JOIN "{table}" r '
                    f"ON r.id = g.entity_id WHERE g.entity = '{entity.value}'"
                ).all()
                assert rows, entity
                for entity_id, one, other in rows:
                    assert one == other, (entity, entity_id)
    finally:
        engine.dispose()


def test_an_untouched_clinic_takes_signed_rows_from_their_entries_once(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    processes: list[frozenset[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("a signature was recomputed through the ORM")

    monkeypatch.setattr(integrity, "record_hash", refuse)
    code, out = _check(_copy(clinic, tmp_path), capsys)
    assert code == 0, out
    assert f"ok ({clinic.signatures} signed records match their signatures)" in out
    assert processes, "no signatures pass in worker processes"
    for tables in processes:  # every piece from entries, no second pass printing rows
        assert {"vital_readings", "doses", "dosing_sessions", "notes"} <= tables


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_changed_part_of_a_signed_session_is_named_in_worker_processes(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    small_pieces: list[tuple[int, int, frozenset[str]]],
    kind: str,
) -> None:
    """The row changed behind the app still has its old entry: taken from there, the text
    would match its signature. The replay finds the row differing, so the signatures holding
    it are rebuilt again with rows printed (those only), and the signature is named."""
    path = _copy(clinic, tmp_path)
    find, change = KINDS[kind]
    session = _one(path, find)
    sig = _sig(path, "dosing_session", session)
    _sql(path, change.format(s=session))
    code, out = _check(path, capsys)
    assert code == 1, out
    assert f"signature {sig} (dosing_session {session}): content changed since signing" in out
    printed = _printed_ids(small_pieces)
    if kind == "course's pinned protocol":  # courses are never taken from entries
        assert printed == set()
    else:  # its session's signature (and a changed note's own)
        assert sig in printed
        assert len(printed) <= 2, printed


@pytest.mark.parametrize("entity", ["note", "addendum"])
def test_a_changed_note_or_addendum_is_named_in_worker_processes(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    processes: list[frozenset[str]],
    entity: str,
) -> None:
    path = _copy(clinic, tmp_path)
    expected = change_signed_record(path, entity)
    code, out = _check(path, capsys)
    assert code == 1, out
    assert expected in out


def test_a_signed_reading_and_its_entry_forged_together_are_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    processes: list[frozenset[str]],
) -> None:
    """Row and newest entry changed alike: the replay finds them equal, the text taken from
    the forged entry no longer has the signature's hash, and the signature is named (the
    chain, not re-hashed here, is named as well)."""
    path = _copy(clinic, tmp_path)
    signed = "SELECT entity_id FROM signatures WHERE entity = 'dosing_session'"
    session = _one(
        path, f"SELECT min(session_id) FROM vital_readings WHERE session_id IN ({signed})"
    )
    reading = _one(path, f"SELECT min(id) FROM vital_readings WHERE session_id = {session}")
    sig = _sig(path, "dosing_session", session)
    newest = _one(path, "SELECT max(id) FROM audit_log WHERE entity = 'vital_reading' "
                  f"AND entity_id = '{reading}'")  # fmt: skip
    _sql(
        path,
        "DROP TRIGGER audit_log_no_update",
        f"UPDATE vital_readings SET systolic = systolic + 1 WHERE id = {reading}",
        "UPDATE audit_log SET after = json_set(after, '$.systolic', "
        f"json_extract(after, '$.systolic') + 1) WHERE id = {newest}",
    )
    code, out = _check(path, capsys)
    assert code == 1, out
    assert f"signature {sig} (dosing_session {session}): content changed since signing" in out
    assert f"vital_reading {reading}: changed behind the app" not in out  # row = its entry
    assert "audit trail broken" in out


@pytest.fixture
def small_pieces(
    monkeypatch: pytest.MonkeyPatch, processes: list[frozenset[str]]
) -> list[tuple[int, int, frozenset[str]]]:
    """The check as on a big clinic, with signature pieces of 10 (so that the fixture's clinic
    has several); returns (piece low, piece high, from_entries) of each query built."""
    built: list[tuple[int, int, frozenset[str]]] = []
    real_pieces, real_queries = signed_sql.signature_pieces, signed_sql.signature_queries

    def spying(kinds: Any, piece: Any, from_entries: Any = ()) -> Queries:
        built.append((piece.low, piece.high, frozenset(from_entries)))
        return real_queries(kinds, piece, from_entries)

    monkeypatch.setattr(database_check, "signature_pieces", lambda c: real_pieces(c, 10))
    monkeypatch.setattr(database_check, "signature_queries", spying)
    return built


def _printed_pieces(built: list[tuple[int, int, frozenset[str]]]) -> set[tuple[int, int]]:
    return {(low, high) for low, high, tables in built if not tables}


def _printed_ids(built: list[tuple[int, int, frozenset[str]]]) -> set[int]:
    return {i for low, high in _printed_pieces(built) for i in range(low, high + 1)}


def test_a_printed_summary_reprints_only_its_signature(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    small_pieces: list[tuple[int, int, frozenset[str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Printing a signed session's summary audits the print on that session: its newest
    entry is no longer its row's snapshot, so the replay judges that row in Python. Only the
    signatures covering such a row can have matched on a text that is not the row's: they
    are rebuilt again with every row printed, not every signature (a clinic that prints
    summaries paid the whole signatures pass twice: ~+40 % of the check on the big clinic).
    Nothing is recomputed through the ORM and the check is clean."""
    path = _copy(clinic, tmp_path)
    session = _one(path, "SELECT max(entity_id) FROM signatures WHERE entity = 'dosing_session'")
    sig = _sig(path, "dosing_session", session)
    out_pdf = tmp_path / "s.pdf"
    assert cli.main(["report", "session", str(session), "--db", str(path), "-o", str(out_pdf)]) == 0
    capsys.readouterr()

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("a signature was recomputed through the ORM")

    monkeypatch.setattr(integrity, "record_hash", refuse)
    code, out = _check(path, capsys)
    assert code == 0, out
    assert f"ok ({clinic.signatures} signed records match their signatures)" in out
    pieces = {(low, high) for low, high, _t in small_pieces}
    assert len(pieces) > 3
    assert _printed_ids(small_pieces) == {sig}


@pytest.mark.parametrize("stored", ["'x1'", "CAST('7' AS BLOB)"])
def test_a_part_naming_its_session_oddly_hides_no_other_change(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    small_pieces: list[tuple[int, int, frozenset[str]]],
    stored: str,
) -> None:
    """A reading whose session id was rewritten behind the app as a text or a BLOB (the
    replay lists it; no session has that id) must not stop the signatures pass from naming
    another signed session changed behind the app; the session it left is named too."""
    path = _copy(clinic, tmp_path)
    find, change = KINDS["reading systolic"]
    changed = _one(path, find)
    other = _one(path, f"SELECT max(session_id) FROM vital_readings WHERE session_id IN "
                 f"({SIGNED_SESSION}) AND session_id != {changed}")  # fmt: skip
    reading = _one(path, f"SELECT max(id) FROM vital_readings WHERE session_id = {other}")
    _sql(
        path,
        change.format(s=changed),
        f"UPDATE vital_readings SET session_id = {stored} WHERE id = {reading}",
    )
    code, out = _check(path, capsys)
    assert code == 1, out
    assert "could not be checked" not in out
    sig = _sig(path, "dosing_session", changed)
    assert f"signature {sig} (dosing_session {changed}): content changed since signing" in out
    other_sig = _sig(path, "dosing_session", other)
    assert f"signature {other_sig} (dosing_session {other}): content changed" in out
