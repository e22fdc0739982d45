"""Audit entries for the command line, where nobody is signed in.

A console command is done by whoever can read or write the database file at the
computer: its entries have no ``user_id`` (``audit_change``'s actor is None) and name
the operating-system user in ``after["actor"]`` as ``console:<login>`` (e.g.
``console:alice``; ``console:unknown`` when the login cannot be read). The audit
viewer shows that name in the user column. Entries about the whole file use the
entity ``database``; they never hold patient names or MRNs.
"""

from __future__ import annotations

import getpass
from typing import Any

from kapdesk.services.context import ServiceContext
from kapdesk.services.recording import audit_change

CONSOLE_PREFIX = "console:"


def os_login() -> str:
    """The operating-system user running this process, or '' when it cannot be read."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def console_actor(os_user: str | None = None) -> str:
    """'console:alice' for the login ``os_user`` (default: this process's)."""
    login = os_login() if os_user is None else os_user
    return CONSOLE_PREFIX + (login or "unknown")


def audit_console(
    ctx: ServiceContext,
    action: str,
    *,
    entity: str = "database",
    entity_id: int | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one console entry (its own transaction), with the OS user as the actor."""
    with ctx.db.write() as s:
        audit_change(
            s,
            ctx,
            None,
            action,
            entity,
            entity_id,
            after={"actor": console_actor(), **(after or {})},
        )
