"""Setting up a clinic's PostgreSQL server (``kapdesk server init``): the use case the
command line calls; the SQL is kapdesk.storage.server_roles.

:func:`set_up_server` creates kapdesk's schema on a new, empty database as its owner and
the application role the workstations sign in with (INSERT and SELECT only on the audit
log), or, on a database already set up, checks that role's privileges and changes
nothing. :func:`set_up_server_as_administrator` does the same from the server's
administrator, creating the clinic's owner role and handing it the database first. Their
refusals are :class:`ServerInitRefused` (a KapdeskError: one line).
"""

from __future__ import annotations

from collections.abc import Callable

from kapdesk.domain.clock import Clock
from kapdesk.storage.server_init import (
    InitResult,
    initialise_server,
    initialise_server_as_administrator,
)
from kapdesk.storage.server_roles import ServerInitRefused, check_role_name, default_app_role
from kapdesk.storage.server_url import ServerURL

__all__ = [
    "InitResult",
    "ServerInitRefused",
    "app_role_name",
    "owner_role_name",
    "set_up_server",
    "set_up_server_as_administrator",
]


def app_role_name(server: ServerURL, wanted: str | None) -> str:
    """The application role's name: ``wanted`` checked, else ``<database>_app``."""
    return check_role_name(wanted or default_app_role(server.database))


def owner_role_name(wanted: str) -> str:
    """``--owner``'s value, checked."""
    return check_role_name(wanted, "--owner")


def set_up_server(
    owner: ServerURL,
    app_role: str,
    password: Callable[[], str] | None,
    *,
    clock: Clock | None = None,
) -> InitResult:
    """Schema at head and the application role with exactly its privileges, as ``owner``.

    ``password`` is called (once, before anything changes) only when the role is created.
    """
    return initialise_server(owner, app_role, password, clock=clock)


def set_up_server_as_administrator(
    admin: ServerURL,
    owner: str,
    app_role: str,
    owner_password: Callable[[bool], str | None],
    password: Callable[[], str] | None,
    *,
    clock: Clock | None = None,
) -> InitResult:
    """As the server's administrator: the owner role ``owner`` created (or an existing fit
    one reused) and given the database, then :func:`set_up_server` connected as it.

    ``owner_password(True)`` is the new owner's password (asked only when it is created);
    ``owner_password(False)`` an existing owner's, to connect with (None: libpq's own)."""
    return initialise_server_as_administrator(
        admin, owner, app_role, owner_password, password, clock=clock
    )
