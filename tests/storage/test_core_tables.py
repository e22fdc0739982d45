"""The Core mirror of the tables (kapdesk.storage.tables) says what the ORM classes say."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import Column, Table

from kapdesk.storage import tables
from kapdesk.storage.orm import Base


def _columns(table: Table) -> list[tuple[str, str, bool, bool]]:
    def described(c: Column[object]) -> tuple[str, str, bool, bool]:
        return c.name, repr(c.type), c.primary_key, c.nullable

    return [described(c) for c in table.c]


@pytest.mark.parametrize("name", sorted(tables.metadata.tables))
def test_every_mirrored_table_has_the_orm_columns_and_types(name: str) -> None:
    assert _columns(tables.metadata.tables[name]) == _columns(Base.metadata.tables[name])


def test_the_mirror_holds_every_table() -> None:
    assert set(tables.metadata.tables) == set(Base.metadata.tables)


def test_the_mirror_loads_without_the_orm() -> None:
    code = "import sys, kapdesk.storage.tables; print('sqlalchemy.orm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
