"""What painting the Today board costs in Python (issue 13): one model call per painted
cell (``multiData``, every role the delegate reads at once, the same values ``data`` gives),
and every cell painted by Qt's own delegate, the selection a tint the table draws over the
selected row's colours."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import FrameType

import pytest
from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.models import board as models_board
from kapdesk.ui.models.board import COL_NEXT, COLUMNS, DUE_COLORS
from kapdesk.ui.today_board import TodayBoard

ROLES = (
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
)  # what QStyledItemDelegate reads for a cell, and the tooltip and accessible text


@pytest.fixture
def kit(app: AppContext, clock: FakeClock, nurse: Actor) -> Kit:
    app.actor = nurse
    return Kit(app.ctx, clock, nurse)


@pytest.fixture
def board(qtbot: QtBot, app: AppContext, kit: Kit, clock: FakeClock) -> Iterator[TodayBoard]:
    kit.dosed(mrn="MRN-2", room="2")
    kit.dosed(mrn="MRN-3", room="3")
    kit.scheduled(mrn="MRN-4")
    clock.advance(minutes=21)  # the 20-30 min readings are due: amber rows
    widget = TodayBoard(app)
    widget.stop()
    qtbot.addWidget(widget)
    widget.resize(1100, 500)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.stop()


def _comparable(value: object) -> object:
    """QBrush/QFont/None as something ``==`` compares by what is drawn."""
    if value is None:
        return None
    color = getattr(value, "color", None)
    if callable(color):
        return ("brush", color().name())
    bold = getattr(value, "bold", None)
    if callable(bold):
        return ("font", bold())
    return value


def test_multidata_answers_every_role_as_data_does(board: TodayBoard) -> None:
    model = board.model
    levels = {model.level(r) for r in range(model.rowCount())}
    assert "due" in levels  # coloured rows and a plain one
    for row in range(model.rowCount()):
        for col in range(len(COLUMNS)):
            index = model.index(row, col)
            got = []
            for role in ROLES:
                wanted = QModelRoleData(int(role))
                model.multiData(index, QModelRoleDataSpan(wanted))
                got.append(_comparable(wanted.data()))
            expected = [_comparable(model.data(index, int(role))) for role in ROLES]
            assert got == expected, (row, col)


def test_a_repaint_calls_the_model_once_per_painted_cell(board: TodayBoard) -> None:
    calls: list[str] = []

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        code = frame.f_code
        if event == "call" and code.co_filename == models_board.__file__:
            calls.append(code.co_name)

    sys.setprofile(profile)
    try:
        board.table.viewport().repaint()
    finally:
        sys.setprofile(None)
    cells = board.model.rowCount() * len(COLUMNS)  # all shown
    assert calls.count("data") == 0
    assert calls.count("multiData") == cells


def test_no_row_gets_a_delegate_of_its_own(board: TodayBoard) -> None:
    """Every cell, the selected row's too, is painted by Qt's own delegate (no call into
    Python per cell; changing a row's delegate re-lays out and repaints the whole board)."""
    table = board.table
    for row in (0, 2):
        table.selectRow(row)
        assert [table.itemDelegateForRow(r) for r in range(3)] == [None, None, None]
    assert type(table.itemDelegate()).__name__ == "QStyledItemDelegate"


def test_the_selected_amber_cell_stays_amber_under_the_tint(
    board: TodayBoard, clock: FakeClock
) -> None:
    model, table = board.model, board.table
    due = [r for r in range(model.rowCount()) if model.level(r) == "due"]
    assert len(due) == 2
    table.selectRow(due[0])
    image = table.viewport().grab().toImage()

    def colour_at(row: int) -> tuple[int, int, int]:
        rect = table.visualRect(model.index(row, COL_NEXT))
        c = image.pixelColor(rect.left() + 3, rect.center().y())
        return c.red(), c.green(), c.blue()

    amber = DUE_COLORS[0]
    plain = (int(amber[1:3], 16), int(amber[3:5], 16), int(amber[5:7], 16))
    assert colour_at(due[1]) == plain  # not selected: the amber itself
    selected = colour_at(due[0])
    assert selected != plain  # tinted blue...
    assert selected[0] > selected[2] - 40  # ...but still amber (red over blue), not blue
    assert abs(selected[0] - plain[0]) < 60


def test_a_status_of_the_same_band_does_not_restyle_the_line(
    board: TodayBoard, monkeypatch: pytest.MonkeyPatch
) -> None:
    style_type = type(board.status_line.style())
    restyled: list[object] = []
    unpolish = style_type.unpolish
    monkeypatch.setattr(
        style_type, "unpolish", lambda self, w: (restyled.append(w), unpolish(self, w))[1]
    )
    board.show_status("Room 2 – Lima, Ana: BP 118/76 at 10:21: within limits")
    assert restyled == []  # "normal", as the line already was
    board.show_status("Room 2 – Lima, Ana: BP 152/94 at 10:22: Elevated", band="elevated")
    assert restyled == [board.status_line]
    assert board.status_line.property("band") == "elevated"
    board.show_status("Room 3 – Silva, Rui: BP 150/92 at 10:23: Elevated", band="elevated")
    assert restyled == [board.status_line]
    assert board.status_line.text().startswith("Room 3")
    assert board.status_line.isVisible()
