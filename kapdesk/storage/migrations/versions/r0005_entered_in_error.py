"""Entered in error: a reading, dose, side effect, observation or PHQ-9/GAD-7 result can be
marked as typed wrongly, with who, when and why.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

On ``vital_readings``, ``doses``, ``side_effects``, ``observations`` and
``instrument_results``: ``error_at`` (when it was marked), ``error_by`` (the id of
the user who marked it) and ``error_reason`` (why), all NULL
for an entry that stands. A marked entry stays in the record; it no longer counts
for alerts, holds, the schedule, discharge, charts or outcomes.

The columns are added in place (``ALTER TABLE ... ADD COLUMN``), so no table is
copied. ``error_by`` has no foreign key, like ``dosing_sessions.same_day_confirmed_by``
(0004) and ``audit_log.user_id``: SQLite adds and drops a plain column in place, where
a named foreign key would need a copy of each table (the service only ever stores the
signed-in user's id there, and users are never deleted).
Frozen like 0001: types spelled out here.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("vital_readings", "doses", "side_effects", "observations", "instrument_results")


def upgrade() -> None:
    # PostgreSQL has no DATETIME: the type UTCDateTime is there (SQLite's name unchanged).
    timestamp = "DATETIME" if op.get_bind().dialect.name == "sqlite" else "TIMESTAMP WITH TIME ZONE"
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ADD COLUMN error_at {timestamp}")
        op.execute(f"ALTER TABLE {table} ADD COLUMN error_by INTEGER")
        op.execute(f"ALTER TABLE {table} ADD COLUMN error_reason TEXT")


def downgrade() -> None:
    for table in TABLES:
        for column in ("error_reason", "error_by", "error_at"):
            # SQLite 3.35+ drops a plain column in place.
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
