"""The Today board's table (``today_board.TodayBoard``): it paints and repaints only what
changes, the selected row as a tint over its own colours."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QFocusEvent, QPainter, QPaintEvent, QPalette, QRegion
from PySide6.QtWidgets import QTableView, QWidget

# The selection as a blue tint and outline over the row's own colours and text colours
# (amber/red cells stay recognisable): BoardTable.paintEvent.
_TINT = QColor(74, 122, 184, 45)
_OUTLINE = QColor("#4a7ab8")


_ACTIVATION = (QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate)
_BLOCKING = (QEvent.Type.WindowBlocked, QEvent.Type.WindowUnblocked)


# Rows a turn of the event loop moves by their pixels (BoardTable.setRowHeight).
_MOVED_ROWS_PER_TURN = 3


class BoardTable(QTableView):
    """The board's table. Focus and window activation repaint what they change, not every
    cell: Qt repaints the whole viewport when the table gains or loses focus or its window
    is (de)activated, and the vitals dialog (V) does both twice, so a reading was followed
    by two full repaints of the board (~10 ms each at 79 rows). Only the focus frame and the
    selected row depend on focus; activation changes nothing when the palette's active and
    inactive colours are the same (Qt's own rule for widgets), else every cell is repainted
    as Qt does. Its viewport is opaque (the style sheet turns the fill off, which made every
    repaint of the table paint the main window's background behind it first)."""

    _moved_rows = 0  # rows moved by their pixels in this turn of the event loop

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        if event.type() in (QEvent.Type.Polish, QEvent.Type.StyleChange):
            # the viewport's own fill (its Base, the style sheet's background): the widgets
            # behind it are not painted first (Qt paints them when it is not opaque)
            self.viewport().setAutoFillBackground(True)
        return done

    def paintEvent(self, event: QPaintEvent) -> None:
        """Qt's own delegate paints every cell (no call into Python per cell), the selected
        row as if it were not selected (its own backgrounds and text colours: Qt would fill
        it with the selection's colours), then the tint and outline go over it. A delegate
        set on the selected row (as before) made Qt repaint and re-lay out the whole board
        on every arrow key."""
        row = self._selected_in(event.region())
        if row is None:
            super().paintEvent(event)
            return
        selection = self.selectionModel()
        kept = selection.selection()
        selection.blockSignals(True)  # for this paint only: nothing else is told
        try:
            selection.clearSelection()
            super().paintEvent(event)
        finally:
            selection.select(kept, QItemSelectionModel.SelectionFlag.Select)
            selection.blockSignals(False)
        top, height = self.rowViewportPosition(row), self.rowHeight(row)
        last = self.model().columnCount() - 1
        left = self.columnViewportPosition(0)
        right = self.columnViewportPosition(last) + self.columnWidth(last) - 1
        painter = QPainter(self.viewport())
        painter.fillRect(QRect(left, top, right - left + 1, height), _TINT)
        painter.setPen(_OUTLINE)
        painter.drawLine(left, top, right, top)
        painter.drawLine(left, top + height - 1, right, top + height - 1)
        painter.end()

    def _selected_in(self, region: QRegion) -> int | None:
        """The selected row, if ``region`` (a paint event's) touches it."""
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        top, height = self.rowViewportPosition(row), self.rowHeight(row)
        if height <= 0 or not region.intersects(QRect(0, top, self.viewport().width(), height)):
            return None
        return row

    def focusInEvent(self, event: QFocusEvent) -> None:
        current = self.currentIndex()
        if not current.isValid():
            super().focusInEvent(event)  # Qt picks the current cell (and repaints all)
            return
        editable = bool(current.flags() & Qt.ItemFlag.ItemIsEditable)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, editable)  # as Qt does
        self._update_focus_rows()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._update_focus_rows()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() in _BLOCKING:
            return QWidget.event(self.viewport(), event)
        if event.type() in _ACTIVATION:
            palette = self.viewport().palette()
            if palette.isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                self._update_focus_rows()
                return QWidget.event(self.viewport(), event)  # skips the full update only
        return super().viewportEvent(event)

    def _update_focus_rows(self) -> None:
        """Repaint the current and selected rows (the focus frame, the selection's tint) and
        the table's frame."""
        rows = {i.row() for i in self.selectionModel().selectedRows()}
        rows.add(self.currentIndex().row())
        viewport = self.viewport()
        width = viewport.width()
        for row in rows:
            if 0 <= row < self.model().rowCount():
                y = self.rowViewportPosition(row)
                viewport.update(0, y, width, self.rowHeight(row))
        # the frame only: the scroll bar inside it looks the same with or without focus
        # (repainting it, as the table's whole rect did, cost ~1 ms)
        frame = QRegion(self.rect()).subtracted(QRegion(self.contentsRect()))
        self.update(frame)

    def setRowHeight(self, row: int, height: int) -> None:
        """A row growing or shrinking (its text wrapped again after a reading) moves the
        rows below it: their pixels are moved (the viewport scrolled under them, as a
        scroll does), not painted again. Qt repainted every row from this one to the
        bottom of the board, on a later turn of the event loop (up to ~5 ms at 79 rows on
        the key press's path). Only the first few rows of an event-loop turn: a new width
        resizes every row and repaints the whole board anyway."""
        old = self.rowHeight(row)
        viewport = self.viewport()
        top = self.rowViewportPosition(row)
        if (
            old == height
            or not 0 <= top < viewport.height()  # a row not shown: Qt's own way
            or self.isRowHidden(row)
            or not self.isVisible()
            or not viewport.updatesEnabled()
            or self._moved_rows >= _MOVED_ROWS_PER_TURN
        ):
            super().setRowHeight(row, height)
            return
        if not self._moved_rows:
            QTimer.singleShot(0, self._moved_rows_done)
        self._moved_rows += 1
        header = self.verticalHeader()
        header.blockSignals(True)  # not told: QTableView would repaint from the row down
        try:
            super().setRowHeight(row, height)
        finally:
            header.blockSignals(False)
        self.updateGeometries()  # what QTableView does when told (the scroll bar's range)
        width, bottom = viewport.width(), viewport.height()
        start = top + min(old, height)
        if start < bottom:
            viewport.scroll(0, height - old, QRect(0, start, width, bottom - start))
        viewport.update(0, top, width, height)  # the row itself (the rest was moved)

    def _moved_rows_done(self) -> None:
        self._moved_rows = 0
