"""The Today board's per-second tick repaints only what moved (issue 13).

A tick tells the view about the cells whose text changed (the "Since dose" and "Next
reading" columns) and the whole row of a session whose colour level changed; it never
measures the columns again (they were measured when the rows were loaded).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.ui.models.board import COL_NEXT, COL_ROOM, COL_SINCE, COLUMNS
from kapdesk.ui.today_board import TodayBoard
from kapdesk.ui.widgets import fit

Cell = tuple[int, int]


@pytest.fixture
def changed(board: TodayBoard) -> list[Cell]:
    """Every cell the model announces as changed (dataChanged ranges, expanded)."""
    cells: list[Cell] = []

    def record(
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        *_: object,
    ) -> None:
        for r in range(top_left.row(), bottom_right.row() + 1):
            for c in range(top_left.column(), bottom_right.column() + 1):
                cells.append((r, c))

    board.model.dataChanged.connect(record)
    return cells


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the table's columns are measured (fit: the whole-table pass)."""
    calls: list[str] = []
    original = fit._Shares.apply

    def counting(self: fit._Shares) -> None:
        calls.append("apply")
        original(self)

    monkeypatch.setattr(fit._Shares, "apply", counting)
    return calls


def _two_sessions(board: TodayBoard, kit: Kit, clock: FakeClock) -> tuple[int, int]:
    """Row of a session dosed 2 min ago and of one scheduled (nothing of it moves)."""
    dosed = kit.dosed(mrn="MRN-2")
    kit.scheduled(mrn="MRN-3")
    clock.advance(minutes=2)
    board.refresh()
    row = board.model.row_of_session(dosed)
    assert row is not None
    return row, 1 - row


def test_a_tick_that_changes_no_text_announces_no_cell(
    board: TodayBoard, kit: Kit, clock: FakeClock, changed: list[Cell], measured: list[str]
) -> None:
    row, _other = _two_sessions(board, kit, clock)
    assert board.model.cell_text(row, COL_SINCE) == "2 min"
    changed.clear()
    measured.clear()
    clock.advance(seconds=1)
    board.tick()
    assert board.model.cell_text(row, COL_SINCE) == "2 min"
    assert changed == []
    assert measured == []


def test_a_tick_announces_only_the_time_cells_that_changed(
    board: TodayBoard, kit: Kit, clock: FakeClock, changed: list[Cell], measured: list[str]
) -> None:
    row, _other = _two_sessions(board, kit, clock)
    widths = [board.table.columnWidth(c) for c in range(len(COLUMNS))]
    clock.advance(seconds=59)
    board.tick()
    changed.clear()
    measured.clear()
    clock.advance(seconds=1)  # 3 min after the dose
    board.tick()
    assert board.model.cell_text(row, COL_SINCE) == "3 min"
    assert board.model.cell_text(row, COL_NEXT) == "due in 17 min · 20-30 min after dose"
    assert sorted(set(changed)) == [(row, COL_SINCE), (row, COL_NEXT)]
    assert measured == []  # no column measured again
    assert [board.table.columnWidth(c) for c in range(len(COLUMNS))] == widths


def test_a_row_whose_colour_changes_is_announced_whole(
    board: TodayBoard, kit: Kit, clock: FakeClock, changed: list[Cell], measured: list[str]
) -> None:
    row, other = _two_sessions(board, kit, clock)
    clock.advance(minutes=17, seconds=59)  # 19:59 after the dose
    board.tick()
    assert board.model.level(row) is None
    changed.clear()
    measured.clear()
    clock.advance(seconds=1)  # the 20-30 min window opens: amber
    board.tick()
    assert board.model.level(row) == "due"
    assert {(row, c) for c in range(len(COLUMNS))} <= set(changed)
    assert all(r == row for r, _c in changed)  # nothing of the other row
    assert other != row
    assert measured == []


def test_the_since_dose_column_has_room_for_what_a_tick_can_write(
    board: TodayBoard, kit: Kit, clock: FakeClock
) -> None:
    kit.dosed(mrn="MRN-2")
    board.refresh()
    assert board.model.cell_text(0, COL_SINCE) == "0 min"
    clock.advance(seconds=1)
    board.tick()
    assert board.model.cell_text(0, COL_SINCE) == "less than 1 min"
    need = board.table.sizeHintForIndex(board.model.index(0, COL_SINCE)).width()
    assert board.table.columnWidth(COL_SINCE) >= need


def test_a_requery_announces_only_the_rows_that_changed(
    board: TodayBoard, kit: Kit, clock: FakeClock, changed: list[Cell], measured: list[str]
) -> None:
    row, other = _two_sessions(board, kit, clock)
    sid = board.model.row_at(row).session_id
    resets: list[int] = []
    board.model.modelReset.connect(lambda: resets.append(1))
    changed.clear()
    measured.clear()
    board.refresh()  # the same rows: nothing to repaint
    assert changed == []
    assert resets == []
    assert measured == []

    clock.advance(minutes=19)  # 21 min after the dose: the 20-30 min reading is due
    board.tick()
    changed.clear()
    kit.vitals.record(kit.nurse, sid, 118, 76, pulse=72, spo2=98)  # its change set re-queries
    assert "Before discharge" in board.model.cell_text(row, COL_NEXT)
    assert resets == []  # the same sessions: the rows are updated in place
    assert {(row, c) for c in range(len(COLUMNS))} <= set(changed)
    assert all(r == row for r, _c in changed)  # the other session's row is not repainted
    assert other != row
    assert measured == []


def test_a_row_turning_bold_widens_no_column(
    board: TodayBoard, kit: Kit, clock: FakeClock, measured: list[str]
) -> None:
    """A row's level makes its Room (and Next reading, Flags) bold: the columns were
    measured for that already, so none widens and the board is not laid out again (a
    widened Room column moved every column and repainted the whole board)."""
    row, _other = _two_sessions(board, kit, clock)
    clock.advance(minutes=17, seconds=59)
    board.tick()
    widths = [board.table.columnWidth(c) for c in range(len(COLUMNS))]
    measured.clear()
    clock.advance(seconds=1)  # the 20-30 min window opens: Room in bold
    board.tick()
    assert board.model.level(row) == "due"
    assert board.model.data(board.model.index(row, COL_ROOM), Qt.ItemDataRole.FontRole).bold()
    assert [board.table.columnWidth(c) for c in range(len(COLUMNS))] == widths
    assert measured == []
