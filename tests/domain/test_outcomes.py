"""The acute endpoint of a course and its follow-ups (CLINICAL.md: endpoint and follow-up)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.instruments import PHQ9
from kapdesk.domain.outcomes import (
    EndpointRule,
    Scored,
    course_endpoint,
    follow_up_label,
    split_acute,
)

START = date(2026, 1, 5)
RULE = EndpointRule(acute_weeks=8, deterioration_rise=5)


def day(n: int) -> date:
    return START + timedelta(days=n)


def test_week_8_is_the_endpoint_and_a_3_month_follow_up_is_shown_separately() -> None:
    results = [Scored(day(0), 20), Scored(day(28), 12), Scored(day(56), 9), Scored(day(147), 19)]
    e = course_endpoint(START, results, RULE)
    assert (e.baseline, e.endpoint) == (0, 2)
    assert e.acute_end == day(56)
    assert e.outcome is not None
    assert (e.outcome.baseline_total, e.outcome.latest_total, e.outcome.response) == (20, 9, True)
    [f] = e.follow_ups
    assert (f.index, f.total, f.deterioration) == (3, 19, True)
    assert f.label == "3-month follow-up"
    assert f.summary == (
        "3-month follow-up: 19, deterioration (loss of response; rise of 10 points "
        "from the endpoint 9)"
    )


def test_a_rise_below_the_threshold_is_not_deterioration() -> None:
    results = [Scored(day(0), 20), Scored(day(50), 8), Scored(day(120), 10)]
    [f] = course_endpoint(START, results, RULE).follow_ups
    assert f.deterioration is False
    assert f.summary == "2-month follow-up: 10, no deterioration (2 points above the endpoint 8)"


def test_one_point_is_singular() -> None:
    results = [Scored(day(0), 20), Scored(day(50), 8), Scored(day(120), 9), Scored(day(150), 7)]
    rose, fell = course_endpoint(START, results, RULE).follow_ups
    assert rose.summary.endswith("(1 point above the endpoint 8)")
    assert fell.summary.endswith("(1 point below the endpoint 8)")


def test_a_rise_of_exactly_the_threshold_is_deterioration_without_response() -> None:
    # baseline 12 -> endpoint 10 (no response); follow-up 15 = endpoint + 5
    results = [Scored(day(0), 12), Scored(day(56), 10), Scored(day(90), 15)]
    [f] = course_endpoint(START, results, RULE).follow_ups
    assert f.deterioration is True
    assert f.reason == "rise of 5 points from the endpoint 10"
    assert f.label == "1-month follow-up"


def test_no_endpoint_without_a_second_result_in_the_acute_phase() -> None:
    e = course_endpoint(START, [Scored(day(0), 20), Scored(day(70), 9)], RULE)
    assert e.endpoint is None
    assert e.outcome is None
    [f] = e.follow_ups
    assert f.deterioration is None
    assert f.summary == "week-10 follow-up: 9, no acute endpoint to compare with"
    assert course_endpoint(START, [], RULE).baseline is None


def test_the_acute_phase_is_protocol_data() -> None:
    results = [Scored(day(0), 20), Scored(day(56), 9), Scored(day(80), 15)]
    twelve = course_endpoint(START, results, EndpointRule(acute_weeks=12))
    assert (twelve.endpoint, twelve.follow_ups) == (2, ())


def test_totals_and_rules_are_validated() -> None:
    with pytest.raises(ValidationError):
        course_endpoint(START, [Scored(day(0), 20), Scored(day(7), 28)], RULE)
    with pytest.raises(ValidationError):
        EndpointRule(acute_weeks=0)


def test_follow_up_label_counts_months_after_the_acute_phase() -> None:
    assert follow_up_label(day(56 + 91), START, day(56)) == "3-month follow-up"
    assert follow_up_label(day(56 + 182), START, day(56)) == "6-month follow-up"
    assert follow_up_label(day(60), START, day(56)) == "week-8 follow-up"


totals = st.integers(0, PHQ9.max_total)


@given(
    offset=st.integers(-3, 3),
    weeks=st.integers(1, 16),
    baseline=totals,
    at_boundary=totals,
    later=st.lists(st.tuples(st.integers(1, 400), totals), max_size=5),
)
def test_results_around_the_boundary(
    offset: int, weeks: int, baseline: int, at_boundary: int, later: list[tuple[int, int]]
) -> None:
    rule = EndpointRule(acute_weeks=weeks)
    boundary = 7 * weeks + offset
    base = [Scored(START, baseline), Scored(day(boundary), at_boundary)]
    e = course_endpoint(START, base, rule)
    inside = offset <= 0
    assert (e.endpoint == 1) is inside
    assert (len(e.follow_ups) == 1) is not inside
    # any number of follow-ups after the acute phase never changes the endpoint or its outcome
    after = [Scored(rule.acute_end(START) + timedelta(days=d), t) for d, t in later]
    e2 = course_endpoint(START, base + after, rule)
    assert (e2.endpoint, e2.outcome) == (e.endpoint, e.outcome)
    assert len(e2.follow_ups) == len(e.follow_ups) + len(after)
    for f in e2.follow_ups:
        assert f.taken_on > rule.acute_end(START)
        if e2.outcome is not None and f.deterioration is False:
            assert f.total - e2.outcome.latest_total < rule.deterioration_rise


def test_split_acute_places_any_instrument_by_day() -> None:
    split = course_endpoint(START, [], RULE)
    assert split.follow_ups == ()
    s = split_acute(START, [day(56), day(0), day(57), day(30)], RULE)
    assert (s.baseline, s.endpoint, s.follow_ups) == (1, 0, (2,))
    late = split_acute(START, [day(60), day(90)], RULE)
    assert (late.baseline, late.endpoint, late.follow_ups) == (0, None, (1,))
