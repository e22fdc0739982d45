"""A countdown's next minute in a fitted table keeps its cell's measures without measuring:
a text that differs from the cell's last one only in its digits, in a font whose digits all
take the same room (and in the bold font its column's widths are measured in), has its
width, longest word and wrapped height. Any other change is measured as before."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetricsF, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from kapdesk.ui.widgets import fit_measure
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.fit_measure import CellMeasure

SINCE, NEXT = 0, 1
LONG = "due in 7 min · During infusion (every 10 min) – 20 min, then after infusion"


def make(qtbot: QtBot, *, bold: tuple[int, ...] = ()) -> QTableView:
    model = QStandardItemModel(2, 2)
    model.setHorizontalHeaderLabels(["Since dose", "Next reading"])
    for row in range(2):
        model.setItem(row, SINCE, QStandardItem(f"{row + 1}2 min"))
        model.setItem(row, NEXT, QStandardItem(LONG))
    view = QTableView()
    view.setModel(model)
    fit_columns(view, {NEXT: 1}, bold=bold)
    qtbot.addWidget(view)
    view.resize(300, 300)
    view.show()
    qtbot.waitExposed(view)
    view.fit_shares.apply()  # type: ignore[attr-defined]
    return view


def set_text(table: QTableView, row: int, column: int, text: str) -> None:
    model = table.model()
    assert isinstance(model, QStandardItemModel)
    model.item(row, column).setText(text)


class Measured:
    """The cells whose measures were looked up (width, longest word, height)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cells: list[tuple[int, int]] = []
        for name in ("width", "longest_word", "height"):
            original = getattr(CellMeasure, name)

            def counted(
                measure: CellMeasure, row: int, column: int, *a: int, _f: object = original
            ) -> int:
                self.cells.append((row, column))
                return _f(measure, row, column, *a)  # type: ignore[operator, no-any-return]

            monkeypatch.setattr(CellMeasure, name, counted)


def fresh_heights(qtbot: QtBot, table: QTableView) -> list[int]:
    """What a table filled with the same texts now measures its rows at."""
    other = make(qtbot)
    model = table.model()
    for row in range(2):
        for column in range(2):
            set_text(other, row, column, model.index(row, column).data())
    other.resize(table.size())
    other.fit_shares.apply()  # type: ignore[attr-defined]
    assert [other.columnWidth(c) for c in range(2)] == [table.columnWidth(c) for c in range(2)]
    return [other.rowHeight(r) for r in range(2)]


def test_a_new_minute_of_the_same_shape_is_not_measured(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = make(qtbot)
    if not fit_measure.tabular_digits(QFontMetricsF(table.font())):
        pytest.skip("the test machine's font has proportional digits")
    widths = [table.columnWidth(c) for c in range(2)]
    heights = [table.rowHeight(r) for r in range(2)]
    measured = Measured(monkeypatch)
    set_text(table, 0, SINCE, "13 min")
    set_text(table, 0, NEXT, LONG.replace("7 min", "6 min"))
    set_text(table, 1, SINCE, "29 min")
    assert measured.cells == []  # nothing looked up: the cells keep what they had
    assert [table.columnWidth(c) for c in range(2)] == widths
    assert [table.rowHeight(r) for r in range(2)] == heights
    assert heights == fresh_heights(qtbot, table)


def test_another_shape_is_measured(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    table = make(qtbot)
    measured = Measured(monkeypatch)
    set_text(table, 0, SINCE, "1 h 3 min")  # more characters
    set_text(table, 1, NEXT, LONG.replace("7 min", "10 min"))  # one digit more
    assert (0, SINCE) in measured.cells
    assert (1, NEXT) in measured.cells
    assert [table.rowHeight(r) for r in range(2)] == fresh_heights(qtbot, table)


def test_digits_kept_only_where_the_bold_font_agrees(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column measured in bold (its cells can turn bold) whose bold font had proportional
    digits: its cells' widths depend on their digits, so a new minute is measured."""
    regular = QFont(QTableView().font()).key()
    monkeypatch.setattr(CellMeasure, "_is_tabular", lambda _measure, font: font == regular)
    table = make(qtbot, bold=(SINCE,))
    measured = Measured(monkeypatch)
    set_text(table, 0, SINCE, "13 min")
    assert (0, SINCE) in measured.cells
    measured.cells.clear()
    set_text(table, 0, NEXT, LONG.replace("7 min", "6 min"))  # not a bold column
    assert measured.cells == []
