"""The next patient's chart, and another course chosen in it, paint the plot once: the
chart is laid out and the plot's view, labels and texts placed before the paint, not in it
(moving them in the paint made the plot paint twice on every open), and they end where the
paint would have put them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QObject
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patients_page import PatientsPage

from .helpers_patients import CourseHistory, actor_for, add_patient, build_course_history


class Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock, latest_item9=2, allergies="Latex")


@pytest.fixture
def other(app: AppContext) -> int:
    return add_patient(
        app, actor_for(app, Role.CLINICIAN), mrn="KAP-0100", given_name="Ana", family_name="Lima"
    ).id


@pytest.fixture
def page(qtbot: QtBot, app: AppContext, history: CourseHistory) -> Iterator[PatientsPage]:
    app.actor = actor_for(app, Role.CLINICIAN)
    widget = PatientsPage(app)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    if widget.chart is not None:
        widget.chart.close_editors()


def _placed(page: PatientsPage) -> list[object]:
    chart = page.chart
    assert chart is not None
    oc = chart.outcome_chart
    texts = [*oc.band_labels, oc.response_line.label, oc.remission_line.label]
    return [
        chart.allergy_banner.isVisible(),
        chart.item9_banner.isVisible(),
        oc.plot.geometry(),
        oc.plot.getViewBox().viewRange(),
        *[(t.pos(), t.transform(), t.isVisible()) for t in texts],
    ]


def test_the_next_patients_plot_is_painted_once_where_a_paint_would_place_it(
    qtbot: QtBot, page: PatientsPage, history: CourseHistory, other: int
) -> None:
    page.open_patient(history.patient.id)
    qtbot.wait(200)
    paints = Paints()
    assert page.chart is not None
    page.chart.outcome_chart.plot.viewport().installEventFilter(paints)
    # Banners, outcome and results come and go: the plot's size and range change each time.
    for patient in (other, history.patient.id, other):
        paints.count = 0
        page.open_patient(patient)
        qtbot.waitUntil(lambda: paints.count > 0)
        qtbot.wait(200)
        assert paints.count == 1, patient
        placed = _placed(page)
        page.chart.outcome_chart.plot.scene().prepareForPaint()  # what the paint would do
        page.chart.outcome_chart.place_labels()
        assert _placed(page) == placed


def test_another_course_chosen_paints_the_plot_once_where_a_paint_would_place_it(
    qtbot: QtBot, app: AppContext, clock: FakeClock, page: PatientsPage, other: int
) -> None:
    clinician, therapist = actor_for(app, Role.CLINICIAN), actor_for(app, Role.THERAPIST)
    courses, instruments = CourseService(app.ctx), InstrumentService(app.ctx)
    first = courses.start(clinician, other, "kap-default").id
    for answers in ((3, 3, 2, 2, 3, 2, 3, 2, 0), (1, 1, 1, 0, 1, 0, 1, 0, 0)):
        instruments.record(therapist, other, "PHQ-9", list(answers), course_id=first)
        clock.advance(timedelta(days=14))
    courses.end(clinician, first, clock.now().astimezone().date())
    second = courses.start(clinician, other, "kap-default").id
    chart = page.open_patient(other)
    qtbot.wait(200)
    paints = Paints()
    chart.outcome_chart.plot.viewport().installEventFilter(paints)
    # the first course's results, then none, then the results again: the range changes
    for course_id in (first, second, first):
        paints.count = 0
        chart.course_combo.setCurrentIndex(chart.course_combo.findData(course_id))
        qtbot.waitUntil(lambda: paints.count > 0)
        qtbot.wait(200)
        assert paints.count == 1, course_id
        placed = _placed(page)
        chart.outcome_chart.plot.scene().prepareForPaint()  # what the paint would do
        chart.outcome_chart.place_labels()
        assert _placed(page) == placed
