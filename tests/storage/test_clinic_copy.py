"""Copying a whole clinic (kapdesk migrate / backup of a server), file to file here; the
PostgreSQL half is in test_clinic_copy_pg.py."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kapdesk.services import clinic_move
from kapdesk.services.clinic_move import Store, VerificationFailed, move_clinic
from kapdesk.services.database_check import run_check
from kapdesk.storage.audit import canonical_json
from kapdesk.storage.clinic_copy import (
    COPIED_TABLES,
    CopyRefused,
    copy_clinic,
    destination_problems,
)
from kapdesk.storage.clinic_verify import recompute_chain, render, table_digests
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.orm import Base
from kapdesk.storage.schema_head import OBJECTS

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def demo_seed() -> int:
    """This module's demo clinic (tests/storage/conftest.py builds it) comes from seed 3."""
    return 3


def raw_dump(path: Path) -> dict[str, Any]:
    """Every row of every table as SQLite stores it (sqlite_sequence too), the schema and
    the application id: two files equal here hold the same clinic, byte for byte."""
    conn = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        out["(schema)"] = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master"))
        out["(application_id)"] = conn.execute("PRAGMA application_id").fetchall()
        return out
    finally:
        conn.close()


def leftovers(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_every_table_of_the_schema_is_copied_parents_first() -> None:
    """A table added to the schema and not to the copy fails here."""
    schema_tables = {name for name, kind, *_ in OBJECTS if kind == "table"}
    assert set(COPIED_TABLES) == schema_tables - {"alembic_version"}
    assert set(COPIED_TABLES) == set(Base.metadata.tables)
    position = {name: i for i, name in enumerate(COPIED_TABLES)}
    for name in COPIED_TABLES:
        for fk in Base.metadata.tables[name].foreign_keys:
            parent = fk.column.table.name
            assert parent == name or position[parent] < position[name], (name, parent)


def test_file_to_file_copy_is_identical_and_passes_check(demo: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.sqlite"
    lines: list[str] = []
    result = move_clinic(Store(path=demo), Store(path=dest), say=lines.append)
    assert raw_dump(dest) == raw_dump(demo)  # ids, JSON text, sqlite_sequence, triggers
    lines_ok, ok = run_check(dest, full=True)
    assert ok, lines_ok
    assert result.rows["audit_log"] == result.audit_entries > 0
    assert sum(result.rows.values()) == sum(
        len(rows) for t, rows in raw_dump(demo).items() if t in COPIED_TABLES
    )
    assert any(line.startswith("copied audit_log:") for line in lines)
    assert leftovers(dest) == [dest]


def test_small_batches_page_through_every_row(demo: Path, tmp_path: Path) -> None:
    """Keyset paging across many batches (the big clinic's audit log streams the same way)."""
    dest = tmp_path / "copy.sqlite"
    source = create_readonly_engine(demo)
    try:
        with Database.open(dest) as db, source.connect() as src, db.engine.connect() as conn:
            copied = copy_clinic(src, conn, batch=7, commit_every=50)
            conn.commit()
            again = table_digests(conn)
            assert {t: d.hexdigest for t, d in again.items()} == {
                t: d.hexdigest for t, d in copied.digests.items()
            }
            assert recompute_chain(conn).ok
    finally:
        source.dispose()
    assert raw_dump(dest) == raw_dump(demo)


def test_existing_destination_file_is_refused_untouched(demo: Path, tmp_path: Path) -> None:
    dest = tmp_path / "there.sqlite"
    dest.write_bytes(b"something")
    with pytest.raises(CopyRefused, match="already exists"):
        move_clinic(Store(path=demo), Store(path=dest))
    assert dest.read_bytes() == b"something"


def test_same_file_twice_and_missing_source_are_refused(demo: Path, tmp_path: Path) -> None:
    with pytest.raises(CopyRefused, match="the same database"):
        move_clinic(Store(path=demo), Store(path=demo))
    with pytest.raises(CopyRefused, match="no such file"):
        move_clinic(Store(path=tmp_path / "nope.sqlite"), Store(path=tmp_path / "new.sqlite"))


def test_source_behind_head_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURES / "r0004.sqlite", old)
    with pytest.raises(CopyRefused, match="open it with kapdesk first to upgrade"):
        move_clinic(Store(path=old), Store(path=tmp_path / "new.sqlite"))
    assert not (tmp_path / "new.sqlite").exists()


def test_tampered_source_is_refused(demo: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(demo)
    conn.execute("UPDATE vital_readings SET systolic = systolic + 40 WHERE id = 1")
    conn.commit()
    conn.close()
    dest = tmp_path / "new.sqlite"
    with pytest.raises(CopyRefused, match="fails its check"):
        move_clinic(Store(path=demo), Store(path=dest))
    assert leftovers(dest) == []


def test_non_empty_destination_is_refused(tmp_path: Path) -> None:
    with Database.open(tmp_path / "x.sqlite") as db, db.engine.connect() as conn:
        assert destination_problems(conn, "x") == []
        conn.exec_driver_sql("CREATE TABLE other_app (id INTEGER)")
        assert "not kapdesk's (other_app)" in destination_problems(conn, "x")[0]
        conn.exec_driver_sql("DROP TABLE other_app")
        conn.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('a', '1')")
        assert "already holds a clinic (rows in settings)" in destination_problems(conn, "x")[0]


def test_copy_that_differs_is_named_and_removed(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value that comes back different at the destination fails the move and names it."""
    real = clinic_move.copy_clinic

    def lossy(src: Any, dest: Any, **kwargs: Any) -> Any:
        result = real(src, dest, **kwargs)
        dest.exec_driver_sql("UPDATE patients SET family_name = 'Changed' WHERE id = 2")
        return result

    monkeypatch.setattr(clinic_move, "copy_clinic", lossy)
    dest = tmp_path / "new.sqlite"
    with pytest.raises(VerificationFailed, match=r"table patients row id=2 differs in family_name"):
        move_clinic(Store(path=demo), Store(path=dest))
    assert leftovers(dest) == []


def test_interrupted_copy_leaves_no_file(demo: Path, tmp_path: Path) -> None:
    def stop(line: str) -> None:
        if line.startswith("copied users"):
            raise KeyboardInterrupt

    dest = tmp_path / "new.sqlite"
    with pytest.raises(KeyboardInterrupt):
        move_clinic(Store(path=demo), Store(path=dest), say=stop)
    assert leftovers(dest) == []


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (datetime(2026, 3, 4, 10, 0, 0, 5), datetime(2026, 3, 4, 10, 0, 0, 5, tzinfo=UTC), True),
        (1, True, False),
        (0.1 + 0.2, 0.30000000000000004, True),
        (0.3, 0.30000000000000004, False),
        ("1", 1, False),
        (None, "null", False),
    ],
)
def test_rendering_is_canonical(a: object, b: object, same: bool) -> None:
    assert (canonical_json([render(a)]) == canonical_json([render(b)])) is same
