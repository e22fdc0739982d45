"""Audit entries for the command line, where nobody is signed in, and the use case only
the command line has (encrypting a database file).

A console command is done by whoever can read or write the database file at the
computer: its entries have no ``user_id`` (``audit_change``'s actor is None) and name
the operating-system user in ``after["actor"]`` as ``console:<login>`` (e.g.
``console:alice``; ``console:unknown`` when the login cannot be read). The audit
viewer shows that name in the user column. Entries about the whole file use the
entity ``database``; they never hold patient names or MRNs.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kapdesk.domain.clock import Clock
from kapdesk.services.context import ServiceContext
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.storage.db import Database
from kapdesk.storage.write_retry import write_retrying

if TYPE_CHECKING:  # imported by encrypt_from_console: every other command does without it
    from kapdesk.storage.encrypt_file import EncryptResult

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
    details = {"actor": console_actor(), **(after or {})}
    record = AuditRecord(action, entity, entity_id, after=details)
    write_retrying(ctx.db, lambda s: audit_change(s, ctx, None, record))  # deadlock: again


def encrypt_from_console(path: Path, key: str, *, clock: Clock) -> EncryptResult:
    """`kapdesk encrypt`: convert the plain database at ``path`` (no one may have it open)
    to SQLCipher with ``key`` (:func:`kapdesk.storage.encrypt_file.encrypt_database`),
    then audit it in the encrypted database, with the console user as the actor."""
    from kapdesk.storage.encrypt_file import encrypt_database

    result = encrypt_database(path, key, clock=clock)
    with Database.open(result.db_path, create=False, clock=clock, key=key) as db:
        after = {"plain_copy": str(result.plain_backup), "verified": result.report.ok}
        audit_console(ServiceContext(db=db, clock=clock), "database.encrypt_console", after=after)
    return result
