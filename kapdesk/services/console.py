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
from kapdesk.services.changes import is_trail_only
from kapdesk.services.context import ServiceContext
from kapdesk.storage.audit import AuditAppender
from kapdesk.storage.audit_with_row import insert_entry
from kapdesk.storage.db import Database
from kapdesk.storage.tables import audit_log
from kapdesk.storage.write_retry import core_write_retrying, write_retrying

if TYPE_CHECKING:
    from sqlalchemy import Connection

    # imported by encrypt_from_console: every other command does without it
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
    if is_trail_only(action):  # no screen shows it: nothing to announce, no ORM needed
        append_console_entry(ctx, action, entity, entity_id, details)
        return
    # Imported here: the entries above (a printed summary, an export) do without the ORM.
    from kapdesk.services.recording import AuditRecord, audit_change

    record = AuditRecord(action, entity, entity_id, after=details)
    write_retrying(ctx.db, lambda s: audit_change(s, ctx, None, record))  # deadlock: again


def append_console_entry(
    ctx: ServiceContext, action: str, entity: str, entity_id: int | None, after: dict[str, Any]
) -> None:
    """One entry with no user for ``action``, which changes nothing a screen shows
    (``changes.is_trail_only``: a print, an export, a list), in its own transaction,
    written through Core statements only: the entry ``audit_change`` writes for such an
    action, without the ORM."""
    if not is_trail_only(action):
        raise ValueError(f"{action!r} changes what screens show: audit it with audit_change")

    def body(conn: Connection) -> None:
        # audit.append's entry, on a Core connection: nothing to flush, and nothing marks
        # it for run_use_case or this process's change feed (they follow ORM sessions).
        entry = AuditAppender.at_head(conn).entry(
            at=ctx.now(), user_id=None, action=action, entity=entity,
            entity_id=entity_id, after=after,
        )  # fmt: skip
        insert_entry(conn, audit_log, entry)

    core_write_retrying(ctx.db, body)  # deadlock: again


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
