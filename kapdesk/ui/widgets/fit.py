"""Tables whose text is read in the table, not in a tooltip, at 1024x700 as at full size.

``fit_columns``: the short columns take the width of their contents (a cell spanning
the row, such as an entered-in-error note, left out); the long-text
columns share what is left (in the given proportions) and wrap their words; rows grow to
the lines they hold. No sideways scrolling and no cut-off cell, whatever the window's width.
"""

from __future__ import annotations

from collections.abc import Mapping

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt
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

MIN_SHARE_WIDTH = 48


class _Shares(QObject):
    """Gives the sharing columns the view's width left by the others, in proportion."""

    def __init__(self, table: QTableView, shares: Mapping[int, int]) -> None:
        super().__init__(table)
        self.table = table
        self.shares = dict(shares)
        self.stale = True  # contents changed while hidden: size at the next show
        table.viewport().installEventFilter(self)
        model = table.model()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self.apply)
        model.dataChanged.connect(self._data_changed)

    def _data_changed(self, *_: object) -> None:
        self.apply()

    def _content_width(self, column: int) -> int:
        """The column's header and cells, leaving out a cell spanning several columns
        (Qt's ResizeToContents would size the first column to a spanning note)."""
        table = self.table
        model = table.model()
        width = table.horizontalHeader().sectionSizeHint(column)
        for row in range(model.rowCount()):
            if table.isRowHidden(row) or table.columnSpan(row, column) > 1:
                continue
            width = max(width, table.sizeHintForIndex(model.index(row, column)).width())
        return width

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize or (kind == QEvent.Type.Show and self.stale):
            self.apply()
        return False

    def apply(self) -> None:
        if not shiboken6.isValid(self.table):  # the table's model empties as it goes
            return
        self.stale = not self.table.isVisible()
        if self.stale:
            # Sized when shown (its resize or show event): measuring every cell at a width
            # the table will not have cost the main window ~20 ms before its first paint.
            return
        header = self.table.horizontalHeader()
        fixed = 0
        for c in range(header.count()):
            if c in self.shares or header.isSectionHidden(c):
                continue
            width = self._content_width(c)
            if header.sectionSize(c) != width:
                header.resizeSection(c, width)
            fixed += width
        left = max(self.table.viewport().width() - fixed, 0)
        columns = [c for c in sorted(self.shares) if not header.isSectionHidden(c)]
        least = {c: self._least_width(c) for c in columns}
        spare = max(left - sum(least.values()), 0)  # shared out in proportion
        total = sum(self.shares[c] for c in columns) or 1
        for i, column in enumerate(columns):
            width = least[column] + spare * self.shares[column] // total
            if i == len(columns) - 1:  # the last takes the rounding
                width = max(least[column], left - sum(header.sectionSize(c) for c in columns[:-1]))
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        self.table.resizeRowsToContents()

    def _least_width(self, column: int) -> int:
        """A wrapping column is never narrower than its header or its longest word."""
        table = self.table
        model = table.model()
        metrics = table.fontMetrics()
        width = max(table.horizontalHeader().sectionSizeHint(column), MIN_SHARE_WIDTH)
        for row in range(model.rowCount()):
            if table.columnSpan(row, column) > 1:
                continue
            text = str(model.index(row, column).data() or "")
            for word in text.split():
                width = max(width, metrics.horizontalAdvance(word) + 12)
        return width


def fit_columns(table: QTableView, shares: Mapping[int, int]) -> None:
    """Columns in ``shares`` (column -> proportion) share the width left and wrap; the
    others are as wide as their contents."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # all sized by _Shares
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.fit_shares = _Shares(table, shares)  # type: ignore[attr-defined]


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
