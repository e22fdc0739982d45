"""Nothing jumps under the pointer: an alert banner, the board's status line, the pre-dose
hold and the dose gate appear without moving the buttons a person is about to press."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.run import stylesheet
from kapdesk.ui.session.workspace import STEP_DOSE, STEP_PRE_DOSE, SessionWorkspace


def at(widget: QWidget) -> QPoint:
    QApplication.processEvents()
    assert widget.isVisible(), f"{widget.objectName() or widget} is not shown"
    return widget.mapTo(widget.window(), QPoint(0, 0))


@pytest.fixture(autouse=True)
def small_window(qapp: QApplication, window: MainWindow) -> Iterator[None]:
    """The smallest size kapdesk is used at (issue 12), in the application's own style:
    the most wrapping, the most jumping."""
    before = qapp.styleSheet()
    qapp.setStyleSheet(stylesheet())
    window.resize(1024, 700)
    QApplication.processEvents()
    yield
    qapp.setStyleSheet(before)


def overdue_alert(window: MainWindow, kit: Kit, clock: FakeClock) -> None:
    """Another room's reading falls overdue: its banner appears at the top of the window."""
    kit.dosed(mrn="MRN-9")
    clock.advance(minutes=31)
    window.alerts.check()
    QApplication.processEvents()
    assert window.alert_bar.isVisible()
    assert window.alert_bar.banners


def workspace(window: MainWindow, session_id: int, step: int) -> SessionWorkspace:
    window.open_session(session_id)
    ws = window.session_page
    assert isinstance(ws, SessionWorkspace)
    ws.stop()
    ws.go_to(step)
    QApplication.processEvents()
    return ws


def test_an_alert_banner_moves_nothing_on_the_board(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, app: AppContext, clinician: Actor
) -> None:
    app.actor = clinician
    kit.checked_in(mrn="MRN-2")
    window.today.refresh()
    button, table = window.today.acknowledge_button, window.today.table
    before = (at(button), at(table))
    overdue_alert(window, kit, clock)
    window.today.refresh()
    assert (at(button), at(table)) == before


def test_the_board_status_line_does_not_move_its_button(
    qtbot: QtBot, window: MainWindow, kit: Kit, app: AppContext, clinician: Actor
) -> None:
    app.actor = clinician
    kit.checked_in(mrn="MRN-2")
    window.today.refresh()
    before = at(window.today.acknowledge_button)
    window.today.show_status("A long message. " * 30, band="alert")
    assert window.today.status_line.isVisible()
    assert at(window.today.acknowledge_button) == before


def test_an_alert_banner_moves_nothing_in_a_session(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock
) -> None:
    sid = kit.checked_in(mrn="MRN-2")
    ws = workspace(window, sid, STEP_PRE_DOSE)
    page = ws.pages[STEP_PRE_DOSE]
    before = (at(page.form.button), at(page.withhold_button))
    overdue_alert(window, kit, clock)
    assert (at(page.form.button), at(page.withhold_button)) == before


def test_the_pre_dose_hold_appears_without_moving_the_buttons(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock
) -> None:
    sid = kit.checked_in(mrn="MRN-2")
    ws = workspace(window, sid, STEP_PRE_DOSE)
    page = ws.pages[STEP_PRE_DOSE]
    before = (at(page.form.button), at(page.withhold_button))
    assert not page.hold.isVisible()
    kit.vitals.record(kit.nurse, sid, 168, 104, pulse=80, spo2=98)  # holds the dose
    ws.refresh()
    ws.go_to(STEP_PRE_DOSE)
    QApplication.processEvents()
    assert page.hold.isVisible()
    assert page.override_button.isVisible()
    assert (at(page.form.button), at(page.withhold_button)) == before


def test_the_dose_gate_appears_without_moving_the_record_button(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock
) -> None:
    sid = kit.dosed(mrn="MRN-2")
    clock.advance(minutes=12)
    ws = workspace(window, sid, STEP_DOSE)
    page = ws.pages[STEP_DOSE]
    before = at(page.record_button)
    assert not page.gate.isVisible()
    kit.vitals.record(kit.nurse, sid, 118, 76, pulse=80, spo2=88)  # refuses a booster
    ws.refresh()
    ws.go_to(STEP_DOSE)
    QApplication.processEvents()
    assert page.gate.isVisible()
    assert at(page.record_button) == before


def test_the_board_status_line_does_not_move_or_resize_the_table(
    qtbot: QtBot, window: MainWindow, kit: Kit, app: AppContext, clinician: Actor
) -> None:
    """A reading recorded shows its status: the table keeps its place and size (no re-layout
    and full repaint of the board on the key press's path), before and after it goes."""
    app.actor = clinician
    kit.checked_in(mrn="MRN-2")
    window.today.refresh()
    table = window.today.table
    before = (at(table), table.size())
    window.today.show_status("Room 2 – Lima, Ana: BP 118/78 at 09:21: within limits")
    QApplication.processEvents()
    assert window.today.status_line.isVisible()
    assert (at(table), table.size()) == before
    window.today.show_status("A long message. " * 30, band="alert")
    window.today._hide_status()
    QApplication.processEvents()
    assert not window.today.status_line.isVisible()
    assert (at(table), table.size()) == before


class _LayoutRequests(QObject):
    """How many times the widget's layout was asked to work itself out again."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_one_line_status_lays_out_nothing_above_the_board(
    qtbot: QtBot, window: MainWindow, kit: Kit, app: AppContext, clinician: Actor
) -> None:
    """A reading's status (one line, as the line was) costs no re-layout of the main
    window on the key press's path; the line shows its text in its place."""
    app.actor = clinician
    kit.checked_in(mrn="MRN-2")
    board = window.today
    board.refresh()
    board.show_status("Room 2 – Lima, Ana: BP 118/78 at 09:21: within limits")
    QApplication.processEvents()
    board._hide_status()
    QApplication.processEvents()
    above = _LayoutRequests(board.parentWidget())
    place = board.status_line.geometry()
    board.show_status("Room 2 – Lima, Ana: BP 120/80 at 09:22: within limits")
    QApplication.processEvents()
    assert above.count == 0
    assert board.status_line.isVisible()
    assert board.status_line.text() == "Room 2 – Lima, Ana: BP 120/80 at 09:22: within limits"
    assert board.status_line.geometry() == place


def test_a_long_status_grows_its_row_upwards_and_shrinks_back(
    qtbot: QtBot, window: MainWindow, kit: Kit, app: AppContext, clinician: Actor
) -> None:
    app.actor = clinician
    kit.checked_in(mrn="MRN-2")
    board = window.today
    board.refresh()
    line, button, table = board.status_line, board.acknowledge_button, board.table
    QApplication.processEvents()
    one = (table.height(), at(button))
    board.show_status("A long message. " * 30, band="alert")
    QApplication.processEvents()
    assert line.height() == line.heightForWidth(line.width()) > 2 * line.fontMetrics().height()
    bottom = line.mapTo(board, QPoint(0, line.height())).y()
    assert bottom == button.mapTo(board, QPoint(0, button.height())).y()
    assert table.height() < one[0]  # the row grew upwards: the table gave it room
    assert at(button) == one[1]
    board._hide_status()
    QApplication.processEvents()
    assert (table.height(), at(button)) == one
