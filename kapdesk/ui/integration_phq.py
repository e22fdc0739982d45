"""The integration note editor's "Record PHQ-9…": the instrument form linked to the note's
course, and the line that says what was recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from kapdesk.i18n import _
from kapdesk.services.courses import CourseService
from kapdesk.ui.instrument_form import InstrumentDialog
from kapdesk.ui.widgets import local_time

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kapdesk.ui.app_context import AppContext


def phq9_dialog(app: AppContext, course_id: int, parent: QWidget) -> InstrumentDialog:
    """The PHQ-9 form for the course's patient, linked to the course (not yet opened)."""
    patient_id = CourseService(app.ctx).get(course_id).patient_id
    return InstrumentDialog(app, patient_id, "PHQ-9", course_id=course_id, parent=parent)


def phq9_line(dialog: InstrumentDialog) -> str:
    """What the form recorded, as the editor's line ("" when nothing was recorded)."""
    r = dialog.recorded
    if r is None:
        return ""
    line = QCoreApplication.translate(
        "IntegrationNoteEditor", "PHQ-9 recorded {time}: {total} / {top} – {band}"
    ).format(time=local_time(r.taken_at), total=r.total, top=r.max_total, band=_(r.band))
    if not r.item9_flag:
        return line
    flag = QCoreApplication.translate(
        "IntegrationNoteEditor", "item 9 > 0: clinician follow-up required"
    )
    return f"{line}  ·  {flag}"
