"""What the commands read from their arguments and the terminal: the database (a file or a
clinic server's URL), its passphrase, a password, an output file, a time zone; and the
context they run on."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.parser import EXIT_USAGE, CliError
from kapdesk.i18n import _

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL
    from kapdesk.services.context import ServiceContext

SERVER_URL_FORM = "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"


def db_target(args: argparse.Namespace, *, must_exist: bool = True) -> Path | ServerURL:
    """--db, else (--demo: the demo file) KAPDESK_DB, else the server this workstation
    remembers (kapdesk.workstation, as the desktop app), else the user data folder: a file,
    or a clinic server when the value is a URL (checked here: a bad one is refused naming
    the value, password hidden, and what is allowed)."""
    from kapdesk.paths import ENV_VAR, resolve_db

    remembered = remembered_target(args)
    if remembered is not None:
        return remembered

    chosen = resolve_db(
        getattr(args, "db", None),
        demo=bool(getattr(args, "demo", False)),
        environ=os.environ,
        create_folder=not must_exist,  # a typo in a read-only command creates nothing
    )
    if isinstance(chosen, str):
        from kapdesk.composition import BadServerURL, parse_server_url

        source = "--db" if getattr(args, "db", None) else ENV_VAR
        try:
            server = parse_server_url(chosen)
        except BadServerURL as exc:
            raise CliError(f"{source}: {exc}", EXIT_USAGE) from None
        if getattr(args, "encrypted", False):
            raise CliError(
                _(
                    "--encrypted is for a database file; {source} {server} is a clinic "
                    "server, whose data is protected by TLS (sslmode=verify-full) and the "
                    "server's own disk encryption. Leave out --encrypted.",
                    source=source,
                    server=server.redacted(),
                ),
                EXIT_USAGE,
            )
        return server
    if must_exist and not chosen.exists():
        raise CliError(_("No database at {path}.", path=chosen))
    return chosen


def remembered_target(args: argparse.Namespace) -> ServerURL | None:
    """The server this workstation remembers, when neither --db nor KAPDESK_DB is given
    (nor --demo); ``args.remembered_in`` is then set to its config folder (for messages).
    Nothing is asked or remembered here: the first-run question is the desktop app's."""
    from kapdesk.paths import chosen_db
    from kapdesk.workstation import SERVER, config_dir, read_choice, remembered_server

    demo = bool(getattr(args, "demo", False))
    if demo or chosen_db(getattr(args, "db", None), demo=demo, environ=os.environ):
        return None
    folder = config_dir()
    choice = read_choice(folder)  # a damaged file: refused, naming it
    if choice is None or choice.store != SERVER:
        return None
    from kapdesk.composition import BadServerURL

    try:
        server = remembered_server(choice, folder)
    except BadServerURL as exc:
        raise CliError(
            _(
                "the remembered server in {folder} cannot be used: {error} Run `kapdesk "
                "workstation forget` to choose again, or give --db.",
                folder=folder,
                error=exc,
            ),
            EXIT_USAGE,
        ) from None
    if getattr(args, "encrypted", False):
        raise CliError(
            _(
                "--encrypted is for a database file; this workstation's remembered store is "
                "the clinic server {server}. Leave out --encrypted.",
                server=server.redacted(),
            ),
            EXIT_USAGE,
        )
    args.remembered_in = folder
    return server


def remembered_hint(args: object, exc: BaseException) -> str:
    """Appended to a storage error on the server this workstation remembers: which one it
    was and how to use another."""
    from kapdesk.workstation import console_hint

    folder = getattr(args, "remembered_in", None)
    return "" if folder is None else console_hint(folder, exc)


def db_path(args: argparse.Namespace, *, must_exist: bool = True) -> Path:
    """The database file of a command that works on a file only (restore, encrypt, ...):
    a clinic server's URL is refused, naming the command."""
    target = db_target(args, must_exist=must_exist)
    if not isinstance(target, Path):
        raise CliError(refuse_server(args, target), EXIT_USAGE)
    return target


def refuse_server(args: argparse.Namespace, server: ServerURL, option: str = "") -> str:
    """The message of a command (or its ``option``) not yet supported for a clinic server."""
    command = " ".join(
        str(part)
        for part in ("kapdesk", args.command, getattr(args, "report_kind", None), option)
        if part
    )
    return _(
        "{command} is not yet supported for a clinic server ({server}); "
        "it works on a database file (--db PATH).",
        command=command,
        server=server.redacted(),
    )


def db_key(args: argparse.Namespace, path: Path, *, new: bool = False) -> str | None:
    """The passphrase when --encrypted was given (KAPDESK_DB_KEY, else asked), else None.

    ``new``: the database is about to be created or encrypted, so a typed
    passphrase is asked twice and must have the minimum length.
    """
    if not getattr(args, "encrypted", False):
        return None
    return new_key(path.name) if new else _obtain_key(path.name, new=False)


def new_key(label: str) -> str:
    """A passphrase for a database about to be created or encrypted (asked twice)."""
    return _obtain_key(label, new=True)


def _obtain_key(label: str, *, new: bool) -> str:
    from kapdesk.composition import obtain_key

    prompt = getpass.getpass if sys.stdin.isatty() else None
    return obtain_key(prompt, environ=os.environ, label=label, new=new)


def db_and_key(args: argparse.Namespace) -> tuple[Path | ServerURL, str | None]:
    """The existing database of ``args`` (a file or a clinic server) and, for an encrypted
    file, its passphrase."""
    target = db_target(args)
    return target, db_key(args, target) if isinstance(target, Path) else None


def open_context(args: argparse.Namespace) -> ServiceContext:
    """The existing database of ``args`` (never created here; on a server, an empty
    database is refused too), opened by the composition root; the caller closes it."""
    from kapdesk.composition import build_context

    target, key = db_and_key(args)
    return build_context(target, create=False, key=key)


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliError(_("--password-stdin: no password on standard input."))
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError(_("No terminal to ask for a password; use --password-stdin."))
    first = getpass.getpass(_("Password: "))
    if getpass.getpass(_("Repeat password: ")) != first:
        raise CliError(_("The two passwords differ; nothing was changed."))
    return first


def report_target(value: str) -> Path:
    """The output file, refused before any work if it cannot be written."""
    out = Path(value).expanduser()
    if out.is_dir():
        raise CliError(
            _("-o {out}: that is a folder; give a file name such as summary.pdf.", out=out)
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(
            _(
                "-o {out}: cannot write there: the folder {folder} does not exist.",
                out=out,
                folder=folder,
            )
        )
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise CliError(_("-o {out}: cannot write there: permission denied.", out=out))
    return out


def write_output(out: Path, data: bytes) -> None:
    """``data`` into ``out`` whole or not at all (written beside it, then renamed)."""
    partial = out.with_name(out.name + ".part")
    try:
        partial.write_bytes(data)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(cannot_write(out, exc)) from None


def cannot_write(out: Path, exc: OSError) -> str:
    """'-o x.pdf: cannot write there: No space left on device.'"""
    return _("-o {out}: cannot write there: {error}.", out=out, error=exc.strerror or exc)


def grouped(n: int) -> str:
    """'12,345' in English (as kapdesk writes counts); the language's grouping otherwise
    ('12 345' in Portuguese)."""
    from kapdesk.i18n import ENGLISH, current, file_stem

    if current() == ENGLISH:
        return f"{n:,}"
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=file_stem(current())))


def report_zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(
            _("--tz {name!r} is not a time zone name (e.g. Europe/Berlin).", name=name)
        ) from None


def no_display_reason(environ: Mapping[str, str]) -> str | None:
    """Why Qt could not open a window here (it would abort the process), or None."""
    if environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    ):
        return _(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            "run it in a desktop session, or set QT_QPA_PLATFORM=offscreen for a headless run."
        )
    return None
