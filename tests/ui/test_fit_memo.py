"""A fitted table keeps what it measured of a text in a font between fillings (a patient
search fills the same names again at every keystroke), and measures everything again
when its style or font changes (a cell's padding is in every width and height kept)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from kapdesk.ui.widgets import fill_table, fit_measure, plain_table
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.fit_measure import CellMeasure

NAMES = [(i, (f"Simões Albuquerque, Maria {i}", f"KAP-{i:06d}", "1980-05-17")) for i in range(30)]


def _table(qtbot: QtBot) -> QTableWidget:
    table = plain_table(("Name", "MRN", "Born"), "Patients found", stretch=0)
    fit_columns(table, {0: 1})
    qtbot.addWidget(table)
    table.resize(320, 400)
    table.show()
    qtbot.waitExposed(table)
    return table


def test_a_refill_with_the_same_texts_measures_none_again(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _table(qtbot)
    fill_table(table, NAMES)
    widths = [table.columnWidth(c) for c in range(3)]
    heights = [table.rowHeight(r) for r in range(len(NAMES))]
    measured: list[str] = []  # texts measured with font metrics (advances, wrapped heights)
    advance, height = CellMeasure.advance, CellMeasure._height

    def counted_advance(self: CellMeasure, font: str, text: str) -> int:
        if (font, text) not in self._advances:
            measured.append(text)
        return advance(self, font, text)

    def counted_height(self: CellMeasure, row: int, column: int, width: int) -> int:
        measured.append(self.text(row, column))
        return height(self, row, column, width)

    monkeypatch.setattr(CellMeasure, "advance", counted_advance)
    monkeypatch.setattr(CellMeasure, "_height", counted_height)
    fill_table(table, NAMES[5:] + NAMES[:5])  # another search, the same patients
    assert measured == []
    assert [table.columnWidth(c) for c in range(3)] == widths
    assert sorted(table.rowHeight(r) for r in range(len(NAMES))) == sorted(heights)


def test_a_new_style_measures_again(qtbot: QtBot) -> None:
    table = _table(qtbot)
    fill_table(table, NAMES)
    mrn = table.columnWidth(1)
    table.setStyleSheet("QTableView::item { padding: 0px 30px; }")
    qtbot.waitUntil(lambda: table.columnWidth(1) >= mrn + 50)
    need = table.sizeHintForIndex(table.model().index(0, 1)).width()
    assert table.columnWidth(1) >= need
    font = table.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    wide = table.columnWidth(1)
    table.setFont(font)
    qtbot.waitUntil(lambda: table.columnWidth(1) > wide)
    assert table.columnWidth(1) >= table.sizeHintForIndex(table.model().index(0, 1)).width()


def test_what_is_kept_is_bounded(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """A board left on for days writes new countdown texts every minute: the texts kept are
    forgotten past a bound, at the next filling."""
    monkeypatch.setattr(fit_measure, "KEPT_TEXTS", 50)
    table = _table(qtbot)
    measure = table.fit_shares.measure  # type: ignore[attr-defined]
    for start in range(0, 300, 30):
        fill_table(
            table, [(i, (f"Patient {i}", f"M-{i}", "1980-05-17")) for i in range(start, start + 30)]
        )
        assert len(measure._advances) + len(measure._sized) <= 50 + 30 * 6
    fill_table(table, NAMES)
    assert table.columnWidth(1) >= table.sizeHintForIndex(table.model().index(0, 1)).width()
