"""PDF charts: no text overlaps a data marker, the legend or another text (issue 12).

Read from the reportlab Drawing itself: every String's box (its font's width, from just
under the baseline to the cap height) against every marker's box (the series' marker
Paths, the trend's circles and diamonds) and every other String.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Group, Path, Polygon, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from kapdesk.domain.instruments import PHQ9
from kapdesk.domain.protocol import builtin_protocols
from kapdesk.reports.charts import SERIES_COLOURS, bp_drawing, trend_drawing
from kapdesk.reports.common import CONTENT_WIDTH
from kapdesk.services.report_data.bp_chart_data import thresholds
from kapdesk.services.report_data.model import Band, Series, TrendChart
from kapdesk.services.report_data.session_model import BpChart, Marker, Window

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _walk(node: object) -> Iterator[object]:
    if isinstance(node, Group | Drawing):
        if isinstance(node, Group) and node.transform[1] != 0:  # the rotated axis title
            return
        for child in node.contents:
            yield from _walk(child)
    else:
        yield node


def text_boxes(d: Drawing) -> list[tuple[str, Box]]:
    out = []
    for s in _walk(d):
        if isinstance(s, String) and s.text.strip():
            w = stringWidth(s.text, s.fontName, s.fontSize)
            x0 = {"start": s.x, "middle": s.x - w / 2, "end": s.x - w}[s.textAnchor]
            out.append((s.text, (x0, s.y - 0.15 * s.fontSize, x0 + w, s.y + 0.72 * s.fontSize)))
    return out


def marker_boxes(d: Drawing) -> list[Box]:
    fills = set(SERIES_COLOURS.values())
    out: list[Box] = []
    for s in _walk(d):
        if isinstance(s, Path) and s.fillColor in fills:
            # one sub-path per marker, each opened by a moveTo (operator 0)
            start = 0
            coords = list(zip(s.points[::2], s.points[1::2], strict=True))
            ops = s.operators
            index, shapes = 0, []
            for op in ops:
                take = {0: 1, 1: 1, 2: 3, 3: 0}[op]
                if op == 0 and index > start:
                    shapes.append(coords[start:index])
                    start = index
                index += take
            shapes.append(coords[start:index])
            for pts in shapes:
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                out.append((min(xs), min(ys), max(xs), max(ys)))
        elif isinstance(s, Circle) and s.fillColor in fills:
            out.append((s.cx - s.r, s.cy - s.r, s.cx + s.r, s.cy + s.r))
        elif isinstance(s, Polygon) and s.strokeColor in fills:
            xs, ys = s.points[::2], s.points[1::2]
            out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_clear(d: Drawing) -> None:
    texts, markers = text_boxes(d), marker_boxes(d)
    assert markers, "no markers found in the drawing"
    for i, (text, box) in enumerate(texts):
        hit = [m for m in markers if overlaps(box, m)]
        assert not hit, f"{text!r} {box} covers markers {hit}"
        for other, obox in texts[i + 1 :]:
            assert not overlaps(box, obox), f"{text!r} overlaps {other!r}"
        assert box[0] >= 0, f"{text!r} runs off the drawing"
        assert box[2] <= d.width, f"{text!r} runs off the drawing"


def _hypertensive_hour() -> BpChart:
    xs = [-8.0, -2.0, *(float(m) for m in range(3, 70, 5))]
    sys_ = [176, 178, 181, 179, 184, 190, 178, 201, 188, 182, 175, 180, 183, 179, 199, 181]
    dia = [104, 106, 111, 109, 112, 115, 108, 121, 114, 110, 106, 110, 111, 109, 119, 110]
    pulse = [92, 90, 72, 118, 96, 120, 88, 124, 110, 92, 84, 80, 76, 72, 70, 68]
    return BpChart(
        series=(
            Series("Systolic", tuple(zip(xs, map(float, sys_), strict=True)), "systolic"),
            Series("Diastolic", tuple(zip(xs, map(float, dia), strict=True)), "diastolic"),
            Series("Pulse", tuple(zip(xs, map(float, pulse), strict=True)), "pulse"),
        ),
        thresholds=thresholds(builtin_protocols()["kap-default"]),
        windows=(Window(20, 30, "20-30 min"), Window(55, 65, "discharge")),
        doses=(Marker(0.0, "Dose"), Marker(30.0, "Booster")),
        caption="",
    )


def test_bp_chart_texts_clear_of_markers_and_each_other() -> None:
    assert_clear(bp_drawing(_hypertensive_hour(), CONTENT_WIDTH))  # as the session PDF draws it


def test_trend_chart_texts_clear_of_markers_and_each_other() -> None:
    totals = [26, 23, 20, 17, 14, 11, 10, 9, 4]
    chart = TrendChart(
        instrument="PHQ-9",
        series=Series("PHQ-9", tuple((7.0 * i, float(t)) for i, t in enumerate(totals)), "phq9"),
        bands=tuple(Band(b.low, b.high, b.label) for b in PHQ9.bands),
        y_max=float(PHQ9.max_total),
        start=date(2026, 3, 2),
        caption="",
        follow_ups=((84.0, 26.0), (86.0, 25.0)),
        acute_end=56.0,
    )
    assert_clear(trend_drawing(chart, (CONTENT_WIDTH - 12) / 2))  # two side by side
