"""``kapdesk server init``: set up a clinic's PostgreSQL database (kapdesk.services.server_setup).

The owner's URL may carry its password; without one, libpq's own PGPASSWORD and
~/.pgpass are used, and on a terminal the password is asked for (no echo). The
application role's password never appears on the command line: it comes from the
environment variable named by ``--app-password-env``, else a no-echo prompt (twice).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from kapdesk.cli.parser import EXIT_OK, EXIT_USAGE, CliError

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL
    from kapdesk.services.server_setup import InitResult

MIN_PASSWORD = 12


def add_server_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    server = sub.add_parser("server", help="set up a clinic's PostgreSQL server")
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = server_sub.add_parser(
        "init",
        help="create kapdesk's schema, owned by the database's owner, on a new, empty database "
        "and the application role the workstations sign in with (run it as that owner)",
    )
    init.add_argument(
        "--url",
        required=True,
        metavar="OWNER_URL",
        help="the database owner's URL, postgresql://OWNER[:PASSWORD]@HOST[:PORT]/DATABASE"
        "[?sslmode=verify-full&sslrootcert=CA.pem] (the password: else PGPASSWORD, "
        "~/.pgpass or asked for)",
    )
    init.add_argument(
        "--app-role",
        metavar="NAME",
        help="the application role to create (default: DATABASE_app)",
    )
    init.add_argument(
        "--app-password-env",
        metavar="VAR",
        help="take the application role's password from this environment variable "
        "(default: asked for, twice, without echo)",
    )


def cmd_server(args: argparse.Namespace) -> int:
    from kapdesk.services.server_setup import ServerInitRefused, app_role_name, set_up_server

    server = _owner_url(args.url)
    try:
        role = app_role_name(server, args.app_role)
    except ServerInitRefused as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    password = _password_source(args.app_password_env, role)
    try:
        result = set_up_server(server, role, password)
    except ServerInitRefused as exc:
        server = _retry_with_password(server, exc)
        result = set_up_server(server, role, password)
    for line in describe(result):
        print(line)
    return EXIT_OK


def _owner_url(text: str) -> ServerURL:
    from kapdesk.composition import is_server_url, parse_server_url

    if not is_server_url(text):
        from kapdesk.services.clinic_move import shown_url

        raise CliError(
            f"--url {shown_url(text)!r}: server init sets up a PostgreSQL server; give its "
            "owner's URL, postgresql://OWNER@HOST[:PORT]/DATABASE. A kapdesk file needs no set-up "
            "(kapdesk --db FILE creates it).",
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
                f"--app-password-env {env_name}: that environment variable is "
                f"{'empty' if value == '' else 'not set'}; set it to {role}'s new password.",
                EXIT_USAGE,
            )
        checked = _checked(value, f"--app-password-env {env_name}")
        return lambda: checked

    def ask() -> str:
        if not sys.stdin.isatty():
            raise CliError(
                f"No terminal to ask for {role}'s new password; use --app-password-env VAR.",
                EXIT_USAGE,
            )
        first = getpass.getpass(f"New password for the application role {role}: ")
        if getpass.getpass("Repeat it: ") != first:
            raise CliError("The two passwords differ; nothing was changed.")
        return _checked(first, "the password")

    return ask


def _checked(password: str, source: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CliError(
            f"{source}: the application role's password has {len(password)} characters; "
            f"give at least {MIN_PASSWORD} (every workstation stores it, nobody types it daily).",
            EXIT_USAGE,
        )
    return password


def _retry_with_password(server: ServerURL, exc: Exception) -> ServerURL:
    """The owner's URL with a password asked for, when the server wanted one and none was
    given and there is a terminal to ask on; else ``exc`` is raised again."""
    from kapdesk.composition import ServerURL

    if "wants a password" not in str(exc) or server.url.password or not sys.stdin.isatty():
        raise exc
    password = getpass.getpass(f"Password for {server.username} on {server.host}: ")
    return ServerURL(server.url.set(password=password))


def describe(result: InitResult) -> list[str]:
    """What to print: what was done (or that nothing was), and the workstations' URL."""
    where = f"{result.server.database} on {result.server.host}:{result.server.port}"
    role = result.app_role
    if not result.changed:
        head = (
            f"{where} is already set up for kapdesk (schema revision {result.revision}) and "
            f"{role} already has exactly its privileges: nothing was changed."
        )
    else:
        done = []
        if result.previous_revision is None:
            done.append(f"created kapdesk's schema (revision {result.revision})")
        elif result.migrated:
            done.append(
                f"upgraded the schema from revision {result.previous_revision} to {result.revision}"
            )
        if result.plan.created:
            done.append(f"created the application role {role}")
        if result.plan.revoked:
            done.append(f"revoked from {role}: {', '.join(result.plan.revoked)}")
        if not result.plan.created and result.plan.granted:
            done.append(f"granted {role}: {', '.join(result.plan.granted)}")
        head = f"{where}: {'; '.join(done)}."
    return [
        head,
        f"{role} may read and write the clinical tables, only add to and read the audit log "
        "(no UPDATE, DELETE or TRUNCATE) and change no table (no CREATE).",
        f"{result.server.username} owns kapdesk's schema and its tables: its URL (the one given "
        "to --url) is for kapdesk migrate, backup and demo --years, never for a workstation.",
        "Workstations connect with (*** is the application role's password):",
        f"  {result.app_url()}",
    ]
