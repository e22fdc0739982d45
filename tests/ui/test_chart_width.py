"""A chart's plot fits its widget at any width: the legend under it takes as many columns
as the width holds (pyqtgraph lays a plot out at least as wide as its legend: a legend
wider than the widget pushed the plot's right part, with its newest results and the
labels at its right edge, out of sight)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from pytestqt.qtbot import QtBot

from kapdesk.domain.protocol import builtin_protocols
from kapdesk.ui.widgets.bp_chart import BpChart, ChartPoint, protocol_thresholds
from kapdesk.ui.widgets.outcome_chart import OutcomeChart

from .test_chart_labels import _phq9, shown


def _fits(view: Any, legend: Any, curves: list[Any]) -> None:
    """Everything of the plot inside the view's visible width: the plot item, the view box,
    the legend and every data point."""
    width = view.viewport().width()
    item = view.getPlotItem()
    assert item.sceneBoundingRect().right() <= width + 0.5, "the plot is wider than its widget"
    assert item.getViewBox().sceneBoundingRect().right() <= width + 0.5
    assert legend.sceneBoundingRect().right() <= width + 0.5, "the legend is cut off"
    vb = item.getViewBox()
    for curve in curves:
        xs, ys = curve.getData()
        for x, y in zip(xs if xs is not None else [], ys if ys is not None else [], strict=True):
            assert vb.mapViewToScene(QPointF(float(x), float(y))).x() < width


def _outcome_chart() -> OutcomeChart:
    chart = OutcomeChart()
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    totals = [21, 18, 16, 15, 12, 11, 9, 8, 7, 6, 9, 10]  # weekly, then follow-ups
    results = [
        _phq9(start + timedelta(days=7 * i), t, item9=1 if i == 1 else 0)
        for i, t in enumerate(totals)
    ]
    chart.set_results(results[:9], origin=date(2026, 3, 2), follow_ups=results[9:])
    return chart


@pytest.mark.parametrize("width", [330, 456, 620, 900])  # a legend one a row fits from ~300
def test_the_outcome_plot_its_legend_and_newest_result_fit_the_widget(
    qtbot: QtBot, width: int
) -> None:
    chart = _outcome_chart()
    shown(qtbot, chart, width, 380)
    qtbot.wait(20)
    _fits(chart.plot, chart.legend, [chart.curve, chart.follow_up_points, chart.item9_points])


def test_the_outcome_legend_is_one_row_when_there_is_room_and_stacks_when_not(
    qtbot: QtBot,
) -> None:
    chart = _outcome_chart()
    shown(qtbot, chart, 900, 380)
    qtbot.wait(20)
    assert chart.legend.columnCount == 3
    chart.resize(330, 380)
    qtbot.wait(20)
    assert chart.legend.columnCount < 3
    assert chart.legend.isVisible()
    chart.resize(900, 380)
    qtbot.wait(20)
    assert chart.legend.columnCount == 3


@pytest.mark.parametrize("width", [180, 260, 420])
def test_the_bp_plot_and_its_legend_fit_the_widget(qtbot: QtBot, width: int) -> None:
    chart = BpChart()
    chart.set_thresholds(protocol_thresholds(builtin_protocols()["kap-default"]))
    chart.set_points([ChartPoint(float(-2 + 5 * i), 150, 95, 80) for i in range(14)])
    shown(qtbot, chart, width, 300)
    qtbot.wait(20)
    _fits(
        chart.plot_widget,
        chart.legend,
        [chart.systolic_curve, chart.diastolic_curve, chart.pulse_curve],
    )
