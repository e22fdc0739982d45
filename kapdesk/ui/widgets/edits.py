"""An inline error goes away as soon as the person edits the field it is about.

``when_edited`` calls back on a change made by the person (typing, choosing, ticking)
in an editor or in any input inside a row widget, never on a change the program
makes (filling in a stored value, a clock moving a time field on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QDateTimeEdit,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QSpinBox,
    )

# Editors are told apart by Qt's own class names (QObject.inherits), not isinstance: importing
# the PySide6 editor classes builds their enum types, which the sign-in window (it uses this
# module) would otherwise pay for before its first paint.


def _connect(widget: QWidget, callback: Callable[[], None]) -> None:
    def if_focused(*_args: object) -> None:
        if widget.hasFocus():  # the person is editing it, not the program filling it in
            callback()

    if widget.inherits("QLineEdit"):
        cast("QLineEdit", widget).textEdited.connect(lambda _text: callback())
    elif widget.inherits("QComboBox"):
        cast("QComboBox", widget).activated.connect(lambda _index: callback())
    elif widget.inherits("QAbstractButton") and cast("QAbstractButton", widget).isCheckable():
        cast("QAbstractButton", widget).clicked.connect(lambda _checked=False: callback())
    elif widget.inherits("QPlainTextEdit") or widget.inherits("QTextEdit"):
        cast("QPlainTextEdit", widget).textChanged.connect(if_focused)
    elif widget.inherits("QDateTimeEdit"):
        cast("QDateTimeEdit", widget).dateTimeChanged.connect(if_focused)
    elif widget.inherits("QSpinBox") or widget.inherits("QDoubleSpinBox"):
        cast("QSpinBox", widget).valueChanged.connect(if_focused)


def when_edited(root: QWidget, callback: Callable[[], None]) -> None:
    """``callback()`` whenever the person changes ``root`` or an input inside it."""
    for widget in [root, *root.findChildren(QWidget)]:
        parent = widget.parent()
        if (
            widget.inherits("QLineEdit")
            and parent is not None
            and parent.inherits("QAbstractSpinBox")
        ):
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
