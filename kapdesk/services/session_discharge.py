"""Discharge criteria of a session: computed ones and staff-confirmed ones.

``discharge_criteria`` on a session is stored as::

    {"answers": {criterion id: bool},           # staff ticks, autosaved
     "checks": [{id, label, computed, met, detail}, ...],   # frozen at discharge
     "checked_at": ISO-8601 UTC}                           # when they were frozen
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Anchor, Band, DischargeCriterion, Protocol, Route
from kapdesk.domain.schedule import compute_schedule, minimum_observation_end
from kapdesk.services.dtos import DischargeCheck
from kapdesk.services.session_support import reading_order, reading_text
from kapdesk.storage.orm import Dose, VitalReading


def _duration(minutes: int, *, always_minutes: bool = True) -> str:
    """'2 h 05 min', '45 min'; with always_minutes=False '2 h' for whole hours."""
    hours, rest = divmod(max(minutes, 0), 60)
    if hours == 0:
        return f"{rest} min"
    if rest == 0 and not always_minutes:
        return f"{hours} h"
    return f"{hours} h {rest:02d} min"


def _min_observation(
    c: DischargeCriterion,
    protocol: Protocol,
    route: Route | None,
    doses: Sequence[Dose],
    at: datetime,
) -> DischargeCheck:
    times = [d.given_at for d in doses]
    end = minimum_observation_end(protocol, route, times)
    if end is None:
        return DischargeCheck(c.id, c.label, True, False, "No dose given yet.")
    first = min(times)
    required = int((end - first).total_seconds() // 60)
    observed = int((at - first).total_seconds() // 60)
    detail = (
        f"{_duration(observed)} observed of {_duration(required, always_minutes=False)} required"
    )
    return DischargeCheck(c.id, c.label, True, at >= end, detail)


def _vitals_acceptable(
    c: DischargeCriterion,
    protocol: Protocol,
    route: Route | None,
    doses: Sequence[Dose],
    readings: Sequence[VitalReading],
    at: datetime,
) -> DischargeCheck:
    times = [d.given_at for d in doses if d.given_at <= at]
    if not times:
        return DischargeCheck(c.id, c.label, True, False, "No dose given yet.")
    first = min(times)
    items = compute_schedule(protocol, route=route, dose_times=times, readings=[], now=at)
    opens = next((i.opens_at for i in items if i.anchor is Anchor.DISCHARGE), None)
    if opens is None:  # a protocol without a pre-discharge reading: any post-dose one
        opens = first
    taken = [r for r in readings if r.taken_at <= at]
    if not taken:
        return DischargeCheck(c.id, c.label, True, False, "No reading recorded.")
    latest = max(taken, key=reading_order)
    after = int((latest.taken_at - first).total_seconds() // 60)
    opened = int((opens - first).total_seconds() // 60)
    when = f"{after} min after the first dose" if after >= 0 else "before the first dose"
    what = f"Latest reading {reading_text(latest, protocol)} ({when})"
    if latest.taken_at < opens:
        return DischargeCheck(
            c.id,
            c.label,
            True,
            False,
            f"{what} was taken before the pre-discharge check opened "
            f"({opened} min after the first dose): take a pre-discharge reading.",
        )
    if Band(latest.band) is not Band.NORMAL:
        return DischargeCheck(
            c.id, c.label, True, False, f"{what} is {latest.band} ({latest.protocol_label})."
        )
    return DischargeCheck(c.id, c.label, True, True, f"{what} is normal ({latest.protocol_label}).")


def compute_checks(
    protocol: Protocol,
    *,
    route: Route | None,
    doses: Sequence[Dose],
    readings: Sequence[VitalReading],
    stored: Mapping[str, Any],
    at: datetime,
) -> tuple[DischargeCheck, ...]:
    """Every discharge criterion of the protocol as of ``at``."""
    answers = stored.get("answers") or {}
    out: list[DischargeCheck] = []
    for c in protocol.discharge:
        if c.computed == "min_observation":
            out.append(_min_observation(c, protocol, route, doses, at))
        elif c.computed == "vitals_acceptable":
            out.append(_vitals_acceptable(c, protocol, route, doses, readings, at))
        else:
            met = answers.get(c.id) is True
            out.append(DischargeCheck(c.id, c.label, False, met, "" if met else "Not confirmed"))
    return tuple(out)


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
    return "; ".join(f"{c.label} ({c.detail})" if c.detail else c.label for c in unmet)


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
