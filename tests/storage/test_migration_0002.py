"""Revision 0002 (signatures, addenda): old files keep every row; new tables are append-only."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from kapdesk.domain.clock import FakeClock
from kapdesk.services.integrity import verify_signatures, verify_signatures_at
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_sqlite_engine
from kapdesk.storage.migrate import alembic_config, current_revision, head_revision

FIXTURES = Path(__file__).parent / "fixtures"
NEW_TABLES = ("signatures", "addenda")


# Added by later revisions (0003: tests/storage/test_migration_0003.py, 0004:
# tests/storage/test_migration_0004.py, 0005: the entered-in-error marks, 0006: the user's
# language, tests/storage/test_migration_0006.py), left out here.
_MARK = ("error_at", "error_by", "error_reason")
LATER_COLUMNS = {
    "users": ("language",),
    "patients": ("search_key",),
    "courses": ("protocol_hash",),
    "hold_overrides": ("kind", "item_id"),
    "dosing_sessions": ("same_day_reason", "same_day_confirmed_by"),
    "instrument_results": ("scoring_rule", *_MARK),
    "doses": ("warnings", *_MARK),
    "vital_readings": _MARK,
    "side_effects": _MARK,
    "observations": _MARK,
}


def _columns(conn: sqlite3.Connection, table: str) -> str:
    names = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    return ", ".join(f'"{n}"' for n in names if n not in LATER_COLUMNS.get(table, ()))


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but Alembic's), in rowid order, exactly as stored."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT IN ('alembic_version', 'sqlite_sequence')"
            )
        ]
        return {t: conn.execute(f'SELECT {_columns(conn, t)} FROM "{t}" ORDER BY rowid').fetchall()
                for t in tables}  # fmt: skip
    finally:
        conn.close()


def _copy(name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    return path


def test_a_0001_file_upgrades_keeping_every_row_unchanged(tmp_path: Path, clock: FakeClock) -> None:
    path = _copy("r0001.sqlite", tmp_path)
    before = _dump(path)
    assert all(before[t] for t in ("users", "dosing_sessions", "vital_readings", "audit_log"))
    with Database.open(path, clock=clock) as db:
        assert db.schema_revision() == head_revision()
        assert db.upgrade_backup is not None
        with db.read() as s:
            chain = verify_chain(s)
            assert verify_signatures(s).checked == 0
    assert chain.ok
    assert chain.entries_checked == len(before["audit_log"])
    after = _dump(path)
    assert {t: after[t] for t in before} == before
    assert {t: after[t] for t in NEW_TABLES} == {t: [] for t in NEW_TABLES}


def test_the_new_tables_are_append_only(tmp_path: Path) -> None:
    path = _copy("r0002.sqlite", tmp_path)
    conn = sqlite3.connect(path)
    try:
        for table in NEW_TABLES:
            with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only"):
                conn.execute(f"UPDATE {table} SET entity_id = 99")
            with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only"):
                conn.execute(f"DELETE FROM {table}")
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            conn.execute(
                "INSERT INTO signatures (entity, entity_id, signer_id, signer_name, signer_role, "
                "signed_at, meaning, content_sha256, method, hash_scheme) SELECT entity, "
                "entity_id, signer_id, signer_name, signer_role, signed_at, meaning, "
                "content_sha256, method, hash_scheme FROM signatures WHERE id = 1"
            )  # one signature per record
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(
                "INSERT INTO addenda (entity, entity_id, author_id, author_name, author_role, "
                "created_at, text) VALUES ('patient', 1, 1, 'x', 'nurse', '2026-03-02', 't')"
            )
    finally:
        conn.close()


def test_the_0002_fixture_opens_with_its_signatures_intact(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = _copy("r0002.sqlite", tmp_path)
    before = _dump(path)
    assert len(before["signatures"]) == 2
    assert len(before["addenda"]) == 2
    with Database.open(path, clock=clock) as db, db.read() as s:
        assert verify_chain(s).ok
        report = verify_signatures(s)
    assert (report.ok, report.checked) == (True, 2)
    after = _dump(path)
    assert {t: after[t] for t in before} == before
    assert verify_signatures_at(path).ok


def test_downgrade_to_0001_and_back_keeps_the_old_tables(tmp_path: Path) -> None:
    path = _copy("r0002.sqlite", tmp_path)
    old_tables = {t: rows for t, rows in _dump(path).items() if t not in NEW_TABLES}
    engine = create_sqlite_engine(path)
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
        assert current_revision(engine) == "0001"
        assert _dump(path) == old_tables
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    dumped = _dump(path)
    assert {t: dumped[t] for t in old_tables} == old_tables
    assert all(dumped[t] == [] for t in NEW_TABLES)
