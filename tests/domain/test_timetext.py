"""One time vocabulary: clock HH:MM, durations '23 min' / '2 h 06 min', never m:ss."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain import timetext

_WORDS = re.compile(r"^(?:(\d+) d (\d+) h|(\d+) h (\d\d) min|(\d+) h|(\d+) min|less than 1 min)$")


def _minutes_read(text: str) -> float:
    """What a person reads from a duration, in minutes."""
    m = _WORDS.match(text)
    assert m, f"{text!r} is not a duration"
    d, dh, h, hm, hours, mins = m.groups()
    if d is not None:
        return int(d) * 1440 + int(dh) * 60
    if h is not None:
        assert int(hm) < 60
        return int(h) * 60 + int(hm)
    if hours is not None:
        return int(hours) * 60
    if mins is not None:
        return int(mins)
    return 0.5


spans = st.timedeltas(min_value=timedelta(seconds=-600), max_value=timedelta(days=40))


@given(spans)
def test_a_duration_never_looks_like_a_clock(span: timedelta) -> None:
    for text in (timetext.duration(span), timetext.countdown(span)):
        assert ":" not in text
        _minutes_read(text)


@given(spans, spans)
def test_durations_grow_with_the_span(a: timedelta, b: timedelta) -> None:
    low, high = sorted((a, b))
    assert _minutes_read(timetext.duration(low)) <= _minutes_read(timetext.duration(high))
    assert _minutes_read(timetext.countdown(low)) <= _minutes_read(timetext.countdown(high))


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=23, minutes=59)))
def test_under_a_day_a_duration_is_exact_to_the_minute(span: timedelta) -> None:
    read = _minutes_read(timetext.duration(span))
    whole = int(span.total_seconds() // 60)
    assert read == (0.5 if span.total_seconds() > 0 and whole == 0 else whole)


def test_duration_boundaries() -> None:
    d = timetext.duration
    assert d(timedelta(0)) == "0 min"
    assert d(timedelta(seconds=-5)) == "0 min"
    assert d(timedelta(seconds=30)) == "less than 1 min"
    assert d(timedelta(minutes=1)) == "1 min"
    assert d(timedelta(minutes=23, seconds=59)) == "23 min"
    assert d(timedelta(minutes=59, seconds=59)) == "59 min"
    assert d(timedelta(minutes=60)) == "1 h 00 min"
    assert d(timedelta(minutes=126)) == "2 h 06 min"
    assert d(timedelta(minutes=120), short_hours=True) == "2 h"
    assert d(timedelta(hours=23, minutes=53)) == "23 h 53 min"
    assert d(timedelta(hours=24)) == "1 d 0 h"
    assert d(timedelta(days=1, hours=3, minutes=59)) == "1 d 3 h"


def test_a_countdown_rounds_up_so_it_reads_0_min_only_when_due() -> None:
    c = timetext.countdown
    assert c(timedelta(seconds=1)) == "1 min"
    assert c(timedelta(minutes=4, seconds=12)) == "5 min"
    assert c(timedelta(minutes=59, seconds=1)) == "1 h 00 min"
    assert c(timedelta(0)) == "0 min"
    assert c(timedelta(minutes=-3)) == "0 min"


def test_minutes_from_dose_are_whole_minutes_rounded_down() -> None:
    assert timetext.minutes_from_dose(29.99) == "+29 min"
    assert timetext.minutes_from_dose(30.0) == "+30 min"
    assert timetext.minutes_from_dose(0.4) == "0 min"
    assert timetext.minutes_from_dose(-0.5) == "−1 min"
    assert timetext.minutes_from_dose(None) == "—"
    assert timetext.minutes_number(22.7) == "+22"


@given(st.floats(min_value=-600, max_value=6000, allow_nan=False))
def test_minutes_from_dose_never_has_a_fraction(minutes: float) -> None:
    text = timetext.minutes_number(minutes)
    assert re.fullmatch(r"[+−]?\d+", text), text


def test_clock_is_hh_mm_in_the_zone() -> None:
    moment = datetime(2026, 3, 2, 9, 5, 59, tzinfo=UTC)
    cet = timezone(timedelta(hours=1))
    assert timetext.clock(moment, cet) == "10:05"
    assert timetext.day_clock(moment, cet) == "2026-03-02 10:05"
    assert timetext.day(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), cet) == "2026-03-03"
