"""``Database.connect_write``: a write without the ORM (the console's audit entry of a
printed course summary) takes and ends its transaction as ``Database.write`` does."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import KapdeskError
from kapdesk.services.console import append_console_entry
from kapdesk.services.context import ServiceContext
from kapdesk.storage import engine as engine_module
from kapdesk.storage.audit import AuditAppender, verify_chain
from kapdesk.storage.audit_with_row import insert_entry
from kapdesk.storage.db import Database
from kapdesk.storage.errors import DatabaseBusy
from kapdesk.storage.tables import audit_log

AT = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


def _append(conn: Connection, action: str) -> None:
    entry = AuditAppender.at_head(conn).entry(
        at=AT, user_id=None, action=action, entity="database", entity_id=None
    )
    insert_entry(conn, audit_log, entry)


def _actions(db: Database) -> list[str]:
    with db.connect_read() as conn:
        return list(conn.scalars(select(audit_log.c.action).order_by(audit_log.c.id)))


def test_it_takes_the_write_lock_at_once_and_commits(db: Database) -> None:
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with db.connect_write() as conn:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            _append(conn, "report.course_console")
        other.execute("BEGIN IMMEDIATE")  # free again once the block ended
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert _actions(db) == ["report.course_console"]
    with db.connect_read() as conn:
        assert verify_chain(conn).ok


def _append_then_fail(db: Database) -> None:
    with db.connect_write() as conn:
        _append(conn, "report.course_console")
        raise ValueError("boom")


def test_any_exception_rolls_the_write_back(db: Database) -> None:
    with pytest.raises(ValueError, match="boom"):
        _append_then_fail(db)
    assert _actions(db) == []


def test_a_held_lock_becomes_database_busy(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    db.engine.dispose()
    other = sqlite3.connect(db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseBusy, match="busy") as caught, db.connect_write() as conn:
            _append(conn, "report.course_console")
        assert isinstance(caught.value, KapdeskError)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert _actions(db) == []


def test_a_console_entry_continues_the_chain_as_the_app_writes_it(
    db: Database, clock: FakeClock
) -> None:
    ctx = ServiceContext(db=db, clock=clock)
    with db.connect_write() as conn:
        _append(conn, "first")
    after = {"actor": "console:alice", "pages": 3}
    append_console_entry(ctx, "report.course_console", "course", 7, after)
    with db.connect_read() as conn:
        row = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).one()
        assert verify_chain(conn).ok
        assert conn.scalar(select(func.count()).select_from(audit_log)) == 2
    assert (row.action, row.entity, row.entity_id, row.user_id, row.at) == (
        "report.course_console", "course", "7", None, clock.now(),
    )  # fmt: skip
    assert row.after == '{"actor":"console:alice","pages":3}'
    with pytest.raises(ValueError, match="changes what screens show"):
        append_console_entry(ctx, "patient.update", "patient", 1, {})
