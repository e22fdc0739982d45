"""The Today board's day is the local calendar day: midnight to midnight, each with its own
offset, so a summer-time change day has 23 or 25 hours (Europe/Lisbon: 2026-03-29 springs
forward at 01:00 UTC, 2026-10-25 falls back at 01:00 UTC)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext

from .sessionkit import Kit

LISBON = ZoneInfo("Europe/Lisbon")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(params=["clock zone", "computer zone"])
def zone(
    request: pytest.FixtureRequest, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The board's default zone: the clock's, else the computer's (TZ)."""
    if request.param == "clock zone":
        clock.tz = LISBON
        yield request.param
        return
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available here")
    monkeypatch.setenv("TZ", "Europe/Lisbon")
    time.tzset()
    try:
        yield request.param
    finally:
        monkeypatch.undo()
        time.tzset()


def _on_today_board(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, times: list[datetime]
) -> list[datetime]:
    """Schedules one session at each of ``times``; the times of those on today's board."""
    kit = Kit(ctx, clock, nurse)
    for i, at in enumerate(times):
        kit.sessions.schedule(nurse, kit.course(mrn=f"D-{i}"), at, f"Room {i}")
    return sorted(r.scheduled_at for r in BoardService(ctx).today_board())


@pytest.mark.usefixtures("zone")
def test_spring_forward_day_has_23_hours(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor
) -> None:
    clock.set(utc(2026, 3, 29, 10, 0))  # 11:00 WEST, after the change
    times = [
        utc(2026, 3, 28, 23, 30),  # 23:30 WET on the 28th: the day before
        utc(2026, 3, 29, 0, 30),  # 00:30 WET: the first half hour of the day
        utc(2026, 3, 29, 22, 30),  # 23:30 WEST: the last half hour
        utc(2026, 3, 29, 23, 30),  # 00:30 WEST on the 30th: the next day
    ]
    assert _on_today_board(ctx, clock, nurse, times) == times[1:3]


@pytest.mark.usefixtures("zone")
def test_fall_back_day_has_25_hours(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> None:
    clock.set(utc(2026, 10, 25, 10, 0))  # 10:00 WET, after the change
    times = [
        utc(2026, 10, 24, 22, 30),  # 23:30 WEST on the 24th: the day before
        utc(2026, 10, 24, 23, 30),  # 00:30 WEST on the 25th: the first hour of the day
        utc(2026, 10, 25, 23, 30),  # 23:30 WET: the last half hour
        utc(2026, 10, 26, 0, 30),  # 00:30 WET on the 26th: the next day
    ]
    assert _on_today_board(ctx, clock, nurse, times) == times[1:3]
