"""What the commands read from their arguments and the terminal: the database file, its
passphrase, a password, an output file, a time zone; and the context they run on."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.parser import CliError

if TYPE_CHECKING:
    from kapdesk.services.context import ServiceContext


def db_path(args: argparse.Namespace, *, must_exist: bool = True) -> Path:
    """--db, else (--demo: the demo file) KAPDESK_DB, else the user data folder."""
    from kapdesk.paths import resolve_db_path

    path = resolve_db_path(
        args.db,
        demo=bool(getattr(args, "demo", False)),
        environ=os.environ,
        create_folder=not must_exist,  # a typo in a read-only command creates nothing
    )
    if must_exist and not path.exists():
        raise CliError(f"No database at {path}.")
    return path


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


def db_and_key(args: argparse.Namespace) -> tuple[Path, str | None]:
    path = db_path(args)
    return path, db_key(args, path)


def open_context(args: argparse.Namespace) -> ServiceContext:
    """The existing database of ``args`` (never created here), opened by the composition
    root; the caller closes it."""
    from kapdesk.composition import build_context

    path, key = db_and_key(args)
    return build_context(path, create=False, key=key)


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliError("--password-stdin: no password on standard input.")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("No terminal to ask for a password; use --password-stdin.")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise CliError("The two passwords differ; nothing was changed.")
    return first


def report_target(value: str) -> Path:
    """The output file, refused before any work if it cannot be written."""
    out = Path(value).expanduser()
    if out.is_dir():
        raise CliError(f"-o {out}: that is a folder; give a file name such as summary.pdf.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"-o {out}: cannot write there: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise CliError(f"-o {out}: cannot write there: permission denied.")
    return out


def report_zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(f"--tz {name!r} is not a time zone name (e.g. Europe/Berlin).") from None


def no_display_reason(environ: Mapping[str, str]) -> str | None:
    """Why Qt could not open a window here (it would abort the process), or None."""
    if environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    ):
        return (
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            "run it in a desktop session, or set QT_QPA_PLATFORM=offscreen for a headless run."
        )
    return None
