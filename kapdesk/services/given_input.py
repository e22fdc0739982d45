"""Times and short texts a caller gives a use case, checked before anything is stored.

Each refusal is a ValidationError on the field as the screens name it (English, e.g.
"Taken at"), with a message in the user's language naming the field and the value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final
from typing import Protocol as Structural

from kapdesk.domain.clock import ensure_utc, shown_time
from kapdesk.domain.errors import ValidationError
from kapdesk.i18n import _, _n

# How far ahead of the clock a caller-given time may be (a typed HH:MM in the current
# minute, a slightly fast workstation clock), not a clinical number. A time inside it is
# stored as the clock's time, so no gate is ever judged against a typed future time.
FUTURE_TOLERANCE: Final = timedelta(minutes=1)
# Nothing kapdesk records happened before this (a year-1 typo is refused, not stored).
EARLIEST_TIME: Final = datetime(2000, 1, 1, tzinfo=UTC)
# Real time zones lie between UTC-12 and UTC+14; anything further is a typing error.
MAX_UTC_OFFSET: Final = timedelta(hours=14)
_DAY_HM: Final = "%Y-%m-%d %H:%M"
# How far ahead a session may be scheduled.
SCHEDULE_HORIZON: Final = timedelta(days=2 * 366)


def _utc(field: str, value: object) -> datetime:
    """``value`` as an aware UTC datetime with a real offset, or a ValidationError."""
    if not isinstance(value, datetime):
        raise ValidationError(
            field,
            value,
            _("{field} must be a date and time, got {value}.", field=_(field), value=repr(value)),
        )
    try:
        offset = value.utcoffset()
    except (ValueError, TypeError, OverflowError):
        offset = None
    if value.tzinfo is None or offset is None:
        raise ValidationError(
            field,
            value,
            _(
                "{field} {value} has no time zone; kapdesk needs one.",
                field=_(field),
                value=_shown(value),
            ),
        )
    if abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            field,
            value,
            _(
                "{field} {value} has a time zone offset of {offset}; real time zones lie "
                "between UTC-12:00 and UTC+14:00.",
                field=_(field),
                value=_shown(value),
                offset=_offset_text(offset),
            ),
        )
    try:
        moment = ensure_utc(value)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or moment < EARLIEST_TIME:
        raise ValidationError(
            field,
            value,
            _(
                "{field} {value} is not a plausible date: kapdesk takes times from {earliest} on.",
                field=_(field),
                value=_shown(value),
                earliest=f"{EARLIEST_TIME:%Y-%m-%d}",
            ),
        )
    return moment


def _shown(value: datetime) -> str:
    try:
        return value.isoformat()
    except (ValueError, TypeError, OverflowError):
        return f"{value:%Y-%m-%d %H:%M}"


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def given_time(
    field: str, value: datetime | None, now: datetime, tz: tzinfo | None = None
) -> datetime:
    """A caller-given moment (None: now), in UTC: timezone-aware, a plausible date, and
    not in the future. A time at most FUTURE_TOLERANCE ahead (the current minute typed
    as HH:MM, a fast workstation) is taken as ``now``. A refusal gives times in ``tz``."""
    if value is None:
        return now
    moment = _utc(field, value)
    if moment > now + FUTURE_TOLERANCE:
        raise ValidationError(
            field,
            value,
            _(
                "{field} {value} is in the future; a time may be now or earlier (now is {now}).",
                field=_(field),
                value=shown_time(moment, tz, _DAY_HM, zone=True),
                now=shown_time(now, tz, _DAY_HM),
            ),
        )
    return min(moment, now)


class CheckedIn(Structural):
    """What :func:`not_before_check_in` reads of a session: a DosingSession, or its columns."""

    @property
    def id(self) -> int: ...
    @property
    def checked_in_at(self) -> datetime | None: ...


def not_before_check_in(
    field: str, value: object, moment: datetime, ds: CheckedIn, tz: tzinfo | None = None
) -> None:
    """Refuse a moment before the session's check-in (compared by the minute shown, since
    time fields are typed as HH:MM). A refusal gives times in ``tz``."""
    start = ds.checked_in_at
    if start is None:
        return
    if moment < start.replace(second=0, microsecond=0):
        raise ValidationError(
            field,
            value,
            _(
                "{field} {value} is before the patient was checked in to session #{session} "
                "({checked_in}); give a time during the session.",
                field=_(field),
                value=shown_time(moment, tz, _DAY_HM, zone=True),
                session=ds.id,
                checked_in=shown_time(start, tz, _DAY_HM),
            ),
        )


def short_text(field: str, value: object, max_chars: int) -> str:
    """Required one-line text, blanks stripped, at most ``max_chars``; a "Room" also loses
    Unicode format characters (check_in.room_text), so it cannot pass for another room."""
    from kapdesk.domain.check_in import room_text

    if not isinstance(value, str):
        raise ValidationError(
            field, value, _("{field} must be text, got {value}.", field=_(field), value=repr(value))
        )
    text = room_text(value) if field == "Room" else " ".join(value.split())
    if not text:
        raise ValidationError(field, value, _("{field} is required.", field=_(field)))
    if len(text) > max_chars:
        raise ValidationError(
            field,
            text,
            _(
                "{field} is {length} characters long; at most {most} are allowed.",
                field=_(field),
                length=len(text),
                most=max_chars,
            ),
        )
    return text


def aware_time(field: str, value: datetime, now: datetime | None = None) -> datetime:
    """A planned moment, in UTC: it must carry a real time zone and be a plausible date
    (with ``now``: at most SCHEDULE_HORIZON ahead of it)."""
    moment = _utc(field, value)
    if now is not None and moment > now + SCHEDULE_HORIZON:
        raise ValidationError(
            field,
            value,
            _n(
                "{field} {day} is more than {n} year ahead; schedule sessions within that time.",
                "{field} {day} is more than {n} years ahead; schedule sessions within that time.",
                SCHEDULE_HORIZON.days // 366,
                field=_(field),
                day=f"{moment:%Y-%m-%d}",
            ),
        )
    return moment
