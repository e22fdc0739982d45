"""How kapdesk writes times and durations, on every screen and in every PDF.

One vocabulary (issue 12):

* a clock time is ``HH:MM`` in the reader's zone (:func:`clock`), with the date
  ``YYYY-MM-DD HH:MM`` where the day is not obvious (:func:`day_clock`);
* a duration is ``23 min``, ``2 h 06 min``, or from a day on ``1 d 3 h``
  (:func:`duration`): never ``m:ss``, which reads like a clock time;
* a countdown (:func:`countdown`) is a duration rounded *up* to the minute, so
  "closes in 1 min" shows until the moment arrives and never "0 min" before it;
* minutes from the first dose are whole minutes rounded *down*
  (:func:`whole_minutes`, :func:`minutes_from_dose`): a reading taken 29 min 50 s
  after the dose was not taken "30 min after" it, and the discharge clock counts
  observed minutes the same way, so screen, PDF and criterion show one number.

Pure Python (no Qt): the screens (kapdesk.ui) and the PDFs (services.report_data)
both format through here.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, tzinfo

from kapdesk.domain.clock import local_time

MINUS = "−"  # a real minus sign, as in the PDF tables
NONE_TEXT = "—"
UNDER_A_MINUTE = "less than 1 min"


def clock(moment: datetime, tz: tzinfo | None = None) -> str:
    """'10:35': ``moment`` in ``tz`` (None: the computer's own zone)."""
    return local_time(moment, tz).strftime("%H:%M")


def day(moment: datetime | date, tz: tzinfo | None = None) -> str:
    """'2026-03-02': a moment's local date, or a calendar date as it is."""
    if isinstance(moment, datetime):
        return local_time(moment, tz).date().isoformat()
    return moment.isoformat()


def day_clock(moment: datetime, tz: tzinfo | None = None) -> str:
    """'2026-03-02 10:35'."""
    return local_time(moment, tz).strftime("%Y-%m-%d %H:%M")


def _minutes_words(minutes: int, *, short_hours: bool) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        if rest == 0 and short_hours:
            return f"{hours} h"
        return f"{hours} h {rest:02d} min"
    # From a day on the minutes no longer help anyone read it.
    days, rest = divmod(minutes // 60, 24)
    return f"{days} d {rest} h"


def duration(span: timedelta, *, short_hours: bool = False) -> str:
    """How long something has lasted: '23 min', '2 h 06 min', '1 d 3 h'.

    Rounded down to the minute (it has lasted *at least* that long); a span below a
    minute is 'less than 1 min', none or a negative one '0 min'. ``short_hours`` writes a
    whole number of hours as '2 h' (a protocol's required time, not a measured one).
    """
    seconds = span.total_seconds()
    if seconds <= 0:
        return "0 min"
    if seconds < 60:
        return UNDER_A_MINUTE
    return _minutes_words(int(seconds // 60), short_hours=short_hours)


def minutes_duration(minutes: int, *, short_hours: bool = False) -> str:
    """:func:`duration` of a whole number of minutes ('45 min', '2 h 05 min', '2 h')."""
    return _minutes_words(max(minutes, 0), short_hours=short_hours)


def countdown(span: timedelta) -> str:
    """How long until something: a duration rounded up to the minute ('in 5 min'), so it
    reads '0 min' exactly when the moment arrives; a past moment is '0 min'."""
    minutes = max(0, math.ceil(span.total_seconds() / 60))
    return _minutes_words(minutes, short_hours=False)


def whole_minutes(minutes: float) -> int:
    """Minutes from the first dose as a whole number, rounded down (−0.5 is −1)."""
    return math.floor(minutes)


def minutes_number(minutes: float | None) -> str:
    """Whole minutes from the first dose, signed: '+22', '0', '−4' (table cells headed
    'Min'); '—' when there is no first dose."""
    if minutes is None:
        return NONE_TEXT
    whole = whole_minutes(minutes)
    if whole < 0:
        return f"{MINUS}{-whole}"
    return f"+{whole}" if whole > 0 else "0"


def minutes_from_dose(minutes: float | None) -> str:
    """'+30 min', '0 min', '−4 min' (before the dose); '—' without a first dose."""
    number = minutes_number(minutes)
    return number if minutes is None else f"{number} min"


def minutes_between(start: datetime | None, moment: datetime | None) -> float | None:
    """Minutes from ``start`` to ``moment`` (negative before it); None if either is."""
    if start is None or moment is None:
        return None
    return (moment - start).total_seconds() / 60
