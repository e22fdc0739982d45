"""The gates in front of every dose: pre-dose hold, post-dose gate, checklist (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.gates import (
    GateKind,
    GateOverride,
    GateReading,
    OverrideKind,
    block_message,
    checklist_gate,
    dose_gate,
    override_text,
    post_dose_gate,
    pre_dose_hold,
    rule_of,
)
from kapdesk.domain.protocol import Band, Phase, Route, builtin_protocols
from kapdesk.domain.vitals import VitalsInput

P = builtin_protocols()
KAP = P["kap-default"]
T0 = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
YES = {"consent": True, "ride_home": True, "contraindications": True}
ALL_YES = {**YES, "fasting": True, "medication_changes": True}


def reading(
    rid: int,
    minutes: float,
    band: Band = Band.NORMAL,
    phase: Phase = Phase.PRE_DOSE,
    *,
    recorded_late: float = 0,
    text: str = "BP 120/80",
) -> GateReading:
    taken = T0 + timedelta(minutes=minutes)
    rules = {
        (Phase.PRE_DOSE, Band.ELEVATED): ("pre-dose-elevated",),
        (Phase.POST_DOSE, Band.ALERT): ("post-dose-alert",),
        (Phase.POST_DOSE, Band.CRITICAL): ("post-dose-alert", "critical-bp"),
    }.get((phase, band), ())
    return GateReading(
        id=rid,
        taken_at=taken,
        recorded_at=taken + timedelta(minutes=recorded_late),
        phase=phase,
        band=band,
        rules=rules,
        protocol_label="kap-default v1.0",
        text=text,
    )


def override(
    oid: int,
    minutes: float,
    *,
    reading_id: int | None = None,
    item_id: str | None = None,
) -> GateOverride:
    return GateOverride(
        id=oid,
        kind=OverrideKind.CHECKLIST if item_id else OverrideKind.READING,
        reading_id=reading_id,
        item_id=item_id,
        prescriber_name="Dr Rivera",
        reason="BP stable for this patient",
        recorded_at=T0 + timedelta(minutes=minutes),
    )


ELEVATED = reading(1, 0, Band.ELEVATED, text="BP 152/94")

# ---------------------------------------------------------------- pre-dose hold


def test_a_normal_reading_one_minute_after_an_elevated_one_does_not_lift_the_hold() -> None:
    hold = pre_dose_hold(KAP, [ELEVATED, reading(2, 1)], [])
    assert hold.active
    assert hold.reading == ELEVATED
    assert hold.lifts_at == T0 + timedelta(minutes=KAP.recheck_after_min)
    assert [r.id for r in hold.too_soon] == [2]


def test_a_recheck_at_the_interval_lifts_the_hold() -> None:
    hold = pre_dose_hold(KAP, [ELEVATED, reading(2, 1), reading(3, 5)], [])
    assert not hold.active
    assert hold.lifted_by is not None
    assert hold.lifted_by.id == 3
    assert hold.too_soon == ()


@given(gap=st.integers(min_value=0, max_value=30 * 60), interval=st.integers(1, 20))
def test_recheck_interval_boundary(gap: int, interval: int) -> None:
    """Any gap shorter than the protocol's interval keeps the hold; at or after it lifts."""
    protocol = replace(KAP, recheck_after_min=interval)
    recheck = reading(2, gap / 60)
    hold = pre_dose_hold(protocol, [ELEVATED, recheck], [])
    assert hold.active is (gap < interval * 60)


@given(ahead=st.integers(min_value=1, max_value=600))
def test_a_recheck_counts_from_when_it_was_recorded_if_typed_later(ahead: int) -> None:
    """A time typed ahead of the clock never lifts a hold early."""
    recheck = replace(
        reading(2, 5), recorded_at=T0 + timedelta(minutes=5) - timedelta(seconds=ahead)
    )
    assert pre_dose_hold(KAP, [ELEVATED, recheck], []).active


def test_a_later_elevated_reading_starts_a_new_hold() -> None:
    second = reading(3, 7, Band.ELEVATED)
    hold = pre_dose_hold(KAP, [ELEVATED, reading(2, 5), second], [override(1, 1, reading_id=1)])
    assert hold.reading == second
    assert hold.lifts_at == second.taken_at + timedelta(minutes=5)
    assert hold.override is None
    # the interval counts from the new hold, not the first one
    assert pre_dose_hold(KAP, [ELEVATED, second, reading(4, 10)], []).active
    assert not pre_dose_hold(KAP, [ELEVATED, second, reading(4, 12)], []).active


def test_an_override_naming_the_holding_reading_lifts_it() -> None:
    o = override(1, 1, reading_id=1)
    hold = pre_dose_hold(KAP, [ELEVATED], [o])
    assert not hold.active
    assert hold.override == o
    assert pre_dose_hold(KAP, [ELEVATED], [override(1, 1, reading_id=99)]).active
    # a checklist override is no reading override
    assert pre_dose_hold(KAP, [ELEVATED], [override(1, 1, item_id="consent")]).active


def test_post_dose_readings_do_not_hold_the_first_dose() -> None:
    assert not pre_dose_hold(KAP, [reading(1, 0, Band.ALERT, Phase.POST_DOSE)], []).active


# ---------------------------------------------------------------- post-dose gate

CRITICAL = reading(5, 40, Band.CRITICAL, Phase.POST_DOSE, text="BP 212/126")


def test_a_critical_post_dose_reading_gates_further_doses_even_after_normal_ones() -> None:
    later = reading(6, 45, phase=Phase.POST_DOSE)
    gate = post_dose_gate(KAP, [ELEVATED, CRITICAL, later], [])
    assert gate.active
    assert gate.reading == CRITICAL
    assert not post_dose_gate(KAP, [CRITICAL, later], [override(1, 46, reading_id=5)]).active


def test_an_override_covers_the_gating_readings_before_it_only() -> None:
    alert = reading(7, 50, Band.ALERT, Phase.POST_DOSE)
    o = override(1, 46, reading_id=5)
    gate = post_dose_gate(KAP, [CRITICAL, alert], [o])
    assert gate.reading == alert
    assert gate.override == o
    assert not post_dose_gate(KAP, [CRITICAL, alert], [override(2, 51, reading_id=7)]).active


def test_which_bands_gate_is_protocol_data() -> None:
    alert = reading(7, 50, Band.ALERT, Phase.POST_DOSE)
    only_critical = replace(KAP, booster_gate_bands=(Band.CRITICAL,))
    assert not post_dose_gate(only_critical, [alert], []).active
    assert post_dose_gate(only_critical, [CRITICAL], []).active
    assert post_dose_gate(KAP, [alert], []).active


# ---------------------------------------------------------------- checklist


def test_blocking_items_are_protocol_data_in_every_preset() -> None:
    for proto in P.values():
        blocking = {c.id for c in proto.checklist if c.blocks_dose}
        assert blocking == {"consent", "ride_home", "contraindications"}, proto.id


def test_a_blocking_item_answered_no_or_not_at_all_blocks() -> None:
    gate = checklist_gate(KAP, Route.IM, {**ALL_YES, "consent": False, "ride_home": None}, [])
    assert [(b.item.id, b.answer) for b in gate.blocks] == [
        ("consent", False),
        ("ride_home", None),
    ]
    assert not gate.complete
    o = override(1, 0, item_id="consent")
    gate = checklist_gate(KAP, Route.IM, {**ALL_YES, "consent": False}, [o])
    assert gate.blocks == ()
    assert [(i.id, x) for i, x in gate.overridden] == [("consent", o)]


def test_warning_items_warn_and_route_items_apply_to_their_route() -> None:
    gate = checklist_gate(KAP, Route.IM, {**YES, "fasting": False}, [])
    assert gate.blocks == ()
    assert gate.warnings == (
        "Checklist: 'Fasting (no food 2 h, no liquids 30 min)' is answered no.",
        "Checklist: 'No new sedating or stimulant medicines' is not answered.",
    )
    nasal = checklist_gate(KAP, Route.INTRANASAL, ALL_YES, [])
    assert nasal.warnings == (
        "Checklist: 'No nasal steroid or decongestant in the last hour' is not answered.",
    )
    assert checklist_gate(KAP, None, ALL_YES, []).warnings == ()


def test_complete_means_every_required_item_answered() -> None:
    assert not checklist_gate(KAP, None, ALL_YES, []).complete  # no weight yet
    assert checklist_gate(KAP, None, {**ALL_YES, "weight_kg": 70.0}, []).complete


# ---------------------------------------------------------------- the dose gate


def test_first_dose_gate_and_booster_gate() -> None:
    answers = {**ALL_YES, "consent": False}
    first = dose_gate(
        KAP, first_dose=True, route=Route.IM, answers=answers, readings=[ELEVATED], overrides=[]
    )
    assert [b.kind for b in first.blocks] == [GateKind.PRE_DOSE_HOLD, GateKind.CHECKLIST]
    assert not first.allowed
    booster = dose_gate(
        KAP,
        first_dose=False,
        route=Route.IM,
        answers={**YES, "fasting": False},
        readings=[ELEVATED, CRITICAL],
        overrides=[override(1, 1, reading_id=1)],
    )
    assert [b.kind for b in booster.blocks] == [GateKind.POST_DOSE_GATE]
    assert booster.warnings == ()  # the checklist's warnings go with the first dose


def test_messages_name_rule_and_protocol_version() -> None:
    gate = dose_gate(
        KAP,
        first_dose=True,
        route=Route.IM,
        answers=ALL_YES,
        readings=[ELEVATED, reading(2, 1)],
        overrides=[],
    )
    text = block_message(gate.blocks[0])
    assert text.startswith("held by pre-dose-elevated, kap-default v1.0: pre-dose BP 152/94")
    assert "recheck too soon: the hold stands until 10:35 UTC" in text
    booster = dose_gate(
        KAP, first_dose=False, route=Route.IM, answers=ALL_YES, readings=[CRITICAL], overrides=[]
    )
    assert rule_of(CRITICAL, KAP) == "critical-bp"
    assert block_message(booster.blocks[0]).startswith(
        "held by critical-bp, kap-default v1.0: post-dose BP 212/126 at 11:10 UTC is critical."
    )
    checklist = dose_gate(
        KAP,
        first_dose=True,
        route=Route.IM,
        answers={**ALL_YES, "contraindications": False},
        readings=[],
        overrides=[],
    )
    assert block_message(checklist.blocks[0]).startswith(
        "held by checklist-contraindications, kap-default v1.0: 'Contraindication screen clear"
    )
    assert "a clinician records an override" in block_message(checklist.blocks[0])


def test_override_text() -> None:
    o = override(1, 12, reading_id=1)
    assert override_text(o) == (
        "override recorded by Dr Rivera at 10:42 UTC: BP stable for this patient"
    )
    assert override_text(o, lambda m: m.strftime("%H:%M")).endswith(
        "at 10:42: BP stable for this patient"
    )


def test_the_booster_message_leads_with_the_worst_open_reading() -> None:
    later = reading(8, 47, Band.ALERT, Phase.POST_DOSE, text="BP 168/98")
    gate = dose_gate(
        KAP, first_dose=False, route=Route.IM, answers=ALL_YES, readings=[CRITICAL, later],
        overrides=[],
    )  # fmt: skip
    [block] = gate.blocks
    assert block.reading == later  # the override names the latest; it covers both
    assert block.rule_id == "critical-bp"
    assert block_message(block).startswith(
        "held by critical-bp, kap-default v1.0: post-dose BP 212/126 at 11:10 UTC is critical; "
        "also BP 168/98 at 11:17 UTC (alert). No further dose"
    )


# ------------------------------------------- issue 9 review: entry order and measured values


def test_a_post_dose_override_covers_only_readings_recorded_before_it() -> None:
    """An override covers the gating readings the clinician could have seen: a reading
    typed with an earlier time but entered after the override is not covered."""
    alert = reading(5, 25, Band.ALERT, Phase.POST_DOSE, text="BP 185/100")
    o = override(1, 27, reading_id=5)
    late = replace(
        reading(6, 23, Band.CRITICAL, Phase.POST_DOSE, text="BP 230/130"),
        recorded_at=T0 + timedelta(minutes=30),
    )
    gate = post_dose_gate(KAP, [alert, late], [o])
    assert gate.active
    assert gate.readings == (late,)
    assert gate.reading == late
    # an override recorded after it, naming it, covers it
    assert not post_dose_gate(KAP, [alert, late], [o, override(2, 31, reading_id=6)]).active
    # entered before the override (seen), even typed earlier: covered
    seen = replace(late, recorded_at=T0 + timedelta(minutes=26))
    assert not post_dose_gate(KAP, [alert, seen], [o]).active


def test_a_pre_dose_override_does_not_cover_a_worse_reading_entered_after_it() -> None:
    first = reading(1, 2, Band.ELEVATED, text="BP 145/92")
    o = override(1, 2, reading_id=1)
    worse = replace(
        reading(2, 1, Band.CRITICAL, text="BP 235/135"), recorded_at=T0 + timedelta(minutes=3)
    )
    worse = replace(worse, rules=("critical-bp",))
    hold = pre_dose_hold(KAP, [first, worse], [o])
    assert hold.active
    assert hold.reading == worse
    assert hold.override is None
    # an override recorded after it, naming it, lifts it (and covers the first too)
    o2 = override(2, 4, reading_id=2)
    lifted = pre_dose_hold(KAP, [first, worse], [o, o2])
    assert not lifted.active
    assert lifted.override == o2


def test_a_recheck_entered_before_a_late_typed_reading_does_not_lift_it() -> None:
    """A normal recheck lifts a hold only when recorded after the holding reading."""
    recheck = replace(reading(2, 10), recorded_at=T0 + timedelta(minutes=10))
    held = replace(
        reading(1, 0, Band.ELEVATED, text="BP 152/94"), recorded_at=T0 + timedelta(minutes=11)
    )
    hold = pre_dose_hold(KAP, [held, recheck], [])
    assert hold.active
    assert hold.reading == held
    later = replace(reading(3, 12), recorded_at=T0 + timedelta(minutes=12))
    assert not pre_dose_hold(KAP, [held, recheck, later], []).active


def test_each_non_normal_reading_must_be_lifted_whatever_the_typed_order() -> None:
    """Two holding readings, entered in any order: a recheck lifts only the one it comes
    the interval after."""
    a = reading(1, 0, Band.ELEVATED, text="BP 152/94")
    b = replace(
        reading(2, 8, Band.ELEVATED, text="BP 150/92"), recorded_at=T0 + timedelta(minutes=8)
    )
    recheck = reading(3, 10)  # 10 min after a, only 2 after b
    hold = pre_dose_hold(KAP, [a, b, recheck], [])
    assert hold.reading == b
    assert hold.lifts_at == b.taken_at + timedelta(minutes=5)


def _vitals_reading(
    rid: int, minutes: float, band: Band, rules: tuple[str, ...], values: VitalsInput
) -> GateReading:
    return replace(reading(rid, minutes, band), rules=rules, values=values)


@pytest.mark.parametrize(
    ("rule", "values"),
    [
        ("low-spo2", VitalsInput(120, 80, 80, 86)),
        ("tachycardia", VitalsInput(120, 80, 135, 98)),
    ],
)
def test_a_recheck_lifts_a_hold_only_on_the_values_it_measured(
    rule: str, values: VitalsInput
) -> None:
    held = _vitals_reading(1, 0, Band.ALERT, (rule,), values)
    bp_only = _vitals_reading(2, 6, Band.NORMAL, (), VitalsInput(122, 80))
    hold = pre_dose_hold(KAP, [held, bp_only], [])
    assert hold.active
    assert hold.reading == held
    full = _vitals_reading(3, 7, Band.NORMAL, (), VitalsInput(122, 80, 80, 97))
    assert not pre_dose_hold(KAP, [held, bp_only, full], []).active


def test_a_bp_hold_is_lifted_by_a_bp_only_recheck() -> None:
    held = _vitals_reading(1, 0, Band.ELEVATED, ("pre-dose-elevated",), VitalsInput(152, 94))
    bp_only = _vitals_reading(2, 6, Band.NORMAL, (), VitalsInput(122, 80))
    assert not pre_dose_hold(KAP, [held, bp_only], []).active


def test_the_hold_message_says_what_the_recheck_must_measure_and_lists_every_open_reading() -> None:
    spo2 = replace(
        _vitals_reading(1, 0, Band.ALERT, ("low-spo2",), VitalsInput(120, 80, 80, 86)),
        text="BP 120/80, SpO2 86 %",
    )
    bp = replace(reading(2, 2, Band.ELEVATED, text="BP 152/94"), values=VitalsInput(152, 94))
    gate = dose_gate(
        KAP, first_dose=True, route=Route.IM, answers=ALL_YES, readings=[spo2, bp], overrides=[]
    )
    [block] = gate.blocks
    assert block.reading == spo2  # the worst open reading leads
    text = block_message(block)
    assert text.startswith(
        "held by low-spo2, kap-default v1.0: pre-dose BP 120/80, SpO2 86 % at 10:30 UTC is "
        "alert; also BP 152/94 at 10:32 UTC (elevated)."
    )
    assert "Recheck after rest (from 10:37 UTC) with SpO2 measured, or" in text
