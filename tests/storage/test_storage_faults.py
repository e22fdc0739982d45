"""A full disk, an I/O error or a read-only file is a StorageFailed with a clear sentence,
the transaction is undone, and the database works again once the disk recovers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kapdesk.domain.errors import KapdeskError
from kapdesk.storage.db import Database
from kapdesk.storage.errors import StorageFailed
from kapdesk.storage.orm import Setting
from tests.faultkit import Faults, inject


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "clinic.sqlite")
    yield database
    database.close()


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Setting)) or 0)


def _write(db: Database, key: str, size: int = 10) -> None:
    with db.write() as s:
        s.add(Setting(key=key, value="x" * size))


@pytest.mark.parametrize(
    ("mode", "kind", "words"),
    [
        ("full", "full", "is full"),
        ("real_full", "full", "is full"),
        ("io", "io", "disk I/O error"),
        ("read_only", "read_only", "is read-only"),
    ],
)
def test_each_fault_is_a_clear_refusal_and_nothing_is_kept(
    db: Database, mode: str, kind: str, words: str
) -> None:
    faults: Faults = inject(db.engine)
    _write(db, "before")
    saved_at = db.last_commit_at
    before = _count(db)
    faults.mode = mode
    with pytest.raises(StorageFailed) as exc:
        _write(db, "lost", size=200_000)  # more than any free page can hold
    assert isinstance(exc.value, KapdeskError)
    assert exc.value.kind == kind
    message = str(exc.value)
    assert words in message
    assert str(db.path) in message
    assert "nothing was saved" in message
    assert "Traceback" not in message
    assert "sqlalchemy" not in message.lower()
    assert faults.hits
    assert db.last_commit_at == saved_at  # a refused write is not a save
    faults.mode = None
    assert _count(db) == before
    _write(db, "after")  # the disk recovered: writing works again
    assert _count(db) == before + 1


def test_an_io_error_while_reading_is_a_storage_failure(db: Database) -> None:
    faults = inject(db.engine)
    faults.mode, faults.reads = "io", True
    with pytest.raises(StorageFailed) as exc:
        _count(db)
    assert exc.value.kind == "io"
    assert str(exc.value).startswith(f"The database {db.path} could not be read (a disk I/O")
    assert "nothing was saved" not in str(exc.value)  # nothing was being saved
    faults.mode = None
    assert _count(db) >= 0
