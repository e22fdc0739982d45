"""Speed at clinic scale: patients.search_key, and an index on dosing_sessions.state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-10

* ``patients.search_key``: the accent-folded words of the names
  (``kapdesk.domain.name_search.search_key``), so patient search is a plain
  ``LIKE '% word%'`` instead of a regular expression run in Python on every
  accented name. Existing rows are filled here (backfill).
* ``ix_dosing_sessions_state``: the Today board lists every running session
  (state checked in ... monitoring) besides today's; without it that was a
  scan of every session ever held, on every refresh.

The key is computed with today's ``search_key``; a later change of its shape
must come with a revision that recomputes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kapdesk.domain.name_search import search_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column(
        "patients",
        sa.Column("search_key", sa.String(400), nullable=False, server_default=""),
    )
    op.create_index("ix_dosing_sessions_state", "dosing_sessions", ["state"])
    conn = op.get_bind()
    patients = sa.table(
        "patients",
        sa.column("id", sa.Integer()),
        sa.column("family_name", sa.String()),
        sa.column("given_name", sa.String()),
        sa.column("search_key", sa.String()),
    )
    rows = conn.execute(sa.select(patients.c.id, patients.c.family_name, patients.c.given_name))
    update = (
        sa.update(patients)
        .where(patients.c.id == sa.bindparam("pid"))
        .values(search_key=sa.bindparam("key"))
    )
    batch: list[dict[str, object]] = []
    for pid, family, given in rows.all():
        batch.append({"pid": pid, "key": search_key(family, given)})
        if len(batch) >= BATCH:
            conn.execute(update, batch)
            batch.clear()
    if batch:
        conn.execute(update, batch)


def downgrade() -> None:
    op.drop_index("ix_dosing_sessions_state", table_name="dosing_sessions")
    # SQLite 3.35+ drops a plain column in place (batch mode would recreate "patients",
    # which courses point at).
    op.execute("ALTER TABLE patients DROP COLUMN search_key")
