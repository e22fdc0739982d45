"""A dose against the protocol's limits: maxima, ceilings, the session total on a route,
unusually small doses and the gap between nasal devices (see ``kapdesk.domain.dosing``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from kapdesk.domain.dose_units import (
    TENTH,
    DoseUnit,
    PriorDose,
    fmt,
    thousandth,
    to_decimal,
)
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import DoseLimit, Protocol
from kapdesk.domain.timetext import duration


def over_per_kg(
    limit: DoseLimit | None,
    unit: DoseUnit,
    per_kg: Decimal | None,
    mg: Decimal,
    weight: float | None,
) -> bool:
    if limit is None or limit.max_mg_per_kg is None or per_kg is None:
        return False
    max_per_kg = to_decimal(limit.max_mg_per_kg)
    # Compare in the unit entered, so equal-to-the-maximum is never "over" by rounding.
    if unit is DoseUnit.MG_PER_KG or weight is None:
        return per_kg > max_per_kg
    return mg > (max_per_kg * to_decimal(weight)).quantize(TENTH, ROUND_HALF_UP)


def session_total(
    protocol: Protocol,
    limit: DoseLimit,
    route_label: str,
    same_route: Sequence[PriorDose],
    unit: DoseUnit,
    mg: Decimal,
    total: Decimal,
    weight: float | None,
    amount: object,
) -> list[str]:
    """The session total on the route against the ceiling (refused) and the session maximum,
    or without one the per-dose maximum (returned as a problem to confirm)."""
    converted = sum(p.unit is not DoseUnit.MG for p in same_route) + (unit is not DoseUnit.MG)
    slack = Decimal("0.05") * converted  # each converted dose was rounded to 0.1 mg

    def total_over_per_kg(per_kg_limit: float | None) -> bool:
        if per_kg_limit is None or weight is None:
            return False
        return (
            total
            > (to_decimal(per_kg_limit) * to_decimal(weight)).quantize(TENTH, ROUND_HALF_UP) + slack
        )

    total_text = f"{fmt(float(total))} mg"
    per_kg_limited = limit.max_mg_per_kg is not None or limit.ceiling_mg_per_kg is not None
    if weight is not None and per_kg_limited:
        total_text += f" = {fmt(thousandth(total / to_decimal(weight)))} mg/kg"
    ceilings: list[str] = []
    if limit.ceiling_mg is not None and total > to_decimal(limit.ceiling_mg):
        ceilings.append(f"{fmt(limit.ceiling_mg)} mg")
    if total_over_per_kg(limit.ceiling_mg_per_kg):
        ceilings.append(f"{fmt(limit.ceiling_mg_per_kg or 0)} mg/kg")
    if ceilings:
        raise ValidationError(
            "Amount",
            amount,
            f"Refused by dose-ceiling, {protocol.label}: the {route_label} session total "
            f"would be {total_text}, above the absolute ceiling of {' and '.join(ceilings)}, "
            "which no confirmation passes.",
        )
    before = fmt(float(total - mg))
    if limit.session_max_mg is not None:
        if total <= to_decimal(limit.session_max_mg):
            return []
        return [
            f"The session total for {route_label} would be {fmt(float(total))} mg "
            f"({before} mg already given), above the {protocol.label} "
            f"session maximum ({fmt(limit.session_max_mg)} mg)."
        ]
    over: list[str] = []
    if limit.max_mg is not None and total > to_decimal(limit.max_mg):
        over.append(f"{fmt(limit.max_mg)} mg")
    if total_over_per_kg(limit.max_mg_per_kg):
        over.append(f"{fmt(limit.max_mg_per_kg or 0)} mg/kg")
    if not over:
        return []
    return [
        f"The session total for {route_label} would be {total_text} ({before} mg already "
        f"given), above the {protocol.label} maximum for {route_label} ({' and '.join(over)}), "
        "which holds for the session total as the protocol sets no session maximum."
    ]


def check_ceiling(
    protocol: Protocol,
    limit: DoseLimit | None,
    route_label: str,
    mg: Decimal,
    per_kg: Decimal | None,
    entered: str,
    amount: object,
) -> None:
    """Refuse a dose above the route's absolute ceiling: no confirmation passes it."""
    if limit is None:
        return
    over: list[str] = []
    if limit.ceiling_mg is not None and mg > to_decimal(limit.ceiling_mg):
        over.append(f"{fmt(limit.ceiling_mg)} mg")
    ceiling_per_kg = limit.ceiling_mg_per_kg
    if ceiling_per_kg is not None and per_kg is not None and per_kg > to_decimal(ceiling_per_kg):
        over.append(f"{fmt(ceiling_per_kg)} mg/kg")
    if over:
        raise ValidationError(
            "Amount",
            amount,
            f"Refused by dose-ceiling, {protocol.label}: {entered} {route_label} is above "
            f"the absolute ceiling of {' and '.join(over)}, which no confirmation passes. "
            "Check the amount and the unit.",
        )


def low_dose(
    protocol: Protocol,
    limit: DoseLimit | None,
    unit: DoseUnit,
    route_label: str,
    mg: Decimal,
    per_kg: Decimal | None,
    entered: str,
) -> list[str]:
    """A dose below the protocol's question threshold (a typo such as 0.05 for 0.5),
    judged in the unit typed: mg/kg against the per-kg threshold, mg and devices against
    the mg one (each falling back to the other when the protocol sets only one)."""
    if limit is None:
        return []
    low_mg, low_per_kg = limit.question_below_mg, limit.question_below_mg_per_kg
    if per_kg is None:
        low_per_kg = None
    if unit is DoseUnit.MG_PER_KG and low_per_kg is not None:
        low_mg = None
    elif unit is not DoseUnit.MG_PER_KG and low_mg is not None:
        low_per_kg = None
    below: list[str] = []
    if low_mg is not None and mg < to_decimal(low_mg):
        below.append(f"{fmt(low_mg)} mg")
    if low_per_kg is not None and per_kg is not None and per_kg < to_decimal(low_per_kg):
        below.append(f"{fmt(low_per_kg)} mg/kg")
    if not below:
        return []
    return [
        f"Unusually small dose: {entered} is below {' and '.join(below)}, where "
        f"{protocol.label} questions a {route_label} dose. Check the amount and the unit."
    ]


def device_gap(
    protocol: Protocol,
    unit: DoseUnit,
    same_route: Sequence[PriorDose],
    given_at: datetime | None,
) -> list[str]:
    """A nasal device given sooner than the protocol's gap after the previous one."""
    devices = [p.given_at for p in same_route if p.unit is DoseUnit.DEVICE]
    if unit is not DoseUnit.DEVICE or given_at is None or not devices:
        return []
    last = max(devices)
    minutes = (given_at - last).total_seconds() / 60
    if minutes >= protocol.device_gap_min:
        return []
    return [
        f"Device gap: {duration(given_at - last)} since the previous "
        f"device; {protocol.label} asks for {protocol.device_gap_min} min between devices."
    ]
