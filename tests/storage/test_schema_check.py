"""The schema objects `kapdesk check` expects are exactly what the migration head creates."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from kapdesk.storage import schema_head
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.schema_check import expected_objects, head_objects, schema_problems

FIXTURES = Path(__file__).with_name("fixtures")


def _problems(path: Path) -> list[str]:
    engine = create_readonly_engine(path)
    try:
        with engine.connect() as conn:
            return schema_problems(conn)
    finally:
        engine.dispose()


def test_the_shipped_expectation_is_the_migration_head() -> None:
    assert head_revision() == schema_head.REVISION
    assert expected_objects() == head_objects()
    kinds = {kind for kind, _table, _sql in expected_objects().values()}
    assert kinds == {"table", "index", "trigger"}
    triggers = sorted(n for n, (k, _t, _s) in expected_objects().items() if k == "trigger")
    assert triggers == sorted(
        f"{t}_no_{e}" for t in ("audit_log", "signatures", "addenda") for e in ("update", "delete")
    )


@pytest.mark.parametrize("revision", ["r0001", "r0002", "r0003", "r0004"])
def test_a_database_upgraded_from_each_revision_has_the_head_schema(
    revision: str, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURES / f"{revision}.sqlite", path)
    Database.open(path).close()
    assert _problems(path) == []


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (["DROP TRIGGER addenda_no_update"], "trigger addenda_no_update on addenda is missing"),
        (
            [
                "DROP TRIGGER audit_log_no_delete",
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0 "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            ],
            "trigger audit_log_no_delete on audit_log differs from schema",
        ),
        (["CREATE VIEW v AS SELECT 1"], "view v on v is not part of schema"),
        (["DROP INDEX ix_users_username"], "index ix_users_username on users is missing"),
    ],
)
def test_a_changed_schema_object_is_named(
    statements: list[str], expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "db.sqlite"
    Database.open(path).close()
    assert _problems(path) == []
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    assert any(expected in p for p in _problems(path)), _problems(path)
