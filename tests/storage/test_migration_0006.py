"""Revision 0006: users.language, NULL (the computer's language) for every existing account;
an upgraded clinic still passes ``kapdesk check``, before and after a user sets a language."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import ServiceContext
from kapdesk.services.database_check import run_check
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage import audit
from kapdesk.storage.audit_replay import replay
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_sqlite_engine
from kapdesk.storage.migrate import alembic_config, current_revision, head_revision
from kapdesk.storage.orm import User
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _users(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT username, language FROM users ORDER BY id").fetchall()
    finally:
        conn.close()


def _columns(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {str(r[1]) for r in conn.execute("PRAGMA table_info(users)")}
    finally:
        conn.close()


def _downgrade(path: Path, target: str) -> None:
    engine = create_sqlite_engine(path)
    try:
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, target)
        assert current_revision(engine) == target
    finally:
        engine.dispose()


def test_a_0005_fixture_opens_with_the_column_empty(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(FIXTURES / "r0005.sqlite", path)
    assert "language" not in _columns(path)
    with Database.open(path, clock=clock) as db:
        assert db.schema_revision() == head_revision() == "0006"
    assert _users(path) == [("nurse", None), ("clinician", None)]
    assert list(tmp_path.glob("clinic.sqlite.pre-0006-*.bak"))  # backed up first


def test_an_upgraded_clinic_passes_kapdesk_check(demo: Path, clock: FakeClock) -> None:
    _downgrade(demo, "0005")
    assert "language" not in _columns(demo)
    with Database.open(demo, clock=clock) as db:
        assert db.schema_revision() == "0006"
    assert {language for _name, language in _users(demo)} == {None}
    lines, ok = run_check(demo)
    assert ok, lines

    ctx = build_context(demo, clock=clock)
    try:
        users = UserService(ctx)
        nurse = actor_of(next(u for u in users.list_users() if u.username == "nurse"))
        users.set_language(nurse, nurse.user_id, "pt-PT")
    finally:
        ctx.db.close()
    assert ("nurse", "pt-PT") in _users(demo)
    lines, ok = run_check(demo)
    assert ok, lines


def test_entries_written_before_0006_read_as_no_language(db_path: Path, clock: FakeClock) -> None:
    """A users row whose entries hold no language (written by kapdesk before 0006) agrees
    with them while it has none, as 0006 left every existing row; once an entry records
    one, a change behind the app is found against it (tests/storage/
    test_replay_added_columns.py: a language set behind the app on such a row)."""
    ctx = build_context(db_path, clock=clock)
    try:
        with ctx.db.write() as s:
            row = User(
                username="nurse", full_name="Nia Nurse", role="nurse", password_hash="x",
                created_at=clock.now(),
            )  # fmt: skip
            s.add(row)
            s.flush()
            snapshot = audit.row_snapshot(row)
            del snapshot["language"]  # as 0005 wrote it
            audit.append(s, at=clock.now(), user_id=None, action="user.add_console",
                         entity="user", entity_id=row.id, before=None, after=snapshot)  # fmt: skip
        assert _replay(ctx) == []
        nurse = actor_of(UserService(ctx).get(1))
        UserService(ctx).set_language(nurse, nurse.user_id, "pt-PT")
        assert _replay(ctx) == []
        with ctx.db.write() as s:
            s.execute(text("UPDATE users SET language = 'en'"))
        assert _replay(ctx) == [
            "user 1: changed behind the app; differs from audit entry 2 in language "
            "(language is (text), recorded (text))"
        ]
    finally:
        ctx.db.close()


def _replay(ctx: ServiceContext) -> list[str]:
    with ctx.db.read() as s:
        return replay(s.connection()).messages()


def test_downgrading_to_0005_drops_the_column(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(FIXTURES / "r0006.sqlite", path)
    assert _users(path) == [("nurse", "pt-PT"), ("clinician", None)]
    _downgrade(path, "0005")
    assert "language" not in _columns(path)
    with Database.open(path, clock=clock) as db:  # and up again
        assert db.schema_revision() == "0006"
    assert _users(path) == [("nurse", None), ("clinician", None)]


@pytest.fixture
def server() -> Iterator[ServerURL]:
    reason = pg_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    with throwaway_database() as url:
        yield url


def test_a_0005_server_gets_the_column_and_replays_clean(server: ServerURL) -> None:
    engine = create_server_engine(server)
    try:
        with engine.connect() as conn, conn.begin():
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
            conn.execute(
                text(
                    "INSERT INTO users (username, full_name, role, password_hash, active, "
                    "must_change_password, failed_logins, created_at) VALUES "
                    "('nurse', 'Nia Nurse', 'nurse', 'x', true, false, 0, :t)"
                ),
                {"t": T0},
            )
    finally:
        engine.dispose()
    ctx = build_context(server, clock=FakeClock(T0), create=False)
    try:
        assert ctx.db.schema_revision() == "0006"
        with ctx.db.read() as s:
            kind = s.scalar(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'users' AND column_name = 'language'"
                )
            )
            stored = s.scalar(text("SELECT language FROM users"))
        assert (kind, stored) == ("text", None)
        users = UserService(ctx)
        users.add_user_from_console(
            username="admin", full_name="Ada Admin", role=Role.ADMIN, password="long enough 1"
        )
        admin = actor_of(next(u for u in users.list_users() if u.username == "admin"))
        assert users.set_language(admin, admin.user_id, "pt-PT").language == "pt-PT"
        from kapdesk.storage.server_replay import replay_server

        with ctx.db.read() as s:
            report = replay_server(s.connection())
        # the nurse was inserted behind the app (no entry): the only finding
        assert [f.key for f in report.findings] == [str(1)]
    finally:
        ctx.db.close()
