"""Copying a whole clinic from one store to another (SQLite file <-> PostgreSQL server).

Dialect-independent SQLAlchemy Core over the ORM metadata (``kapdesk.storage.orm``):

* :data:`COPIED_TABLES` - every table of the schema, in foreign-key order (parents
  first), derived from the metadata, so a table added to the schema is copied too;
* :func:`source_problems` / :func:`destination_problems` - the refusals made before
  anything is written: a source not at the head revision, a destination holding any
  kapdesk row or any table that is not kapdesk's;
* :func:`copy_clinic` - every row, ids preserved, table by table in id order, in
  batches (keyset pagination: memory stays flat whatever the size of the audit log),
  then the destination's id counters (PostgreSQL sequences, SQLite's ``sqlite_sequence``
  for the audit log) set past the copied ids. Returns the per-table digests of the rows
  read (:mod:`kapdesk.storage.clinic_verify`), to compare with the destination's.

JSON columns are copied as their stored text (never parsed and re-serialised), so a
JSON ``null`` stays distinct from an SQL NULL and the text the audit trail recorded
stays byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from kapdesk.domain.errors import KapdeskError
from kapdesk.storage.clinic_verify import TableDigest, row_text
from kapdesk.storage.orm import AuditEntry, Base

ALEMBIC_TABLE: Final = "alembic_version"
# Tables the database engine keeps for itself (never kapdesk's, never foreign).
ENGINE_TABLES: Final = frozenset({"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"})
COPIED_TABLES: Final[tuple[str, ...]] = tuple(t.name for t in Base.metadata.sorted_tables)
BATCH_ROWS: Final = 2000
AUDIT_TABLE: Final = AuditEntry.__tablename__

# (table, rows copied so far, rows in the table)
Progress = Callable[[str, int, int], object]


class CopyRefused(KapdeskError):
    """The copy cannot start; nothing was written anywhere."""


def tables() -> list[Table]:
    """The schema's tables, parents before children."""
    return [Base.metadata.tables[name] for name in COPIED_TABLES]


def integer_key(table: Table) -> Column[Any] | None:
    """The single integer primary key column to page by, or None (e.g. settings by key)."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        return keys[0]
    return None


def read_columns(table: Table) -> list[ColumnElement[Any]]:
    """The columns as read for copying: JSON as its stored text, the rest typed."""
    return [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in table.columns]


def read_batches(conn: Connection, table: Table, batch: int = BATCH_ROWS) -> Iterator[list[Any]]:
    """Every row of ``table`` in primary-key order, ``batch`` rows at a time.

    Integer keys are paged by keyset; other keys (settings: a few rows) read at once
    and ordered in Python, so both dialects give the same order whatever their collation.
    """
    key = integer_key(table)
    columns = read_columns(table)
    if key is None:
        rows = list(conn.execute(select(*columns)))
        names = [c.name for c in table.primary_key.columns]
        rows.sort(key=lambda r: tuple(str(getattr(r, n)) for n in names))
        for start in range(0, len(rows), batch):
            yield rows[start : start + batch]
        return
    after: int | None = None
    while True:
        query = select(*columns).order_by(key).limit(batch)
        if after is not None:
            query = query.where(key > after)
        rows = list(conn.execute(query))
        if rows:
            yield rows
            after = getattr(rows[-1], key.name)
        if len(rows) < batch:
            return


def _insert_statement(table: Table, dialect: str) -> Any:
    """INSERT of one row's values named ``v_<column>``; JSON columns take the stored text."""
    values: dict[str, Any] = {}
    for c in table.columns:
        if isinstance(c.type, JSON):
            raw = bindparam(f"v_{c.name}", type_=Text)
            # PostgreSQL's json type keeps the text exactly as given.
            values[c.name] = cast(raw, c.type) if dialect != "sqlite" else raw
        else:
            values[c.name] = bindparam(f"v_{c.name}", type_=c.type)
    return insert(table).values(values)


def _copy_in(dest: Connection, table: Table, rows: Sequence[Any]) -> None:
    """``rows`` into ``table`` by PostgreSQL's COPY (one round trip per batch, not per row),
    in ``dest``'s transaction. JSON columns get their stored text (json keeps it as given);
    timestamps are aware UTC datetimes, as UTCDateTime would bind them."""
    quote = dest.dialect.identifier_preparer.quote
    columns = ", ".join(quote(c.name) for c in table.columns)
    raw = dest.connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(tuple(row))


def row_count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def stamped_revision(conn: Connection) -> str | None:
    """The Alembic revision stamped in the database (any dialect), None if none."""
    if not inspect(conn).has_table(ALEMBIC_TABLE):
        return None
    rows = sorted(str(r[0]) for r in conn.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")))
    return ",".join(rows) if rows else None


def foreign_tables(conn: Connection) -> list[str]:
    """Tables present that are not kapdesk's (nor the engine's own)."""
    known = {*COPIED_TABLES, ALEMBIC_TABLE, *ENGINE_TABLES}
    return sorted(t for t in inspect(conn).get_table_names() if t not in known)


def source_problems(conn: Connection, head: str, shown: str) -> list[str]:
    """Why the source ``shown`` cannot be copied (empty: it can)."""
    revision = stamped_revision(conn)
    if revision is None:
        return [f"{shown} holds no kapdesk clinic (no schema revision is stamped)"]
    if revision != head:
        return [
            f"{shown} is at schema {revision}, not {head}: open it with kapdesk first to "
            "upgrade it, then migrate"
        ]
    unknown = foreign_tables(conn)
    if unknown:
        return [f"{shown} holds tables that are not kapdesk's: {', '.join(unknown)}"]
    present = set(inspect(conn).get_table_names())
    missing = [t for t in COPIED_TABLES if t not in present]
    if missing:
        return [f"{shown} lacks the kapdesk tables {', '.join(missing)}"]
    return []


def nul_text_problems(conn: Connection, shown: str, limit: int = 5) -> list[str]:
    """SQLite source: the rows holding a NUL character in a text column, named (table, id,
    column): a PostgreSQL server cannot store one, so such a clinic is refused before
    anything is written."""
    found: list[str] = []
    for table in tables():
        key = integer_key(table)
        for column in table.columns:
            if not isinstance(column.type, String | JSON):
                continue
            holds = func.instr(cast(column, Text), func.char(0)) > 0
            ids = select(key if key is not None else func.min(table.primary_key.columns[0]))
            for (row_id,) in conn.execute(ids.select_from(table).where(holds).limit(limit)):
                if row_id is not None:
                    found.append(f"{table.name} id {row_id} column {column.name}")
    if not found:
        return []
    more = f" (and {len(found) - limit} more)" if len(found) > limit else ""
    return [
        f"{shown} holds text with a NUL character (U+0000), which a PostgreSQL server cannot "
        f"store: {'; '.join(found[:limit])}{more}. Correct that text in kapdesk (or remove "
        "the character) on the file first, then migrate"
    ]


def destination_problems(conn: Connection, shown: str) -> list[str]:
    """Why ``shown`` cannot receive a clinic: it must be empty (schema alone is fine)."""
    unknown = foreign_tables(conn)
    if unknown:
        return [
            f"{shown} is not empty: it holds tables that are not kapdesk's "
            f"({', '.join(unknown[:10])}); migrate only into an empty database"
        ]
    present = set(inspect(conn).get_table_names())
    filled = [
        t.name
        for t in tables()
        if t.name in present and conn.execute(select(1).select_from(t).limit(1)).first()
    ]
    if filled:
        return [
            f"{shown} is not empty: it already holds a clinic (rows in "
            f"{', '.join(filled[:6])}{', ...' if len(filled) > 6 else ''}); migrate only "
            "into an empty database"
        ]
    return []


def privilege_problems(conn: Connection, shown: str) -> list[str]:
    """PostgreSQL: why the connected role cannot fill ``shown`` (INSERT into every table,
    set every id sequence past the copied ids); the application role made by ``kapdesk
    server init`` may not set sequences, the owner may."""
    if conn.dialect.name != "postgresql":
        return []
    role = str(conn.execute(text("SELECT current_user")).scalar_one())
    missing: list[str] = []
    for table in tables():
        if not conn.execute(
            text("SELECT has_table_privilege(:t, 'INSERT')"), {"t": table.name}
        ).scalar_one():
            missing.append(f"INSERT on {table.name}")
        key = integer_key(table)
        sequence = (
            None
            if key is None
            else conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key.name}
            ).scalar()
        )
        if (
            sequence is not None
            and not conn.execute(
                text("SELECT has_sequence_privilege(:s, 'UPDATE')"), {"s": sequence}
            ).scalar_one()
        ):
            missing.append(f"setting the id sequence of {table.name}")
    if not missing:
        return []
    return [
        f"the role {role} may not fill {shown} ({', '.join(missing[:3])}"
        f"{', ...' if len(missing) > 3 else ''}): migrate with the database owner's URL "
        "(the one given to kapdesk server init), not the workstations' application role"
    ]


@dataclass(frozen=True)
class CopyResult:
    digests: dict[str, TableDigest]  # per table, of the rows read from the source
    audit_counter: int  # the audit id counter set at the destination


def copy_clinic(
    source: Connection,
    dest: Connection,
    *,
    progress: Progress | None = None,
    commit_every: int | None = None,
    batch: int = BATCH_ROWS,
) -> CopyResult:
    """Copy every row of every table from ``source`` to ``dest`` (both in a transaction).

    ``commit_every``: commit ``dest`` after about that many rows (a new SQLite file
    that is removed if anything fails); None: the caller commits once at the end.
    """
    dialect = dest.dialect.name
    digests: dict[str, TableDigest] = {}
    pending = 0
    for table in tables():
        total = row_count(source, table)
        statement = _insert_statement(table, dialect)
        digest = TableDigest(table.name)
        done = 0
        if progress is not None:
            progress(table.name, 0, total)
        for rows in read_batches(source, table, batch):
            for row in rows:
                digest.add(row_text(table, row))
            if dialect == "postgresql":
                _copy_in(dest, table, rows)
            else:
                dest.execute(
                    statement, [{f"v_{k}": v for k, v in r._mapping.items()} for r in rows]
                )
            done += len(rows)
            pending += len(rows)
            if progress is not None:
                progress(table.name, done, total)
            if commit_every is not None and pending >= commit_every:
                dest.commit()
                pending = 0
        digests[table.name] = digest
    top = source.execute(select(func.max(AuditEntry.__table__.c.id))).scalar() or 0
    counter = max(audit_counter(source), int(top))
    set_counters(dest, audit=counter)
    return CopyResult(digests, counter)


def audit_counter(conn: Connection) -> int:
    """The audit log's id high-water mark: SQLite's AUTOINCREMENT counter, or the
    PostgreSQL sequence's last value, or the largest id."""
    if conn.dialect.name == "sqlite":
        if conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
        ).first():
            seq = conn.execute(
                text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": AUDIT_TABLE}
            ).scalar()
            if seq is not None:
                return int(seq)
    elif conn.dialect.name == "postgresql":
        name = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": AUDIT_TABLE}
        ).scalar()
        if name is not None:
            row = conn.execute(text(f"SELECT last_value, is_called FROM {name}")).first()
            if row is not None and row[1]:
                return int(row[0])
    top = conn.execute(select(func.max(AuditEntry.__table__.c.id))).scalar()
    return int(top or 0)


def set_counters(conn: Connection, *, audit: int) -> None:
    """Every id counter past the copied ids (the audit log's at ``audit``)."""
    if conn.dialect.name == "sqlite":
        # AUTOINCREMENT (audit_log only) keeps its high-water mark in sqlite_sequence;
        # the other tables take max(rowid) + 1 by themselves.
        if audit:
            conn.execute(
                text("UPDATE sqlite_sequence SET seq = :n WHERE name = :t"),
                {"n": audit, "t": AUDIT_TABLE},
            )
            if not conn.execute(
                text("SELECT 1 FROM sqlite_sequence WHERE name = :t"), {"t": AUDIT_TABLE}
            ).first():
                conn.execute(
                    text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :n)"),
                    {"n": audit, "t": AUDIT_TABLE},
                )
        return
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        key = integer_key(table)
        if key is None:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key.name}
        ).scalar()
        if sequence is None:
            continue
        top = conn.execute(select(func.max(key))).scalar() or 0
        if table.name == AUDIT_TABLE:
            top = max(top, audit)
        # setval(seq, n, false) for an empty table: the next id is 1.
        conn.execute(
            text("SELECT setval(CAST(:s AS regclass), :n, :called)"),
            {"s": sequence, "n": max(top, 1), "called": top > 0},
        )


def table_names(conn: Connection) -> Sequence[str]:
    return inspect(conn).get_table_names()
