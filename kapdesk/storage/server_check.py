"""The storage checks of ``kapdesk check`` on a clinic server (PostgreSQL), where SQLite has
``integrity_check``, ``foreign_key_check`` and the audit id counter.

* Foreign keys (:func:`foreign_key_problems`): every reference of every table looked up,
  as SQLite's ``foreign_key_check`` does (the server enforces them, unless its triggers
  were switched off: ``session_replication_role = replica`` or a superuser's
  ``DISABLE TRIGGER ALL``); the same finding text.
* Physical integrity (:func:`index_check`): PostgreSQL checks pages as it reads them
  (checksums when the cluster has them); the B-tree indexes are verified with amcheck's
  ``bt_index_check`` only where the extension is installed in the database (best in a
  schema of its own: its functions in kapdesk's schema would be named by the schema check as
  added behind the app) and this role may run it; otherwise the line says it was not run
  and why.
* The audit log's own statistics (:func:`append_only_problems`): the audit id counter of
  SQLite has no equivalent here (the application numbers entries from the chain's head;
  the id column's sequence is never used), but the server counts every row updated or
  deleted in each table: ``audit_log``, ``signatures`` and ``addenda`` are append-only, so
  any such count means the triggers were switched off and rows changed behind the app
  (tail entries removed included). Only a superuser can reset those counters
  (``pg_stat_reset*`` are not granted to a database's owner by default) and a crash or an
  immediate shutdown loses them: this is a tell, not a proof.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, exists, not_, select, text

from kapdesk.storage.orm import Base

APPEND_ONLY = ("audit_log", "signatures", "addenda")
MAX_LISTED = 50


def foreign_key_problems(conn: Connection, limit: int = MAX_LISTED) -> list[str]:
    """One line per row whose reference finds no row (SQLite's foreign_key_check text)."""
    problems: list[str] = []
    for table in Base.metadata.sorted_tables:
        key = next(iter(table.primary_key.columns))
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table
            pairs = list(zip(fk.columns, fk.elements, strict=True))
            set_ = and_(*(child.is_not(None) for child, _ in pairs))
            match = and_(*(el.column == child for child, el in pairs))
            query = (
                select(key)
                .where(set_, not_(exists().where(match).select_from(parent)))
                .order_by(key)
                .limit(limit)
            )
            problems.extend(
                f"foreign key: {table.name} row {row_id} refers to a {parent.name} row that "
                "does not exist"
                for (row_id,) in conn.execute(query)
            )
    return problems[:limit]


@dataclass(frozen=True)
class IndexCheck:
    ran: bool
    indexes: int
    problems: tuple[str, ...]
    note: str


def index_check(conn: Connection) -> IndexCheck:
    """amcheck's ``bt_index_check`` on every B-tree index of the current schema, when the
    extension is there and this role may execute it; else why it was not run."""
    installed = conn.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'amcheck'"
        )
    ).scalar()
    if installed is None:
        return IndexCheck(False, 0, (), "index structure not checked: the amcheck extension "
                          "is not installed in this database (a superuser: CREATE SCHEMA "
                          "amcheck; CREATE EXTENSION amcheck SCHEMA amcheck; then GRANT USAGE "
                          "on that schema and EXECUTE on amcheck.bt_index_check(regclass) to "
                          "the role that checks)")  # fmt: skip
    call = f'"{installed}".bt_index_check'
    allowed = conn.execute(
        text("SELECT has_schema_privilege(:s, 'USAGE') AND has_function_privilege(:f, 'EXECUTE')"),
        {"s": installed, "f": f"{call}(regclass)"},
    ).scalar()
    if not allowed:
        return IndexCheck(False, 0, (), "index structure not checked: this role may not run "
                          f"amcheck's bt_index_check (GRANT USAGE ON SCHEMA {installed} and "
                          f"EXECUTE ON FUNCTION {installed}.bt_index_check(regclass))")  # fmt: skip
    indexes = (
        conn.execute(
            text(
                "SELECT c.oid::regclass::text FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE am.amname = 'btree' AND n.nspname = current_schema() AND i.indisvalid "
                "ORDER BY 1"
            )
        )
        .scalars()
        .all()
    )
    problems = []
    for name in indexes:
        try:
            with conn.begin_nested():
                conn.execute(text(f"SELECT {call}(CAST(:i AS regclass))"), {"i": name})
        except Exception as exc:  # the server's words are the finding
            first = (str(getattr(exc, "orig", exc)).strip().splitlines() or ["?"])[0]
            problems.append(f"index {name}: amcheck found it corrupt: {first}")
    return IndexCheck(True, len(indexes), tuple(problems), f"{len(indexes)} indexes verified "
                      "by amcheck's bt_index_check")  # fmt: skip


def append_only_problems(conn: Connection) -> list[str]:
    """Rows of an append-only table that the server's statistics count as updated or
    deleted (see the module doc)."""
    rows = conn.execute(
        text(
            "SELECT relname, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(:names) ORDER BY relname"
        ),
        {"names": list(APPEND_ONLY)},
    )
    problems = []
    for name, updated, deleted in rows:
        done = [f"{n} {what}" for n, what in ((updated, "updated"), (deleted, "deleted")) if n]
        if done:
            problems.append(
                f"{name}: the server counts {' and '.join(done)} rows of this append-only "
                "table: its triggers were switched off and it was changed behind the app"
            )
    return problems
