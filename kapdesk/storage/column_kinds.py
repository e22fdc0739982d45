"""Each audited column's kind (a time, a flag, JSON, a number, text) and whether it may be
NULL, read from the schema at the migration head (:data:`kapdesk.storage.schema_head.OBJECTS`,
which a ``kapdesk check`` compares the file with): the row replay and the signatures' pass
in SQL build their text from these, and judge a value in Python by them, without importing
SQLAlchemy (~0.13 s of processor time of a check, whose clean path needs none of it).

``tests/storage/test_column_kinds.py`` keeps every kind equal to the Core tables' type
(:mod:`kapdesk.storage.tables`).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from typing import Literal

from kapdesk.storage.schema_head import OBJECTS

Kind = Literal["time", "date", "flag", "json", "integer", "float", "text"]

# a column's declared type at the head (as SQLAlchemy's SQLite dialect writes each type)
_DECLARED: dict[str, Kind] = {
    "DATETIME": "time",  # every timestamp is a column_types.UTCDateTime
    "DATE": "date",
    "BOOLEAN": "flag",
    "JSON": "json",
    "INTEGER": "integer",
    "FLOAT": "float",
    "TEXT": "text",
    "VARCHAR": "text",
}
_VARCHAR = re.compile(r"VARCHAR\((\d+)\)")


@dataclass(frozen=True)
class ColumnKind:
    kind: Kind
    nullable: bool
    length: int | None = None  # a VARCHAR's; None: TEXT (free text) or not text

    @property
    def short_text(self) -> bool:
        """A code or name of at most 64 characters (the replay may show it)."""
        return self.kind == "text" and self.length is not None and self.length <= 64


@cache
def _head_columns() -> dict[str, dict[str, ColumnKind]]:
    memory = sqlite3.connect(":memory:")
    try:
        for _name, kind, _table, sql in OBJECTS:
            if kind == "table":
                memory.execute(sql)
        found: dict[str, dict[str, ColumnKind]] = {}
        for (table,) in memory.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        ):
            columns = memory.execute(f'PRAGMA table_info("{table}")').fetchall()
            found[table] = {
                name: _kind(declared, not notnull and not primary)
                for _cid, name, declared, notnull, _default, primary in columns
            }
        return found
    finally:
        memory.close()


def _kind(declared: str, nullable: bool) -> ColumnKind:
    varchar = _VARCHAR.fullmatch(declared)
    if varchar:
        return ColumnKind("text", nullable, int(varchar.group(1)))
    return ColumnKind(_DECLARED[declared], nullable)


def table_columns(table: str) -> dict[str, ColumnKind]:
    """``table``'s columns in the order the head schema declares them."""
    return _head_columns()[table]
