"""The BP chart: curve data, protocol threshold lines, shaded due windows, lazy import."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.protocol import Band, builtin_protocols
from kapdesk.services.context import Actor
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_MONITORING
from kapdesk.ui.widgets.bp_chart import (
    BpChart,
    ChartPoint,
    ChartWindow,
    Threshold,
    protocol_thresholds,
)


def test_thresholds_come_from_the_protocols_post_dose_and_any_time_rules() -> None:
    protocol = builtin_protocols()["kap-default"]
    found = {(t.measure, t.value, t.band) for t in protocol_thresholds(protocol)}
    assert found == {
        ("systolic", 180, Band.ALERT),
        ("diastolic", 110, Band.ALERT),
        ("systolic", 200, Band.CRITICAL),
        ("diastolic", 120, Band.CRITICAL),
    }  # the pre-dose 140/90 rule is not a post-dose line


def test_points_lines_and_windows(qtbot: QtBot) -> None:
    chart = BpChart()
    qtbot.addWidget(chart)
    chart.set_points(
        [
            ChartPoint(22.0, 150, 95, 88),
            ChartPoint(-1.0, 128, 82, None),
            ChartPoint(35.5, 141, 90, 84),
        ]
    )
    xs, ys = chart.systolic_curve.getData()
    assert list(xs) == [-1.0, 22.0, 35.5]  # in time order
    assert list(ys) == [128, 150, 141]
    assert list(chart.diastolic_curve.getData()[1]) == [82, 95, 90]
    px, py = chart.pulse_curve.getData()
    assert (list(px), list(py)) == ([22.0, 35.5], [88, 84])  # no pulse, no point

    chart.set_thresholds([Threshold(180, "systolic", Band.ALERT, "systolic > 180")])
    assert chart.threshold_values() == [180.0]
    chart.set_thresholds([])
    assert chart.threshold_values() == []
    chart.set_windows([ChartWindow(20, 30, "due"), ChartWindow(105, 120, "other")])
    assert chart.window_spans() == [(20.0, 30.0), (105.0, 120.0)]
    chart.set_windows([ChartWindow(20, 30, "done")])
    assert chart.window_spans() == [(20.0, 30.0)]
    chart.set_now(41.0)
    assert chart.now_line.value() == 41.0
    assert chart.now_line.isVisible()
    low, high = chart.plot.viewRange()[1]
    assert low < 82
    assert high > 150


def test_the_monitoring_chart_matches_the_readings_and_the_protocol(
    qtbot: QtBot, app: AppContext, clock: FakeClock, nurse: Actor
) -> None:
    app.actor = nurse
    kit = Kit(app.ctx, clock, nurse)
    sid = kit.dosed()  # pre-dose 122/78 one minute before the dose
    dose_at = clock.now()
    for minutes, bp in ((10, (136, 88, 80)), (22, (152, 96, 88)), (35, (141, 90, None))):
        clock.set(dose_at + timedelta(minutes=minutes))
        kit.vitals.record(nurse, sid, *bp)
    ws = SessionWorkspace(app, sid)
    qtbot.addWidget(ws)
    ws.resize(1280, 800)
    ws.show()
    qtbot.waitExposed(ws)
    assert ws.current_step() == STEP_MONITORING
    chart = ws.pages[STEP_MONITORING].chart
    assert chart is not None

    xs, systolic = chart.systolic_curve.getData()
    assert [round(x, 3) for x in xs] == [-1.0, 10.0, 22.0, 35.0]
    assert list(systolic) == [122, 136, 152, 141]
    assert list(chart.diastolic_curve.getData()[1]) == [78, 88, 96, 90]
    assert list(chart.pulse_curve.getData()[1]) == [72, 80, 88]
    assert {180.0, 110.0} <= set(chart.threshold_values())
    assert chart.window_spans() == [(20.0, 30.0), (105.0, 120.0)]

    clock.advance(minutes=1)
    kit.vitals.record(nurse, sid, 150, 92, 90, 97)  # elsewhere: its change set refreshes us
    assert list(chart.systolic_curve.getData()[1]) == [122, 136, 152, 141, 150]
    ws.stop()


@pytest.mark.parametrize("module", ["kapdesk.ui.session", "kapdesk.ui.widgets.bp_chart"])
def test_pyqtgraph_is_only_imported_when_a_chart_is_built(module: str) -> None:
    code = f"import sys, {module}; print('pyqtgraph' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
