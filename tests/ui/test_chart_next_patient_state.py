"""The chart reused for the next patient holds nothing of the previous one: what it shows
(texts, banners, course list, tables, plot, enabled actions) is what a chart built for the
next patient shows, also when part of the next patient cannot be read (database busy)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Action, Role, can
from kapdesk.services.chart_reads import ChartReads
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.patients import PatientService
from kapdesk.storage.errors import DatabaseBusy
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.entry_rows import table_entry
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.patients_page import PatientsPage

from .helpers_patients import CourseHistory, actor_for, add_patient, build_course_history


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock, latest_item9=2, allergies="Latex")


@pytest.fixture
def other(app: AppContext, history: CourseHistory) -> tuple[int, int]:
    """Patient B (id, course id): a course with one PHQ-9 of 12, no notes, no sessions."""
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician, mrn="KAP-0100", given_name="Ana", family_name="Lima")
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    InstrumentService(app.ctx).record(
        actor_for(app, Role.THERAPIST),
        patient.id,
        "PHQ-9",
        [2, 2, 1, 1, 2, 1, 2, 1, 0],
        course_id=course.id,
    )
    return patient.id, course.id


@pytest.fixture
def page(qtbot: QtBot, app: AppContext) -> Iterator[PatientsPage]:
    app.actor = actor_for(app, Role.THERAPIST)
    widget = PatientsPage(app)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    if widget.chart is not None:
        widget.chart.close_editors()


def fresh_chart(qtbot: QtBot, app: AppContext, patient_id: int) -> PatientChart:
    chart = PatientChart(app, patient_id)
    qtbot.addWidget(chart)
    return chart


def table_rows(table: QTableWidget) -> list[list[tuple[str, bool, bool]]]:
    rows = []
    for r in range(table.rowCount()):
        cells = []
        for c in range(table.columnCount()):
            item = table.item(r, c)
            font = item.font() if item is not None else None
            text = item.text() if item is not None else ""
            cells.append((text, bool(font and font.bold()), bool(font and font.strikeOut())))
        rows.append(cells)
    return rows


def button(b: QPushButton) -> tuple[bool, str]:
    return b.isEnabled(), b.toolTip()


def shown(chart: PatientChart) -> dict[str, Any]:
    """Everything of a patient the chart shows or acts on."""
    plot = chart.outcome_chart
    tables = (chart.phq_table, chart.gad_table, chart.sessions_table, chart.notes_panel.table)
    actions = (chart.report_actions.print_action, chart.report_actions.save_action)
    combo = chart.course_combo
    return {
        "refused": (chart.body.isHidden(), chart.denied.isHidden(), chart.denied.text()),
        "patient": chart.patient,
        "courses": chart.courses,
        "phq9": chart.phq9,
        "texts": [
            w.text()
            for w in (
                chart.name,
                chart.demographics,
                chart.course_info,
                chart.outcome,
                chart.scoring_rules,
            )
        ],
        "banners": [(b.text(), b.isHidden()) for b in (chart.allergy_banner, chart.item9_banner)],
        "combo": (
            [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())],
            combo.currentIndex(),
        ),
        "tab": chart.tabs.currentIndex(),
        "tables": [(table_rows(t), t.currentRow()) for t in tables],
        "plot": (
            plot.curve_data(),
            [list(d) if d is not None else [] for d in plot.follow_up_points.getData()],
            [list(d) if d is not None else [] for d in plot.item9_points.getData()],
            plot.response_line.isVisible(),
            plot.acute_end_line.isVisible(),
            (plot.empty.text(), plot.empty.isHidden()),
        ),
        "notes": (
            chart.notes_panel.course.id if chart.notes_panel.course else None,
            [n.id for n in chart.notes_panel.notes],
            chart.notes_panel.editors,
        ),
        "buttons": [
            button(b)
            for b in (
                chart.edit_button,
                chart.start_course_button,
                chart.schedule_button,
                chart.phq_button,
                chart.gad_button,
                chart.notes_panel.new_button,
            )
        ],
        "actions": [(a.isEnabled(), a.toolTip()) for a in actions],
        "windows": (
            chart.dialog,
            chart.notes_panel.dialog,
            chart.report_actions.dialog,
            [(m.menu, m.dialog) for m in chart.instrument_menus],
        ),
        "selected_course": chart.selected_course(),
    }


def busy_for(monkeypatch: pytest.MonkeyPatch, cls: type, name: str, ids: set[int]) -> None:
    """``cls.name(id)`` raises DatabaseBusy for the ids given, as while another program
    holds the database; other ids read as usual."""
    real = getattr(cls, name)

    def maybe_busy(self: object, key: int, *args: object, **kwargs: object) -> object:
        if key in ids:
            raise DatabaseBusy(Path("/clinic/kapdesk.sqlite"))
        return real(self, key, *args, **kwargs)

    monkeypatch.setattr(cls, name, maybe_busy)


def open_first_with_everything(page: PatientsPage, history: CourseHistory) -> PatientChart:
    """Patient A's chart with plot, banners, rows chosen on each tab and a note open."""
    chart = page.open_patient(history.patient.id)
    assert chart.outcome_chart.curve_data()[0]
    assert chart.notes_panel.course is not None
    chart.tabs.setCurrentIndex(2)
    chart.notes_panel.table.selectRow(0)
    chart.notes_panel.open_note(history.draft_note_id)
    chart.tabs.setCurrentIndex(1)
    chart.sessions_table.selectRow(1)
    return chart


def test_the_next_patient_looks_exactly_as_in_a_chart_built_for_them(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory,
    other: tuple[int, int],
) -> None:  # fmt: skip
    chart = open_first_with_everything(page, history)
    assert page.open_patient(other[0]) is chart
    fresh = fresh_chart(qtbot, app, other[0])
    assert shown(chart) == shown(fresh)
    assert chart.outcome_chart.curve_data() == ([0.0], [12.0])
    assert chart.notes_panel.course is not None
    assert chart.notes_panel.course.id == other[1]


def test_next_patients_outcome_unreadable_shows_nothing_of_the_previous_patient(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory,
    other: tuple[int, int], clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # The chart reads a patient in one transaction (ChartReads.for_patient): all of it or
    # nothing (the next test). A course's outcome alone fails to read when another course is
    # chosen: B's older course, chosen on B's chart opened after A's.
    clinician = actor_for(app, Role.CLINICIAN)
    courses = CourseService(app.ctx)
    courses.end(clinician, other[1], clock.now().astimezone().date())
    courses.start(clinician, other[0], "kap-default")
    chart = open_first_with_everything(page, history)
    page.open_patient(other[0])
    busy_for(monkeypatch, ChartReads, "for_course", {other[1]})

    chart.course_combo.setCurrentIndex(chart.course_combo.findData(other[1]))

    assert chart.name.text() == "Lima, Ana"
    assert chart.outcome_chart.curve_data() == ([], [])  # none of A's 20, 14, 9, 7
    assert chart.outcome_chart.item9_points.getData()[0] is None or not list(
        chart.outcome_chart.item9_points.getData()[0]
    )
    assert chart.notes_panel.course is None  # a new note cannot go into A's course
    assert chart.notes_panel.table.rowCount() == 0
    assert not chart.notes_panel.new_button.isEnabled()
    assert chart.outcome.text().startswith("The course outcome could not be read: The database")
    assert chart.outcome_chart.empty.text() == "The PHQ-9 results of this course could not be read."
    role = Role.THERAPIST
    assert chart.edit_button.isEnabled() == can(role, Action.EDIT_PATIENT)
    assert chart.phq_button.isEnabled() == can(role, Action.RECORD_INSTRUMENT)
    assert chart.selected_course() is not None
    assert chart.selected_course().id == other[1]  # printing / scheduling act on B's course


def test_the_chart_of_a_patient_that_cannot_be_read_keeps_nothing_of_the_previous_one(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory,
    other: tuple[int, int], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    chart = open_first_with_everything(page, history)
    busy_for(monkeypatch, ChartReads, "for_patient", {other[0]})

    page.open_patient(other[0])

    assert chart.body.isHidden()
    assert "is busy" in chart.denied.text()
    assert chart.patient_id == other[0]
    assert chart.outcome_chart.curve_data() == ([], [])
    assert chart.notes_panel.course is None
    assert chart.allergy_banner.isHidden()
    assert chart.item9_banner.isHidden()
    assert shown(chart) == shown(fresh_chart(qtbot, app, other[0]))


def test_another_course_whose_outcome_is_unreadable_does_not_keep_the_first_courses_notes(
    qtbot: QtBot, app: AppContext, page: PatientsPage, other: tuple[int, int],
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    patient_id, first = other
    clinician = actor_for(app, Role.CLINICIAN)
    courses = CourseService(app.ctx)
    courses.end(clinician, first, clock.now().astimezone().date())
    second = courses.start(clinician, patient_id, "kap-default").id
    chart = page.open_patient(patient_id)
    assert chart.course_combo.currentData() == second  # the newest first
    assert chart.notes_panel.course is not None
    assert chart.notes_panel.course.id == second
    busy_for(monkeypatch, ChartReads, "for_course", {first})

    chart.course_combo.setCurrentIndex(chart.course_combo.findData(first))

    assert chart.notes_panel.course is None  # a new note would have gone into the other course
    assert not chart.notes_panel.new_button.isEnabled()
    assert chart.outcome_chart.curve_data() == ([], [])
    monkeypatch.undo()
    chart.course_combo.setCurrentIndex(chart.course_combo.findData(second))
    assert chart.notes_panel.course is not None
    assert chart.notes_panel.course.id == second
    chart.course_combo.setCurrentIndex(chart.course_combo.findData(first))
    assert chart.outcome_chart.curve_data() == ([0.0], [12.0])


def test_an_entry_menu_and_dialog_of_the_previous_patient_go_with_them(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory,
    other: tuple[int, int],
) -> None:  # fmt: skip
    chart = page.open_patient(history.patient.id)
    chart.phq_table.setFocus()
    chart.phq_table.selectRow(0)
    menu = chart.instrument_menus[0]
    assert menu.open_at(None)
    assert menu.menu is not None
    menu.menu.close()  # deletes itself (WA_DeleteOnClose)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    entry = table_entry(chart.phq_table, 0)
    assert entry is not None
    dialog = menu.ask(entry)  # "entered in error" for patient A's PHQ-9

    page.open_patient(other[0])

    assert not dialog.isVisible()
    assert (menu.menu, menu.dialog) == (None, None)
    assert shown(chart) == shown(fresh_chart(qtbot, app, other[0]))


def test_opening_the_patient_again_after_the_database_was_busy_shows_their_chart(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory,
    other: tuple[int, int], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    chart = page.open_patient(history.patient.id)
    real = PatientService.record_view

    def busy(self: PatientService, actor: object, patient_id: int) -> None:
        raise DatabaseBusy(Path("/clinic/kapdesk.sqlite"))

    monkeypatch.setattr(PatientService, "record_view", busy)
    page.open_patient(other[0])
    assert chart.body.isHidden()
    assert "please try again" in chart.denied.text()
    monkeypatch.setattr(PatientService, "record_view", real)

    assert page.open_patient(other[0]) is chart  # trying again
    assert not chart.body.isHidden()
    assert chart.name.text() == "Lima, Ana"
    assert shown(chart) == shown(fresh_chart(qtbot, app, other[0]))
