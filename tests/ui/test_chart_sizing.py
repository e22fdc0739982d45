"""What a chart measures while it opens: wrapped labels remember their heights, the tables
behind the Outcomes tab are measured when shown, and nothing is cut off either way."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QHeaderView, QLabel, QTableWidget
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.widgets.wrap_label import WrapLabel

from .helpers_patients import CourseHistory, actor_for, build_course_history

LINES = "Course outcome (PHQ-9): baseline 20 (severe) → endpoint 7 (mild) · change −65 %"


def test_wrap_label_answers_as_qlabel_and_forgets_on_a_new_text(qtbot: QtBot) -> None:
    label, plain = WrapLabel(), QLabel()
    plain.setWordWrap(True)
    for widget in (label, plain):
        qtbot.addWidget(widget)
    for text in (LINES, "\n".join([LINES] * 6), "short"):
        label.setText(text)
        plain.setText(text)
        for width in (120, 300, 900, 300):
            assert label.heightForWidth(width) == plain.heightForWidth(width)
    one = label.heightForWidth(300)
    label.setText("\n".join([LINES] * 3))
    assert label.heightForWidth(300) > one
    label.clear()
    plain.clear()
    assert label.heightForWidth(300) == plain.heightForWidth(300)
    big = label.font()
    big.setPointSize(big.pointSize() * 2)
    label.setText(LINES)
    small = label.heightForWidth(300)
    label.setFont(big)
    assert label.heightForWidth(300) > small


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock)


def widest_cells(table: QTableWidget, column: int) -> int:
    return max(table.sizeHintForColumn(column), table.horizontalHeader().sectionSizeHint(column))


def test_sessions_and_notes_are_measured_when_their_tab_is_shown(
    qtbot: QtBot, app: AppContext, history: CourseHistory
) -> None:
    app.actor = actor_for(app, Role.THERAPIST)
    chart = PatientChart(app, history.patient.id)
    qtbot.addWidget(chart)
    chart.resize(1100, 760)
    chart.show()
    qtbot.waitExposed(chart)
    sessions, notes = chart.sessions_table, chart.notes_panel.table
    assert chart.tabs.currentIndex() == 0
    assert sessions.rowCount() == len(history.session_ids)  # filled, not yet measured
    header = sessions.horizontalHeader()
    assert header.sectionResizeMode(2) == QHeaderView.ResizeMode.Fixed
    for index, table in ((1, sessions), (2, notes)):
        chart.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        header = table.horizontalHeader()
        for column in range(table.columnCount() - 1):  # the last one stretches
            assert header.sectionResizeMode(column) == QHeaderView.ResizeMode.ResizeToContents
            assert table.columnWidth(column) >= widest_cells(table, column), (index, column)
    chart.tabs.setCurrentIndex(1)
    chart.refresh()  # while shown, the columns follow their contents at once
    assert sessions.horizontalHeader().sectionResizeMode(2) == (
        QHeaderView.ResizeMode.ResizeToContents
    )
