from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.instruments import (
    GAD7,
    MOAAS_LEVELS,
    PHQ9,
    PHQ_GAD_ATTRIBUTION,
    Instrument,
    course_outcome,
    get_instrument,
    score_instrument,
    validate_moaas,
)


def answers_with_total(n_items: int, total: int) -> list[int]:
    """A valid answer list of ``n_items`` summing to ``total``, filled from item 1."""
    out = []
    for _ in range(n_items):
        take = min(3, total)
        out.append(take)
        total -= take
    assert total == 0
    return out


# ------------------------------------------------------------- definitions


def test_phq9_items_reproduced_unchanged() -> None:
    assert PHQ9.stem == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert PHQ9.items[0] == "Little interest or pleasure in doing things"
    assert PHQ9.items[1] == "Feeling down, depressed, or hopeless"
    assert PHQ9.items[8] == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert len(PHQ9.items) == 9
    assert PHQ9.answer_labels == (
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    )
    assert PHQ9.loinc_total == "44261-6"
    assert PHQ9.loinc_panel == "44249-1"


def test_gad7_items_reproduced_unchanged() -> None:
    assert len(GAD7.items) == 7
    assert GAD7.items[0] == "Feeling nervous, anxious or on edge"
    assert GAD7.items[6] == "Feeling afraid as if something awful might happen"
    assert GAD7.answer_labels == PHQ9.answer_labels
    assert GAD7.loinc_total == "70274-6"


@pytest.mark.parametrize("instrument", [PHQ9, GAD7])
def test_attribution_is_the_required_wording(instrument: Instrument) -> None:
    assert instrument.attribution == PHQ_GAD_ATTRIBUTION
    assert PHQ_GAD_ATTRIBUTION == (
        "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
        "colleagues, with an educational grant from Pfizer Inc. No permission required to "
        "reproduce, translate, display or distribute."
    )


@pytest.mark.parametrize("instrument", [PHQ9, GAD7])
def test_bands_cover_every_total_exactly_once(instrument: Instrument) -> None:
    covered = [t for b in instrument.bands for t in range(b.low, b.high + 1)]
    assert covered == list(range(instrument.max_total + 1))


def test_lookup_by_code_is_forgiving_and_unknown_codes_are_refused() -> None:
    assert get_instrument("phq9") is PHQ9
    assert get_instrument("Gad-7") is GAD7
    with pytest.raises(ValidationError, match="'BDI-II' is not known"):
        get_instrument("BDI-II")


# ----------------------------------------------------------------- bands

PHQ9_BOUNDARIES = [
    (0, "minimal", "PHQ-9 0-4: minimal (Kroenke 2001)"),
    (4, "minimal", "PHQ-9 0-4: minimal (Kroenke 2001)"),
    (5, "mild", "PHQ-9 5-9: mild (Kroenke 2001)"),
    (9, "mild", "PHQ-9 5-9: mild (Kroenke 2001)"),
    (10, "moderate", "PHQ-9 10-14: moderate (Kroenke 2001)"),
    (14, "moderate", "PHQ-9 10-14: moderate (Kroenke 2001)"),
    (15, "moderately severe", "PHQ-9 15-19: moderately severe (Kroenke 2001)"),
    (19, "moderately severe", "PHQ-9 15-19: moderately severe (Kroenke 2001)"),
    (20, "severe", "PHQ-9 20-27: severe (Kroenke 2001)"),
    (27, "severe", "PHQ-9 20-27: severe (Kroenke 2001)"),
]


@pytest.mark.parametrize(("total", "band", "rule"), PHQ9_BOUNDARIES)
def test_phq9_band_boundaries(total: int, band: str, rule: str) -> None:
    score = score_instrument("PHQ-9", answers_with_total(9, total))
    assert score.total == total
    assert score.band == band
    assert score.band_rule == rule
    assert score.max_total == 27


GAD7_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize(("total", "band"), GAD7_BOUNDARIES)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    score = score_instrument("GAD-7", answers_with_total(7, total))
    assert score.total == total
    assert score.band == band
    assert score.band_rule.startswith("GAD-7 ")
    assert score.band_rule.endswith(f": {band} (Spitzer 2006)")
    assert not score.item9_flag
    assert score.follow_up == ()


def test_gad7_band_rule_text() -> None:
    score = score_instrument("GAD-7", [2, 2, 2, 2, 2, 0, 0])
    assert score.band_rule == "GAD-7 10-14: moderate (Spitzer 2006)"


# ---------------------------------------------------------------- item 9


def test_item9_zero_does_not_flag_even_when_severe() -> None:
    score = score_instrument("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert score.total == 24
    assert not score.item9_flag
    assert score.follow_up == ()


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item9_above_zero_always_flags_even_when_minimal(item9: int) -> None:
    score = score_instrument("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, item9])
    assert score.band == "minimal"
    assert score.item9_flag
    assert len(score.follow_up) == 1
    assert score.follow_up[0].startswith(f"PHQ-9 item 9 answered {item9} (")


def test_a_high_answer_on_another_item_does_not_flag() -> None:
    assert not score_instrument("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 3, 0]).item9_flag


# ---------------------------------------------------------- invalid input


@pytest.mark.parametrize("count", [0, 8, 10])
def test_wrong_number_of_answers(count: int) -> None:
    with pytest.raises(ValidationError) as info:
        score_instrument("PHQ-9", [0] * count)
    assert info.value.message == f"PHQ-9 needs exactly 9 answers, got {count}."


@pytest.mark.parametrize(("item", "value"), [(1, 4), (5, -1), (9, 7)])
def test_out_of_range_answer_names_item_and_value(item: int, value: int) -> None:
    answers = [0] * 9
    answers[item - 1] = value
    with pytest.raises(ValidationError) as info:
        score_instrument("PHQ-9", answers)
    assert info.value.field == f"PHQ-9 item {item}"
    assert info.value.value == value
    assert info.value.message == (
        f"PHQ-9 item {item} answer {value} is outside the allowed range 0-3."
    )


@pytest.mark.parametrize("bad", [True, 1.5, "2", None])
def test_non_integer_answers_are_refused(bad: object) -> None:
    answers: list[object] = [0] * 7
    answers[2] = bad
    with pytest.raises(ValidationError, match="GAD-7 item 3"):
        score_instrument("GAD-7", answers)  # type: ignore[arg-type]


def test_a_string_is_not_a_list_of_answers() -> None:
    with pytest.raises(ValidationError):
        score_instrument("GAD-7", "0000000")  # type: ignore[arg-type]


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_is_the_sum_and_band_contains_it(answers: list[int]) -> None:
    score = score_instrument("PHQ-9", answers)
    assert score.total == sum(answers)
    assert score.answers == tuple(answers)
    band = PHQ9.band_for(score.total)
    assert band.low <= score.total <= band.high
    assert score.band == band.label
    assert score.item9_flag == (answers[8] > 0)


@given(st.lists(st.integers(0, 3), min_size=7, max_size=7))
def test_gad7_total_is_the_sum(answers: list[int]) -> None:
    score = score_instrument("GAD-7", answers)
    assert score.total == sum(answers)
    assert 0 <= score.total <= 21


@given(
    st.lists(st.integers(-5, 8), min_size=9, max_size=9).filter(
        lambda xs: any(not 0 <= x <= 3 for x in xs)
    )
)
def test_any_out_of_range_answer_is_refused_naming_the_first(answers: list[int]) -> None:
    first = next(i for i, x in enumerate(answers, start=1) if not 0 <= x <= 3)
    with pytest.raises(ValidationError) as info:
        score_instrument("PHQ-9", answers)
    assert info.value.field == f"PHQ-9 item {first}"


# ------------------------------------------------------------------ MOAA/S


def test_moaas_levels_and_labels() -> None:
    assert sorted(MOAAS_LEVELS) == [0, 1, 2, 3, 4, 5]
    assert validate_moaas(5).label == "Responds readily to name spoken in normal tone"
    assert validate_moaas(0).label == "No response after painful trapezius squeeze"
    assert validate_moaas(1).label == "Responds only after painful trapezius squeeze"
    assert validate_moaas(3).score == 3


@pytest.mark.parametrize("bad", [-1, 6, True, 2.0, "3"])
def test_moaas_out_of_range(bad: object) -> None:
    with pytest.raises(ValidationError, match="outside the allowed range 0-5"):
        validate_moaas(bad)  # type: ignore[arg-type]


# --------------------------------------------------------- course outcome


def test_response_at_exactly_fifty_percent() -> None:
    outcome = course_outcome(20, 10)
    assert outcome.percent_change == -50.0
    assert outcome.response
    assert not outcome.remission


def test_no_response_just_short_of_fifty_percent() -> None:
    outcome = course_outcome(21, 11)  # -47.6 %
    assert not outcome.response
    assert outcome.percent_change == pytest.approx(-47.619, abs=1e-3)
    assert course_outcome(21, 10).response  # -52.4 %


def test_response_with_odd_baseline_needs_the_rounded_up_drop() -> None:
    # 50 % of 15 is 7.5: a drop of 7 is not enough, 8 is.
    assert not course_outcome(15, 8).response
    assert course_outcome(15, 7).response


def test_remission_is_below_five() -> None:
    assert course_outcome(18, 4).remission
    assert not course_outcome(18, 5).remission


def test_worsening_is_a_positive_change() -> None:
    outcome = course_outcome(10, 15)
    assert outcome.percent_change == 50.0
    assert not outcome.response
    assert outcome.summary == "PHQ-9 10 → 15 (+50.0 %); no response; no remission."


def test_baseline_zero_has_no_percent_change_and_says_so() -> None:
    outcome = course_outcome(0, 3)
    assert outcome.percent_change is None
    assert not outcome.response
    assert outcome.remission
    assert "Baseline PHQ-9 is 0" in outcome.note
    assert "(n/a)" in outcome.summary


@pytest.mark.parametrize(("baseline", "latest"), [(-1, 5), (28, 5), (10, 28), (10, -2)])
def test_outcome_totals_out_of_range(baseline: int, latest: int) -> None:
    with pytest.raises(ValidationError, match="outside the allowed range 0-27"):
        course_outcome(baseline, latest)


@given(st.integers(1, 27), st.integers(0, 27))
def test_outcome_matches_the_definition(baseline: int, latest: int) -> None:
    outcome = course_outcome(baseline, latest)
    assert outcome.response == (latest <= baseline / 2)
    assert outcome.remission == (latest < 5)
    assert outcome.percent_change == pytest.approx((latest - baseline) / baseline * 100)


def test_scoring_rule_names_instrument_version_source_and_bands() -> None:
    assert PHQ9.scoring_rule == (
        "PHQ-9 v1 (Kroenke 2001): 0-4 minimal, 5-9 mild, 10-14 moderate, "
        "15-19 moderately severe, 20-27 severe"
    )
    assert GAD7.scoring_rule.startswith("GAD-7 v1 (Spitzer 2006): 0-4 minimal")
    assert score_instrument("PHQ-9", [1] * 9).scoring_rule == PHQ9.scoring_rule
    assert len(PHQ9.scoring_rule) <= 200  # instrument_results.scoring_rule is String(200)
