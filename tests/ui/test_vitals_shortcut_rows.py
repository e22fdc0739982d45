"""V on the Today board: a row that cannot take a reading says why before anything is typed;
a row that can opens the dialog naming the reading it is for."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.today_board import TodayBoard

from .conftest import table_counts


def _press_v(qtbot: QtBot, board: TodayBoard, session_id: int) -> None:
    board.refresh()
    assert board.select_session(session_id)
    board.table.setFocus()
    qtbot.keyClick(board.table, Qt.Key.Key_V)


def _no_dialog_and_says(board: TodayBoard, *words: str) -> None:
    assert board.vitals_dialog is None, "a dialog opened for a row that takes no reading"
    assert board.status_line.isVisible()
    line = board.status_line.text()
    for word in words:
        assert word in line, line


def test_v_on_a_scheduled_row_says_check_in_first(
    qtbot: QtBot, board: TodayBoard, kit: Kit, app: AppContext
) -> None:
    sid = kit.scheduled(mrn="MRN-2")
    before = table_counts(app.ctx.db)
    _press_v(qtbot, board, sid)
    _no_dialog_and_says(board, "Room 2", "Simões, Conceição", "not checked in", "check")
    assert table_counts(app.ctx.db) == before


def test_v_on_a_cancelled_row_says_it_takes_no_more_readings(
    qtbot: QtBot, board: TodayBoard, kit: Kit
) -> None:
    sid = kit.checked_in(mrn="MRN-3")
    kit.sessions.cancel(kit.nurse, sid, "patient unwell")
    _press_v(qtbot, board, sid)
    _no_dialog_and_says(board, "Room 3", "cancelled", "no more readings")


def test_v_names_the_reading_due(
    qtbot: QtBot, board: TodayBoard, kit: Kit, clock: FakeClock
) -> None:
    sid = kit.dosed(mrn="MRN-2")
    clock.advance(minutes=22)
    _press_v(qtbot, board, sid)
    dialog = board.vitals_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    title = dialog.windowTitle()
    assert title.startswith("Reading for Simões, Conceição · Room 2 · 20-30 min after dose"), title
    heading = dialog.findChild(type(board.status_line), "dialogIntro")
    assert heading is not None
    assert "20-30 min after dose" in heading.text()
    # due until the window closes: 30 min after the dose
    closes = board.app.ctx.shown(clock.now() + timedelta(minutes=8))
    assert f"due now, until {closes}" in heading.text(), heading.text()
    dialog.reject()


def test_v_on_a_checked_in_row_names_the_pre_dose_reading(
    qtbot: QtBot, board: TodayBoard, kit: Kit
) -> None:
    sid = kit.checked_in(mrn="MRN-4")
    _press_v(qtbot, board, sid)
    dialog = board.vitals_dialog
    assert dialog is not None
    assert "Pre-dose vitals" in dialog.windowTitle()
    assert "Room 4" in dialog.windowTitle()
    dialog.reject()
