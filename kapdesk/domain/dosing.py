"""Doses: which units each route takes, conversion to mg, and the protocol's limits.

* Above the protocol's per-route maximum a dose needs an explicit confirmation with a
  reason (``require_confirmation``) that the caller stores with the dose.
* Boosters count: the session's total on a route (this dose plus the earlier ones on the
  same route) is held to the route's ``session_max_mg`` where the protocol sets one, and
  otherwise to the route's per-dose maximum (mg and mg/kg) -- a safety default, not from a
  source, so splitting a dose into boosters cannot pass the maximum unconfirmed. Above it
  needs the same confirmation. Each dose converted to mg is rounded to 0.1 mg, so a per-kg
  total is allowed 0.05 mg per converted dose of rounding.
* Above the route's absolute ceiling (``DoseLimit.ceiling_*``), for the dose or for the
  session total on the route, a dose is refused: no confirmation passes.
* Below ``DoseLimit.question_below_*`` a dose is questioned: a warning the person dosing
  acknowledges (``require_acknowledgement``), stored with the dose. So is a nasal device
  given sooner than ``protocol.device_gap_min`` after the previous one.
* Nasal devices are for ``protocol.device_medications`` only (esketamine).
* An amount typed in mg is kept as typed; mg/kg and devices are converted and rounded to
  0.1 mg. Amounts beyond what can be typed (9,999,999.999999) are refused as input errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import DoseLimit, Protocol, Route
from kapdesk.domain.vitals import validate_weight


class DoseUnit(StrEnum):
    MG = "mg"
    MG_PER_KG = "mg_per_kg"
    DEVICE = "device"

    @property
    def label(self) -> str:
        return _UNIT_LABELS[self]


_UNIT_LABELS = {DoseUnit.MG: "mg", DoseUnit.MG_PER_KG: "mg/kg", DoseUnit.DEVICE: "device(s)"}
# What a unit may be called on input: its value, its label, and the obvious plurals.
_UNIT_NAMES = {
    **{u.value: u for u in DoseUnit},
    **{label: u for u, label in _UNIT_LABELS.items()},
    "devices": DoseUnit.DEVICE,
}

ROUTE_LABELS: Final[dict[Route, str]] = {
    Route.IV: "IV",
    Route.IM: "IM",
    Route.SC: "SC",
    Route.SUBLINGUAL: "sublingual",
    Route.BUCCAL: "buccal",
    Route.INTRANASAL: "intranasal",
    Route.ORAL: "oral",
}

# Units a dose may be entered in, per route (CLINICAL.md "Doses"); the first is
# the usual one. Intranasal esketamine is counted in devices of
# protocol.intranasal_device_mg each.
ALLOWED_UNITS: Final[dict[Route, tuple[DoseUnit, ...]]] = {
    Route.IV: (DoseUnit.MG_PER_KG, DoseUnit.MG),
    Route.IM: (DoseUnit.MG_PER_KG, DoseUnit.MG),
    Route.SC: (DoseUnit.MG_PER_KG, DoseUnit.MG),
    Route.SUBLINGUAL: (DoseUnit.MG,),
    Route.BUCCAL: (DoseUnit.MG,),
    Route.ORAL: (DoseUnit.MG,),
    Route.INTRANASAL: (DoseUnit.DEVICE,),
}

# Plausible-input bound (a typo guard, not a clinical maximum: the protocol's
# maximum still asks for confirmation well below it).
MAX_DEVICES_PER_DOSE: Final = 6

_AMOUNT = re.compile(r"[0-9]{1,7}(?:[.,][0-9]{0,6})?|[.,][0-9]{1,6}")
# The largest amount that can be typed (the pattern above); a number beyond it given
# through the API is an input error, not a dose.
MAX_AMOUNT: Final = 9_999_999.999999
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class PriorDose:
    """A dose already given in the session (for session totals and device gaps)."""

    route: Route
    unit: DoseUnit
    mg: float
    given_at: datetime


@dataclass(frozen=True)
class DoseCalc:
    medication: str
    route: Route
    unit: DoseUnit
    amount_entered: float
    mg: float  # rounded to 0.1 mg
    mg_per_kg: float | None  # None without a weight; rounded to 0.001 when computed
    weight_kg: float | None
    limit: DoseLimit | None
    over_limit: bool
    limit_message: str | None  # why it is over the limit; None when within it
    warnings: tuple[str, ...] = ()  # to acknowledge with the dose (small dose, device gap)
    session_total_mg: float | None = None  # this dose plus earlier ones on the route

    @property
    def text(self) -> str:
        """'0.5 mg/kg = 35.0 mg IV', '3 device(s) = 84.0 mg intranasal', '12.35 mg oral'."""
        entered = f"{format_amount(self.amount_entered)} {self.unit.label}"
        route = ROUTE_LABELS[self.route]
        if self.unit is DoseUnit.MG:
            return f"{format_amount(self.mg)} mg {route}"
        return f"{entered} = {self.mg:.1f} mg {route}"


def format_amount(x: float) -> str:
    """An amount as typed: '0.75', '12.345', '100' (no rounding, no exponent)."""
    text = format(Decimal(repr(float(x))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_fmt = format_amount


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:24]}… ({len(text)} characters)"


def _dec(x: float) -> Decimal:
    # via str: 0.1 stays 0.1, not 0.1000000000000000055...
    return Decimal(str(x))


def _thousandth(x: Decimal) -> float:
    return float(x.quantize(Decimal("0.001"), ROUND_HALF_UP))


def _parse_amount(amount: object, unit: DoseUnit) -> float:
    raw = amount.strip() if isinstance(amount, str) else amount
    value: float | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:
            value = math.inf
    elif isinstance(raw, str) and len(raw) <= 32 and _AMOUNT.fullmatch(raw):
        value = float(raw.replace(",", "."))
    if value == math.inf or (value is not None and value > MAX_AMOUNT):
        raise ValidationError(
            "Amount",
            amount,
            f"Amount {_shown(amount)} {unit.label} is not a plausible amount: at most "
            f"{MAX_AMOUNT:,.0f} {unit.label} can be entered.",
        )
    if value is None or not math.isfinite(value):
        raise ValidationError(
            "Amount",
            amount,
            f"Amount {_shown(amount)} is not a number: enter a positive amount in {unit.label}.",
        )
    if value <= 0:
        raise ValidationError(
            "Amount", amount, f"Amount {_fmt(value)} {unit.label} must be more than zero."
        )
    return value


def _choose(field: str, value: object, allowed: tuple[str, ...], where: str) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    for option in allowed:
        if isinstance(text, str) and text == option.lower():
            return option
    shown = f"'{value}'" if isinstance(value, str) else repr(value)
    raise ValidationError(
        field, value, f"{field} {shown} is not {where}; allowed: {', '.join(allowed)}."
    )


def validate_dose(
    protocol: Protocol,
    *,
    medication: str,
    route: Route | str,
    amount: float | int | str,
    unit: DoseUnit | str,
    weight_kg: float | None,
    previous: Sequence[PriorDose] = (),
    given_at: datetime | None = None,
) -> DoseCalc:
    """Check a dose against the protocol and convert it to mg.

    ``weight_kg`` is the session's recorded weight; it is required for mg/kg
    and whenever the route's limit is given per kg (a limit that cannot be
    checked is treated as an error, not skipped). Equal to a maximum is within it.
    ``previous`` are the session's earlier doses (session maximum, device gap);
    ``given_at`` is when this dose is given (device gap; None: not checked).
    """
    where = f"in protocol {protocol.label}"
    med = _choose("Medication", medication, protocol.medications, where)
    route_v = Route(_choose("Route", route, tuple(r.value for r in protocol.routes), where))
    allowed = ALLOWED_UNITS[route_v]
    route_label = ROUTE_LABELS[route_v]
    unit_v = _UNIT_NAMES.get(unit.strip().lower()) if isinstance(unit, str) else None
    if unit_v is None or unit_v not in allowed:
        shown = unit_v.label if unit_v is not None else repr(unit)
        raise ValidationError(
            "Unit",
            unit,
            f"Unit {shown} is not allowed for {route_label}; use "
            f"{' or '.join(u.label for u in allowed)}.",
        )
    if unit_v is DoseUnit.DEVICE and med not in protocol.device_medications:
        devices = ", ".join(protocol.device_medications) or "no medication"
        raise ValidationError(
            "Medication",
            medication,
            f"Refused by device-medication, {protocol.label}: '{med}' does not come as "
            f"nasal devices; devices are {devices} only.",
        )
    value = _parse_amount(amount, unit_v)
    weight = None if weight_kg is None else validate_weight(weight_kg)
    limit = protocol.dose_limits.get(route_v)

    if unit_v is DoseUnit.DEVICE:
        if not value.is_integer() or not 1 <= value <= MAX_DEVICES_PER_DOSE:
            raise ValidationError(
                "Amount",
                amount,
                f"Amount {_fmt(value)} device(s) is not allowed: enter a whole number of "
                f"devices from 1 to {MAX_DEVICES_PER_DOSE}.",
            )
        exact = _dec(value) * _dec(protocol.intranasal_device_mg)
    elif unit_v is DoseUnit.MG_PER_KG:
        if weight is None:
            raise ValidationError("Weight", None, "Weight today is needed to convert mg/kg to mg.")
        exact = _dec(value) * _dec(weight)
    else:
        exact = _dec(value)
    if weight is None and limit is not None and limit.max_mg_per_kg is not None:
        raise ValidationError(
            "Weight",
            None,
            f"Weight today is needed to check the dose against the {protocol.label} "
            f"maximum for {route_label} ({_fmt(limit.max_mg_per_kg)} mg/kg).",
        )

    rounded = exact.quantize(_TENTH, ROUND_HALF_UP)
    if rounded <= 0:
        raise ValidationError(
            "Amount", amount, f"Amount {_fmt(value)} {unit_v.label} is less than 0.1 mg."
        )
    # Typed in mg: kept as typed; converted: rounded to 0.1 mg.
    mg = exact if unit_v is DoseUnit.MG else rounded
    per_kg: Decimal | None = None
    if unit_v is DoseUnit.MG_PER_KG:
        per_kg = _dec(value)
    elif weight is not None:
        per_kg = exact / _dec(weight)
    over_per_kg = _over_per_kg(limit, unit_v, per_kg, mg, weight)

    # 'as typed' for mg; converted mg to 0.1 ('112.0 mg')
    mg_text = f"{_fmt(float(mg))} mg" if unit_v is DoseUnit.MG else f"{mg} mg"
    entered = f"{_fmt(value)} {unit_v.label}"
    if unit_v is not DoseUnit.MG:
        entered += f" ({mg_text})"
    _check_ceiling(protocol, limit, route_label, mg, per_kg, entered, amount)
    same_route = [p for p in previous if p.route is route_v]
    total = sum((_dec(p.mg) for p in same_route), Decimal(0)) + mg

    problems: list[str] = []
    if limit is not None and limit.max_mg is not None and mg > _dec(limit.max_mg):
        problems.append(
            f"{mg_text} exceeds the {protocol.label} maximum for {route_label} "
            f"({_fmt(limit.max_mg)} mg)."
        )
    if limit is not None and limit.max_mg_per_kg is not None and over_per_kg:
        assert per_kg is not None
        problems.append(
            f"{_fmt(_thousandth(per_kg))} mg/kg "
            f"({mg_text}) exceeds the {protocol.label} maximum for {route_label} "
            f"({_fmt(limit.max_mg_per_kg)} mg/kg)."
        )
    if limit is not None and same_route:
        problems += _session_total(
            protocol, limit, route_label, same_route, unit_v, mg, total, weight, amount
        )
    warnings = _low_dose(protocol, limit, unit_v, route_label, mg, per_kg, entered)
    warnings += _device_gap(protocol, unit_v, same_route, given_at)
    return DoseCalc(
        medication=med,
        route=route_v,
        unit=unit_v,
        amount_entered=value,
        mg=float(mg),
        mg_per_kg=None if per_kg is None else _thousandth(per_kg),
        weight_kg=weight,
        limit=limit,
        over_limit=bool(problems),
        limit_message=" ".join(problems) or None,
        warnings=tuple(warnings),
        session_total_mg=float(total) if same_route else None,
    )


def _over_per_kg(
    limit: DoseLimit | None,
    unit: DoseUnit,
    per_kg: Decimal | None,
    mg: Decimal,
    weight: float | None,
) -> bool:
    if limit is None or limit.max_mg_per_kg is None or per_kg is None:
        return False
    max_per_kg = _dec(limit.max_mg_per_kg)
    # Compare in the unit entered, so equal-to-the-maximum is never "over" by rounding.
    if unit is DoseUnit.MG_PER_KG or weight is None:
        return per_kg > max_per_kg
    return mg > (max_per_kg * _dec(weight)).quantize(_TENTH, ROUND_HALF_UP)


def _session_total(
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

    def over_per_kg(per_kg_limit: float | None) -> bool:
        if per_kg_limit is None or weight is None:
            return False
        return total > (_dec(per_kg_limit) * _dec(weight)).quantize(_TENTH, ROUND_HALF_UP) + slack

    total_text = f"{_fmt(float(total))} mg"
    per_kg_limited = limit.max_mg_per_kg is not None or limit.ceiling_mg_per_kg is not None
    if weight is not None and per_kg_limited:
        total_text += f" = {_fmt(_thousandth(total / _dec(weight)))} mg/kg"
    ceilings: list[str] = []
    if limit.ceiling_mg is not None and total > _dec(limit.ceiling_mg):
        ceilings.append(f"{_fmt(limit.ceiling_mg)} mg")
    if over_per_kg(limit.ceiling_mg_per_kg):
        ceilings.append(f"{_fmt(limit.ceiling_mg_per_kg or 0)} mg/kg")
    if ceilings:
        raise ValidationError(
            "Amount",
            amount,
            f"Refused by dose-ceiling, {protocol.label}: the {route_label} session total "
            f"would be {total_text}, above the absolute ceiling of {' and '.join(ceilings)}, "
            "which no confirmation passes.",
        )
    before = _fmt(float(total - mg))
    if limit.session_max_mg is not None:
        if total <= _dec(limit.session_max_mg):
            return []
        return [
            f"The session total for {route_label} would be {_fmt(float(total))} mg "
            f"({before} mg already given), above the {protocol.label} "
            f"session maximum ({_fmt(limit.session_max_mg)} mg)."
        ]
    over: list[str] = []
    if limit.max_mg is not None and total > _dec(limit.max_mg):
        over.append(f"{_fmt(limit.max_mg)} mg")
    if over_per_kg(limit.max_mg_per_kg):
        over.append(f"{_fmt(limit.max_mg_per_kg or 0)} mg/kg")
    if not over:
        return []
    return [
        f"The session total for {route_label} would be {total_text} ({before} mg already "
        f"given), above the {protocol.label} maximum for {route_label} ({' and '.join(over)}), "
        "which holds for the session total as the protocol sets no session maximum."
    ]


def _check_ceiling(
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
    if limit.ceiling_mg is not None and mg > _dec(limit.ceiling_mg):
        over.append(f"{_fmt(limit.ceiling_mg)} mg")
    ceiling_per_kg = limit.ceiling_mg_per_kg
    if ceiling_per_kg is not None and per_kg is not None and per_kg > _dec(ceiling_per_kg):
        over.append(f"{_fmt(ceiling_per_kg)} mg/kg")
    if over:
        raise ValidationError(
            "Amount",
            amount,
            f"Refused by dose-ceiling, {protocol.label}: {entered} {route_label} is above "
            f"the absolute ceiling of {' and '.join(over)}, which no confirmation passes. "
            "Check the amount and the unit.",
        )


def _low_dose(
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
    if low_mg is not None and mg < _dec(low_mg):
        below.append(f"{_fmt(low_mg)} mg")
    if low_per_kg is not None and per_kg is not None and per_kg < _dec(low_per_kg):
        below.append(f"{_fmt(low_per_kg)} mg/kg")
    if not below:
        return []
    return [
        f"Unusually small dose: {entered} is below {' and '.join(below)}, where "
        f"{protocol.label} questions a {route_label} dose. Check the amount and the unit."
    ]


def _device_gap(
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
        f"Device gap: {_fmt(max(0, math.floor(minutes * 10) / 10))} min since the previous "
        f"device; {protocol.label} asks for {protocol.device_gap_min} min between devices."
    ]


def require_confirmation(calc: DoseCalc, confirmed: bool, reason: str | None) -> str | None:
    """Enforce the explicit confirmation an over-limit dose needs.

    Returns the stripped reason to store with the dose (None when within the
    limit); raises ValidationError (field 'Confirmation') when over the limit
    without both a confirmation and a reason.
    """
    if not calc.over_limit:
        return (reason.strip() or None) if reason else None
    text = (reason or "").strip()
    if not confirmed or not text:
        raise ValidationError(
            "Confirmation",
            reason,
            f"Confirmation required: {calc.limit_message} Confirm the dose and give a reason.",
        )
    return text


def require_acknowledgement(warnings: Sequence[str], acknowledged: bool) -> tuple[str, ...]:
    """The warnings to store with the dose; ValidationError (field 'Warnings') when there
    are some and the person dosing has not acknowledged them."""
    if warnings and not acknowledged:
        raise ValidationError(
            "Warnings",
            tuple(warnings),
            "Acknowledge before dosing: " + " ".join(warnings),
        )
    return tuple(warnings)


def convert_amount(text: str, old: DoseUnit, new: DoseUnit, weight_kg: float | None) -> str:
    """The typed amount in another unit (mg/kg <-> mg with the session weight), or ''
    when it cannot be converted (no weight, not a number, devices): never the same
    number under a new unit. mg is given to 0.1 mg, mg/kg to 0.001 mg/kg."""
    if old is new:
        return text
    raw = text.strip().replace(",", ".")
    if weight_kg is None or not _AMOUNT.fullmatch(raw) or DoseUnit.DEVICE in (old, new):
        return ""
    value, weight = Decimal(raw), _dec(weight_kg)
    if old is DoseUnit.MG_PER_KG and new is DoseUnit.MG:
        out = (value * weight).quantize(_TENTH, ROUND_HALF_UP)
    else:
        out = (value / weight).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return _fmt(float(out)) if out > 0 else ""
