"""The Alembic revisions on PostgreSQL: a database at 0001 with data is upgraded to head
(search keys filled, courses pinned, append-only triggers), and downgrading removes all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text

from kapdesk.domain.protocol import builtin_protocols
from kapdesk.storage.db import Database
from kapdesk.storage.migrate import alembic_config, head_revision
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        yield url


def _alembic(server: ServerURL, action: str, target: str) -> None:
    engine = create_server_engine(server)
    try:
        with engine.connect() as conn, conn.begin():
            config = alembic_config()
            config.attributes["connection"] = conn
            getattr(command, action)(config, target)
    finally:
        engine.dispose()


def _triggers(db: Database) -> set[str]:
    with db.read() as s:
        return {
            str(name)
            for (name,) in s.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
        }


def test_database_at_0001_with_data_is_upgraded_to_head(server: ServerURL) -> None:
    _alembic(server, "upgrade", "0001")
    version = builtin_protocols()["kap-default"].version
    engine = create_server_engine(server)
    with engine.begin() as conn:
        pid = conn.execute(
            text(
                "INSERT INTO patients (mrn, family_name, given_name, date_of_birth, sex, "
                "weight_kg, allergies, contraindications, created_at, updated_at) VALUES "
                "('MRN-1', 'Simões', 'Conceição', :dob, 'female', 70.5, '', '', :t, :t) "
                "RETURNING id"
            ),
            {"dob": date(1980, 5, 17), "t": T0},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO courses (patient_id, protocol_id, protocol_version, started_on, "
                "goal, created_at) VALUES (:p, 'kap-default', :v, :d, '', :t)"
            ),
            {"p": pid, "v": version, "d": T0.date(), "t": T0},
        )
    engine.dispose()
    with Database.open(server) as db:
        assert db.schema_revision() == head_revision()
        with db.read() as s:
            key = s.scalar(text("SELECT search_key FROM patients"))
            pinned = s.scalar(text("SELECT protocol_hash FROM courses"))
            stored = s.scalar(text("SELECT count(*) FROM protocol_versions"))
            error_at = s.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'doses' AND column_name = 'error_at'"
                )
            ).scalar_one()
        assert key
        assert "simoes" in key
        assert pinned
        assert len(pinned) == 64
        assert stored == 1
        assert error_at == "timestamp with time zone"
        assert _triggers(db) == {
            f"{table}_no_{event}"
            for table in ("audit_log", "signatures", "addenda")
            for event in ("update", "delete", "truncate")
        }


def test_downgrade_to_base_removes_everything_kapdesk_made(server: ServerURL) -> None:
    Database.open(server).close()
    _alembic(server, "downgrade", "base")
    engine = create_server_engine(server)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
            functions = conn.execute(
                text("SELECT count(*) FROM pg_proc WHERE proname = 'kapdesk_append_only'")
            ).scalar_one()
            assert functions == 0
    finally:
        engine.dispose()
    with Database.open(server) as db:  # and up again
        assert db.schema_revision() == head_revision()
