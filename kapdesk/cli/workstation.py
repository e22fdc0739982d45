"""This workstation's remembered store: the desktop app's database when no ``--db`` or
``KAPDESK_DB`` is given, and ``kapdesk workstation show|forget`` (kapdesk.workstation)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.parser import EXIT_OK, EXIT_USAGE, CliError
from kapdesk.i18n import _

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL


def add_workstation_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ws = sub.add_parser(
        "workstation",
        help=_(
            "show or forget where this workstation keeps the clinic's records (asked at "
            "the first start)"
        ),
    )
    ws_sub = ws.add_subparsers(dest="workstation_command", metavar="ACTION", required=True)
    ws_sub.add_parser("show", help=_("say what this workstation opens without --db/KAPDESK_DB"))
    ws_sub.add_parser(
        "forget",
        help=_(
            "forget the choice (and a kept server password): the next start asks again "
            "(an existing file in the default place is taken again, silently)"
        ),
    )


def gui_target(args: argparse.Namespace) -> Path | ServerURL | None:
    """The desktop app's database: ``--db`` > ``KAPDESK_DB`` > the remembered choice > an
    existing default file (remembered now) > None (the first-run dialog asks)."""
    from kapdesk.cli.options import db_target
    from kapdesk.composition import BadServerURL
    from kapdesk.paths import default_db_path
    from kapdesk.workstation import (
        SERVER,
        config_dir,
        pick_store,
        read_choice,
        remember_this_workstation,
        remembered_server,
    )

    demo = bool(getattr(args, "demo", False))
    cli_db = getattr(args, "db", None)
    remembered = None
    if not demo and not cli_db and not os.environ.get("KAPDESK_DB"):
        remembered = read_choice()  # a damaged file: refused, naming it
    default = default_db_path()
    pick = pick_store(
        cli_db,
        demo=demo,
        environ=os.environ,
        remembered=remembered,
        default_exists=remembered is None and default.is_file(),
    )
    if pick == "given":
        return db_target(args, must_exist=False)
    if pick == "ask":
        return None
    if pick == "adopt-default":  # an existing single-workstation clinic: never asked
        remember_this_workstation()
    if remembered is None or remembered.store != SERVER:
        return db_target(args, must_exist=False)
    try:
        server = remembered_server(remembered)
    except BadServerURL as exc:
        where = config_dir()
        raise CliError(
            _(
                "the remembered server in {folder} cannot be used: {error} Run `kapdesk "
                "workstation forget` to choose again.",
                folder=where,
                error=exc,
            ),
            EXIT_USAGE,
        ) from None
    if getattr(args, "encrypted", False):
        raise CliError(
            _(
                "--encrypted is for a database file; this workstation uses the clinic server "
                "{server}. Leave out --encrypted.",
                server=server.redacted(),
            ),
            EXIT_USAGE,
        )
    return server


def cmd_workstation(args: argparse.Namespace) -> int:
    from kapdesk.paths import ENV_VAR, default_db_path
    from kapdesk.workstation import PASSFILE, SERVER, config_dir, forget, read_choice

    folder = config_dir()
    if args.workstation_command == "forget":
        removed = forget(folder)
        if not removed:
            print(
                _(
                    "Nothing remembered in {folder}; the next start asks (or takes an "
                    "existing {path}).",
                    folder=folder,
                    path=default_db_path(),
                )
            )
        for path in removed:
            print(_("Removed {path}.", path=path))
        return EXIT_OK
    remembered = read_choice(folder)
    if remembered is None:
        print(
            _(
                "Nothing remembered yet (in {folder}): the next start of the app takes "
                "{path} if it exists, else asks.",
                folder=folder,
                path=default_db_path(),
            )
        )
    elif remembered.store == SERVER:
        from kapdesk.composition import parse_server_url

        shown = parse_server_url(remembered.url).redacted()
        kept = (folder / PASSFILE).is_file()
        password = (
            _("its password is kept in {path} (mode 0600)", path=folder / PASSFILE)
            if kept
            else _("no password kept (libpq's PGPASSWORD or ~/.pgpass is used)")
        )
        print(
            _(
                "This workstation uses the clinic's server {server}; {password}.",
                server=shown,
                password=password,
            )
        )
    else:
        print(
            _(
                "This workstation keeps the records in {path} (this workstation only).",
                path=default_db_path(),
            )
        )
    print(
        _(
            "Remembered in {folder}. --db and {variable} override it; "
            "`kapdesk workstation forget` forgets it.",
            folder=folder,
            variable=ENV_VAR,
        )
    )
    return EXIT_OK
