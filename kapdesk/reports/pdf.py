"""The PDF renderer the ReportService prints with (reportlab, loaded on the first print).

The services assemble what a report says (``kapdesk.services.report_data``) and
audit each print; this package only draws. The ui and the command line hand
``PDF`` to ``ReportService(ctx, renderer=PDF)``, so the services never import
reportlab nor this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # `kapdesk report course` reads no cohort (kapdesk.domain.cohort, statistics)
    from kapdesk.domain.cohort import CohortTable
    from kapdesk.services.report_data.model import CourseReport, PrintContext
    from kapdesk.services.report_data.session_model import SessionReport


class PdfRenderer:
    """A ``kapdesk.services.reports.ReportRenderer`` drawing A4 pages with reportlab."""

    def session_pdf(self, report: SessionReport) -> bytes:
        _import_reportlab()
        from kapdesk.reports.render_session import render_session_pdf

        return render_session_pdf(report)

    def course_pdf(self, report: CourseReport) -> bytes:
        _import_reportlab()
        from kapdesk.reports.render_course import render_course_pdf

        return render_course_pdf(report)

    def cohort_pdf(self, table: CohortTable, pc: PrintContext) -> bytes:
        _import_reportlab()
        from kapdesk.reports.render_cohort import render_cohort_pdf

        return render_cohort_pdf(table, pc)


def _import_reportlab() -> None:
    from kapdesk.reports.deferred import import_paragraph

    import_paragraph()


PDF: Final = PdfRenderer()
