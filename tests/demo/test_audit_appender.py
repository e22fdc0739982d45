"""One audit appender: the bulk demo writer's entries are the ones ``audit.append`` writes,
byte for byte, and a chain written in bulk goes on with ordinary appends."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kapdesk.demo.bulk_writer import BulkWriter
from kapdesk.domain.clock import FakeClock
from kapdesk.storage.audit import AuditAppender, append, verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.engine import with_tx_mode
from kapdesk.storage.orm import AuditEntry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Band(enum.StrEnum):
    AMBER = "amber"


# Values of every kind a row or snapshot holds, non-UTC and non-str keys included.
ENTRIES: list[dict[str, Any]] = [
    {"action": "patient.create", "entity": "patient", "entity_id": 7, "before": None,
     "after": {"id": 7, "given_name": "Zoë", "born": date(1980, 2, 29), "weight_kg": 71.5,
               "active": True, "notes": None, "created_at": T0}},
    {"action": "vitals.record", "entity": "vital_reading", "entity_id": "12", "before": None,
     "after": {"band": Band.AMBER, "rules": ["bp-high", "pulse"], "taken_at":
               datetime(2026, 3, 2, 10, 5, tzinfo=timezone(timedelta(hours=1)))}},
    {"action": "settings.update", "entity": "setting", "entity_id": None,
     "before": {"value": {"nested": [1, 2.0, {"x": None}]}}, "after": {3: "three"}},
]  # fmt: skip


def _open(path: Path) -> Database:
    return Database.open(path, clock=FakeClock(T0))


@pytest.fixture
def dbs(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    normal, bulk = _open(tmp_path / "normal.sqlite"), _open(tmp_path / "bulk.sqlite")
    yield normal, bulk
    normal.close()
    bulk.close()


def _entries(db: Database) -> list[tuple[Any, ...]]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(AuditEntry.__table__).order_by(AuditEntry.id))]


def _bulk(db: Database, entries: list[dict[str, Any]], start: datetime) -> None:
    with with_tx_mode(db.engine, "write").connect() as conn:
        writer = BulkWriter(conn)
        for i, e in enumerate(entries):
            writer.audit(at=start + timedelta(minutes=i), user_id=None, **e)
        writer.commit()


def _normal(db: Database, entries: list[dict[str, Any]], start: datetime) -> None:
    for i, e in enumerate(entries):
        with db.write() as s:
            append(s, at=start + timedelta(minutes=i), user_id=None, **e)


def test_the_bulk_path_and_the_normal_path_write_identical_entries(
    dbs: tuple[Database, Database],
) -> None:
    normal, bulk = dbs
    _normal(normal, ENTRIES, T0)
    _bulk(bulk, ENTRIES, T0)
    written = _entries(bulk)
    assert len(written) >= len(ENTRIES)
    assert written == _entries(normal)  # ids, JSON texts, links and hashes alike


def test_a_chain_written_in_bulk_goes_on_with_ordinary_appends(
    dbs: tuple[Database, Database],
) -> None:
    db, _ = dbs
    _bulk(db, ENTRIES, T0)
    _normal(db, ENTRIES, T0 + timedelta(hours=1))
    _bulk(db, ENTRIES, T0 + timedelta(hours=2))
    with db.read() as s:
        report = verify_chain(s)
        head = AuditAppender.at_head(s)
    assert report.ok, report.problem
    assert report.entries_checked == len(_entries(db)) >= 3 * len(ENTRIES)
    assert report.head == (head.next_id - 1, head.prev_hash)


def test_the_appender_hashes_what_it_returns(dbs: tuple[Database, Database]) -> None:
    db, _ = dbs
    with db.read() as s:
        appender = AuditAppender.at_head(s)
    first_id = appender.next_id
    one = appender.entry(at=T0, user_id=1, **ENTRIES[0])
    two = appender.entry(at=T0, user_id=1, **ENTRIES[0])
    assert (one["id"], two["id"]) == (first_id, first_id + 1)
    assert two["prev_hash"] == one["hash"] != two["hash"]
    with pytest.raises(ValueError, match="naive"):
        appender.entry(at=datetime(2026, 3, 2, 9), user_id=1, **ENTRIES[0])
