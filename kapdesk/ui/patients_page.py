"""The Patients page: the search list on the left, the open patient's chart on the right.

``open_patient(id)`` (also reached through ``signals.navigate_patient``) shows
that patient's ``PatientChart``, which audits the view. The chart is built ahead,
empty, while the app is idle after sign-in (``ChartWarmup``, begun by the main window;
what is left of it is built on the first open) and then shows each patient opened
(``PatientChart.show_patient``): building and styling its widgets cost most of a first open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from kapdesk.ui.chart_warmup import ChartWarmup
from kapdesk.ui.patient_list import PatientList

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.patient_chart import PatientChart


class PatientsPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setObjectName("patientsPage")
        self.chart: PatientChart | None = None
        self.list = PatientList(app, shortcut_scope=self)  # Ctrl+N from the chart too
        self.list.patient_opened.connect(self.open_patient)

        self.placeholder = QLabel(
            self.tr(
                "Find a patient: type a name, an MRN or a date of birth, then press Enter.\n"
                "Ctrl+N adds a new patient."
            )
        )
        self.placeholder.setObjectName("pageSubtitle")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(self.stack)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([310, 900])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self.setFocusProxy(self.list.search)
        app.signals.navigate_patient.connect(self._navigate)
        self.warmup = ChartWarmup.adopt(app, self.stack, self)  # begun at sign-in, if it was
        self.warmup.start()

    def _navigate(self, patient_id: int) -> None:
        if self.chart is None or self.chart.patient_id != patient_id:
            self.open_patient(patient_id)

    def open_patient(self, patient_id: int) -> PatientChart:
        chart = self.chart
        if chart is None:
            chart = self.chart = self.warmup.finish()  # built ahead (what is left of it: now)
            # Filled, then put in the stack and shown: filled inside the stack while hidden,
            # its banners came out 2 px shorter than in a chart filled when shown.
            chart.show_patient(patient_id)
            self.stack.addWidget(chart)
            self.stack.setCurrentWidget(chart)
        else:
            chart.show_patient(patient_id)
        self.list.select_patient(patient_id)
        return chart
