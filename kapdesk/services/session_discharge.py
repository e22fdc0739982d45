"""Discharge criteria of a session: computed ones and staff-confirmed ones.

``discharge_criteria`` on a session is stored as::

    {"answers": {criterion id: bool},           # staff ticks, autosaved
     "checks": [{id, label, computed, met, detail}, ...],   # frozen at discharge
     "checked_at": ISO-8601 UTC,                           # when they were frozen
     "against_criteria": bool}   # discharged with unmet criteria (reason: discharge_reason)

The criteria themselves are :mod:`kapdesk.domain.discharge`; this module loads rows
into its value objects and stores the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kapdesk.domain import alerts
from kapdesk.domain import discharge as rule
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Band, Protocol, Route
from kapdesk.domain.schedule import DueItem, compute_schedule
from kapdesk.services.dtos import DischargeCheck
from kapdesk.services.due_readings import alert_reading
from kapdesk.services.session_support import reading_order, reading_text
from kapdesk.storage.orm import Dose, SideEffect, VitalReading


def _value_text(measure: str, r: VitalReading) -> str:
    if measure == alerts.PULSE:
        return f"pulse {r.pulse}/min"
    if measure == alerts.SPO2:
        return f"SpO2 {r.spo2} %"
    return f"BP {r.systolic}/{r.diastolic}"


def reading_facts(readings: Sequence[VitalReading], protocol: Protocol) -> list[rule.ReadingFact]:
    """Each reading with the band of each value it measured (by the rules that fired on
    it, ``kapdesk.domain.alerts.measure_bands``) and when it was recorded."""
    rules = {x.id: x for x in protocol.vital_rules}
    return [
        rule.ReadingFact(
            r.taken_at,
            Band(r.band),
            reading_text(r, protocol),
            r.protocol_label,
            values=tuple(
                rule.ValueFact(m, band, _value_text(m, r))
                for m, band in alerts.measure_bands(alert_reading(r), rules).items()
            ),
            # the demo generator's light reading rows carry no recorded_at
            recorded_at=getattr(r, "recorded_at", None),
        )
        for r in sorted(readings, key=reading_order)
    ]


def effect_facts(effects: Sequence[SideEffect]) -> list[rule.EffectFact]:
    """Oldest first, so the latest record of each effect wins."""
    return [
        rule.EffectFact(e.effect_id, e.label, e.present, e.severity, e.resolved_at, e.recorded_at)
        for e in sorted(effects, key=lambda e: (e.recorded_at, e.id))
    ]


def compute_checks(
    protocol: Protocol,
    *,
    route: Route | None,
    doses: Sequence[Dose],
    readings: Sequence[VitalReading],
    stored: Mapping[str, Any],
    at: datetime,
    side_effects: Sequence[SideEffect] = (),
    schedule: Sequence[DueItem] | None = None,
    checked_in_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[DischargeCheck, ...]:
    """Every discharge criterion of the protocol for a discharge at ``at``, on what was
    recorded up to ``now`` (the clock; None: ``at``), as kapdesk.domain.discharge says.

    ``schedule``: the session's reading schedule as of ``at`` (the one the session
    screen and the board show); without it the protocol schedule is computed here.
    """
    if schedule is None:
        schedule = compute_schedule(
            protocol,
            route=route,
            dose_times=[d.given_at for d in doses],
            readings=[r.taken_at for r in readings],
            now=at,
            checked_in_at=checked_in_at,
        )
    criteria = rule.evaluate_discharge(
        protocol,
        route=route,
        dose_times=[d.given_at for d in doses],
        readings=reading_facts(readings, protocol),
        schedule=schedule,
        side_effects=effect_facts(side_effects),
        answers=stored.get("answers") or {},
        at=at,
        now=now,
    )
    return tuple(DischargeCheck(c.id, c.label, c.computed, c.met, c.detail) for c in criteria)


def frozen_checks(stored: Mapping[str, Any]) -> tuple[DischargeCheck, ...] | None:
    """The checks stored at discharge, or None before discharge."""
    raw = stored.get("checks")
    if not isinstance(raw, list):
        return None
    return tuple(
        DischargeCheck(
            id=str(x.get("id", "")),
            label=str(x.get("label", "")),
            computed=bool(x.get("computed", False)),
            met=bool(x.get("met", False)),
            detail=str(x.get("detail", "")),
        )
        for x in raw
        if isinstance(x, dict)
    )


def unmet_text(unmet: Sequence[DischargeCheck]) -> str:
    """'Steady on feet (Not confirmed); Minimum observation time passed (1 h 10 min ...)'."""
    return rule.unmet_text(
        [rule.Criterion(c.id, c.label, c.computed, c.met, c.detail) for c in unmet]
    )


def checks_as_json(checks: Sequence[DischargeCheck]) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "label": c.label, "computed": c.computed, "met": c.met, "detail": c.detail}
        for c in checks
    ]


def validate_answers(protocol: Protocol, answers: Mapping[str, object]) -> dict[str, bool]:
    """Staff answers: known, non-computed criteria, each True or False."""
    criteria = {c.id: c for c in protocol.discharge}
    staff = [c.id for c in protocol.discharge if not c.computed]
    out: dict[str, bool] = {}
    for key, value in answers.items():
        c = criteria.get(key)
        if c is None:
            raise ValidationError(
                "Discharge criterion",
                key,
                f"Discharge criterion '{key}' is not in protocol {protocol.label}; "
                f"known: {', '.join(staff)}.",
            )
        if c.computed:
            raise ValidationError(
                c.label,
                value,
                f"'{c.label}' is worked out by kapdesk from the record; it cannot be ticked.",
            )
        if not isinstance(value, bool):
            raise ValidationError(
                c.label, value, f"'{c.label}' takes yes or no (true/false), got {value!r}."
            )
        out[key] = value
    return out
