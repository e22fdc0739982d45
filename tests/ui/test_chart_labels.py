"""Chart labels on screen never overlap the legend or a data point (issue 12).

Geometry, not pixels: the legend's scene rectangle lies outside the plot area, and every
label's scene rectangle (threshold lines, band names, response/remission lines) misses
every data point's marker and every other label.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kapdesk.domain.protocol import builtin_protocols
from kapdesk.services.dtos import InstrumentInfo
from kapdesk.ui.widgets.bp_chart import BpChart, ChartPoint, protocol_thresholds
from kapdesk.ui.widgets.outcome_chart import OutcomeChart


def marker_rects(view_box: Any, curves: list[Any]) -> list[QRectF]:
    out: list[QRectF] = []
    for curve in curves:
        xs, ys = curve.getData()
        if xs is None:
            continue
        half = float(curve.opts.get("symbolSize") or 8) / 2
        for x, y in zip(xs, ys, strict=True):
            c = view_box.mapViewToScene(QPointF(float(x), float(y)))
            out.append(QRectF(c.x() - half, c.y() - half, 2 * half, 2 * half))
    return out


def assert_apart(labels: dict[str, QRectF], points: list[QRectF], legend: QRectF) -> None:
    names = list(labels)
    for i, name in enumerate(names):
        rect = labels[name]
        assert not rect.isEmpty(), name
        assert not rect.intersects(legend), f"label {name!r} overlaps the legend"
        hit = [p for p in points if rect.intersects(p)]
        assert not hit, f"label {name!r} {rect} covers data points {hit}"
        for other in names[i + 1 :]:
            assert not rect.intersects(labels[other]), f"labels {name!r} and {other!r} overlap"


def shown(qtbot: QtBot, widget: Any, width: int, height: int) -> None:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    QApplication.processEvents()


def test_bp_chart_legend_outside_and_threshold_labels_clear_of_points(qtbot: QtBot) -> None:
    chart = BpChart()
    chart.set_thresholds(protocol_thresholds(builtin_protocols()["kap-default"]))
    # a hypertensive hour: readings on and around the lines, at both ends of the time axis
    systolic = (181, 179, 184, 190, 178, 201, 188, 182, 175, 180, 183, 179, 199, 181)
    diastolic = (111, 109, 112, 115, 108, 121, 114, 110, 106, 110, 111, 109, 119, 110)
    pulse = (72, 118, 96, 120, 88, 124, 110, 92, 84, 80, 76, 72, 70, 68)
    points = [
        ChartPoint(float(-2 + 5 * i), s, d, p)
        for i, (s, d, p) in enumerate(zip(systolic, diastolic, pulse, strict=True))
    ]
    chart.set_points(points)
    chart.set_now(62.0)
    for width, height in ((420, 260), (640, 300)):
        shown(qtbot, chart, width, height)
        plot = chart.plot
        vb = plot.getViewBox()
        legend = chart.legend.sceneBoundingRect()
        area = vb.sceneBoundingRect()
        assert not legend.intersects(area), "the legend sits inside the plot area"
        dots = marker_rects(vb, [chart.systolic_curve, chart.diastolic_curve, chart.pulse_curve])
        labels = {
            line.label.toPlainText(): line.label.sceneBoundingRect()
            for line in chart.threshold_lines
        }
        assert len(labels) == 4
        for name, rect in labels.items():
            assert area.contains(rect), f"label {name!r} is cut off by the plot edge"
        assert_apart(labels, dots, legend)


def _phq9(taken: datetime, total: int, *, item9: int = 0) -> InstrumentInfo:
    answers = (0,) * 8 + (item9,)
    return InstrumentInfo(
        id=int(taken.timestamp()) % 100000,
        patient_id=1,
        course_id=1,
        session_id=None,
        instrument="PHQ-9",
        answers=answers,
        total=total,
        band="",
        item9_flag=item9 > 0,
        taken_at=taken,
        recorded_by="",
        scoring_rule="",
    )


def test_outcome_chart_legend_outside_and_labels_clear_of_points(qtbot: QtBot) -> None:
    chart = OutcomeChart()
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    totals = [26, 23, 20, 17, 14, 11, 10, 9, 4, 26]  # every band, at both edges
    results = [
        _phq9(start + timedelta(days=7 * i), t, item9=1 if i == 1 else 0)
        for i, t in enumerate(totals)
    ]
    chart.set_results(results, origin=date(2026, 3, 2))
    for width, height in ((460, 280), (760, 320)):
        shown(qtbot, chart, width, height)
        vb = chart.plot.getPlotItem().getViewBox()
        legend = chart.legend.sceneBoundingRect()
        assert not legend.intersects(vb.sceneBoundingRect()), "the legend sits in the plot"
        dots = marker_rects(vb, [chart.curve, chart.follow_up_points, chart.item9_points])
        labels = {t.textItem.toPlainText(): t.sceneBoundingRect() for t in chart.band_labels}
        for line in (chart.response_line, chart.remission_line):
            labels[line.label.toPlainText()] = line.label.sceneBoundingRect()
        assert_apart(labels, dots, legend)


def test_outcome_chart_places_its_labels_once_before_a_paint(qtbot: QtBot) -> None:
    """Data, range and size change several times while a chart opens: the labels are placed
    once, just before the plot paints, and then sit clear of the points."""
    chart = OutcomeChart()
    shown(qtbot, chart, 640, 300)
    placed: list[int] = []
    place = chart.place_labels
    chart.place_labels = lambda: (placed.append(1), place())[1]  # type: ignore[method-assign]
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    results = [_phq9(start + timedelta(days=7 * i), t) for i, t in enumerate((24, 6, 4, 25))]
    chart.set_results(results, origin=date(2026, 3, 2))
    chart.set_results(results[:3], origin=date(2026, 3, 2))
    chart.resize(700, 320)
    assert placed == []  # nothing painted yet
    chart.plot.grab()  # a paint
    assert placed == [1]
    chart.plot.grab()  # nothing changed since: not placed again
    assert placed == [1]
    vb = chart.plot.getPlotItem().getViewBox()
    dots = marker_rects(vb, [chart.curve, chart.follow_up_points, chart.item9_points])
    labels = {t.textItem.toPlainText(): t.sceneBoundingRect() for t in chart.band_labels}
    for line in (chart.response_line, chart.remission_line):
        labels[line.label.toPlainText()] = line.label.sceneBoundingRect()
    assert_apart(labels, dots, chart.legend.sceneBoundingRect())
