"""Which alert or critical readings are still active: a pure function of readings and
acknowledgements.

Decisions a caller must know:

* A reading raises an alert when its band is *alert* or *critical* (whatever the
  phase: SpO2 88 % before the dose is an alert too). An *elevated* pre-dose reading
  is a hold, not an alert (the hold rule lives in the dose gate).
* The alert is active from the moment the reading was taken (as soon as it is
  recorded; never at a later "recheck due").
* It stays active until either a clinician acknowledges that reading, or a later
  reading of the same session (by time taken, then by id) is below *alert* (it
  fired no alert or critical rule): that reading clears every earlier alert. A
  later reading that is itself an alert clears nothing; both stay until cleared
  or acknowledged one by one.
* Readings taken after ``now`` are ignored.
* The text names the value, the rule (its id and its condition in words) and the
  protocol version that judged the reading (stored on the reading).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kapdesk.domain.clock import ensure_utc
from kapdesk.domain.protocol import Band, VitalRule


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
        return f"{self.value_text} {self.band.value}: {self.rule_text}, {self.protocol_label}"


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
        parts.append(f"BP {reading.systolic}/{reading.diastolic}")
    if reading.pulse is not None and any(r.pulse_gt is not None for r in fired):
        parts.append(f"pulse {reading.pulse}/min")
    if reading.spo2 is not None and any(r.spo2_lt is not None for r in fired):
        parts.append(f"SpO2 {reading.spo2} %")
    return ", ".join(parts)


def rule_text(reading: AlertReading, rules: Mapping[str, VitalRule]) -> str:
    """'low-spo2 (SpO2 < 92 %)'; the rules that set the band, most serious first."""
    top = [rules[i] for i in reading.rule_ids if i in rules and rules[i].band is reading.band] or [
        rules[i] for i in reading.rule_ids if i in rules
    ]
    if not top:
        return ", ".join(reading.rule_ids) or "protocol rule"
    return "; ".join(f"{r.id} ({r.describe()})" for r in top)


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
    protocol's vital rules by id (for the wording only).
    """
    now = ensure_utc(now)
    taken = sorted((r for r in readings if ensure_utc(r.taken_at) <= now), key=_order)
    active: list[AlertReading] = []
    for r in taken:
        if is_alert_band(r.band):
            if r.reading_id not in acknowledged:
                active.append(r)
        else:
            active.clear()  # a reading within the alert limits clears every earlier alert
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
