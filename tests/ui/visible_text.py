"""Every text a person can read on a window: titles, labels, buttons, menus, tabs, table
headers and cells, combo items, placeholders, tooltips, accessible names, chart labels."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGraphicsView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

ROWS_READ = 40  # of each table: enough to meet every kind of cell the walk's clinic has


def _model_texts(model: QAbstractItemModel, rows: int = ROWS_READ) -> Iterator[str]:
    root = QModelIndex()
    # A list model's columnCount is private in PySide6: one column.
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
    for section in range(columns):
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = model.headerData(section, Qt.Orientation.Horizontal, role)
            if isinstance(value, str):
                yield value
    for row in range(min(model.rowCount(root), rows)):
        for column in range(columns):
            index = model.index(row, column)
            for role in (
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.ToolTipRole,
                Qt.ItemDataRole.AccessibleTextRole,
            ):
                value = model.data(index, role)
                if isinstance(value, str):
                    yield value


def _menu_texts(menu: QMenu) -> Iterator[str]:
    yield menu.title()
    for action in menu.actions():
        if not action.isVisible():
            continue
        yield action.text()
        yield action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
        sub = action.menu()
        if isinstance(sub, QMenu):
            yield from _menu_texts(sub)


def _own_texts(widget: QWidget) -> Iterator[str]:
    yield widget.toolTip()
    yield widget.accessibleName()
    yield widget.accessibleDescription()
    yield widget.statusTip()
    if isinstance(widget, QLabel | QAbstractButton):
        yield widget.text()
    if isinstance(widget, QGroupBox):
        yield widget.title()
    if isinstance(widget, QLineEdit):
        yield widget.placeholderText()
        if widget.isReadOnly():
            yield widget.text()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        yield widget.placeholderText()
        if widget.isReadOnly():
            yield widget.toPlainText()
    if isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QTabBar):
        for i in range(widget.count()):
            yield widget.tabText(i)
            yield widget.tabToolTip(i)
    # A header view shares its table's model: the table reads it (its headers included).
    view = isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView)
    if view and widget.model() is not None:
        stored = widget.property("storedValues") is True  # the record as stored: headers only
        yield from _model_texts(widget.model(), rows=0 if stored else ROWS_READ)
    if isinstance(widget, QGraphicsView) and widget.scene() is not None:
        for item in widget.scene().items():
            if item.isVisible() and hasattr(item, "toPlainText"):
                yield item.toPlainText()
    for action in widget.actions():
        if action.isVisible():
            yield action.text()
            sub = action.menu()
            if isinstance(sub, QMenu):
                yield from _menu_texts(sub)


def visible_texts(root: QWidget) -> list[str]:
    """The texts of ``root`` and of its children that would show with it (hidden ones
    and hidden pages are left out; a dialog not yet shown is read as it would show)."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        texts.extend(_own_texts(widget))
    if hasattr(root, "menuBar"):
        for action in root.menuBar().actions():
            sub = action.menu()
            if action.isVisible() and isinstance(sub, QMenu):
                texts.extend(_menu_texts(sub))
    return [t for t in texts if t and t.strip()]
