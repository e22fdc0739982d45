"""Every row agrees with its history, on a clinic server (PostgreSQL): the audit replay of
``kapdesk check --db postgresql://...``.

The judging is :mod:`kapdesk.storage.audit_replay`'s own (the same fold of the entries into
the row they predict, the same comparison and the same finding texts): only the reading
differs. SQLite's fast pass renders rows with ``printf``/``json_quote`` and reads with ``?``
parameters; here rows and entries are read with SQLAlchemy Core (dialect-independent), a
table's keys in chunks, and every row is judged in Python. JSON columns are read as their
stored text, as SQLite hands them over, so a JSON string value is not mistaken for text that
does not parse.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Text, cast, select

from kapdesk.storage.audit_replay import (
    AUDITED,
    LOCK_COLUMNS,
    ReplayReport,
    _fold,
    _History,
    _load,
    _order,
    _Table,
    merged,
)
from kapdesk.storage.orm import AuditEntry

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

    def all_keys(self) -> tuple[int, list[str]]:
        """(the table's row count, every key a row has or an entry names), in key order."""
        rows = [str(k) for (k,) in self.conn.execute(select(self.table.c[self.spec.key]))]
        a = _AUDIT.c
        named = self.conn.execute(
            select(a.entity_id)
            .where(a.entity == self.spec.entity, a.entity_id.is_not(None))
            .distinct()
        )
        keys = set(rows) | {str(k) for (k,) in named}
        return len(rows), sorted(keys, key=_order)

    def replay(self, chunk: int = KEYS_PER_CHUNK) -> ReplayReport:
        count, keys = self.all_keys()
        findings = []
        for i in range(0, len(keys), chunk):
            findings.extend(self.judge(keys[i : i + chunk]))
        return ReplayReport(count, tuple(findings))


def replay_server(conn: Connection, *, chunk: int = KEYS_PER_CHUNK) -> ReplayReport:
    """Compare every audited table with its audit trail; read-only, any dialect. Call it
    inside one transaction (one snapshot)."""
    return merged(ServerTable(conn, spec).replay(chunk) for spec in AUDITED)
