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
both format through here, in the active language (kapdesk.i18n): a date is the
locale's ('02/03/2026' in Portuguese; English keeps ISO), a duration of days says
'2 dias 3 h'. A duration that goes into a stored text (a discharge check, a dose
warning) is a :class:`~kapdesk.domain.wording.Wording`: :func:`minutes_span`,
:func:`duration_span`.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, tzinfo

from kapdesk.domain.clock import local_time
from kapdesk.domain.wording import Gettext, Wording
from kapdesk.i18n import N_, _, _n
from kapdesk.i18n import formats as locale_formats

MINUS = "−"  # a real minus sign, as in the PDF tables
NONE_TEXT = "—"
UNDER_A_MINUTE = N_("less than 1 min")


def clock(moment: datetime, tz: tzinfo | None = None) -> str:
    """'10:35': ``moment`` in ``tz`` (None: the computer's own zone)."""
    return local_time(moment, tz).strftime("%H:%M")


def day(moment: datetime | date, tz: tzinfo | None = None) -> str:
    """'2026-03-02' (Portuguese: '02/03/2026'): a moment's local date, or a calendar date
    as it is."""
    if isinstance(moment, datetime):
        return locale_formats.medium_date(local_time(moment, tz).date())
    return locale_formats.medium_date(moment)


def day_clock(moment: datetime, tz: tzinfo | None = None) -> str:
    """'2026-03-02 10:35' (Portuguese: '02/03/2026 10:35')."""
    here = local_time(moment, tz)
    return f"{locale_formats.medium_date(here.date())} {here:%H:%M}"


def _words(minutes: int, short_hours: bool, _: Gettext, _n: Gettext) -> str:
    if minutes < 60:
        return _("{minutes} min", minutes=minutes)
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        if rest == 0 and short_hours:
            return _("{hours} h", hours=hours)
        return _("{hours} h {minutes:02d} min", hours=hours, minutes=rest)
    # From a day on the minutes no longer help anyone read it.
    days, rest = divmod(minutes // 60, 24)
    return _n("{n} d {hours} h", "{n} d {hours} h", days, hours=rest)


def _minutes_words(minutes: int, *, short_hours: bool) -> str:
    return _words(minutes, short_hours, _, _n)


def minutes_span(minutes: int, *, short_hours: bool = False) -> Wording:
    """:func:`minutes_duration` kept in English for a stored text, shown translated."""
    whole = max(minutes, 0)
    return Wording.later(lambda _, _n: _words(whole, short_hours, _, _n))


def duration_span(length: timedelta) -> Wording:
    """:func:`duration` kept in English for a stored text, shown translated."""
    seconds = length.total_seconds()
    if seconds <= 0:
        return minutes_span(0)
    if seconds < 60:
        return Wording(UNDER_A_MINUTE)
    return minutes_span(int(seconds // 60))


def duration(span: timedelta, *, short_hours: bool = False) -> str:
    """How long something has lasted: '23 min', '2 h 06 min', '1 d 3 h'.

    Rounded down to the minute (it has lasted *at least* that long); a span below a
    minute is 'less than 1 min', none or a negative one '0 min'. ``short_hours`` writes a
    whole number of hours as '2 h' (a protocol's required time, not a measured one).
    """
    seconds = span.total_seconds()
    if seconds <= 0:
        return _minutes_words(0, short_hours=False)
    if seconds < 60:
        return _(UNDER_A_MINUTE)
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
    return number if minutes is None else _("{minutes} min", minutes=number)


def minutes_between(start: datetime | None, moment: datetime | None) -> float | None:
    """Minutes from ``start`` to ``moment`` (negative before it); None if either is."""
    if start is None or moment is None:
        return None
    return (moment - start).total_seconds() / 60
