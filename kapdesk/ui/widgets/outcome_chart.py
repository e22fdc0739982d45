"""PHQ-9 totals across a treatment course, on the instrument's severity bands.

Drawn with pyqtgraph, imported when the first chart is built (never at start-up).
The x axis is the week of the course (local calendar days since the course
started / 7), the y axis the total. Shown:

* the severity bands of the instrument definition (PHQ-9: 0-4 ... 20-27),
  shaded, each boundary half-way between two whole totals;
* ``response_line``: 50 % of the baseline total (the outcome rule's response
  drop): a later total on or below it is a response;
* ``remission_line``: at 4.5, i.e. totals below 5 (the rule's remission limit);
* ``curve``: the totals of the acute phase, oldest first (baseline to the
  endpoint); ``follow_up_points``: results after the acute phase (follow-up),
  drawn apart as hollow diamonds so they never read as the course's endpoint;
  ``acute_end_line``: the last day of the acute phase (protocol data, week 8);
* ``item9_points``: the results whose item 9 was answered above 0, in red.

Tests read ``curve.getData()`` / ``item9_points.getData()``, not pixels.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kapdesk.domain.instruments import PHQ9, PHQ9_OUTCOME, Instrument, OutcomeRule
from kapdesk.i18n import _
from kapdesk.ui.widgets.chart_labels import (
    LegendBelow,
    Spot,
    compact,
    line_spots,
    marker_rects,
    place_labels,
)
from kapdesk.ui.widgets.locale_words import number_text
from kapdesk.ui.widgets.no_wheel import WheelPassesOver
from kapdesk.ui.widgets.outcome_texts import follow_up_summary as follow_up_summary
from kapdesk.ui.widgets.outcome_texts import item9_banner_text as item9_banner_text
from kapdesk.ui.widgets.outcome_texts import outcome_text as outcome_text
from kapdesk.ui.widgets.outcome_texts import scoring_rules_text as scoring_rules_text

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseOutcomeInfo, InstrumentInfo

# Pale fills, calm to concerning; one per band in order (extra bands reuse the last).
BAND_FILLS = ("#e6f2ea", "#eef3dc", "#fbf1d6", "#fbe4d2", "#f7dada")
BAND_TEXT = "#6b737c"
CURVE_COLOR = "#2f5d8a"
ITEM9_COLOR = "#c62828"
RESPONSE_COLOR = "#3b7d4f"
REMISSION_COLOR = "#1f6f8b"
FOLLOW_UP_COLOR = "#7a4e9c"
ENDPOINT_COLOR = "#59616b"


def _pg() -> Any:
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    import pyqtgraph

    return pyqtgraph


def _text_at(text: Any, x: float, y: float, anchor: tuple[float, float]) -> Callable[[], None]:
    def apply() -> None:
        text.setAnchor(anchor)
        text.setPos(x, y)

    return apply


def course_week(taken: date, origin: date) -> float:
    """Weeks since the course started, by local calendar day."""
    return round((taken - origin).days / 7, 3)


class OutcomeChart(QWidget):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        instrument: Instrument = PHQ9,
        rule: OutcomeRule = PHQ9_OUTCOME,
        deferred: bool = False,
    ) -> None:
        """``deferred``: built part by part through :meth:`build_step` (one part an
        event-loop turn when the chart is built ahead: ui/chart_warmup.py)."""
        super().__init__(parent)
        self.instrument = instrument
        self.rule = rule
        self.setAccessibleName(self.tr("{code} trend").format(code=instrument.code))
        self._parts: list[Callable[[], None]] = [
            self._build_plot,
            self._build_bands,
            self._build_lines,
            self._build_curves,
            self._build_legend,
        ]
        if not deferred:
            while self.build_step():
                pass

    def build_step(self) -> bool:
        """Build the next part of the chart; True while parts are left."""
        if self._parts:
            self._parts.pop(0)()
        return bool(self._parts)

    def _build_plot(self) -> None:
        pg = _pg()
        instrument = self.instrument
        # No context menu: enableMenu=False spares building the view box's (~15 ms).
        self.plot = pg.PlotWidget(background="#ffffff", enableMenu=False)
        self.plot.setAccessibleName(self.tr("{code} trend plot").format(code=instrument.code))
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        WheelPassesOver(self.plot)  # the wheel over the plot scrolls the chart's page
        item = self.plot.getPlotItem()
        item.setLabel("left", self.tr("{code} total").format(code=instrument.code))
        item.setLabel("bottom", self.tr("Week of course"))
        item.showGrid(x=True, y=False, alpha=0.15)
        top = instrument.max_total
        self.plot.setYRange(0, top, padding=0.02)
        self.plot.getAxis("left").setTicks(
            [[(b.low, str(b.low)) for b in instrument.bands] + [(top, str(top))]]
        )

    def _build_bands(self) -> None:
        pg = _pg()
        instrument, top = self.instrument, self.instrument.max_total
        self.band_regions: list[Any] = []
        self.band_labels: list[Any] = []  # a TextItem per band, at the left edge
        self._band_middles: list[float] = []
        for i, band in enumerate(instrument.bands):
            low = max(band.low - 0.5, 0)
            high = min(band.high + 0.5, top)
            fill = BAND_FILLS[min(i, len(BAND_FILLS) - 1)]
            region = pg.LinearRegionItem(
                values=(low, high),
                orientation="horizontal",
                movable=False,
                brush=pg.mkBrush(fill),
                pen=pg.mkPen(None),
            )
            region.setZValue(-20)
            self.plot.addItem(region)
            self.band_regions.append(region)
            text = pg.TextItem(_(band.label), color=BAND_TEXT, anchor=(0, 0.5))
            text.setZValue(-10)
            self.plot.addItem(text)
            self.band_labels.append(text)
            self._band_middles.append((low + high) / 2)

    def _build_lines(self) -> None:
        pg, rule = _pg(), self.rule
        dash = pg.QtCore.Qt.PenStyle.DashLine
        self.response_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(RESPONSE_COLOR, width=1.5, style=dash),
            label=self.tr("response"),
            labelOpts={"position": 0.98, "color": RESPONSE_COLOR, "anchors": [(1, 1), (1, 1)]},
        )
        self.remission_line = pg.InfiniteLine(
            pos=rule.remission_below - 0.5,
            angle=0,
            movable=False,
            pen=pg.mkPen(REMISSION_COLOR, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine),
            label=self.tr("remission: below {total}").format(total=rule.remission_below),
            labelOpts={"position": 0.98, "color": REMISSION_COLOR, "anchors": [(1, 1), (1, 1)]},
        )
        self.plot.addItem(self.response_line)
        self.plot.addItem(self.remission_line)
        self.response_line.hide()
        self.acute_end_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(ENDPOINT_COLOR, width=1, style=dash),
            label="",
            labelOpts={"position": 0.93, "color": ENDPOINT_COLOR, "anchors": [(1, 0), (1, 0)]},
        )

    def _build_curves(self) -> None:
        pg, instrument = _pg(), self.instrument
        dash = pg.QtCore.Qt.PenStyle.DashLine
        self.curve = self.plot.plot(
            [],
            [],
            pen=pg.mkPen(CURVE_COLOR, width=2),
            symbol="o",
            symbolSize=8,
            symbolBrush=CURVE_COLOR,
            symbolPen=pg.mkPen("#ffffff"),
            name=self.tr("{code} total").format(code=instrument.code),
        )
        self.follow_up_points = self.plot.plot(
            [],
            [],
            pen=pg.mkPen(FOLLOW_UP_COLOR, width=1.2, style=dash),
            symbol="d",
            symbolSize=11,
            symbolBrush=pg.mkBrush("#ffffff"),
            symbolPen=pg.mkPen(FOLLOW_UP_COLOR, width=2),
            name=self.tr("follow-up (after the endpoint)"),
        )
        self.plot.addItem(self.acute_end_line)
        self.acute_end_line.hide()
        self.item9_points = self.plot.plot(
            [],
            [],
            pen=None,
            symbol="t1",
            symbolSize=15,
            symbolBrush=ITEM9_COLOR,
            symbolPen=pg.mkPen("#7f0000"),
            name=self.tr("item 9 above 0"),
        )

    def _build_legend(self) -> None:
        pg, instrument = _pg(), self.instrument
        # Under the x axis, outside the plot: no result can ever be drawn beneath it.
        self.legend_below = LegendBelow(
            pg,
            self.plot,
            [
                (self.curve, self.tr("{code} total").format(code=instrument.code)),
                (self.follow_up_points, self.tr("follow-up (after the endpoint)")),
                (self.item9_points, self.tr("item 9 above 0")),
            ],
            3,
            labelTextColor="#22272e",
        )
        for line in (self.response_line, self.remission_line, self.acute_end_line):
            compact(line.label)
        for text in self.band_labels:
            compact(text)
        # Labels are placed once, just before the plot paints (pyqtgraph's hook for work a
        # paint needs): an open changes the data, the range and the size several times.
        self._labels_stale = True
        self.plot.getViewBox().sigResized.connect(lambda *_: self.labels_stale())
        self.plot.scene().sigPrepareForPaint.connect(self._place_stale_labels)

        self.empty = QLabel()
        self.empty.setObjectName("pageSubtitle")
        self.empty.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.empty)
        lay.addWidget(self.plot, 1)
        self.set_results([], origin=None)

    @property
    def legend(self) -> Any:
        """The legend shown (its columns fit the plot's width)."""
        return self.legend_below.current

    def set_outcome(self, info: CourseOutcomeInfo, *, origin: date) -> None:
        """Plot a course: the acute phase as the curve, follow-ups apart, the acute end marked."""
        later = {f.result.id for f in info.follow_ups}
        counting = [r for r in info.results if r.error is None]  # not those entered in error
        acute = [r for r in counting if r.id not in later]
        follow = [r for r in counting if r.id in later]
        self.set_results(acute, origin=origin, follow_ups=follow)
        if info.acute_end is not None and info.results:
            x = course_week(info.acute_end, origin)
            self.acute_end_line.setValue(x)
            self.acute_end_line.show()
            end = self.tr("week {week}: end of acute phase").format(week=info.acute_weeks)
            self.acute_end_line.label.setFormat(end)
            left, right = self.plot.getViewBox().viewRange()[0]
            self.plot.setXRange(left, max(right, x + 0.5), padding=0)
            self.labels_stale()

    def set_results(
        self,
        results: Sequence[InstrumentInfo],
        *,
        origin: date | None,
        follow_ups: Sequence[InstrumentInfo] = (),
    ) -> None:
        """Plot ``results`` (oldest first) against weeks since ``origin`` (course start);
        ``follow_ups`` (after the acute phase) are drawn apart from the curve."""
        self.acute_end_line.hide()
        if not results and not follow_ups:
            self.curve.setData([], [])
            self.follow_up_points.setData([], [])
            self.item9_points.setData([], [])
            self.response_line.hide()
            none = self.tr("No {code} recorded for this course yet.")
            self.empty.setText(none.format(code=self.instrument.code))
            self.empty.show()
            self.plot.setXRange(0, 4, padding=0.02)
            self._place_band_labels(0)
            return
        self.empty.hide()
        start = origin or [*results, *follow_ups][0].taken_at.astimezone().date()

        def points(rs: Sequence[InstrumentInfo]) -> tuple[list[float], list[float]]:
            return (
                [course_week(r.taken_at.astimezone().date(), start) for r in rs],
                [float(r.total) for r in rs],
            )

        xs, ys = points(results)
        fx, fy = points(follow_ups)
        self.curve.setData(xs, ys)
        self.follow_up_points.setData(fx, fy)
        every = [*zip(xs, ys, results, strict=True), *zip(fx, fy, follow_ups, strict=True)]
        flagged = [(x, y) for x, y, r in every if r.item9_flag]
        self.item9_points.setData([p[0] for p in flagged], [p[1] for p in flagged])
        baseline = results[0].total if results else 0
        if baseline > 0:
            level = baseline * (100 - self.rule.response_drop_percent) / 100
            self.response_line.setValue(level)
            self.response_line.show()  # before setFormat: a hidden label keeps its old text
            self.response_line.label.setFormat(
                self.tr("response: ≤ {level} ({percent} % of baseline {baseline})").format(
                    level=number_text(level),
                    percent=self.rule.response_drop_percent,
                    baseline=baseline,
                )
            )
        else:
            self.response_line.hide()
        all_x = xs + fx
        left = min(0.0, *all_x)
        right = max(max(all_x) + 0.5, left + 4)
        self.plot.setXRange(left - 0.3, right, padding=0)
        self._place_band_labels(left - 0.25)

    def _place_band_labels(self, x: float) -> None:
        for text, y in zip(self.band_labels, self._band_middles, strict=True):
            text.setPos(x, y)
        self.labels_stale()

    def labels_stale(self) -> None:
        """The data, the range or the size changed: place the labels before the next paint."""
        self._labels_stale = True
        self.plot.viewport().update()

    def _place_stale_labels(self) -> None:
        if self._labels_stale:
            self.place_labels()

    def place_labels(self) -> None:
        """Band names and the response/remission labels where they cover no result and no
        other label: a band's name at its left or right edge, or higher or lower in it."""
        self._labels_stale = False
        vb = self.plot.getViewBox()
        (left, right), _rows = vb.viewRange()
        pad = (right - left) * 0.01
        labels: list[tuple[Any, list[Spot]]] = [
            (self.response_line.label, line_spots(self.response_line.label)),
            (self.remission_line.label, line_spots(self.remission_line.label)),
            (self.acute_end_line.label, line_spots(self.acute_end_line.label, vertical=True)),
        ]
        for text, band, middle in zip(
            self.band_labels, self.instrument.bands, self._band_middles, strict=True
        ):
            quarter = (band.high - band.low) / 4
            spots = [
                Spot(_text_at(text, x, middle + dy, anchor))
                for dy in (0.0, quarter, -quarter)
                for x, anchor in ((left + pad, (0.0, 0.5)), (right - pad, (1.0, 0.5)))
            ]
            labels.append((text, spots))
        curves = (self.curve, self.follow_up_points, self.item9_points)
        place_labels(labels, marker_rects(vb, curves), vb.sceneBoundingRect())

    def curve_data(self) -> tuple[list[float], list[float]]:
        xs, ys = self.curve.getData()
        return ([] if xs is None else list(xs)), ([] if ys is None else list(ys))
