"""A dose against the protocol's limits: maxima, ceilings, the session total on a route,
unusually small doses and the gap between nasal devices (see ``kapdesk.domain.dosing``).

A refusal (ValidationError) is in the active language; a problem to confirm or a warning
to acknowledge is kept (audit log, the dose's row): a ``Wording``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from kapdesk.domain.dose_units import (
    TENTH,
    DoseUnit,
    PriorDose,
    amount_text,
    thousandth,
    to_decimal,
)
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import DoseLimit, Protocol
from kapdesk.domain.timetext import duration_span
from kapdesk.domain.wording import Wording, shown_part
from kapdesk.i18n import N_, _

AND = N_(" and ")


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
    route_label: Wording,
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

    total_text = amount_text(total, "mg")
    per_kg_limited = limit.max_mg_per_kg is not None or limit.ceiling_mg_per_kg is not None
    if weight is not None and per_kg_limited:
        per_kg = amount_text(thousandth(total / to_decimal(weight)), "mg/kg")
        total_text = Wording("{mg} = {per_kg}", mg=total_text, per_kg=per_kg)
    ceilings: list[Wording] = []
    if limit.ceiling_mg is not None and total > to_decimal(limit.ceiling_mg):
        ceilings.append(amount_text(limit.ceiling_mg, "mg"))
    if total_over_per_kg(limit.ceiling_mg_per_kg):
        ceilings.append(amount_text(limit.ceiling_mg_per_kg or 0, "mg/kg"))
    if ceilings:
        raise _total_refused(protocol, route_label, total_text, ceilings, amount)
    before = amount_text(total - mg, "mg")
    if limit.session_max_mg is not None:
        if total <= to_decimal(limit.session_max_mg):
            return []
        return [
            Wording(
                N_(
                    "The session total for {route} would be {total} ({before} already given), "
                    "above the {protocol} session maximum ({maximum})."
                ),
                route=route_label,
                total=amount_text(total, "mg"),
                before=before,
                protocol=protocol.label,
                maximum=amount_text(limit.session_max_mg, "mg"),
            )
        ]
    over: list[Wording] = []
    if limit.max_mg is not None and total > to_decimal(limit.max_mg):
        over.append(amount_text(limit.max_mg, "mg"))
    if total_over_per_kg(limit.max_mg_per_kg):
        over.append(amount_text(limit.max_mg_per_kg or 0, "mg/kg"))
    if not over:
        return []
    return [
        Wording(
            N_(
                "The session total for {route} would be {total} ({before} already given), "
                "above the {protocol} maximum for {route} ({maximum}), which holds for the "
                "session total as the protocol sets no session maximum."
            ),
            route=route_label,
            total=total_text,
            before=before,
            protocol=protocol.label,
            maximum=Wording.joined(AND, over),
        )
    ]


def _total_refused(
    protocol: Protocol,
    route_label: Wording,
    total_text: Wording,
    ceilings: Sequence[Wording],
    amount: object,
) -> ValidationError:
    return ValidationError(
        "Amount",
        amount,
        _(
            "Refused by dose-ceiling, {protocol}: the {route} session total would be {total}, "
            "above the absolute ceiling of {ceiling}, which no confirmation passes.",
            protocol=protocol.label,
            route=route_label.shown(),
            total=total_text.shown(),
            ceiling=Wording.joined(AND, ceilings).shown(),
        ),
    )


def check_ceiling(
    protocol: Protocol,
    limit: DoseLimit | None,
    route_label: Wording,
    mg: Decimal,
    per_kg: Decimal | None,
    entered: str,
    amount: object,
) -> None:
    """Refuse a dose above the route's absolute ceiling: no confirmation passes it."""
    if limit is None:
        return
    over: list[Wording] = []
    if limit.ceiling_mg is not None and mg > to_decimal(limit.ceiling_mg):
        over.append(amount_text(limit.ceiling_mg, "mg"))
    ceiling_per_kg = limit.ceiling_mg_per_kg
    if ceiling_per_kg is not None and per_kg is not None and per_kg > to_decimal(ceiling_per_kg):
        over.append(amount_text(ceiling_per_kg, "mg/kg"))
    if over:
        raise ValidationError(
            "Amount",
            amount,
            _(
                "Refused by dose-ceiling, {protocol}: {amount} {route} is above the absolute "
                "ceiling of {ceiling}, which no confirmation passes. Check the amount and the "
                "unit.",
                protocol=protocol.label,
                amount=shown_part(entered),
                route=route_label.shown(),
                ceiling=Wording.joined(AND, over).shown(),
            ),
        )


def low_dose(
    protocol: Protocol,
    limit: DoseLimit | None,
    unit: DoseUnit,
    route_label: Wording,
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
    below: list[Wording] = []
    if low_mg is not None and mg < to_decimal(low_mg):
        below.append(amount_text(low_mg, "mg"))
    if low_per_kg is not None and per_kg is not None and per_kg < to_decimal(low_per_kg):
        below.append(amount_text(low_per_kg, "mg/kg"))
    if not below:
        return []
    return [
        Wording(
            N_(
                "Unusually small dose: {amount} is below {threshold}, where {protocol} "
                "questions a {route} dose. Check the amount and the unit."
            ),
            amount=entered,
            threshold=Wording.joined(AND, below),
            protocol=protocol.label,
            route=route_label,
        )
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
        Wording(
            N_(
                "Device gap: {gap} since the previous device; {protocol} asks for {minutes} "
                "min between devices."
            ),
            gap=duration_span(given_at - last),
            protocol=protocol.label,
            minutes=protocol.device_gap_min,
        )
    ]
