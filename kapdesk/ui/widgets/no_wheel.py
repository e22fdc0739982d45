"""The mouse wheel scrolls the panel; it never changes a combo box or spin box on the way.

Qt lets a wheel turned over a combo box or spin box change its value, even when the
pointer only passes over it while the panel scrolls (MOAA/S went from 5 to 1 that
way). ``WheelGuard`` hands such a wheel event to the scroll area around the box
unless the box has the keyboard focus (clicked or tabbed into: then the wheel is a
deliberate choice). The box never sees the event, so it does not take the focus
from the wheel either.

The guard watches the windows (each top-level ``QWindow``), not the application: a
Python event filter on the QApplication is called for every event of every widget
(paints, layouts, timers), which made building the main window about 50 ms slower.
A window only receives the input events the platform sends it. Windows are watched
when the guard is installed and whenever one becomes the focus window (every window
and dialog does when it is shown).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QGuiApplication, QWheelEvent, QWindow
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

_GUARDED = (QComboBox, QAbstractSpinBox)
_WATCHED = "kapdeskWheelGuard"  # dynamic property set on each watched window


def guarded_box(widget: QWidget | None) -> QWidget | None:
    """The combo/spin box ``widget`` is or sits in, within its own window; else None."""
    while widget is not None:
        if isinstance(widget, _GUARDED):
            return widget
        if widget.isWindow():  # a combo's open list is a window of its own: not guarded
            return None
        widget = widget.parentWidget()
    return None


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _widget_of(window: QWindow) -> QWidget | None:
    for top in QApplication.topLevelWidgets():
        if top.windowHandle() is window:
            return top
    return None


class WheelGuard(QObject):
    """An event filter on every top-level window; see the module's docstring."""

    def watch(self, window: QWindow | None) -> None:
        """Filter ``window``'s events (once per window)."""
        if window is None or window.property(_WATCHED):
            return
        window.setProperty(_WATCHED, True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(event, QWheelEvent):
            return False
        top = _widget_of(watched) if isinstance(watched, QWindow) else None
        if top is None:
            return False
        box = guarded_box(top.childAt(event.position().toPoint()))
        if box is None or box.hasFocus():
            return False
        scroll_around(box, event)
        return True


def scroll_around(widget: QWidget, event: QWheelEvent) -> bool:
    """Hand the wheel ``event`` to the scroll area around ``widget``; False if none."""
    area = _scroll_area_around(widget)
    if area is None:
        return False
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
    return True


class WheelPassesOver(QObject):
    """On a view that makes no use of the wheel (a plot that neither zooms nor pans), the
    wheel scrolls the page around it: a pyqtgraph plot took it and did nothing, so the
    chart's page did not scroll while the pointer was over the plot (most of its width)."""

    def __init__(self, view: QAbstractScrollArea) -> None:
        super().__init__(view)
        self.view = view
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(event, QWheelEvent):
            return False
        return scroll_around(self.view, event)


def install_wheel_guard(app: QGuiApplication) -> WheelGuard:
    """Installs the guard once on ``app``'s windows, present and future; returns it."""
    existing = app.findChild(WheelGuard)
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(app)
    for window in app.topLevelWindows():
        guard.watch(window)
    app.focusWindowChanged.connect(guard.watch)
    return guard
