"""The language each member of staff works in: ``users.language``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

A language tag kapdesk speaks ('en', 'pt-PT'), chosen by the user themself or by an
administrator (``UserService.set_language``); NULL, every existing account's value, means
"the computer's language" (kapdesk.i18n.choose). The GUI speaks it from the next sign-in.

Added in place (``ALTER TABLE ... ADD COLUMN``), so no table is copied. The users rows'
audit entries written before this revision hold no ``language``: the audit replay compares
only the columns an entry records.
Frozen like 0001: types spelled out here.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN language TEXT")


def downgrade() -> None:
    # SQLite 3.35+ drops a plain column in place.
    op.execute("ALTER TABLE users DROP COLUMN language")
