"""Cohort rows and summary (kapdesk.domain.cohort) against a reference computation."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.cohort import (
    CohortFilter,
    CohortRow,
    CourseFacts,
    Phq9Point,
    cohort_row,
    median_band,
    median_iqr,
    median_trajectory,
    summarize,
)
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.outcomes import EndpointRule, Scored, course_endpoint

START = date(2026, 1, 5)


def _reference_quartiles(values: list[int]) -> tuple[float, float, float]:
    """Linear interpolation between order statistics at (n-1)p (spreadsheets' QUARTILE)."""
    v = sorted(values)

    def at(p: float) -> float:
        pos = (len(v) - 1) * p
        lo = int(pos)
        hi = min(lo + 1, len(v) - 1)
        return v[lo] + (v[hi] - v[lo]) * (pos - lo)

    return at(0.25), at(0.5), at(0.75)


@given(st.lists(st.integers(0, 27), min_size=1, max_size=40))
def test_median_and_iqr_match_the_reference(values: list[int]) -> None:
    found = median_iqr(values)
    assert found is not None
    q1, q2, q3 = _reference_quartiles(values)
    assert (found.q1, found.median, found.q3) == (
        pytest.approx(q1),
        pytest.approx(q2),
        pytest.approx(q3),
    )


def test_no_values_no_median_and_a_median_between_bands_names_both() -> None:
    assert median_iqr([]) is None
    assert median_band(9.5) == "mild–moderate"
    assert median_band(12) == "moderate"


def _row(
    baseline: int, endpoint: int | None, follow: int | None, item9: tuple[int, int] = (0, 0)
) -> CohortRow:
    pts = [Phq9Point(START, baseline, item9[0])]
    if endpoint is not None:
        pts.append(Phq9Point(START + timedelta(days=56), endpoint, item9[1]))
    if follow is not None:
        pts.append(Phq9Point(START + timedelta(days=56 + 91), follow, 0))
    facts = CourseFacts(1, "1", "X", "M", "kap-default", START, None, 0, 0, 0, tuple(pts))
    split = course_endpoint(START, [Scored(p.taken_on, p.total) for p in pts], EndpointRule())
    return cohort_row(facts, split)


courses = st.tuples(
    st.integers(0, 27),
    st.none() | st.integers(0, 27),
    st.none() | st.integers(0, 27),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
)


@given(st.lists(courses, min_size=1, max_size=15))
def test_percentages_match_a_reference_count(spec: list) -> None:  # type: ignore[type-arg]
    rows = [_row(*c) for c in spec]
    s = summarize(rows)
    ended = [c for c in spec if c[1] is not None]
    responders = [c for c in ended if c[0] > 0 and (c[0] - c[1]) * 2 >= c[0]]
    assert (s.response.count, s.response.of) == (len(responders), len(ended))
    assert s.remission.count == sum(1 for c in ended if c[1] < 5)
    si = [c for c in ended if c[3][0] > 0]
    assert (s.si_remission.count, s.si_remission.of) == (
        sum(1 for c in si if c[3][1] == 0),
        len(si),
    )
    followed = [c for c in ended if c[2] is not None]
    worse = [
        c
        for c in followed
        if c[2] - c[1] >= 5 or (c in responders and not (c[0] - c[2]) * 2 >= c[0])
    ]
    assert (s.deterioration.count, s.deterioration.of) == (len(worse), len(followed))
    if s.response.of:
        share = Fraction(len(responders) * 100, len(ended))  # half up, exactly
        assert s.response.text().endswith(f"({math.floor(share + Fraction(1, 2))} %)")


def test_exactly_half_is_a_response_and_5_is_not_remission() -> None:
    assert _row(20, 10, None).response is True
    assert _row(20, 11, None).response is False
    assert _row(10, 5, None).remission is False
    assert _row(10, 4, None).remission is True


def test_filter_admits() -> None:
    f = CohortFilter(("a",), START, START + timedelta(days=10), "open")
    assert f.admits("a", START, None)
    assert not f.admits("b", START, None)
    assert not f.admits("a", START - timedelta(days=1), None)
    assert not f.admits("a", START + timedelta(days=11), None)
    assert not f.admits("a", START, START)
    assert CohortFilter(status="ended").admits("x", START, START)
    with pytest.raises(ValidationError, match="is after"):
        CohortFilter(started_from=START, started_to=START - timedelta(days=1))
    with pytest.raises(ValidationError, match="not one of"):
        CohortFilter(status="closed")


def test_median_trajectory_per_week() -> None:
    rows = [_row(20, 10, None), _row(10, 4, None), _row(27, 9, 12)]
    assert median_trajectory(rows) == ((0, 20.0), (8, 9.0))


def test_figures_round_half_up_as_a_spreadsheet_does() -> None:
    """12.5 % is 13 %, -12.5 % is -13 %, a quartile of 1.25 is 1.3 (Python's round() and
    format() round half to even: 12 %, -12 %, 1.2)."""
    from kapdesk.domain.cohort import Ratio, median_iqr
    from kapdesk.domain.cohort_cells import percent

    assert Ratio(1, 8).text() == "1 of 8 (13 %)"
    assert Ratio(5, 8).text() == "5 of 8 (63 %)"
    assert percent(-12.5) == "-13 %"
    assert percent(-37.5) == "-38 %"
    assert percent(2.5) == "+3 %"
    iqr = median_iqr([1, 2])
    assert iqr is not None
    assert iqr.text().startswith("1.5 (1.3–1.8)")
