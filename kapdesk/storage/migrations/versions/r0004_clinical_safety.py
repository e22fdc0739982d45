"""Clinical safety: pinned protocol versions, gate overrides, alert acknowledgements.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

* ``protocol_versions``: the exact text of every protocol version a course has
  used, keyed by its SHA-256, so a course is judged with the version it started
  on for ever, even after the clinic ships a new one. One content per
  (protocol id, version): a changed file must carry a new version.
* ``courses.protocol_hash``: the SHA-256 of the pinned protocol text. Existing
  courses are pinned here to the text shipped now under their id and version
  (the only text this kapdesk can know); courses whose version is not shipped
  keep an empty hash and are reported when opened.
* ``hold_overrides.kind`` / ``item_id``: an override lifts a dose gate: a
  reading (the pre-dose hold, or a post-dose alert before a booster:
  ``kind='reading'``, ``reading_id``) or a blocking checklist answer
  (``kind='checklist'``, ``item_id``).
* ``alert_acknowledgements``: a clinician's acknowledgement of an alert reading.
* ``dosing_sessions.same_day_reason`` / ``same_day_confirmed_by``: the
  clinician's confirmation of a second dosing session on one day.
* ``instrument_results.scoring_rule``: the scoring rule (instrument, version,
  bands) that produced the stored total and band.
* ``doses.warnings``: warnings acknowledged with the dose (a short gap between
  nasal devices, an unusually small dose, checklist answers that warn).

Frozen like 0001: types spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kapdesk.storage.shipped_protocols import shipped_protocols

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "protocol_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_name", sa.String(200), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_protocol_versions"),
    )
    op.create_index(
        "ix_protocol_versions_protocol_id_version",
        "protocol_versions",
        ["protocol_id", "version"],
        unique=True,
    )
    op.create_index("ix_protocol_versions_sha256", "protocol_versions", ["sha256"], unique=True)

    op.add_column(
        "courses",
        sa.Column("protocol_hash", sa.String(64), nullable=False, server_default=""),
    )
    op.add_column(
        "hold_overrides",
        sa.Column("kind", sa.String(32), nullable=False, server_default="reading"),
    )
    op.add_column("hold_overrides", sa.Column("item_id", sa.String(64), nullable=True))
    op.add_column("dosing_sessions", sa.Column("same_day_reason", sa.Text(), nullable=True))
    # No foreign key (like audit_log.user_id): SQLite adds and drops a plain column in
    # place, where a named foreign key would need a copy of the whole table.
    op.add_column(
        "dosing_sessions", sa.Column("same_day_confirmed_by", sa.Integer(), nullable=True)
    )
    op.add_column(
        "instrument_results",
        sa.Column("scoring_rule", sa.String(200), nullable=False, server_default=""),
    )
    op.add_column("doses", sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"))

    op.create_table(
        "alert_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_acknowledgements"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["dosing_sessions.id"],
            name="fk_alert_acknowledgements_session_id_dosing_sessions",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["vital_readings.id"],
            name="fk_alert_acknowledgements_reading_id_vital_readings",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["users.id"],
            name="fk_alert_acknowledgements_acknowledged_by_users",
            ondelete="RESTRICT",
        ),
    )
    op.create_index(
        "ix_alert_acknowledgements_session_id", "alert_acknowledgements", ["session_id"]
    )

    # Pin existing courses to the text shipped now under their id and version.
    conn = op.get_bind()
    shipped = shipped_protocols()
    used = {
        (pid, ver)
        for pid, ver in conn.execute(
            sa.text("SELECT DISTINCT protocol_id, protocol_version FROM courses")
        )
    }
    now = conn.execute(sa.text("SELECT CURRENT_TIMESTAMP")).scalar_one()
    for pid, ver, digest, text, name in shipped:
        if (pid, ver) not in used:
            continue
        conn.execute(
            sa.text(
                "INSERT INTO protocol_versions (protocol_id, version, sha256, source_text, "
                "source_name, stored_at) VALUES (:pid, :ver, :sha, :text, :name, :at)"
            ),
            {"pid": pid, "ver": ver, "sha": digest, "text": text, "name": name, "at": now},
        )
        conn.execute(
            sa.text(
                "UPDATE courses SET protocol_hash = :sha "
                "WHERE protocol_id = :pid AND protocol_version = :ver"
            ),
            {"sha": digest, "pid": pid, "ver": ver},
        )


def downgrade() -> None:
    op.drop_index("ix_alert_acknowledgements_session_id", table_name="alert_acknowledgements")
    op.drop_table("alert_acknowledgements")
    for table, column in (
        ("doses", "warnings"),
        ("instrument_results", "scoring_rule"),
        ("dosing_sessions", "same_day_confirmed_by"),
        ("dosing_sessions", "same_day_reason"),
        ("hold_overrides", "item_id"),
        ("hold_overrides", "kind"),
        ("courses", "protocol_hash"),
    ):
        # SQLite 3.35+ drops a plain column in place.
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_protocol_versions_sha256", table_name="protocol_versions")
    op.drop_index("ix_protocol_versions_protocol_id_version", table_name="protocol_versions")
    op.drop_table("protocol_versions")
