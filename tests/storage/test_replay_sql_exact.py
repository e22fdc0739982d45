"""The row replay's pass in SQL prints what kapdesk writes exactly as its snapshot.

A row whose SQL text differs from its newest entry's snapshot goes on to the exact judge in
Python: a printing difference costs time, never a finding, so no finding-based test sees
one. Here, on a clinic written by the app, the pass lists only rows whose newest entry is not
a whole snapshot of them (a print audited on a session, a course ended with its reason); a
column printed otherwise than the snapshot holds it (e.g. an empty optional text) would list
every row holding it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kapdesk.demo import build_demo_clinic
from kapdesk.storage.audit import REDACTED_COLUMNS
from kapdesk.storage.audit_replay import AUDITED, _Table, newest_entry_sql
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.orm import Base

DAY = date(2026, 3, 4)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exact") / "demo.sqlite"
    build_demo_clinic(path, seed=3, patients=4, today=DAY)
    return path


def _whole_snapshot(after: str | None, columns: frozenset[str]) -> bool:
    """An entry recording the row and nothing else (an ended course's records its reason too;
    one older than a revision lacks the columns it added)."""
    data = json.loads(after) if after else None
    return isinstance(data, dict) and set(data) == columns


def _optional_texts_both_ways(path: Path, table: str) -> tuple[bool, bool]:
    """Whether some row of ``table`` has an optional text column empty, and some filled."""
    texts = [
        c.name
        for c in Base.metadata.tables[table].columns
        if c.nullable and c.type.python_type is str
    ]
    if not texts:
        return False, False
    with sqlite3.connect(path) as conn:
        empty = any(conn.execute(f'SELECT 1 FROM "{table}" WHERE "{c}" IS NULL').fetchone()
                    for c in texts)  # fmt: skip
        filled = any(conn.execute(f'SELECT 1 FROM "{table}" WHERE "{c}" IS NOT NULL').fetchone()
                     for c in texts)  # fmt: skip
    conn.close()
    return empty, filled


def test_the_pass_lists_only_rows_whose_newest_entry_is_no_whole_snapshot(clinic: Path) -> None:
    engine = create_readonly_engine(clinic)
    both_ways: list[str] = []
    try:
        with engine.connect() as conn, conn.begin():
            for spec in AUDITED:
                table = _Table(conn, spec)
                if spec.key != "id" or table.names & REDACTED_COLUMNS:
                    continue  # compared in Python only (audit_replay.parts)
                low, high = conn.exec_driver_sql(
                    f'SELECT min(id), max(id) FROM "{spec.table}"'
                ).one()
                if low is None:
                    continue
                listed = conn.exec_driver_sql(*table.differing_query(low, high)).all()
                for key, _judge in listed:
                    after = conn.exec_driver_sql(
                        "SELECT after FROM audit_log WHERE id = ("
                        + newest_entry_sql("?", "?")
                        + ")",
                        (spec.entity, key),
                    ).scalar()
                    assert not _whole_snapshot(after, table.names), (spec.table, key, after)
                if all(_optional_texts_both_ways(clinic, spec.table)):
                    both_ways.append(spec.table)
    finally:
        engine.dispose()
    # the clinic holds what the pass must print alike: empty and filled optional texts
    assert {"vital_readings", "side_effects"} <= set(both_ways), both_ways
