"""Vital signs: validate what was typed, then classify it against a protocol.

Validation rejects implausible input (a typo, not a clinical finding) with a
sentence naming the field, the value and the allowed range. Classification
applies the protocol's rules for the phase and returns an Assessment that
carries its provenance: which rules fired, on which values, under which
protocol id and version.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Band, Phase, Protocol, VitalRule


@dataclass(frozen=True)
class PlausibleRange:
    label: str  # the field name the user sees
    low: float
    high: float
    unit: str

    def show(self, value: float | str) -> str:
        """'120 mmHg', '98%', '72/min'."""
        text = _number(value) if isinstance(value, int | float) else str(value)
        return f"{text}{self.unit}" if self.unit.startswith(("/", "%")) else f"{text} {self.unit}"

    @property
    def span(self) -> str:
        return f"{_number(self.low)}-{self.show(self.high)}"


# Plausible-input ranges (CLINICAL.md): outside them a value is a typo and is not
# stored. Inclusive at both ends. These are the only numbers kept in code; every
# clinical threshold comes from the Protocol.
PLAUSIBLE_RANGES: Final[dict[str, PlausibleRange]] = {
    "systolic": PlausibleRange("Systolic", 50, 300, "mmHg"),
    "diastolic": PlausibleRange("Diastolic", 20, 200, "mmHg"),
    "pulse": PlausibleRange("Pulse", 20, 250, "/min"),
    "spo2": PlausibleRange("SpO2", 50, 100, "%"),
    "weight": PlausibleRange("Weight", 25, 350, "kg"),
}

_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,9}(?:[.,][0-9]*)?|[.,][0-9]+)")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class VitalsInput:
    systolic: int
    diastolic: int
    pulse: int | None = None
    spo2: int | None = None


def _required(key: str, raw: object) -> int:
    value = _whole(key, raw)
    if value is None:
        rng = PLAUSIBLE_RANGES[key]
        raise ValidationError(
            rng.label, raw, f"{rng.label} is required: enter a whole number {rng.span}."
        )
    return value


def _whole(key: str, raw: object) -> int | None:
    """A whole number in its plausible range, or None for None / blank."""
    rng = PLAUSIBLE_RANGES[key]
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return None
    if raw is None:
        return None
    value: int
    if isinstance(raw, bool):
        raise _not_whole(rng, raw)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and _WHOLE.fullmatch(raw):
        if len(raw) > 9:  # far outside any range; also keeps int() off huge strings
            raise ValidationError(
                rng.label, raw, f"{rng.label} {raw} is outside the allowed range {rng.span}."
            )
        value = int(raw)
    else:
        raise _not_whole(rng, raw)
    if not rng.low <= value <= rng.high:
        raise ValidationError(
            rng.label,
            value,
            f"{rng.label} {rng.show(value)} is outside the allowed range {rng.span}.",
        )
    return value


def _not_whole(rng: PlausibleRange, raw: object) -> ValidationError:
    return ValidationError(
        rng.label, raw, f"{rng.label} {raw!r} is not a whole number: enter {rng.span}."
    )


def validate_vitals(
    systolic: int | str | None,
    diastolic: int | str | None,
    pulse: int | str | None = None,
    spo2: int | str | None = None,
) -> VitalsInput:
    """Check one reading as typed; raise ValidationError naming field, value and range.

    Accepts ints or strings of digits (surrounding blanks ignored); systolic and
    diastolic are required, pulse and SpO2 may be None or blank.
    """
    sys_v = _required("systolic", systolic)
    dia_v = _required("diastolic", diastolic)
    pulse_v = _whole("pulse", pulse)
    spo2_v = _whole("spo2", spo2)
    if dia_v >= sys_v:
        raise ValidationError(
            "Diastolic",
            dia_v,
            f"Diastolic {dia_v} mmHg must be lower than systolic {sys_v} mmHg.",
        )
    return VitalsInput(sys_v, dia_v, pulse_v, spo2_v)


def validate_weight(kg: float | int | str | None) -> float:
    """Body weight in kg (25-350); accepts '72.5' and '72,5'."""
    rng = PLAUSIBLE_RANGES["weight"]
    raw = kg.strip() if isinstance(kg, str) else kg
    value: float
    if raw is None or raw == "":
        raise ValidationError(rng.label, kg, f"{rng.label} is required: enter {rng.span}.")
    if isinstance(raw, bool):
        raise ValidationError(
            rng.label, kg, f"{rng.label} {kg!r} is not a number: enter {rng.span}."
        )
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw):
        value = float(raw.replace(",", "."))
    else:
        raise ValidationError(
            rng.label, kg, f"{rng.label} {kg!r} is not a number: enter {rng.span}."
        )
    if not math.isfinite(value) or not rng.low <= value <= rng.high:
        raise ValidationError(
            rng.label,
            value,
            f"{rng.label} {rng.show(value)} is outside the allowed range {rng.span}.",
        )
    return value


# ---------------------------------------------------------------- classifying


@dataclass(frozen=True)
class RuleHit:
    """One protocol rule that fired on a reading."""

    rule_id: str
    band: Band
    description: str  # 'systolic > 180 or diastolic > 110 mmHg'
    action: str
    triggered_by: tuple[tuple[str, int], ...]  # (('systolic', 185),)
    recheck_after_min: int | None = None
    escalate_after_consecutive: int | None = None
    escalated: bool = False

    @property
    def values_text(self) -> str:
        """'systolic 185, diastolic 112'; a rise reads 'systolic +44 over the baseline'."""
        return ", ".join(_value_words(name, value) for name, value in self.triggered_by)


def _value_words(name: str, value: int) -> str:
    if name.endswith(" rise"):
        return f"{name.removesuffix(' rise')} +{value} over the pre-dose baseline"
    return f"{name} {value}"


_PHASE_TEXT = {Phase.PRE_DOSE: "pre-dose", Phase.POST_DOSE: "post-dose", Phase.ANY: "any phase"}


@dataclass(frozen=True)
class Assessment:
    band: Band
    fired: tuple[RuleHit, ...]  # highest band first, then protocol order
    protocol_id: str
    protocol_version: str
    phase: Phase
    escalate: bool = False
    recheck_after_min: int | None = None

    @property
    def protocol_label(self) -> str:
        return f"{self.protocol_id} v{self.protocol_version}"

    @property
    def top(self) -> tuple[RuleHit, ...]:
        """The rules that set the band."""
        return tuple(h for h in self.fired if h.band is self.band)

    @property
    def summary(self) -> str:
        """'Elevated – systolic ≥ 140 or diastolic ≥ 90 mmHg (kap-default v1.0, pre-dose)';
        a reading that reaches no limit: 'Within kap-default v1.0 post-dose limits'."""
        phase = _PHASE_TEXT[self.phase]
        if not self.fired:
            return within_limits_text(self.protocol_label, self.phase)
        conditions = "; ".join(h.description for h in self.top)
        return f"{self.band.value.capitalize()} – {conditions} ({self.protocol_label}, {phase})"

    @property
    def provenance(self) -> str:
        """Everything needed to reproduce the band, for the record and the PDF, in words:
        'Checked against the kap-default v1.0 pre-dose rules: rule pre-dose-elevated
        (elevated) – systolic ≥ 140 or diastolic ≥ 90 mmHg, on systolic 152.'"""
        head = f"Checked against the {self.protocol_label} {_PHASE_TEXT[self.phase]} rules"
        if not self.fired:
            return f"{head}: every value within its limits."
        hits = "; ".join(
            f"rule {h.rule_id} ({h.band.value}) – {h.description}, on {h.values_text}"
            + (
                f", {h.escalate_after_consecutive} in a row: escalate to the clinician"
                if h.escalated
                else ""
            )
            for h in self.fired
        )
        return f"{head}: {hits}."


def within_limits_text(protocol_label: str, phase: Phase) -> str:
    """'Within kap-default v1.0 post-dose limits': what a reading reaching no limit is."""
    return f"Within {protocol_label} {_PHASE_TEXT[phase]} limits"


def _triggers(
    rule: VitalRule, r: VitalsInput, baseline: VitalsInput | None = None
) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    if (rule.systolic_gte is not None and r.systolic >= rule.systolic_gte) or (
        rule.systolic_gt is not None and r.systolic > rule.systolic_gt
    ):
        out.append(("systolic", r.systolic))
    if (rule.diastolic_gte is not None and r.diastolic >= rule.diastolic_gte) or (
        rule.diastolic_gt is not None and r.diastolic > rule.diastolic_gt
    ):
        out.append(("diastolic", r.diastolic))
    if rule.pulse_gt is not None and r.pulse is not None and r.pulse > rule.pulse_gt:
        out.append(("pulse", r.pulse))
    if rule.spo2_lt is not None and r.spo2 is not None and r.spo2 < rule.spo2_lt:
        out.append(("SpO2", r.spo2))
    if baseline is not None:
        rise_s, rise_d = r.systolic - baseline.systolic, r.diastolic - baseline.diastolic
        if rule.systolic_rise_gte is not None and rise_s >= rule.systolic_rise_gte:
            out.append(("systolic rise", rise_s))
        if rule.diastolic_rise_gte is not None and rise_d >= rule.diastolic_rise_gte:
            out.append(("diastolic rise", rise_d))
    return tuple(out)


def previous_needed(protocol: Protocol, phase: Phase) -> int:
    """How many of the latest earlier readings of ``phase`` :func:`classify` looks at (for
    the rules that escalate after N in a row: N-1); older ones change nothing."""
    return max(
        (
            max(rule.escalate_after_consecutive - 1, 0)
            for rule in protocol.rules_for(phase)
            if rule.escalate_after_consecutive is not None
        ),
        default=0,
    )


def classify(
    reading: VitalsInput,
    protocol: Protocol,
    phase: Phase,
    previous: Sequence[VitalsInput] = (),
    baseline: VitalsInput | None = None,
) -> Assessment:
    """Band a reading under the protocol's rules for ``phase`` (ANY rules always apply).

    ``previous``: the earlier readings of the same phase, oldest first (the last
    one is the reading just before this one). A rule with
    escalate_after_consecutive=N escalates when it fires on this reading and on
    each of the last N-1 previous ones.
    ``baseline``: the pre-dose baseline (the latest pre-dose reading) for the
    rise-from-baseline conditions; without one (or pre-dose) they never fire.
    """
    if phase is Phase.ANY:
        raise ValueError("classify needs the reading's phase: PRE_DOSE or POST_DOSE")
    hits: list[RuleHit] = []
    base = baseline if phase is Phase.POST_DOSE else None
    for rule in protocol.rules_for(phase):
        values = _triggers(rule, reading, base)
        if not values:
            continue
        escalated = False
        n = rule.escalate_after_consecutive
        if n is not None:
            needed = max(n - 1, 0)
            earlier = list(previous)[-needed:] if needed else []
            escalated = len(earlier) == needed and all(_triggers(rule, p, base) for p in earlier)
        hits.append(
            RuleHit(
                rule_id=rule.id,
                band=rule.band,
                description=rule.describe(),
                action=rule.action,
                triggered_by=values,
                recheck_after_min=rule.repeat_after_min,
                escalate_after_consecutive=n,
                escalated=escalated,
            )
        )
    hits.sort(key=lambda h: -h.band.rank)  # stable: protocol order within a band
    band = hits[0].band if hits else Band.NORMAL
    rechecks = [h.recheck_after_min for h in hits if h.recheck_after_min is not None]
    return Assessment(
        band=band,
        fired=tuple(hits),
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        phase=phase,
        escalate=any(h.escalated for h in hits),
        recheck_after_min=min(rechecks) if rechecks else None,
    )
