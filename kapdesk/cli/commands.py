"""One function per command. Each opens its database through the composition root and
does its work through the same services the desktop app calls, so every console
action is audited (actor ``console:<OS user>``, see kapdesk.services.console) and a
restore upgrades an older backup exactly as the app's Restore does."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.options import (
    db_and_key,
    db_key,
    db_path,
    db_target,
    new_key,
    no_display_reason,
    open_context,
    read_password,
    refuse_server,
    report_target,
    report_zone,
    write_output,
)
from kapdesk.cli.parser import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError
from kapdesk.cli.server import cmd_server
from kapdesk.cli.workstation import cmd_workstation, gui_target
from kapdesk.i18n import _, _n

if TYPE_CHECKING:
    pass

SQLITE_MAX_ROWID = 2**63 - 1


def cmd_gui(args: argparse.Namespace) -> int:
    reason = no_display_reason(os.environ)
    if reason:
        raise CliError(reason, EXIT_USAGE)
    # --db, else (--demo: the demo file) KAPDESK_DB, else this workstation's remembered
    # choice (a file or a server), else None: the first-run dialog asks (cli/workstation.py)
    path = gui_target(args)
    try:
        from kapdesk.ui.run import run_gui
    except ImportError as exc:
        raise CliError(
            _("the desktop window cannot start: {error}.", error=exc), EXIT_USAGE
        ) from None
    encrypted = bool(getattr(args, "encrypted", False))
    # KAPDESK_DB_KEY is used as given; otherwise the window asks (a passphrase dialog).
    key = None
    if isinstance(path, Path) and os.environ.get("KAPDESK_DB_KEY"):
        key = db_key(args, path, new=not path.exists())
    return run_gui(
        path,
        demo=bool(args.demo),
        quit_after_paint=bool(args.quit_after_paint),
        key=key,
        encrypted=encrypted,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    """A new demo clinic; with --reset, an existing demo clinic rebuilt around today."""
    target = db_target(args, must_exist=False)
    if getattr(args, "work_dir", None) and (isinstance(target, Path) or args.years is None):
        raise CliError(
            _(
                "--work-dir {folder}: only for building the big clinic on a clinic server "
                "(--years N --db URL); a demo file is built where --db says.",
                folder=args.work_dir,
            ),
            EXIT_USAGE,
        )
    if not isinstance(target, Path):  # a clinic server's empty database
        if args.reset:
            raise CliError(refuse_server(args, target, "--reset"), EXIT_USAGE)
        if args.patients < 1:
            raise CliError(
                _("--patients {n}: give at least 1 patient.", n=args.patients), EXIT_USAGE
            )
        if args.years is not None:  # built as a file, then moved like kapdesk migrate
            from kapdesk.cli.demo_server import big_demo_on_server

            return big_demo_on_server(args, target)
        from kapdesk.demo import build_demo_clinic

        print(build_demo_clinic(target, seed=args.seed, patients=args.patients))
        return EXIT_OK
    path = Path(args.db).expanduser()
    if path.exists() and not args.reset:
        raise CliError(
            _(
                "{path} already exists; demo never overwrites a database. To rebuild a demo "
                "clinic around today: kapdesk demo --db {path} --reset",
                path=path,
            )
        )
    if args.patients < 1:
        raise CliError(_("--patients {n}: give at least 1 patient.", n=args.patients), EXIT_USAGE)
    if not path.exists():
        key = db_key(args, path, new=True)
        print(_demo_builder(args, key)(path))
        return EXIT_OK
    from kapdesk.demo.rebuild import kept_path, read_demo, rebuild_demo_file

    key = db_key(args, path)  # the demo's own passphrase: the new one gets the same
    read_demo(path, key)  # a real clinic is refused before anything else is asked or built
    build = _demo_builder(args, key, shown_as=path)
    old, summary = rebuild_demo_file(path, build, key=key, in_use=_open_in_kapdesk)
    print(summary)
    kept = kept_path(path)
    print(
        _(
            "It replaces the demo clinic made for {day}, kept as {kept}.",
            day=old.day.isoformat(),
            kept=kept,
        )
    )
    return EXIT_OK


def _demo_builder(
    args: argparse.Namespace, key: str | None, shown_as: Path | None = None
) -> Callable[[Path], str]:
    """Writes the demo clinic ``args`` ask for to a new file; returns the summary."""

    def small(target: Path) -> str:
        from kapdesk.demo import build_demo_clinic

        return build_demo_clinic(
            target, seed=args.seed, patients=args.patients, key=key, shown_as=shown_as
        )

    def big(target: Path) -> str:  # without --years, more than 500 patients stays a typo
        from dataclasses import replace

        from kapdesk.demo import build_big_clinic

        def progress(line: str) -> None:
            print(f"kapdesk demo: {line}", file=sys.stderr, flush=True)

        result = build_big_clinic(
            target,
            seed=args.seed,
            patients=args.patients,
            years=args.years,
            key=key,
            progress=progress,
        )
        return replace(result, path=shown_as or target).summary()

    return small if args.years is None else big


def _open_in_kapdesk(path: Path) -> str | None:
    """Why the demo cannot be rebuilt now: a kapdesk window has it open (its single-instance
    socket answers). None without Qt: the file-lock check in kapdesk.demo.rebuild remains."""
    try:
        from kapdesk.ui.single_instance import already_open
    except ImportError:
        return None
    socket = already_open(path)
    if socket is None:
        return None
    socket.disconnectFromServer()
    return _(
        "{path} is open in kapdesk; close that window (File > Quit), then run "
        "kapdesk demo --db {path} --reset again. Nothing was changed.",
        path=path,
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Read-only: the file is never migrated, audited or anchored by a check."""
    path, key = db_and_key(args)
    if not isinstance(path, Path):  # a clinic server: re-hashed in full, no anchor files
        for option, given in (("--seal", args.seal), ("--anchors", args.anchors)):
            if given:
                raise CliError(refuse_server(args, path, option), EXIT_USAGE)
        from kapdesk.services.server_check import run_server_check

        lines, ok = run_server_check(path)
        print("\n".join(lines))
        return EXIT_OK if ok else EXIT_PROBLEMS
    for extra in args.anchors:
        if not Path(extra).is_file():
            raise CliError(_("--anchors {file}: no such file.", file=extra))
    from kapdesk.services.check_workers import (  # no SQLAlchemy
        start_check_workers,
        start_integrity_check,
    )

    # a big file's replay workers and integrity_check start while this process imports
    # SQLAlchemy; the workers first, while this process has no other thread (they may
    # then be forked: storage.replay_processes.start_method)
    early = start_check_workers(path, key)
    integrity = start_integrity_check(path, key)
    from kapdesk.services.database_check import run_check

    lines, ok = run_check(
        path,
        key=key,
        full=bool(args.full),
        seals=args.seal,
        anchor_files=[Path(a) for a in args.anchors],
        processes=early,
        integrity=integrity,
    )
    for line in lines:
        print(line)
    return EXIT_OK if ok else EXIT_PROBLEMS


def cmd_user(args: argparse.Namespace) -> int:
    from kapdesk.domain.permissions import Role
    from kapdesk.services.users import UserService

    try:
        role = Role(args.role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise CliError(
            _(
                "--role {role!r} is not a role; choose one of {allowed}.",
                role=args.role,
                allowed=allowed,
            )
        ) from None
    db_target(args)  # no password is asked for a database that is not there
    password = read_password(args)
    ctx = open_context(args)
    try:
        info = UserService(ctx).add_user_from_console(
            username=args.username, full_name=args.full_name, role=role, password=password
        )
    finally:
        ctx.db.close()
    print(
        _(
            "Added {role} {username} ({name}).",
            role=info.role.value,
            username=info.username,
            name=info.full_name,
        )
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    """Through BackupService, like "Back up now": anchored and audited (backup.create_console)."""
    from kapdesk.cli.migrate import cmd_backup_server, server_db
    from kapdesk.services.backups import BackupService

    if (url := server_db(args)) is not None:  # a clinic server: a verified kapdesk file
        return cmd_backup_server(args, url)
    dest = Path(args.output)
    ctx = open_context(args)
    try:
        BackupService(ctx).back_up_to_file(dest)
    finally:
        ctx.db.close()
    print(_("Backed up {source} to {dest}.", source=ctx.db.path, dest=dest))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """The app's restore after the swap: an older backup is upgraded, the restore audited
    (backup.restore_console) and anchored in the restored database."""
    from kapdesk.domain.clock import SystemClock
    from kapdesk.services.backups import restore_from_console

    backup = Path(args.backup_file)
    if not backup.exists():
        raise CliError(_("No backup file at {path}.", path=backup))
    target = db_path(args, must_exist=False)
    info = restore_from_console(backup, target, key=db_key(args, target), clock=SystemClock())
    kept = info.replaced_kept_at
    upgraded = info.upgraded_from
    print(
        _("Restored {target} from {backup}.", target=target, backup=backup)
        + (_(" It was upgraded from schema {schema}.", schema=upgraded) if upgraded else "")
        + (_(" The replaced file is kept at {path}.", path=kept) if kept else "")
    )
    return EXIT_OK


def cmd_encrypt(args: argparse.Namespace) -> int:
    from kapdesk.domain.clock import SystemClock
    from kapdesk.services.console import encrypt_from_console

    path = db_path(args)
    key = new_key(_("encrypted {name}", name=path.name))
    result = encrypt_from_console(path, key, clock=SystemClock())
    for line in result.report.lines():
        print(line)
    print(
        _(
            "Encrypted {path}; from now on open it with --encrypted. The unencrypted copy "
            "taken first is at {copy}: once you have checked the encrypted "
            "database (kapdesk check --db {path} --encrypted), delete that copy securely "
            "(e.g. shred -u on Linux), as it holds every record in plain text. Backups made "
            "before today are not encrypted either.",
            path=path,
            copy=result.plain_backup,
        )
    )
    return EXIT_OK if result.report.ok else EXIT_PROBLEMS


def cmd_report(args: argparse.Namespace) -> int:
    """Audited as report.session_console / report.course_console (no signed-in user). A
    course summary is read, drawn and audited without the ORM (services.course_print)."""
    from kapdesk.reports.pdf import PDF
    from kapdesk.services.console import os_login
    from kapdesk.services.course_print import (
        console_course_summary_pdf,
        is_demo_database,
        page_count,
    )

    if args.report_kind == "session" and not 1 <= args.session_id <= SQLITE_MAX_ROWID:
        raise CliError(_("No such session: {id} (no session has that number).", id=args.session_id))
    out = report_target(args.output)
    tz = report_zone(args.tz)
    ctx = open_context(args)
    try:
        demo = is_demo_database(ctx)
        if args.report_kind == "session":
            from kapdesk.services.reports import ReportService

            service = ReportService(ctx, renderer=PDF, tz=tz)
            pdf = service.console_session_summary_pdf(
                args.session_id, demo=demo, os_user=os_login()
            )
        else:
            pdf = console_course_summary_pdf(ctx, PDF, tz, args.mrn, demo=demo, os_user=os_login())
    finally:
        ctx.db.close()
    write_output(out, pdf)
    pages = page_count(pdf)
    print(
        _n(
            "Wrote {out} ({n} page{demo}).",
            "Wrote {out} ({n} pages{demo}).",
            pages,
            out=out,
            demo=_(", DEMO") if demo else "",
        )
    )
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    from kapdesk.cli.list_command import cmd_list

    return cmd_list(args)


def _cmd_import(args: argparse.Namespace) -> int:
    from kapdesk.cli.import_patients import cmd_import

    return cmd_import(args)


def _cmd_export(args: argparse.Namespace) -> int:
    if args.export_kind == "fhir":
        from kapdesk.cli.export_fhir import cmd_export
    else:
        from kapdesk.cli.export_csv import cmd_export

    return cmd_export(args)


def _cmd_cohort(args: argparse.Namespace) -> int:
    from kapdesk.cli.cohort import cmd_cohort

    return cmd_cohort(args)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from kapdesk.cli.migrate import cmd_migrate

    return cmd_migrate(args)


HANDLERS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_gui,
    "demo": cmd_demo,
    "check": cmd_check,
    "list": _cmd_list,
    "user": cmd_user,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "encrypt": cmd_encrypt,
    "report": cmd_report,
    "import": _cmd_import,
    "export": _cmd_export,
    "cohort": _cmd_cohort,
    "server": cmd_server,
    "migrate": _cmd_migrate,
    "workstation": cmd_workstation,
}
