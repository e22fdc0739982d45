"""SQL that prints a stored column as the JSON value an audit snapshot holds for it: the
row replay (:mod:`kapdesk.storage.audit_replay`) and the signatures' pass in SQL
(:mod:`kapdesk.storage.signed_sql`) build their texts from these pieces. SQLite only.

Exact for what kapdesk writes; any other stored value prints differently (or as
:data:`NEVER_SQL`), so that row goes on to the exact comparison in Python: a difference in
printing costs time, never a finding, and never hides a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kapdesk.storage.audit_chain import sql_iso_utc
from kapdesk.storage.column_kinds import ColumnKind

__all__ = [
    "NEVER_SQL",
    "column_sql",
    "exact_sql",
    "flag_sql",
    "json_text_sql",
    "readable_time_sql",
    "row_json_sql",
]


def column_sql(column: ColumnKind, col: str) -> tuple[str, str]:
    """(printf format piece, argument) rendering ``column`` (SQL expression ``col``) as its
    snapshot's JSON value: exact for what kapdesk writes, anything else prints otherwise."""
    kind, nullable = column.kind, column.nullable
    if kind == "time":
        # A time only from a text holding no NUL: printf()'s %s stops at a NUL and || reads
        # a BLOB as text, so a forged tail after the time, or the same bytes as a BLOB (the
        # app can read neither), would print as the recorded time.
        iso = f"CASE WHEN {readable_time_sql(col)} THEN {sql_iso_utc(col)} ELSE {NEVER_SQL} END"
        if nullable:
            return "%s", f"CASE WHEN {col} IS NULL THEN 'null' ELSE '\"' || {iso} || '\"' END"
        return '"%s"', iso
    if kind == "flag":
        return "%s", flag_sql(col)
    if kind == "json":  # stored canonical (storage.engine); 'null' is None
        return "%s", json_text_sql(col)
    if kind in ("integer", "float"):
        # only NULL prints null: a stored text 'null' (read as that text) must differ
        null = f"WHEN {col} IS NULL THEN 'null' " if nullable else ""
        real = f" OR (typeof({col}) = 'real' AND {exact_sql(col)})" if kind == "float" else ""
        return "%s", (
            f"CASE {null}WHEN typeof({col}) = 'integer'{real} THEN {col} ELSE {NEVER_SQL} END"
        )
    # every text JSON-quoted, short codes too: printed as it is, a text holding a JSON
    # escape (\") would print as the escaped original it replaced. A NULL prints as
    # json_quote(NULL) does, without the call (most optional texts are empty)
    if nullable:
        return "%s", f"CASE WHEN {col} IS NULL THEN 'null' ELSE json_quote({col}) END"
    return "%s", f"json_quote({col})"


def row_json_sql(table: Mapping[str, ColumnKind], names: Iterable[str], alias: str) -> str:
    """The columns ``names`` of a row of ``table`` (its columns' kinds; SQL alias
    ``alias``) as canonical JSON
    text (keys sorted), built by one printf() (one allocation per row, where a chain of ||
    copies the text at every step). With every column of the table, this is the text of the
    row's snapshot in an unchanged audit entry."""
    fmt, args = [], []
    for name in sorted(names):
        piece, arg = column_sql(table[name], f'{alias}."{name}"')
        fmt.append(f'"{name}":{piece}')
        args.append(arg)
    return f"printf('{{{','.join(fmt)}}}', {', '.join(args)})"


# A JSON value no snapshot holds where a value should be: what SQL prints for a stored
# value the app would not read back as recorded (a flag of 2, a number column holding
# text), so the row always goes on to the exact comparison in Python.
NEVER_SQL = "'\"\\u0000unreadable\"'"


def json_text_sql(col: str) -> str:
    """A JSON column's stored text as it is, or :data:`NEVER_SQL` when it holds a NUL:
    printf() and json() stop at a NUL, so '[]' followed by a NUL and more text would print
    as the '[]' recorded while the app cannot read it."""
    return f"CASE WHEN instr({col}, char(0)) THEN {NEVER_SQL} ELSE coalesce({col}, 'null') END"


def readable_time_sql(col: str) -> str:
    """True where a stored timestamp is a text without a NUL (else the app cannot read it,
    yet :func:`kapdesk.storage.audit.sql_iso_utc` may print it as a time)."""
    return f"typeof({col}) = 'text' AND instr({col}, char(0)) = 0"


def exact_sql(col: str) -> str:
    """True where SQLite's text of the number (a float: 15 significant digits) reads back as
    the very same number, so text equal to the snapshot's means the same value; a float
    differing in its 16th-17th digit prints like the recorded one and must not pass."""
    return f"CAST(CAST({col} AS TEXT) AS REAL) = {col}"


def flag_sql(col: str) -> str:
    """A boolean column as JSON text: true, false, null, or :data:`NEVER_SQL`."""
    return (
        f"CASE WHEN {col} IS NULL THEN 'null' WHEN {col} = 1 THEN 'true' "
        f"WHEN {col} = 0 THEN 'false' ELSE {NEVER_SQL} END"
    )
