"""A countdown's new minute is measured as the last one was, in a font whose digits all take
the same room (each minute's tick of the Today board wrote ~30 texts never seen before and
laid every one of them out); in a font with proportional digits every text is measured."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetricsF, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from kapdesk.ui.widgets import fit_measure
from kapdesk.ui.widgets.fit_measure import CellMeasure, tabular_digits

TEXTS = (
    "due in 8 min · During infusion (every 10 min) – 20 min",
    "due in 7 min · During infusion (every 10 min) – 20 min",
    "due in 1 h 11 min · End of session (before discharge)",
    "due in 1 h 59 min · End of session (before discharge)",
    "overdue 41 min · 20-30 min after dose",
)
WIDTHS = (60, 120, 180, 240, 2000)


class FakeMetrics:
    """Advances of a made-up font: ``narrow`` digits narrower, and ``kerned`` pairs closer."""

    def __init__(self, narrow: str = "", kerned: tuple[str, ...] = ()) -> None:
        self.narrow, self.kerned = narrow, kerned

    def horizontalAdvance(self, text: str) -> float:
        width = sum(4.5 if c in self.narrow else 7.25 for c in text)
        return width - sum(text.count(pair) * 0.75 for pair in self.kerned)


def test_digits_of_one_width_and_unkerned_are_tabular() -> None:
    assert tabular_digits(FakeMetrics())  # type: ignore[arg-type]
    assert not tabular_digits(FakeMetrics(narrow="1"))  # type: ignore[arg-type]
    # every digit as wide, but a '7' after an 'A' kerned: '7' texts measure narrower
    assert not tabular_digits(FakeMetrics(kerned=("A7",)))  # type: ignore[arg-type]


def make(qtbot: QtBot, texts: tuple[str, ...], font: QFont | None = None) -> QTableView:
    model = QStandardItemModel(len(texts), 1)
    for row, text in enumerate(texts):
        model.setItem(row, 0, QStandardItem(text))
    table = QTableView()
    if font is not None:
        table.setFont(font)
    qtbot.addWidget(table)
    table.setModel(model)
    return table


def measures(measure: CellMeasure, row: int) -> tuple[int, ...]:
    return (
        measure.width(row, 0),
        measure.longest_word(row, 0),
        *(measure.height(row, 0, w) for w in WIDTHS),
    )


@pytest.mark.parametrize("bold", [False, True])
def test_a_kept_measure_is_what_a_fresh_measure_gives(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, bold: bool
) -> None:
    """Each text measured after the others (kept measures of texts that differ only in their
    digits answer where the font allows) gives what a measure of that text alone gives."""
    font = QFont(QTableView().font())
    font.setBold(bold)
    table = make(qtbot, TEXTS, font)
    kept = CellMeasure(table)
    laid_out: list[int] = []
    original = CellMeasure._height

    def counting(self: CellMeasure, row: int, column: int, width: int) -> int:
        laid_out.append(row)
        return original(self, row, column, width)

    monkeypatch.setattr(CellMeasure, "_height", counting)
    got = [measures(kept, row) for row in range(len(TEXTS))]
    for row, text in enumerate(TEXTS):
        alone = CellMeasure(make(qtbot, (text,), font))
        assert got[row] == measures(alone, 0), text
    if tabular_digits(QFontMetricsF(font)):  # the test machine's font (DejaVu Sans: yes)
        # '7 min' measured as '8 min' was, '1 h 59 min' as '1 h 11 min'
        assert 1 not in laid_out
        assert 3 not in laid_out


def test_proportional_digits_measure_every_text(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fit_measure, "tabular_digits", lambda metrics: False)
    table = make(qtbot, TEXTS[:2])
    measure = CellMeasure(table)
    laid_out: list[int] = []
    original = CellMeasure._height

    def counting(self: CellMeasure, row: int, column: int, width: int) -> int:
        laid_out.append(row)
        return original(self, row, column, width)

    monkeypatch.setattr(CellMeasure, "_height", counting)
    measure.height(0, 0, 120)
    measure.height(1, 0, 120)
    assert laid_out == [0, 1]  # the second minute is laid out, not taken from the first
