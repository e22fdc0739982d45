"""A long course's chart in the main window at 1024x700 and 1280x800, in the app's style.

The outcome plot fits its widget whole (pyqtgraph laid a ~210 px plot out ~270 px wide
beside the PHQ-9/GAD-7 tables at 1024 px: its newest follow-ups and right-hand labels
were out of sight), and is never squeezed below its height by the course outcome text
(a line per follow-up: the text and the tabs under it were cut off at the bottom).
The tables show every column; every follow-up of the course stays readable.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QScrollArea, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import PAGE_PATIENTS, MainWindow
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.run import stylesheet

from .conftest import show_main_window
from .helpers_patients import T0, actor_for, add_patient
from .test_chart_width import _fits

# Weekly in the acute phase, then every two weeks for ten months (21 follow-ups); two rise
# 5 points above the endpoint (deterioration), one answers item 9 above 0.
ACUTE = (20, 18, 17, 15, 14, 12, 11, 10, 9)
FOLLOW = (8, 9, 7, 10, 15, 9, 8, 7, 9, 10, 8, 14, 9, 7, 8, 9, 10, 8, 7, 9, 8)
SIZES = [(1024, 700), (1280, 800)]


def answers(total: int, item9: int = 0) -> list[int]:
    out = [0] * 9
    out[8] = item9
    left = total - item9
    for i in range(8):
        out[i] = min(3, left)
        left -= out[i]
    return out


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    before = qapp.styleSheet()
    qapp.setStyleSheet(stylesheet())
    yield
    qapp.setStyleSheet(before)


@pytest.fixture
def long_course(app: AppContext, clock: FakeClock) -> int:
    clinician = actor_for(app, Role.CLINICIAN)
    clock.set(T0)
    patient = add_patient(app, clinician, allergies="Penicillin (rash)")
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    service = InstrumentService(app.ctx)
    days = [7 * i for i in range(len(ACUTE))] + [63 + 14 * i for i in range(len(FOLLOW))]
    for n, (day, total) in enumerate(zip(days, ACUTE + FOLLOW, strict=True)):
        clock.set(T0 + timedelta(days=day))
        item9 = 1 if n == len(ACUTE) + 4 else 0
        service.record(clinician, patient.id, "PHQ-9", answers(total, item9), course_id=course.id)
        if n % 4 == 0:
            service.record(
                clinician, patient.id, "GAD-7", [2, 1, 1, 2, 1, 1, 1], course_id=course.id
            )
    app.actor = clinician
    return patient.id


def _chart(qtbot: QtBot, app: AppContext, patient_id: int, size: tuple[int, int]) -> PatientChart:
    window: MainWindow = show_main_window(qtbot, app)
    window.resize(*size)
    window.show_page(PAGE_PATIENTS)
    page = window.patients_page
    assert page is not None
    chart = page.open_patient(patient_id)
    qtbot.wait(50)
    QApplication.processEvents()
    assert (window.size().width(), window.size().height()) == size
    return chart


def _scroll_to(widget: QWidget, rect: QRect | None = None) -> None:
    """Scroll every scroll area around ``widget`` so that ``rect`` of it is in view."""
    area = rect or widget.rect()
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None:
            inner = parent.widget()
            top_left = widget.mapTo(inner, area.topLeft())
            centre = top_left + QPoint(area.width() // 2, area.height() // 2)
            parent.ensureVisible(
                centre.x(), centre.y(), area.width() // 2 + 1, area.height() // 2 + 1
            )
        parent = parent.parentWidget()
    QApplication.processEvents()


def _seen(widget: QWidget, rect: QRect | None = None) -> bool:
    """``rect`` of ``widget`` (all of it by default) is visible: inside every ancestor's
    rectangle up to the window, after scrolling to it."""
    area = rect or widget.rect()
    _scroll_to(widget, area)
    if not widget.isVisible():
        return False
    child: QWidget = widget
    box = QRect(area)
    parent = widget.parentWidget()
    while parent is not None:
        box = QRect(child.mapTo(parent, box.topLeft()), box.size())
        clip = parent.rect()
        if isinstance(parent, QAbstractScrollArea):
            clip = parent.viewport().geometry()
        if not clip.adjusted(-1, -1, 1, 1).contains(box):
            return False
        child, parent = parent, parent.parentWidget()
    return True


def _columns_shown(table: QTableWidget) -> None:
    header = table.horizontalHeader()
    name = table.accessibleName()
    total = sum(header.sectionSize(c) for c in range(header.count()))
    assert total <= table.viewport().width() + 1, f"{name}: columns wider than the table"
    for c in range(header.count()):
        assert header.sectionSize(c) + 1 >= header.sectionSizeHint(c), (name, c)


def _follow_up_rows(chart: PatientChart) -> list[str]:
    table = chart.follow_ups.table
    return [
        " ".join(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


@pytest.mark.usefixtures("styled")
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_long_course_chart_fits_the_window(
    qtbot: QtBot, app: AppContext, long_course: int, size: tuple[int, int]
) -> None:
    chart = _chart(qtbot, app, long_course, size)
    plot = chart.outcome_chart
    xs, _ = plot.follow_up_points.getData()
    assert len(xs) == len(FOLLOW)
    # the plot: its view box and every point inside the widget, the widget seen whole
    _fits(plot.plot, plot.legend, [plot.curve, plot.follow_up_points, plot.item9_points])
    assert plot.height() >= plot.minimumHeight()
    assert _seen(plot.plot), "the plot is cut off"
    # the tables: every column, and the tables themselves, in sight
    for table in (chart.phq_table, chart.gad_table):
        _columns_shown(table)
        assert table.viewport().height() >= 2 * table.verticalHeader().defaultSectionSize()
        assert _seen(table), f"{table.accessibleName()} is cut off"
    # the course outcome: its text whole, with the latest follow-up and the deteriorations
    outcome = chart.outcome
    assert outcome.height() >= outcome.heightForWidth(outcome.width())
    assert _seen(outcome)
    assert "21 follow-ups" in outcome.text()
    assert "2 with deterioration" in outcome.text()


@pytest.mark.usefixtures("styled")
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_follow_up_is_readable_from_the_keyboard(
    qtbot: QtBot, app: AppContext, long_course: int, size: tuple[int, int]
) -> None:
    chart = _chart(qtbot, app, long_course, size)
    follow = chart.follow_ups
    assert not follow.table.isVisible()  # folded: the outcome says how many, and the latest
    button = follow.button
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    QApplication.processEvents()
    table = follow.table
    assert table.isVisible()
    assert table.rowCount() == len(FOLLOW)
    rows = _follow_up_rows(chart)
    assert rows[0].startswith("2027-02-08 9-month follow-up 8 no deterioration")  # newest first
    worse = [r for r, text in enumerate(rows) if " deterioration (loss of response; rise" in text]
    assert len(worse) == 2
    assert all(table.item(r, 3).font().bold() for r in worse)  # as in the PHQ-9 history
    _columns_shown(table)
    for r in range(table.rowCount()):  # each row can be scrolled to and read whole
        table.scrollToItem(table.item(r, 0))
        QApplication.processEvents()
        cells = QRect(table.visualItemRect(table.item(r, 0)))
        cells = cells.united(table.visualItemRect(table.item(r, table.columnCount() - 1)))
        assert _seen(table.viewport(), cells), f"follow-up {r} is out of sight"
    _fits(
        chart.outcome_chart.plot,
        chart.outcome_chart.legend,
        [chart.outcome_chart.curve, chart.outcome_chart.follow_up_points],
    )
    qtbot.keyClick(button, Qt.Key.Key_Space)
    QApplication.processEvents()
    assert not table.isVisible()


@pytest.mark.usefixtures("styled")
def test_the_tables_go_under_the_plot_when_beside_it_the_plot_is_too_narrow(
    qtbot: QtBot, app: AppContext, long_course: int
) -> None:
    chart = _chart(qtbot, app, long_course, (1024, 700))
    plot, tables = chart.outcome_chart, chart.phq_table

    def under() -> bool:
        QApplication.processEvents()
        return tables.mapTo(chart, QPoint(0, 0)).y() > plot.mapTo(chart, QPoint(0, 0)).y() + 100

    assert under()
    chart.window().resize(1280, 800)
    assert not under()
    chart.window().resize(1024, 700)
    assert under()


@pytest.mark.usefixtures("styled")
def test_the_wheel_over_the_plot_scrolls_the_page(
    qtbot: QtBot, app: AppContext, long_course: int
) -> None:
    """The plot neither zooms nor pans: the wheel over it scrolls the chart's page (at
    1024x700 the tables are under the plot, further down)."""
    chart = _chart(qtbot, app, long_course, (1024, 700))
    bar = chart.page.verticalScrollBar()
    assert bar.maximum() > 0
    view = chart.outcome_chart.plot
    before = view.getViewBox().viewRange()
    at = QPointF(view.viewport().width() / 2, view.viewport().height() / 2)
    wheel = QWheelEvent(
        at,
        view.viewport().mapToGlobal(at),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert bar.value() > 0
    assert view.getViewBox().viewRange() == before


@pytest.mark.usefixtures("styled")
def test_the_next_patient_opens_folded_and_from_the_top(
    qtbot: QtBot, app: AppContext, clock: FakeClock, long_course: int
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    other = add_patient(app, clinician, mrn="KAP-0100", given_name="Ana", family_name="Lima")
    course = CourseService(app.ctx).start(clinician, other.id, "kap-default")
    start = clock.now()
    for day, total in ((0, 18), (56, 9), (84, 10), (112, 16)):  # 10, 16: response lost
        clock.set(start + timedelta(days=day))
        InstrumentService(app.ctx).record(
            clinician, other.id, "PHQ-9", answers(total), course_id=course.id
        )
    chart = _chart(qtbot, app, long_course, (1024, 700))
    chart.follow_ups.button.setChecked(True)
    chart.page.verticalScrollBar().setValue(chart.page.verticalScrollBar().maximum())
    page = chart.window().patients_page  # type: ignore[attr-defined]
    assert page.open_patient(other.id) is chart
    QApplication.processEvents()
    assert chart.page.verticalScrollBar().value() == 0
    assert not chart.follow_ups.button.isChecked()
    assert not chart.follow_ups.table.isVisible()
    d84, d112 = (f"{start + timedelta(days=d):%Y-%m-%d}" for d in (84, 112))
    assert f"2 follow-ups after the acute phase, 2 with deterioration ({d84}, {d112})" in (
        chart.outcome.text()
    )
    chart.follow_ups.button.setChecked(True)
    assert _follow_up_rows(chart)[1].startswith(d84)  # newest first
    assert len(_follow_up_rows(chart)) == 2
