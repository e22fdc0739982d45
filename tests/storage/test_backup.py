"""Backup (SQLite backup API), verification for `kapdesk check`, and restore."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.audit import append
from kapdesk.storage.backup import (
    ProblemKind,
    backup_database,
    restore_database,
    verify_database,
)
from kapdesk.storage.db import Database
from kapdesk.storage.errors import BackupError, DatabaseMissing, NotAKapdeskDatabase
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.orm import Patient

from .helpers import T0, add_patient, add_user, file_digest


def _populate(db: Database, patients: int = 3) -> None:
    uid = add_user(db)
    for n in range(patients):
        pid = add_patient(db, f"MRN-{n:04d}")
        with db.write() as s:
            append(
                s,
                at=T0,
                user_id=uid,
                action="patient.create",
                entity="patient",
                entity_id=pid,
                before=None,
                after={"mrn": f"MRN-{n:04d}"},
            )


def _mrns(path: Path) -> list[str]:
    with Database.open(path, create=False) as db, db.read() as s:
        return list(s.scalars(select(Patient.mrn).order_by(Patient.mrn)))


def _kinds(path: Path) -> set[ProblemKind]:
    return {p.kind for p in verify_database(path).problems}


def test_backup_verify_restore_round_trip(db: Database, tmp_path: Path, clock: FakeClock) -> None:
    _populate(db)
    backup = backup_database(db.path, tmp_path / "out" / "monday.kapdesk")
    assert backup.exists()
    assert not backup.with_name(backup.name + "-wal").exists()
    report = verify_database(backup)
    assert report.ok
    assert report.revision == head_revision()
    assert report.audit is not None
    assert report.audit.entries_checked == 3
    assert "ok" in report.lines()[0]
    assert "3 entries" in report.lines()[0]

    add_patient(db, "MRN-LATER")  # the live file moves on; the app is still open
    db.close()
    result = restore_database(backup, db.path, clock=clock)

    assert result.report.ok
    assert result.replaced_kept_at == db.path.with_name("clinic.sqlite.replaced-20260302T090000Z")
    assert _mrns(db.path) == ["MRN-0000", "MRN-0001", "MRN-0002"]
    assert "MRN-LATER" in _mrns(result.replaced_kept_at)


def test_backup_is_consistent_while_another_connection_writes(db: Database, tmp_path: Path) -> None:
    _populate(db, 1)
    writer = sqlite3.connect(db.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM patients")  # not committed
        backup = backup_database(db.path, tmp_path / "mid.bak")
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert _mrns(backup) == ["MRN-0000"]


def test_backup_refuses_to_overwrite_unless_told(db: Database, tmp_path: Path) -> None:
    _populate(db, 1)
    dest = tmp_path / "taken.bak"
    dest.write_text("precious")
    with pytest.raises(BackupError, match="already exists"):
        backup_database(db.path, dest)
    assert dest.read_text() == "precious"
    backup_database(db.path, dest, overwrite=True)
    assert verify_database(dest).ok


def test_backup_refuses_itself_and_foreign_files(db: Database, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="database itself"):
        backup_database(db.path, db.path, overwrite=True)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    with pytest.raises(NotAKapdeskDatabase):
        backup_database(text_file, tmp_path / "x.bak")
    with pytest.raises(DatabaseMissing):
        backup_database(tmp_path / "missing.sqlite", tmp_path / "y.bak")
    assert not (tmp_path / "x.bak").exists()
    assert not (tmp_path / "y.bak").exists()


# --- verify ----------------------------------------------------------------------------------


def _corrupt_copy(db: Database, tmp_path: Path) -> Path:
    _populate(db, 300)
    copy = backup_database(db.path, tmp_path / "corrupt.bak")
    data = bytearray(copy.read_bytes())
    page = 4096
    for start in range(12 * page, len(data) - page, 5 * page):
        data[start + 8 : start + 200] = b"\xa5" * 192  # scribble over b-tree pages
    copy.write_bytes(bytes(data))
    return copy


def test_verify_finds_a_damaged_file_without_touching_it(db: Database, tmp_path: Path) -> None:
    copy = _corrupt_copy(db, tmp_path)
    before = file_digest(copy)
    report = verify_database(copy)
    assert not report.ok
    assert not report.restorable
    assert ProblemKind.INTEGRITY in {p.kind for p in report.problems}
    assert file_digest(copy) == before


def test_verify_finds_broken_foreign_keys(db: Database) -> None:
    _populate(db, 1)
    db.close()
    conn = sqlite3.connect(db.path)  # foreign_keys is off on a plain connection
    conn.execute(
        "INSERT INTO courses (patient_id, protocol_id, protocol_version, started_on, goal, "
        "created_at) VALUES (42, 'kap-default', '1', '2026-03-02', '', '2026-03-02 09:00:00')"
    )
    conn.commit()
    conn.close()
    report = verify_database(db.path)
    assert [p.kind for p in report.problems] == [ProblemKind.FOREIGN_KEY]
    assert "courses row 1 refers to a patients row" in report.lines()[0]


def test_verify_finds_a_broken_audit_trail(db: Database) -> None:
    _populate(db, 3)
    db.close()
    conn = sqlite3.connect(db.path)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE id = 2")
    conn.commit()
    conn.close()
    report = verify_database(db.path)
    assert [p.kind for p in report.problems] == [ProblemKind.AUDIT]
    assert "entry 2 missing" in report.problems[0].message


def test_verify_reports_schema_problems_and_foreign_files(db: Database, tmp_path: Path) -> None:
    db.close()
    conn = sqlite3.connect(db.path)
    conn.execute("UPDATE alembic_version SET version_num = '7777'")
    conn.commit()
    conn.close()
    assert _kinds(db.path) == {ProblemKind.SCHEMA_TOO_NEW}
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    assert _kinds(text_file) == {ProblemKind.NOT_KAPDESK}
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert _kinds(empty) == {ProblemKind.NOT_KAPDESK}
    with pytest.raises(DatabaseMissing):
        verify_database(tmp_path / "nothing.sqlite")


def test_an_older_schema_is_restorable_but_not_ok(db: Database) -> None:
    db.close()
    conn = sqlite3.connect(db.path)
    conn.execute("DELETE FROM alembic_version")  # as if stamped before 0001
    conn.commit()
    conn.close()
    report = verify_database(db.path)
    assert (report.ok, report.restorable) == (False, True)
    assert [p.kind for p in report.problems] == [ProblemKind.SCHEMA_BEHIND]


# --- restore refusals ------------------------------------------------------------------------


def test_restore_refuses_a_corrupt_backup_and_changes_nothing(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    copy = _corrupt_copy(db, tmp_path)
    db.close()
    before = file_digest(db.path)
    siblings = set(tmp_path.iterdir())
    with pytest.raises(BackupError, match=r"cannot be restored.*nothing was changed"):
        restore_database(copy, db.path, clock=clock)
    assert file_digest(db.path) == before
    assert set(tmp_path.iterdir()) == siblings


def test_a_backup_that_is_not_a_database_is_refused_in_one_plain_sentence(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a database at all" * 200)
    db.close()
    with pytest.raises(BackupError) as refused:
        restore_database(junk, db.path, clock=clock)
    message = str(refused.value)
    assert message == (
        f"{junk} cannot be restored: {junk} is not a kapdesk database "
        "(it is not an SQLite file); nothing was changed."
    )


def test_restore_refuses_a_backup_with_a_broken_audit_trail(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    _populate(db, 2)
    backup = backup_database(db.path, tmp_path / "b.bak")
    conn = sqlite3.connect(backup)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET after = '{}' WHERE id = 1")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="audit trail broken"):
        restore_database(backup, db.path, clock=clock)


def test_restore_refuses_a_text_file_and_the_database_itself(db: Database, tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    with pytest.raises(BackupError, match="not a kapdesk database"):
        restore_database(text_file, db.path)
    with pytest.raises(BackupError, match="database itself"):
        restore_database(db.path, db.path)


def test_restore_to_a_new_place(db: Database, tmp_path: Path) -> None:
    _populate(db, 2)
    backup = backup_database(db.path, tmp_path / "b.bak")
    result = restore_database(backup, tmp_path / "elsewhere" / "new.sqlite")
    assert result.replaced_kept_at is None
    assert result.report.ok
    assert _mrns(result.db_path) == ["MRN-0000", "MRN-0001"]


def test_restore_over_a_damaged_database_keeps_its_raw_bytes(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    _populate(db, 2)
    backup = backup_database(db.path, tmp_path / "b.bak")
    db.close()
    db.path.write_bytes(b"garbage, not a database" * 50)
    result = restore_database(backup, db.path, clock=clock)
    assert result.replaced_kept_at is not None
    assert result.replaced_kept_at.read_bytes() == b"garbage, not a database" * 50
    assert result.report.ok
    with Database.open(db.path) as reopened, reopened.read() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 2
