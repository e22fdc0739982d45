"""Is this database a demo? Asked before every print (the DEMO watermark) and before a demo
is rebuilt: the answer must come from the audit log's (entity, entity_id) index, never
from a scan of the whole log, whose size grows with every reading a clinic records."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from kapdesk.composition import build_context
from kapdesk.demo import rebuild
from kapdesk.demo.rebuild import NotADemoClinic, read_demo
from kapdesk.domain.permissions import Role
from kapdesk.reports.pdf import PDF
from kapdesk.services.context import ServiceContext
from kapdesk.services.reports import ReportService
from kapdesk.services.users import UserService

INDEX = "USING INDEX ix_audit_log_entity_entity_id"
LOGINS = 30  # audit entries of the user entity that are not account creations


def _real_clinic(path: Path) -> Path:
    """A real clinic whose staff have signed in many times (auth.* entries, entity user)."""
    ctx = build_context(path)
    try:
        users = UserService(ctx)
        users.create_first_admin(username="ana", full_name="Ana Real", password="a-long-password")
        for _ in range(LOGINS):
            users.authenticate("ana", "a-long-password")
    finally:
        ctx.db.close()
    return path


@contextmanager
def _statements(ctx: ServiceContext) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def on_execute(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(ctx.db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", on_execute)


def _plan(ctx: ServiceContext, statement: str, params: Any) -> list[str]:
    with ctx.db.read() as s:
        rows = s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
        return [str(row[-1]) for row in rows]


def _demo_check(path: Path) -> tuple[bool, list[list[str]]]:
    """is_demo_database()'s answer, and the query plan of each statement it ran."""
    ctx = build_context(path, create=False)
    try:
        with _statements(ctx) as seen:
            answer = ReportService(ctx, renderer=PDF).is_demo_database()
        return answer, [_plan(ctx, sql, params) for sql, params in seen]
    finally:
        ctx.db.close()


def _assert_indexed(plans: list[list[str]]) -> None:
    on_log = [line for plan in plans for line in plan if "audit_log" in line]
    assert on_log, plans
    assert all(INDEX in line for line in on_log), plans  # no "SCAN audit_log"


def test_printing_asks_the_demo_question_through_the_entity_index(demo_db: Path) -> None:
    answer, plans = _demo_check(demo_db)
    assert answer is True
    _assert_indexed(plans)


def test_a_real_clinic_is_no_demo_and_is_asked_the_same_way(tmp_path: Path) -> None:
    answer, plans = _demo_check(_real_clinic(tmp_path / "real.sqlite"))
    assert answer is False
    _assert_indexed(plans)


def test_a_demo_account_added_later_still_marks_the_clinic(tmp_path: Path) -> None:
    path = _real_clinic(tmp_path / "real.sqlite")
    ctx = build_context(path, create=False)
    try:
        UserService(ctx)._add_demo_user(
            username="demo-nurse", full_name="Demo Nurse", role=Role.NURSE, password="demo"
        )
    finally:
        ctx.db.close()
    assert _demo_check(path)[0] is True


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement read_demo runs on its read-only connection."""
    seen: list[str] = []
    original = rebuild.connect_readonly

    def connect(*args: Any, **kwargs: Any) -> Any:
        conn = original(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(rebuild, "connect_readonly", connect)
    return seen


def _mark_reads(path: Path, statements: list[str]) -> list[list[str]]:
    """The query plans of the statements that look for the demo mark alone."""
    marks = [s for s in statements if rebuild.DEMO_MARK in s and "patient.create" not in s]
    conn = sqlite3.connect(path)
    try:
        return [[str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + s)] for s in marks]
    finally:
        conn.close()


def test_a_rebuild_reads_the_demo_mark_through_the_entity_index(
    demo_db: Path, traced: list[str]
) -> None:
    assert read_demo(demo_db).path == demo_db
    _assert_indexed(_mark_reads(demo_db, traced))


def test_a_real_clinic_is_refused_after_the_indexed_mark_read_alone(
    tmp_path: Path, traced: list[str]
) -> None:
    path = _real_clinic(tmp_path / "real.sqlite")
    with pytest.raises(NotADemoClinic, match="it has no demo accounts"):
        read_demo(path)
    assert len(traced) == 1  # no scan of the log for the rebuild rules of a demo
    _assert_indexed(_mark_reads(path, traced))
