"""The address of a clinic's PostgreSQL server, as kapdesk accepts it.

``--db``/``KAPDESK_DB`` take either a file path (SQLite) or a server URL::

    postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=/etc/ca.pem

* :func:`is_server_url` tells a URL from a path (``postgresql://``, ``postgres://`` or
  ``postgresql+psycopg://``, any case);
* :func:`parse_server_url` checks it and returns a :class:`ServerURL`, or raises
  :class:`BadServerURL` naming the value (password hidden) and what is allowed;
* :meth:`ServerURL.redacted` is the text to show or log: the password is never in it;
  :func:`hide_secrets` does the same for a raw value that may not even parse.

The values of ``password``, ``sslpassword`` and ``passfile`` query parameters are hidden
wherever a URL is shown, whether kapdesk accepts the parameter or not.

The driver is always psycopg 3 (SQLAlchemy's ``postgresql+psycopg``). The TLS query
parameters ``sslmode`` (disable, allow, prefer, require, verify-ca, verify-full),
``sslrootcert``, ``sslcert``, ``sslkey``, ``sslcrl`` and ``sslpassword``, plus
``connect_timeout``, ``application_name``, ``options`` and ``target_session_attrs``,
are passed through to libpq unchanged; any other parameter is refused (a typo in
``sslmode`` must not silently connect without TLS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from kapdesk.domain.errors import KapdeskError

DRIVER: Final = "postgresql+psycopg"
SCHEMES: Final = ("postgresql", "postgres", "postgresql+psycopg")
SSL_MODES: Final = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
TLS_PARAMETERS: Final = ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword")
OTHER_PARAMETERS: Final = (
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
)
ALLOWED_PARAMETERS: Final = TLS_PARAMETERS + OTHER_PARAMETERS
_SECRET_PARAMETERS: Final = ("password", "sslpassword", "passfile")
_HIDDEN: Final = "***"
_SECRET_QUERY: Final = re.compile(
    r"([?&](?:" + "|".join(_SECRET_PARAMETERS) + r")=)[^&#]*", re.IGNORECASE
)


class BadServerURL(KapdeskError):
    """A ``--db``/``KAPDESK_DB`` value that looks like a server URL but is not a usable one."""

    def __init__(self, shown: str, reason: str) -> None:
        self.shown = shown  # the value with any password hidden
        self.reason = reason
        super().__init__(
            f"The database URL {shown!r} cannot be used: {reason}. Allowed: "
            "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE with optional parameters "
            f"{', '.join(ALLOWED_PARAMETERS)} (sslmode one of {', '.join(SSL_MODES)}), "
            "or the path of a kapdesk file."
        )


def is_server_url(text: str) -> bool:
    """Whether ``text`` names a PostgreSQL server (rather than a file path)."""
    scheme, sep, _ = text.strip().partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def hide_secrets(text: str) -> str:
    """``text`` (a URL as typed, parseable or not) fit for a message or a log.

    The password of ``scheme://user:password@...`` becomes ***, up to the *last* ``@``
    (a raw ``@`` inside a password must not let its tail show as the host), and so do the
    values of the ``password``, ``sslpassword`` and ``passfile`` parameters.
    """
    text = _SECRET_QUERY.sub(rf"\g<1>{_HIDDEN}", text)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    userinfo, at, host = rest.rpartition("@")
    if not at:
        # No host part: a "user:password" alone must not show either.
        user, colon, _ = rest.partition(":")
        return f"{scheme}{sep}{user}:{_HIDDEN}" if colon and "/" not in user else text
    if ":" not in userinfo:
        return text
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:{_HIDDEN}@{host}"


@dataclass(frozen=True)
class ServerURL:
    """A checked PostgreSQL server address (always the psycopg 3 driver).

    ``url`` is the SQLAlchemy URL to connect with; it holds the password, so show
    :meth:`redacted` instead of ``str(url)``.
    """

    url: URL

    @property
    def database(self) -> str:
        return self.url.database or ""

    @property
    def host(self) -> str:
        return self.url.host or "localhost"

    @property
    def port(self) -> int:
        return self.url.port or 5432

    @property
    def username(self) -> str | None:
        return self.url.username

    @property
    def query(self) -> dict[str, str]:
        """The libpq parameters (sslmode, sslrootcert, ...) given in the URL."""
        return {k: str(v) for k, v in self.url.query.items()}

    def redacted(self) -> str:
        """The URL fit for a screen or a log: no password (nor a client key's passphrase)."""
        url = self.url.set(drivername="postgresql")
        hidden = {k: _HIDDEN for k in url.query if k.lower() in _SECRET_PARAMETERS}
        if hidden:
            url = url.update_query_dict(hidden)
        if url.host and "@" in url.host:
            # A raw "@" in the password: what SQLAlchemy took for the host holds its tail.
            url = url.set(host=url.host.rpartition("@")[2])
        return hide_secrets(url.render_as_string(hide_password=True))

    def with_database(self, name: str) -> ServerURL:
        """The same server and credentials, another database on it."""
        return ServerURL(self.url.set(database=name))

    def __str__(self) -> str:
        return self.redacted()

    def __repr__(self) -> str:
        return f"ServerURL({self.redacted()!r})"


def parse_server_url(text: str) -> ServerURL:
    """``text`` as a :class:`ServerURL`, or :class:`BadServerURL` saying what is wrong."""
    raw = text.strip()
    shown = hide_secrets(raw)
    if not is_server_url(raw):
        raise BadServerURL(shown, f"it must start with {' or '.join(s + '://' for s in SCHEMES)}")
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        # The parser's own message quotes the whole value, password included.
        raise BadServerURL(shown, "it is not a valid URL") from None
    shown = ServerURL(url).redacted()
    if url.host and "@" in url.host:
        raise BadServerURL(shown, "the password contains a raw '@': write each '@' in it as %40")
    if not url.database:
        raise BadServerURL(shown, "it names no database (add /DATABASE after the host)")
    for key, value in url.query.items():
        if key not in ALLOWED_PARAMETERS:
            hint = (
                " (put the password after the user: USER:PASSWORD@HOST)"
                if key.lower() == "password"
                else ""
            )
            raise BadServerURL(shown, f"the parameter {key!r} is not supported{hint}")
        if not isinstance(value, str):
            raise BadServerURL(shown, f"the parameter {key!r} is given more than once")
    mode = url.query.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise BadServerURL(shown, f"sslmode {mode!r} is not one of {', '.join(SSL_MODES)}")
    try:
        _ = url.port
    except ValueError:
        raise BadServerURL(shown, "the port is not a number") from None
    return ServerURL(url.set(drivername=DRIVER))
