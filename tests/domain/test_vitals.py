"""Vitals: plausible-input validation and classification against protocols."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Band, Phase, Protocol, builtin_protocols
from kapdesk.domain.vitals import (
    PLAUSIBLE_RANGES,
    VitalsInput,
    classify,
    validate_vitals,
    validate_weight,
)

PROTOCOLS = builtin_protocols()
KAP = PROTOCOLS["kap-default"]

SYS = PLAUSIBLE_RANGES["systolic"]
DIA = PLAUSIBLE_RANGES["diastolic"]
PULSE = PLAUSIBLE_RANGES["pulse"]
SPO2 = PLAUSIBLE_RANGES["spo2"]


def test_ranges_table_matches_clinical_md() -> None:
    got = {k: (r.low, r.high) for k, r in PLAUSIBLE_RANGES.items()}
    assert got == {
        "systolic": (50, 300),
        "diastolic": (20, 200),
        "pulse": (20, 250),
        "spo2": (50, 100),
        "weight": (25, 350),
    }


# ------------------------------------------------------------------ validation


@st.composite
def valid_readings(draw: st.DrawFn) -> tuple[int, int, int | None, int | None]:
    systolic = draw(st.integers(int(SYS.low), int(SYS.high)))
    diastolic = draw(st.integers(int(DIA.low), min(int(DIA.high), systolic - 1)))
    pulse = draw(st.none() | st.integers(int(PULSE.low), int(PULSE.high)))
    spo2 = draw(st.none() | st.integers(int(SPO2.low), int(SPO2.high)))
    return systolic, diastolic, pulse, spo2


@given(valid_readings(), st.booleans())
def test_every_valid_reading_is_accepted_and_round_trips(
    values: tuple[int, int, int | None, int | None], as_text: bool
) -> None:
    s, d, p, o = values
    if as_text:  # as typed in a form, with stray blanks
        got = validate_vitals(
            f" {s}", f"{d} ", "" if p is None else str(p), None if o is None else f"\t{o}\n"
        )
    else:
        got = validate_vitals(s, d, p, o)
    assert got == VitalsInput(s, d, p, o)
    assert validate_vitals(got.systolic, got.diastolic, got.pulse, got.spo2) == got


def _outside(low: float, high: float) -> st.SearchStrategy[int]:
    return st.integers(max_value=int(low) - 1) | st.integers(min_value=int(high) + 1)


@given(st.sampled_from(["systolic", "diastolic", "pulse", "spo2"]), st.data())
def test_every_out_of_range_value_is_rejected_naming_field_value_and_range(
    key: str, data: st.DataObject
) -> None:
    rng = PLAUSIBLE_RANGES[key]
    bad = data.draw(_outside(rng.low, rng.high))
    values: dict[str, int | None] = {"systolic": 120, "diastolic": 80, "pulse": 70, "spo2": 98}
    values[key] = bad
    with pytest.raises(ValidationError) as exc:
        validate_vitals(**values)
    err = exc.value
    assert err.field == rng.label
    assert err.value == bad
    assert rng.label in err.message
    assert str(bad) in err.message
    assert f"{int(rng.low)}-{int(rng.high)}" in err.message


@given(st.integers(50, 200), st.integers(0, 100))
def test_diastolic_not_below_systolic_is_rejected_naming_both(systolic: int, above: int) -> None:
    diastolic = systolic + above
    if diastolic > DIA.high:
        diastolic = systolic  # still >= systolic, and in range
    with pytest.raises(ValidationError) as exc:
        validate_vitals(systolic, diastolic)
    assert exc.value.field == "Diastolic"
    assert exc.value.value == diastolic
    assert f"Diastolic {diastolic}" in exc.value.message
    assert f"systolic {systolic}" in exc.value.message


def test_exact_message_for_out_of_range_systolic() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_vitals(320, 80)
    assert str(exc.value) == "Systolic 320 mmHg is outside the allowed range 50-300 mmHg."


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("systolic", 50, 300), ("diastolic", 20, 200), ("pulse", 20, 250), ("spo2", 50, 100)],
)
def test_range_ends_are_inclusive(field: str, low: int, high: int) -> None:
    base: dict[str, int | None] = {"systolic": 300, "diastolic": 20, "pulse": 70, "spo2": 98}
    for ok in (low, high):
        vals = dict(base)
        vals[field] = ok
        if field == "systolic" and ok == 50:
            vals["diastolic"] = 20
        if field == "diastolic" and ok == 200:
            vals["systolic"] = 300
        assert getattr(validate_vitals(**vals), field) == ok
    for bad in (low - 1, high + 1):
        vals = dict(base)
        vals[field] = bad
        with pytest.raises(ValidationError):
            validate_vitals(**vals)


@pytest.mark.parametrize(
    "text", ["120.5", "120,0", "12a", "abc", "1e2", "½", "120 80", True, 120.5, float("nan"), [120]]
)
def test_non_whole_numbers_are_rejected(text: object) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_vitals(text, 80)  # type: ignore[arg-type]
    assert exc.value.field == "Systolic"
    assert "Systolic" in exc.value.message
    assert str(text) in exc.value.message


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_systolic_and_diastolic_are_required(blank: str | None) -> None:
    with pytest.raises(ValidationError, match="Systolic is required"):
        validate_vitals(blank, 80)
    with pytest.raises(ValidationError, match="Diastolic is required"):
        validate_vitals(120, blank)


def test_pulse_and_spo2_are_optional_and_blank_means_none() -> None:
    assert validate_vitals("120", "80", " ", "") == VitalsInput(120, 80, None, None)
    assert validate_vitals(120, 80, "72", "+97") == VitalsInput(120, 80, 72, 97)


def test_negative_and_huge_text_report_the_range() -> None:
    with pytest.raises(
        ValidationError, match=r"Pulse -5/min is outside the allowed range 20-250/min"
    ):
        validate_vitals(120, 80, "-5")
    with pytest.raises(ValidationError, match="Systolic 99999999999 is outside"):
        validate_vitals("99999999999", 80)


@pytest.mark.parametrize(
    ("raw", "kg"), [("72.5", 72.5), ("72,5", 72.5), (" 80 ", 80.0), (25, 25.0), (350.0, 350.0)]
)
def test_weight_accepts_numbers_and_text(raw: object, kg: float) -> None:
    assert validate_weight(raw) == kg  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", [24.9, 350.1, "0", "-70", "abc", "", None, True, float("inf")])
def test_weight_rejects_implausible_values(raw: object) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_weight(raw)  # type: ignore[arg-type]
    assert exc.value.field == "Weight"
    assert "Weight" in exc.value.message
    assert "25-350 kg" in exc.value.message


@given(st.floats(25, 350))
def test_weight_in_range_round_trips(kg: float) -> None:
    assert validate_weight(kg) == kg
    assert validate_weight(repr(kg)) == kg


@given(st.floats(allow_nan=False).filter(lambda x: not 25 <= x <= 350))
def test_weight_out_of_range_rejected_with_value(kg: float) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_weight(kg)
    assert exc.value.field == "Weight"


# -------------------------------------------------------------- classification


def _band(s: int, d: int, phase: Phase, pulse: int | None = None, spo2: int | None = None) -> Band:
    return classify(VitalsInput(s, d, pulse, spo2), KAP, phase).band


@pytest.mark.parametrize(
    ("s", "d", "phase", "band"),
    [
        (139, 89, Phase.PRE_DOSE, Band.NORMAL),
        (140, 80, Phase.PRE_DOSE, Band.ELEVATED),
        (130, 90, Phase.PRE_DOSE, Band.ELEVATED),
        (180, 110, Phase.POST_DOSE, Band.NORMAL),
        (181, 100, Phase.POST_DOSE, Band.ALERT),
        (170, 111, Phase.POST_DOSE, Band.ALERT),
        (200, 120, Phase.POST_DOSE, Band.ALERT),
        (201, 100, Phase.POST_DOSE, Band.CRITICAL),
        (190, 121, Phase.POST_DOSE, Band.CRITICAL),
        (201, 100, Phase.PRE_DOSE, Band.CRITICAL),
        (200, 100, Phase.PRE_DOSE, Band.ELEVATED),
    ],
)
def test_bp_boundaries(s: int, d: int, phase: Phase, band: Band) -> None:
    assert _band(s, d, phase) is band


def test_same_reading_pre_and_post_dose() -> None:
    pre = classify(VitalsInput(150, 95), KAP, Phase.PRE_DOSE)
    post = classify(VitalsInput(150, 95), KAP, Phase.POST_DOSE)
    assert pre.band is Band.ELEVATED
    assert [h.rule_id for h in pre.fired] == ["pre-dose-elevated"]
    assert post.band is Band.NORMAL
    assert post.fired == ()
    assert post.phase is Phase.POST_DOSE


@pytest.mark.parametrize("phase", [Phase.PRE_DOSE, Phase.POST_DOSE])
def test_pulse_and_spo2_boundaries_apply_in_both_phases(phase: Phase) -> None:
    assert _band(120, 80, phase, pulse=120) is Band.NORMAL
    assert _band(120, 80, phase, pulse=121) is Band.ALERT
    assert _band(120, 80, phase, spo2=92) is Band.NORMAL
    assert _band(120, 80, phase, spo2=91) is Band.ALERT
    assert _band(120, 80, phase) is Band.NORMAL  # missing pulse/SpO2 fire nothing


def test_assessment_carries_rule_values_and_provenance() -> None:
    a = classify(VitalsInput(150, 85), KAP, Phase.PRE_DOSE)
    assert a.band is Band.ELEVATED
    assert a.protocol_id == "kap-default"
    assert a.protocol_version == "1.0"
    (hit,) = a.fired
    assert hit.rule_id == "pre-dose-elevated"
    assert hit.band is Band.ELEVATED
    assert hit.description == "systolic ≥ 140 or diastolic ≥ 90 mmHg"
    assert hit.triggered_by == (("systolic", 150),)
    assert "override" in hit.action
    assert a.recheck_after_min == 5
    assert a.escalate is False
    assert a.summary == (
        "Elevated – systolic ≥ 140 or diastolic ≥ 90 mmHg (kap-default v1.0, pre-dose)"
    )
    assert "kap-default v1.0" in a.provenance
    assert "pre-dose-elevated" in a.provenance
    assert "systolic 150" in a.provenance


def test_normal_assessment_summary_and_no_recheck() -> None:
    a = classify(VitalsInput(120, 80, 70, 98), KAP, Phase.POST_DOSE)
    assert a.band is Band.NORMAL
    assert a.fired == ()
    assert a.recheck_after_min is None
    # issue 9: not "Normal" (152/94 post-dose is within this protocol's limits, no more)
    assert a.summary == "Within kap-default v1.0 post-dose limits"
    assert a.provenance == (
        "Checked against the kap-default v1.0 post-dose rules: every value within its limits."
    )
    at_152 = classify(VitalsInput(152, 94), KAP, Phase.POST_DOSE)
    assert at_152.summary == "Within kap-default v1.0 post-dose limits"


@pytest.mark.parametrize(
    ("values", "phase"),
    [
        ((120, 80, 70, 98), Phase.POST_DOSE),
        ((152, 94, None, None), Phase.PRE_DOSE),
        ((210, 125, 130, 88), Phase.POST_DOSE),
        ((185, 100, None, None), Phase.POST_DOSE),
    ],
)
def test_no_developer_wording_in_what_the_user_reads(
    values: tuple[int, int, int | None, int | None], phase: Phase
) -> None:
    high = VitalsInput(*values)
    a = classify(high, KAP, phase, previous=[high], baseline=VitalsInput(120, 80))
    for text in (a.summary, a.provenance):
        assert "no rule fired" not in text
        assert "[" not in text
        assert "]" not in text
        assert not text.startswith("Normal")
    for hit in a.fired:
        assert f"rule {hit.rule_id} ({hit.band.value})" in a.provenance


def test_elevated_provenance_in_plain_words() -> None:
    a = classify(VitalsInput(152, 94), KAP, Phase.PRE_DOSE)
    assert a.provenance == (
        "Checked against the kap-default v1.0 pre-dose rules: rule pre-dose-elevated "
        "(elevated) – systolic ≥ 140 or diastolic ≥ 90 mmHg, on systolic 152, diastolic 94."
    )


# ------------------------------------------------ rise from the pre-dose baseline


@pytest.mark.parametrize("protocol", PROTOCOLS.values(), ids=PROTOCOLS.keys())
def test_every_preset_has_the_rise_from_baseline_rule(protocol: Protocol) -> None:
    rule = next(r for r in protocol.vital_rules if r.id == "rise-from-baseline")
    assert (rule.phase, rule.band) == (Phase.POST_DOSE, Band.ALERT)
    assert (rule.systolic_rise_gte, rule.diastolic_rise_gte) == (40, 25)
    assert rule.describe() == "systolic ≥ 40 or diastolic ≥ 25 mmHg above the pre-dose baseline"


@given(
    base_s=st.integers(90, 139),
    base_d=st.integers(50, 80),
    rise_s=st.integers(-20, 60),
    rise_d=st.integers(-20, 40),
)
def test_rise_from_baseline_thresholds(base_s: int, base_d: int, rise_s: int, rise_d: int) -> None:
    baseline = VitalsInput(base_s, base_d)
    reading = VitalsInput(base_s + rise_s, base_d + rise_d)
    a = classify(reading, KAP, Phase.POST_DOSE, baseline=baseline)
    hit = next((h for h in a.fired if h.rule_id == "rise-from-baseline"), None)
    assert (hit is not None) == (rise_s >= 40 or rise_d >= 25)
    if hit is not None:
        assert a.band.rank >= Band.ALERT.rank
        assert a.recheck_after_min == 5
        if rise_s >= 40:
            assert ("systolic rise", rise_s) in hit.triggered_by
            assert f"systolic +{rise_s} over the pre-dose baseline" in a.provenance
    # never without a baseline, never before the dose
    assert "rise-from-baseline" not in {
        h.rule_id for h in classify(reading, KAP, Phase.POST_DOSE).fired
    }
    assert "rise-from-baseline" not in {
        h.rule_id for h in classify(reading, KAP, Phase.PRE_DOSE, baseline=baseline).fired
    }


def test_rise_from_baseline_example() -> None:
    a = classify(VitalsInput(164, 96), KAP, Phase.POST_DOSE, baseline=VitalsInput(122, 78))
    assert a.band is Band.ALERT
    assert [h.rule_id for h in a.fired] == ["rise-from-baseline"]
    assert a.summary == (
        "Alert – systolic ≥ 40 or diastolic ≥ 25 mmHg above the pre-dose baseline "
        "(kap-default v1.0, post-dose)"
    )
    assert (
        classify(VitalsInput(161, 102), KAP, Phase.POST_DOSE, baseline=VitalsInput(122, 78)).band
        is Band.NORMAL
    )


def test_highest_band_wins_and_all_fired_rules_are_listed() -> None:
    a = classify(VitalsInput(210, 125, 130, 88), KAP, Phase.POST_DOSE)
    assert a.band is Band.CRITICAL
    ids = [h.rule_id for h in a.fired]
    assert ids[0] == "critical-bp"
    assert set(ids) == {"critical-bp", "post-dose-alert", "tachycardia", "low-spo2"}
    ranks = [h.band.rank for h in a.fired]
    assert ranks == sorted(ranks, reverse=True)
    assert a.summary.startswith("Critical – systolic > 200 or diastolic > 120 mmHg")
    assert a.recheck_after_min == 5  # soonest recheck among fired rules


def test_post_dose_escalation_on_two_consecutive_alerts() -> None:
    high = VitalsInput(185, 100)
    first = classify(high, KAP, Phase.POST_DOSE)
    assert first.band is Band.ALERT
    assert first.escalate is False
    second = classify(high, KAP, Phase.POST_DOSE, previous=[VitalsInput(120, 80), high])
    assert second.escalate is True
    assert "escalate" in second.provenance


def test_no_escalation_after_a_normal_in_between() -> None:
    high = VitalsInput(185, 100)
    a = classify(high, KAP, Phase.POST_DOSE, previous=[high, VitalsInput(130, 80)])
    assert a.band is Band.ALERT
    assert a.escalate is False


def test_escalation_needs_the_same_rule_to_fire() -> None:
    # previous was a pulse alert, this one a BP alert: neither rule fired twice in a row
    a = classify(VitalsInput(185, 100), KAP, Phase.POST_DOSE, previous=[VitalsInput(120, 80, 130)])
    assert a.escalate is False
    b = classify(
        VitalsInput(120, 80, 125), KAP, Phase.PRE_DOSE, previous=[VitalsInput(120, 80, 130)]
    )
    assert b.escalate is True  # tachycardia rule applies in any phase


def test_rule_without_escalation_never_escalates() -> None:
    low = VitalsInput(120, 80, 70, 85)
    a = classify(low, KAP, Phase.POST_DOSE, previous=[low, low, low])
    assert a.band is Band.ALERT
    assert a.escalate is False


def test_classify_refuses_phase_any() -> None:
    with pytest.raises(ValueError, match="phase"):
        classify(VitalsInput(120, 80), KAP, Phase.ANY)


@pytest.mark.parametrize("protocol", PROTOCOLS.values(), ids=PROTOCOLS.keys())
@given(valid_readings(), st.sampled_from([Phase.PRE_DOSE, Phase.POST_DOSE]))
def test_band_is_the_highest_fired_rule_for_every_preset(
    protocol: Protocol, values: tuple[int, int, int | None, int | None], phase: Phase
) -> None:
    a = classify(VitalsInput(*values), protocol, phase)
    expected = max((h.band for h in a.fired), key=lambda b: b.rank, default=Band.NORMAL)
    assert a.band is expected
    assert {h.rule_id for h in a.fired} <= {r.id for r in protocol.rules_for(phase)}
    assert a.protocol_id == protocol.id
    assert all(h.triggered_by for h in a.fired)
