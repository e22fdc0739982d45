"""The audit chain on PostgreSQL: the same use cases give the same rows and hashes as on
SQLite, the log is append-only there too, and tampering is found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.orm import Base
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database
from tests.storage.pg_scenario import T0, audit_rows, clinic_morning, context, fixed_salt_passwords

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")


def _raw(server: ServerURL) -> psycopg.Connection:
    url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url, autocommit=True)


def _table_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as s:
        return {
            t.name: [tuple(r) for r in s.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture(scope="module")
def morning(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Database]]:
    """The same clinic morning written on a new SQLite file and a new server database."""
    patch = pytest.MonkeyPatch()
    fixed_salt_passwords(patch)
    path: Path = tmp_path_factory.mktemp("morning") / "clinic.sqlite"
    with throwaway_database() as server:
        stores = []
        for target in (path, server):
            clock = FakeClock(T0)
            db = Database.open(target, clock=clock)
            clinic_morning(context(db, clock), clock)
            stores.append(db)
        yield stores[0], stores[1]
        for db in stores:
            db.close()
    patch.undo()


def test_same_use_cases_give_identical_audit_rows_and_hashes(
    morning: tuple[Database, Database],
) -> None:
    sqlite_db, server_db = morning
    on_sqlite, on_server = audit_rows(sqlite_db), audit_rows(server_db)
    assert len(on_sqlite) > 20
    assert on_server == on_sqlite
    # the JSON text holds floats, booleans, NULLs, non-ASCII and quoted text
    after = " ".join(r["after"] or "" for r in on_server)
    for fragment in ('"weight_kg":71.25', '"present":false', '"pulse":null', "Conceição", '\\"'):
        assert fragment in after


def test_same_use_cases_give_identical_rows_in_every_table(
    morning: tuple[Database, Database],
) -> None:
    sqlite_db, server_db = morning
    assert _table_rows(server_db) == _table_rows(sqlite_db)


def test_chain_verifies_on_the_server(morning: tuple[Database, Database]) -> None:
    sqlite_db, server_db = morning
    with server_db.read() as s:
        report = verify_chain(s)
    with sqlite_db.read() as s:
        assert report == verify_chain(s)
    assert report.ok
    assert report.head == (report.entries_checked, audit_rows(sqlite_db)[-1]["hash"])


@pytest.fixture
def server_with_log() -> Iterator[ServerURL]:
    patch = pytest.MonkeyPatch()
    fixed_salt_passwords(patch)
    with throwaway_database() as server:
        clock = FakeClock(T0)
        with Database.open(server, clock=clock) as db:
            clinic_morning(context(db, clock), clock)
        yield server
    patch.undo()


@pytest.mark.parametrize("table", ["audit_log", "signatures", "addenda"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {t} SET id = id", "DELETE FROM {t} WHERE id = (SELECT max(id) FROM {t})",
     "TRUNCATE {t}"],
)  # fmt: skip
def test_append_only_tables_refuse_update_delete_truncate(
    server_with_log: ServerURL, table: str, statement: str
) -> None:
    with _raw(server_with_log) as conn:
        before = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert before is not None
        assert before[0] > 0
        with pytest.raises(psycopg.errors.RestrictViolation, match=f"{table} is append-only"):
            conn.execute(statement.format(t=table))
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == before


def test_an_entry_edited_with_the_triggers_off_is_found(server_with_log: ServerURL) -> None:
    with _raw(server_with_log) as conn:
        conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET action = 'patient.view' WHERE id = 7")
    with Database.open(server_with_log) as db, db.read() as s:
        report = verify_chain(s)
    assert not report.ok
    assert report.first_broken_id == 7
    assert "altered" in (report.problem or "")
