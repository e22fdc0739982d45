"""What a chart measures while it opens: wrapped labels remember their heights, the tables
behind the Outcomes tab are measured when shown, and nothing is cut off either way."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.widgets.wrap_label import WrapLabel

from .helpers_patients import CourseHistory, actor_for, build_course_history
from .test_nothing_cut_off import cut_off, styled  # noqa: F401  (styled: a fixture)

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


@pytest.mark.usefixtures("styled")  # the cells' paddings as a person sees them
@pytest.mark.parametrize("width", [1100, 560])  # 560: the chart's width at 1024x700
def test_sessions_and_notes_are_measured_when_their_tab_is_shown(
    qtbot: QtBot, app: AppContext, history: CourseHistory, width: int
) -> None:
    """Filled behind the Outcomes tab, the Sessions and Integration notes tables are measured
    when first shown, and then fit it: every cell read whole, no sideways scrolling."""
    app.actor = actor_for(app, Role.THERAPIST)
    chart = PatientChart(app, history.patient.id)
    qtbot.addWidget(chart)
    chart.resize(width, 760)
    chart.show()
    qtbot.waitExposed(chart)
    sessions, notes = chart.sessions_table, chart.notes_panel.table
    assert chart.tabs.currentIndex() == 0
    assert sessions.rowCount() == len(history.session_ids)  # filled, not yet measured
    assert sessions.fit_shares.stale  # type: ignore[attr-defined]
    for index, table in ((1, sessions), (2, notes)):
        chart.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert not table.fit_shares.stale  # type: ignore[attr-defined]
        if table is sessions or width > 1000:  # the notes' English headers need ~530 px
            assert cut_off(table) == [], index
    chart.tabs.setCurrentIndex(1)
    chart.refresh()  # while shown, the columns follow their contents at once
    assert not sessions.fit_shares.stale  # type: ignore[attr-defined]
    assert cut_off(sessions) == []
