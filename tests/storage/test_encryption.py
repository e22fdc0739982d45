"""Encryption at rest (SQLCipher 4 via sqlcipher3): keys, refusals, raw bytes, backups, CLI."""

from __future__ import annotations

import getpass
import hashlib
import shutil
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

pytest.importorskip("sqlcipher3")

from kapdesk import cli
from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Role
from kapdesk.services.backups import BackupService
from kapdesk.services.context import ServiceContext
from kapdesk.services.patients import PatientService
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage import encryption
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.backup import (
    ProblemKind,
    backup_database,
    restore_database,
    verify_database,
)
from kapdesk.storage.db import Database
from kapdesk.storage.encrypt_file import EncryptionFailed, encrypt_database
from kapdesk.storage.encryption import (
    EncryptionUnavailable,
    NotEncrypted,
    PassphraseNeeded,
    WrongPassphrase,
    obtain_key,
)
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.orm import AuditEntry, Patient
from kapdesk.storage.sqlite_file import inspect_file

from .helpers import T0

KEY = "correct 'horse\" battery staple"  # quotes on purpose: PRAGMA key must quote them
MARKER = b"ZZMARKER-7f3a"  # in a free-text field (names may not hold digits)
NAME = "Zzmarker-Sevenfa"  # the patient's name, a second marker
WRONG = "wrong passphrase or not an encrypted kapdesk database"


def _folder_digest(folder: Path) -> dict[str, str]:
    """Every file's hash; -shm is left out (readers update its shared-memory index)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith("-shm")
    }


def _clinic(path: Path, key: str | None) -> ServiceContext:
    """An open database with a nurse and the marker patient, written through the services."""
    clock = FakeClock(T0)
    ctx = build_context(path, key=key, clock=clock)
    nurse = actor_of(
        UserService(ctx).add_user_from_console(
            username="nurse", full_name="Nia Nurse", role=Role.NURSE, password="long password 1"
        )
    )
    PatientService(ctx).create(
        nurse,
        mrn="K-1",
        given_name=NAME,
        family_name=NAME,
        date_of_birth="1980-05-17",
        sex="female",
        allergies=f"latex; {MARKER.decode()}",
    )
    return ctx


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    """A closed encrypted database holding the marker patient."""
    path = tmp_path / "clinic.sqlite"
    ctx = _clinic(path, KEY)
    ctx.db.close()
    return path


def _patients(path: Path, key: str | None) -> list[str]:
    with Database.open(path, key=key, create=False) as db, db.read() as s:
        return list(s.scalars(select(Patient.family_name)))


def _has_marker(data: bytes) -> bool:
    return MARKER in data or NAME.encode() in data


# --- the marker never reaches the disk in clear ------------------------------------------------


@pytest.mark.parametrize("key", [KEY, None], ids=["encrypted", "plain-control"])
def test_marker_is_not_in_the_file_or_its_wal(tmp_path: Path, key: str | None) -> None:
    path = tmp_path / "clinic.sqlite"
    wal = path.with_name(path.name + "-wal")
    ctx = _clinic(path, key)
    try:
        assert wal.stat().st_size > 0  # the rows are in the WAL, not yet in the main file
        in_wal = _has_marker(wal.read_bytes())
        with ctx.db.engine.connect() as conn:
            busy, _log, moved = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        assert busy == 0
        assert moved >= 0
        in_main_after_checkpoint = _has_marker(path.read_bytes())
    finally:
        ctx.db.close()
    in_any_file = any(_has_marker(p.read_bytes()) for p in tmp_path.iterdir() if p.is_file())
    if key is None:  # the control shows the test can see the marker when it is there
        assert (in_wal, in_main_after_checkpoint, in_any_file) == (True, True, True)
    else:
        assert (in_wal, in_main_after_checkpoint, in_any_file) == (False, False, False)
        assert not path.read_bytes().startswith(b"SQLite format 3")
        assert _patients(path, key) == [NAME]


def test_connections_get_the_usual_pragmas_and_nest_read_in_write(encrypted: Path) -> None:
    with Database.open(encrypted, key=KEY) as db:
        assert db.encrypted
        with db.engine.connect() as first, db.engine.connect() as second:
            for conn in (first, second):
                pragmas = [
                    conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                    for p in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
                ]
                assert pragmas == [1, "wal", 2, 5000]
                assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()
        with db.write() as w:
            w.add(
                Patient(
                    mrn="K-2",
                    family_name="Later",
                    given_name="A",
                    date_of_birth=T0.date(),
                    sex="male",
                    created_at=T0,
                    updated_at=T0,
                )
            )
            w.flush()
            with db.read() as r:  # a second pooled connection: sees the committed state
                assert r.scalar(select(func.count()).select_from(Patient)) == 1
    assert sorted(_patients(encrypted, KEY)) == ["Later", NAME]


# --- refusals never write -----------------------------------------------------------------------


def test_wrong_passphrase_is_a_clear_message_and_changes_nothing(encrypted: Path) -> None:
    before = _folder_digest(encrypted.parent)
    with pytest.raises(WrongPassphrase) as exc:
        Database.open(encrypted, key="not the passphrase")
    assert WRONG in str(exc.value).lower()
    assert "nothing was changed" in str(exc.value)
    for call in (
        lambda: verify_database(encrypted, key="nope"),
        lambda: backup_database(encrypted, encrypted.with_name("b.bak"), key="nope"),
        lambda: restore_database(encrypted, encrypted.with_name("other.sqlite"), key="nope"),
    ):
        with pytest.raises(WrongPassphrase):
            call()
    assert _folder_digest(encrypted.parent) == before


def test_opening_an_encrypted_file_without_a_key_suggests_encrypted(encrypted: Path) -> None:
    before = _folder_digest(encrypted.parent)
    with pytest.raises(PassphraseNeeded, match="--encrypted"):
        Database.open(encrypted)
    report = verify_database(encrypted)
    assert [p.kind for p in report.problems] == [ProblemKind.NOT_KAPDESK]
    assert "--encrypted" in report.lines()[0]
    assert _folder_digest(encrypted.parent) == before


def test_a_key_for_a_plain_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    Database.open(path).close()
    before = _folder_digest(tmp_path)
    with pytest.raises(NotEncrypted, match="kapdesk encrypt --db"):
        Database.open(path, key=KEY)
    assert _folder_digest(tmp_path) == before


def test_a_text_file_is_still_not_sqlite_rather_than_encrypted(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    report = verify_database(text)
    assert "not an SQLite file" in report.lines()[0]


def test_empty_passphrase_and_missing_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValidationError, match="empty"):
        Database.open(tmp_path / "a.sqlite", key="")
    encryption.sqlcipher_module.cache_clear()
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)
    monkeypatch.setitem(sys.modules, "sqlcipher3.dbapi2", None)
    try:
        with pytest.raises(EncryptionUnavailable, match=r"pip install 'kapdesk\[encryption\]'"):
            Database.open(tmp_path / "b.sqlite", key=KEY)
    finally:
        encryption.sqlcipher_module.cache_clear()
    assert not (tmp_path / "a.sqlite").exists()
    assert not (tmp_path / "b.sqlite").exists()


# --- backups of an encrypted database stay encrypted --------------------------------------------


def test_backup_verify_restore_keep_the_encryption(encrypted: Path, tmp_path: Path) -> None:
    copy = backup_database(encrypted, tmp_path / "copy.bak", key=KEY)
    assert not _has_marker(copy.read_bytes())
    assert not copy.read_bytes().startswith(b"SQLite format 3")
    assert verify_database(copy, key=KEY).ok
    with pytest.raises(PassphraseNeeded):
        Database.open(copy)

    with Database.open(encrypted, key=KEY) as db, db.write() as s:
        s.execute(Patient.__table__.delete())
    assert _patients(encrypted, KEY) == []
    result = restore_database(copy, encrypted, key=KEY, clock=FakeClock(T0))
    assert result.report.ok
    assert _patients(encrypted, KEY) == [NAME]
    assert result.replaced_kept_at is not None
    assert not _has_marker(result.replaced_kept_at.read_bytes())
    assert _patients(result.replaced_kept_at, KEY) == []


def test_rolling_backups_of_an_encrypted_database(encrypted: Path) -> None:
    clock = FakeClock(T0)
    with Database.open(encrypted, key=KEY, clock=clock) as db:
        info = BackupService(ServiceContext(db=db, clock=clock)).rolling_backup("exit")
    assert not _has_marker(info.path.read_bytes())
    assert verify_database(info.path, key=KEY).ok


# --- converting a plain database ----------------------------------------------------------------


def test_encrypt_converts_a_plain_database_and_keeps_a_plain_copy(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    ctx = _clinic(path, None)
    with ctx.db.read() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))
    ctx.db.close()
    assert _has_marker(path.read_bytes())
    result = encrypt_database(path, KEY, clock=FakeClock(T0))
    assert result.report.ok
    assert result.plain_backup == tmp_path / "clinic.sqlite.plain-20260302T090000Z.bak"
    assert _has_marker(result.plain_backup.read_bytes())  # the plain copy the user must shred
    assert not _has_marker(path.read_bytes())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "clinic.sqlite",
        "clinic.sqlite.plain-20260302T090000Z.bak",
    ]
    with Database.open(path, key=KEY) as db, db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
        assert verify_chain(s).ok
        assert list(s.scalars(select(Patient.given_name))) == [NAME]
    with pytest.raises(PassphraseNeeded):
        Database.open(path)


def test_encrypt_refuses_and_changes_nothing(tmp_path: Path, encrypted: Path) -> None:
    plain = tmp_path / "plain.sqlite"
    db = Database.open(plain)
    try:
        before = _folder_digest(tmp_path)
        with pytest.raises(EncryptionFailed, match="open in another kapdesk window"):
            encrypt_database(plain, KEY)
        with pytest.raises(ValidationError, match="at least 10"):
            encrypt_database(plain, "short")
        assert _folder_digest(tmp_path) == before
    finally:
        db.close()
    before = _folder_digest(tmp_path)
    with pytest.raises(EncryptionFailed, match="already looks encrypted"):
        encrypt_database(encrypted, KEY)
    assert _folder_digest(tmp_path) == before


# --- where the passphrase comes from ---------------------------------------------------------


def test_obtain_key_prefers_the_environment_then_asks() -> None:
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "typed passphrase"

    assert obtain_key(prompt, environ={"KAPDESK_DB_KEY": "from env"}) == "from env"
    assert asked == []
    assert obtain_key(prompt, environ={}, label="clinic.sqlite") == "typed passphrase"
    assert asked == ["Passphrase for the clinic.sqlite: "]
    assert obtain_key(prompt, environ={}, new=True) == "typed passphrase"
    answers = iter(["first passphrase", "second passphrase"])
    with pytest.raises(ValidationError, match="differ"):
        obtain_key(lambda _text: next(answers), environ={}, new=True)
    with pytest.raises(ValidationError, match="KAPDESK_DB_KEY"):
        obtain_key(None, environ={})


# --- the command line -----------------------------------------------------------------------


def test_cli_every_command_takes_encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.sqlite"
    monkeypatch.setenv("KAPDESK_DB_KEY", KEY)
    assert cli.main(["demo", "--db", str(path), "--encrypted", "--patients", "1"]) == 0
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert cli.main(["check", "--db", str(path), "--encrypted"]) == 0
    assert cli.main(["--encrypted", "check", "--db", str(path)]) == 0  # top-level flag too
    assert "ok (integrity" in capsys.readouterr().out
    assert cli.main(["list", "patients", "--db", str(path), "--encrypted", "--json"]) == 0
    assert cli.main(["backup", "--db", str(path), "--encrypted", "-o", str(tmp_path / "b")]) == 0
    assert not (tmp_path / "b").read_bytes().startswith(b"SQLite format 3")
    capsys.readouterr()

    assert cli.main(["check", "--db", str(path)]) == 1
    assert "--encrypted" in capsys.readouterr().out
    monkeypatch.setenv("KAPDESK_DB_KEY", "not it at all")
    before = _folder_digest(tmp_path)
    assert cli.main(["list", "patients", "--db", str(path), "--encrypted"]) == 1
    assert WRONG in capsys.readouterr().err.lower()
    monkeypatch.delenv("KAPDESK_DB_KEY")
    assert cli.main(["check", "--db", str(path), "--encrypted"]) == 1  # no terminal to ask
    assert "KAPDESK_DB_KEY" in capsys.readouterr().err
    assert _folder_digest(tmp_path) == before


def test_cli_prompts_in_a_terminal_and_encrypts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.sqlite"
    _clinic(path, None).db.close()
    monkeypatch.delenv("KAPDESK_DB_KEY", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    typed: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        typed.append(prompt)
        return KEY

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    assert cli.main(["encrypt", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert len(typed) == 2  # a new passphrase is typed twice
    assert "plain-" in out
    assert "delete that copy securely" in out
    assert cli.main(["check", "--db", str(path), "--encrypted"]) == 0
    assert not _has_marker(path.read_bytes())


def test_an_older_encrypted_database_is_upgraded_with_an_encrypted_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "r0001.sqlite", path)
    encrypt_database(path, KEY, clock=FakeClock(T0))  # an older schema may be encrypted
    with Database.open(path, key=KEY, clock=FakeClock(T0)) as db:
        assert db.schema_revision() == head_revision()
        backup = db.upgrade_backup
    assert backup is not None
    assert backup.name.startswith("old.sqlite.pre-")
    assert not backup.read_bytes().startswith(b"SQLite format 3")
    assert inspect_file(backup, key=KEY).revision == "0001"


def test_pooled_encrypted_connections_work_from_other_threads(encrypted: Path) -> None:
    with Database.open(encrypted, key=KEY) as db:
        with db.read() as s:  # a connection made on this thread goes back to the pool
            assert s.scalar(select(func.count()).select_from(Patient)) == 1
        found: list[int] = []
        worker = threading.Thread(
            target=lambda: found.append(_count_patients(db)), name="report-worker"
        )
        worker.start()
        worker.join()
        assert found == [1]


def _count_patients(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Patient)) or 0)
