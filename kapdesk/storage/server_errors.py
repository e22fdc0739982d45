"""PostgreSQL driver errors as kapdesk's storage errors (what ``Database`` raises on a server).

The server commits a transaction whole or not at all, so every error below leaves
nothing half-written: the transaction is rolled back (or, for a connection lost during
COMMIT, either all of it or none of it is saved, and the message says it cannot tell).

* ``lock_not_available`` (the write lock still held after the busy timeout), a deadlock
  or a serialization failure -> :class:`~kapdesk.storage.errors.DatabaseBusy`;
* a refused or lost connection, the server shutting down or starting up ->
  :class:`~kapdesk.storage.errors.ServerUnreachable`;
* a refused sign-in (password, certificate) ->
  :class:`~kapdesk.storage.errors.ServerLoginRefused`;
* a failed TLS handshake (CA file, certificate host name, no TLS on the server) ->
  :class:`ServerTLSRefused` (a ``ServerUnreachable`` naming what to fix);
* the server's disk full -> ``StorageFailed("full")``, a read-only server (a standby)
  -> ``StorageFailed("read_only")``;
* a value the server refuses (SQLSTATE class 22, e.g. a NUL in text) ->
  :class:`ServerRefusedValue`.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError

from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import _
from kapdesk.storage.errors import (
    DatabaseBusy,
    ServerLoginRefused,
    ServerUnreachable,
    StorageError,
    StorageFailed,
)
from kapdesk.storage.server_url import ServerURL


class ServerRefusedValue(StorageError):
    """The server refused a value (a data exception: e.g. a NUL in text); nothing was saved."""

    def __init__(self, server: ServerURL, detail: str, *, reading: bool = False) -> None:
        self.server = server
        self.detail = detail
        if reading:
            said = _(
                "The clinic server {server} refused a value: {detail}; nothing was read.",
                server=server,
                detail=detail,
            )
        else:
            said = _(
                "The clinic server {server} refused a value: {detail}; nothing was saved.",
                server=server,
                detail=detail,
            )
        super().__init__(said)


class ServerTLSRefused(ServerUnreachable):
    """The TLS handshake failed: the CA file (``sslrootcert``) cannot be read or did not
    sign the server's certificate, the certificate names another host, or the server
    offers no TLS. Nothing is sent to the server; reconnecting cannot help until fixed."""

    def __init__(
        self, server: ServerURL, problem: str, detail: str, *, reading: bool, about_host: bool
    ) -> None:
        super().__init__(server, detail, reading=reading)
        self.problem = problem
        self.about_host = about_host  # the certificate names another host (not the CA file)
        self.what = _(
            "The clinic server {server} was not trusted: {problem}.", server=server, problem=problem
        )
        self.args = (_("{what} Nothing was sent to it.", what=self.what),)

    def in_a_command(self) -> str:
        return str(self)


def tls_problem(server: ServerURL, message: str) -> str | None:
    """What libpq's connection error ``message`` says about TLS, for a person, or None."""
    query = server.query
    ca = query.get("sslrootcert", "")
    mode = query.get("sslmode", "prefer")
    text = " ".join(message.split())
    if "could not read root certificate file" in text or (
        "root certificate file" in text and "does not exist" in text
    ):
        where = (
            _("the CA file {ca} given as sslrootcert", ca=repr(ca))
            if ca
            else _("no CA file (sslrootcert)")
        )
        return _(
            "{where} cannot be read (sslmode={mode} checks the server's certificate against "
            "it): give sslrootcert the path of the clinic's CA certificate",
            where=where,
            mode=mode,
        )
    if "certificate verify failed" in text:
        return _(
            "its certificate is not signed by the CA in sslrootcert ({ca}): ask the clinic's "
            "IT for the CA certificate that signed the server's",
            ca=ca or _("none given"),
        )
    if "does not match host name" in text:
        return _(
            "its certificate is not made out to the host name {host} (sslmode={mode} checks "
            "the name): connect with the host name the certificate names (ask the clinic's IT)",
            host=repr(server.host),
            mode=mode,
        )
    if "no pg_hba.conf entry" in text and "no encryption" in text:
        return _(
            "it accepts this workstation only over TLS, and sslmode={mode} sends none: use "
            "sslmode=verify-full with the clinic's CA file",
            mode=mode,
        )
    if "server does not support SSL" in text:
        return _(
            "it offers no TLS (SSL is off on the server), and sslmode={mode} requires it: ask "
            "the clinic's IT to turn it on",
            mode=mode,
        )
    return None


LOCK_NOT_AVAILABLE = "55P03"
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
READ_ONLY_TRANSACTION = "25006"
_BUSY = (LOCK_NOT_AVAILABLE, SERIALIZATION_FAILURE, DEADLOCK_DETECTED)
# Connection exceptions (class 08), operator intervention: shutdown, crash, starting up.
_GONE_PREFIXES = ("08", "57P01", "57P02", "57P03")
_LOGIN = ("28000", "28P01")
_FULL = ("53100",)
DATA_EXCEPTION_CLASS = "22"


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a psycopg error (or the SQLAlchemy error wrapping one)."""
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def connection_lost(exc: BaseException) -> bool:
    """The connection was refused or broke (server stopped, network cut, restarted)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    state = sqlstate(exc)
    if state is not None:
        return state.startswith(_GONE_PREFIXES)
    orig = getattr(exc, "orig", None) or exc
    # psycopg raises OperationalError without an SQLSTATE when it cannot connect at all
    # or the server closed the connection.
    return type(orig).__name__ == "OperationalError"


def _detail(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    return text[:200] or type(orig).__name__


def retry_before_write(exc: BaseException) -> bool:
    """Whether starting a write transaction may be retried after ``exc`` (nothing was
    written): a deadlock, a serialization failure, or a pooled connection found broken
    (the server restarted, a firewall dropped it). Not a lock held past the busy timeout
    (that wait was the bound), and not a failure to connect at all: the server is down or
    cut off, which the user is told at once."""
    if sqlstate(exc) in (SERIALIZATION_FAILURE, DEADLOCK_DETECTED):
        return True
    connecting = isinstance(exc, DBAPIError) and exc.statement is None
    return connection_lost(exc) and not connecting


def server_refusal(
    server: ServerURL, exc: BaseException, *, reading: bool = False, committing: bool = False
) -> KapdeskError | None:
    """The kapdesk error ``exc`` stands for on ``server``, or None (a bug: re-raise it)."""
    state = sqlstate(exc)
    if state in _BUSY:
        return DatabaseBusy(server)
    if state in _LOGIN:
        return ServerLoginRefused(server, _detail(exc))
    if state in _FULL:
        return StorageFailed(server, "full", _detail(exc), reading=reading)
    if state == READ_ONLY_TRANSACTION and not reading:
        return StorageFailed(server, "read_only", _detail(exc))
    # psycopg refuses a NUL in text itself (a DataError without SQLSTATE), the server others.
    if isinstance(exc, DataError) or (state or "").startswith(DATA_EXCEPTION_CLASS):
        return ServerRefusedValue(server, _detail(exc), reading=reading)
    if connection_lost(exc):
        if state is None and "password authentication failed" in str(exc):
            return ServerLoginRefused(server, _detail(exc))
        if state is None and "no password supplied" in str(exc):  # libpq's fe_sendauth
            return ServerLoginRefused(
                server,
                "no password was given: put it in the URL, in the PGPASSWORD environment "
                "variable or in the user's pgpass file",
            )
        problem = tls_problem(server, str(exc)) if state is None else None
        if problem is not None:
            about_host = "does not match host name" in " ".join(str(exc).split())
            return ServerTLSRefused(
                server, problem, _detail(exc), reading=reading, about_host=about_host
            )
        return ServerUnreachable(
            server, _detail(exc), reading=reading, unknown_outcome=committing and not reading
        )
    return None
