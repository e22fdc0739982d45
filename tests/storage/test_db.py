"""Database.open, connection settings, and the write()/read() transaction contract."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.storage import engine as engine_module
from kapdesk.storage.audit import append
from kapdesk.storage.db import Database
from kapdesk.storage.errors import (
    DatabaseBusy,
    DatabaseMissing,
    NotAKapdeskDatabase,
    SchemaTooNew,
)
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.orm import AuditEntry, Patient

from .helpers import T0, add_patient, file_digest


def _pragmas(conn: object) -> dict[str, object]:
    return {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # type: ignore[attr-defined]
        for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
    }


EXPECTED_PRAGMAS = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "synchronous": 2,
    "busy_timeout": 5000,
}


def test_every_new_connection_gets_the_pragmas(db: Database) -> None:
    with db.engine.connect() as first, db.engine.connect() as second:
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
        assert _pragmas(first) == EXPECTED_PRAGMAS
        assert _pragmas(second) == EXPECTED_PRAGMAS
    db.engine.dispose()  # brand-new connections after the pool is emptied
    with db.engine.connect() as third:
        assert _pragmas(third) == EXPECTED_PRAGMAS


def test_plain_sqlite_connection_lacks_them_so_the_listener_is_what_sets_them(
    db: Database,
) -> None:
    raw = sqlite3.connect(db.path)
    try:
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 0
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent
    finally:
        raw.close()


def test_new_file_is_created_in_a_new_folder_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "new.sqlite"
    with Database.open(path) as db:
        assert db.schema_revision() == head_revision()
        assert db.upgrade_backup is None
        assert db.path == path
    assert not list(tmp_path.rglob("*.bak"))


def test_write_commits(db: Database) -> None:
    add_patient(db, "MRN-7")
    with db.read() as s:
        assert s.scalars(select(Patient.mrn)).all() == ["MRN-7"]


def _patient(mrn: str) -> Patient:
    return Patient(
        mrn=mrn,
        family_name="A",
        given_name="B",
        date_of_birth=T0.date(),
        sex="male",
        created_at=T0,
        updated_at=T0,
    )


def _create_patient_then_fail(db: Database, error: Exception) -> None:
    with db.write() as s:
        s.add(_patient("X"))
        s.flush()
        append(
            s,
            at=T0,
            user_id=None,
            action="patient.create",
            entity="patient",
            entity_id=1,
            before=None,
            after={"mrn": "X"},
        )
        raise error


@pytest.mark.parametrize("error", [ValueError("boom"), ValidationError("Weight", 9, "no")])
def test_write_rolls_back_everything_on_any_exception(db: Database, error: Exception) -> None:
    with pytest.raises(type(error)):
        _create_patient_then_fail(db, error)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_write_takes_the_write_lock_at_once(db: Database) -> None:
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with db.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the block ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_held_lock_becomes_database_busy(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    db.engine.dispose()
    other = sqlite3.connect(db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseBusy, match="busy") as caught, db.write() as s:
            s.add(
                Patient(
                    mrn="Y",
                    family_name="A",
                    given_name="B",
                    date_of_birth=T0.date(),
                    sex="male",
                    created_at=T0,
                    updated_at=T0,
                )
            )
        assert isinstance(caught.value, KapdeskError)
        other.execute("ROLLBACK")
    finally:
        other.close()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 0


def _write_in_read_session(db: Database) -> None:
    with db.read() as s:
        s.add(_patient("Z"))
        s.flush()


def test_read_sessions_cannot_write(db: Database) -> None:
    with pytest.raises(OperationalError, match="readonly"):
        _write_in_read_session(db)
    with db.write() as s:  # the same pooled connection writes again afterwards
        s.execute(text("INSERT INTO settings (key, value) VALUES ('k', '1')"))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 0


def test_loaded_objects_stay_readable_after_the_block(db: Database) -> None:
    add_patient(db, "MRN-9")
    with db.read() as s:
        patient = s.scalars(select(Patient)).one()
    assert patient.mrn == "MRN-9"
    assert patient.created_at == T0


# --- refusing files --------------------------------------------------------------------------


def _refused(path: Path, error: type[Exception]) -> str:
    before = file_digest(path)
    siblings = set(path.parent.iterdir())
    with pytest.raises(error) as caught:
        Database.open(path)
    assert file_digest(path) == before
    assert set(path.parent.iterdir()) == siblings  # no -wal/-shm/.bak left behind
    message = str(caught.value)
    assert str(path) in message
    assert message.endswith(".")
    assert "\n" not in message
    return message


def test_refuses_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 20)
    assert "not an SQLite file" in _refused(path, NotAKapdeskDatabase)


def test_refuses_an_unrelated_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO recipes (name) VALUES ('soup')")
    conn.commit()
    conn.close()
    assert "another program" in _refused(path, NotAKapdeskDatabase)


def test_refuses_another_programs_alembic_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES ('0001')")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    _refused(path, NotAKapdeskDatabase)


def test_refuses_a_damaged_file_with_an_sqlite_header(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    _refused(path, NotAKapdeskDatabase)


def test_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NotAKapdeskDatabase, match="folder"):
        Database.open(tmp_path)


def test_refuses_a_newer_schema_and_leaves_the_file_alone(db_path: Path) -> None:
    Database.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    message = _refused(db_path, SchemaTooNew)
    assert "9999" in message
    assert "newer version of kapdesk" in message


def test_missing_file_without_create(tmp_path: Path) -> None:
    path = tmp_path / "nope.sqlite"
    with pytest.raises(DatabaseMissing, match="no kapdesk database"):
        Database.open(path, create=False)
    assert not path.exists()


def test_zero_byte_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    with Database.open(path, create=False) as db:
        assert db.schema_revision() == head_revision()


def test_migrate_false_leaves_a_new_file_empty(tmp_path: Path) -> None:
    with Database.open(tmp_path / "raw.sqlite", migrate=False) as db:
        assert db.schema_revision() is None
        assert db.upgrade_backup is None


def test_paths_with_spaces_hashes_and_accents(tmp_path: Path) -> None:
    from kapdesk.storage.backup import backup_database, verify_database

    folder = tmp_path / "Clinic files #1 Zoë?"
    path = folder / "kap desk%20.sqlite"
    with Database.open(path) as db:
        add_patient(db)
    with Database.open(path, create=False) as db, db.read() as s:
        assert s.scalars(select(Patient.mrn)).all() == ["MRN-1"]
    assert verify_database(path).ok
    assert verify_database(backup_database(path, folder / "copy #2.bak")).ok
    assert sorted(p.name for p in folder.iterdir()) == ["copy #2.bak", "kap desk%20.sqlite"]
