"""The mouse wheel scrolls the panel; it never changes a combo box or spin box on the way.

Qt lets a wheel turned over a combo box or spin box change its value, even when the
pointer only passes over it while the panel scrolls (MOAA/S went from 5 to 1 that
way). ``WheelGuard``, installed once on the QApplication, hands such a wheel event
to the scroll area around the box unless the box has the keyboard focus (clicked or
tabbed into: then the wheel is a deliberate choice). Boxes also stop taking the
focus from the wheel alone (Qt.WheelFocus -> Qt.StrongFocus).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QWidget

_GUARDED = (QComboBox, QAbstractSpinBox)


def _guarded_box(watched: QObject) -> QWidget | None:
    """The combo/spin box ``watched`` is, or is the line edit of; None otherwise."""
    if isinstance(watched, _GUARDED):
        return watched
    parent = watched.parent()
    if isinstance(parent, _GUARDED) and isinstance(watched, QWidget):
        return parent
    return None


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _no_wheel_focus(box: QWidget) -> None:
    if box.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    """An application-wide event filter; see the module's docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            box = _guarded_box(watched)
            if box is None or box.hasFocus():
                return False
            self._scroll_instead(box, event)
            return True
        if kind == QEvent.Type.Polish and isinstance(watched, _GUARDED):
            _no_wheel_focus(watched)
        return False

    @staticmethod
    def _scroll_instead(box: QWidget, event: QWheelEvent) -> None:
        area = _scroll_area_around(box)
        if area is None:
            return
        viewport = area.viewport()
        moved = QWheelEvent(
            viewport.mapFromGlobal(event.globalPosition()),
            event.globalPosition(),
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
            event.source(),
        )
        QCoreApplication.sendEvent(viewport, moved)


def install_wheel_guard(app: QCoreApplication) -> WheelGuard:
    """Installs the guard once on ``app``; returns it."""
    existing = app.findChild(WheelGuard)
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
