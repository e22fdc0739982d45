"""The Today board repaints what focus and window activation change, not every cell
(issue 13: after a reading, Qt repainted the whole board again when the vitals dialog closed
and the window was activated). What is on screen must still be what a full repaint draws,
and a reading, an alert one included, still paints its row at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QImage, QRegion
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.models.board import COL_FLAGS, OVERDUE_COLORS
from kapdesk.ui.run import stylesheet
from kapdesk.ui.today_board import TodayBoard


class _Painted(QObject):
    """The union of the regions the viewport was painted in."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.region = QRegion()
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.region = self.region.united(event.region())  # type: ignore[attr-defined]
        return False


@pytest.fixture
def kit(app: AppContext, clock: FakeClock, nurse: Actor) -> Kit:
    app.actor = nurse
    return Kit(app.ctx, clock, nurse)


@pytest.fixture
def board(qtbot: QtBot, app: AppContext, kit: Kit, clock: FakeClock) -> Iterator[TodayBoard]:
    for n in range(2, 6):
        kit.dosed(mrn=f"MRN-{n}", room=str(n))
    clock.advance(minutes=12)
    widget = TodayBoard(app)
    widget.stop()
    widget.setStyleSheet(stylesheet())  # the app's look (its palette decides what may skip)
    qtbot.addWidget(widget)
    widget.resize(1100, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.table.setFocus()
    widget.table.selectRow(1)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.table)
    yield widget
    widget.stop()


def _row_rect(board: TodayBoard, row: int) -> QRect:
    table = board.table
    return QRect(0, table.rowViewportPosition(row), table.viewport().width(), table.rowHeight(row))


def _on_screen(board: TodayBoard) -> QImage:
    """The viewport as the window's backing store holds it (what is on screen)."""
    viewport = board.table.viewport()
    screen = board.screen()
    origin = viewport.mapTo(board.window(), viewport.rect().topLeft())
    shot = screen.grabWindow(board.window().winId()).toImage()
    size = viewport.size() * shot.devicePixelRatio()
    return shot.copy(QRect(origin * shot.devicePixelRatio(), size))


def _fresh(board: TodayBoard) -> QImage:
    """The viewport painted in full now."""
    return board.table.viewport().grab().toImage()


def _settle(qtbot: QtBot) -> None:
    qtbot.wait(50)
    QApplication.processEvents()


def test_losing_and_regaining_focus_repaints_only_the_selected_row(
    qtbot: QtBot, board: TodayBoard
) -> None:
    _settle(qtbot)
    painted = _Painted(board.table.viewport())
    other = QLineEdit()  # another window takes the focus (as the vitals dialog does)
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    other.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is other)
    _settle(qtbot)
    board.activateWindow()
    board.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is board.table)
    _settle(qtbot)
    assert not painted.region.isEmpty()  # the focus frame and the selection were repainted
    for row in (0, 2, 3):  # rows neither selected nor current: not one pixel
        assert not painted.region.intersects(_row_rect(board, row)), row
    assert _on_screen(board) == _fresh(board)  # nothing stale on screen


def test_a_palette_that_differs_when_inactive_still_repaints_every_cell(
    qtbot: QtBot, board: TodayBoard
) -> None:
    from PySide6.QtGui import QColor, QPalette

    viewport = board.table.viewport()
    palette = viewport.palette()
    palette.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Text, QColor("#888888"))
    viewport.setPalette(palette)
    _settle(qtbot)
    painted = _Painted(viewport)
    event = QEvent(QEvent.Type.WindowDeactivate)
    QApplication.sendEvent(viewport, event)
    _settle(qtbot)
    assert painted.region.intersects(_row_rect(board, 3))  # Qt's own full repaint


def test_a_reading_paints_its_row_and_an_alert_shows_red_on_screen(
    qtbot: QtBot, board: TodayBoard, kit: Kit
) -> None:
    _settle(qtbot)
    row = board.model.row_at(2)  # not the selected row (its tint is blue over red)
    painted = _Painted(board.table.viewport())
    kit.vitals.record(kit.nurse, row.session_id, 118, 76, spo2=88)  # an alert reading
    _settle(qtbot)
    index = board.model.row_of_session(row.session_id)
    assert index is not None
    assert board.model.level(index) == "alert"
    rect = board.table.visualRect(board.model.index(index, COL_FLAGS))
    assert painted.region.intersects(rect)
    image = _on_screen(board)
    ratio = image.devicePixelRatio()
    colour = image.pixelColor(int((rect.left() + 3) * ratio), int(rect.center().y() * ratio))
    assert colour.name() == OVERDUE_COLORS[0]  # red on screen, not only in the model
    assert image == _fresh(board)


def test_the_viewport_paints_its_own_background(qtbot: QtBot, board: TodayBoard) -> None:
    """Opaque: a repaint of the table does not first paint the widgets behind it."""
    _settle(qtbot)
    behind = _Painted(board)
    board.table.viewport().update(_row_rect(board, 2))
    _settle(qtbot)
    assert board.table.viewport().autoFillBackground()
    assert behind.region.isEmpty()
    assert _on_screen(board) == _fresh(board)
    # the style sheet's background is still drawn by the viewport itself
    assert board.table.viewport().testAttribute(Qt.WidgetAttribute.WA_StyledBackground)


def test_moving_the_selection_repaints_only_the_two_rows(qtbot: QtBot, board: TodayBoard) -> None:
    """An arrow key repaints the row left and the row selected, nothing else, and lays out no
    row again (a delegate set for the selected row made Qt repaint and re-lay out the whole
    board on every move, and after V the vitals dialog's Enter paid for it)."""
    _settle(qtbot)
    painted = _Painted(board.table.viewport())
    qtbot.keyClick(board.table, Qt.Key.Key_Down)
    _settle(qtbot)
    assert board.selected_row() == board.model.row_at(2)
    assert painted.region.intersects(_row_rect(board, 1))
    assert painted.region.intersects(_row_rect(board, 2))
    for row in (0, 3):
        assert not painted.region.intersects(_row_rect(board, row)), row
    assert _on_screen(board) == _fresh(board)  # the tint moved on screen too


@pytest.mark.parametrize("change", [25, -18])
def test_a_row_changing_height_moves_the_rows_below_without_painting_them(
    qtbot: QtBot, board: TodayBoard, change: int
) -> None:
    """A reading rewraps its row's "Next reading" (fit sets the row's height): the rows
    below move by their pixels; what is on screen is what a full repaint draws."""
    table = board.table
    table.setRowHeight(0, table.rowHeight(0) + 30)  # two lines: room to shrink
    _settle(qtbot)
    assert _on_screen(board) == _fresh(board)
    below = [table.rowViewportPosition(r) for r in (1, 2, 3)]  # 1: selected (its tint)
    height = table.rowHeight(0) + change
    painted = _Painted(table.viewport())
    table.setRowHeight(0, height)
    _settle(qtbot)
    assert table.rowHeight(0) == height
    assert [table.rowViewportPosition(r) for r in (1, 2, 3)] == [y + change for y in below]
    assert painted.region.intersects(_row_rect(board, 0))
    for row in (1, 2, 3):
        assert not painted.region.intersects(_row_rect(board, row)), row
    assert _on_screen(board) == _fresh(board)


def test_a_row_changing_height_in_a_scrolled_board(
    qtbot: QtBot, board: TodayBoard, kit: Kit
) -> None:
    """The scroll bar's range follows the rows' heights; a row above the top of the
    scrolled viewport moves every row shown."""
    for n in range(6, 24):
        kit.dosed(mrn=f"MRN-{n}", room=str(n))
    board.refresh()
    _settle(qtbot)
    table, bar = board.table, board.table.verticalScrollBar()
    last = table.model().rowCount() - 1
    assert 0 < bar.maximum() < last
    table.setRowHeight(last, table.viewport().height())  # alone fills the viewport
    _settle(qtbot)
    assert bar.maximum() == last
    assert _on_screen(board) == _fresh(board)
    bar.setValue(3)
    _settle(qtbot)
    table.setRowHeight(1, table.rowHeight(1) + 30)  # above the rows shown
    _settle(qtbot)
    assert _on_screen(board) == _fresh(board)
    bar.setValue(0)
    _settle(qtbot)
    table.setRowHeight(2, table.rowHeight(2) + 30)
    _settle(qtbot)
    assert _on_screen(board) == _fresh(board)


def test_every_row_resized_at_once_still_paints_what_a_full_repaint_draws(
    qtbot: QtBot, board: TodayBoard
) -> None:
    _settle(qtbot)
    table = board.table
    for row in range(table.model().rowCount()):
        table.setRowHeight(row, table.rowHeight(row) + 5 + row)
    _settle(qtbot)
    assert _on_screen(board) == _fresh(board)
