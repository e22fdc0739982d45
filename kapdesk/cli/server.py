"""``kapdesk server init``: set up a clinic's PostgreSQL database (kapdesk.services.server_setup).

Run as the database's owner (``--url OWNER_URL``), or as the server's administrator with
``--owner NAME`` (``--url ADMIN_URL``): then the owner role is created (or an existing one
reused) and given the database first, and the rest runs connected as that owner.

The URL may carry its password; without one, libpq's own PGPASSWORD and ~/.pgpass are
used, and on a terminal the password is asked for (no echo). New roles' passwords never
appear on the command line: they come from the environment variables named by
``--app-password-env`` and ``--owner-password-env``, else a no-echo prompt (twice).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from kapdesk.cli.parser import EXIT_OK, EXIT_USAGE, CliError
from kapdesk.i18n import _

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL
    from kapdesk.services.server_setup import InitResult

MIN_PASSWORD = 12


def add_server_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    server = sub.add_parser("server", help=_("set up a clinic's PostgreSQL server"))
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = server_sub.add_parser(
        "init",
        help=_(
            "create kapdesk's schema, owned by the database's owner, on a new, empty database "
            "and the application role the workstations sign in with (run it as that owner, or as "
            "the server's administrator with --owner NAME to create the owner role first)"
        ),
        description=_(
            "Run as the database's owner: --url OWNER_URL. Or in one step as the "
            "server's administrator (a superuser, or the database's owner with CREATEROLE and "
            "CREATEDB): --url ADMIN_URL --owner NAME creates the owner role NAME (LOGIN "
            "CREATEROLE, no superuser, no CREATEDB; an existing fit one is reused), makes it the "
            "database's owner, then sets the database up connected as NAME, so that the schema "
            "is its own. Run again, it changes nothing."
        ),
    )
    init.add_argument(
        "--url",
        required=True,
        metavar="OWNER_URL",
        help=_(
            "the database owner's URL, postgresql://OWNER[:PASSWORD]@HOST[:PORT]/DATABASE"
            "[?sslmode=verify-full&sslrootcert=CA.pem] (the password: else PGPASSWORD, "
            "~/.pgpass or asked for); with --owner, the administrator's URL (ADMIN_URL) of that "
            "database"
        ),
    )
    init.add_argument(
        "--owner",
        metavar="NAME",
        help=_(
            "connected as the server's administrator: create the clinic's owner role NAME "
            "(or reuse it), give it the database and set the database up as NAME"
        ),
    )
    init.add_argument(
        "--owner-password-env",
        metavar="VAR",
        help=_(
            "with --owner: the owner role's password from this environment variable "
            "(default: asked for, twice when the role is new, without echo)"
        ),
    )
    init.add_argument(
        "--app-role",
        metavar="NAME",
        help=_("the application role to create (default: DATABASE_app)"),
    )
    init.add_argument(
        "--app-password-env",
        metavar="VAR",
        help=_(
            "take the application role's password from this environment variable "
            "(default: asked for, twice, without echo)"
        ),
    )


def cmd_server(args: argparse.Namespace) -> int:
    from kapdesk.services.server_setup import (
        ServerInitRefused,
        app_role_name,
        owner_role_name,
        set_up_server,
    )

    server = _owner_url(args.url)
    try:
        role = app_role_name(server, args.app_role)
        owner = None if args.owner is None else owner_role_name(args.owner)
    except ServerInitRefused as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if owner == role:
        raise CliError(
            _(
                "--owner and --app-role are both {role}: the owner and the application role "
                "are two roles; name another.",
                role=role,
            ),
            EXIT_USAGE,
        )
    if owner is None and args.owner_password_env is not None:
        raise CliError(_("--owner-password-env goes with --owner NAME."), EXIT_USAGE)
    password = _password_source(args.app_password_env, role)
    if owner is not None:
        result = _set_up_as_administrator(server, owner, role, args.owner_password_env, password)
    else:
        try:
            result = set_up_server(server, role, password)
        except ServerInitRefused as exc:
            server = _retry_with_password(server, exc)
            result = set_up_server(server, role, password)
    for line in describe(result):
        print(line)
    return EXIT_OK


def _set_up_as_administrator(
    admin: ServerURL,
    owner: str,
    role: str,
    owner_env: str | None,
    password: Callable[[], str],
) -> InitResult:
    """``--owner``: a server's password asked for (the administrator's, or an existing
    owner's) when it wanted one, none was given and there is a terminal; then again."""
    from kapdesk.services.server_setup import ServerInitRefused, set_up_server_as_administrator

    owner_password = _OwnerPassword(owner_env, owner, admin.host or "")
    while True:
        try:
            return set_up_server_as_administrator(admin, owner, role, owner_password, password)
        except ServerInitRefused as exc:
            if exc.password_wanted_for == owner and owner_password.can_ask():
                owner_password.ask_existing()
            else:
                admin = _retry_with_password(admin, exc)  # raises exc when it cannot


class _OwnerPassword:
    """The owner role's password: a new role's (``new``: from the variable, or asked twice),
    or an existing role's to connect with (from the variable, asked when the server wants
    one, else None: libpq's PGPASSWORD or ~/.pgpass)."""

    def __init__(self, env_name: str | None, owner: str, host: str) -> None:
        self.env_name, self.owner, self.host = env_name, owner, host
        self.value: str | None = None
        self.asked = False
        if env_name is not None:
            self.value = os.environ.get(env_name)
            if not self.value:
                raise CliError(
                    _(
                        "--owner-password-env {name}: that environment variable is {state}; "
                        "set it to {owner}'s password.",
                        name=env_name,
                        state=_("empty") if self.value == "" else _("not set"),
                        owner=owner,
                    ),
                    EXIT_USAGE,
                )

    def __call__(self, new: bool) -> str | None:
        if not new:
            return self.value
        if self.env_name is not None:
            assert self.value is not None
            return _checked(self.value, f"--owner-password-env {self.env_name}", OWNER)
        if not sys.stdin.isatty():
            raise CliError(
                _(
                    "No terminal to ask for the new owner role {owner}'s password; use "
                    "--owner-password-env VAR.",
                    owner=self.owner,
                ),
                EXIT_USAGE,
            )
        first = getpass.getpass(_("New password for the owner role {owner}: ", owner=self.owner))
        if getpass.getpass(_("Repeat it: ")) != first:
            raise CliError(_("The two passwords differ; nothing was changed."))
        return _checked(first, _("the password"), OWNER)

    def can_ask(self) -> bool:
        return self.value is None and not self.asked and sys.stdin.isatty()

    def ask_existing(self) -> None:
        self.asked = True
        self.value = getpass.getpass(
            _("Password for the owner role {owner} on {host}: ", owner=self.owner, host=self.host)
        )


def _owner_url(text: str) -> ServerURL:
    from kapdesk.composition import is_server_url, parse_server_url

    if not is_server_url(text):
        from kapdesk.services.clinic_move import shown_url

        raise CliError(
            _(
                "--url {url!r}: server init sets up a PostgreSQL server; give its owner's URL, "
                "postgresql://OWNER@HOST[:PORT]/DATABASE. A kapdesk file needs no set-up "
                "(kapdesk --db FILE creates it).",
                url=shown_url(text),
            ),
            EXIT_USAGE,
        )
    return parse_server_url(text)


def _password_source(env_name: str | None, role: str) -> Callable[[], str]:
    """How the new role's password is had: checked now when it comes from the
    environment, asked for only when the role is really created."""
    if env_name is not None:
        value = os.environ.get(env_name)
        if not value:
            raise CliError(
                _(
                    "--app-password-env {name}: that environment variable is {state}; set it "
                    "to {role}'s new password.",
                    name=env_name,
                    state=_("empty") if value == "" else _("not set"),
                    role=role,
                ),
                EXIT_USAGE,
            )
        checked = _checked(value, f"--app-password-env {env_name}")
        return lambda: checked

    def ask() -> str:
        if not sys.stdin.isatty():
            raise CliError(
                _(
                    "No terminal to ask for {role}'s new password; use --app-password-env VAR.",
                    role=role,
                ),
                EXIT_USAGE,
            )
        first = getpass.getpass(_("New password for the application role {role}: ", role=role))
        if getpass.getpass(_("Repeat it: ")) != first:
            raise CliError(_("The two passwords differ; nothing was changed."))
        return _checked(first, _("the password"))

    return ask


OWNER = "owner role"


def _checked(password: str, source: str, kind: str = "application role") -> str:
    if len(password) < MIN_PASSWORD:
        if kind == OWNER:
            message = _(
                "{source}: the owner role's password has {n} characters; give at least {least} "
                "(it owns every clinical table). Nothing was changed.",
                source=source,
                n=len(password),
                least=MIN_PASSWORD,
            )
        else:
            message = _(
                "{source}: the application role's password has {n} characters; give at least "
                "{least} (every workstation stores it, nobody types it daily).",
                source=source,
                n=len(password),
                least=MIN_PASSWORD,
            )
        raise CliError(message, EXIT_USAGE)
    return password


def _retry_with_password(server: ServerURL, exc: Exception) -> ServerURL:
    """The owner's URL with a password asked for, when the server wanted one and none was
    given and there is a terminal to ask on; else ``exc`` is raised again."""
    from kapdesk.composition import ServerURL

    wanted = getattr(exc, "password_wanted_for", None)  # a ServerInitRefused's
    if wanted is None or server.url.password or not sys.stdin.isatty():
        raise exc
    password = getpass.getpass(
        _("Password for {user} on {host}: ", user=server.username, host=server.host)
    )
    return ServerURL(server.url.set(password=password))


def describe(result: InitResult) -> list[str]:
    """What to print: what was done (or that nothing was), and the workstations' URL."""
    where = _(
        "{database} on {host}:{port}",
        database=result.server.database,
        host=result.server.host,
        port=result.server.port,
    )
    role = result.app_role
    if not result.changed:
        head = _(
            "{where} is already set up for kapdesk (schema revision {revision}) and "
            "{role} already has exactly its privileges: nothing was changed.",
            where=where,
            revision=result.revision,
            role=role,
        )
    else:
        head = _("{where}: {done}.", where=where, done="; ".join(_done(result)))
    app = _(
        "{role} may read and write the clinical tables, only add to and read the audit log "
        "(no UPDATE, DELETE or TRUNCATE) and change no table (no CREATE).",
        role=role,
    )
    workstations = [
        _("Workstations connect with (*** is the application role's password):"),
        f"  {result.app_url()}",
    ]
    if result.owner_step is None:
        owner = [
            _(
                "{owner} owns kapdesk's schema and its tables: its URL (the one given to "
                "--url) is for kapdesk migrate, backup and demo --years, never for a "
                "workstation.",
                owner=result.server.username,
            )
        ]
    else:
        owner = [
            _(
                "{owner} owns the database, kapdesk's schema and its tables: its URL is for "
                "kapdesk migrate, backup and demo --years, never for a workstation (*** is "
                "its password):",
                owner=result.server.username,
            ),
            f"  {result.owner_url()}",
        ]
    return [head, app, *owner, *workstations]


def _done(result: InitResult) -> list[str]:
    """What server init changed, in the order it did it."""
    role = result.app_role
    done = []
    if result.previous_revision is None:
        done.append(_("created kapdesk's schema (revision {revision})", revision=result.revision))
    elif result.migrated:
        done.append(
            _(
                "upgraded the schema from revision {before} to {revision}",
                before=result.previous_revision,
                revision=result.revision,
            )
        )
    step = result.owner_step
    if step is not None and step.created:
        done.append(_("created the owner role {owner} (LOGIN CREATEROLE)", owner=step.owner))
    if step is not None and step.took_database:
        done.append(
            _(
                "made {owner} the owner of the database {database!r} (before: {before})",
                owner=step.owner,
                database=result.server.database,
                before=step.previous_owner,
            )
        )
    if result.plan.created:
        done.append(_("created the application role {role}", role=role))
    if result.plan.revoked:
        revoked = ", ".join(result.plan.revoked)
        done.append(_("revoked from {role}: {privileges}", role=role, privileges=revoked))
    if not result.plan.created and result.plan.granted:
        granted = ", ".join(result.plan.granted)
        done.append(_("granted {role}: {privileges}", role=role, privileges=granted))
    return done
