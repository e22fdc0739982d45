"""The composition root: the one place that opens a clinic's database and builds the
``ServiceContext`` every use case runs on. The command line, the desktop app
(``kapdesk.ui.app_context.AppContext`` wraps what this returns) and the tests call
:func:`build_context`; nothing else opens a ``Database`` for the services.

What a context holds:

* the database (``Database.open``: created and migrated as needed, see
  :mod:`kapdesk.storage.db` for what it refuses);
* the clock (the system clock unless a test or the demo passes another);
* the protocol presets shipped with kapdesk (read on first use);
* the clinic settings, which live in the database and are read by the services
  when a use case needs them (``kapdesk.services.settings``).

Services are built per use case from the context (``PatientService(ctx)``): they
are cheap, hold no state of their own, and importing them all here would load the
ORM before the login window is painted.

Front ends reach storage only through here and the services (an import contract):
what opening a file needs before there is a context (its passphrase, a raw storage
failure named plainly) is re-exported below, and :func:`clinic_name` is the one read
the sign-in window makes before the ORM is loaded.

No Qt here, and no module-level state: tests build as many contexts as they like.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.services.context import BuiltinProtocols, ServiceContext
from kapdesk.storage.db import Database
from kapdesk.storage.encryption import (
    NotEncrypted,
    WrongPassphrase,
    check_passphrase,
    has_sqlite_header,
    key_from_environment,
    looks_encrypted,
    obtain_key,
    require_sqlcipher,
)
from kapdesk.storage.errors import ServerUnreachable, storage_failure_in
from kapdesk.storage.server_url import BadServerURL, ServerURL, is_server_url, parse_server_url

__all__ = [
    "BadServerURL",
    "NotEncrypted",
    "ServerURL",
    "ServerUnreachable",
    "WrongPassphrase",
    "build_context",
    "check_passphrase",
    "clinic_name",
    "has_sqlite_header",
    "is_server_url",
    "key_from_environment",
    "looks_encrypted",
    "obtain_key",
    "parse_server_url",
    "require_sqlcipher",
    "storage_failure_in",
]

if TYPE_CHECKING:
    from kapdesk.domain.protocol import Protocol


def build_context(
    path: Path | ServerURL,
    *,
    clock: Clock | None = None,
    key: str | None = None,
    create: bool = True,
    migrate: bool = True,
    protocols: Mapping[str, Protocol] | None = None,
) -> ServiceContext:
    """Open the clinic database at ``path`` (a file, or a clinic server's
    :class:`ServerURL`) and the context the services run on.

    ``key`` is the SQLCipher passphrase of an encrypted file; ``create=False``
    refuses a missing file (``DatabaseMissing``) instead of creating an empty
    clinic; ``migrate=False`` opens the file at the revision it has.
    ``protocols`` replaces the shipped presets (tests). Storage errors propagate;
    the caller closes the database (``ctx.db.close()``).
    """
    clock = clock or SystemClock()
    where = path if isinstance(path, ServerURL) else Path(path)  # a file or a clinic server
    db = Database.open(where, create=create, migrate=migrate, clock=clock, key=key)
    return ServiceContext(
        db=db, clock=clock, protocols=BuiltinProtocols() if protocols is None else protocols
    )


def clinic_name(ctx: ServiceContext) -> str:
    """The clinic's name (a setting), read through Core: the sign-in window shows it."""
    from kapdesk.storage.settings_store import read_setting

    with ctx.db.connect_read() as conn:
        return str(read_setting(conn, "clinic_name"))
