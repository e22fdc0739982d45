"""Doses: which units each route takes, conversion to mg, and the protocol maxima.

A dose above the protocol's per-route maximum is not refused: it needs an
explicit confirmation with a reason (``require_confirmation``) that the caller
stores with the dose.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
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
_TENTH = Decimal("0.1")


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

    @property
    def text(self) -> str:
        """'0.5 mg/kg = 35.0 mg IV', '3 device(s) = 84.0 mg intranasal'."""
        entered = f"{_fmt(self.amount_entered)} {self.unit.label}"
        route = ROUTE_LABELS[self.route]
        if self.unit is DoseUnit.MG:
            return f"{self.mg:.1f} mg {route}"
        return f"{entered} = {self.mg:.1f} mg {route}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


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
        value = float(raw)
    elif isinstance(raw, str) and _AMOUNT.fullmatch(raw):
        value = float(raw.replace(",", "."))
    if value is None or not math.isfinite(value):
        raise ValidationError(
            "Amount",
            amount,
            f"Amount {amount!r} is not a number: enter a positive amount in {unit.label}.",
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
) -> DoseCalc:
    """Check a dose against the protocol and convert it to mg.

    ``weight_kg`` is the session's recorded weight; it is required for mg/kg
    and whenever the route's limit is given per kg (a limit that cannot be
    checked is treated as an error, not skipped). Equal to a maximum is within it.
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

    mg = exact.quantize(_TENTH, ROUND_HALF_UP)
    if mg <= 0:
        raise ValidationError(
            "Amount", amount, f"Amount {_fmt(value)} {unit_v.label} is less than 0.1 mg."
        )
    per_kg: Decimal | None = None
    if unit_v is DoseUnit.MG_PER_KG:
        per_kg = _dec(value)
    elif weight is not None:
        per_kg = exact / _dec(weight)

    problems: list[str] = []
    if limit is not None and limit.max_mg is not None and mg > _dec(limit.max_mg):
        problems.append(
            f"{mg} mg exceeds the {protocol.label} maximum for {route_label} "
            f"({_fmt(limit.max_mg)} mg)."
        )
    if limit is not None and limit.max_mg_per_kg is not None and per_kg is not None:
        max_per_kg = _dec(limit.max_mg_per_kg)
        # Compare in the unit entered, so equal-to-the-maximum is never "over" by rounding.
        if unit_v is DoseUnit.MG_PER_KG or weight is None:
            over = per_kg > max_per_kg
        else:
            over = mg > (max_per_kg * _dec(weight)).quantize(_TENTH, ROUND_HALF_UP)
        if over:
            problems.append(
                f"{_fmt(_thousandth(per_kg))} mg/kg "
                f"({mg} mg) exceeds the {protocol.label} maximum for {route_label} "
                f"({_fmt(limit.max_mg_per_kg)} mg/kg)."
            )
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
    )


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
