"""The audit trail: hash chain, tamper detection, append-only triggers, JSON snapshots."""

from __future__ import annotations

import enum
import hashlib
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.audit import (
    GENESIS_HASH,
    REDACTED,
    ChainReport,
    append,
    canonical_json,
    entry_hash,
    row_snapshot,
    to_jsonable,
    verify_chain,
)
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.orm import AuditEntry, Patient, User

from .helpers import T0, add_patient, add_user


def _append_many(db: Database, n: int, *, per_transaction: int = 10) -> None:
    for start in range(0, n, per_transaction):
        with db.write() as s:
            for i in range(start, min(n, start + per_transaction)):
                append(
                    s,
                    at=T0 + timedelta(seconds=i),
                    user_id=1 + i % 3,
                    action="vitals.record",
                    entity="vital_reading",
                    entity_id=i,
                    before=None if i % 2 else {"n": i - 1},
                    after={"n": i, "note": "Zoë ✓"},
                )


def _verify(path: Path, **kwargs: int) -> ChainReport:
    engine = create_readonly_engine(path)
    try:
        with engine.connect() as conn:
            return verify_chain(conn, **kwargs)
    finally:
        engine.dispose()


def _tamper(path: Path, *statements: str) -> None:
    """What someone with the file and an SQLite shell could do: drop the triggers first."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_entries_chain_from_the_genesis_hash(db: Database) -> None:
    with db.write() as s:
        first = append(
            s, at=T0, user_id=None, action="a", entity="e", entity_id=None, before=None, after=None
        )
        second = append(
            s,
            at=T0,
            user_id=7,
            action="b",
            entity="e",
            entity_id="x-1",
            before={"v": 1},
            after={"v": 2},
        )
    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash != second.hash
    assert second.entity_id == "x-1"
    assert second.before_data == {"v": 1}
    assert second.after_data == {"v": 2}
    assert second.hash == entry_hash(
        entry_id=2,
        at=T0.isoformat(),
        user_id=7,
        action="b",
        entity="e",
        entity_id="x-1",
        before='{"v":1}',
        after='{"v":2}',
        prev_hash=first.hash,
    )


def test_append_flushes_pending_rows_and_stores_the_time_in_utc(db: Database) -> None:
    local = datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    with db.write() as s:
        s.add(
            Patient(
                mrn="A",
                family_name="F",
                given_name="G",
                date_of_birth=date(1990, 1, 1),
                sex="male",
                created_at=T0,
                updated_at=T0,
            )
        )
        entry = append(
            s,
            at=local,
            user_id=None,
            action="create",
            entity="patient",
            entity_id=1,
            before=None,
            after=None,
        )
        assert s.scalar(select(Patient.id)) == 1
    with db.read() as s:
        stored = s.get(AuditEntry, entry.id)
    assert stored is not None
    assert stored.at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert stored.at.tzinfo is UTC


def test_append_refuses_a_naive_time(db: Database) -> None:
    with pytest.raises(ValueError, match="naive"), db.write() as s:
        append(
            s,
            at=datetime(2026, 3, 2, 9, 0),
            user_id=None,
            action="a",
            entity="e",
            entity_id=None,
            before=None,
            after=None,
        )


def test_a_long_chain_verifies_in_chunks(db: Database) -> None:
    _append_many(db, 503)
    with db.read() as s:
        for chunk in (1, 7, 500, 503, 5000):
            assert verify_chain(s, chunk_size=chunk) == ChainReport(True, 503)


def test_verify_streams_in_fixed_size_chunks(db: Database) -> None:
    _append_many(db, 250, per_transaction=250)
    queries: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM audit_log" in statement and "sqlite_" not in statement:
            queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.read() as s:
            assert verify_chain(s, chunk_size=100).ok
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(queries) == 3  # 100 + 100 + 50: never the whole table at once
    assert all("LIMIT" in q for q in queries)


def test_an_empty_log_verifies(db: Database) -> None:
    with db.read() as s:
        assert verify_chain(s) == ChainReport(True, 0)


def test_concurrent_writers_never_fork_the_chain(db_path: Path, clock: FakeClock) -> None:
    Database.open(db_path, clock=clock).close()
    errors: list[BaseException] = []

    def writer(user_id: int) -> None:
        try:
            with Database.open(db_path, clock=clock) as mine:
                for i in range(40):
                    with mine.write() as s:
                        append(
                            s,
                            at=T0,
                            user_id=user_id,
                            action="w",
                            entity="e",
                            entity_id=i,
                            before=None,
                            after={"i": i},
                        )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _verify(db_path) == ChainReport(True, 120)


# --- append-only ---------------------------------------------------------------------------


def _edit_through_the_orm(db: Database) -> None:
    with db.write() as s:
        entry = s.get(AuditEntry, 1)
        assert entry is not None
        entry.action = "forged"


def test_triggers_reject_update_and_delete(db: Database) -> None:
    _append_many(db, 3)
    for sql in ("UPDATE audit_log SET action = 'x' WHERE id = 2", "DELETE FROM audit_log"):
        conn = sqlite3.connect(db.path)
        with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
            conn.execute(sql)
        conn.close()
    with pytest.raises(IntegrityError, match="append-only"):
        _edit_through_the_orm(db)
    with db.read() as s:
        assert [e.action for e in s.scalars(select(AuditEntry))] == ["vitals.record"] * 3
        assert verify_chain(s).ok


# --- tampering (triggers dropped first) ----------------------------------------------------


@pytest.fixture
def chain_file(db: Database) -> Iterator[Path]:
    _append_many(db, 30)
    db.close()
    return db.path


@pytest.mark.parametrize(
    ("statements", "broken_id", "words"),
    [
        (["UPDATE audit_log SET after = '{\"n\":999}' WHERE id = 12"], 12, "altered"),
        (["UPDATE audit_log SET at = '2026-03-02 08:00:00.000000' WHERE id = 5"], 5, "altered"),
        (["UPDATE audit_log SET user_id = NULL WHERE id = 1"], 1, "altered"),
        (["UPDATE audit_log SET at = 'yesterday' WHERE id = 9"], 9, "altered"),
        # SQLite's printf() stops at a NUL: the text after it must still count
        (
            [
                "UPDATE audit_log SET action = action || char(0) || '.forged', "
                "entity = entity || char(0) || 'x' WHERE id = 7"
            ],
            7,
            "altered",
        ),
        (["UPDATE audit_log SET at = at || char(0) || 'x' WHERE id = 8"], 8, "altered"),
        (["UPDATE audit_log SET user_id = user_id || char(0) || 'x' WHERE id = 6"], 6, "altered"),
        (["DELETE FROM audit_log WHERE id = 17"], 18, "entry 17 missing"),
        (["DELETE FROM audit_log WHERE id IN (17, 18, 19)"], 20, "entries 17-19 missing"),
        (["DELETE FROM audit_log WHERE id = 1"], 2, "entry 1 missing"),
        (["DELETE FROM audit_log WHERE id = 30"], 30, "after 29 were removed"),
        (["DELETE FROM audit_log WHERE id > 20"], 21, "after 20 were removed"),
        # a forged entry at the end, copying a real one's hashes
        (
            [
                "INSERT INTO audit_log SELECT 31, at, user_id, 'forged', entity, entity_id, "
                "before, after, prev_hash, hash FROM audit_log WHERE id = 30"
            ],
            31,
            "does not link",
        ),
        # a forged entry with a fresh chain of its own
        (
            [
                f"INSERT INTO audit_log VALUES (31, '2026-03-02 09:00:00.000000', 1, 'x', 'e', "
                f"'1', NULL, NULL, '{GENESIS_HASH}', '{'a' * 64}')"
            ],
            31,
            "does not link",
        ),
        (
            [
                f"INSERT INTO audit_log VALUES (40, '2026-03-02 09:00:00.000000', 1, 'x', 'e', "
                f"'1', NULL, NULL, '{GENESIS_HASH}', '{'a' * 64}')"
            ],
            40,
            "entries 31-39 missing",
        ),
        # two entries swapped (everything but the id)
        (
            [
                "UPDATE audit_log SET id = -4 WHERE id = 4",
                "UPDATE audit_log SET id = 4 WHERE id = 5",
                "UPDATE audit_log SET id = 5 WHERE id = -4",
            ],
            4,
            "does not link",
        ),
    ],
    ids=[
        "edit-after",
        "edit-at",
        "edit-user",
        "garbage-at",
        "nul-tail-action-entity",
        "nul-tail-at",
        "nul-tail-user",
        "delete-one",
        "delete-three",
        "delete-first",
        "delete-last",
        "truncate",
        "forged-copy",
        "forged-genesis",
        "forged-gap",
        "reorder",
    ],
)
def test_tampering_is_found_at_the_first_broken_entry(
    chain_file: Path, statements: list[str], broken_id: int, words: str
) -> None:
    assert _verify(chain_file) == ChainReport(True, 30)
    _tamper(chain_file, *statements)
    report = _verify(chain_file)
    assert not report.ok
    assert report.first_broken_id == broken_id
    assert report.problem is not None
    assert words in report.problem


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(chain_file: Path) -> None:
    conn = sqlite3.connect(chain_file)
    row = conn.execute(
        "SELECT id, at, user_id, action, entity, entity_id, before, after, prev_hash "
        "FROM audit_log WHERE id = 8"
    ).fetchone()
    conn.close()
    forged = entry_hash(
        entry_id=8,
        at=datetime.fromisoformat(row[1]).replace(tzinfo=UTC).isoformat(),
        user_id=row[2],
        action="forged",
        entity=row[4],
        entity_id=row[5],
        before=row[6],
        after=row[7],
        prev_hash=row[8],
    )
    _tamper(chain_file, f"UPDATE audit_log SET action = 'forged', hash = '{forged}' WHERE id = 8")
    report = _verify(chain_file)
    assert (report.ok, report.first_broken_id, report.entries_checked) == (False, 9, 8)


@pytest.fixture(scope="module")
def template_chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chain") / "template.sqlite"
    with Database.open(path, clock=FakeClock(T0)) as db:
        _append_many(db, 40)
    return path


COLUMNS = {
    "at": "'2027-01-01 00:00:00.000000'",
    "user_id": "99",
    "action": "'x'",
    "entity": "'x'",
    "entity_id": "'x'",
    "before": "'{}'",
    "after": "'{\"a\":1}'",
    "prev_hash": f"'{'b' * 64}'",
    "hash": f"'{'c' * 64}'",
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(row=st.integers(1, 40), column=st.sampled_from(sorted(COLUMNS)))
def test_any_single_edit_is_found_exactly_there(
    template_chain: Path, tmp_path: Path, row: int, column: str
) -> None:
    path = tmp_path / f"edit-{row}-{column}.sqlite"
    shutil.copyfile(template_chain, path)
    _tamper(path, f"UPDATE audit_log SET {column} = {COLUMNS[column]} WHERE id = {row}")
    report = _verify(path)
    assert (report.ok, report.first_broken_id, report.entries_checked) == (False, row, row - 1)
    path.unlink()


def test_a_million_entries_verify_in_linear_time_and_constant_memory(tmp_path: Path) -> None:
    """Scaled down to 20 000 rows for the suite (a million: ~21 s, 8 MB peak, measured by hand)."""
    path = tmp_path / "big.sqlite"
    with Database.open(path) as db:
        rows, prev = [], GENESIS_HASH
        for i in range(1, 20_001):
            at = (T0 + timedelta(seconds=i)).isoformat()
            h = entry_hash(
                entry_id=i,
                at=at,
                user_id=1,
                action="a",
                entity="e",
                entity_id=str(i),
                before=None,
                after='{"i":1}',
                prev_hash=prev,
            )
            rows.append(
                {
                    "id": i,
                    "at": T0 + timedelta(seconds=i),
                    "user_id": 1,
                    "action": "a",
                    "entity": "e",
                    "entity_id": str(i),
                    "before": None,
                    "after": '{"i":1}',
                    "prev_hash": prev,
                    "hash": h,
                }
            )
            prev = h
        with db.write() as s:
            s.execute(insert(AuditEntry), rows)
        with db.read() as s:
            assert verify_chain(s) == ChainReport(True, 20_000)


# --- snapshots and JSON --------------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"


def test_to_jsonable_covers_the_usual_types() -> None:
    value = {
        "when": datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        "day": date(2026, 3, 2),
        "colour": Colour.RED,
        "amount": Decimal("0.10"),
        "tags": {"b", "a"},
        "nested": [(1, 2.5, None, True)],
        3: "int key",
    }
    assert to_jsonable(value) == {
        "when": "2026-03-02T09:00:00+00:00",
        "day": "2026-03-02",
        "colour": "red",
        "amount": "0.10",
        "tags": ["a", "b"],
        "nested": [[1, 2.5, None, True]],
        "3": "int key",
    }


@pytest.mark.parametrize(
    ("value", "error"),
    [(datetime(2026, 3, 2, 9, 0), ValueError), (float("nan"), ValueError), (object(), TypeError)],
)
def test_to_jsonable_refuses_what_it_cannot_store_faithfully(
    value: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        to_jsonable(value)


def test_canonical_json_is_compact_sorted_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": "Zoë"}) == '{"a":"Zoë","b":1}'


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
def test_json_values_survive_to_jsonable_unchanged(value: object) -> None:
    assert to_jsonable(value) == value


def test_row_snapshot_has_every_column_and_hides_password_hashes(db: Database) -> None:
    add_user(db)
    pid = add_patient(db)
    with db.read() as s:
        patient = s.get(Patient, pid)
        user = s.scalars(select(User)).one()
    assert patient is not None
    snap = row_snapshot(patient)
    assert set(snap) == {c.name for c in Patient.__table__.columns}
    assert snap["date_of_birth"] == "1980-05-17"
    assert snap["created_at"] == "2026-03-02T09:00:00+00:00"
    assert snap["weight_kg"] is None
    canonical_json(snap)  # JSON-able as is
    recorded = row_snapshot(user)["password_hash"]
    assert recorded != user.password_hash
    assert user.password_hash not in recorded
    assert recorded == "sha256:" + hashlib.sha256(user.password_hash.encode()).hexdigest()
    assert REDACTED == "[redacted]"
