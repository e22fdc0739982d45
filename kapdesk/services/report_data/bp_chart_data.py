"""The session summary's BP chart data (pure): what to plot, not how.

The BP chart takes its threshold lines from the session's protocol rules (a
pre-dose rule is drawn left of the first dose only, a post-dose rule right of
it) and its shaded windows from the session's reading schedule.
"""

from __future__ import annotations

from kapdesk.domain.protocol import Anchor, Phase, Protocol, VitalRule
from kapdesk.domain.wording import shown
from kapdesk.i18n import N_, _
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.model import Series
from kapdesk.services.report_data.session_model import BpChart, Marker, Threshold, Window
from kapdesk.services.screen_dtos import SessionDetail

_PHASE_TEXT = {
    Phase.PRE_DOSE: N_("pre-dose"),
    Phase.POST_DOSE: N_("post-dose"),
    Phase.ANY: N_("any time"),
}
# The short names of the plotted values on a threshold's label: 'SBP > 180'.
_SHORT = {"systolic": N_("SBP"), "diastolic": N_("DBP"), "pulse": N_("Pulse")}


def _extent(rule: VitalRule) -> tuple[float | None, float | None]:
    if rule.phase is Phase.PRE_DOSE:
        return None, 0.0
    if rule.phase is Phase.POST_DOSE:
        return 0.0, None
    return None, None


def thresholds(protocol: Protocol) -> tuple[Threshold, ...]:
    out: list[Threshold] = []
    for rule in protocol.vital_rules:
        x_from, x_to = _extent(rule)
        band = rule.band.value
        words = {"band_text": fmt.band_word(band), "where": _(_PHASE_TEXT[rule.phase])}
        for series, gt, gte in (
            ("systolic", rule.systolic_gt, rule.systolic_gte),
            ("diastolic", rule.diastolic_gt, rule.diastolic_gte),
            ("pulse", rule.pulse_gt, None),
        ):
            short = _(_SHORT[series])
            for sign, value in ((">", gt), ("≥", gte)):
                if value is not None:
                    label = f"{short} {sign} {value}"
                    out.append(Threshold(value, label, series, band, x_from, x_to, **words))
    return tuple(out)


def bp_chart(d: SessionDetail, protocol: Protocol | None) -> BpChart | None:
    """None when nothing can be plotted against minutes from the first dose."""
    first = d.session.first_dose_at
    timed = [r for r in d.readings if r.minutes_from_dose is not None]
    if first is None or not timed:
        return None
    minutes = [float(r.minutes_from_dose or 0.0) for r in timed]
    series = (
        Series(
            _("Systolic"),
            tuple(zip(minutes, (float(r.systolic) for r in timed), strict=True)),
            "systolic",
        ),
        Series(
            _("Diastolic"),
            tuple(zip(minutes, (float(r.diastolic) for r in timed), strict=True)),
            "diastolic",
        ),
        Series(
            _("Pulse"),
            tuple(
                (float(r.minutes_from_dose or 0.0), float(r.pulse))
                for r in timed
                if r.pulse is not None
            ),
            "pulse",
        ),
    )
    end = max(
        [*minutes, fmt.minutes_between(first, d.session.discharged_at) or 0.0],
    )
    windows: list[Window] = []
    for item in d.schedule:
        start = fmt.minutes_between(first, item.opens_at)
        if start is None:
            continue
        if item.anchor in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE):
            stop = fmt.minutes_between(first, item.closes_at)
            if stop is not None:
                windows.append(Window(start, stop, shown(item.label)))
        elif item.anchor is Anchor.DISCHARGE:
            windows.append(Window(start, max(end, start), shown(item.label)))
    doses = tuple(
        Marker(
            fmt.minutes_between(first, x.given_at) or 0.0,
            _("Booster") if x.is_booster else _("Dose"),
        )
        for x in d.doses
    )
    label = protocol.label if protocol else f"{d.session.protocol_id} v{d.session.protocol_version}"
    return BpChart(
        series=series,
        thresholds=thresholds(protocol) if protocol else (),
        windows=tuple(windows),
        doses=doses,
        caption=_(
            "Blood pressure and pulse against minutes from the first dose. Dashed lines: "
            "{protocol} thresholds (left of 0 pre-dose rules, right of 0 post-dose rules); "
            "shaded: windows in which a reading was due.",
            protocol=label,
        ),
    )
