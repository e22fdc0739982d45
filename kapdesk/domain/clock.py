"""Time, injected: nothing in kapdesk reads the wall clock directly.

Every datetime is timezone-aware UTC. A time shown to a person (a screen, a message) is
local: in the clock's zone (:func:`zone_of`; by default the computer's own), with the
offset right for that moment, summer time included (:func:`shown_time`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    tz: tzinfo | None = None  # the computer's own zone

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock tests move by hand; ``tz`` is the zone people read it in (None: the
    computer's own)."""

    def __init__(self, start: datetime | None = None, *, tz: tzinfo | None = None) -> None:
        start = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self.tz = tz

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


def zone_of(clock: Clock) -> tzinfo | None:
    """The zone people read ``clock``'s times in: its ``tz`` where it has one; None means
    the computer's own zone."""
    zone = getattr(clock, "tz", None)
    return zone if isinstance(zone, tzinfo) else None


def local_time(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """``moment`` in ``tz`` (None: the computer's own zone, as that moment's offset)."""
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def zone_label(moment: datetime, tz: tzinfo | None = None) -> str:
    """'CET', 'CEST', 'UTC'; 'UTC+05:30' for a zone without an abbreviation."""
    here = local_time(moment, tz)
    name = here.tzname() or ""
    if name and name[0] not in "+-" and not name.startswith("UTC+"):
        return "UTC" if name == "UTC" else name
    minutes = int((here.utcoffset() or timedelta(0)).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    hours, minute = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours:02d}:{minute:02d}"


def shown_time(
    moment: datetime, tz: tzinfo | None = None, fmt: str = "%H:%M", *, zone: bool = False
) -> str:
    """``moment`` as a person reads it: local, formatted with ``fmt``; ``zone`` names the
    zone after it ('10:35 CET'). A message names the zone once, on its first time."""
    text = local_time(moment, tz).strftime(fmt)
    return f"{text} {zone_label(moment, tz)}" if zone else text


def day_window(day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the local calendar ``day`` in ``tz`` (None: the computer's own
    zone): each midnight with its own offset, so a summer-time change day lasts 23 or 25 h."""

    def midnight(d: date) -> datetime:
        naive = datetime.combine(d, time(0))
        local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
        return local.astimezone(UTC)

    return midnight(day), midnight(day + timedelta(days=1))


def zoned_once(tz: tzinfo | None = None, fmt: str = "%H:%M") -> Callable[[datetime], str]:
    """A formatter for one message with several times: local, the zone named after the
    first time it formats only ('at 10:30 CET ... until 10:35')."""
    named = False

    def text(moment: datetime) -> str:
        nonlocal named
        shown = shown_time(moment, tz, fmt, zone=not named)
        named = True
        return shown

    return text
