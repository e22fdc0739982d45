"""Dosing: units per route, conversion to mg, protocol maxima and their confirmation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.dosing import (
    ALLOWED_UNITS,
    MAX_DEVICES_PER_DOSE,
    DoseCalc,
    DoseUnit,
    PriorDose,
    convert_amount,
    format_amount,
    require_acknowledgement,
    require_confirmation,
    validate_dose,
)
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Protocol, Route, builtin_protocols

P = builtin_protocols()
KAP = P["kap-default"]
SPRAVATO = P["spravato-rems"]


def dose(
    amount: float | str,
    unit: DoseUnit | str,
    route: Route | str,
    weight: float | None = 70.0,
    medication: str = "racemic ketamine",
) -> DoseCalc:
    return validate_dose(
        KAP, medication=medication, route=route, amount=amount, unit=unit, weight_kg=weight
    )


# ---------------------------------------------------------------- conversions


def test_mg_per_kg_converts_with_the_session_weight() -> None:
    calc = dose(0.5, DoseUnit.MG_PER_KG, Route.IV, weight=70)
    assert calc.mg == 35.0
    assert calc.mg_per_kg == 0.5
    assert calc.amount_entered == 0.5
    assert calc.route is Route.IV
    assert calc.unit is DoseUnit.MG_PER_KG
    assert calc.over_limit is False
    assert calc.limit_message is None
    assert calc.limit == KAP.dose_limits[Route.IV]
    assert calc.text == "0.5 mg/kg = 35.0 mg IV"


def test_devices_convert_with_the_protocol_device_size() -> None:
    calc = validate_dose(
        SPRAVATO,
        medication="esketamine",
        route=Route.INTRANASAL,
        amount=3,
        unit=DoseUnit.DEVICE,
        weight_kg=None,
    )
    assert calc.mg == 84.0
    assert calc.mg_per_kg is None
    assert calc.over_limit is False
    assert (
        validate_dose(
            SPRAVATO,
            medication="esketamine",
            route="intranasal",
            amount=2,
            unit="devices",
            weight_kg=80,
        ).mg
        == 56.0
    )


def test_mg_entered_gives_mg_per_kg_when_weight_known() -> None:
    calc = dose(100, DoseUnit.MG, Route.IM, weight=80)
    assert calc.mg == 100.0
    assert calc.mg_per_kg == 1.25
    oral = dose("150", "mg", "oral", weight=None)
    assert oral.mg == 150.0
    assert oral.mg_per_kg is None


def test_mg_rounds_to_a_tenth_half_up() -> None:
    assert dose(0.5, DoseUnit.MG_PER_KG, Route.IV, weight=70.5).mg == 35.3  # 35.25
    assert dose(0.5, DoseUnit.MG_PER_KG, Route.IV, weight=72.35).mg == 36.2  # 36.175
    assert dose(0.25, DoseUnit.MG_PER_KG, Route.IM, weight=70.1).mg == 17.5  # 17.525
    # typed in mg: kept as typed (issue 9: typed amounts are not rounded)
    assert dose("99.94", DoseUnit.MG, Route.ORAL).mg == 99.94


def test_text_input_is_accepted_as_typed() -> None:
    calc = dose(" 0,5 ", " MG/KG ", " IV ", weight=70, medication=" Racemic Ketamine ")
    assert calc.mg == 35.0
    assert calc.medication == "racemic ketamine"


# ---------------------------------------------------------------- limits


@pytest.mark.parametrize(
    ("route", "amount", "unit", "weight", "over"),
    [
        (Route.INTRANASAL, 3, DoseUnit.DEVICE, None, False),  # 84 mg = max
        (Route.INTRANASAL, 4, DoseUnit.DEVICE, None, True),  # 112 mg
        (Route.SUBLINGUAL, 400, DoseUnit.MG, None, False),
        (Route.SUBLINGUAL, 400.1, DoseUnit.MG, None, True),
        (Route.ORAL, 300, DoseUnit.MG, None, False),
        (Route.ORAL, 300.1, DoseUnit.MG, None, True),
        (Route.IV, 1.0, DoseUnit.MG_PER_KG, 72.3, False),  # 1.0 mg/kg = max
        (Route.IV, 1.01, DoseUnit.MG_PER_KG, 72.3, True),
        (Route.IV, 72.3, DoseUnit.MG, 72.3, False),  # exactly 1.0 mg/kg entered in mg
        (Route.IV, 72.4, DoseUnit.MG, 72.3, True),
        (Route.IM, 1.5, DoseUnit.MG_PER_KG, 100, False),  # 150 mg and 1.5 mg/kg: both at max
        (Route.IM, 1.5, DoseUnit.MG_PER_KG, 100.1, True),  # 150.2 mg > 150 mg
        (Route.IM, 1.51, DoseUnit.MG_PER_KG, 60, True),  # 90.6 mg, but > 1.5 mg/kg
        (Route.IM, 90, DoseUnit.MG, 60, False),  # 1.5 mg/kg
        (Route.IM, 90.1, DoseUnit.MG, 60, True),
        (Route.SC, 100, DoseUnit.MG, 100, False),
        (Route.SC, 100.1, DoseUnit.MG, 100.1, True),  # mg limit only
    ],
)
def test_limit_boundaries(
    route: Route, amount: float, unit: DoseUnit, weight: float | None, over: bool
) -> None:
    calc = dose(amount, unit, route, weight=weight, medication="esketamine")
    assert calc.over_limit is over
    assert (calc.limit_message is not None) is over


def test_limit_message_names_dose_protocol_route_and_maximum() -> None:
    calc = dose(4, DoseUnit.DEVICE, Route.INTRANASAL, weight=None, medication="esketamine")
    assert calc.limit_message == (
        "112.0 mg exceeds the kap-default v1.0 maximum for intranasal (84 mg)."
    )
    per_kg = dose(1.2, DoseUnit.MG_PER_KG, Route.IV, weight=70)
    assert per_kg.limit_message == (
        "1.2 mg/kg (84.0 mg) exceeds the kap-default v1.0 maximum for IV (1 mg/kg)."
    )


def test_route_without_a_limit_is_never_over() -> None:
    proto = replace(SPRAVATO, dose_limits={})
    calc = validate_dose(
        proto, medication="esketamine", route="intranasal", amount=6, unit="device", weight_kg=None
    )
    assert calc.limit is None
    assert calc.over_limit is False


# ---------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    ("route", "unit"),
    [(route, unit) for route in Route for unit in DoseUnit if unit not in ALLOWED_UNITS[route]],
)
def test_units_not_allowed_for_the_route(route: Route, unit: DoseUnit) -> None:
    with pytest.raises(ValidationError) as exc:
        dose(1, unit, route, medication="esketamine")
    assert exc.value.field == "Unit"
    assert unit.label in exc.value.message
    assert "not allowed" in exc.value.message


def test_allowed_units_table_matches_clinical_md() -> None:
    assert ALLOWED_UNITS == {
        Route.IV: (DoseUnit.MG_PER_KG, DoseUnit.MG),
        Route.IM: (DoseUnit.MG_PER_KG, DoseUnit.MG),
        Route.SC: (DoseUnit.MG_PER_KG, DoseUnit.MG),
        Route.SUBLINGUAL: (DoseUnit.MG,),
        Route.BUCCAL: (DoseUnit.MG,),
        Route.ORAL: (DoseUnit.MG,),
        Route.INTRANASAL: (DoseUnit.DEVICE,),
    }


def test_unknown_unit_text() -> None:
    with pytest.raises(ValidationError, match="Unit 'ml' is not allowed for oral; use mg"):
        dose(1, "ml", Route.ORAL)


def test_medication_and_route_must_be_in_the_protocol() -> None:
    with pytest.raises(ValidationError) as exc:
        dose(100, "mg", Route.ORAL, medication="ibogaine")
    assert exc.value.field == "Medication"
    assert "'ibogaine'" in exc.value.message
    assert "kap-default v1.0" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        validate_dose(
            SPRAVATO,
            medication="esketamine",
            route=Route.IV,
            amount=1,
            unit="mg/kg",
            weight_kg=70,
        )
    assert exc.value.field == "Route"
    assert "'iv'" in exc.value.message
    assert "intranasal" in exc.value.message
    with pytest.raises(ValidationError, match="Route 'rectal'"):
        dose(100, "mg", "rectal")
    with pytest.raises(ValidationError, match="Medication 'racemic ketamine'"):
        validate_dose(
            SPRAVATO,
            medication="racemic ketamine",
            route="intranasal",
            amount=1,
            unit="device",
            weight_kg=None,
        )


@pytest.mark.parametrize(
    "amount", [0, -1, "0", "-5", "", "abc", "1e3", True, float("nan"), None, 0.04, "0,01"]
)
def test_amount_must_be_a_positive_number(amount: object) -> None:
    with pytest.raises(ValidationError) as exc:
        dose(amount, DoseUnit.MG, Route.ORAL)  # type: ignore[arg-type]
    assert exc.value.field == "Amount"
    assert "Amount" in exc.value.message


def test_mg_per_kg_without_weight() -> None:
    with pytest.raises(ValidationError) as exc:
        dose(0.5, DoseUnit.MG_PER_KG, Route.IM, weight=None)
    assert exc.value.field == "Weight"
    assert exc.value.message == "Weight today is needed to convert mg/kg to mg."


def test_per_kg_limit_cannot_be_skipped_for_lack_of_weight() -> None:
    with pytest.raises(ValidationError) as exc:
        dose(35, DoseUnit.MG, Route.IV, weight=None)
    assert exc.value.field == "Weight"
    assert "maximum for IV (1 mg/kg)" in exc.value.message


def test_implausible_weight_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        dose(0.5, DoseUnit.MG_PER_KG, Route.IV, weight=500)
    assert exc.value.field == "Weight"


@pytest.mark.parametrize("devices", [0, 1.5, 2.0001, MAX_DEVICES_PER_DOSE + 1])
def test_devices_must_be_a_whole_number_in_range(devices: float) -> None:
    with pytest.raises(ValidationError) as exc:
        dose(devices, DoseUnit.DEVICE, Route.INTRANASAL, medication="esketamine")
    assert exc.value.field == "Amount"


def test_device_count_bounds_accepted() -> None:
    assert dose(1, "device", "intranasal", medication="esketamine").mg == 28.0
    top = dose(MAX_DEVICES_PER_DOSE, "device", "intranasal", medication="esketamine")
    assert top.mg == 28.0 * MAX_DEVICES_PER_DOSE
    assert top.over_limit is True


# ---------------------------------------------------------------- confirmation


def test_over_limit_needs_confirmation_and_reason() -> None:
    over = dose(4, DoseUnit.DEVICE, Route.INTRANASAL, weight=None, medication="esketamine")
    for confirmed, reason in [
        (False, None),
        (False, "prescriber says so"),
        (True, None),
        (True, "  "),
    ]:
        with pytest.raises(ValidationError) as exc:
            require_confirmation(over, confirmed, reason)
        assert exc.value.field == "Confirmation"
        assert "112.0 mg exceeds" in exc.value.message
    assert require_confirmation(over, True, "  Dr Ames: tolerance  ") == "Dr Ames: tolerance"


def test_within_limit_needs_no_confirmation() -> None:
    ok = dose(3, DoseUnit.DEVICE, Route.INTRANASAL, weight=None, medication="esketamine")
    assert require_confirmation(ok, False, None) is None
    assert require_confirmation(ok, False, " note ") == "note"


# ---------------------------------------------------------------- properties


@given(st.floats(0.01, 2.0), st.floats(25, 350))
def test_mg_per_kg_conversion_property(per_kg: float, weight: float) -> None:
    calc = dose(per_kg, DoseUnit.MG_PER_KG, Route.IV, weight=weight)
    assert abs(calc.mg - per_kg * weight) <= 0.05 + 1e-9
    assert calc.over_limit is (per_kg > 1.0)
    assert calc.mg_per_kg == pytest.approx(per_kg, abs=0.0005)


@given(st.floats(0.1, 800))
def test_mg_property_against_the_sublingual_maximum(mg: float) -> None:
    calc = dose(mg, DoseUnit.MG, Route.SUBLINGUAL, weight=None)
    assert abs(calc.mg - mg) <= 0.05 + 1e-9
    assert calc.over_limit is (calc.mg > 400)
    if calc.over_limit:
        assert calc.limit_message is not None
        assert "maximum for sublingual (400 mg)" in calc.limit_message


@given(st.floats(max_value=0, allow_nan=False) | st.just(float("inf")))
def test_non_positive_amounts_rejected(amount: float) -> None:
    with pytest.raises(ValidationError) as exc:
        dose(amount, DoseUnit.MG, Route.ORAL)
    assert exc.value.field == "Amount"


@given(st.integers(1, MAX_DEVICES_PER_DOSE))
def test_devices_property(n: int) -> None:
    calc = dose(n, DoseUnit.DEVICE, Route.INTRANASAL, medication="esketamine")
    assert calc.mg == 28.0 * n
    assert calc.over_limit is (n > 3)


# ---------------------------------------------------------------- issue 9: medication, route,
# session maximum, device gap, ceiling, small doses, huge amounts, typed amounts

NASAL = {"route": Route.INTRANASAL, "unit": DoseUnit.DEVICE, "weight_kg": None}
T = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def device(minutes: float, n: int = 1) -> PriorDose:
    return PriorDose(Route.INTRANASAL, DoseUnit.DEVICE, 28.0 * n, T + timedelta(minutes=minutes))


def test_nasal_devices_are_esketamine_only() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_dose(KAP, medication="racemic ketamine", amount=1, **NASAL)
    assert exc.value.field == "Medication"
    assert exc.value.message == (
        "Refused by device-medication, kap-default v1.0: 'racemic ketamine' does not come "
        "as nasal devices; devices are esketamine only."
    )
    assert validate_dose(KAP, medication="esketamine", amount=1, **NASAL).mg == 28.0
    # which medications may use devices is protocol data
    both = replace(KAP, device_medications=("esketamine", "racemic ketamine"))
    assert validate_dose(both, medication="racemic ketamine", amount=1, **NASAL).mg == 28.0


def test_spravato_session_total_across_devices_logged_one_at_a_time() -> None:
    def one(previous: list[PriorDose]) -> DoseCalc:
        return validate_dose(
            SPRAVATO, medication="esketamine", amount=1, previous=previous, **NASAL
        )

    assert not one([device(0), device(5)]).over_limit  # 84 mg = the session maximum
    assert one([device(0), device(5)]).session_total_mg == 84.0
    fourth = one([device(0), device(5), device(10)])
    assert fourth.over_limit
    assert fourth.session_total_mg == 112.0
    assert fourth.limit_message == (
        "The session total for intranasal would be 112 mg (84 mg already given), above the "
        "spravato-rems v1.0 session maximum (84 mg)."
    )
    with pytest.raises(ValidationError) as exc:  # past the ceiling (168 mg): no confirmation
        one([device(5 * i) for i in range(6)])
    assert "ceiling" in exc.value.message
    assert "196 mg" in exc.value.message


def test_a_device_sooner_than_the_protocol_gap_is_warned() -> None:
    def at(minutes: float, proto: Protocol = SPRAVATO) -> DoseCalc:
        return validate_dose(
            proto,
            medication="esketamine",
            amount=1,
            previous=[device(0)],
            given_at=T + timedelta(minutes=minutes),
            **NASAL,
        )

    assert at(5).warnings == ()
    assert at(3).warnings == (
        "Device gap: 3 min since the previous device; spravato-rems v1.0 asks for 5 min "
        "between devices.",
    )
    assert at(4, replace(SPRAVATO, device_gap_min=3)).warnings == ()
    # a duration in whole minutes, never a fraction: 4 min 54 s is 'at least 4 min'
    assert at(4.9).warnings[0].startswith("Device gap: 4 min since the previous device;")
    assert at(0.5).warnings[0].startswith("Device gap: less than 1 min since")


@pytest.mark.parametrize(
    ("route", "amount", "unit", "fragment"),
    [
        (Route.IV, 60, DoseUnit.MG_PER_KG, "60 mg/kg (4968.0 mg) IV is above the absolute ceiling"),
        (Route.IV, 2.01, DoseUnit.MG_PER_KG, "ceiling of 2 mg/kg"),
        (
            Route.SUBLINGUAL,
            800.5,
            DoseUnit.MG,
            "800.5 mg sublingual is above the absolute ceiling of 800 mg",
        ),
        (Route.IM, 301, DoseUnit.MG, "ceiling of 300 mg"),
    ],
)
def test_no_confirmation_passes_the_absolute_ceiling(
    route: Route, amount: float, unit: DoseUnit, fragment: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        dose(amount, unit, route, weight=82.8)
    assert exc.value.field == "Amount"
    assert exc.value.message.startswith(
        f"Refused by dose-ceiling, kap-default v1.0: {amount} {unit.label} "
    )
    assert fragment in exc.value.message


def test_ceilings_are_twice_the_maximum_in_every_preset() -> None:
    for proto in P.values():
        for limit in proto.dose_limits.values():
            if limit.max_mg is not None:
                assert limit.ceiling_mg == 2 * limit.max_mg
            if limit.max_mg_per_kg is not None:
                assert limit.ceiling_mg_per_kg == 2 * limit.max_mg_per_kg


def test_at_the_ceiling_is_confirmable() -> None:
    calc = dose(2.0, DoseUnit.MG_PER_KG, Route.IV, weight=70)
    assert calc.over_limit
    assert require_confirmation(calc, True, "prescribed") == "prescribed"


def test_an_implausibly_small_dose_is_questioned() -> None:
    small = dose(0.05, DoseUnit.MG_PER_KG, Route.IV, weight=70)
    assert small.warnings == (
        "Unusually small dose: 0.05 mg/kg (3.5 mg) is below 0.1 mg/kg, where kap-default "
        "v1.0 questions a IV dose. Check the amount and the unit.",
    )
    with pytest.raises(ValidationError) as exc:
        require_acknowledgement(small.warnings, False)
    assert exc.value.field == "Warnings"
    assert require_acknowledgement(small.warnings, True) == small.warnings
    assert dose(0.1, DoseUnit.MG_PER_KG, Route.IV, weight=70).warnings == ()
    assert dose(39.9, DoseUnit.MG, Route.SUBLINGUAL).warnings != ()
    assert dose(40, DoseUnit.MG, Route.SUBLINGUAL).warnings == ()


@pytest.mark.parametrize("amount", [1e20, 1e30, 10**400, 1e308, "9" * 10_000, "1" * 8, 10_000_000])
def test_over_large_amounts_are_a_clear_validation_error(amount: object) -> None:
    with pytest.raises(ValidationError) as exc:
        dose(amount, DoseUnit.MG, Route.ORAL)  # type: ignore[arg-type]
    assert exc.value.field == "Amount"
    assert len(exc.value.message) < 200
    with pytest.raises(ValidationError):
        dose(amount, DoseUnit.MG_PER_KG, Route.IV, weight=350)  # type: ignore[arg-type]


@given(st.floats(min_value=1e7, max_value=1e308) | st.integers(min_value=10**7))
def test_any_huge_amount_is_refused_never_a_crash(amount: float) -> None:
    for unit, route in ((DoseUnit.MG, Route.ORAL), (DoseUnit.MG_PER_KG, Route.IM)):
        with pytest.raises(ValidationError):
            dose(amount, unit, route, weight=350)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (0.75, "0.75"),
        ("12.345", "12.345"),
        (1234.5678, "1234.5678"),
        (100, "100"),
        (0.00001, "0.00001"),
    ],
)
def test_typed_amounts_are_shown_as_typed(typed: object, shown: str) -> None:
    assert format_amount(float(str(typed))) == shown


def test_amount_text_keeps_typed_mg() -> None:
    assert dose("12.345", DoseUnit.MG, Route.ORAL, weight=None).text == "12.345 mg oral"


@pytest.mark.parametrize(
    ("text", "old", "new", "weight", "out"),
    [
        ("0.75", DoseUnit.MG_PER_KG, DoseUnit.MG, 82.8, "62.1"),
        ("62.1", DoseUnit.MG, DoseUnit.MG_PER_KG, 82.8, "0.75"),
        ("0,5", DoseUnit.MG_PER_KG, DoseUnit.MG, 70, "35"),
        ("0.75", DoseUnit.MG_PER_KG, DoseUnit.MG, None, ""),  # no weight: cleared
        ("abc", DoseUnit.MG, DoseUnit.MG_PER_KG, 70, ""),
        ("0.75", DoseUnit.MG, DoseUnit.MG, None, "0.75"),
    ],
)
def test_convert_amount_between_units(
    text: str, old: DoseUnit, new: DoseUnit, weight: float | None, out: str
) -> None:
    assert convert_amount(text, old, new, weight) == out


def test_a_small_dose_is_judged_in_the_unit_typed() -> None:
    # 0.25 mg/kg IM at 59.5 kg = 14.9 mg: a usual dose, though below 15 mg
    assert dose(0.25, DoseUnit.MG_PER_KG, Route.IM, weight=59.5).warnings == ()
    assert dose(0.1, DoseUnit.MG_PER_KG, Route.IM, weight=59.5).warnings != ()
    assert dose(14, DoseUnit.MG, Route.IM, weight=59.5).warnings != ()
    assert dose(3, DoseUnit.MG, Route.IV, weight=70).warnings != ()  # per-kg only: 0.043 mg/kg


# issue 9 review: boosters count toward the route's maximum and ceiling (session total)


def im(mg: float, unit: DoseUnit = DoseUnit.MG_PER_KG, minutes: float = 0) -> PriorDose:
    return PriorDose(Route.IM, unit, mg, T + timedelta(minutes=minutes))


def booster(
    amount: float,
    previous: list[PriorDose],
    unit: DoseUnit = DoseUnit.MG_PER_KG,
    route: Route = Route.IM,
    weight: float | None = 70.0,
) -> DoseCalc:
    return validate_dose(
        KAP,
        medication="racemic ketamine",
        route=route,
        amount=amount,
        unit=unit,
        weight_kg=weight,
        previous=previous,
    )


def test_a_typical_booster_needs_no_confirmation() -> None:
    calc = booster(0.25, [im(35.0)])  # 0.5 + 0.25 mg/kg IM
    assert (calc.over_limit, calc.limit_message, calc.warnings) == (False, None, ())
    assert calc.session_total_mg == 52.5
    # up to the route maximum (1.5 mg/kg) in total is within it
    assert not booster(0.5, [im(70.0)]).over_limit


def test_boosters_over_the_route_maximum_in_total_need_confirmation() -> None:
    calc = booster(0.5, [im(70.0), im(35.0, minutes=1)])  # 2.0 mg/kg in total
    assert calc.over_limit
    assert calc.session_total_mg == 140.0
    assert calc.limit_message == (
        "The session total for IM would be 140 mg = 2 mg/kg (105 mg already given), above the "
        "kap-default v1.0 maximum for IM (1.5 mg/kg), which holds for the session total as "
        "the protocol sets no session maximum."
    )
    with pytest.raises(ValidationError) as exc:
        require_confirmation(calc, False, None)
    assert exc.value.field == "Confirmation"
    assert require_confirmation(calc, True, "plan") == "plan"
    # sublingual in mg: 400 + 400 mg is over the 400 mg maximum
    sl = booster(
        400,
        [PriorDose(Route.SUBLINGUAL, DoseUnit.MG, 400.0, T)],
        DoseUnit.MG,
        Route.SUBLINGUAL,
    )
    assert sl.over_limit
    assert "The session total for sublingual would be 800 mg (400 mg already given)" in str(
        sl.limit_message
    )
    assert "maximum for sublingual (400 mg)" in str(sl.limit_message)


def test_no_confirmation_passes_the_ceiling_on_the_session_total() -> None:
    # 8 x 1.0 mg/kg IM: the fourth would make 4 mg/kg, above the 3 mg/kg ceiling
    with pytest.raises(ValidationError) as exc:
        booster(1.0, [im(70.0, minutes=i) for i in range(3)])
    assert exc.value.field == "Amount"
    assert exc.value.message == (
        "Refused by dose-ceiling, kap-default v1.0: the IM session total would be "
        "280 mg = 4 mg/kg, above the absolute ceiling of 3 mg/kg, which no confirmation "
        "passes."
    )
    assert booster(1.0, [im(70.0), im(70.0)]).over_limit  # 3 mg/kg: confirmable
    # 6 x 400 mg sublingual: the third would make 1200 mg, above the 800 mg ceiling
    prior = [PriorDose(Route.SUBLINGUAL, DoseUnit.MG, 400.0, T)] * 2
    with pytest.raises(ValidationError) as exc:
        booster(400, prior, DoseUnit.MG, Route.SUBLINGUAL, weight=None)
    assert exc.value.message == (
        "Refused by dose-ceiling, kap-default v1.0: the sublingual session total would be "
        "1200 mg, above the absolute ceiling of 800 mg, which no confirmation passes."
    )


def test_other_routes_do_not_count_toward_a_routes_total() -> None:
    sl = PriorDose(Route.SUBLINGUAL, DoseUnit.MG, 400.0, T)
    calc = booster(1.5, [sl, sl])
    assert (calc.over_limit, calc.session_total_mg) == (False, None)


def test_rounding_each_dose_to_a_tenth_does_not_push_the_total_over() -> None:
    # 3 x 0.5 mg/kg at 70.1 kg: 35.05 -> 35.1 mg each, 105.3 mg; the maximum is 105.15 mg
    calc = booster(0.5, [im(35.1), im(35.1)], weight=70.1)
    assert calc.session_total_mg == 105.3
    assert not calc.over_limit


def test_a_protocol_session_maximum_replaces_the_per_dose_maximum_for_the_total() -> None:
    roomy = replace(
        KAP,
        dose_limits={
            **KAP.dose_limits,
            Route.IM: replace(KAP.dose_limits[Route.IM], session_max_mg=200),
        },
    )
    calc = validate_dose(
        roomy,
        medication="racemic ketamine",
        route=Route.IM,
        amount=1.0,
        unit=DoseUnit.MG_PER_KG,
        weight_kg=70,
        previous=[im(70.0)],
    )
    assert not calc.over_limit  # 140 mg <= 200 mg session maximum


@given(
    st.lists(st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.5, 2.0]), min_size=1, max_size=10),
    st.floats(min_value=40, max_value=140).map(lambda w: round(w, 1)),
)
def test_split_doses_never_pass_the_ceiling_or_the_maximum_unconfirmed(
    amounts: list[float], weight: float
) -> None:
    limit = KAP.dose_limits[Route.IM]
    assert limit.ceiling_mg is not None
    assert limit.max_mg is not None
    assert limit.ceiling_mg_per_kg is not None
    assert limit.max_mg_per_kg is not None
    given_doses: list[PriorDose] = []
    for i, amount in enumerate(amounts):
        try:
            calc = booster(amount, given_doses, weight=weight)
        except ValidationError:
            continue
        given_doses.append(im(calc.mg, minutes=i))
        total = sum(p.mg for p in given_doses)
        slack = 0.05 * len(given_doses) + 1e-9
        assert total <= limit.ceiling_mg
        assert total <= limit.ceiling_mg_per_kg * weight + slack
        if not calc.over_limit:
            assert total <= limit.max_mg
            assert total <= limit.max_mg_per_kg * weight + slack
