"""Discharge criteria as pure rules: both observation clocks, readings, side effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.discharge import (
    EffectFact,
    ReadingFact,
    ValueFact,
    evaluate_discharge,
    observation_clock,
    unmet,
)
from kapdesk.domain.discharge_record import (
    Criterion,
    against_criteria_text,
    discharged_against_criteria,
)
from kapdesk.domain.errors import ProtocolError
from kapdesk.domain.protocol import Band, Route, builtin_protocols, load_protocol_text
from kapdesk.domain.schedule import compute_schedule, minimum_observation_end

P = builtin_protocols()
KAP = P["kap-default"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALL_YES = {"alert_oriented": True, "steady": True, "ride_home_present": True}


def at(minutes: float, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def normal(minute: float) -> ReadingFact:
    return ReadingFact(at(minute), Band.NORMAL, "BP 122/78", "kap-default v1.0")


def judge(
    now: datetime,
    *,
    doses: list[datetime] | None = None,
    readings: list[ReadingFact] | None = None,
    effects: list[EffectFact] | None = None,
    answers: dict[str, object] | None = None,
    route: Route = Route.IM,
    protocol_id: str = "kap-default",
) -> dict[str, Criterion]:
    protocol = P[protocol_id]
    doses = [at(0)] if doses is None else doses
    readings = [normal(-2), normal(25), normal(110)] if readings is None else readings
    schedule = compute_schedule(
        protocol,
        route=route,
        dose_times=doses,
        readings=[r.taken_at for r in readings],
        now=now,
    )
    out = evaluate_discharge(
        protocol,
        route=route,
        dose_times=doses,
        readings=readings,
        schedule=schedule,
        side_effects=effects or [],
        answers=ALL_YES if answers is None else answers,
        at=now,
    )
    return {c.id: c for c in out}


# ------------------------------------------------------------------ the observation clocks


def test_every_shipped_preset_asks_60_min_after_the_last_dose_and_says_it_is_a_default() -> None:
    folder = resources.files("kapdesk.resources") / "protocols"
    for protocol in P.values():
        assert protocol.min_after_last_dose_min == 60
        text = (folder / protocol.file).read_text(encoding="utf-8")
        before = text[: text.index("min_after_last_dose_min = 60")]
        assert "clinic default, not from a source" in before[-300:]


def test_min_after_last_dose_is_a_whole_number_in_the_observation_table() -> None:
    text = (resources.files("kapdesk.resources") / "protocols" / "kap-default.toml").read_text(
        encoding="utf-8"
    )
    edited = text.replace("min_after_last_dose_min = 60", "min_after_last_dose_min = 1.5")
    with pytest.raises(ProtocolError) as exc:
        load_protocol_text(edited, "kap-default.toml")
    assert exc.value.key == "observation.min_after_last_dose_min"
    v2 = load_protocol_text(
        text.replace("min_after_last_dose_min = 60", "min_after_last_dose_min = 90"), "x"
    )
    assert v2.min_after_last_dose_min == 90


def test_one_dose_needs_only_the_route_minimum() -> None:
    assert not judge(at(119, 59))["min_observation"].met
    c = judge(at(120))["min_observation"]
    assert c.met
    assert c.detail == "2 h 00 min observed of 2 h required"


def test_a_booster_at_100_min_keeps_discharge_unmet_until_160_min() -> None:
    doses = [at(0), at(100)]
    readings = [normal(-2), normal(25), normal(125), normal(150)]
    early = judge(at(159, 59), doses=doses, readings=readings)["min_observation"]
    assert not early.met
    assert early.detail == (
        "2 h 39 min observed of 2 h required; 59 min since the last dose (+100 min) of 1 h required"
    )
    assert judge(at(160), doses=doses, readings=readings)["min_observation"].met
    clock = observation_clock(KAP, Route.IM, doses)
    assert clock is not None
    assert clock.ends_at == at(160)
    assert clock.has_booster


def test_the_pre_discharge_reading_opens_before_the_extended_end() -> None:
    """The schedule and the discharge rule share one end of observation."""
    items = compute_schedule(
        KAP, route=Route.IM, dose_times=[at(0), at(100)], readings=[], now=at(150)
    )
    final = next(i for i in items if i.key == "pre-discharge")
    assert final.opens_at == at(145)  # 15 min before 160, not before 120


@given(
    route=st.sampled_from([Route.IM, Route.SUBLINGUAL, Route.IV, Route.INTRANASAL]),
    boosters=st.lists(st.integers(1, 400), max_size=3),
    offset=st.integers(-90, 90),
)
def test_observation_ends_at_the_later_clock_exactly(
    route: Route, boosters: list[int], offset: int
) -> None:
    doses = [at(0), *(at(b) for b in boosters)]
    last = max(boosters, default=0)
    end_minute = max(KAP.min_observation_for(route), last + KAP.min_after_last_dose_min)
    assert minimum_observation_end(KAP, route, doses) == at(end_minute)
    now = at(end_minute + offset)
    clock = observation_clock(KAP, route, doses)
    assert clock is not None
    schedule = compute_schedule(KAP, route=route, dose_times=doses, readings=[], now=now)
    c = evaluate_discharge(
        KAP,
        route=route,
        dose_times=doses,
        readings=[],
        schedule=schedule,
        side_effects=[],
        answers={},
        at=now,
    )
    met = {x.id: x.met for x in c}["min_observation"]
    # a dose after `now` is not counted yet: only the doses given by then decide
    given = [b for b in [0, *boosters] if b <= end_minute + offset]
    expected_end = max(KAP.min_observation_for(route), max(given) + 60)
    assert met == (end_minute + offset >= expected_end)
    if offset >= 0:
        assert met


def test_no_dose_no_discharge() -> None:
    c = judge(at(10), doses=[], readings=[normal(-2)])
    assert not c["min_observation"].met
    assert c["min_observation"].detail == "No dose given yet."
    assert not c["readings_taken"].met


# ------------------------------------------------------------------ required readings


def test_all_readings_taken_is_met() -> None:
    c = judge(at(121))
    assert c["readings_taken"].met
    assert c["readings_taken"].detail == "All 3 required readings taken."
    assert unmet(list(c.values())) == []


def test_a_missed_reading_is_an_unmet_criterion() -> None:
    c = judge(at(121), readings=[normal(-2), normal(110)])["readings_taken"]
    assert not c.met
    assert "20-30 min after dose" in c.detail
    assert c.detail.startswith(("Missed", "Overdue"))


def test_a_pre_discharge_reading_still_due_is_unmet() -> None:
    c = judge(at(121), readings=[normal(-2), normal(25)])["readings_taken"]
    assert not c.met
    assert c.detail == "Due now: Before discharge."


# ------------------------------------------------------------------ side effects


def effect(present: bool, resolved: float | None = None, recorded: float = 30) -> EffectFact:
    return EffectFact(
        "nausea",
        "Nausea",
        present,
        "moderate" if present else None,
        None if resolved is None else at(resolved),
        at(recorded),
    )


def test_an_unresolved_side_effect_is_unmet() -> None:
    c = judge(at(121), effects=[effect(True)])["side_effects_resolved"]
    assert (c.met, c.detail) == (False, "Not resolved: Nausea (grade 2 – moderate).")


def test_a_resolved_or_absent_side_effect_is_met() -> None:
    assert judge(at(121), effects=[effect(True, resolved=60)])["side_effects_resolved"].met
    later_absent = [effect(True), effect(False, recorded=70)]
    assert judge(at(121), effects=later_absent)["side_effects_resolved"].met
    c = judge(at(121))["side_effects_resolved"]
    assert (c.met, c.detail) == (True, "No side effect recorded.")


def test_a_resolution_after_the_discharge_time_does_not_count() -> None:
    c = judge(at(121), effects=[effect(True, resolved=130)])["side_effects_resolved"]
    assert not c.met


# ------------------------------------------------------------------ staff and wording


def test_staff_criteria_need_a_yes() -> None:
    c = judge(at(121), answers={"steady": True, "alert_oriented": False})
    assert c["steady"].met
    assert (c["alert_oriented"].met, c["alert_oriented"].detail) == (False, "Not confirmed")
    assert not c["ride_home_present"].met


def test_a_discharge_against_criteria_is_named_as_such() -> None:
    assert against_criteria_text("Transferred to ED") == (
        "Discharged against criteria: Transferred to ED"
    )


def test_a_discharge_against_criteria_is_known_from_what_was_stored() -> None:
    assert discharged_against_criteria({"against_criteria": True}, None)
    assert not discharged_against_criteria({"against_criteria": False}, None)
    # before the flag was stored: any frozen check not met, or a reason
    assert discharged_against_criteria({"checks": [{"id": "steady", "met": False}]}, None)
    assert not discharged_against_criteria({"checks": [{"id": "steady", "met": True}]}, None)
    assert discharged_against_criteria({}, "Left against advice")
    assert not discharged_against_criteria({}, None)


# ------------------------------------------------------------ each value by its latest reading


def reading_of(
    minute: float,
    *,
    bp: tuple[int, int, Band] = (122, 78, Band.NORMAL),
    spo2: tuple[int, Band] | None = None,
    recorded: float | None = None,
) -> ReadingFact:
    values = [ValueFact("BP", bp[2], f"BP {bp[0]}/{bp[1]}")]
    if spo2 is not None:
        values.append(ValueFact("SpO2", spo2[1], f"SpO2 {spo2[0]} %"))
    band = max((v.band for v in values), key=lambda b: b.rank)
    return ReadingFact(
        at(minute),
        band,
        ", ".join(v.text for v in values),
        "kap-default v1.0",
        values=tuple(values),
        recorded_at=None if recorded is None else at(recorded),
    )


def test_a_low_spo2_followed_by_bp_only_readings_is_not_acceptable() -> None:
    readings = [
        normal(-2),
        normal(25),
        reading_of(111, spo2=(87, Band.ALERT)),
        reading_of(113),  # BP only
        reading_of(118),  # BP only
    ]
    c = judge(at(121), readings=readings)["vitals_acceptable"]
    assert not c.met
    assert "SpO2 87 %" in c.detail
    assert "111 min after the first dose" in c.detail
    assert "no later reading measured SpO2" in c.detail
    # a later reading that measured SpO2 within limits makes it acceptable
    readings.append(reading_of(119, spo2=(95, Band.NORMAL)))
    assert judge(at(121), readings=readings)["vitals_acceptable"].met


def test_an_old_normal_spo2_and_a_later_bp_only_reading_are_acceptable() -> None:
    readings = [normal(-2), reading_of(25, spo2=(97, Band.NORMAL)), reading_of(112)]
    c = judge(at(121), readings=readings)["vitals_acceptable"]
    assert c.met, c.detail


def test_an_elevated_bp_on_the_latest_reading_is_still_not_acceptable() -> None:
    readings = [normal(-2), normal(25), reading_of(112, bp=(150, 95, Band.ELEVATED))]
    c = judge(at(121), readings=readings)["vitals_acceptable"]
    assert not c.met
    assert "BP 150/95" in c.detail


# ------------------------------------------------------------------ a backdated discharge


def test_a_backdated_discharge_is_judged_on_everything_recorded_up_to_the_clock() -> None:
    """Clock +125: a critical reading and a severe vomiting (onset +100) were recorded at
    +125; a discharge typed at +121 still sees both; observation is judged at +121."""
    readings = [
        normal(-2),
        normal(25),
        normal(110),
        reading_of(125, bp=(215, 125, Band.CRITICAL), recorded=125),
    ]
    vomiting = EffectFact("vomiting", "Vomiting", True, "severe", None, at(125))
    protocol = KAP
    schedule = compute_schedule(
        protocol,
        route=Route.IM,
        dose_times=[at(0)],
        readings=[r.taken_at for r in readings],
        now=at(121),
    )
    out = evaluate_discharge(
        protocol,
        route=Route.IM,
        dose_times=[at(0)],
        readings=readings,
        schedule=schedule,
        side_effects=[vomiting],
        answers=ALL_YES,
        at=at(121),
        now=at(125),
    )
    c = {x.id: x for x in out}
    assert not c["vitals_acceptable"].met
    assert "BP 215/125" in c["vitals_acceptable"].detail
    assert not c["side_effects_resolved"].met
    assert "Vomiting" in c["side_effects_resolved"].detail
    assert c["min_observation"].met
    assert c["min_observation"].detail.startswith("2 h 01 min observed")


def test_a_record_made_after_the_discharge_time_never_clears_an_effect() -> None:
    later_absent = [effect(True), effect(False, recorded=124)]
    c = judge_at(at(121), at(125), effects=later_absent)["side_effects_resolved"]
    assert not c.met
    # recorded before the discharge time, it counts as before
    assert judge_at(at(121), at(125), effects=[effect(True), effect(False, recorded=70)])[
        "side_effects_resolved"
    ].met


def judge_at(when: datetime, now: datetime, *, effects: list[EffectFact]) -> dict[str, Criterion]:
    readings = [normal(-2), normal(25), normal(110)]
    schedule = compute_schedule(
        KAP, route=Route.IM, dose_times=[at(0)], readings=[r.taken_at for r in readings], now=when
    )
    out = evaluate_discharge(
        KAP,
        route=Route.IM,
        dose_times=[at(0)],
        readings=readings,
        schedule=schedule,
        side_effects=effects,
        answers=ALL_YES,
        at=when,
        now=now,
    )
    return {c.id: c for c in out}
