"""Chart data for the course summary (pure): what to plot, not how. The session summary's
BP chart is in ``bp_chart_data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from kapdesk.domain.instruments import Instrument
from kapdesk.i18n import _
from kapdesk.services.dtos import InstrumentInfo
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.model import Band, Series, TrendChart


def trend_chart(
    instrument: Instrument,
    results: Sequence[InstrumentInfo],
    start: date,
    tz: tzinfo | None,
    *,
    follow_ups: Sequence[InstrumentInfo] = (),
    acute_end: date | None = None,
) -> TrendChart | None:
    """``results`` of the acute phase make the line; ``follow_ups`` are drawn apart."""
    if not results and not follow_ups:
        return None

    def day(r: InstrumentInfo) -> float:
        return float((fmt.local(r.taken_at, tz).date() - start).days)

    points = tuple((day(r), float(r.total)) for r in results)
    later = tuple((day(r), float(r.total)) for r in follow_ups)
    code = instrument.code
    follow_text = (
        _(" Open diamonds: follow-up after the acute phase (dashed line), not the endpoint.")
        if later
        else ""
    )
    return TrendChart(
        instrument=code,
        series=Series(code, points, "phq9" if code == "PHQ-9" else "gad7"),
        bands=tuple(Band(b.low, b.high, _(b.label)) for b in instrument.bands),
        y_max=float(instrument.max_total),
        start=start,
        caption=_(
            "{code} total by day of the course; shaded bands: severity ({source}).",
            code=code,
            source=instrument.band_source,
        )
        + follow_text,
        follow_ups=later,
        acute_end=None if acute_end is None or not later else float((acute_end - start).days),
    )
