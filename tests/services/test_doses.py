"""DoseService: what a dose needs, conversion to mg, maxima, boosters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import IllegalTransition, PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext

from .sessionkit import YES_TO_ALL, Kit, audit_probe, refused


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


IM = {"medication": "racemic ketamine", "route": "im", "unit": "mg/kg", "lot_number": "L-9"}


def test_first_dose_converts_mg_per_kg_and_moves_the_session(kit: Kit) -> None:
    sid = kit.ready(weight=68.4)
    with audit_probe(kit.ctx.db) as a:
        dose = kit.doses.record(kit.nurse, sid, amount="0,5", **IM)
    assert (dose.amount, dose.unit, dose.mg, dose.route) == (0.5, "mg_per_kg", 34.2, "im")
    assert (dose.over_limit, dose.confirmation_reason, dose.confirmed_by) == (False, None, None)
    assert dose.given_at == kit.clock.now()
    assert a.actions == ["dose.record", "session.transition"]
    assert a.entities == [("dose", str(dose.id)), ("dosing_session", str(sid))]
    assert a.entries[0].after_data["mg"] == 34.2  # type: ignore[index]
    info = kit.sessions.get(sid)
    assert (info.state, info.first_dose_at) == ("dosed", dose.given_at)


def test_dose_needs_check_in_and_pre_dose_vitals(kit: Kit) -> None:
    sid = kit.scheduled()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.doses.record(kit.nurse, sid, amount=0.5, **IM),
        "check the patient in first",
    )
    kit.sessions.check_in(kit.nurse, sid)
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.doses.record(kit.nurse, sid, amount=0.5, **IM),
        "Record the pre-dose vitals before the first dose",
    )


@pytest.mark.parametrize(
    ("change", "field", "match"),
    [
        ({"lot_number": " "}, "Lot number", "Lot number is required"),
        ({"lot_number": "L" * 65}, "Lot number", "at most 64"),
        ({"route": "iv "}, None, None),  # allowed by kap-default: no error (see below)
        ({"route": "rectal"}, "Route", "Route 'rectal' is not in protocol kap-default v1.0"),
        ({"medication": "ketamine"}, "Medication", "allowed: racemic ketamine, esketamine"),
        ({"unit": "devices"}, "Unit", "Unit device(s) is not allowed for IM"),
        ({"amount": 0}, "Amount", "must be more than zero"),
        ({"amount": "half"}, "Amount", "is not a number"),
    ],
)
def test_bad_dose_input_is_not_stored(
    kit: Kit, change: dict[str, Any], field: str | None, match: str | None
) -> None:
    sid = kit.ready()
    values: dict[str, Any] = {**IM, "amount": 0.5, **change}
    if field is None:
        assert kit.doses.record(kit.nurse, sid, **values).route == "iv"
        return
    err = refused(kit.ctx, ValidationError, lambda: kit.doses.record(kit.nurse, sid, **values))
    assert isinstance(err, ValidationError)
    assert err.field == field
    assert match in str(err)


def test_mg_per_kg_needs_the_session_weight(kit: Kit) -> None:
    # The patient's usual weight (70 kg in the chart) is not used: only the weight today.
    sid = kit.checked_in()
    kit.vitals.record(kit.nurse, sid, 120, 80)
    kit.advance(minutes=1)
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.doses.record(kit.nurse, sid, amount=0.5, **IM),
        "Weight today is needed to convert mg/kg to mg",
    )
    # In mg, the IM limit per kg still needs the weight to be checked.
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.doses.record(kit.nurse, sid, amount=35, **{**IM, "unit": "mg"}),
        r"Weight today is needed to check the dose .* \(1.5 mg/kg\)",
    )
    sublingual = {**IM, "route": "sublingual", "unit": "mg"}
    assert kit.doses.record(kit.nurse, sid, amount=200, **sublingual).mg == 200.0


def test_over_the_maximum_needs_a_clinicians_confirmation(kit: Kit, clinician: Actor) -> None:
    sid = kit.ready(weight=70)
    over = {**IM, "amount": 2.0}
    err = refused(kit.ctx, PermissionDenied, lambda: kit.doses.record(kit.nurse, sid, **over))
    assert str(err) == (
        "2 mg/kg (140.0 mg) exceeds the kap-default v1.0 maximum for IM (1.5 mg/kg). "
        "Only a clinician may confirm a dose above the protocol maximum."
    )
    err = refused(kit.ctx, ValidationError, lambda: kit.doses.record(clinician, sid, **over))
    assert isinstance(err, ValidationError)
    assert err.field == "Confirmation"
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.doses.record(
            clinician, sid, **over, confirm_over_max=True, confirmation_reason="  "
        ),
        "Confirmation required",
    )
    dose = kit.doses.record(
        clinician,
        sid,
        **over,
        confirm_over_max=True,
        confirmation_reason=" Tolerated 1.5 mg/kg twice without effect ",
        given_by_user_id=kit.nurse.user_id,
    )
    assert dose.over_limit
    assert dose.confirmation_reason == "Tolerated 1.5 mg/kg twice without effect"
    assert (dose.confirmed_by, dose.given_by, dose.recorded_by) == (
        clinician.full_name,
        kit.nurse.full_name,
        clinician.full_name,
    )


def test_exactly_the_maximum_is_within_it(kit: Kit) -> None:
    sid = kit.ready(weight=70)
    dose = kit.doses.record(kit.nurse, sid, amount=1.5, **IM)
    assert (dose.mg, dose.over_limit) == (105.0, False)


def test_given_by_must_be_active_staff_who_give_doses(
    kit: Kit, therapist: Actor, clinician: Actor
) -> None:
    sid = kit.ready()
    for user_id, match in [
        (therapist.user_id, "Test Therapist \\(therapist\\) cannot have given the dose"),
        (999, "Given by: there is no user #999; choose an active member"),
    ]:
        refused(
            kit.ctx,
            ValidationError,
            lambda u=user_id: kit.doses.record(  # type: ignore[misc]
                kit.nurse, sid, amount=0.5, given_by_user_id=u, **IM
            ),
            match,
        )
    dose = kit.doses.record(kit.nurse, sid, amount=0.5, given_by_user_id=clinician.user_id, **IM)
    assert (dose.given_by, dose.recorded_by) == (clinician.full_name, kit.nurse.full_name)


def test_dose_times(kit: Kit) -> None:
    sid = kit.ready()
    reading_at = kit.clock.now() - timedelta(minutes=1)
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.doses.record(kit.nurse, sid, amount=0.5, given_at=reading_at, **IM),
        "must come after the latest pre-dose reading",
    )
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.doses.record(
            kit.nurse, sid, amount=0.5, given_at=kit.clock.now() + timedelta(minutes=6), **IM
        ),
        "Given at .* is in the future",
    )
    first = kit.doses.record(
        kit.nurse, sid, amount=0.5, given_at=reading_at + timedelta(seconds=30), **IM
    )
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.doses.record(
            kit.nurse, sid, amount=0.25, given_at=first.given_at - timedelta(seconds=1), **IM
        ),
        "cannot be before the first dose",
    )


def test_hold_blocks_the_first_dose_and_names_the_reading(kit: Kit, clinician: Actor) -> None:
    sid = kit.ready(bp=(118, 76))
    kit.vitals.record(kit.nurse, sid, 118, 76, spo2=90)
    kit.advance(minutes=1)
    err = refused(
        kit.ctx, IllegalTransition, lambda: kit.doses.record(clinician, sid, amount=0.5, **IM)
    )
    assert str(err) == (
        "Pre-dose BP 118/76, SpO2 90 % is alert (kap-default v1.0): "
        "a clinician must record an override before dosing."
    )
    kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Chronic lung disease, usual 90 %")
    assert kit.doses.record(kit.nurse, sid, amount=0.5, **IM).mg == 35.0


def test_boosters_by_any_protocol_route(kit: Kit, clinician: Actor) -> None:
    sid = kit.dosed()
    kit.advance(minutes=30)
    kit.vitals.record(kit.nurse, sid, 130, 80)
    kit.advance(minutes=5)
    with audit_probe(kit.ctx.db) as a:
        booster = kit.doses.record(
            kit.nurse, sid, **{**IM, "route": "sublingual", "unit": "mg"}, amount=100
        )
    assert booster.is_booster
    assert a.actions == ["dose.record"]
    info = kit.sessions.get(sid)
    assert info.state == "monitoring"
    doses = kit.doses.doses(sid)
    assert [(d.route, d.is_booster) for d in doses] == [("im", False), ("sublingual", True)]
    assert info.first_dose_at == doses[0].given_at


def test_no_dose_after_discharge_or_when_withheld(kit: Kit, clinician: Actor) -> None:
    sid = kit.dosed()
    kit.sessions.discharge(clinician, sid, unmet_reason="Transferred")
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.doses.record(clinician, sid, amount=0.5, **IM),
        "discharged takes no doses",
    )
    other = kit.ready(mrn="MRN-2")
    kit.sessions.withhold_dose(kit.nurse, other, "Patient declined")
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.doses.record(kit.nurse, other, amount=0.5, **IM),
        "dose withheld takes no doses",
    )


def test_intranasal_devices(kit: Kit, clinician: Actor, therapist: Actor) -> None:
    sid = kit.ready(protocol_id="spravato-rems")
    nasal = {
        "medication": "esketamine",
        "route": "intranasal",
        "unit": "device",
        "lot_number": "E1",
    }
    refused(kit.ctx, PermissionDenied, lambda: kit.doses.record(therapist, sid, amount=2, **nasal))
    assert kit.doses.record(kit.nurse, sid, amount=3, **nasal).mg == 84.0
    kit.advance(minutes=5)
    refused(
        kit.ctx,
        PermissionDenied,
        lambda: kit.doses.record(kit.nurse, sid, amount=4, **nasal),
        r"112.0 mg exceeds the spravato-rems v1.0 maximum for intranasal \(84 mg\)",
    )
    booster = kit.doses.record(kit.nurse, sid, amount=1, **nasal)
    assert (booster.mg, booster.is_booster, booster.over_limit) == (28.0, True, False)
    assert kit.sessions.detail(sid).route == "intranasal"
