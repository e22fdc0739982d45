"""An inline error goes away as soon as the person edits the field it is about.

``when_edited`` calls back on a change made by the person (typing, choosing, ticking)
in an editor or in any input inside a row widget, never on a change the program
makes (filling in a stored value, a clock moving a time field on).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)


def _connect(widget: QWidget, callback: Callable[[], None]) -> None:
    def if_focused(*_args: object) -> None:
        if widget.hasFocus():  # the person is editing it, not the program filling it in
            callback()

    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(lambda _text: callback())
    elif isinstance(widget, QComboBox):
        widget.activated.connect(lambda _index: callback())
    elif isinstance(widget, QAbstractButton) and widget.isCheckable():
        widget.clicked.connect(lambda _checked=False: callback())
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.textChanged.connect(if_focused)
    elif isinstance(widget, QDateTimeEdit):
        widget.dateTimeChanged.connect(if_focused)
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        widget.valueChanged.connect(if_focused)


def when_edited(root: QWidget, callback: Callable[[], None]) -> None:
    """``callback()`` whenever the person changes ``root`` or an input inside it."""
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox):
            continue  # a spin/date box's own line edit: the box itself is connected
        _connect(widget, callback)


def clear_when_edited(root: QWidget, *labels: QLabel) -> None:
    """Hides each inline error/message label as soon as ``root`` is edited."""

    def clear() -> None:
        for label in labels:
            if label.text() or label.isVisible():
                label.clear()
                label.hide()

    when_edited(root, clear)
