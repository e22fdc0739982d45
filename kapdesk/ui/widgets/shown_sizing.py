"""Columns sized to their contents only while their table can be seen.

A header column in ``ResizeToContents`` mode is measured cell by cell whenever the rows
change, shown or not: a patient's Sessions tab (134 rows) was measured on every open
though the chart opens on its Outcomes tab. ``SizedWhenShown.hold()`` before filling a
table behind another tab fixes those columns at their width; the first time the table
is shown they are measured once, before it paints, and follow their contents again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

_RESIZE_TO_CONTENTS = QHeaderView.ResizeMode.ResizeToContents


class SizedWhenShown(QObject):
    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        header = table.horizontalHeader()
        self.columns = [
            c for c in range(header.count()) if header.sectionResizeMode(c) == _RESIZE_TO_CONTENTS
        ]
        self.held = False
        table.installEventFilter(self)

    def hold(self) -> None:
        """Stop sizing the columns while the table is not visible (no-op when it is)."""
        if self.held or self.table.isVisible():
            return
        header = self.table.horizontalHeader()
        for column in self.columns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self.held = True

    def release(self) -> None:
        """Measure the held columns now and let them follow their contents again."""
        if not self.held:
            return
        self.held = False
        header = self.table.horizontalHeader()
        for column in self.columns:
            self.table.resizeColumnToContents(column)
            header.setSectionResizeMode(column, _RESIZE_TO_CONTENTS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.release()
        return False
