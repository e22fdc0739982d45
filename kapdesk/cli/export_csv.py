"""`kapdesk export csv --db PATH -o DIR [--deidentify] [--overwrite]`: the clinic's records as
research CSV files with a data dictionary (kapdesk.services.research_export), audited with
the operating-system user as the actor (console:<login>)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.options import grouped, open_context
from kapdesk.cli.parser import EXIT_OK, CliError
from kapdesk.i18n import _, _n

if TYPE_CHECKING:
    from kapdesk.cli.parser import _Commands


def add_export_parser(sub: _Commands) -> None:
    """``kapdesk export KIND``: csv (here) and fhir (kapdesk.cli.export_fhir)."""
    from kapdesk.cli.export_fhir import add_fhir_parser

    export = sub.add_parser(
        "export", help=_("export the clinic's records (research CSV files, FHIR R4)")
    )
    kinds = export.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    add_csv_parser(kinds)
    add_fhir_parser(kinds)


def add_csv_parser(kinds: _Commands) -> None:
    from kapdesk.cli.parser import _add_db

    csv = kinds.add_parser(
        "csv",
        help=_(
            "one CSV file per kind (patients, courses, sessions, readings, doses, side "
            "effects, instruments) and data_dictionary.csv, in a new or empty folder"
        ),
    )
    _add_db(csv)
    csv.add_argument("-o", "--output", required=True, metavar="DIR", help=_("the folder to write"))
    csv.add_argument(
        "--deidentify",
        action="store_true",
        help=_(
            "pseudonyms instead of ids (keyed with the clinic's research key), dates shifted "
            "per patient, ages 90 and over as 90+, no MRN, names, date of birth or free text"
        ),
    )
    csv.add_argument(
        "--overwrite",
        action="store_true",
        help=_("write into a folder that is not empty, replacing the export's files there"),
    )


def cmd_export(args: argparse.Namespace) -> int:
    from kapdesk.services.research_export import ExportFolderError, check_folder, export_csv

    folder = Path(args.output).expanduser()
    try:
        check_folder(folder, overwrite=args.overwrite)  # before the database is opened
    except ExportFolderError as exc:
        raise CliError(str(exc)) from None
    ctx = open_context(args)
    try:
        result = export_csv(ctx, folder, deidentify=args.deidentify, overwrite=args.overwrite)
    except ExportFolderError as exc:
        raise CliError(str(exc)) from None
    finally:
        ctx.db.close()
    mode = _("de-identified") if result.deidentified else _("identified (names, MRN, free text)")
    files = len(result.files)
    print(
        _n(  # English says "files" for any number, as it always did
            "Wrote {n} files to {folder} ({mode}):",
            "Wrote {n} files to {folder} ({mode}):",
            files,
            folder=folder,
            mode=mode,
        )
    )
    width = max(len(name) for name in result.rows)
    for name, count in result.rows.items():
        rows = _n("{count} rows", "{count} rows", count, count=grouped(count).rjust(9))
        print(f"  {name.ljust(width)}  {rows}")
    every = _("every column: type, unit, meaning")
    print(f"  {'data_dictionary.csv'.ljust(width)}  {every}")
    if result.key_created:
        print(
            _(
                "A research key was made for this clinic and kept in its database: later "
                "de-identified exports give the same pseudonyms. It is never exported."
            )
        )
    return EXIT_OK
