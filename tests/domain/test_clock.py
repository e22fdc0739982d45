"""Times shown to people: local time in the clock's zone, the zone named once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from kapdesk.domain.clock import FakeClock, SystemClock, shown_time, zone_of, zoned_once

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_time_is_shown_in_the_given_zone_and_names_it_only_when_asked() -> None:
    moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert shown_time(moment, BERLIN) == "10:05"
    assert shown_time(moment, BERLIN, zone=True) == "10:05 CET"
    assert shown_time(moment, BERLIN, "%Y-%m-%d %H:%M:%S", zone=True) == "2026-03-02 10:05:00 CET"


def test_summer_time_is_judged_for_the_moment_itself() -> None:
    assert shown_time(datetime(2026, 7, 1, 9, 5, tzinfo=UTC), BERLIN, zone=True) == "11:05 CEST"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset() -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert shown_time(moment, india, zone=True) == "14:35 UTC+05:30"
    assert shown_time(moment, UTC, zone=True) == "09:05 UTC"


def test_one_message_names_the_zone_once() -> None:
    text = zoned_once(BERLIN)
    moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert [text(moment), text(moment + timedelta(minutes=5))] == ["10:05 CET", "10:10"]


def test_the_clock_carries_the_zone_people_read_it_in() -> None:
    assert zone_of(FakeClock(tz=BERLIN)) is BERLIN
    assert zone_of(FakeClock()) is None  # None: the computer's own zone
    assert zone_of(SystemClock()) is None
    here = datetime(2026, 3, 2, 9, 5, tzinfo=UTC).astimezone()
    assert shown_time(datetime(2026, 3, 2, 9, 5, tzinfo=UTC)) == f"{here:%H:%M}"
