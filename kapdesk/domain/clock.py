"""Time, injected: nothing in kapdesk reads the wall clock directly.

Every datetime is timezone-aware UTC; the UI converts to local time for display.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(
        self, delta: timedelta | None = None, *, minutes: float = 0, seconds: float = 0
    ) -> datetime:
        self._now += (delta or timedelta()) + timedelta(minutes=minutes, seconds=seconds)
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs timezone-aware times")
        self._now = moment.astimezone(UTC)


def ensure_utc(moment: datetime) -> datetime:
    """Reject naive datetimes; normalise aware ones to UTC."""
    if moment.tzinfo is None:
        raise ValueError(
            f"naive datetime {moment.isoformat()} (kapdesk stores UTC, timezone-aware)"
        )
    return moment.astimezone(UTC)
