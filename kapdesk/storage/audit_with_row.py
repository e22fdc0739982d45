"""A new row and the audit entry about it, written by one statement on a clinic server.

A use case that knows its new row's id before inserting it (drawn from the table's id
sequence in a statement it runs anyway) gives the row to :func:`kapdesk.storage.audit.append`,
which sends both INSERTs at once: on PostgreSQL one statement, the row's INSERT in a ``WITH``
(one round trip instead of two); they succeed or fail together, like any one statement. SQLite
has no INSERT inside a ``WITH``: the row's INSERT is executed first, then the entry's. The
entry's values (id, link, hash) are made by the same :class:`~kapdesk.storage.audit.AuditAppender`
either way.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, Table, bindparam, insert


@dataclass(frozen=True, slots=True)
class NewRow:
    """A row to insert with its audit entry: every column it sets, its id included."""

    table: Table
    values: Mapping[str, Any]


@functools.cache
def _row_insert(table: Table) -> Insert:
    return insert(table)


@functools.cache
def _together(log: Table, table: Table, columns: tuple[str, ...]) -> Insert:
    """``WITH new_<table> AS (INSERT INTO <table> ...) INSERT INTO <log> ...``, bound to
    ``r_<column>`` (the row) and ``e_<column>`` (the entry); built once per shape."""
    row = (
        insert(table)
        .values({k: bindparam(f"r_{k}", type_=table.c[k].type) for k in columns})
        .cte(f"new_{table.name}")
    )
    entry = {c.key: bindparam(f"e_{c.key}", type_=c.type) for c in log.c}
    return insert(log).values(entry).add_cte(row)


def insert_entry(
    conn: Connection, log: Table, entry: Mapping[str, Any], row: NewRow | None = None
) -> None:
    """Insert the audit ``entry`` (every column of ``log``) and ``row`` if given, in
    ``conn``'s transaction: one statement where the database allows it."""
    if row is None or conn.dialect.name != "postgresql":
        if row is not None:
            conn.execute(_row_insert(row.table), dict(row.values))
        conn.execute(_row_insert(log), dict(entry))
        return
    params = {f"r_{k}": v for k, v in row.values.items()}
    params.update({f"e_{k}": v for k, v in entry.items()})
    conn.execute(_together(log, row.table, tuple(row.values)), params)
