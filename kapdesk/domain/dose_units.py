"""Dose units, route labels and amounts: parsing what is typed, converting, formatting.

The vocabulary ``kapdesk.domain.dosing`` checks doses with (``dosing`` re-exports
the public names). ``DoseUnit.label`` and ``ROUTE_LABELS`` keep the English (what input
is parsed by); :func:`unit_word`, :func:`route_word` and :func:`amount_text` are the words
of a message (``Wording``: English where a warning is stored, translated where shown).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Route
from kapdesk.domain.wording import Wording, decimal_text, field_name, grouped
from kapdesk.i18n import N_, _


class DoseUnit(StrEnum):
    MG = "mg"
    MG_PER_KG = "mg_per_kg"
    DEVICE = "device"

    @property
    def label(self) -> str:
        return _UNIT_LABELS[self]


_UNIT_LABELS = {DoseUnit.MG: "mg", DoseUnit.MG_PER_KG: "mg/kg", DoseUnit.DEVICE: N_("device(s)")}
# What a unit may be called on input: its value, its label, and the obvious plurals.
UNIT_NAMES = {
    **{u.value: u for u in DoseUnit},
    **{label: u for u, label in _UNIT_LABELS.items()},
    "devices": DoseUnit.DEVICE,
}

ROUTE_LABELS: Final[dict[Route, str]] = {
    Route.IV: "IV",
    Route.IM: "IM",
    Route.SC: "SC",
    Route.SUBLINGUAL: N_("sublingual"),
    Route.BUCCAL: N_("buccal"),
    Route.INTRANASAL: N_("intranasal"),
    Route.ORAL: N_("oral"),
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

AMOUNT_PATTERN = re.compile(r"[0-9]{1,7}(?:[.,][0-9]{0,6})?|[.,][0-9]{1,6}")
# The largest amount that can be typed (the pattern above); a number beyond it given
# through the API is an input error, not a dose.
MAX_AMOUNT: Final = 9_999_999.999999
TENTH: Final = Decimal("0.1")


@dataclass(frozen=True)
class PriorDose:
    """A dose already given in the session (for session totals and device gaps)."""

    route: Route
    unit: DoseUnit
    mg: float
    given_at: datetime


def format_amount(x: float) -> str:
    """An amount as typed: '0.75', '12.345', '100' (no rounding, no exponent)."""
    text = format(Decimal(repr(float(x))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


fmt = format_amount  # short name for messages


def unit_word(unit: DoseUnit) -> Wording:
    """'mg', 'mg/kg', 'device(s)' ('dispositivo(s)' where shown in Portuguese)."""
    return Wording(_UNIT_LABELS[DoseUnit(unit)])


def route_word(route: Route) -> Wording:
    """'IV', 'sublingual', 'buccal' ('bucal' where shown in Portuguese)."""
    return Wording(ROUTE_LABELS[Route(route)])


def amount_text(x: float | Decimal, unit: str = "") -> Wording:
    """'0.75' ('0,75' where shown in Portuguese), with ``unit`` after it: '12.5 mg'."""
    number = decimal_text(fmt(float(x)))
    # layout only (no message to translate): the unit may be a Wording itself
    return Wording("{amount} {unit}", amount=number, unit=unit) if unit else number


def shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:24]}… ({len(text)} characters)"


def to_decimal(x: float) -> Decimal:
    # via str: 0.1 stays 0.1, not 0.1000000000000000055...
    return Decimal(str(x))


def thousandth(x: Decimal) -> float:
    return float(x.quantize(Decimal("0.001"), ROUND_HALF_UP))


def parse_amount(amount: object, unit: DoseUnit) -> float:
    raw = amount.strip() if isinstance(amount, str) else amount
    value: float | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:
            value = math.inf
    elif isinstance(raw, str) and len(raw) <= 32 and AMOUNT_PATTERN.fullmatch(raw):
        value = float(raw.replace(",", "."))
    unit_text = unit_word(unit).shown()
    if value == math.inf or (value is not None and value > MAX_AMOUNT):
        raise ValidationError(
            "Amount",
            amount,
            _(
                "Amount {value} {unit} is not a plausible amount: at most {limit} {unit} can "
                "be entered.",
                value=shown(amount),
                unit=unit_text,
                limit=grouped(round(MAX_AMOUNT)),
            ),
        )
    if value is None or not math.isfinite(value):
        raise ValidationError(
            "Amount",
            amount,
            _(
                "Amount {value} is not a number: enter a positive amount in {unit}.",
                value=shown(amount),
                unit=unit_text,
            ),
        )
    if value <= 0:
        raise ValidationError(
            "Amount",
            amount,
            _(
                "Amount {value} {unit} must be more than zero.",
                value=amount_text(value).shown(),
                unit=unit_text,
            ),
        )
    return value


def choose_option(field: str, value: object, allowed: tuple[str, ...], protocol: str) -> str:
    """The option of ``allowed`` (the protocol's) that ``value`` names, any case."""
    text = value.strip().lower() if isinstance(value, str) else value
    for option in allowed:
        if isinstance(text, str) and text == option.lower():
            return option
    shown = f"'{value}'" if isinstance(value, str) else repr(value)
    raise ValidationError(
        field,
        value,
        _(
            "{field} {value} is not in protocol {protocol}; allowed: {allowed}.",
            field=field_name(field),
            value=shown,
            protocol=protocol,
            allowed=", ".join(allowed),
        ),
    )


def convert_amount(text: str, old: DoseUnit, new: DoseUnit, weight_kg: float | None) -> str:
    """The typed amount in another unit (mg/kg <-> mg with the session weight), or ''
    when it cannot be converted (no weight, not a number, devices): never the same
    number under a new unit. mg is given to 0.1 mg, mg/kg to 0.001 mg/kg."""
    if old is new:
        return text
    raw = text.strip().replace(",", ".")
    if weight_kg is None or not AMOUNT_PATTERN.fullmatch(raw) or DoseUnit.DEVICE in (old, new):
        return ""
    value, weight = Decimal(raw), to_decimal(weight_kg)
    if old is DoseUnit.MG_PER_KG and new is DoseUnit.MG:
        out = (value * weight).quantize(TENTH, ROUND_HALF_UP)
    else:
        out = (value / weight).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return fmt(float(out)) if out > 0 else ""
