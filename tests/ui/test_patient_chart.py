"""The patient chart: demographics, banners, courses, sessions, outcome line and trend plot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.instruments import InstrumentService
from kapdesk.storage.orm import AuditEntry, Course, DosingSession
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.course_dialog import ScheduleSessionDialog, StartCourseDialog
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.widgets.outcome_chart import outcome_text

from .conftest import table_counts
from .helpers_patients import CourseHistory, actor_for, add_patient, build_course_history

MakeChart = Callable[..., PatientChart]


@pytest.fixture
def make_chart(qtbot: QtBot, app: AppContext) -> MakeChart:
    def make(patient_id: int, role: Role = Role.CLINICIAN) -> PatientChart:
        app.actor = actor_for(app, role)
        chart = PatientChart(app, patient_id)
        qtbot.addWidget(chart)
        chart.resize(1100, 760)
        chart.show()
        qtbot.waitExposed(chart)
        return chart

    return make


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock, allergies="Penicillin (rash)")


def test_header_shows_demographics_and_allergies(
    make_chart: MakeChart, history: CourseHistory
) -> None:
    chart = make_chart(history.patient.id)
    assert chart.name.text() == "Simões, Conceição"
    # The fake clock stands in 2026-04: born 1980-05-17 makes 45.
    assert chart.demographics.text() == (
        "MRN KAP-0042  ·  born 1980-05-17 (age 45)  ·  female  ·  64.5 kg"
    )
    assert chart.allergy_banner.isVisible()
    assert chart.allergy_banner.text() == "Allergies: Penicillin (rash)"
    assert chart.allergy_banner.property("level") == "caution"
    assert not chart.item9_banner.isVisible()  # latest PHQ-9 has item 9 = 0


def test_no_allergy_banner_without_allergies(make_chart: MakeChart, app: AppContext) -> None:
    patient = add_patient(app, actor_for(app, Role.CLINICIAN))
    chart = make_chart(patient.id)
    assert not chart.allergy_banner.isVisible()
    assert chart.course_combo.currentText() == "No treatment course yet"
    assert not chart.schedule_button.isEnabled()
    assert chart.start_course_button.isEnabled()
    assert chart.outcome_chart.curve_data() == ([], [])


def test_course_outcome_for_a_responder(make_chart: MakeChart, history: CourseHistory) -> None:
    chart = make_chart(history.patient.id)
    assert chart.course_combo.currentData() == history.course.id
    assert chart.course_combo.currentText().startswith("kap-default v1.0 · from 2026-03-02")
    assert chart.outcome.text() == (
        "Course outcome (PHQ-9): baseline 20 (severe, 2026-03-02) → endpoint 7 (mild, "
        "2026-04-13, week 6) · change −65 % · response: yes · remission: no"
    )


def test_outcome_text_before_a_second_result(app: AppContext) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician)
    from kapdesk.services.courses import CourseService

    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    service = InstrumentService(app.ctx)
    assert outcome_text(service.course_outcome(course.id)) == (
        "Course outcome: no PHQ-9 on this course yet."
    )
    service.record(clinician, patient.id, "PHQ-9", [1] * 9, course_id=course.id)
    assert outcome_text(service.course_outcome(course.id)).startswith(
        "Course outcome (PHQ-9): baseline 9 (mild, 2026-03-02); a later PHQ-9"
    )


def test_trend_plot_data_bands_and_lines(make_chart: MakeChart, history: CourseHistory) -> None:
    chart = make_chart(history.patient.id)
    plot = chart.outcome_chart
    assert plot.curve_data() == ([0.0, 2.0, 4.0, 6.0], [20.0, 14.0, 9.0, 7.0])
    xs, ys = plot.item9_points.getData()
    assert (list(xs), list(ys)) == ([0.0], [20.0])  # item 9 was 1 at baseline only
    regions = [tuple(r.getRegion()) for r in plot.band_regions]
    assert regions == [(0, 4.5), (4.5, 9.5), (9.5, 14.5), (14.5, 19.5), (19.5, 27)]
    assert [t.textItem.toPlainText() for t in plot.band_labels] == [
        "minimal", "mild", "moderate", "moderately severe", "severe",
    ]  # fmt: skip
    assert plot.response_line.isVisible()
    assert plot.response_line.value() == 10.0  # 50 % of the baseline 20
    assert "≤ 10 (50 % of baseline 20)" in plot.response_line.label.toPlainText()
    assert plot.remission_line.value() == 4.5


def test_history_tables_and_sessions(make_chart: MakeChart, history: CourseHistory) -> None:
    chart = make_chart(history.patient.id)
    phq = chart.phq_table
    assert [phq.item(r, 1).text() for r in range(phq.rowCount())] == ["7", "9", "14", "20"]
    assert [phq.item(r, 3).text() for r in range(phq.rowCount())] == ["0", "0", "0", "1"]
    assert phq.item(3, 0).font().bold()  # item 9 above 0
    assert chart.gad_table.rowCount() == 1
    s = chart.sessions_table
    assert [s.item(r, 3).text() for r in range(s.rowCount())] == [
        "Discharged", "Discharged", "Scheduled", "Scheduled",
    ]  # fmt: skip
    notes = chart.notes_panel.table
    assert [notes.item(r, 2).text() for r in range(notes.rowCount())] == ["draft", "final"]


def test_session_row_opens_the_session_workspace(
    qtbot: QtBot, app: AppContext, make_chart: MakeChart, history: CourseHistory
) -> None:
    chart = make_chart(history.patient.id)
    chart.tabs.setCurrentIndex(1)
    table = chart.sessions_table
    table.setFocus()
    table.selectRow(1)
    with qtbot.waitSignal(app.signals.navigate_session) as sig:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert sig.args == [history.session_ids[1]]
    rect = table.visualRect(table.model().index(2, 0))
    with qtbot.waitSignal(app.signals.navigate_session) as sig:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [history.session_ids[2]]


def test_item9_banner_when_the_latest_phq9_flags(
    app: AppContext, clock: FakeClock, make_chart: MakeChart
) -> None:
    history = build_course_history(app, clock, latest_item9=2)
    chart = make_chart(history.patient.id)
    assert chart.item9_banner.isVisible()
    assert chart.item9_banner.property("level") == "alert"
    assert chart.item9_banner.text() == (
        "Latest PHQ-9 (2026-04-13): item 9 (thoughts of self-harm) answered 2 – "
        "clinician follow-up required."
    )
    xs, _ys = chart.outcome_chart.item9_points.getData()
    assert list(xs) == [0.0, 6.0]


def test_chart_view_is_audited_once_per_viewer(
    app: AppContext, make_chart: MakeChart, history: CourseHistory
) -> None:
    chart = make_chart(history.patient.id)
    chart.refresh()  # refreshing is not another view
    app.actor = actor_for(app, Role.NURSE)  # switch user: the nurse now sees the chart
    with app.ctx.db.read() as s:
        views = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "patient.view").order_by(AuditEntry.id)
        ).all()
        users = [v.user_id for v in views]
    assert users == [actor_for(app, Role.CLINICIAN).user_id, actor_for(app, Role.NURSE).user_id]
    assert all(v.entity_id == str(history.patient.id) for v in views)


def test_permissions_follow_the_signed_in_role(
    app: AppContext, make_chart: MakeChart, history: CourseHistory
) -> None:
    chart = make_chart(history.patient.id, Role.THERAPIST)
    assert not chart.edit_button.isEnabled()
    assert not chart.start_course_button.isEnabled()
    assert chart.schedule_button.isEnabled()
    assert chart.phq_button.isEnabled()
    assert chart.notes_panel.new_button.isEnabled()
    app.actor = actor_for(app, Role.NURSE)
    assert chart.edit_button.isEnabled()
    assert not chart.notes_panel.new_button.isEnabled()
    assert "may not write an integration note" in chart.notes_panel.new_button.toolTip()


def test_start_a_course_and_schedule_a_session(
    qtbot: QtBot, app: AppContext, make_chart: MakeChart
) -> None:
    patient = add_patient(app, actor_for(app, Role.CLINICIAN))
    chart = make_chart(patient.id)
    qtbot.mouseClick(chart.start_course_button, Qt.MouseButton.LeftButton)
    dialog = chart.dialog
    assert isinstance(dialog, StartCourseDialog)
    dialog.protocol.setCurrentIndex(dialog.protocol.findData("spravato-rems"))
    qtbot.keyClicks(dialog.goal, "PHQ-9 below 10")
    qtbot.keyClick(dialog.goal, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    with app.ctx.db.read() as s:
        course = s.scalars(select(Course).where(Course.patient_id == patient.id)).one()
        assert (course.protocol_id, course.goal, course.ended_on) == (
            "spravato-rems", "PHQ-9 below 10", None,
        )  # fmt: skip
    qtbot.waitUntil(lambda: chart.course_combo.currentData() == course.id)
    assert not chart.start_course_button.isEnabled()  # one open course at a time

    qtbot.mouseClick(chart.schedule_button, Qt.MouseButton.LeftButton)
    sched = chart.dialog
    assert isinstance(sched, ScheduleSessionDialog)
    sched.day.setDate(QDate(2026, 3, 9))
    sched.time.setTime(QTime(10, 30))
    qtbot.keyClicks(sched.room, "3")
    qtbot.keyClick(sched.room, Qt.Key.Key_Return)
    assert not sched.isVisible()
    with app.ctx.db.read() as s:
        ds = s.scalars(select(DosingSession).where(DosingSession.course_id == course.id)).one()
        local = datetime(2026, 3, 9, 10, 30).astimezone()
        assert ds.scheduled_at == local.astimezone(UTC)
        assert (ds.room, ds.state) == ("3", "scheduled")
    qtbot.waitUntil(lambda: chart.sessions_table.rowCount() == 1)


def test_schedule_without_a_room_shows_the_message_at_the_field(
    qtbot: QtBot, app: AppContext, make_chart: MakeChart, history: CourseHistory
) -> None:
    chart = make_chart(history.patient.id)
    chart.schedule_session()
    sched = chart.dialog
    assert isinstance(sched, ScheduleSessionDialog)
    before = table_counts(app.ctx.db)
    qtbot.keyClick(sched.room, Qt.Key.Key_Return)
    assert sched.isVisible()
    assert sched.fields.messages() == {"Room": "Room is required."}
    assert table_counts(app.ctx.db) == before


def test_chart_refreshes_when_data_changes_elsewhere(
    qtbot: QtBot, app: AppContext, make_chart: MakeChart, history: CourseHistory, clock: FakeClock
) -> None:
    chart = make_chart(history.patient.id)
    clock.advance(timedelta(days=7))
    InstrumentService(app.ctx).record(
        app.require_actor(), history.patient.id, "PHQ-9", [0, 0, 1, 0, 0, 0, 1, 0, 1],
        course_id=history.course.id,
    )  # fmt: skip
    qtbot.waitUntil(lambda: chart.outcome_chart.curve_data()[1][-1] == 3.0)
    assert chart.outcome_chart.curve_data()[0][-1] == 7.0
    assert chart.item9_banner.isVisible()
    assert "remission: yes" in chart.outcome.text()
    assert date(2026, 4, 20).isoformat() in chart.outcome.text()
