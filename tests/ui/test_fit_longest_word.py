"""A cell's longest word is measured once per text and font (issue 13: a ticking countdown's
texts come round again every minute; each tick measured every word of them again)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from kapdesk.ui.widgets import fit_measure


def test_the_longest_word_of_a_text_seen_before_is_not_measured_again(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = QStandardItemModel(2, 1)
    model.setItem(0, 0, QStandardItem("due in 5 min · 20-30 min after dose"))
    model.setItem(1, 0, QStandardItem(""))
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    measure = fit_measure.CellMeasure(table)
    advances: list[str] = []
    original = fit_measure.CellMeasure.advance

    def counting(self: fit_measure.CellMeasure, font: str, text: str) -> int:
        advances.append(text)
        return original(self, font, text)

    monkeypatch.setattr(fit_measure.CellMeasure, "advance", counting)
    first = measure.longest_word(0, 0)
    words = len(advances)
    assert words == 9  # every word, the dot too
    measure.forget([(0, 0)])  # the cell changed and came back to the same text
    assert measure.longest_word(0, 0) == first
    assert len(advances) == words  # not measured again
    widest = max(
        original(measure, measure.cell(0, 0)[1], w) for w in model.item(0, 0).text().split()
    )
    assert first == widest + fit_measure.WORD_MARGIN
    assert measure.longest_word(1, 0) == 0  # an empty cell
    model.item(0, 0).setText("overdue 12 min · Recheck")
    measure.forget([(0, 0)])
    assert measure.longest_word(0, 0) != first  # a new text is measured


def test_a_text_seen_before_at_the_same_width_is_not_laid_out_again(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its height at a column width and its one-line width are kept per text and font: a
    ticking countdown's texts come round again, on this row or another (each minute's tick
    of the Today board laid every changed cell out again)."""
    model = QStandardItemModel(2, 1)
    for row in range(2):
        model.setItem(row, 0, QStandardItem("due now, closes in 5 min · 20-30 min after dose"))
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    measure = fit_measure.CellMeasure(table)
    laid_out: list[tuple[int, int]] = []
    original = fit_measure.CellMeasure._height

    def counting(self: fit_measure.CellMeasure, row: int, column: int, width: int) -> int:
        laid_out.append((row, width))
        return original(self, row, column, width)

    monkeypatch.setattr(fit_measure.CellMeasure, "_height", counting)
    narrow, wide = measure.height(0, 0, 80), measure.height(0, 0, 2000)
    assert narrow > wide  # wrapped at 80 px, one line at 2000
    measure.forget([(0, 0)])  # the cell changed and came back to the same text
    assert (measure.height(0, 0, 80), measure.height(1, 0, 2000)) == (narrow, wide)
    assert laid_out == [(0, 80), (0, 2000)]  # not laid out again, nor for the other row
    width = measure.width(0, 0)
    model.item(0, 0).setText("overdue 12 min · Recheck")
    measure.forget([(0, 0)])
    assert measure.width(0, 0) < width  # a new text is measured
    assert measure.height(0, 0, 80) != narrow
    assert laid_out[-1] == (0, 80)
