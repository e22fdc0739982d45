"""A ticking countdown in a fitted table (the Today board's "Since dose" and "Next
reading"): a changed text that keeps its column wide enough and its row as tall is not
measured again, a text that needs more still widens its column or heightens its row."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from kapdesk.ui.widgets import fit
from kapdesk.ui.widgets.fit import fit_columns

SINCE, NEXT, NOTE = 0, 1, 2
LONG = "due in 7 min · During infusion (every 10 min) – 20 min, then after infusion"


@pytest.fixture
def table(qtbot: QtBot) -> QTableView:
    model = QStandardItemModel(3, 3)
    model.setHorizontalHeaderLabels(["Since dose", "Next reading", "Note"])
    for row in range(3):
        model.setItem(row, SINCE, QStandardItem(f"{row + 1}2 min"))
        model.setItem(row, NEXT, QStandardItem(f"due in {row + 1} min · Before discharge"))
        model.setItem(row, NOTE, QStandardItem("a note"))
    view = QTableView()
    view.setModel(model)
    fit_columns(view, {NEXT: 3, NOTE: 1})
    qtbot.addWidget(view)
    view.resize(360, 300)
    view.show()
    qtbot.waitExposed(view)
    view.fit_shares.apply()  # type: ignore[attr-defined]
    return view


class Counted:
    """How often the column/row measuring of ``_Shares`` ran, and how many texts were
    newly measured (font metrics; a height at a column's width)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, table: QTableView) -> None:
        self.calls: dict[str, int] = {}
        for name in ("_measure_row", "_fit_row", "lay_out", "apply"):
            original = getattr(fit._Shares, name)

            def counted(*args: object, _name: str = name, _f: object = original) -> object:
                self.calls[_name] = self.calls.get(_name, 0) + 1
                return _f(*args)  # type: ignore[operator]

            monkeypatch.setattr(fit._Shares, name, counted)
        self.measure = table.fit_shares.measure  # type: ignore[attr-defined]

    def metrics(self) -> int:
        return len(self.measure._advances) + len(self.measure._sized)


def set_text(table: QTableView, row: int, column: int, text: str) -> None:
    model = table.model()
    assert isinstance(model, QStandardItemModel)
    model.item(row, column).setText(text)


def heights(table: QTableView) -> list[int]:
    return [table.rowHeight(r) for r in range(table.model().rowCount())]


def test_a_tick_that_changes_only_times_measures_nothing(
    table: QTableView, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_text(table, 0, NEXT, LONG)  # a wrapped cell: its row is taller
    before_widths = [table.columnWidth(c) for c in range(3)]
    before_heights = heights(table)
    assert before_heights[0] > before_heights[1]
    set_text(table, 0, SINCE, "13 min")
    set_text(table, 0, NEXT, LONG.replace("7 min", "6 min"))
    set_text(table, 0, SINCE, "12 min")  # the texts come round again (the minutes)
    set_text(table, 0, NEXT, LONG)
    set_text(table, 1, NEXT, "due in 9 min · Before discharge")
    set_text(table, 1, NEXT, "due in 2 min · Before discharge")
    counted = Counted(monkeypatch, table)
    seen = counted.metrics()
    for _minute in range(2):
        for text, nxt, minutes in (
            ("13 min", LONG.replace("7 min", "6 min"), 9),
            ("12 min", LONG, 2),
        ):
            set_text(table, 0, SINCE, text)
            set_text(table, 0, NEXT, nxt)
            set_text(table, 1, NEXT, f"due in {minutes} min · Before discharge")
    assert counted.calls == {}  # no column measured, no row fitted, nothing laid out
    assert counted.metrics() == seen  # every text's width and wrapped height known
    assert [table.columnWidth(c) for c in range(3)] == before_widths
    assert heights(table) == before_heights


def test_a_wider_time_still_widens_its_column(table: QTableView) -> None:
    width = table.columnWidth(SINCE)
    metrics = table.fontMetrics()
    set_text(table, 2, SINCE, "12 h 59 min and more")
    assert table.columnWidth(SINCE) > width
    assert table.columnWidth(SINCE) >= metrics.horizontalAdvance("12 h 59 min and more")


def test_a_longer_next_text_still_heightens_its_row(table: QTableView) -> None:
    before = heights(table)
    set_text(table, 1, NEXT, LONG)
    after = heights(table)
    assert after[1] > before[1]
    assert after[0] == before[0]
    assert after[2] == before[2]
    set_text(table, 1, NEXT, "due in 2 min · Before discharge")  # back to one line
    assert heights(table) == before
