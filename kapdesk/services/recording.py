"""The one way services write the audit trail, inside the change's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kapdesk.services.context import Actor, ServiceContext
from kapdesk.storage import audit


def audit_change(
    s: Session,
    ctx: ServiceContext,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry; flushes first so new rows have their ids."""
    s.flush()
    audit.append(
        s,
        at=ctx.now(),
        user_id=actor.user_id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def snapshot(obj: object) -> dict[str, Any]:
    """JSON-able column values of an ORM row, for before/after."""
    return audit.row_snapshot(obj)
