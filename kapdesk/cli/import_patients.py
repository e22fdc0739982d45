"""`kapdesk import patients FILE.csv [--dry-run]`: a clinic's patient list, all or nothing.

Through :class:`kapdesk.services.patient_import.PatientImportService`, as the Patients
screen's "Import patients…": the rows that would be (or were) created are printed as a
table on stdout; with problems, every problem is printed (line, column, value, what is
allowed), nothing is stored and the command ends with one line on stderr and exit 1.
Audited with the operating-system user as the actor (console:<login>), like `user add`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.options import open_context
from kapdesk.cli.parser import EXIT_OK, EXIT_PROBLEMS, CliError
from kapdesk.i18n import _, _n

if TYPE_CHECKING:
    from kapdesk.cli.parser import _Commands
    from kapdesk.domain.patient_import import ImportRow
    from kapdesk.services.patient_import import ImportReport

SHOWN_TEXT_MAX = 30


def add_import_parser(sub: _Commands) -> None:
    from kapdesk.cli.parser import _add_db

    imp = sub.add_parser("import", help=_("import records from a file (patients from a CSV)"))
    imp_sub = imp.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    patients = imp_sub.add_parser(
        "patients",
        help=_(
            "patients from a UTF-8 CSV with the columns mrn, name (Family, Given), "
            "date_of_birth (YYYY-MM-DD), sex, weight_kg[, allergies, contraindications]: "
            "all of them, or none when any row has a problem"
        ),
    )
    patients.add_argument("file", metavar="FILE.csv")
    _add_db(patients)
    patients.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and show what would be created; store nothing"),
    )


def _read(path: Path) -> bytes:
    if path.is_dir():
        raise CliError(_("{path} is a folder; give the CSV file.", path=path))
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CliError(_("No file at {path}.", path=path)) from None
    except OSError as exc:
        raise CliError(
            _("{path}: cannot be read: {error}.", path=path, error=exc.strerror or exc)
        ) from None


def cmd_import(args: argparse.Namespace) -> int:
    from kapdesk.services.patient_import import PatientImportService

    path = Path(args.file).expanduser()
    data = _read(path)  # before the database: a wrong file name changes nothing
    ctx = open_context(args)
    try:
        service = PatientImportService(ctx)
        if args.dry_run:
            report = service.check(data, path.name)
        else:
            report = service.import_from_console(data, path.name)
    finally:
        ctx.db.close()
    _print_report(report, dry_run=args.dry_run)
    if report.problems:
        raise CliError(
            _(
                "nothing was imported: {problems} in {file} (listed above); correct the file "
                "and run the command again.",
                problems=_problems(len(report.problems)),
                file=path.name,
            ),
            EXIT_PROBLEMS,
        )
    return EXIT_OK


def _problems(n: int) -> str:
    return _n("{n} problem", "{n} problems", n)


def _print_report(report: ImportReport, *, dry_run: bool) -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:  # a console that cannot show 'Simões' gets escapes, not a crash
        reconfigure(errors="backslashreplace")
    if report.problems:
        print(f"{report.file_name}: {_problems(len(report.problems))}:")
        for problem in report.problems:
            print(f"  {problem.text()}")
        return
    n = _n("{n} patient", "{n} patients", len(report.rows))
    if dry_run:
        print(
            _(
                "{file}: {patients} would be created (dry run: nothing was stored).",
                file=report.file_name,
                patients=n,
            )
        )
    else:
        print(_("Imported {patients} from {file}.", patients=n, file=report.file_name))
    _print_rows(report.rows)
    if report.notes:
        notes = len(report.notes)
        if dry_run:
            line = _n(
                "{n} possible duplicate (not refused: check them before importing):",
                "{n} possible duplicates (not refused: check them before importing):",
                notes,
            )
        else:
            line = _n(
                "{n} possible duplicate (not refused: check them, and correct the records):",
                "{n} possible duplicates (not refused: check them, and correct the records):",
                notes,
            )
        print(line)
        for note in report.notes:
            print(f"  {note.text()}")


def _cut(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SHOWN_TEXT_MAX else line[: SHOWN_TEXT_MAX - 3] + "..."


def _print_rows(rows: tuple[ImportRow, ...]) -> None:
    header = ("line", "mrn", "name", "date_of_birth", "sex", "weight_kg", "allergies")
    table = [header] + [
        (
            str(r.line),
            r.patient.mrn,
            r.display_name,
            r.patient.date_of_birth.isoformat(),
            r.patient.sex.value,
            "" if r.patient.weight_kg is None else f"{r.patient.weight_kg:g}",
            _cut(r.patient.allergies),
        )
        for r in rows
    ]
    widths = [max(len(cells[i]) for cells in table) for i in range(len(header))]
    for cells in table:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
