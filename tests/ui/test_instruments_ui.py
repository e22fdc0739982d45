"""PHQ-9 / GAD-7 entry from the chart, keyboard only; the stored row and the plot after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.instruments import GAD7, PHQ9, PHQ_GAD_ATTRIBUTION
from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import InstrumentResult
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.instrument_form import ITEM9_FLAG_TEXT, InstrumentDialog, InstrumentForm
from kapdesk.ui.patient_chart import PatientChart

from .conftest import focused, table_counts
from .helpers_patients import CourseHistory, actor_for, build_course_history, show_chart

DIGIT_KEYS = {str(d): getattr(Qt.Key, f"Key_{d}") for d in range(10)}


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock)


@pytest.fixture
def chart(qtbot: QtBot, app: AppContext, history: CourseHistory) -> PatientChart:
    return show_chart(qtbot, app, history.patient.id, Role.THERAPIST)


def open_form(qtbot: QtBot, chart: PatientChart, code: str = "PHQ-9") -> InstrumentDialog:
    button = chart.phq_button if code == "PHQ-9" else chart.gad_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = chart.dialog
    assert isinstance(dialog, InstrumentDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.form.rows[0])
    return dialog


def type_answers(qtbot: QtBot, answers: str) -> None:
    for digit in answers:
        qtbot.keyClick(focused(), DIGIT_KEYS[digit])


def phq9_rows(app: AppContext) -> list[InstrumentResult]:
    with app.ctx.db.read() as s:
        return list(
            s.scalars(
                select(InstrumentResult)
                .where(InstrumentResult.instrument == "PHQ-9")
                .order_by(InstrumentResult.id)
            )
        )


def test_phq9_by_keyboard_is_stored_and_plotted(
    qtbot: QtBot, app: AppContext, chart: PatientChart, history: CourseHistory, clock: FakeClock
) -> None:
    clock.advance(timedelta(weeks=1))  # week 7 of the course
    dialog = open_form(qtbot, chart)
    assert dialog.course.currentData() == history.course.id
    type_answers(qtbot, "01000001")
    assert dialog.form.total.text() == "Total so far 2 / 27 (8 of 9 items answered)"
    assert not dialog.form.flag.isVisible()
    type_answers(qtbot, "2")  # item 9
    assert dialog.form.flag.isVisible()
    assert dialog.form.flag.text() == ITEM9_FLAG_TEXT
    assert dialog.form.total.text() == "Total 4 / 27 – minimal"
    assert dialog.form.band_rule.text() == "PHQ-9 0-4: minimal (Kroenke 2001)"
    assert focused() is dialog.save_button  # after the last item
    with qtbot.waitSignal(app.signals.data_changed):
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert not dialog.isVisible()

    row = phq9_rows(app)[-1]
    assert row.answers == [0, 1, 0, 0, 0, 0, 0, 1, 2]
    assert (row.total, row.band, row.item9_flag) == (4, "minimal", True)
    assert (row.patient_id, row.course_id) == (history.patient.id, history.course.id)
    assert row.recorded_by == app.require_actor().user_id
    assert row.taken_at == clock.now()

    qtbot.waitUntil(lambda: len(chart.outcome_chart.curve_data()[0]) == 5)
    assert chart.outcome_chart.curve_data() == ([0.0, 2.0, 4.0, 6.0, 7.0], [20, 14, 9, 7, 4])
    xs, ys = chart.outcome_chart.item9_points.getData()
    assert (list(xs), list(ys)) == ([0.0, 7.0], [20.0, 4.0])
    assert chart.item9_banner.isVisible()
    assert "answered 2 – clinician follow-up required" in chart.item9_banner.text()
    assert "response: yes · remission: yes" in chart.outcome.text()


def test_unanswered_item_is_named_and_nothing_stored(
    qtbot: QtBot, app: AppContext, chart: PatientChart
) -> None:
    dialog = open_form(qtbot, chart)
    type_answers(qtbot, "1111")
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # skip item 5
    type_answers(qtbot, "1111")
    before = table_counts(app.ctx.db)
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.message.text() == ("PHQ-9 item 5 is not answered yet; answer every item (0-3).")
    assert focused() is dialog.form.rows[4]
    assert table_counts(app.ctx.db) == before
    type_answers(qtbot, "3")
    assert dialog.form.answers() == [1, 1, 1, 1, 3, 1, 1, 1, 1]


def test_arrow_keys_and_delete_edit_answers(qtbot: QtBot) -> None:
    form = InstrumentForm(PHQ9)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.focus_item(0)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.rows[0])
    row = form.rows[0]
    qtbot.keyClick(row, Qt.Key.Key_Right)
    assert row.value() == 0
    qtbot.keyClick(row, Qt.Key.Key_Right)
    qtbot.keyClick(row, Qt.Key.Key_Right)
    qtbot.keyClick(row, Qt.Key.Key_Right)
    qtbot.keyClick(row, Qt.Key.Key_Right)
    assert row.value() == 3  # stops at the top answer
    qtbot.keyClick(row, Qt.Key.Key_Left)
    assert row.value() == 2
    qtbot.keyClick(row, Qt.Key.Key_4)  # not an answer: ignored, focus stays
    assert row.value() == 2
    assert focused() is row
    qtbot.keyClick(row, Qt.Key.Key_Delete)
    assert row.value() is None
    qtbot.keyClick(row, Qt.Key.Key_Down)
    assert focused() is form.rows[1]
    qtbot.keyClick(form.rows[1], Qt.Key.Key_Up)
    assert focused() is row
    # A mouse click on an answer counts too.
    qtbot.mouseClick(form.rows[8].buttons[1], Qt.MouseButton.LeftButton)
    assert form.answers()[8] == 1
    assert form.flag.isVisible()


def test_gad7_is_stored_without_an_item9_flag(
    qtbot: QtBot, app: AppContext, chart: PatientChart
) -> None:
    dialog = open_form(qtbot, chart, "GAD-7")
    assert len(dialog.form.rows) == GAD7.item_count
    type_answers(qtbot, "3333333")
    assert dialog.form.total.text() == "Total 21 / 21 – severe"
    assert not dialog.form.flag.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    with app.ctx.db.read() as s:
        row = s.scalars(
            select(InstrumentResult)
            .where(InstrumentResult.instrument == "GAD-7")
            .order_by(InstrumentResult.id.desc())
        ).first()
        assert row is not None
        assert (row.answers, row.total, row.band, row.item9_flag) == ([3] * 7, 21, "severe", False)
    qtbot.waitUntil(lambda: chart.gad_table.rowCount() == 2)
    assert chart.gad_table.item(0, 1).text() == "21"


def test_form_shows_item_texts_and_attribution(qtbot: QtBot, chart: PatientChart) -> None:
    dialog = open_form(qtbot, chart)
    texts = [r.text.text() for r in dialog.form.rows]
    assert texts == list(PHQ9.items)
    labels = dialog.findChildren(type(dialog.form.total))
    assert any(PHQ_GAD_ATTRIBUTION in label.text() for label in labels)
    assert dialog.form.rows[8].accessibleName() == f"Item 9: {PHQ9.items[8]}"
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_nurse_records_a_phq9_taken_earlier(
    qtbot: QtBot, app: AppContext, chart: PatientChart, clock: FakeClock
) -> None:
    app.actor = actor_for(app, Role.NURSE)
    dialog = open_form(qtbot, chart)
    earlier = clock.now() - timedelta(days=2)
    dialog.taken_at.setDateTime(dialog.taken_at.dateTime().addDays(-2))
    type_answers(qtbot, "000000000")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    row = phq9_rows(app)[-1]
    assert row.taken_at == earlier
    assert row.recorded_by == actor_for(app, Role.NURSE).user_id


def test_future_time_is_refused_at_the_field(
    qtbot: QtBot, app: AppContext, chart: PatientChart
) -> None:
    dialog = open_form(qtbot, chart)
    dialog.taken_at.setDateTime(dialog.taken_at.dateTime().addSecs(3600))
    type_answers(qtbot, "000000000")
    before = table_counts(app.ctx.db)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert dialog.isVisible()
    message = dialog.fields.messages()["Taken at"]
    assert "is in the future" in message
    assert table_counts(app.ctx.db) == before
