"""Blood pressure and pulse against minutes from the first dose (pyqtgraph, imported lazily).

The chart draws what it is given: points (``ChartPoint``), horizontal threshold
lines (``Threshold``, e.g. from ``protocol_thresholds``) and shaded due windows
(``ChartWindow``). Tests read ``systolic_curve.getData()`` etc., not pixels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kapdesk.domain.protocol import Band, Phase, Protocol
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP, band_word
from kapdesk.ui.widgets.chart_labels import (
    LegendBelow,
    compact,
    line_spots,
    marker_rects,
    place_labels,
)

translate = QCoreApplication.translate
# A threshold's measure as its label writes it (the measures are codes).
MEASURE_WORDS: Final = {
    "systolic": QT_TRANSLATE_NOOP("BpChart", "systolic"),
    "diastolic": QT_TRANSLATE_NOOP("BpChart", "diastolic"),
}
SYSTOLIC_COLOR: Final = "#c0392b"
DIASTOLIC_COLOR: Final = "#2c6fbb"
PULSE_COLOR: Final = "#5d6d7e"
_BAND_LINE_COLORS: Final = {
    Band.ELEVATED: "#d9a441",
    Band.ALERT: "#d9a441",
    Band.CRITICAL: "#c75151",
}
_WINDOW_BRUSHES: Final = {
    "due": (245, 194, 107, 70),
    "overdue": (229, 115, 115, 70),
    "done": (120, 170, 130, 45),
    "other": (150, 165, 185, 40),
}


@dataclass(frozen=True)
class ChartPoint:
    minutes: float  # from the first dose (negative before it)
    systolic: int
    diastolic: int
    pulse: int | None = None


@dataclass(frozen=True)
class Threshold:
    value: int
    measure: str  # "systolic" | "diastolic"
    band: Band
    label: str  # 'systolic > 180', in the language shown


@dataclass(frozen=True)
class ChartWindow:
    start: float  # minutes from the first dose
    end: float
    status: str  # "due" | "overdue" | "done" | anything else
    label: str = ""


def protocol_thresholds(protocol: Protocol) -> list[Threshold]:
    """The systolic / diastolic thresholds of the protocol's post-dose and any-time rules."""
    out: list[Threshold] = []
    for rule in protocol.vital_rules:
        if rule.phase not in (Phase.POST_DOSE, Phase.ANY):
            continue
        for measure, value, op in (
            ("systolic", rule.systolic_gt, ">"),
            ("systolic", rule.systolic_gte, "≥"),
            ("diastolic", rule.diastolic_gt, ">"),
            ("diastolic", rule.diastolic_gte, "≥"),
        ):
            if value is not None:
                word = translate("BpChart", MEASURE_WORDS[measure])
                out.append(Threshold(value, measure, rule.band, f"{word} {op} {value}"))
    return out


def _pg() -> Any:
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    import pyqtgraph

    return pyqtgraph


class BpChart(QWidget):
    """Systolic, diastolic and pulse curves with threshold lines and shaded windows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg = _pg()
        self._pg = pg
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot_widget: Any = pg.PlotWidget(background="w", enableMenu=False)  # no menu built
        self.plot_widget.setAccessibleName(translate("BpChart", "Blood pressure chart"))
        self.plot_widget.setMinimumHeight(220)
        layout.addWidget(self.plot_widget)
        plot = self.plot_widget.getPlotItem()
        self.plot = plot
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen("#8a939c"))
            axis.setTextPen(pg.mkPen("#454c55"))
        plot.setLabel("left", translate("BpChart", "mmHg  /  pulse /min"))
        plot.setLabel("bottom", translate("BpChart", "Minutes from first dose"))
        plot.disableAutoRange()

        def curve(name: str, color: str, symbol: str, style: Any = None) -> Any:
            pen = pg.mkPen(color, width=2, style=style) if style else pg.mkPen(color, width=2)
            return plot.plot(
                [],
                [],
                name=name,
                pen=pen,
                symbol=symbol,
                symbolSize=8,
                symbolBrush=color,
                symbolPen=pg.mkPen(color),
            )

        from PySide6.QtCore import Qt

        systolic = translate("BpChart", "Systolic")
        diastolic = translate("BpChart", "Diastolic")
        pulse = translate("BpChart", "Pulse")
        self.systolic_curve = curve(systolic, SYSTOLIC_COLOR, "t")
        self.diastolic_curve = curve(diastolic, DIASTOLIC_COLOR, "t1")
        self.pulse_curve = curve(pulse, PULSE_COLOR, "o", Qt.PenStyle.DotLine)
        # Under the x axis, outside the plot: no reading can ever be drawn beneath it.
        self.legend_below = LegendBelow(
            pg,
            self.plot_widget,
            [
                (self.systolic_curve, systolic),
                (self.diastolic_curve, diastolic),
                (self.pulse_curve, pulse),
            ],
            3,
            labelTextColor="#22272e",
        )
        plot.getViewBox().sigResized.connect(lambda *_: self.place_labels())
        self.threshold_lines: list[Any] = []
        self.window_regions: list[Any] = []
        self.now_line: Any = pg.InfiniteLine(
            pos=0, angle=90, movable=False, pen=pg.mkPen("#4a7ab8", width=1)
        )
        self.now_line.setZValue(-5)
        self.now_line.hide()
        plot.addItem(self.now_line, ignoreBounds=True)
        self._thresholds: tuple[Threshold, ...] = ()
        self._points: tuple[ChartPoint, ...] = ()
        self._windows: tuple[ChartWindow, ...] = ()
        self._now: float | None = None
        self._rescale()

    # ------------------------------------------------------------ data

    @property
    def legend(self) -> Any:
        """The legend shown (its columns fit the plot's width)."""
        return self.legend_below.current

    def set_thresholds(self, thresholds: Sequence[Threshold]) -> None:
        if tuple(thresholds) == self._thresholds:
            return
        pg = self._pg
        for line in self.threshold_lines:
            self.plot.removeItem(line)
        self.threshold_lines = []
        for t in thresholds:
            color = _BAND_LINE_COLORS.get(t.band, "#8a939c")
            line = pg.InfiniteLine(
                pos=t.value,
                angle=0,
                movable=False,
                pen=pg.mkPen(color, width=1, style=_dash()),
                label=f"{t.label} ({band_word(t.band.value)})",
                labelOpts={"position": 0.02, "color": color, "anchors": [(0, 1), (0, 1)]},
            )  # placed clear of the readings and of each other by place_labels
            compact(line.label)
            line.setZValue(-8)
            self.plot.addItem(line)  # counts for the y range: the lines stay in view
            self.threshold_lines.append(line)
        self._thresholds = tuple(thresholds)
        self._rescale()

    def set_windows(self, windows: Sequence[ChartWindow]) -> None:
        pg = self._pg
        for region in self.window_regions:
            self.plot.removeItem(region)
        self.window_regions = []
        for w in windows:
            rgba = _WINDOW_BRUSHES.get(w.status, _WINDOW_BRUSHES["other"])
            region = pg.LinearRegionItem(
                values=(w.start, w.end),
                orientation="vertical",
                movable=False,
                brush=pg.mkBrush(*rgba),
                pen=pg.mkPen(None),
            )
            region.setZValue(-10)
            if w.label:
                region.setToolTip(w.label)
            self.plot.addItem(region)
            self.window_regions.append(region)
        self._windows = tuple(windows)
        self._rescale()

    def set_points(self, points: Sequence[ChartPoint]) -> None:
        ordered = sorted(points, key=lambda p: p.minutes)
        xs = [p.minutes for p in ordered]
        self.systolic_curve.setData(xs, [p.systolic for p in ordered])
        self.diastolic_curve.setData(xs, [p.diastolic for p in ordered])
        with_pulse = [p for p in ordered if p.pulse is not None]
        self.pulse_curve.setData([p.minutes for p in with_pulse], [p.pulse for p in with_pulse])
        self._points = tuple(ordered)
        self._rescale()

    def set_now(self, minutes: float | None) -> None:
        """The 'now' marker (None hides it, e.g. before the first dose or after discharge)."""
        if minutes is None:
            self.now_line.hide()
        else:
            self.now_line.setValue(minutes)
            self.now_line.show()
        if minutes != self._now:
            self._now = minutes
            self._rescale()

    def _rescale(self) -> None:
        """Everything in view: readings, threshold lines (with room for their labels),
        due windows and 'now'."""
        ys = [float(v) for p in self._points for v in (p.systolic, p.diastolic, p.pulse) if v]
        ys += [float(t.value) for t in self._thresholds]
        low = min([*ys, 60.0]) - 10
        high = max([*ys, 160.0]) + 30  # a free row for a label over the highest reading
        self.plot.setYRange(low, high, padding=0)
        xs = [p.minutes for p in self._points] + [0.0]
        xs += [x for w in self._windows for x in (w.start, w.end)]
        if self._now is not None:
            xs.append(self._now)
        self.plot.setXRange(min(xs) - 4, max(max(xs), 30.0) + 6, padding=0)
        self.place_labels()

    def place_labels(self) -> None:
        """Each threshold label where it covers no reading and no other label."""
        vb = self.plot.getViewBox()
        curves = (self.systolic_curve, self.diastolic_curve, self.pulse_curve)
        place_labels(
            [(line.label, line_spots(line.label)) for line in self.threshold_lines],
            marker_rects(vb, curves),
            vb.sceneBoundingRect(),
        )

    def set_x_label(self, text: str) -> None:
        self.plot.setLabel("bottom", text)

    def threshold_values(self) -> list[float]:
        """The y positions of the threshold lines (for tests and screen readers)."""
        return [float(line.value()) for line in self.threshold_lines]

    def window_spans(self) -> list[tuple[float, float]]:
        return [tuple(float(v) for v in r.getRegion()) for r in self.window_regions]  # type: ignore[misc]


def _dash() -> Any:
    from PySide6.QtCore import Qt

    return Qt.PenStyle.DashLine
