"""Two panes side by side where both fit, the second under the first where they do not.

A patient chart's PHQ-9 plot and its PHQ-9/GAD-7 tables: beside each other, a 1024-pixel
window left the plot ~210 px (the tables need ~310), narrower than its legend and axes,
and pyqtgraph laid it out wider than its widget (its newest results and right-hand labels
out of sight). ``SideOrUnder`` is a splitter (the person may move the line between the
panes) that turns on its side when the first pane would get less than ``first_least``
pixels beside the second's least width: the second pane goes under the first, both the
whole width. ``turned`` says which way they are, when it changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget


class SideOrUnder(QSplitter):
    turned = Signal(bool)  # True: side by side

    def __init__(
        self,
        first: QWidget,
        second: QWidget,
        *,
        first_least: int,
        stretch: tuple[int, int] = (3, 2),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.first_least = first_least
        self.stretch = stretch
        self.addWidget(first)
        self.addWidget(second)
        for i, factor in enumerate(stretch):
            self.setStretchFactor(i, factor)
        self.setChildrenCollapsible(False)

    def side_by_side(self) -> bool:
        return self.orientation() == Qt.Orientation.Horizontal

    def arrange(self, width: int) -> None:
        """Beside each other if ``width`` holds the first pane's ``first_least`` and the
        second's least width (its ``minimumWidth``), else the second under the first."""
        second = self.widget(1)
        if second is None:
            return
        wide = width >= self.first_least + second.minimumWidth() + self.handleWidth()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.orientation() == orientation:
            return
        self.setOrientation(orientation)
        self.setSizes([1000 * s for s in self.stretch])  # shared as when first shown
        self.turned.emit(wide)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.arrange(event.size().width())
        super().resizeEvent(event)
