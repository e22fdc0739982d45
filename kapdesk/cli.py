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
from datetime import tzinfo
from pathlib import Path
from typing import NoReturn

from kapdesk.domain.errors import KapdeskError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A message for stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line on stderr like every other error."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see '{self.prog} --help')", EXIT_USAGE)


def _add_db(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        required=required,
        # SUPPRESS: `kapdesk --db X check` keeps X instead of resetting it to None (which
        # would silently check, back up or restore the default database instead).
        default=argparse.SUPPRESS,
        help="the database file (default: KAPDESK_DB, else the user data folder)",
    )
    _add_encrypted(parser, default=argparse.SUPPRESS)


def _add_encrypted(parser: argparse.ArgumentParser, *, default: object = False) -> None:
    # SUPPRESS on subcommands, so `kapdesk --encrypted check` is not reset to False.
    parser.add_argument(
        "--encrypted",
        action="store_true",
        default=default,
        help="the database is encrypted (SQLCipher): the passphrase comes from "
        "KAPDESK_DB_KEY, else it is asked for",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kapdesk",
        description="Desktop companion for ketamine-assisted psychotherapy clinics.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", help="open this database file")
    where.add_argument(
        "--demo", action="store_true", help="open the demo clinic (made on first use)"
    )
    _add_encrypted(parser)
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
    demo.add_argument(
        "--years",
        type=int,
        help="years of history: build a big clinic in bulk (up to 50,000 patients; "
        "benchmarks), e.g. --patients 5000 --years 5",
    )

    check = sub.add_parser(
        "check",
        help="verify a database: integrity, schema and triggers, audit chain and anchors, "
        "every row against its audit trail, signatures",
    )
    _add_db(check)
    check.add_argument(
        "--full",
        action="store_true",
        help="re-hash every audit entry (default: those after the newest verified anchor)",
    )
    check.add_argument(
        "--seal",
        action="append",
        default=[],
        metavar="SEAL",
        help="also compare a record seal printed on a summary, e.g. 18532-3fa9c2d1e0b4",
    )
    check.add_argument(
        "--anchors",
        action="append",
        default=[],
        metavar="FILE",
        help="also compare the anchors in this file (default: <db stem>.anchors in the "
        "backup folder)",
    )

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

    encrypt = sub.add_parser("encrypt", help="encrypt a plain database (SQLCipher)")
    _add_db(encrypt, required=True)

    report = sub.add_parser("report", help="write a PDF summary of a session or a course")
    report_sub = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    report_session = report_sub.add_parser("session", help="one dosing session")
    report_session.add_argument("session_id", metavar="SESSION_ID", type=int)
    report_course = report_sub.add_parser("course", help="a patient's most recent course")
    report_course.add_argument("mrn", metavar="MRN")
    for p in (report_session, report_course):
        _add_db(p)
        p.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
        p.add_argument("--tz", metavar="ZONE", help="print times in this zone, e.g. Europe/Berlin")
    return parser


def _db_path(args: argparse.Namespace, *, must_exist: bool = True) -> Path:
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: _cmd_gui,
        "demo": _cmd_demo,
        "check": _cmd_check,
        "list": _cmd_list,
        "user": _cmd_user,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
        "encrypt": _cmd_encrypt,
        "report": _cmd_report,
    }
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help / --version: argparse has printed and wants out
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        return handlers[args.command](args)
    except CliError as exc:
        _fail(str(exc))
        return exc.code
    except KapdeskError as exc:
        _fail(str(exc))
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:  # `kapdesk list ... | head`: the reader has gone, nothing to say
        _silence_stdout()
        return EXIT_PROBLEMS
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}")
        return EXIT_PROBLEMS
    except Exception as exc:  # a bug or an unforeseen environment problem: still one line
        if os.environ.get("KAPDESK_DEBUG"):
            raise
        failure = _storage_failure(argv, exc)
        if failure is not None:  # a full disk, an I/O error, a read-only file
            _fail(str(failure))
            return EXIT_PROBLEMS
        _fail(f"unexpected {type(exc).__name__}: {exc} ({_logged(exc)})")
        return EXIT_PROBLEMS


def _storage_failure(argv: Sequence[str] | None, exc: BaseException) -> KapdeskError | None:
    """The plain StorageFailed for a raw SQLite error that escaped a transaction, or None."""
    from kapdesk.storage.errors import storage_failure_in

    args = list(sys.argv[1:] if argv is None else argv)
    where = args[args.index("--db") + 1] if "--db" in args[:-1] else None
    if where:
        path = Path(where)
    else:
        from kapdesk.paths import resolve_db_path

        path = resolve_db_path(None, demo="--demo" in args, create_folder=False)
    return storage_failure_in(path, exc)


def _logged(exc: BaseException) -> str:
    """Write ``exc`` to the log (no patient data: kapdesk.logs); say where, or how to see it."""
    try:
        from kapdesk.logs import log_unexpected, setup_logging

        path = setup_logging()
        log_unexpected(exc, "the command line")
    except Exception:  # the log itself cannot be written: the line must still be printed
        return "set KAPDESK_DEBUG=1 for details"
    return f"details in the log: {path}; or set KAPDESK_DEBUG=1"


def _silence_stdout() -> None:
    """Point stdout at devnull so the interpreter's final flush does not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _fail(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    line = " ".join(message.split())
    print(f"kapdesk: {line}", file=sys.stderr)


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
        from kapdesk.ui.run import run_gui
    except ImportError as exc:
        raise CliError(f"the desktop window cannot start: {exc}.", EXIT_USAGE) from None
    encrypted = bool(getattr(args, "encrypted", False))
    # KAPDESK_DB_KEY is used as given; otherwise the window asks (a passphrase dialog).
    key = _db_key(args, path, new=not path.exists()) if os.environ.get("KAPDESK_DB_KEY") else None
    return run_gui(
        path,
        demo=bool(args.demo),
        quit_after_paint=bool(args.quit_after_paint),
        key=key,
        encrypted=encrypted,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from kapdesk.demo import build_demo_clinic

    path = Path(args.db).expanduser()
    if path.exists():
        raise CliError(f"{path} already exists; demo never overwrites a database.")
    if args.patients < 1:
        raise CliError(f"--patients {args.patients}: give at least 1 patient.", EXIT_USAGE)
    key = _db_key(args, path, new=True)
    if args.years is not None:  # without it, more than 500 patients stays a typo
        from kapdesk.demo import build_big_clinic

        def progress(line: str) -> None:
            print(f"kapdesk demo: {line}", file=sys.stderr, flush=True)

        result = build_big_clinic(
            path,
            seed=args.seed,
            patients=args.patients,
            years=args.years,
            key=key,
            progress=progress,
        )
        print(result.summary())
        return EXIT_OK
    summary = build_demo_clinic(path, seed=args.seed, patients=args.patients, key=key)
    print(summary)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from kapdesk.services.database_check import run_check

    path, key = _db_and_key(args)
    for extra in args.anchors:
        if not Path(extra).is_file():
            raise CliError(f"--anchors {extra}: no such file.")
    lines, ok = run_check(
        path,
        key=key,
        full=bool(args.full),
        seals=args.seal,
        anchor_files=[Path(a) for a in args.anchors],
    )
    for line in lines:
        print(line)
    return EXIT_OK if ok else EXIT_PROBLEMS


def _open_context(path: Path, key: str | None = None):  # type: ignore[no-untyped-def]
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.db import Database

    return ServiceContext(db=Database.open(path, create=False, key=key))


def _cmd_list(args: argparse.Namespace) -> int:
    from kapdesk.services import listing
    from kapdesk.services.console import audit_console

    ctx = _open_context(*_db_and_key(args))
    try:
        rows = listing.list_patients(ctx) if args.what == "patients" else listing.list_sessions(ctx)
        # an export of identifiers: audited (how many, never which) before anything is printed
        audit_console(
            ctx,
            f"list.{args.what}_console",
            after={"rows": len(rows), "format": "json" if args.json else "table"},
        )
    finally:
        ctx.db.close()
    if args.json:
        # Plain UTF-8 where stdout takes it; \u escapes (still the same JSON) where not.
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
        print(json.dumps(rows, ensure_ascii=encoding != "utf8"))
        return EXIT_OK
    if not rows:
        print(f"No {args.what}.")
        return EXIT_OK
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:  # a console that cannot show 'Nguyễn' gets escapes, not a crash
        reconfigure(errors="backslashreplace")
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
    ctx = _open_context(path, _db_key(args, path))
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

    src, key = _db_and_key(args)
    dest = Path(args.output)
    backup_database(src, dest, key=key)
    from kapdesk.storage.anchor import anchor_console

    anchor_console(src, dest, reason="console", key=key)  # the chain head, outside the file
    _audit_file_command(
        src,
        key,
        "backup.create_console",
        {"file": str(dest.absolute()), "reason": "console", "bytes": dest.stat().st_size},
    )
    print(f"Backed up {src} to {dest}.")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    from kapdesk.storage.backup import restore_database

    backup = Path(args.backup_file)
    if not backup.exists():
        raise CliError(f"No backup file at {backup}.")
    target = _db_path(args, must_exist=False)
    from kapdesk.storage.filesystems import ensure_local_disk

    ensure_local_disk(target)  # like every other command: SQLite locking fails on a share
    key = _db_key(args, target)
    kept = restore_database(backup, target, key=key).replaced_kept_at
    _audit_file_command(
        target,
        key,
        "backup.restore_console",
        {"restored_from": str(backup.absolute()), "replaced_kept_at": str(kept) if kept else None},
    )
    from kapdesk.storage.anchor import RESTORE, anchor_console

    anchor_console(target, target, reason=RESTORE, key=key)  # older anchors: the old content
    print(
        f"Restored {target} from {backup}."
        + (f" The replaced file is kept at {kept}." if kept else "")
    )
    return EXIT_OK


def _audit_file_command(path: Path, key: str | None, action: str, after: dict[str, object]) -> None:
    """One console entry (actor 'console:<OS user>') in the database at ``path``."""
    from kapdesk.services.console import audit_console

    ctx = _open_context(path, key)
    try:
        audit_console(ctx, action, after=after)
    finally:
        ctx.db.close()


SQLITE_MAX_ROWID = 2**63 - 1


def _report_target(value: str) -> Path:
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


def _report_zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(f"--tz {name!r} is not a time zone name (e.g. Europe/Berlin).") from None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _cmd_report(args: argparse.Namespace) -> int:
    """Audited as report.session_console / report.course_console (no signed-in user)."""
    from kapdesk.reports.pdf import PDF
    from kapdesk.services.reports import ReportService, page_count

    if args.report_kind == "session" and not 1 <= args.session_id <= SQLITE_MAX_ROWID:
        raise CliError(f"No such session: {args.session_id} (no session has that number).")
    out = _report_target(args.output)
    tz = _report_zone(args.tz)
    ctx = _open_context(*_db_and_key(args))
    try:
        service = ReportService(ctx, renderer=PDF, tz=tz)
        demo = service.is_demo_database()
        if args.report_kind == "session":
            pdf = service.console_session_summary_pdf(
                args.session_id, demo=demo, os_user=_os_user()
            )
        else:
            pdf = service.console_course_summary_pdf(args.mrn, demo=demo, os_user=_os_user())
    finally:
        ctx.db.close()
    partial = out.with_name(out.name + ".part")
    try:
        partial.write_bytes(pdf)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(f"-o {out}: cannot write there: {exc.strerror or exc}.") from None
    pages = page_count(pdf)
    print(f"Wrote {out} ({pages} page{'s' if pages != 1 else ''}{', DEMO' if demo else ''}).")
    return EXIT_OK


# ---------------------------------------------------------------- encryption (--encrypted)


def _db_key(args: argparse.Namespace, path: Path, *, new: bool = False) -> str | None:
    """The passphrase when --encrypted was given (KAPDESK_DB_KEY, else asked), else None.

    ``new``: the database is about to be created or encrypted, so a typed
    passphrase is asked twice and must have the minimum length.
    """
    if not getattr(args, "encrypted", False):
        return None
    from kapdesk.storage.encryption import obtain_key

    prompt = getpass.getpass if sys.stdin.isatty() else None
    return obtain_key(prompt, environ=os.environ, label=path.name, new=new)


def _db_and_key(args: argparse.Namespace) -> tuple[Path, str | None]:
    path = _db_path(args)
    return path, _db_key(args, path)


def _cmd_encrypt(args: argparse.Namespace) -> int:
    from kapdesk.storage.encrypt_file import encrypt_database
    from kapdesk.storage.encryption import obtain_key

    path = _db_path(args)
    prompt = getpass.getpass if sys.stdin.isatty() else None
    key = obtain_key(prompt, environ=os.environ, label=f"encrypted {path.name}", new=True)
    result = encrypt_database(path, key)
    for line in result.report.lines():
        print(line)
    print(
        f"Encrypted {path}; from now on open it with --encrypted. The unencrypted copy "
        f"taken first is at {result.plain_backup}: once you have checked the encrypted "
        f"database (kapdesk check --db {path} --encrypted), delete that copy securely "
        f"(e.g. shred -u on Linux), as it holds every record in plain text. Backups made "
        "before today are not encrypted either."
    )
    return EXIT_OK if result.report.ok else EXIT_PROBLEMS
