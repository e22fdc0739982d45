"""The row replay's comparison on the server (kapdesk.storage.server_replay.match_sql): only
the rows it cannot match go on to the Python judge, and the findings are the Python judge's
own. Every tamper of the server check's suite gives the same findings with the comparison
on as with every row judged in Python; a change the comparison could print alike (a
float's 17th digit, a microsecond, a JSON column, a text) sends the row on; an entry the
server cannot parse sends its whole range on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection

from kapdesk.storage import server_replay
from kapdesk.storage.audit_replay import AUDITED
from kapdesk.storage.db import Database
from kapdesk.storage.server_replay import ServerTable, replay_server
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason

from .test_pg_check import CASES, Moved, _apply, _server_sql, clinic, moved, server

__all__ = ["clinic", "moved", "server"]

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")
SPEC = {spec.table: spec for spec in AUDITED}


@pytest.fixture
def conn(server: ServerURL) -> Iterator[Connection]:
    db = Database.open(server, create=False, migrate=False)
    try:
        with db.connect_read() as connection:  # each test: with conn.begin(), one snapshot
            yield connection
    finally:
        db.close()


def _suspects(conn: Connection, table: str) -> list[str]:
    return ServerTable(conn, SPEC[table]).suspects(20_000)[1]


def _replay(conn: Connection, monkeypatch: pytest.MonkeyPatch, *, on_server: bool) -> list[str]:
    with monkeypatch.context() as m:
        if on_server:
            m.setattr(server_replay, "FAST_MIN_ROWS", 0)  # every table, however small
        else:
            m.setattr(ServerTable, "_fast", lambda self: False)
        with conn.begin_nested():
            return replay_server(conn).messages(limit=10_000)


def test_a_clean_clinic_matches_on_the_server_row_for_row(conn: Connection) -> None:
    with conn.begin():
        for spec in AUDITED:
            table = ServerTable(conn, spec)
            if table._fast():
                assert table.suspects(20_000)[1] == [], spec.table


@pytest.mark.parametrize("case", list(CASES))
def test_every_tamper_gives_the_same_findings_with_the_comparison_on_the_server(
    moved: Moved,
    server: ServerURL,
    conn: Connection,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    file_statements, server_statements, _expected = CASES[case]
    _apply(server_statements or file_statements, moved.clinic, lambda *s: _server_sql(server, *s))
    with conn.begin():
        judged_in_python = _replay(conn, monkeypatch, on_server=False)
        compared_first = _replay(conn, monkeypatch, on_server=True)
    assert compared_first == judged_in_python


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("doses", "UPDATE doses SET mg = mg * (1 + 2e-16) WHERE id = {id}"),
        (
            "vital_readings",
            "UPDATE vital_readings SET taken_at = taken_at + interval '1 microsecond' "
            "WHERE id = {id}",
        ),
        ("vital_readings", """UPDATE vital_readings SET rules = '["x"]' WHERE id = {id}"""),
        ("vital_readings", "UPDATE vital_readings SET band = band || ' ' WHERE id = {id}"),
        ("doses", "UPDATE doses SET is_booster = NOT is_booster WHERE id = {id}"),
        ("doses", "DELETE FROM doses WHERE id = {id}"),
    ],
)
def test_a_change_the_comparison_might_print_alike_goes_on_to_the_python_judge(
    server: ServerURL, conn: Connection, table: str, statement: str
) -> None:
    with conn.begin():
        first = int(conn.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar() or 0)
        assert _suspects(conn, table) == []
    _server_sql(server, statement.format(id=first))
    with conn.begin():
        assert _suspects(conn, table) == [str(first)]
        assert [f.key for f in ServerTable(conn, SPEC[table]).judge([str(first)])] == [str(first)]


def test_an_entry_the_server_cannot_parse_sends_its_range_to_python(
    server: ServerURL, conn: Connection
) -> None:
    _server_sql(
        server,
        "INSERT INTO audit_log (id, at, user_id, action, entity, entity_id, before, after, "
        "prev_hash, hash) SELECT max(id) + 1, now(), NULL, 'x.broken', 'dose', '1', NULL, "
        "'not json', '', '' FROM audit_log",
    )
    with conn.begin():
        table = ServerTable(conn, SPEC["doses"])
        assert table.differing(1, 1) is None
        ids = [str(k) for (k,) in conn.exec_driver_sql("SELECT id FROM doses ORDER BY id")]
        assert table.suspects(20_000)[1] == ids
