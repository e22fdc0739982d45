"""Verifying a copied clinic on any dialect: same rows, same audit chain.

* :func:`row_text` renders a row's values the same way whatever the dialect they were
  read from (timestamps as aware UTC ISO text, floats by ``repr``, booleans as JSON
  booleans, JSON columns as their stored text); :class:`TableDigest` is the ordered
  SHA-256 of a table's rendered rows and their count.
* :func:`table_digests` computes them for every table of a database;
  :func:`first_difference` walks two databases side by side to name the first row
  (and its columns) that differ, for the message of a failed verification.
* :func:`recompute_chain` re-hashes every audit entry with the storage layer's own
  hash function (:func:`kapdesk.storage.audit.entry_hash`) in id order, dialect-
  independently (``kapdesk check``'s fast path is SQLite SQL).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, select

from kapdesk.storage.audit import GENESIS_HASH, canonical_json, entry_hash
from kapdesk.storage.orm import AuditEntry


def render(value: Any) -> Any:
    """One column value as JSON-able data, identical for both dialects' read-backs."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float:{value!r}"
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"decimal:{value}"
    if isinstance(value, bytes | memoryview):
        return f"bytes:{bytes(value).hex()}"
    return f"{type(value).__name__}:{value!r}"  # compared as text, never silently equal


def row_text(table: Table, row: Any) -> str:
    """A row as one canonical text (its columns in table order)."""
    mapping = row._mapping
    return canonical_json([render(mapping[c.name]) for c in table.columns])


@dataclass
class TableDigest:
    table: str
    rows: int = 0
    _hash: Any = field(default_factory=hashlib.sha256, repr=False)

    def add(self, text: str) -> None:
        self._hash.update(text.encode("utf-8"))
        self._hash.update(b"\n")
        self.rows += 1

    @property
    def hexdigest(self) -> str:
        return str(self._hash.hexdigest())


def table_digests(
    conn: Connection, progress: Callable[[str, int, int], object] | None = None
) -> dict[str, TableDigest]:
    """:class:`TableDigest` of every kapdesk table in ``conn``."""
    from kapdesk.storage.clinic_copy import read_batches, row_count, tables

    digests: dict[str, TableDigest] = {}
    for table in tables():
        digest = TableDigest(table.name)
        total = row_count(conn, table) if progress is not None else 0
        for rows in read_batches(conn, table):
            for row in rows:
                digest.add(row_text(table, row))
            if progress is not None:
                progress(table.name, digest.rows, total)
        digests[table.name] = digest
    return digests


def digest_differences(
    expected: dict[str, TableDigest], actual: dict[str, TableDigest]
) -> list[str]:
    """The tables whose row count or content differ (row counts named)."""
    problems: list[str] = []
    for name, want in expected.items():
        got = actual.get(name)
        if got is None:
            problems.append(f"table {name} was not verified")
        elif got.rows != want.rows:
            problems.append(f"table {name}: {got.rows} rows at the destination, {want.rows} read")
        elif got.hexdigest != want.hexdigest:
            problems.append(f"table {name}: row content differs")
    return problems


def _rows(conn: Connection, table: Table) -> Iterator[tuple[str, list[Any]]]:
    from kapdesk.storage.clinic_copy import read_batches

    for rows in read_batches(conn, table):
        for row in rows:
            values = [render(row._mapping[c.name]) for c in table.columns]
            yield canonical_json(values), values


def first_difference(source: Connection, dest: Connection, table: Table) -> str:
    """Which row of ``table`` differs first between ``source`` and ``dest``, and how."""
    keys = [c.name for c in table.primary_key.columns]
    names = [c.name for c in table.columns]
    left, right = _rows(source, table), _rows(dest, table)
    for index in range(1 << 62):
        a, b = next(left, None), next(right, None)
        if a is None and b is None:
            return f"table {table.name}: no row differs when read again"
        if a is None or b is None:
            return f"table {table.name}: row {index + 1} exists on one side only"
        if a[0] != b[0]:
            where = ", ".join(f"{k}={a[1][names.index(k)]}" for k in keys)
            cols = [n for n, x, y in zip(names, a[1], b[1], strict=True) if x != y]
            shown = "; ".join(
                f"{n}: {a[1][names.index(n)]!r} -> {b[1][names.index(n)]!r}" for n in cols[:3]
            )
            return f"table {table.name} row {where} differs in {', '.join(cols)} ({shown})"
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    problem: str | None = None


def recompute_chain(conn: Connection, batch: int = 5000) -> ChainCheck:
    """Every audit entry re-hashed (ids consecutive from 1, each linked to the one before)."""
    table = AuditEntry.__table__
    prev_id, prev_hash = 0, GENESIS_HASH
    while True:
        rows = list(
            conn.execute(
                select(table).where(table.c.id > prev_id).order_by(table.c.id).limit(batch)
            )
        )
        for r in rows:
            if r.id != prev_id + 1:
                return ChainCheck(False, prev_id, f"audit entry {prev_id + 1} is missing")
            if r.prev_hash != prev_hash:
                return ChainCheck(False, prev_id, f"audit entry {r.id} does not link to {prev_id}")
            digest = entry_hash(
                entry_id=r.id,
                at=r.at.astimezone(UTC).isoformat(),
                user_id=r.user_id,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                before=r.before,
                after=r.after,
                prev_hash=r.prev_hash,
            )
            if digest != r.hash:
                return ChainCheck(False, prev_id, f"audit entry {r.id}: its hash does not match")
            prev_id, prev_hash = r.id, r.hash
        if len(rows) < batch:
            return ChainCheck(True, prev_id)
