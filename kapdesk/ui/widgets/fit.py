"""Tables whose text is read in the table, not in a tooltip, at 1024x700 as at full size.

``fit_columns``: the short columns take the width of their contents (a cell spanning
the row, such as an entered-in-error note, left out); the long-text
columns share what is left (in the given proportions) and wrap their words; rows grow to
the lines they hold. No sideways scrolling and no cut-off cell, whatever the window's width.
A table filled a cell at a time, spans included, is filled inside ``refilling``: measured
once, when it is filled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHeaderView,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QTableView,
    QWidget,
)

from kapdesk.ui.widgets.fit_measure import SLACK, CellMeasure, Kept

MIN_SHARE_WIDTH = 48
_RESTYLED = (QEvent.Type.StyleChange, QEvent.Type.FontChange)


class _Shares(QObject):
    """Gives the sharing columns the view's width left by the others, in proportion.

    The columns are measured when the rows change (a reset, rows inserted), from the
    font metrics of the texts; a changed cell (a ticking countdown) only widens its column
    if it no longer fits, and only its row's height is worked out again."""

    def __init__(
        self,
        table: QTableView,
        shares: Mapping[int, int],
        reserve: Mapping[int, Sequence[str]],
        bold: Iterable[int] = (),
    ) -> None:
        super().__init__(table)
        self.table = table
        self.shares = dict(shares)
        self.reserve = {c: tuple(texts) for c, texts in reserve.items()}
        self.measure = CellMeasure(table, bold)
        self.widths: dict[int, int] = {}  # content width of each column not sharing
        self.least: dict[int, int] = {}  # a sharing column's header or longest word
        self.sizes: list[int] = []  # the columns' widths as last laid out (0: hidden)
        self.stale = True  # contents changed while hidden: measured at the next show
        self.held = 0  # inside ``refilling``: nothing measured until the table is filled
        table.viewport().installEventFilter(self)
        table.installEventFilter(self)
        model = table.model()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self.apply)
        model.rowsRemoved.connect(self._rows_removed)
        model.dataChanged.connect(self._data_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.table:
            if kind in _RESTYLED:  # paddings, fonts: every kept measure is stale
                self.measure.restyle()
                self.apply()
            return False
        if kind == QEvent.Type.Show and self.stale:
            self.apply()
        elif kind == QEvent.Type.Resize:
            if self.stale:
                self.apply()
            else:
                self.lay_out()
        return False

    def _live(self) -> bool:
        """The table exists, is shown and is not being filled (else: measured when shown,
        or when filled)."""
        if self.held or not shiboken6.isValid(self.table):  # its model empties as it goes
            return False
        if not self.table.isVisible():
            # Sized when shown (its resize or show event): measuring every cell at a width
            # the table will not have cost the main window ~20 ms before its first paint.
            self.stale = True
            return False
        return True

    def apply(self) -> None:
        """Measure every column from its cells' texts, then lay the columns and rows out."""
        if not self._live():
            return
        self.stale = False
        self.measure.forget()
        header = self.table.horizontalHeader()
        columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        self.widths = {c: self._header_width(c) for c in columns if c not in self.shares}
        self.least = {c: max(self._header_width(c), MIN_SHARE_WIDTH) for c in self.shares}
        for column, texts in self.reserve.items():  # what the column can come to show
            if column in self.widths:
                metrics = self.table.fontMetrics()
                pad = self.measure.padding().width()
                for text in texts:
                    width = metrics.horizontalAdvance(text) + pad + SLACK
                    self.widths[column] = max(self.widths[column], width)
        for row in range(self.measure.model.rowCount()):
            if not self.table.isRowHidden(row):
                self._measure_row(row, columns)
        self.lay_out()

    def _header_width(self, column: int) -> int:
        return self.table.horizontalHeader().sectionSizeHint(column)

    def _measure_row(self, row: int, columns: Sequence[int]) -> bool:
        """Widen the columns for ``row``'s cells; True if one had to grow."""
        grew = False
        for column in columns:
            if self.table.columnSpan(row, column) > 1:
                continue  # a cell spanning the row (a note) sizes no column
            if column in self.shares:
                word = self.measure.longest_word(row, column)
                if word > self.least.get(column, 0):
                    self.least[column] = word
                    grew = True
            else:
                width = self.measure.width(row, column)
                if width > self.widths.get(column, 0):
                    self.widths[column] = width
                    grew = True
        return grew

    def _rows_removed(self, *_: object) -> None:
        self.measure.forget()  # the rows below moved up
        if self._live():
            self.lay_out()  # the columns keep their width until the next measure

    def _data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_: object) -> None:
        """Changed cells: their rows' heights, and their columns only if they no longer fit."""
        if self.stale or not self._live():
            return
        header = self.table.horizontalHeader()
        first, last = max(top_left.column(), 0), min(bottom_right.column(), header.count() - 1)
        columns = [c for c in range(first, last + 1) if not header.isSectionHidden(c)]
        rows = range(max(top_left.row(), 0), bottom_right.row() + 1)
        count = self.measure.model.rowCount()
        before = self.measure.forget((r, c) for r in rows for c in range(first, last + 1))
        if (
            len(columns) == last - first + 1
            and rows.stop <= count
            and not any(self.table.isRowHidden(r) for r in rows)
            and self._same_heights(rows, columns, before)
        ):
            return  # a ticking countdown: the same column widths and row heights
        grew = False
        for row in rows:
            if row < count and not self.table.isRowHidden(row):
                grew = self._measure_row(row, columns) or grew
        if grew:
            self.lay_out()
            return
        for row in rows:
            self._fit_row(row)

    def _same_heights(
        self, rows: range, columns: Sequence[int], before: dict[tuple[int, int], Kept]
    ) -> bool:
        """True if every changed cell keeps its column's width enough (no column grows)
        and its height at its column's laid-out width (``before``: the cells' heights
        before the change): no row's height changes. A text of the shape the cell had
        (a countdown's next minute: ``CellMeasure.shape``) keeps its measures; a text
        already measured at that width (the minutes come round again) is not measured
        again. False (nothing decided): the caller measures the rows as usual."""
        measure, sizes, table = self.measure, self.sizes, self.table
        if len(sizes) != table.horizontalHeader().count() or len(before) != len(rows) * len(
            columns
        ):
            return False
        for row in rows:
            for column in columns:
                size = sizes[column]
                old = before.get((row, column))
                if old is None or old[0] != size or table.columnSpan(row, column) > 1:
                    return False  # laid out at another width, or spanning: measured in full
                if measure.shape(row, column) == old[2]:
                    measure.keep_height(row, column, old)  # it fitted: it still does
                    continue
                if column in self.shares:
                    if measure.longest_word(row, column) > self.least.get(column, 0):
                        return False
                elif measure.width(row, column) > self.widths.get(column, 0):
                    return False
                if measure.height(row, column, size) != old[1]:
                    return False
        return True

    def lay_out(self) -> None:
        """The measured widths, the sharing columns in what is left, rows to their lines."""
        if not self._live():
            return
        header = self.table.horizontalHeader()
        fixed = 0
        for column, width in self.widths.items():
            if header.isSectionHidden(column):
                continue
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
            fixed += width
        left = max(self.table.viewport().width() - fixed, 0)
        columns = [c for c in sorted(self.shares) if not header.isSectionHidden(c)]
        least = {c: self.least.get(c, MIN_SHARE_WIDTH) for c in columns}
        spare = max(left - sum(least.values()), 0)  # shared out in proportion
        total = sum(self.shares[c] for c in columns) or 1
        for i, column in enumerate(columns):
            width = least[column] + spare * self.shares[column] // total
            if i == len(columns) - 1:  # the last takes the rounding
                width = max(least[column], left - sum(header.sectionSize(c) for c in columns[:-1]))
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        # the columns' widths as laid out (0: hidden), read by _fit_row for every row
        self.sizes = [
            0 if header.isSectionHidden(c) else header.sectionSize(c) for c in range(header.count())
        ]
        for row in range(self.measure.model.rowCount()):
            self._fit_row(row)

    def _fit_row(self, row: int) -> None:
        """The row as tall as its tallest cell with the words wrapped at the column's width."""
        table = self.table
        if row >= self.measure.model.rowCount() or table.isRowHidden(row):
            return
        sizes = self.sizes
        height = table.verticalHeader().minimumSectionSize()
        column, count = 0, len(sizes)
        while column < count:
            span = max(table.columnSpan(row, column), 1)
            if sizes[column]:
                width = sum(sizes[column : column + span])
                height = max(height, self.measure.height(row, column, width))
            column += span
        if table.rowHeight(row) != height:
            table.setRowHeight(row, height)


@contextmanager
def refilling(table: QTableView) -> Iterator[None]:
    """Fill the table inside: its cells, spans and row count are measured once, every
    column from nothing (a column may narrow), when the filling is done. A cell set before
    the span that covers it (or a row left holding an old note while rows are added) is
    then never measured as one column's text. A table without ``fit_columns``: no effect."""
    shares: _Shares | None = getattr(table, "fit_shares", None)
    if shares is None:
        yield
        return
    shares.held += 1
    try:
        yield
    finally:
        shares.held -= 1
        if not shares.held:
            shares.apply()


def fit_columns(
    table: QTableView,
    shares: Mapping[int, int],
    *,
    reserve: Mapping[int, Sequence[str]] | None = None,
    bold: Iterable[int] = (),
) -> None:
    """Columns in ``shares`` (column -> proportion) share the width left and wrap; the
    others are as wide as their contents, and at least as wide as the texts in ``reserve``
    (column -> texts it can come to show without a new load, e.g. a ticking duration).
    Columns in ``bold`` are measured in bold: a cell there that turns bold (its row's
    level) fits without its column widening and every column beside it moving."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # all sized by _Shares
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    # Rows are sized by _Shares too: Qt's ResizeToContents asks every cell of every row
    # for its size hint again on each layout (the Today board: ~90,000 model calls).
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.fit_shares = _Shares(table, shares, reserve or {}, bold)  # type: ignore[attr-defined]


class WrapCheckBox(QCheckBox):
    """A check box whose long label wraps onto more lines at its width (a QCheckBox does
    not wrap, so a long checklist item was cut at 1024 px). The words, the mnemonic and the
    accessible name stay as given; only the line breaks change."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._words = text.split()
        # it may be narrower than its text (it wraps), and as tall as its lines
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _indicator(self) -> int:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        style = self.style()
        return (
            style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, option, self)
            + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, option, self)
            + 6
        )

    def _width_of(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text.replace("&", ""))

    def _lines(self, width: int) -> list[str]:
        room = width - self._indicator()
        lines: list[str] = []
        line = ""
        for word in self._words:
            trial = f"{line} {word}" if line else word
            if line and self._width_of(trial) > room:
                lines.append(line)
                line = word
            else:
                line = trial
        return [*lines, line]

    def _height(self, lines: int) -> int:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        box = self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, option, self)
        return max(self.fontMetrics().lineSpacing() * lines + 4, box + 4)

    def sizeHint(self) -> QSize:
        """One line, as wide as the whole text (the layout may give less: it wraps)."""
        width = self._indicator() + self._width_of(" ".join(self._words))
        return QSize(width, self._height(1))

    def minimumSizeHint(self) -> QSize:
        longest = max((self._width_of(w) for w in self._words), default=0)
        return QSize(self._indicator() + longest, self._height(1))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._height(len(self._lines(width)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        text = "\n".join(self._lines(event.size().width()))
        if text != self.text():
            self.setText(text)
            self.updateGeometry()
        super().resizeEvent(event)
