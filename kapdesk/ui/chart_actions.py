"""The patient chart's buttons: which the signed-in role may use, and what they open.

Part of ``PatientChart`` (ui/patient_chart.py), kept apart for the module size limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget

from kapdesk.domain.permissions import Action, can
from kapdesk.ui.course_dialog import ScheduleSessionDialog
from kapdesk.ui.instrument_form import InstrumentDialog
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.printing import ReportActions, ReportTarget, course_target

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseInfo, PatientInfo
    from kapdesk.ui.app_context import AppContext


class ChartActions(QWidget):
    """The actions of a ``PatientChart``, which builds the widgets named here."""

    app: AppContext
    patient_id: int | None
    patient: PatientInfo | None
    courses: list[CourseInfo]
    dialog: QWidget | None
    course_combo: QComboBox
    edit_button: QPushButton
    start_course_button: QPushButton
    schedule_button: QPushButton
    phq_button: QPushButton
    gad_button: QPushButton
    report_actions: ReportActions

    def selected_course(self) -> CourseInfo | None:
        course_id = self.course_combo.currentData()
        return next((c for c in self.courses if c.id == course_id), None)

    # ------------------------------------------------------------ permissions
    def update_permissions(self) -> None:
        actor = self.app.actor
        role = actor.role if actor is not None else None
        course = self.selected_course()
        open_course = course is not None and course.ended_on is None

        def allow(button: QPushButton, action: Action, extra: bool = True, why: str = "") -> None:
            permitted = role is not None and can(role, action)
            button.setEnabled(permitted and extra)
            if not permitted:
                why_not = QCoreApplication.translate("PatientChart", "Your role may not {action}.")
                button.setToolTip(why_not.format(action=action.label))
            else:
                button.setToolTip("" if extra else why)

        allow(self.edit_button, Action.EDIT_PATIENT)
        has_open = any(c.ended_on is None for c in self.courses)
        allow(
            self.start_course_button,
            Action.MANAGE_COURSES,
            not has_open,
            QCoreApplication.translate("PatientChart", "The patient already has an open course."),
        )
        allow(
            self.schedule_button,
            Action.SCHEDULE_SESSION,
            open_course,
            QCoreApplication.translate("PatientChart", "Choose an open course."),
        )
        allow(self.phq_button, Action.RECORD_INSTRUMENT)
        allow(self.gad_button, Action.RECORD_INSTRUMENT)
        self.report_actions.update()

    def _course_target(self) -> ReportTarget | None:
        # The course and patient the chart read (no read of its own on every refresh).
        course, patient = self.selected_course(), self.patient
        if course is None or patient is None:
            return None
        return course_target(self.app, course, patient)

    # ------------------------------------------------------------ actions
    def _show(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.open()  # type: ignore[attr-defined]

    def edit_patient(self) -> None:
        if self.patient is not None:
            self._show(PatientDialog(self.app, self.patient, self))

    def schedule_session(self) -> None:
        course = self.selected_course()
        if course is not None:
            self._show(ScheduleSessionDialog(self.app, course, self))

    def record_instrument(self, code: str) -> None:
        if self.patient_id is None:
            return
        course = self.selected_course()
        self._show(
            InstrumentDialog(
                self.app, self.patient_id, code, course_id=course.id if course else None,
                parent=self,
            )
        )  # fmt: skip

    def _open_session(self, session_id: int) -> None:
        self.app.signals.navigate_session.emit(session_id)
