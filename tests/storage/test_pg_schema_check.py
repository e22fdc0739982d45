"""The schema check on PostgreSQL: a new database is as the head defines it; a trigger
disabled, an index dropped or a rule added behind the app is named."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from kapdesk.storage.db import Database
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.schema_check import expected_objects, schema_problems
from kapdesk.storage.schema_pg import pg_objects_of
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")


@pytest.fixture
def server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        Database.open(url).close()
        yield url


def _raw(server: ServerURL) -> psycopg.Connection:
    url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url, autocommit=True)


def _problems(server: ServerURL) -> list[str]:
    with Database.open(server) as db, db.engine.connect() as conn:
        return schema_problems(conn)


def test_stored_head_objects_are_those_of_a_new_database(server: ServerURL) -> None:
    with Database.open(server) as db, db.engine.connect() as conn:
        assert db.schema_revision() == head_revision()
        assert pg_objects_of(conn) == expected_objects("postgresql")
    kinds = {kind for kind, _t, _s in expected_objects("postgresql").values()}
    assert kinds == {"table", "index", "sequence", "trigger", "function"}
    assert _problems(server) == []


def test_disabled_trigger_dropped_index_and_added_rule_are_named(server: ServerURL) -> None:
    with _raw(server) as conn:
        conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete")
        conn.execute("DROP INDEX ix_patients_mrn")
        conn.execute("CREATE RULE keep_nothing AS ON DELETE TO signatures DO INSTEAD NOTHING")
    problems = _problems(server)
    assert len(problems) == 3
    disabled, missing, added = sorted(problems, key=lambda p: p.split()[1])
    assert "trigger audit_log_no_delete on audit_log differs" in disabled
    assert "DISABLED" in disabled
    assert "index ix_patients_mrn on patients is missing" in missing
    assert "rule keep_nothing on signatures is not part of schema" in added
