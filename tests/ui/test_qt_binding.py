"""Guards against Qt binding releases that break the app at run time.

PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None each time
certain calls return None (seen with QApplication.processEvents, which the
event loop helpers and tests call thousands of times): None's count drains and
the process aborts with "none_dealloc" after a few thousand calls.
pyproject.toml therefore keeps PySide6 below 6.12; this test fails on a
binding with that fault.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

NO_INDEX = QModelIndex()


class _Model(QAbstractTableModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_INDEX) -> int:
        return 20

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = NO_INDEX) -> int:
        return 6

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        return "x" if role == Qt.ItemDataRole.DisplayRole else None


def test_calls_returning_none_keep_none_alive(qtbot: QtBot) -> None:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(_Model())
    view.show()
    before = sys.getrefcount(None)
    for _ in range(500):
        QApplication.processEvents()
    for _ in range(20):
        view.viewport().repaint()  # Qt asks data() for many roles; most return None
    lost = before - sys.getrefcount(None)
    assert lost < 100, f"None lost {lost} references: this Qt binding is unsafe"
