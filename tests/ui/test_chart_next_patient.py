"""Opening one patient after another on the Patients page: the chart built for the first
shows each next one (no widgets rebuilt and restyled), exactly as a chart built for them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.notes import NoteService
from kapdesk.storage.orm import AuditEntry
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.patients_page import PatientsPage

from .helpers_patients import CourseHistory, actor_for, add_patient, build_course_history


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
    app.actor = actor_for(app, Role.THERAPIST)
    widget = PatientsPage(app)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    if widget.chart is not None:
        widget.chart.close_editors()


def views_of(app: AppContext, patient_id: int) -> int:
    with app.ctx.db.read() as s:
        rows = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "patient.view", AuditEntry.entity_id == str(patient_id)
            )
        ).all()
        return len(rows)


def test_the_next_patient_is_shown_in_the_same_chart_as_a_new_one_would_show_them(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory, other: int
) -> None:
    first = page.open_patient(history.patient.id)
    assert first.item9_banner.isVisible()
    first.tabs.setCurrentIndex(1)  # Sessions, a row chosen
    first.sessions_table.selectRow(2)
    views = views_of(app, other)

    chart = page.open_patient(other)

    assert chart is first  # not built again
    assert page.stack.count() == 2  # the placeholder and the one chart
    assert chart.patient_id == other
    assert views_of(app, other) == views + 1  # the view of the new patient is audited
    fresh = PatientChart(app, other)  # what a chart built for them shows
    qtbot.addWidget(fresh)
    assert chart.name.text() == fresh.name.text() == "Lima, Ana"
    assert chart.demographics.text() == fresh.demographics.text()
    assert chart.tabs.currentIndex() == fresh.tabs.currentIndex() == 0
    assert chart.course_combo.currentText() == "No treatment course yet"
    assert chart.allergy_banner.isHidden()
    assert chart.item9_banner.isHidden()
    assert chart.outcome_chart.curve_data() == ([], [])
    for table in (chart.sessions_table, chart.phq_table, chart.gad_table, chart.notes_panel.table):
        assert table.rowCount() == 0
        assert table.currentRow() == -1
    assert chart.outcome.text() == fresh.outcome.text()
    assert chart.start_course_button.isEnabled() == fresh.start_course_button.isEnabled()


def test_back_to_the_first_patient_shows_their_chart_again(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory, other: int
) -> None:
    page.open_patient(history.patient.id)
    page.open_patient(other)
    chart = page.open_patient(history.patient.id)
    assert chart.name.text() == "Simões, Conceição"
    assert chart.course_combo.currentData() == history.course.id
    assert chart.sessions_table.rowCount() == len(history.session_ids)
    assert chart.sessions_table.currentRow() == -1  # the other patient's row is not kept
    assert chart.item9_banner.isVisible()
    assert chart.allergy_banner.text() == "Allergies: Latex"
    assert len(chart.outcome_chart.curve_data()[0]) == len(history.phq9_ids)


def test_windows_of_the_previous_patient_close_and_drafts_are_saved(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory, other: int
) -> None:
    app.actor = actor_for(app, Role.THERAPIST)
    chart = page.open_patient(history.patient.id)
    editor = chart.notes_panel.open_note(history.draft_note_id)
    qtbot.waitExposed(editor)
    editor.body.setPlainText("Typed, not yet saved.")
    app.actor = actor_for(app, Role.CLINICIAN)
    chart.edit_patient()
    assert isinstance(chart.dialog, PatientDialog)
    dialog = chart.dialog

    page.open_patient(other)

    assert chart.dialog is None
    assert not dialog.isVisible()
    assert chart.notes_panel.editors == {}
    assert not editor.isVisible()
    notes = NoteService(app.ctx).list_for_course(history.course.id)
    assert next(n for n in notes if n.id == history.draft_note_id).body == "Typed, not yet saved."
    QApplication.processEvents()


def test_a_role_that_may_not_view_sees_the_refusal_for_the_next_patient_too(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory, other: int
) -> None:
    chart = page.open_patient(history.patient.id)
    app.actor = actor_for(app, Role.ADMIN)
    page.open_patient(other)
    assert chart.body.isHidden()
    assert chart.denied.text() == "An admin may not view a patient's chart."
    assert chart.name.text() == ""  # nothing of the previous patient is kept
    app.actor = actor_for(app, Role.NURSE)
    page.open_patient(history.patient.id)
    assert not chart.body.isHidden()
    assert chart.name.text() == "Simões, Conceição"
