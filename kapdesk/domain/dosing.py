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

Refusals (ValidationError) are in the active language. What is kept is ``Wording``,
English where kept and translated where shown: the warnings (stored with the dose) and
``limit_message`` (a refusal to confirm it goes to the audit log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from kapdesk.domain.dose_limits import (
    check_ceiling,
    device_gap,
    low_dose,
    over_per_kg,
    session_total,
)
from kapdesk.domain.dose_units import (
    ALLOWED_UNITS,
    MAX_AMOUNT,
    MAX_DEVICES_PER_DOSE,
    ROUTE_LABELS,
    TENTH,
    UNIT_NAMES,
    DoseUnit,
    PriorDose,
    amount_text,
    choose_option,
    convert_amount,
    format_amount,
    parse_amount,
    route_word,
    thousandth,
    to_decimal,
    unit_word,
)
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import DoseLimit, Protocol, Route
from kapdesk.domain.vitals import validate_weight
from kapdesk.domain.wording import Wording, decimal_text, shown_part
from kapdesk.i18n import N_, _

__all__ = [
    "ALLOWED_UNITS",
    "MAX_AMOUNT",
    "MAX_DEVICES_PER_DOSE",
    "ROUTE_LABELS",
    "DoseCalc",
    "DoseUnit",
    "PriorDose",
    "convert_amount",
    "format_amount",
    "require_acknowledgement",
    "require_confirmation",
    "validate_dose",
]


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
    limit_message: str | None  # why it is over the limit (a Wording); None when within it
    # to acknowledge with the dose (small dose, device gap): Wordings, stored in English
    warnings: tuple[str, ...] = ()
    session_total_mg: float | None = None  # this dose plus earlier ones on the route

    @property
    def text(self) -> str:
        """'0.5 mg/kg = 35.0 mg IV', '3 device(s) = 84.0 mg intranasal', '12.35 mg oral'
        (in the active language: '0,5 mg/kg = 35,0 mg IV')."""
        route = route_word(self.route).shown()
        if self.unit is DoseUnit.MG:
            return f"{amount_text(self.mg).shown()} mg {route}"
        entered = amount_text(self.amount_entered, unit_word(self.unit)).shown()
        return f"{entered} = {decimal_text(f'{self.mg:.1f}').shown()} mg {route}"


def _resolve(
    protocol: Protocol, medication: str, route: Route | str, unit: DoseUnit | str
) -> tuple[str, Route, DoseUnit]:
    """The medication, route and unit as the protocol names them; ValidationError otherwise."""
    med = choose_option(N_("Medication"), medication, protocol.medications, protocol.label)
    route_v = Route(
        choose_option(N_("Route"), route, tuple(r.value for r in protocol.routes), protocol.label)
    )
    allowed = ALLOWED_UNITS[route_v]
    unit_v = UNIT_NAMES.get(unit.strip().lower()) if isinstance(unit, str) else None
    if unit_v is None or unit_v not in allowed:
        shown = unit_word(unit_v).shown() if unit_v is not None else repr(unit)
        raise ValidationError(
            "Unit",
            unit,
            _(
                "Unit {unit} is not allowed for {route}; use {units}.",
                unit=shown,
                route=route_word(route_v).shown(),
                units=_(" or ").join(unit_word(u).shown() for u in allowed),
            ),
        )
    if unit_v is DoseUnit.DEVICE and med not in protocol.device_medications:
        devices = ", ".join(protocol.device_medications) or _("no medication")
        raise ValidationError(
            "Medication",
            medication,
            _(
                "Refused by device-medication, {protocol}: '{medication}' does not come as "
                "nasal devices; devices are {devices} only.",
                protocol=protocol.label,
                medication=med,
                devices=devices,
            ),
        )
    return med, route_v, unit_v


def _exact_mg(
    protocol: Protocol, value: float, unit: DoseUnit, weight: float | None, amount: object
) -> Decimal:
    """The amount in mg, unrounded: devices times the device's mg, mg/kg times the weight."""
    if unit is DoseUnit.DEVICE:
        if not value.is_integer() or not 1 <= value <= MAX_DEVICES_PER_DOSE:
            raise ValidationError(
                "Amount",
                amount,
                _(
                    "Amount {value} device(s) is not allowed: enter a whole number of devices "
                    "from 1 to {limit}.",
                    value=amount_text(value).shown(),
                    limit=MAX_DEVICES_PER_DOSE,
                ),
            )
        return to_decimal(value) * to_decimal(protocol.intranasal_device_mg)
    if unit is DoseUnit.MG_PER_KG:
        if weight is None:
            raise ValidationError(
                "Weight", None, _("Weight today is needed to convert mg/kg to mg.")
            )
        return to_decimal(value) * to_decimal(weight)
    return to_decimal(value)


def _over_maximum(
    protocol: Protocol,
    limit: DoseLimit | None,
    route_label: Wording,
    mg_text: Wording,
    mg: Decimal,
    per_kg: Decimal | None,
    over_kg: bool,
) -> list[str]:
    """This dose above the route's per-dose maximum (mg, mg/kg): problems to confirm."""
    problems: list[str] = []
    if limit is not None and limit.max_mg is not None and mg > to_decimal(limit.max_mg):
        problems.append(
            Wording(
                N_("{amount} exceeds the {protocol} maximum for {route} ({maximum})."),
                amount=mg_text,
                protocol=protocol.label,
                route=route_label,
                maximum=amount_text(limit.max_mg, "mg"),
            )
        )
    if limit is not None and limit.max_mg_per_kg is not None and over_kg and per_kg is not None:
        problems.append(
            Wording(
                N_("{per_kg} ({amount}) exceeds the {protocol} maximum for {route} ({maximum})."),
                per_kg=amount_text(thousandth(per_kg), "mg/kg"),
                amount=mg_text,
                protocol=protocol.label,
                route=route_label,
                maximum=amount_text(limit.max_mg_per_kg, "mg/kg"),
            )
        )
    return problems


def _weight_needed(protocol: Protocol, route: Wording, max_per_kg: float) -> ValidationError:
    return ValidationError(
        "Weight",
        None,
        _(
            "Weight today is needed to check the dose against the {protocol} maximum for "
            "{route} ({maximum}).",
            protocol=protocol.label,
            route=route.shown(),
            maximum=amount_text(max_per_kg, "mg/kg").shown(),
        ),
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
    med, route_v, unit_v = _resolve(protocol, medication, route, unit)
    route_label = route_word(route_v)
    value = parse_amount(amount, unit_v)
    weight = None if weight_kg is None else validate_weight(weight_kg)
    limit = protocol.dose_limits.get(route_v)
    exact = _exact_mg(protocol, value, unit_v, weight, amount)
    if weight is None and limit is not None and limit.max_mg_per_kg is not None:
        raise _weight_needed(protocol, route_label, limit.max_mg_per_kg)
    rounded = exact.quantize(TENTH, ROUND_HALF_UP)
    if rounded <= 0:
        raise ValidationError(
            "Amount",
            amount,
            _(
                "Amount {value} {unit} is less than {minimum} mg.",
                value=amount_text(value).shown(),
                unit=unit_word(unit_v).shown(),
                minimum=decimal_text("0.1").shown(),
            ),
        )
    # Typed in mg: kept as typed; converted: rounded to 0.1 mg.
    mg = exact if unit_v is DoseUnit.MG else rounded
    per_kg: Decimal | None = None
    if unit_v is DoseUnit.MG_PER_KG:
        per_kg = to_decimal(value)
    elif weight is not None:
        per_kg = exact / to_decimal(weight)

    # 'as typed' for mg; converted mg to 0.1 ('112.0 mg')
    mg_text = amount_text(mg, "mg") if unit_v is DoseUnit.MG else _mg_tenths(mg)
    entered = amount_text(value, unit_word(unit_v))
    if unit_v is not DoseUnit.MG:
        entered = Wording("{amount} ({mg})", amount=entered, mg=mg_text)
    check_ceiling(protocol, limit, route_label, mg, per_kg, entered, amount)
    same_route = [p for p in previous if p.route is route_v]
    total = sum((to_decimal(p.mg) for p in same_route), Decimal(0)) + mg

    over_kg = over_per_kg(limit, unit_v, per_kg, mg, weight)
    problems = _over_maximum(protocol, limit, route_label, mg_text, mg, per_kg, over_kg)
    if limit is not None and same_route:
        problems += session_total(
            protocol, limit, route_label, same_route, unit_v, mg, total, weight, amount
        )
    warnings = low_dose(protocol, limit, unit_v, route_label, mg, per_kg, entered)
    warnings += device_gap(protocol, unit_v, same_route, given_at)
    return DoseCalc(
        medication=med,
        route=route_v,
        unit=unit_v,
        amount_entered=value,
        mg=float(mg),
        mg_per_kg=None if per_kg is None else thousandth(per_kg),
        weight_kg=weight,
        limit=limit,
        over_limit=bool(problems),
        limit_message=Wording.joined(" ", problems) if problems else None,
        warnings=tuple(warnings),
        session_total_mg=float(total) if same_route else None,
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
            _(
                "Confirmation required: {problem} Confirm the dose and give a reason.",
                problem=shown_part(calc.limit_message or ""),
            ),
        )
    return text


def require_acknowledgement(warnings: Sequence[str], acknowledged: bool) -> tuple[str, ...]:
    """The warnings to store with the dose; ValidationError (field 'Warnings') when there
    are some and the person dosing has not acknowledged them."""
    if warnings and not acknowledged:
        raise ValidationError(
            "Warnings",
            tuple(warnings),
            _(
                "Acknowledge before dosing: {warnings}",
                warnings=" ".join(shown_part(w) for w in warnings),
            ),
        )
    return tuple(warnings)


def _mg_tenths(mg: Decimal) -> Wording:
    """A converted amount as rounded, to 0.1 mg: '112.0 mg' ('112,0 mg' where shown)."""
    return Wording.derived(decimal_text(str(mg)), lambda t: f"{t} mg")
