"""The command line's arguments (argparse), its exit codes and its one error type."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn

from kapdesk.i18n import _

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
        raise CliError(
            _("{message} (see '{prog} --help')", message=message, prog=self.prog), EXIT_USAGE
        )


if TYPE_CHECKING:
    from typing import TypeAlias

    _Commands: TypeAlias = argparse._SubParsersAction[_Parser]


def _add_db(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        required=required,
        # SUPPRESS: `kapdesk --db X check` keeps X instead of resetting it to None (which
        # would silently check, back up or restore the default database instead).
        default=argparse.SUPPRESS,
        help=_(
            "the database file, or a clinic server's postgresql://USER:PASSWORD@HOST/DATABASE "
            "(default: KAPDESK_DB, else the user data folder)"
        ),
    )
    _add_encrypted(parser, default=argparse.SUPPRESS)


def _add_encrypted(parser: argparse.ArgumentParser, *, default: object = False) -> None:
    # SUPPRESS on subcommands, so `kapdesk --encrypted check` is not reset to False.
    parser.add_argument(
        "--encrypted",
        action="store_true",
        default=default,
        help=_(
            "the database is encrypted (SQLCipher): the passphrase comes from "
            "KAPDESK_DB_KEY, else it is asked for"
        ),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kapdesk",
        description=_("Desktop companion for ketamine-assisted psychotherapy clinics."),
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db",
        metavar="PATH|URL",
        help=_("open this database file, or the clinic server at this postgresql:// URL"),
    )
    where.add_argument(
        "--demo",
        action="store_true",
        help=_(
            "open the demo clinic (made on first use; offered a rebuild around today when "
            "it was made for an earlier day)"
        ),
    )
    _add_encrypted(parser)
    parser.add_argument(
        "--lang",
        metavar="LANGUAGE",
        help=_(
            "the language to speak, e.g. pt-PT (default: the signed-in user's choice, else "
            "KAPDESK_LANG, else the computer's language when kapdesk has it, else English)"
        ),
    )
    parser.add_argument(
        "--quit-after-paint",
        action="store_true",
        help=argparse.SUPPRESS,  # start-up benchmarks and smoke tests
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_demo(sub)
    _add_check(sub)
    _add_list_and_user(sub)
    _add_file_commands(sub)
    _add_report(sub)
    from kapdesk.cli.import_patients import add_import_parser  # kapdesk import patients

    add_import_parser(sub)
    from kapdesk.cli.export_csv import add_export_parser  # kapdesk export csv | fhir

    add_export_parser(sub)
    from kapdesk.cli.cohort import add_cohort_parser  # kapdesk cohort

    add_cohort_parser(sub)
    from kapdesk.cli.migrate import add_migrate_parser  # its own module (kapdesk migrate)

    add_migrate_parser(sub)
    from kapdesk.cli.server import add_server_parser

    add_server_parser(sub)
    from kapdesk.cli.workstation import add_workstation_parser

    add_workstation_parser(sub)
    return parser


def _add_demo(sub: _Commands) -> None:
    demo = sub.add_parser(
        "demo",
        help=_("create a realistic demo clinic (or, with --reset, rebuild one around today)"),
    )
    _add_db(demo, required=True)
    demo.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    demo.add_argument("--patients", type=int, default=12, help=_("number of patients (default 12)"))
    demo.add_argument(
        "--years",
        type=int,
        help=_(
            "years of history: build a big clinic in bulk (up to 50,000 patients; "
            "benchmarks), e.g. --patients 5000 --years 5"
        ),
    )
    demo.add_argument(
        "--work-dir",
        metavar="DIR",
        help=_(
            "with --years and a server URL: where the big clinic is built before it is "
            "moved to the server (default: the user data folder; ~3 GB for 5,000 patients over "
            "5 years)"
        ),
    )
    demo.add_argument(
        "--reset",
        action="store_true",
        help=_(
            "rebuild an existing demo clinic around today, keeping the old one as "
            "NAME.before-reset.sqlite (a database that is not a demo clinic, or a demo with "
            "accounts or patients added since it was built, is refused and left as it is)"
        ),
    )


def _add_check(sub: _Commands) -> None:
    check = sub.add_parser(
        "check",
        help=_(
            "verify a database: integrity, schema and triggers, audit chain and anchors, "
            "every row against its audit trail, signatures"
        ),
    )
    _add_db(check)
    check.add_argument(
        "--full",
        action="store_true",
        help=_(
            "re-hash every audit entry and rebuild every signature (default: the entries "
            "after the newest verified anchor, and the signatures it does not vouch for)"
        ),
    )
    check.add_argument(
        "--seal",
        action="append",
        default=[],
        metavar="SEAL",
        help=_("also compare a record seal printed on a summary, e.g. 18532-3fa9c2d1e0b4"),
    )
    check.add_argument(
        "--anchors",
        action="append",
        default=[],
        metavar="FILE",
        help=_(
            "also compare the anchors in this file (default: <db stem>.anchors in the "
            "backup folder)"
        ),
    )


def _add_list_and_user(sub: _Commands) -> None:
    lst = sub.add_parser("list", help=_("list patients or sessions"))
    lst.add_argument("what", choices=["patients", "sessions"])
    _add_db(lst)
    lst.add_argument(
        "--json",
        action="store_true",
        help=_(
            "print one JSON array (written as it is read: if reading stops part-way, the rows "
            "written so far, still one array, and exit code 1)"
        ),
    )

    user = sub.add_parser("user", help=_("manage staff accounts"))
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser("add", help=_("add a staff account"))
    add.add_argument("username")
    add.add_argument("--role", required=True, help=_("nurse, therapist, clinician or admin"))
    add.add_argument("--full-name", required=True)
    add.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from stdin")
    )
    _add_db(add)


def _add_file_commands(sub: _Commands) -> None:
    backup = sub.add_parser("backup", help=_("write a consistent backup copy"))
    _add_db(backup)
    backup.add_argument("-o", "--output", required=True, metavar="FILE")

    restore = sub.add_parser("restore", help=_("replace the database with a verified backup"))
    restore.add_argument("backup_file", metavar="FILE")
    _add_db(restore)

    encrypt = sub.add_parser("encrypt", help=_("encrypt a plain database (SQLCipher)"))
    _add_db(encrypt, required=True)


def _add_report(sub: _Commands) -> None:
    report = sub.add_parser("report", help=_("write a PDF summary of a session or a course"))
    report_sub = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    report_session = report_sub.add_parser("session", help=_("one dosing session"))
    report_session.add_argument("session_id", metavar="SESSION_ID", type=int)
    report_course = report_sub.add_parser("course", help=_("a patient's most recent course"))
    report_course.add_argument("mrn", metavar="MRN")
    for p in (report_session, report_course):
        _add_db(p)
        p.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
        p.add_argument(
            "--tz", metavar="ZONE", help=_("print times in this zone, e.g. Europe/Berlin")
        )
