"""Vital signs: validate what was typed, then classify it against a protocol.

Validation rejects implausible input (a typo, not a clinical finding) with a
sentence naming the field, the value and the allowed range. Classification
applies the protocol's rules for the phase and returns an Assessment that
carries its provenance: which rules fired, on which values, under which
protocol id and version.

The validation messages are in the active language (the field named as the user reads
it, a decimal comma in Portuguese); ``ValidationError.field`` stays the English name a
form matches. The assessment is stored with each reading: its words are
:class:`~kapdesk.domain.wording.Wording`, English where kept, translated where shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Band, Phase, Protocol, VitalRule, band_word
from kapdesk.domain.wording import Wording
from kapdesk.i18n import ENGLISH, N_, _, current
from kapdesk.i18n import formats as locale_formats


@dataclass(frozen=True)
class PlausibleRange:
    label: str  # the field name the user sees, in English (ValidationError.field)
    low: float
    high: float
    unit: str

    @property
    def name(self) -> str:
        """The field name in the active language ('Sistólica')."""
        return _(self.label)

    def show(self, value: float | str) -> str:
        """'120 mmHg', '98%', '72/min' ('72,5 kg' in Portuguese)."""
        text = _number(value) if isinstance(value, int | float) else str(value)
        return f"{text}{self.unit}" if self.unit.startswith(("/", "%")) else f"{text} {self.unit}"

    @property
    def span(self) -> str:
        return f"{_number(self.low)}-{self.show(self.high)}"


# Plausible-input ranges (CLINICAL.md): outside them a value is a typo and is not
# stored. Inclusive at both ends. These are the only numbers kept in code; every
# clinical threshold comes from the Protocol.
PLAUSIBLE_RANGES: Final[dict[str, PlausibleRange]] = {
    "systolic": PlausibleRange(N_("Systolic"), 50, 300, "mmHg"),
    "diastolic": PlausibleRange(N_("Diastolic"), 20, 200, "mmHg"),
    "pulse": PlausibleRange(N_("Pulse"), 20, 250, "/min"),
    "spo2": PlausibleRange(N_("SpO2"), 50, 100, "%"),
    "weight": PlausibleRange(N_("Weight"), 25, 350, "kg"),
}

_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,9}(?:[.,][0-9]*)?|[.,][0-9]+)")


def _number(value: float) -> str:
    """'72', '72.5' ('72,5' in Portuguese)."""
    return str(int(value)) if float(value).is_integer() else locale_formats.decimal(f"{value:g}")


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
            rng.label,
            raw,
            _("{field} is required: enter a whole number {span}.", field=rng.name, span=rng.span),
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
            raise ValidationError(rng.label, raw, _outside(rng, raw))
        value = int(raw)
    else:
        raise _not_whole(rng, raw)
    if not rng.low <= value <= rng.high:
        raise ValidationError(rng.label, value, _outside(rng, rng.show(value)))
    return value


def _outside(rng: PlausibleRange, shown: str) -> str:
    return _(
        "{field} {value} is outside the allowed range {span}.",
        field=rng.name,
        value=shown,
        span=rng.span,
    )


def _not_whole(rng: PlausibleRange, raw: object) -> ValidationError:
    return ValidationError(
        rng.label,
        raw,
        _(
            "{field} {value} is not a whole number: enter {span}.",
            field=rng.name,
            value=repr(raw),
            span=rng.span,
        ),
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
            _(
                "Diastolic {diastolic} mmHg must be lower than systolic {systolic} mmHg.",
                diastolic=dia_v,
                systolic=sys_v,
            ),
        )
    return VitalsInput(sys_v, dia_v, pulse_v, spo2_v)


def validate_weight(kg: float | int | str | None) -> float:
    """Body weight in kg (25-350); accepts '72.5' and '72,5'."""
    rng = PLAUSIBLE_RANGES["weight"]
    raw = kg.strip() if isinstance(kg, str) else kg
    value: float
    if raw is None or raw == "":
        raise ValidationError(
            rng.label, kg, _("{field} is required: enter {span}.", field=rng.name, span=rng.span)
        )
    if isinstance(raw, bool):
        raise _not_a_number(rng, kg)
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw):
        value = float(raw.replace(",", "."))
    else:
        raise _not_a_number(rng, kg)
    if not math.isfinite(value) or not rng.low <= value <= rng.high:
        raise ValidationError(rng.label, value, _outside(rng, rng.show(value)))
    return value


def _not_a_number(rng: PlausibleRange, raw: object) -> ValidationError:
    return ValidationError(
        rng.label,
        raw,
        _(
            "{field} {value} is not a number: enter {span}.",
            field=rng.name,
            value=repr(raw),
            span=rng.span,
        ),
    )


# ---------------------------------------------------------------- classifying


@dataclass(frozen=True)
class RuleHit:
    """One protocol rule that fired on a reading."""

    rule_id: str
    band: Band
    description: str  # 'systolic > 180 or diastolic > 110 mmHg' (a Wording)
    action: str
    triggered_by: tuple[tuple[str, int], ...]  # (('systolic', 185),)
    recheck_after_min: int | None = None
    escalate_after_consecutive: int | None = None
    escalated: bool = False

    @property
    def values_text(self) -> Wording:
        """'systolic 185, diastolic 112'; a rise reads 'systolic +44 over the baseline'."""
        return Wording.joined(", ", [_value_words(n, v) for n, v in self.triggered_by])


# The values a rule fires on, as RuleHit.triggered_by names them (English keys).
_VALUE_NAMES = {
    "systolic": N_("systolic"),
    "diastolic": N_("diastolic"),
    "pulse": N_("pulse"),
    "SpO2": N_("SpO2"),
}


def _value_name(name: str) -> Wording:
    return Wording(_VALUE_NAMES.get(name, name))


def _value_words(name: str, value: int) -> Wording:
    if name.endswith(" rise"):
        return Wording(
            N_("{name} +{value} over the pre-dose baseline"),
            name=_value_name(name.removesuffix(" rise")),
            value=value,
        )
    return Wording(N_("{name} {value}"), name=_value_name(name), value=value)


_PHASE_TEXT = {
    Phase.PRE_DOSE: N_("pre-dose"),
    Phase.POST_DOSE: N_("post-dose"),
    Phase.ANY: N_("any phase"),
}


def phase_word(phase: Phase) -> Wording:
    """'pre-dose', 'post-dose', 'any phase' (kept English, shown translated)."""
    return Wording(_PHASE_TEXT[phase])


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
    def summary(self) -> Wording:
        """'Elevated – systolic ≥ 140 or diastolic ≥ 90 mmHg (kap-default v1.0, pre-dose)';
        a reading that reaches no limit: 'Within kap-default v1.0 post-dose limits'.
        Stored with the reading: English, shown translated (wording.shown)."""
        if not self.fired:
            return within_limits_text(self.protocol_label, self.phase)
        return Wording(
            N_("{band} – {conditions} ({protocol}, {phase})"),
            band=Wording.derived(band_word(self.band), str.capitalize),
            conditions=Wording.joined("; ", [h.description for h in self.top]),
            protocol=self.protocol_label,
            phase=phase_word(self.phase),
        )

    @property
    def provenance(self) -> Wording:
        """Everything needed to reproduce the band, for the record and the PDF, in words:
        'Checked against the kap-default v1.0 pre-dose rules: rule pre-dose-elevated
        (elevated) – systolic ≥ 140 or diastolic ≥ 90 mmHg, on systolic 152.'"""
        head = Wording(
            N_("Checked against the {protocol} {phase} rules"),
            protocol=self.protocol_label,
            phase=phase_word(self.phase),
        )
        if not self.fired:
            return Wording(N_("{head}: every value within its limits."), head=head)
        hits = Wording.joined("; ", [_hit_words(h) for h in self.fired])
        return Wording(N_("{head}: {hits}."), head=head, hits=hits)


def _hit_words(h: RuleHit) -> Wording:
    text = Wording(
        N_("rule {rule} ({band}) – {description}, on {values}"),
        rule=h.rule_id,
        band=band_word(h.band),
        description=h.description,
        values=h.values_text,
    )
    if not h.escalated:
        return text
    return Wording(
        N_("{hit}, {n} in a row: escalate to the clinician"),
        hit=text,
        n=h.escalate_after_consecutive,
    )


def within_limits_text(protocol_label: str, phase: Phase) -> Wording:
    """'Within kap-default v1.0 post-dose limits': what a reading reaching no limit is."""
    return Wording(
        N_("Within {protocol} {phase} limits"), protocol=protocol_label, phase=phase_word(phase)
    )


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


def stored_assessment(a: Assessment) -> Wording:
    """The words kept with a reading (and signed): its summary and provenance, 'Elevated –
    systolic ≥ 140 … (kap-default v1.0, pre-dose). Checked against …', English; shown in
    the active language."""
    summary, provenance = a.summary, a.provenance
    return Wording.fixed(
        f"{summary}. {provenance}", lambda: f"{summary.shown()}. {provenance.shown()}"
    )


def shown_assessment(
    stored: str,
    reading: VitalsInput,
    protocol: Protocol,
    phase: Phase,
    previous: Sequence[VitalsInput] = (),
    baseline: VitalsInput | None = None,
) -> str:
    """A reading's stored assessment as the active language reads it: derived again from the
    reading under the session's protocol, shown translated when that is the stored English
    word for word; otherwise (another protocol text, an earlier wording, other earlier
    readings) the stored text as it is, so that a screen never contradicts the record."""
    if current() == ENGLISH or phase is Phase.ANY:
        return stored
    again = stored_assessment(classify(reading, protocol, phase, previous, baseline))
    return again.shown() if again == stored else stored
