"""Columns a revision added are judged on rows whose entries predate it.

An audit entry written before revision 0004, 0005 or 0006 holds no key for the columns
those revisions added; every existing row got one value for each of them (an override's
kind "reading", an empty scoring rule, no warnings, nothing entered in error, no language).
``kapdesk check`` judges such a row's column against that value, so a change made behind
the app to an old row's new column is reported like any other (it was left unjudged)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import FakeClock
from kapdesk.storage import audit
from kapdesk.storage.audit_replay import ADDED_WITH_ONE_VALUE, replay
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_sqlite_engine
from kapdesk.storage.orm import (
    Dose,
    DosingSession,
    HoldOverride,
    InstrumentResult,
    Observation,
    SideEffect,
    User,
    VitalReading,
)

# (table, column, a value set behind the app) for every column ADDED_WITH_ONE_VALUE names
ERROR_TABLES = ("vital_readings", "doses", "side_effects", "observations", "instrument_results")
ERROR_VALUES = (("error_at", "2026-03-04 10:00:00.000000"), ("error_by", 1),
                ("error_reason", "wrong patient"))  # fmt: skip
TAMPERS = [
    ("users", "language", "pt-PT"),
    ("hold_overrides", "kind", "room"),
    ("hold_overrides", "item_id", "post-30"),
    ("dosing_sessions", "same_day_reason", "second dose today"),
    ("dosing_sessions", "same_day_confirmed_by", 1),
    ("instrument_results", "scoring_rule", "PHQ-9 sum"),
    ("doses", "warnings", '["over the maximum"]'),
    *[(table, column, value) for table in ERROR_TABLES for column, value in ERROR_VALUES],
]


@pytest.fixture
def old_snapshots(demo: Path, clock: FakeClock) -> Path:
    """A demo clinic whose first row of each table has as its newest entry a snapshot written
    before the revisions that added columns: none of their keys, the row holding the value
    the revision gave every existing row (as an old_snapshots clinic's old rows do)."""
    engine = create_sqlite_engine(demo)
    try:
        with Session(engine) as s, s.begin():
            for table, added in ADDED_WITH_ONE_VALUE.items():
                model = _MODELS[table]
                row = s.scalars(select(model).order_by(model.id).limit(1)).one()
                for column, value in added.items():
                    setattr(row, column, value)
                s.flush()
                snapshot = audit.row_snapshot(row)
                for column in added:
                    del snapshot[column]
                audit.append(s, at=clock.now(), user_id=None, action="test.old_snapshot",
                             entity=ADDED_ENTITY[table], entity_id=row.id, before=None,
                             after=snapshot)  # fmt: skip
    finally:
        engine.dispose()
    return demo


def _findings(path: Path, clock: FakeClock) -> list[str]:
    with Database.open(path, clock=clock) as db, db.read() as s:
        return replay(s.connection()).messages()


def test_every_added_column_is_tampered_here() -> None:
    assert {(t, c) for t, c, _v in TAMPERS} == {
        (table, column) for table, columns in ADDED_WITH_ONE_VALUE.items() for column in columns
    }


def test_the_upgraded_clinic_agrees_with_its_entries(old_snapshots: Path, clock: FakeClock) -> None:
    assert _findings(old_snapshots, clock) == []


@pytest.mark.parametrize(("table", "column", "value"), TAMPERS)
def test_a_change_behind_the_app_to_an_old_rows_new_column_is_found(
    old_snapshots: Path, clock: FakeClock, table: str, column: str, value: object
) -> None:
    conn = sqlite3.connect(old_snapshots)
    try:
        with conn:
            (row_id,) = conn.execute(f'SELECT min(id) FROM "{table}"').fetchone()
            conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE id = ?', (value, row_id))
    finally:
        conn.close()
    found = _findings(old_snapshots, clock)
    assert len(found) == 1, found
    assert found[0].startswith(f"{ADDED_ENTITY[table]} {row_id}: changed behind the app; ")
    assert f" in {column} (" in found[0]


ADDED_ENTITY = {
    "users": "user",
    "hold_overrides": "hold_override",
    "dosing_sessions": "dosing_session",
    "instrument_results": "instrument_result",
    "doses": "dose",
    "vital_readings": "vital_reading",
    "side_effects": "side_effect",
    "observations": "observation",
}
_MODELS: dict[str, Any] = {
    "users": User,
    "hold_overrides": HoldOverride,
    "dosing_sessions": DosingSession,
    "instrument_results": InstrumentResult,
    "doses": Dose,
    "vital_readings": VitalReading,
    "side_effects": SideEffect,
    "observations": Observation,
}
