"""Which alert or critical readings are still active: a pure function of readings and
acknowledgements.

Decisions a caller must know:

* A reading raises an alert when its band is *alert* or *critical* (whatever the
  phase: SpO2 88 % before the dose is an alert too). An *elevated* pre-dose reading
  is a hold, not an alert (the hold rule lives in the dose gate).
* The alert is active from the moment the reading was taken (as soon as it is
  recorded; never at a later "recheck due").
* An alert is *on* the values whose alert or critical rules fired (BP, pulse,
  SpO2; a rise from the baseline is BP): :func:`alert_measures`. It stays active
  until a clinician acknowledges that reading, or until each of those values has
  been measured again by a later reading of the same session (by time taken, then
  by id) and found within the alert limits (no alert or critical rule fired on
  it). A later reading clears only what it measured: a BP-only reading (no SpO2)
  leaves an SpO2 alert standing; a later BP alert with SpO2 97 % clears an earlier
  SpO2 alert but not an earlier BP alert.
* Readings taken after ``now`` are ignored.
* The text names the value, the rule (its id and its condition in words) and the
  protocol version that judged the reading (stored on the reading), in the active
  language (these texts are shown, never stored).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kapdesk.domain.clock import ensure_utc
from kapdesk.domain.protocol import Band, VitalRule, band_word
from kapdesk.i18n import _


@dataclass(frozen=True)
class AlertReading:
    """What the alert rule needs of one stored reading."""

    reading_id: int
    taken_at: datetime
    band: Band
    rule_ids: tuple[str, ...]
    systolic: int
    diastolic: int
    pulse: int | None = None
    spo2: int | None = None
    protocol_label: str = ""


@dataclass(frozen=True)
class ActiveAlert:
    reading_id: int
    taken_at: datetime
    band: Band
    rule_ids: tuple[str, ...]
    value_text: str  # 'SpO2 88 %', 'BP 212/126'
    rule_text: str  # 'critical-bp (systolic > 200 or diastolic > 120 mmHg)'
    protocol_label: str  # 'kap-default v1.0'

    @property
    def text(self) -> str:
        """'BP 212/126 critical: critical-bp (systolic > 200 ...), kap-default v1.0'."""
        return _(
            "{values} {band}: {rule}, {protocol}",
            values=self.value_text,
            band=band_word(self.band).shown(),
            rule=self.rule_text,
            protocol=self.protocol_label,
        )


def is_alert_band(band: Band) -> bool:
    return band.rank >= Band.ALERT.rank


def value_text(reading: AlertReading, rules: Mapping[str, VitalRule]) -> str:
    """The values the fired rules look at: BP, pulse and/or SpO2 ('BP 212/126')."""
    fired = [rules[i] for i in reading.rule_ids if i in rules]
    bp_rule = not fired or any(
        r.systolic_gt is not None
        or r.systolic_gte is not None
        or r.diastolic_gt is not None
        or r.diastolic_gte is not None
        or r.systolic_rise_gte is not None
        or r.diastolic_rise_gte is not None
        for r in fired
    )
    parts: list[str] = []
    if bp_rule:
        parts.append(
            _("BP {systolic}/{diastolic}", systolic=reading.systolic, diastolic=reading.diastolic)
        )
    if reading.pulse is not None and any(r.pulse_gt is not None for r in fired):
        parts.append(_("pulse {value}/min", value=reading.pulse))
    if reading.spo2 is not None and any(r.spo2_lt is not None for r in fired):
        parts.append(_("SpO2 {value} %", value=reading.spo2))
    return ", ".join(parts)


def rule_text(reading: AlertReading, rules: Mapping[str, VitalRule]) -> str:
    """'low-spo2 (SpO2 < 92 %)'; the rules that set the band, most serious first."""
    top = [rules[i] for i in reading.rule_ids if i in rules and rules[i].band is reading.band] or [
        rules[i] for i in reading.rule_ids if i in rules
    ]
    if not top:
        return ", ".join(reading.rule_ids) or _("protocol rule")
    return "; ".join(f"{r.id} ({r.describe().shown()})" for r in top)


BP, PULSE, SPO2 = "BP", "pulse", "SpO2"
MEASURES = (BP, PULSE, SPO2)


def measured(reading: AlertReading) -> frozenset[str]:
    """The values a reading measured: BP always, pulse and SpO2 when recorded."""
    return frozenset(
        m
        for m, present in (
            (BP, True),
            (PULSE, reading.pulse is not None),
            (SPO2, reading.spo2 is not None),
        )
        if present
    )


def _rule_measures(rule: VitalRule) -> frozenset[str]:
    out: set[str] = set()
    if any(
        x is not None
        for x in (
            rule.systolic_gt,
            rule.systolic_gte,
            rule.diastolic_gt,
            rule.diastolic_gte,
            rule.systolic_rise_gte,
            rule.diastolic_rise_gte,
        )
    ):
        out.add(BP)
    if rule.pulse_gt is not None:
        out.add(PULSE)
    if rule.spo2_lt is not None:
        out.add(SPO2)
    return frozenset(out)


def _fired_on(rule: VitalRule, reading: AlertReading) -> frozenset[str]:
    """The values a rule that fired on ``reading`` fired on. A rise from the baseline
    (which the stored reading cannot re-judge) counts as BP; when no condition can be
    re-judged, every value the rule looks at that the reading measured."""
    s, d = reading.systolic, reading.diastolic
    out: set[str] = set()
    if (
        (rule.systolic_gt is not None and s > rule.systolic_gt)
        or (rule.systolic_gte is not None and s >= rule.systolic_gte)
        or (rule.diastolic_gt is not None and d > rule.diastolic_gt)
        or (rule.diastolic_gte is not None and d >= rule.diastolic_gte)
        or rule.systolic_rise_gte is not None
        or rule.diastolic_rise_gte is not None
    ):
        out.add(BP)
    if rule.pulse_gt is not None and reading.pulse is not None and reading.pulse > rule.pulse_gt:
        out.add(PULSE)
    if rule.spo2_lt is not None and reading.spo2 is not None and reading.spo2 < rule.spo2_lt:
        out.add(SPO2)
    return frozenset(out) or (_rule_measures(rule) & measured(reading))


def measure_bands(reading: AlertReading, rules: Mapping[str, VitalRule]) -> dict[str, Band]:
    """The band of each value the reading measured ('BP', 'pulse', 'SpO2'): the highest
    band of the rules that fired on it, NORMAL when none did. A fired rule unknown to
    ``rules`` (or a band no known rule explains) gives every measured value the
    reading's band: when in doubt, the value is not cleared."""
    values = measured(reading)
    out = dict.fromkeys(values, Band.NORMAL)
    for rule_id in reading.rule_ids:
        rule = rules.get(rule_id)
        if rule is None:
            return dict.fromkeys(values, reading.band)
        for m in _fired_on(rule, reading) & values:
            if rule.band.rank > out[m].rank:
                out[m] = rule.band
    if reading.band.rank > max((b.rank for b in out.values()), default=Band.NORMAL.rank):
        return dict.fromkeys(values, reading.band)
    return out


def alert_measures(reading: AlertReading, rules: Mapping[str, VitalRule]) -> frozenset[str]:
    """The values an alert or critical rule fired on (empty for a reading below alert)."""
    if not is_alert_band(reading.band):
        return frozenset()
    return frozenset(m for m, b in measure_bands(reading, rules).items() if is_alert_band(b))


def _order(r: AlertReading) -> tuple[datetime, int]:
    return (ensure_utc(r.taken_at), r.reading_id)


def active_alerts(
    readings: Sequence[AlertReading],
    acknowledged: Collection[int],
    rules: Mapping[str, VitalRule],
    now: datetime,
) -> tuple[ActiveAlert, ...]:
    """The session's alerts still active at ``now``, most serious first, then latest first.

    ``acknowledged``: ids of readings a clinician acknowledged. ``rules``: the
    protocol's vital rules by id (which values each rule looks at, and the wording).
    """
    now = ensure_utc(now)
    taken = sorted((r for r in readings if ensure_utc(r.taken_at) <= now), key=_order)
    # reading id -> (the reading, its alert values not yet measured within limits again)
    pending: dict[int, tuple[AlertReading, set[str]]] = {}
    for r in taken:
        on = alert_measures(r, rules)
        within = measured(r) - on
        for rid, (_reading, left) in list(pending.items()):
            left -= within
            if not left:
                del pending[rid]
        if on and r.reading_id not in acknowledged:
            pending[r.reading_id] = (r, set(on))
    active = [r for r, _left in pending.values()]
    active.sort(key=lambda r: (-r.band.rank, -_order(r)[0].timestamp(), -r.reading_id))
    return tuple(
        ActiveAlert(
            reading_id=r.reading_id,
            taken_at=ensure_utc(r.taken_at),
            band=r.band,
            rule_ids=r.rule_ids,
            value_text=value_text(r, rules),
            rule_text=rule_text(r, rules),
            protocol_label=r.protocol_label,
        )
        for r in active
    )
