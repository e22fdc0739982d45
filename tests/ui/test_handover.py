"""The handover window (Go > Handover…) and the chart's Signed column, on real rows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from services.signkit import cheap_passwords, closed_session, integration_note

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.domain.signing import SignedEntity
from kapdesk.services.signing import SigningService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.handover import HandoverWindow
from kapdesk.ui.help_menu import shortcut_rows
from kapdesk.ui.integration_note import IntegrationNoteEditor
from kapdesk.ui.main_window import PAGE_SESSION, MainWindow
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.translation import speak

from .conftest import PASSWORD
from .helpers_patients import actor_for, build_course_history


def _texts(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


@dataclass
class Day:
    running: int  # checked in, nothing missed
    missed: int  # dosed, its 20-30 min reading never taken
    unsigned: int  # discharged, not signed
    note: int  # an integration note, not signed


@pytest.fixture
def day(app: AppContext, kit: Kit, clock: FakeClock) -> Day:
    cheap_passwords(app.ctx.db)
    clinician = actor_for(app, Role.CLINICIAN)
    therapist = actor_for(app, Role.THERAPIST)
    unsigned = closed_session(kit, clinician, therapist, mrn="MRN-3")
    note = integration_note(app.ctx, therapist, kit.course(mrn="MRN-4"))
    missed = kit.dosed(mrn="MRN-2")
    kit.advance(minutes=50)  # the test clock: past the 20-30 min window and its grace
    running = kit.checked_in(mrn="MRN-1")
    return Day(running, missed, unsigned, note)


def _open_handover(qtbot: QtBot, window: MainWindow) -> HandoverWindow:
    qtbot.keyClick(
        window,
        Qt.Key.Key_H,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    handover = window.handover_actions.handover
    assert handover is not None
    qtbot.waitExposed(handover)
    return handover


def test_ctrl_shift_h_opens_the_four_sections_with_counts(
    qtbot: QtBot, window: MainWindow, day: Day
) -> None:
    h = _open_handover(qtbot, window)

    # the session discharged 10 min after its dose missed two readings too
    assert [s.heading.text() for s in h.sections] == [
        "Open sessions (2)",
        "Readings missed today (3)",
        "Unsigned sessions (1)",
        "Unsigned integration notes (1)",
    ]
    opened = h.open_sessions.table
    assert _texts(opened, 2) == ["Room 2", "Room 1"]  # checked in 09:11 (dosed), 10:02
    assert _texts(opened, 3) == ["Dosed", "Checked in"]
    assert _texts(opened, 4) == ["09:11", "10:02"]
    missed = h.missed.table
    assert list(zip(_texts(missed, 2), _texts(missed, 3), _texts(missed, 4), strict=True)) == [
        ("Room 3", "20-30 min after dose", "09:21–09:31"),
        ("Room 2", "20-30 min after dose", "09:32–09:42"),
        ("Room 3", "Before discharge", "by 09:11"),
    ]
    assert _texts(h.unsigned_sessions.table, 2) == ["Discharged"]
    assert _texts(h.unsigned_sessions.table, 4) == ["Test Clinician"]
    assert _texts(h.unsigned_notes.table, 3) == ["Test Therapist"]
    assert _texts(h.unsigned_notes.table, 4) == ["Draft"]
    assert not any(s.empty.isVisible() for s in h.sections)
    h.close()


def test_the_keyboard_starts_in_the_first_list(qtbot: QtBot, window: MainWindow, day: Day) -> None:
    h = _open_handover(qtbot, window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is h.open_sessions.table)
    assert h.open_sessions.table.currentRow() == 0
    qtbot.keyClick(h.open_sessions.table, Qt.Key.Key_Return)  # Dosed, Room 2
    assert window.session_id == day.missed
    h.close()


def test_enter_on_a_missed_reading_opens_its_session(
    qtbot: QtBot, window: MainWindow, day: Day
) -> None:
    h = _open_handover(qtbot, window)
    table = h.missed.table
    table.setFocus()
    table.selectRow(1)  # the running session's missed reading (row 0: the discharged one)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.current_page() == PAGE_SESSION
    assert window.session_id == day.missed
    h.close()


def test_double_click_on_an_unsigned_note_opens_its_editor(
    qtbot: QtBot, window: MainWindow, day: Day
) -> None:
    h = _open_handover(qtbot, window)
    table = h.unsigned_notes.table
    rect = table.visualItemRect(table.item(0, 0))
    # a double-click is a press, a release, then the double-click event (the view wants the
    # press on the same cell)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = h.editors.get(day.note)
    assert isinstance(editor, IntegrationNoteEditor)
    assert editor.isVisible()
    assert editor.note.id == day.note
    editor.close()
    h.close()


def test_signing_elsewhere_updates_the_open_handover(
    qtbot: QtBot, app: AppContext, window: MainWindow, day: Day
) -> None:
    h = _open_handover(qtbot, window)
    clinician = actor_for(app, Role.CLINICIAN)
    SigningService(app.ctx).sign(clinician, SignedEntity.DOSING_SESSION, day.unsigned, PASSWORD)
    qtbot.waitUntil(lambda: h.unsigned_sessions.heading.text() == "Unsigned sessions (0)")
    assert h.unsigned_sessions.empty.isVisible()
    assert h.unsigned_sessions.empty.text() == "No unsigned sessions."
    assert not h.unsigned_sessions.table.isVisible()
    h.close()


def test_a_quiet_day_says_so_calmly(qtbot: QtBot, window: MainWindow) -> None:
    h = _open_handover(qtbot, window)
    assert [s.heading.text() for s in h.sections] == [
        "Open sessions (0)",
        "Readings missed today (0)",
        "Unsigned sessions (0)",
        "Unsigned integration notes (0)",
    ]
    assert [s.empty.text() for s in h.sections if s.empty.isVisible()] == [
        "No open sessions.",
        "No readings missed today.",
        "No unsigned sessions.",
        "No unsigned integration notes.",
    ]
    assert not any(s.table.isVisible() for s in h.sections)
    h.close()


def test_an_admin_sees_how_many_and_no_names(
    qtbot: QtBot, app: AppContext, window: MainWindow, day: Day
) -> None:
    h = _open_handover(qtbot, window)
    app.actor = actor_for(app, Role.ADMIN)  # switch user with the window open
    qtbot.waitUntil(h.notice.isVisible)
    assert [s.heading.text() for s in h.sections] == [
        "Open sessions (2)",
        "Readings missed today (3)",
        "Unsigned sessions (1)",
        "Unsigned integration notes (1)",
    ]
    assert not any(s.table.isVisible() for s in h.sections)
    assert all(s.table.rowCount() == 0 for s in h.sections)
    assert "clinical staff" in h.notice.text()
    h.close()


def test_a_long_backlog_says_only_the_newest_are_listed(
    qtbot: QtBot, window: MainWindow, app: AppContext, day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kapdesk.services.handover as handover

    monkeypatch.setattr(handover, "LISTED", 1)
    integration_note(app.ctx, actor_for(app, Role.THERAPIST), day_course(app, "MRN-5"))
    h = _open_handover(qtbot, window)
    notes = h.unsigned_notes
    assert notes.heading.text() == "Unsigned integration notes (2)"
    assert notes.table.rowCount() == 1
    assert notes.empty.isVisible()
    assert notes.empty.text() == "The newest is listed."
    h.close()


def day_course(app: AppContext, mrn: str) -> int:
    from services.conftest import insert_patient_and_course

    return insert_patient_and_course(app.ctx.db, mrn=mrn)[1]


def test_the_shortcut_is_listed_in_help(window: MainWindow) -> None:
    rows = [(r.where, r.keys, r.what) for r in shortcut_rows(window)]
    assert ("Go menu", "Ctrl+Shift+H", "Handover") in rows


def test_closing_and_opening_again_reads_again(
    qtbot: QtBot, app: AppContext, window: MainWindow, kit: Kit
) -> None:
    h = _open_handover(qtbot, window)
    h.close()
    kit.checked_in(mrn="MRN-7")  # while it is closed: not read
    assert h.open_sessions.heading.text() == "Open sessions (0)"
    again = _open_handover(qtbot, window)
    assert again is h
    assert h.open_sessions.heading.text() == "Open sessions (1)"
    h.close()
    assert QApplication.activeModalWidget() is None


# ---------------------------------------------------------------- the chart's Signed column


def test_the_chart_sessions_tab_says_who_signed_and_when(
    qtbot: QtBot, app: AppContext, clock: FakeClock
) -> None:
    history = build_course_history(app, clock)
    cheap_passwords(app.ctx.db)
    clinician = actor_for(app, Role.CLINICIAN)
    app.actor = clinician
    first, second = history.session_ids[:2]
    signature = SigningService(app.ctx).sign(clinician, "dosing_session", first, PASSWORD)
    chart = PatientChart(app, history.patient.id)
    qtbot.addWidget(chart)
    chart.show()
    qtbot.waitExposed(chart)
    table = chart.sessions_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[-1] == "Signed"
    signed = _texts(table, len(headers) - 1)
    when = signature.signed_at.astimezone()
    assert signed[0] == f"Signed {when:%Y-%m-%d %H:%M} by Test Clinician"  # a later day
    assert signed[1:] == ["Not signed", "–", "–"]

    SigningService(app.ctx).sign(clinician, "dosing_session", second, PASSWORD)
    qtbot.waitUntil(lambda: _texts(table, len(headers) - 1)[1].startswith("Signed "))


def test_missed_readings_are_named_in_portuguese(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, day: Day
) -> None:
    speak(qapp, "pt-PT")
    try:
        h = _open_handover(qtbot, window)
        names = _texts(h.missed.table, 3)
        h.close()
    finally:
        speak(qapp, "en")
    assert names == ["20-30 min após a dose", "20-30 min após a dose", "Antes da alta"]
