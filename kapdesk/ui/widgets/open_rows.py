"""Opening the row of a list table: double-click it, or press Enter/Return on it.

A table view would start editing on Enter; the lists of sessions and notes open the row
instead (the Today board, the handover, a patient's sessions and integration notes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableWidget

from kapdesk.ui.widgets import row_id

OPEN_KEYS: Final = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterOpens(QObject):
    def __init__(self, view: QAbstractItemView, open_current: Callable[[], object]) -> None:
        super().__init__(view)
        self._open_current = open_current

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in OPEN_KEYS
        ):
            self._open_current()
            return True
        return super().eventFilter(watched, event)


def open_on_enter(view: QAbstractItemView, open_current: Callable[[], object]) -> None:
    """Enter/Return on ``view`` calls ``open_current`` (and goes no further)."""
    view.installEventFilter(_EnterOpens(view, open_current))


def open_rows_by_id(table: QTableWidget, open_id: Callable[[int], object]) -> None:
    """Double-click or Enter on a row of ``table`` calls ``open_id`` with the row's id
    (:func:`kapdesk.ui.widgets.row_id`); a row without an id opens nothing."""

    def open_row(row: int) -> None:
        found = row_id(table, row)
        if found is not None:
            open_id(found)

    table.cellDoubleClicked.connect(lambda r, _c: open_row(r))
    open_on_enter(table, lambda: open_row(table.currentRow()))
