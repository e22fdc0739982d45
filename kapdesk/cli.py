"""The command line: the desktop app by default, plus demo/check/list/user/backup/restore.

Every error a user can cause is one clear line on stderr and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from kapdesk.domain.errors import KapdeskError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A message for stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.code = code


def _add_db(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        required=required,
        help="the database file (default: KAPDESK_DB, else the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kapdesk",
        description="Desktop companion for ketamine-assisted psychotherapy clinics.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", help="open this database file")
    where.add_argument(
        "--demo", action="store_true", help="open the demo clinic (made on first use)"
    )
    parser.add_argument(
        "--quit-after-paint",
        action="store_true",
        help=argparse.SUPPRESS,  # start-up benchmarks and smoke tests
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="create a realistic demo clinic")
    _add_db(demo, required=True)
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--patients", type=int, default=12, help="number of patients (default 12)")

    check = sub.add_parser("check", help="verify a database: integrity, schema, audit chain")
    _add_db(check)

    lst = sub.add_parser("list", help="list patients or sessions")
    lst.add_argument("what", choices=["patients", "sessions"])
    _add_db(lst)
    lst.add_argument("--json", action="store_true", help="print one JSON array")

    user = sub.add_parser("user", help="manage staff accounts")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser("add", help="add a staff account")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="nurse, therapist, clinician or admin")
    add.add_argument("--full-name", required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    _add_db(add)

    backup = sub.add_parser("backup", help="write a consistent backup copy")
    _add_db(backup)
    backup.add_argument("-o", "--output", required=True, metavar="FILE")

    restore = sub.add_parser("restore", help="replace the database with a verified backup")
    restore.add_argument("backup_file", metavar="FILE")
    _add_db(restore)
    return parser


def _db_path(args: argparse.Namespace, *, must_exist: bool = True) -> Path:
    from kapdesk.paths import resolve_db_path

    path = resolve_db_path(args.db, demo=bool(getattr(args, "demo", False)), environ=os.environ)
    if must_exist and not path.exists():
        raise CliError(f"No database at {path}.")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: _cmd_gui,
        "demo": _cmd_demo,
        "check": _cmd_check,
        "list": _cmd_list,
        "user": _cmd_user,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
    }
    try:
        return handlers[args.command](args)
    except CliError as exc:
        print(f"kapdesk: {exc}", file=sys.stderr)
        return exc.code
    except KapdeskError as exc:
        print(f"kapdesk: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("kapdesk: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(
            f"kapdesk: {exc.strerror or exc} ({exc.filename or ''})".rstrip(" ()"), file=sys.stderr
        )
        return EXIT_PROBLEMS


def _no_display_reason(environ: Mapping[str, str]) -> str | None:
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


def _cmd_gui(args: argparse.Namespace) -> int:
    reason = _no_display_reason(os.environ)
    if reason:
        raise CliError(reason, EXIT_USAGE)
    # --db, else (--demo: the demo file) KAPDESK_DB, else the user data folder
    path = _db_path(args, must_exist=False)
    try:
        from kapdesk.app import run_gui
    except ImportError as exc:
        raise CliError(f"the desktop window cannot start: {exc}.", EXIT_USAGE) from None
    return run_gui(path, demo=bool(args.demo), quit_after_paint=bool(args.quit_after_paint))


def _cmd_demo(args: argparse.Namespace) -> int:
    from kapdesk.services.demo import build_demo_clinic

    path = Path(args.db)
    if path.exists():
        raise CliError(f"{path} already exists; demo never overwrites a database.")
    if args.patients < 1:
        raise CliError(f"--patients {args.patients}: give at least 1 patient.", EXIT_USAGE)
    summary = build_demo_clinic(path, seed=args.seed, patients=args.patients)
    print(summary)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from kapdesk.storage.backup import verify_database

    path = _db_path(args)
    report = verify_database(path)
    for line in report.lines():
        print(line)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _open_context(path: Path):  # type: ignore[no-untyped-def]
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.db import Database

    return ServiceContext(db=Database.open(path, create=False))


def _cmd_list(args: argparse.Namespace) -> int:
    from kapdesk.services import listing

    ctx = _open_context(_db_path(args))
    try:
        rows = listing.list_patients(ctx) if args.what == "patients" else listing.list_sessions(ctx)
    finally:
        ctx.db.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=None))
        return EXIT_OK
    if not rows:
        print(f"No {args.what}.")
        return EXIT_OK
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in columns))
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
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


def _cmd_user(args: argparse.Namespace) -> int:
    from kapdesk.domain.permissions import Role
    from kapdesk.services.users import UserService

    try:
        role = Role(args.role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise CliError(f"--role {args.role!r} is not a role; choose one of {allowed}.") from None
    path = _db_path(args)
    password = _read_password(args)
    ctx = _open_context(path)
    try:
        info = UserService(ctx).add_user_from_console(
            username=args.username, full_name=args.full_name, role=role, password=password
        )
    finally:
        ctx.db.close()
    print(f"Added {info.role.value} {info.username} ({info.full_name}).")
    return EXIT_OK


def _cmd_backup(args: argparse.Namespace) -> int:
    from kapdesk.storage.backup import backup_database

    src = _db_path(args)
    dest = Path(args.output)
    backup_database(src, dest)
    print(f"Backed up {src} to {dest}.")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    from kapdesk.storage.backup import restore_database

    backup = Path(args.backup_file)
    if not backup.exists():
        raise CliError(f"No backup file at {backup}.")
    target = _db_path(args, must_exist=False)
    kept = restore_database(backup, target)
    print(
        f"Restored {target} from {backup}."
        + (f" The replaced file is kept at {kept}." if kept else "")
    )
    return EXIT_OK
