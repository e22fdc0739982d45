"""Every row agrees with its history, on a clinic server (PostgreSQL): the audit replay of
``kapdesk check --db postgresql://...``.

The judging is :mod:`kapdesk.storage.audit_replay`'s own (the same fold of the entries into
the row they predict, the same comparison and the same finding texts): only the reading
differs. Rows and entries are read with SQLAlchemy Core, a table's keys in chunks. JSON
columns are read as their stored text, as SQLite hands them over, so a JSON string value is
not mistaken for text that does not parse.

Speed, as the file's pass in SQL (:func:`kapdesk.storage.audit_replay.pass_query`): on
PostgreSQL a table keyed by id (without secret columns) is first compared on the server,
a key range at a time (:meth:`ServerTable.match_query`): each row against the newest
audit entry naming it, column by column; only the rows that do not match there, the keys
entries name that have no row, and the whole of the small tables are judged in Python.
"Match" is never looser than the Python judge: a plain column's value equals the entry's
as JSON (strings and booleans exactly, numbers by value, the row's float printed exactly:
``extra_float_digits = 3``), a timestamp is printed as Python's ``isoformat`` prints the
recorded one and compared as text, a JSON column's stored text equals the text the entry
holds for it; anything printed otherwise (microseconds, an unreadable entry, a column the
entry does not hold) only sends the row on to the Python judge. A query the server refuses
(an entry whose text is not JSON) judges its whole range in Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, Text, cast, select, text
from sqlalchemy.exc import DBAPIError

from kapdesk.storage.audit import REDACTED_COLUMNS
from kapdesk.storage.audit_replay import (
    AUDITED,
    FAST_MIN_ROWS,
    LOCK_COLUMNS,
    ReplayReport,
    _fold,
    _History,
    _load,
    _order,
    _Table,
    merged,
)
from kapdesk.storage.audited import Audited
from kapdesk.storage.orm import AuditEntry, UTCDateTime
from kapdesk.storage.tables import metadata

KEYS_PER_CHUNK = 20_000  # keys judged at once (rows and entries of the chunk in memory)
_IN_LIST = 1_000  # keys per IN (...) list
_AUDIT = AuditEntry.__table__


def _batches(keys: Sequence[str] | None) -> Iterator[Sequence[str] | None]:
    if keys is None:
        yield None
        return
    for i in range(0, len(keys), _IN_LIST):
        yield keys[i : i + _IN_LIST]


class ServerTable(_Table):
    """:class:`kapdesk.storage.audit_replay._Table` reading through Core on any dialect."""

    conn: Connection

    def __init__(self, conn: Connection, spec: Audited) -> None:
        super().__init__(conn, spec)
        self.table: Table = metadata.tables[spec.table]

    def _typed_keys(self, batch: Sequence[str]) -> list[Any]:
        if self.spec.key != "id":
            return list(batch)
        return [int(k) for k in batch if k.isdigit() and len(k) < 19]

    def rows(self, keys: Sequence[str] | None) -> dict[str, dict[str, Any]]:
        table, key = self.table, self.table.c[self.spec.key]
        columns = [
            cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in table.columns
        ]
        found: dict[str, dict[str, Any]] = {}
        for batch in _batches(keys):
            query = select(*columns)
            if batch is not None:
                wanted = self._typed_keys(batch)
                if not wanted:
                    continue
                query = query.where(key.in_(wanted))
            for raw in self.conn.execute(query):
                row = dict(raw._mapping)
                found[str(row[self.spec.key])] = row
        return found

    def histories(self, keys: Sequence[str] | None) -> dict[str, _History]:
        a = _AUDIT.c
        base = select(a.id, a.action, a.entity_id, a.before, a.after).where(
            a.entity == self.spec.entity, a.entity_id.is_not(None)
        )
        histories: dict[str, _History] = {}
        for batch in _batches(keys):
            query = base if batch is None else base.where(a.entity_id.in_(list(batch)))
            for entry_id, action, key, before, after in self.conn.execute(query.order_by(a.id)):
                _fold(histories.setdefault(key, _History()), entry_id, action, key,
                      self.spec, self.names, before, after)  # fmt: skip
        return histories

    def _carry_lock_state(
        self, rows: dict[str, dict[str, Any]], histories: dict[str, _History]
    ) -> None:
        a = _AUDIT.c
        for key, row in rows.items():
            history = histories.get(key)
            if history is None or history.state is None or history.last_entry is None:
                continue
            if not self._differing(row, history.state):
                continue
            later = self.conn.execute(
                select(a.id, a.after)
                .where(
                    a.id > history.last_entry,
                    a.entity != "user",
                    a.after.like(f'%"user_id":{key}%'),
                )
                .order_by(a.id)
            )
            for entry_id, after in later:
                data = _load(after)
                if data and str(data.get("user_id")) == key and "failed_logins" in data:
                    history.state.update({c: data[c] for c in LOCK_COLUMNS if c in data})
                    history.last_entry = entry_id

    def _named(self) -> set[str]:
        """Every key an entry about this table's entity names."""
        a = _AUDIT.c
        named = self.conn.execute(
            select(a.entity_id)
            .where(a.entity == self.spec.entity, a.entity_id.is_not(None))
            .distinct()
        ).all()
        return {str(k) for (k,) in named}

    def all_keys(self) -> tuple[int, list[str]]:
        """(the table's row count, every key a row has or an entry names), in key order."""
        rows = [str(k) for (k,) in self.conn.execute(select(self.table.c[self.spec.key])).all()]
        keys = set(rows) | self._named()
        return len(rows), sorted(keys, key=_order)

    def _fast(self) -> bool:
        """Compared on the server first: PostgreSQL, keyed by id, no secret column."""
        return (
            self.conn.dialect.name == "postgresql"
            and self.spec.key == "id"
            and not (self.names & REDACTED_COLUMNS)
        )

    def match_query(self) -> str:
        """SQL of the ids in ``:low..:high`` whose row does not match, column by column, the
        newest entry naming it (see the module docstring); PostgreSQL."""
        return match_sql(self.table, self.spec.entity)

    def differing(self, low: int, high: int) -> list[str] | None:
        """The ids in ``low..high`` to judge in Python; None when the server refused the
        comparison (the caller judges the whole range)."""
        try:
            with self.conn.begin_nested():
                self.conn.exec_driver_sql("SET LOCAL extra_float_digits = 3")
                found = self.conn.execute(
                    text(self.match_query()),
                    {"entity": self.spec.entity, "low": low, "high": high},
                ).all()
        except DBAPIError:
            return None
        return [str(k) for (k,) in found]

    def suspects(self, chunk: int) -> tuple[int, list[str]]:
        """(the row count, the keys to judge in Python): rows the server comparison did not
        match, and keys entries name that have no row."""
        ids = sorted(k for (k,) in self.conn.execute(select(self.table.c.id)).all())
        suspects = self._named() - {str(k) for k in ids}  # no row: judged as deleted
        for i in range(0, len(ids), chunk):
            piece = ids[i : i + chunk]
            found = self.differing(piece[0], piece[-1])
            suspects.update(found if found is not None else (str(k) for k in piece))
        return len(ids), sorted(suspects, key=_order)

    def replay(self, chunk: int = KEYS_PER_CHUNK) -> ReplayReport:
        if self._fast():
            count, keys = self.suspects(chunk)
            if count < FAST_MIN_ROWS:
                count, keys = self.all_keys()
        else:
            count, keys = self.all_keys()
        findings = []
        for i in range(0, len(keys), chunk):
            findings.extend(self.judge(keys[i : i + chunk]))
        return ReplayReport(count, tuple(findings))


def _value_sql(column: Any) -> str:
    """The row's value of a plain (not JSON) column as the JSON value its snapshot holds."""
    col = f't."{column.name}"'
    if isinstance(column.type, UTCDateTime):  # Python's isoformat of the UTC time, exactly
        utc = f"to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        return f"replace({utc}, '.000000', '') || '+00:00'"  # NULL stays NULL
    return col  # text, numbers, booleans, dates: to JSON by jsonb_build_object


def match_sql(table: Table, entity: str) -> str:
    """The server comparison of :meth:`ServerTable.differing` (parameters ``:entity``,
    ``:low``, ``:high``): ids whose row differs from, or has no, newest entry.

    The row's plain columns as one JSON object of scalars, contained in the entry's
    ``after`` (for scalars containment is equality, key by key; the entry may hold more
    keys, e.g. a reason); each JSON column's stored text equal to the entry's text of it."""
    plain = [c for c in table.columns if not isinstance(c.type, JSON)]
    documents = [c for c in table.columns if isinstance(c.type, JSON)]
    assert len(plain) <= 50, "jsonb_build_object takes at most 100 arguments"
    row = "jsonb_build_object(" + ", ".join(f"'{c.name}', {_value_sql(c)}" for c in plain) + ")"
    same = [f"m.j @> {row}"] + [
        f"""coalesce(t."{c.name}"::text, 'null') = (n.after::json -> '{c.name}')::text"""
        for c in documents
    ]
    return (
        f'SELECT t.id FROM "{table.name}" t '
        "LEFT JOIN LATERAL (SELECT a.after FROM audit_log a WHERE a.entity = :entity "
        "AND a.entity_id = t.id::text ORDER BY a.id DESC LIMIT 1) n ON true "
        "LEFT JOIN LATERAL (SELECT n.after::jsonb AS j OFFSET 0) m ON true "  # parsed once
        "WHERE t.id BETWEEN :low AND :high AND NOT coalesce(CASE WHEN n.after IS NULL "
        "THEN false WHEN jsonb_typeof(m.j) <> 'object' THEN false "
        f"ELSE {' AND '.join(same)} END, false)"
    )


def replay_server(conn: Connection, *, chunk: int = KEYS_PER_CHUNK) -> ReplayReport:
    """Compare every audited table with its audit trail; read-only, any dialect. Call it
    inside one transaction (one snapshot)."""
    return merged(ServerTable(conn, spec).replay(chunk) for spec in AUDITED)
