"""The cohort table saved as CSV or PDF (``kapdesk cohort``, the Cohort screen's Save).

* CSV: UTF-8, a header row (kapdesk.domain.cohort_cells.CSV_COLUMNS), one row per course;
  every cell neutralized as in the research export (kapdesk.domain.research.neutralize),
  but for plain numbers (a percent change of -50.0 stays a number a spreadsheet can sum).
* PDF: drawn by the caller's renderer (``kapdesk.reports.pdf.PDF``; the services never
  import reportlab): the summary, the definitions, the trajectories plot and the table.
* ``deidentify``: pseudonyms from the clinic's research key (made on first use, as by
  ``kapdesk export csv --deidentify``), no MRN, start dates shifted per patient.
* Audited once per file, ``export.cohort``: the signed-in actor, or the console user.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from typing import Literal, Protocol

from kapdesk.domain.cohort import CohortFilter, CohortTable
from kapdesk.domain.cohort_cells import CSV_COLUMNS, csv_cells
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.domain.research import Pseudonymizer, neutralize
from kapdesk.i18n import _
from kapdesk.services.cohort import (
    AUDIT_ACTION,
    audit_console_export,
    audit_details,
    cohort_table,
)
from kapdesk.services.console import console_actor
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.course_print import ReportRenderer
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.services.report_data.model import PrintContext
from kapdesk.services.reports import ReportService
from kapdesk.storage.anchor import seal
from kapdesk.storage.audit import chain_head

Format = Literal["csv", "pdf"]


class CohortRenderer(ReportRenderer, Protocol):
    def cohort_pdf(self, table: CohortTable, pc: PrintContext) -> bytes: ...


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cell(value: str) -> str:
    """A number as it is ('-50.0' is no formula); any other cell neutralized."""
    return value if NUMBER.fullmatch(value) else neutralize(value)


def cohort_csv(table: CohortTable) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([neutralize(c) for c in CSV_COLUMNS])
    for row in table.rows:
        writer.writerow([_cell(c) for c in csv_cells(row)])
    return out.getvalue().encode("utf-8")


def _print_context(ctx: ServiceContext, renderer: CohortRenderer, printed_by: str) -> PrintContext:
    reports = ReportService(ctx, renderer=renderer)
    with ctx.db.read() as s:
        head = chain_head(s)
    return PrintContext(
        clinic_name=reports.clinic_name(),
        printed_by=printed_by,
        printed_at=ctx.now(),
        demo=reports.is_demo_database(),
        tz=ctx.tz,
        seal=seal(head),
    )


def render(
    ctx: ServiceContext,
    table: CohortTable,
    fmt: Format,
    renderer: CohortRenderer | None,
    printed_by: str,
) -> bytes:
    if fmt == "csv":
        return cohort_csv(table)
    if renderer is None:
        raise ValueError("a PDF needs a renderer")
    return renderer.cohort_pdf(table, _print_context(ctx, renderer, printed_by))


def check_protocols(filters: CohortFilter, known: Collection[str]) -> None:
    """Refuse a protocol id the clinic does not know (a typo gave an empty cohort)."""
    unknown = [p for p in filters.protocols if p not in known]
    if unknown:
        raise ValidationError(
            "Protocol",
            unknown[0],
            _(
                "Protocol '{protocol}' is not one of this clinic's: {known}.",
                protocol=unknown[0],
                known=", ".join(sorted(known)),
            ),
        )


def console_export(
    ctx: ServiceContext,
    filters: CohortFilter,
    fmt: Format,
    *,
    deidentify: bool,
    renderer: CohortRenderer | None = None,
) -> tuple[CohortTable, bytes]:
    """``kapdesk cohort``: the table, its file's bytes; audited with the console user."""
    check_protocols(filters, ctx.protocols)
    pseudo = None
    if deidentify and (filters.started_from or filters.started_to):
        raise ValidationError(
            "--from/--to",
            filters.started_from or filters.started_to,
            _(
                "--deidentify takes no --from or --to: de-identified dates are shifted per "
                "patient, so the rows would show dates outside the range, and the range would "
                "narrow each patient's secret shift. Filter by protocol and status, or leave "
                "out --deidentify."
            ),
        )
    if deidentify:
        from kapdesk.services.research_key import research_key

        pseudo = Pseudonymizer(research_key(ctx)[0])
    table = cohort_table(ctx, filters, pseudo=pseudo)
    data = render(ctx, table, fmt, renderer, console_actor())
    audit_console_export(ctx, table, fmt)
    return table, data


def save_for(
    ctx: ServiceContext,
    actor: Actor,
    table: CohortTable,
    fmt: Format,
    renderer: CohortRenderer | None = None,
) -> bytes:
    """The Cohort screen's Save as CSV / PDF of the table it shows; audited."""
    actor.require(Action.VIEW_COHORT)
    data = render(ctx, table, fmt, renderer, actor.full_name)
    record = AuditRecord(AUDIT_ACTION, "database", None, after=audit_details(table, fmt))
    with ctx.db.write() as s:
        audit_change(s, ctx, actor, record)
    return data
