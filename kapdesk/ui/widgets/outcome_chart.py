"""PHQ-9 totals across a treatment course, on the instrument's severity bands.

Drawn with pyqtgraph, imported when the first chart is built (never at start-up).
The x axis is the week of the course (local calendar days since the course
started / 7), the y axis the total. Shown:

* the severity bands of the instrument definition (PHQ-9: 0-4 ... 20-27),
  shaded, each boundary half-way between two whole totals;
* ``response_line``: 50 % of the baseline total (the outcome rule's response
  drop): a later total on or below it is a response;
* ``remission_line``: at 4.5, i.e. totals below 5 (the rule's remission limit);
* ``curve``: the totals, oldest first; ``item9_points``: the results whose
  item 9 was answered above 0, marked in red.

Tests read ``curve.getData()`` / ``item9_points.getData()``, not pixels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kapdesk.domain.instruments import PHQ9, PHQ9_OUTCOME, Instrument, OutcomeRule

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseOutcomeInfo, InstrumentInfo

# Pale fills, calm to concerning; one per band in order (extra bands reuse the last).
BAND_FILLS = ("#e6f2ea", "#eef3dc", "#fbf1d6", "#fbe4d2", "#f7dada")
BAND_TEXT = "#6b737c"
CURVE_COLOR = "#2f5d8a"
ITEM9_COLOR = "#c62828"
RESPONSE_COLOR = "#3b7d4f"
REMISSION_COLOR = "#1f6f8b"


def _pg() -> Any:
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    import pyqtgraph

    return pyqtgraph


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
    ) -> None:
        super().__init__(parent)
        pg = _pg()
        self.instrument = instrument
        self.rule = rule
        self.setAccessibleName(f"{instrument.code} trend")
        self.plot = pg.PlotWidget(background="#ffffff")
        self.plot.setAccessibleName(f"{instrument.code} trend plot")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.setLabel("left", f"{instrument.code} total")
        item.setLabel("bottom", "Week of course")
        item.showGrid(x=True, y=False, alpha=0.15)
        top = instrument.max_total
        self.plot.setYRange(0, top, padding=0.02)
        self.plot.getAxis("left").setTicks(
            [[(b.low, str(b.low)) for b in instrument.bands] + [(top, str(top))]]
        )

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
            text = pg.TextItem(band.label, color=BAND_TEXT, anchor=(0, 0.5))
            text.setZValue(-10)
            self.plot.addItem(text)
            self.band_labels.append(text)
            self._band_middles.append((low + high) / 2)

        dash = pg.QtCore.Qt.PenStyle.DashLine
        self.response_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(RESPONSE_COLOR, width=1.5, style=dash),
            label="response",
            labelOpts={"position": 0.98, "color": RESPONSE_COLOR, "anchors": [(1, 1), (1, 1)]},
        )
        self.remission_line = pg.InfiniteLine(
            pos=rule.remission_below - 0.5,
            angle=0,
            movable=False,
            pen=pg.mkPen(REMISSION_COLOR, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine),
            label=f"remission: below {rule.remission_below}",
            labelOpts={"position": 0.98, "color": REMISSION_COLOR, "anchors": [(1, 1), (1, 1)]},
        )
        self.plot.addItem(self.response_line)
        self.plot.addItem(self.remission_line)
        self.response_line.hide()

        self.legend = self.plot.addLegend(
            offset=(-8, 8), labelTextColor="#22272e", brush=pg.mkBrush(255, 255, 255, 210)
        )
        self.curve = self.plot.plot(
            [],
            [],
            pen=pg.mkPen(CURVE_COLOR, width=2),
            symbol="o",
            symbolSize=8,
            symbolBrush=CURVE_COLOR,
            symbolPen=pg.mkPen("#ffffff"),
            name=f"{instrument.code} total",
        )
        self.item9_points = self.plot.plot(
            [],
            [],
            pen=None,
            symbol="t1",
            symbolSize=15,
            symbolBrush=ITEM9_COLOR,
            symbolPen=pg.mkPen("#7f0000"),
            name="item 9 above 0",
        )

        self.empty = QLabel()
        self.empty.setObjectName("pageSubtitle")
        self.empty.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.empty)
        lay.addWidget(self.plot, 1)
        self.set_results([], origin=None)

    def set_results(self, results: Sequence[InstrumentInfo], *, origin: date | None) -> None:
        """Plot ``results`` (oldest first) against weeks since ``origin`` (course start)."""
        if not results:
            self.curve.setData([], [])
            self.item9_points.setData([], [])
            self.response_line.hide()
            self.empty.setText(f"No {self.instrument.code} recorded for this course yet.")
            self.empty.show()
            self.plot.setXRange(0, 4, padding=0.02)
            self._place_band_labels(0)
            return
        self.empty.hide()
        start = origin or results[0].taken_at.astimezone().date()
        xs = [course_week(r.taken_at.astimezone().date(), start) for r in results]
        ys = [float(r.total) for r in results]
        self.curve.setData(xs, ys)
        flagged = [(x, y) for x, y, r in zip(xs, ys, results, strict=True) if r.item9_flag]
        self.item9_points.setData([p[0] for p in flagged], [p[1] for p in flagged])
        baseline = results[0].total
        if baseline > 0:
            level = baseline * (100 - self.rule.response_drop_percent) / 100
            self.response_line.setValue(level)
            self.response_line.show()  # before setFormat: a hidden label keeps its old text
            self.response_line.label.setFormat(
                f"response: ≤ {level:g} ({self.rule.response_drop_percent} % of baseline "
                f"{baseline})"
            )
        else:
            self.response_line.hide()
        left = min(0.0, *xs)
        right = max(max(xs) + 0.5, left + 4)
        self.plot.setXRange(left - 0.3, right, padding=0)
        self._place_band_labels(left - 0.25)

    def _place_band_labels(self, x: float) -> None:
        for text, y in zip(self.band_labels, self._band_middles, strict=True):
            text.setPos(x, y)

    def curve_data(self) -> tuple[list[float], list[float]]:
        xs, ys = self.curve.getData()
        return ([] if xs is None else list(xs)), ([] if ys is None else list(ys))


# ------------------------------------------------------------------ texts


def outcome_text(info: CourseOutcomeInfo) -> str:
    """The course outcome line: baseline, latest, % change, response, remission."""
    base, latest, outcome = info.baseline, info.latest, info.outcome
    if base is None:
        return f"Course outcome: no {info.instrument} on this course yet."
    first = f"baseline {base.total} ({base.band}, {base.taken_at.astimezone():%Y-%m-%d})"
    if latest is None or outcome is None:
        return (
            f"Course outcome ({info.instrument}): {first}; a later {info.instrument} "
            "shows the change."
        )
    pct = outcome.percent_change
    change = "n/a" if pct is None else f"{pct:+.0f} %".replace("-", "−")
    return (
        f"Course outcome ({info.instrument}): {first} → latest {latest.total} ({latest.band}, "
        f"{latest.taken_at.astimezone():%Y-%m-%d}) · change {change} · "
        f"response: {'yes' if outcome.response else 'no'} · "
        f"remission: {'yes' if outcome.remission else 'no'}"
    )


def item9_banner_text(phq9: Sequence[InstrumentInfo]) -> str:
    """A banner sentence when the latest PHQ-9 (oldest first) has item 9 above 0, else ''."""
    if not phq9 or not phq9[-1].item9_flag:
        return ""
    latest = phq9[-1]
    return (
        f"Latest PHQ-9 ({latest.taken_at.astimezone():%Y-%m-%d}): item 9 (thoughts of "
        f"self-harm) answered {latest.answers[8]} – clinician follow-up required."
    )
