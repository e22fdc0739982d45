"""`kapdesk cohort --db PATH [--protocol ID ...] [--from DATE] [--to DATE] [--status S]
[--deidentify] -o FILE.pdf|FILE.csv`: the clinic's cohort outcomes table
(kapdesk.services.cohort_export), audited with the operating-system user as the actor.

Identifying by default (patients' names and MRNs: the clinic's own staff reading their
own cohort); ``--deidentify`` writes research pseudonyms instead, from the clinic's
research key (the same as ``kapdesk export csv --deidentify``), with no MRN and shifted
course start dates."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kapdesk.cli.options import open_context, report_target, write_output
from kapdesk.cli.parser import EXIT_OK, CliError
from kapdesk.i18n import _, _n

if TYPE_CHECKING:
    from kapdesk.cli.parser import _Commands
    from kapdesk.domain.cohort import CohortFilter


def add_cohort_parser(sub: _Commands) -> None:
    from kapdesk.cli.parser import _add_db

    p = sub.add_parser(
        "cohort",
        help=_(
            "the cohort outcomes table (baseline and endpoint PHQ-9, response, remission, "
            "suicidal ideation, deterioration at follow-up) as a PDF or a CSV file"
        ),
    )
    _add_db(p)
    p.add_argument(
        "--protocol",
        action="append",
        default=[],
        metavar="ID",
        help=_("only this protocol (repeat for several; default: every protocol)"),
    )
    p.add_argument(
        "--from",
        dest="started_from",
        metavar="DATE",
        help=_("courses started on or after DATE (YYYY-MM-DD)"),
    )
    p.add_argument(
        "--to",
        dest="started_to",
        metavar="DATE",
        help=_("courses started on or before DATE (YYYY-MM-DD)"),
    )
    p.add_argument("--status", choices=("open", "ended"), help=_("only open or only ended courses"))
    p.add_argument(
        "--deidentify",
        action="store_true",
        help=_("research pseudonyms instead of names, no MRN, start dates shifted per patient"),
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help=_("FILE.pdf or FILE.csv"))


def cmd_cohort(args: argparse.Namespace) -> int:
    from kapdesk.domain.cohort import CohortFilter
    from kapdesk.domain.dates import calendar_date
    from kapdesk.domain.errors import ValidationError

    out = report_target(args.output)
    fmt = out.suffix.lower().removeprefix(".")
    if fmt not in ("pdf", "csv"):
        raise CliError(_("-o {out}: give a file name ending in .pdf or .csv.", out=out))
    try:
        start = calendar_date("--from", args.started_from) if args.started_from else None
        end = calendar_date("--to", args.started_to) if args.started_to else None
    except ValidationError as exc:
        raise CliError(str(exc)) from None
    if start and end and start > end:
        raise CliError(_("--from {start} is after --to {end}.", start=start, end=end))
    filters = CohortFilter(tuple(args.protocol), start, end, args.status)
    data, n = _export(args, filters, fmt)
    write_output(out, data)
    mode = _("de-identified") if args.deidentify else _("identifying: names and MRNs")
    print(
        _n(
            "Wrote {out} ({n} course, {mode}).",
            "Wrote {out} ({n} courses, {mode}).",
            n,
            out=out,
            mode=mode,
        )
    )
    return EXIT_OK


def _export(args: argparse.Namespace, filters: CohortFilter, fmt: str) -> tuple[bytes, int]:
    from kapdesk.reports.pdf import PDF
    from kapdesk.services.cohort_export import console_export

    ctx = open_context(args)
    try:
        table, data = console_export(
            ctx,
            filters,
            "pdf" if fmt == "pdf" else "csv",
            deidentify=bool(args.deidentify),
            renderer=PDF,
        )
    finally:
        ctx.db.close()
    return data, len(table.rows)
