"""Signatures and addenda: two new append-only tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-09

Only adds tables, indexes and triggers: no existing row is touched. The users
table already has what the lockout needs (failed_logins, locked_until,
must_change_password). Frozen like 0001: types spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("signatures", "addenda")


def _ts(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sa.String(200), nullable=False),
        sa.Column("signer_role", sa.String(32), nullable=False),
        _ts("signed_at"),
        sa.Column("meaning", sa.String(200), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("hash_scheme", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signatures"),
        sa.CheckConstraint(
            "entity IN ('dosing_session', 'note', 'addendum')", name="ck_signatures_entity"
        ),
        _user_fk("signatures", "signer_id"),
    )
    op.create_index(
        "ix_signatures_entity_entity_id", "signatures", ["entity", "entity_id"], unique=True
    )
    op.create_index("ix_signatures_signer_id", "signatures", ["signer_id"])

    op.create_table(
        "addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("author_role", sa.String(32), nullable=False),
        _ts("created_at"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("corrected", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_addenda"),
        sa.CheckConstraint("entity IN ('dosing_session', 'note')", name="ck_addenda_entity"),
        _user_fk("addenda", "author_id"),
    )
    op.create_index("ix_addenda_entity_entity_id", "addenda", ["entity", "entity_id"])
    op.create_index("ix_addenda_author_id", "addenda", ["author_id"])

    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif op.get_bind().dialect.name == "postgresql":
        # The trigger function kapdesk_append_only() comes from revision 0001.
        for table in APPEND_ONLY_TABLES:
            for event, each in (("UPDATE", "ROW"), ("DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"FOR EACH {each} EXECUTE FUNCTION kapdesk_append_only()"
                )


def downgrade() -> None:
    # Dropping a table drops its triggers.
    op.drop_table("addenda")
    op.drop_table("signatures")
