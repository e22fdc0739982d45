"""A page whose parts keep their least heights: it scrolls up and down when the window is
too short for them, never sideways; taller, its stretching parts take the rest.

Qt's resizable scroll area makes a page whose layout has wrapping labels (height for
width) as tall as the layout *prefers* at the view's width: a chart's page scrolled at
1280x800 though all of it fitted at its least height (the plot was drawn 550 px high).
``ScrollPage`` asks the page's least height for the width instead.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget


def _least_for_width(widget: QWidget, width: int) -> int | None:
    layout = widget.layout()
    if layout is None or not layout.hasHeightForWidth():
        return None
    return int(layout.minimumHeightForWidth(width))


class _Page(QWidget):
    def heightForWidth(self, width: int) -> int:
        least = _least_for_width(self, width)
        return super().heightForWidth(width) if least is None else least


class ScrollPage(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page = _Page()  # as wide as the view: its parts shrink to it, as without a page
        self.page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setWidget(self.page)

    def settle(self) -> None:
        """Lay the page out now, its scroll bar shown or not as it will be: left to the
        event loop, the bar came after the first paint, narrowed the page and everything
        on it was laid out and painted again."""
        layout = self.page.layout()
        if layout is None:
            return
        layout.activate()
        QCoreApplication.sendEvent(self, QEvent(QEvent.Type.LayoutRequest))
        layout.activate()


class LeastForWidth(QWidget):
    """A part of a ``ScrollPage`` holding wrapping labels whose least height counts them
    wrapped at its width, and which reports no height for width: a tab widget holding it
    answered the height its page *prefers* (the chart's plot at 480 px, its tables at 190
    each) as its least, and the page scrolled for nothing."""

    def hasHeightForWidth(self) -> bool:
        return False

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        least = _least_for_width(self, self.width()) if self.isVisible() else None
        if least is not None and least > hint.height():
            hint.setHeight(least)
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # its labels wrap anew: its least height changes
