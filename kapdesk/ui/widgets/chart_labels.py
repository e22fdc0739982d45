"""Labels on the pyqtgraph charts that never cover a data point, the legend or each other.

* ``LegendBelow``: the legend lives in the plot item's own layout, under the bottom
  axis: outside the plot area, so no data point can ever reach it; in as many columns as
  the plot's width holds.
* ``place_labels``: each label (a threshold line's label, a band name) tries its
  candidate places in order and takes the first whose scene rectangle misses every data
  marker, every label already placed and the plot's edges; when none is free, the one
  covering the fewest markers. Run again whenever the data or the view's size changes (the
  outcome chart: once, just before its next paint).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt

# Positions along a horizontal line's label: (fraction of the view's width, text anchor).
# Anchor (0, 1): the text's bottom-left on the line (above it, to the right).
LINE_SPOTS: tuple[tuple[float, tuple[float, float]], ...] = (
    (0.02, (0.0, 1.0)),
    (0.98, (1.0, 1.0)),
    (0.02, (0.0, 0.0)),
    (0.98, (1.0, 0.0)),
    (0.5, (0.5, 1.0)),
    (0.5, (0.5, 0.0)),
    (0.3, (0.0, 1.0)),
    (0.7, (1.0, 1.0)),
    (0.3, (0.0, 0.0)),
    (0.7, (1.0, 0.0)),
    # readings all along the line: a text's height (or two) above or below it
    *((p, (a, y)) for y in (2.0, -1.0, 3.0, -2.0) for p, a in ((0.02, 0.0), (0.98, 1.0))),
)


# Along a vertical line: (fraction of the view's height from the bottom, text anchor).
VERTICAL_SPOTS: tuple[tuple[float, tuple[float, float]], ...] = tuple(
    (p, (ax, 0.0)) for p in (0.97, 0.75, 0.5, 0.25) for ax in (1.0, 0.0)
)


class LegendBelow(QObject):
    """The legend of ``curves`` (item, name) under the bottom axis of ``view``'s plot item,
    in as many columns as the view's width holds: ``columns``, else fewer, down to one a
    row. pyqtgraph lays a plot item out at least as wide as its legend: a legend wider than
    the view (a 1280-pixel window's outcome chart: 464 px of legend in 456) laid the whole
    plot out wider than its widget, its right part out of sight (the newest results, the
    labels at the right edge, the end of the legend). A legend of fewer columns is built
    the first time the view is too narrow for the one shown (~2-6 ms each), then kept; the
    one shown is swapped when the view is resized. A view narrower than the plot with its
    legend one a row (~300 px for the outcome chart) is still cut on the right; no minimum
    width is forced on it (its neighbours in a narrow window would be cut instead)."""

    def __init__(
        self, pg: Any, view: Any, curves: Iterable[tuple[Any, str]], columns: int, **opts: Any
    ) -> None:
        super().__init__(view)
        self.view = view
        self.plot_item = view.getPlotItem()
        self.columns = columns
        self._pg, self._curves, self._opts = pg, list(curves), opts
        self.current = self._make(columns)
        self.legends: dict[int, Any] = {columns: self.current}  # by column count
        self.plot_item.layout.addItem(self.current, 4, 1)
        view.installEventFilter(self)

    def _make(self, columns: int) -> Any:
        legend = self._pg.LegendItem(colCount=columns, **self._opts)
        for item, name in self._curves:
            legend.addItem(item, name)
        return legend

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self.fit(event.size().width())  # type: ignore[attr-defined]
        return False

    def fit(self, width: float) -> None:
        """Show the legend with the most columns whose plot fits ``width`` pixels."""
        rest = _least_width(self.plot_item) - _least_width(self.current)  # axes, margins
        chosen = self.current
        for count in range(self.columns, 0, -1):
            chosen = self.legends.get(count)
            if chosen is None:
                chosen = self.legends[count] = self._make(count)
            if rest + _least_width(chosen) <= width:
                break
        if chosen is self.current:
            return
        layout = self.plot_item.layout
        layout.removeItem(self.current)
        self.current.hide()
        layout.addItem(chosen, 4, 1)
        chosen.show()
        self.current = chosen


def _least_width(item: Any) -> float:
    return float(item.effectiveSizeHint(Qt.SizeHint.MinimumSize).width())


def compact(text_item: Any) -> Any:
    """A label's text without the text document's 4 px margin: less room to find."""
    text_item.textItem.document().setDocumentMargin(1)
    text_item.updateTextPos()
    return text_item


def marker_rects(view_box: Any, curves: Iterable[Any]) -> list[QRectF]:
    """Each data point's marker as a scene rectangle (its symbol size, plus a margin)."""
    out: list[QRectF] = []
    for curve in curves:
        if not curve.isVisible():
            continue
        xs, ys = curve.getData()
        if xs is None or ys is None:
            continue
        half = float(curve.opts.get("symbolSize") or 8) / 2 + 1
        for x, y in zip(xs, ys, strict=True):
            c = view_box.mapViewToScene(QPointF(float(x), float(y)))
            out.append(QRectF(c.x() - half, c.y() - half, 2 * half, 2 * half))
    return out


@dataclass
class Spot:
    """One candidate place: ``apply`` moves the label there."""

    apply: Callable[[], None]


def _rect(label: Any) -> QRectF:
    if hasattr(label, "updateTransform"):
        label.updateTransform(force=True)
    return QRectF(label.sceneBoundingRect())


def place_labels(
    labels: Sequence[tuple[Any, Sequence[Spot]]],
    markers: Sequence[QRectF],
    area: QRectF,
) -> None:
    """Put each shown label at its first candidate spot clear of ``markers``, of the labels
    placed before it and inside ``area`` (the view box, in scene coordinates)."""
    taken: list[QRectF] = []
    for label, spots in labels:
        if not label.isVisible() or not spots:
            continue
        best: tuple[int, int] | None = None
        for i, spot in enumerate(spots):
            spot.apply()
            rect = _rect(label)
            cost = sum(1 for m in markers if rect.intersects(m))
            cost += 100 * sum(1 for t in taken if rect.intersects(t))
            if not area.contains(rect):
                cost += 1000
            if cost == 0:
                best = (0, i)
                break
            if best is None or cost < best[0]:
                best = (cost, i)
        assert best is not None
        spots[best[1]].apply()
        taken.append(_rect(label))


def line_spots(line_label: Any, *, vertical: bool = False) -> list[Spot]:
    """The candidate spots of an InfiniteLine's label (``LINE_SPOTS``, ``VERTICAL_SPOTS``)."""

    def at(position: float, anchor: tuple[float, float]) -> Callable[[], None]:
        def apply() -> None:
            line_label.anchors = [anchor, anchor]
            line_label.setPosition(position)

        return apply

    return [Spot(at(p, a)) for p, a in (VERTICAL_SPOTS if vertical else LINE_SPOTS)]
