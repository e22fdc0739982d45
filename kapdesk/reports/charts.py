"""Charts drawn with reportlab.graphics: the session BP chart and the course trend charts.

Drawn from plain shapes (not reportlab's chart widgets) so threshold lines can
cover only their phase, windows can be shaded under the data, and the result
stays legible in black and white: systolic ▼ and diastolic ▲ markers, pulse
dots, threshold lines dashed and labelled in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Path,
    Polygon,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from kapdesk.i18n import N_, _
from kapdesk.reports.fonts import FONTS, register_fonts
from kapdesk.services.report_data.model import TrendChart

if TYPE_CHECKING:  # the session's BP chart: a course summary draws none
    from kapdesk.services.report_data.session_model import BpChart, Threshold

AXIS = colors.HexColor("#59626b")
INK_TEXT = colors.HexColor("#1a1a1a")
GRIDLINE = colors.HexColor("#e1e5ea")
WINDOW = colors.HexColor("#dbe8f5")
SERIES_COLOURS = {
    "systolic": colors.HexColor("#b3261e"),
    "diastolic": colors.HexColor("#1f4e9c"),
    "pulse": colors.HexColor("#2f7d32"),
    "phq9": colors.HexColor("#1f4e79"),
    "gad7": colors.HexColor("#7b3f99"),
}
BAND_COLOURS = {
    "critical": colors.HexColor("#c62828"),
    "alert": colors.HexColor("#e65100"),
    "elevated": colors.HexColor("#b58900"),
}
SEVERITY_FILLS = (
    colors.HexColor("#e8f5e9"),
    colors.HexColor("#f7f9dc"),
    colors.HexColor("#fff3d6"),
    colors.HexColor("#fde3cf"),
    colors.HexColor("#f9d4d4"),
)


@dataclass(frozen=True)
class _Frame:
    """The plot area inside a drawing, and the mapping from data to points."""

    x: float
    y: float
    w: float
    h: float
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, v: float) -> float:
        return self.x + (v - self.x0) / (self.x1 - self.x0) * self.w

    def py(self, v: float) -> float:
        return self.y + (v - self.y0) / (self.y1 - self.y0) * self.h


Box = tuple[float, float, float, float]  # x0, y0, x1, y1
# (x, baseline y, text anchor): one place a label may go
Spot = tuple[float, float, str]


def _text_box(x: float, y: float, text: str, size: float, anchor: str, bold: bool) -> Box:
    """What a String covers: its width, from just under the baseline to the cap height."""
    w = stringWidth(text, FONTS.condensed_bold if bold else FONTS.condensed, size)
    x0 = x if anchor == "start" else x - w / 2 if anchor == "middle" else x - w
    return (x0, y - 0.15 * size, x0 + w, y + 0.72 * size)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Room:
    """Where a chart's labels may go: inside ``bounds``, clear of what is ``taken`` (the
    data markers, the legend and the labels placed so far)."""

    def __init__(self, bounds: Box, taken: list[Box]) -> None:
        self.bounds = bounds
        self.taken = taken

    def place(self, spots: Sequence[Spot], text: str, size: float, bold: bool = False) -> Spot:
        """The first spot where ``text`` covers nothing (else the one covering least)."""
        best: tuple[int, Spot] | None = None
        b = self.bounds
        for spot in spots:
            box = _text_box(*spot[:2], text, size, spot[2], bold)
            cost = sum(1 for t in self.taken if _overlap(box, t))
            if not (b[0] <= box[0] and box[2] <= b[2] and b[1] <= box[1] and box[3] <= b[3]):
                cost += 1000
            if best is None or cost < best[0]:
                best = (cost, spot)
            if cost == 0:
                break
        assert best is not None
        self.taken.append(_text_box(*best[1][:2], text, size, best[1][2], bold))
        return best[1]


def _line_spots(a: float, b: float, y: float, size: float, left_first: bool) -> list[Spot]:
    """Along a horizontal line from x ``a`` to ``b``: above it, below it, then a line
    further off, at the preferred end first."""
    ends = [(a + 2, "start"), (b - 2, "end")]
    if not left_first:
        ends.reverse()
    ends.append(((a + b) / 2, "middle"))
    step = size + 1.6
    return [
        (x, y + dy, anchor)
        for dy in (1.6, -1.6 - 0.72 * size, 1.6 + step, -1.6 - 0.72 * size - step)
        for x, anchor in ends
    ]


def _step(span: float, target: int = 8) -> float:
    raw = span / max(target, 1)
    for s in (1, 2, 5, 10, 15, 20, 30, 60, 90, 120, 180, 240):
        if s >= raw:
            return float(s)
    return float(math.ceil(raw / 60) * 60)


def _text(
    g: Group, x: float, y: float, value: str, size: float = 6.5, anchor: str = "start",
    colour: colors.Color = AXIS, bold: bool = False,
) -> None:  # fmt: skip
    g.add(
        String(
            x, y, value,
            fontName=FONTS.condensed_bold if bold else FONTS.condensed,
            fontSize=size, fillColor=colour, textAnchor=anchor,
        )
    )  # fmt: skip


def _axes(g: Group, f: _Frame, x_step: float, y_step: float, x_label: str, y_label: str) -> None:
    # Grid lines and ticks are one Path each: every shape node costs render time.
    grid = Path(strokeColor=GRIDLINE, strokeWidth=0.4, fillColor=None)
    ticks = Path(strokeColor=AXIS, strokeWidth=0.5, fillColor=None)
    v = math.ceil(f.y0 / y_step) * y_step
    while v <= f.y1 + 1e-9:
        y = f.py(v)
        grid.moveTo(f.x, y)
        grid.lineTo(f.x + f.w, y)
        _text(g, f.x - 3, y - 2.2, f"{v:g}", anchor="end")
        v += y_step
    v = math.ceil(f.x0 / x_step) * x_step
    while v <= f.x1 + 1e-9:
        x = f.px(v)
        ticks.moveTo(x, f.y)
        ticks.lineTo(x, f.y - 2.5)
        _text(g, x, f.y - 9.5, f"{v:g}", anchor="middle")
        v += x_step
    g.add(grid)
    g.add(ticks)
    g.add(Rect(f.x, f.y, f.w, f.h, fillColor=None, strokeColor=AXIS, strokeWidth=0.6))
    _text(g, f.x + f.w / 2, f.y - 19, x_label, size=6.8, anchor="middle")
    label = String(0, 0, y_label, fontName=FONTS.condensed, fontSize=6.8, fillColor=AXIS,
                   textAnchor="middle")  # fmt: skip
    rotated = Group(label)
    rotated.translate(f.x - 22, f.y + f.h / 2)
    rotated.rotate(90)
    g.add(rotated)


_KAPPA = 0.5523  # Bézier control distance for a quarter circle


def _add_marker(p: Path, kind: str, x: float, y: float) -> None:
    r = 2.6
    if kind == "systolic":  # ▼ as on anaesthesia charts
        p.moveTo(x - r, y + r)
        p.lineTo(x + r, y + r)
        p.lineTo(x, y - r)
    elif kind == "diastolic":  # ▲
        p.moveTo(x - r, y - r)
        p.lineTo(x + r, y - r)
        p.lineTo(x, y + r)
    else:
        r, k = 1.9, 1.9 * _KAPPA
        p.moveTo(x + r, y)
        p.curveTo(x + r, y + k, x + k, y + r, x, y + r)
        p.curveTo(x - k, y + r, x - r, y + k, x - r, y)
        p.curveTo(x - r, y - k, x - k, y - r, x, y - r)
        p.curveTo(x + k, y - r, x + r, y - k, x + r, y)
    p.closePath()


def _markers(
    g: Group, kind: str, points: Sequence[tuple[float, float]], colour: colors.Color
) -> None:
    """All of a series' markers as one filled Path."""
    p = Path(fillColor=colour, strokeColor=None)
    for x, y in points:
        _add_marker(p, kind, x, y)
    g.add(p)


def _marker_boxes(kind: str, points: Sequence[tuple[float, float]]) -> list[Box]:
    r = (1.9 if kind == "pulse" else 2.6) + 0.4
    return [(x - r, y - r, x + r, y + r) for x, y in points]


def _merge(thresholds: Sequence[Threshold]) -> list[tuple[Threshold, str]]:
    """Lines at the same value over the same span become one line with a joined label,
    drawn in the colour of the most serious band among them."""
    merged: dict[tuple[float, float | None, float | None], list[Threshold]] = {}
    for t in thresholds:
        merged.setdefault((t.value, t.x_from, t.x_to), []).append(t)
    rank = {"elevated": 1, "alert": 2, "critical": 3}
    out = []
    for group in merged.values():
        top = max(group, key=lambda t: rank.get(t.band, 0))
        parts = [f"{t.label} {t.band_text or t.band}" for t in group]
        out.append((top, " · ".join(parts) + (f" ({top.where})" if top.where else "")))
    return out


def bp_drawing(chart: BpChart, width: float, height: float = 205) -> Drawing:
    register_fonts()
    d = Drawing(width, height)
    g = Group()
    xs = [x for s in chart.series for x, _y in s.points]
    ys = [y for s in chart.series for _x, y in s.points]
    x_lo = min([*xs, 0.0, *(m.x for m in chart.doses)])
    x_hi = max([*xs, 0.0, *(w.x_to for w in chart.windows), *(m.x for m in chart.doses)])
    span = max(x_hi - x_lo, 20.0)
    pad = max(span * 0.04, 2.0)
    x0, x1 = x_lo - pad, x_hi + pad
    y0 = min(40.0, math.floor((min(ys) - 10) / 20) * 20)
    y1 = max(220.0, math.ceil((max(ys) + 10) / 20) * 20)
    f = _Frame(34, 30, width - 40, height - 52, x0, x1, y0, y1)

    for w in chart.windows:
        a, b = max(f.px(w.x_from), f.x), min(f.px(w.x_to), f.x + f.w)
        if b > a:
            g.add(Rect(a, f.y, b - a, f.h, fillColor=WINDOW, strokeColor=None))
    x_label, y_label = _("Minutes from the first dose"), _("mmHg  /  beats per min")
    _axes(g, f, _step(x1 - x0, 10), 20.0, x_label, y_label)
    # Labels go where no reading's marker is (nor another label): the markers first.
    markers = [
        box
        for s in chart.series
        for box in _marker_boxes(s.kind, [(f.px(x), f.py(y)) for x, y in s.points])
    ]
    room = _Room((f.x, f.y, f.x + f.w, f.y + f.h), markers)
    _bp_thresholds(g, f, chart, room)
    for m in chart.doses:
        x = f.px(m.x)
        g.add(Line(x, f.y, x, f.y + f.h, strokeColor=colors.black, strokeWidth=0.8))
        top = f.y + f.h - 7
        spots = [
            (x + dx, top - k * 7.5, a) for k in range(4) for dx, a in ((2, "start"), (-2, "end"))
        ]
        sx, sy, anchor = room.place(spots, m.label, 6, bold=True)
        _text(g, sx, sy, m.label, 6, anchor, colors.black, bold=True)

    for s in chart.series:
        colour = SERIES_COLOURS.get(s.kind, AXIS)
        pts = sorted(s.points)
        if len(pts) > 1:
            flat = [v for x, y in pts for v in (f.px(x), f.py(y))]
            dash = [2, 1.5] if s.kind == "pulse" else None
            g.add(PolyLine(flat, strokeColor=colour, strokeWidth=0.9, strokeDashArray=dash))
        _markers(g, s.kind, [(f.px(x), f.py(y)) for x, y in pts], colour)
    _bp_legend(g, f.x, height - 10)
    d.add(g)
    return d


def _bp_thresholds(g: Group, f: _Frame, chart: BpChart, room: _Room) -> None:
    """Dashed threshold lines, each labelled where it covers no marker and no label."""
    for t, label in _merge([t for t in chart.thresholds if f.y0 < t.value < f.y1]):
        colour = BAND_COLOURS.get(t.band, AXIS)
        a = f.px(max(t.x_from, f.x0)) if t.x_from is not None else f.x
        b = f.px(min(t.x_to, f.x1)) if t.x_to is not None else f.x + f.w
        if b - a < 4:
            continue
        y = f.py(t.value)
        g.add(Line(a, y, b, y, strokeColor=colour, strokeWidth=0.7, strokeDashArray=[3, 2]))
        text = label if stringWidth(label, FONTS.condensed, 5.6) < b - a - 4 else f"{t.value:g}"
        pre_dose = t.x_to is not None and t.x_from is None  # its label at its left end
        x, ty, anchor = room.place(_line_spots(a, b, y, 5.6, pre_dose), text, 5.6)
        _text(g, x, ty, text, 5.6, anchor, colour)


_THRESHOLD_WORDS = {
    "elevated": N_("elevated threshold"),
    "alert": N_("alert threshold"),
    "critical": N_("critical threshold"),
}


def _bp_legend(g: Group, lx: float, ly: float) -> None:
    """The legend, above the plot: no reading can reach it."""
    for label, kind in ((_("Systolic"), "systolic"), (_("Diastolic"), "diastolic"),
                        (_("Pulse"), "pulse")):  # fmt: skip
        _markers(g, kind, [(lx + 3, ly + 2.2)], SERIES_COLOURS[kind])
        _text(g, lx + 8, ly, label, 6.8, colour=INK_TEXT)
        lx += 16 + stringWidth(label, FONTS.condensed, 6.8)
    g.add(Rect(lx, ly - 1, 9, 6, fillColor=WINDOW, strokeColor=None))
    due = _("Reading due")
    _text(g, lx + 12, ly, due, 6.8, colour=INK_TEXT)
    lx += max(60, 20 + stringWidth(due, FONTS.condensed, 6.8))
    for band in ("elevated", "alert", "critical"):
        colour = BAND_COLOURS[band]
        g.add(Line(lx, ly + 2, lx + 12, ly + 2, strokeColor=colour, strokeWidth=0.8,
                   strokeDashArray=[3, 2]))  # fmt: skip
        label = _(_THRESHOLD_WORDS[band])
        _text(g, lx + 15, ly, label, 6.8, colour=INK_TEXT)
        lx += 22 + stringWidth(label, FONTS.condensed, 6.8)


def trend_drawing(trend: TrendChart, width: float, height: float = 150) -> Drawing:
    register_fonts()
    d = Drawing(width, height)
    g = Group()
    xs = [x for x, _y in (*trend.series.points, *trend.follow_ups)]
    x_lo, x_hi = min([0.0, *xs]), max([7.0, *xs])
    pad = max((x_hi - x_lo) * 0.06, 1.0)
    label_w = 4 + max(stringWidth(b.label, FONTS.condensed, 5.8) for b in trend.bands)
    f = _Frame(30, 28, width - 34 - label_w, height - 44, x_lo - pad, x_hi + pad, 0, trend.y_max)
    for i, band in enumerate(trend.bands):
        lo = f.py(band.low - (0.5 if band.low > 0 else 0))
        hi = f.py(min(band.high + 0.5, trend.y_max))
        # Spread the fills so the top band is always the red one, whatever the count.
        last = len(SEVERITY_FILLS) - 1
        fill = SEVERITY_FILLS[round(i * last / max(len(trend.bands) - 1, 1))]
        g.add(Rect(f.x, lo, f.w, hi - lo, fillColor=fill, strokeColor=None))
        # Band names sit outside the plot, right of it, so no point can hide them.
        g.add(Rect(f.x + f.w + 1, lo, 2.5, hi - lo, fillColor=fill, strokeColor=None))
        _text(g, f.x + f.w + 5, (lo + hi) / 2 - 2, band.label, 5.8)
    y_step = 3.0 if trend.y_max <= 21 else 5.0
    span = f.x1 - f.x0
    x_step = 7.0 if span <= 70 else 14.0 if span <= 140 else 28.0
    x_label = _("Days since the course started")
    _axes(g, f, x_step, y_step, x_label, _("{instrument} total", instrument=trend.instrument))
    colour = SERIES_COLOURS.get(trend.series.kind, AXIS)
    pts = [(f.px(x), f.py(y), y) for x, y in sorted(trend.series.points)]
    follow = [(f.px(x), f.py(y), y) for x, y in trend.follow_ups]
    if len(pts) > 1:
        g.add(PolyLine([v for x, y, _v in pts for v in (x, y)], strokeColor=colour,
                       strokeWidth=1.1))  # fmt: skip
    for x, y, _value in pts:
        g.add(Circle(x, y, 2.2, fillColor=colour, strokeColor=colors.white, strokeWidth=0.5))
    for cx, cy, _value in follow:  # follow-up: hollow diamonds, never joined to the line
        g.add(Polygon([cx, cy + 3, cx + 3, cy, cx, cy - 3, cx - 3, cy], fillColor=colors.white,
                      strokeColor=colour, strokeWidth=1))  # fmt: skip
    _text(g, f.x, height - 9, trend.series.label, 8, colour=INK_TEXT, bold=True)
    # Labels where they cover no result's marker, the title or each other.
    taken = [(x - 3.4, y - 3.4, x + 3.4, y + 3.4) for x, y, _v in (*pts, *follow)]
    taken.append(_text_box(f.x, height - 9, trend.series.label, 8, "start", True))
    room = _Room((f.x, f.y, f.x + f.w, height - 1), taken)
    if trend.acute_end is not None:
        ax = f.px(trend.acute_end)
        g.add(Line(ax, f.y, ax, f.y + f.h, strokeColor=AXIS, strokeWidth=0.6,
                   strokeDashArray=[2, 2]))  # fmt: skip
        top = f.y + f.h - 7
        spots = [
            (ax + dx, top - k * 7, a) for k in range(6) for dx, a in ((-2, "end"), (2, "start"))
        ]
        end = _("end of acute phase")
        sx, sy, anchor = room.place(spots, end, 5.4)
        _text(g, sx, sy, end, 5.4, anchor, AXIS)
    for x, y, value in (*pts, *follow):
        text = f"{value:g}"
        spots = [(x, y + 4.6, "middle"), (x, y - 8.5, "middle"), (x + 4, y - 2, "start"),
                 (x - 4, y - 2, "end"), (x + 3, y + 4.6, "start"), (x - 3, y + 4.6, "end"),
                 (x + 3, y - 8.5, "start"), (x - 3, y - 8.5, "end")]  # fmt: skip
        sx, sy, anchor = room.place(spots, text, 6, bold=True)
        _text(g, sx, sy, text, 6, anchor, colour, bold=True)
    d.add(g)
    return d
