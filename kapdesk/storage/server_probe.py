"""A test connection to a clinic's server (the first-run dialog's "Test connection").

:func:`probe_server` connects once, looks at the database as opening it would (nothing is
created, upgraded or written) and says what it found: the kapdesk schema's revision and
whether the connection is encrypted and how. Every refusal is one of kapdesk's storage
errors with a message naming what to fix: the host (unreachable), the user or password,
the CA file (``sslrootcert``) or the certificate's host name, or the database (not a
kapdesk database; empty: ``kapdesk server init`` has not been run on it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kapdesk.storage.errors import DatabaseMissing, StorageError
from kapdesk.storage.server_errors import server_refusal
from kapdesk.storage.server_url import ServerURL


class ServerNotSetUp(StorageError):
    """The server's database is empty: ``kapdesk server init`` has not been run on it."""

    def __init__(self, server: ServerURL) -> None:
        self.server = server
        super().__init__(
            f"The database {server.database!r} on {server.host}:{server.port} is empty: "
            "kapdesk's tables are not set up there yet. The clinic's IT sets it up once with "
            "`kapdesk server init --url OWNER_URL` (see the README's Clinic server section); "
            "then try again."
        )


@dataclass(frozen=True)
class ServerProbe:
    """What a test connection found."""

    revision: str
    tls: bool
    tls_version: str
    verified: bool  # sslmode=verify-full: the server's certificate and host name checked

    def summary(self, server: ServerURL) -> str:
        if not self.tls:
            how = "NOT encrypted (no TLS)"
        elif self.verified:
            how = f"encrypted ({self.tls_version}), server certificate and host name verified"
        else:
            how = f"encrypted ({self.tls_version}), server identity NOT verified"
        who = server.username or "(default user)"
        return (
            f"Connected to kapdesk's database {server.database!r} on {server.host}:"
            f"{server.port} as {who}: {how}."
        )


def probe_server(server: ServerURL) -> ServerProbe:
    """Connect to ``server`` once and check its database; a kapdesk error if unusable."""
    from kapdesk.storage.migrate import current_revision
    from kapdesk.storage.server_open import open_server

    try:
        engine = open_server(server, create=False, migrate=False)
    except DatabaseMissing:
        raise ServerNotSetUp(server) from None
    try:
        with engine.connect() as conn:
            revision = current_revision(conn)
            row = conn.execute(
                text("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            ).one()
    except DBAPIError as exc:
        refusal = server_refusal(server, exc, reading=True)
        if refusal is not None:
            raise refusal from exc
        raise
    finally:
        engine.dispose()
    tls = bool(row.ssl)
    return ServerProbe(
        revision=str(revision),
        tls=tls,
        tls_version=str(row.version or ""),
        verified=tls and server.query.get("sslmode") == "verify-full",
    )
