"""The kinds the replay reads from the head schema (kapdesk.storage.column_kinds) say what
the Core tables' types say, for every column of every table."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text
from sqlalchemy.types import TypeEngine

from kapdesk.storage import tables
from kapdesk.storage.column_kinds import ColumnKind, table_columns
from kapdesk.storage.column_types import UTCDateTime


def _kind_of(kind: TypeEngine[object]) -> tuple[str, int | None]:
    if isinstance(kind, UTCDateTime):
        return "time", None
    for sa_type, name in ((Date, "date"), (Boolean, "flag"), (JSON, "json"),
                          (Integer, "integer"), (Float, "float"), (Text, "text")):  # fmt: skip
        if isinstance(kind, sa_type):
            return name, None
    assert isinstance(kind, String), kind
    return "text", kind.length


@pytest.mark.parametrize("name", sorted(tables.metadata.tables))
def test_every_column_has_the_core_tables_kind(name: str) -> None:
    core = {
        c.name: ColumnKind(*_kind_of(c.type)[:1], c.nullable, _kind_of(c.type)[1])  # type: ignore[arg-type]
        for c in tables.metadata.tables[name].columns
    }
    assert table_columns(name) == core


def test_short_text_is_a_varchar_of_at_most_64() -> None:
    users = table_columns("users")
    assert users["username"].short_text  # VARCHAR(64)
    assert not users["full_name"].short_text  # VARCHAR(200)
    assert not table_columns("notes")["body"].short_text  # TEXT
    assert not users["id"].short_text


def test_the_kinds_load_without_sqlalchemy() -> None:
    code = (
        "import sys; from kapdesk.storage.column_kinds import table_columns; "
        "table_columns('users'); print('sqlalchemy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
