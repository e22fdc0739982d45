"""How reports write times, numbers and labels (one place, so every page agrees).

Times are stored in UTC and printed in local time: ``tz`` None means the
computer's own zone (with the offset right for each moment, summer time
included); tests pass an explicit zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from kapdesk.domain import timetext
from kapdesk.domain.dosing import ROUTE_LABELS, DoseUnit
from kapdesk.domain.protocol import Route
from kapdesk.domain.side_effects import Severity
from kapdesk.i18n import ENGLISH, N_, _, current
from kapdesk.i18n import formats as locale_formats

DASH = "–"
NONE_TEXT = "—"


def local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def zone_name(moment: datetime, tz: tzinfo | None) -> str:
    """'CET (UTC+01:00)'; 'UTC'; 'UTC+05:30' when the zone has no abbreviation."""
    here = local(moment, tz)
    total = int((here.utcoffset() or timedelta(0)).total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    utc = f"UTC{sign}{hours:02d}:{minutes:02d}"
    abbrev = here.tzname() or ""
    if total == 0 and abbrev in ("UTC", "GMT", ""):
        return "UTC"
    if not abbrev or abbrev[0] in "+-" or abbrev.startswith("UTC"):
        return utc
    return f"{abbrev} ({utc})"


def hm(moment: datetime | None, tz: tzinfo | None) -> str:
    return NONE_TEXT if moment is None else timetext.clock(moment, tz)


def day(moment: datetime | date | None, tz: tzinfo | None = None) -> str:
    if moment is None:
        return NONE_TEXT
    if current() == ENGLISH:
        return timetext.day(moment, tz)
    return locale_formats.medium_date(local(moment, tz) if isinstance(moment, datetime) else moment)


def day_hm(moment: datetime | None, tz: tzinfo | None) -> str:
    if moment is None:
        return NONE_TEXT
    if current() == ENGLISH:
        return timetext.day_clock(moment, tz)
    return f"{day(moment, tz)} {timetext.clock(moment, tz)}"


def stamp(moment: datetime, tz: tzinfo | None) -> str:
    """'2026-03-02 10:15 CET (UTC+01:00)': a moment with its zone, for 'printed at'."""
    return f"{day_hm(moment, tz)} {zone_name(moment, tz)}"


# Whole minutes from the first dose, signed: '−4', '0', '+22' (timetext says why floor).
minutes_text = timetext.minutes_number
minutes_between = timetext.minutes_between


def number(value: float, places: int = 1) -> str:
    """'35', '37.5', '0.25' (no trailing zeros); '37,5' in Portuguese."""
    text = f"{value:.{places}f}"
    return locale_formats.decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def mg(value: float) -> str:
    return f"{number(value, 1)} mg"


def route_label(route: str | None) -> str:
    if not route:
        return NONE_TEXT
    try:
        return _(ROUTE_LABELS[Route(route)])
    except ValueError:
        return route


def unit_label(unit: str, amount: float) -> str:
    try:
        u = DoseUnit(unit)
    except ValueError:
        return unit
    if u is DoseUnit.DEVICE:
        return _("device") if amount == 1 else _("devices")
    return _(u.label)


def severity_label(value: str | None) -> str:
    if not value:
        return NONE_TEXT
    try:
        return _(Severity(value).label_format, grade=Severity(value).grade)
    except ValueError:
        return value


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def band_label(band: str) -> str:
    """'Elevated', 'Alert'; a reading that reached no protocol limit is 'Within limits'
    (the table caption names the protocol version), never a bare 'Normal'."""
    if band == "normal":
        return _("Within limits")
    if band in _BANDS:
        return _(_BANDS[band])
    return band.replace("_", " ").capitalize()


_BANDS = {"elevated": N_("Elevated"), "alert": N_("Alert"), "critical": N_("Critical")}
_BAND_WORDS = {
    "normal": N_("normal"),
    "elevated": N_("elevated"),
    "alert": N_("alert"),
    "critical": N_("critical"),
}


def band_word(band: str) -> str:
    """A reading's band inside a sentence or a chart label: 'alert' ('alerta')."""
    return _(_BAND_WORDS[band]) if band in _BAND_WORDS else band


def signed(value: int) -> str:
    """'+3', '−12' (a real minus sign), '0'."""
    if value == 0:
        return "0"
    return f"+{value}" if value > 0 else f"−{-value}"


def percent(value: float | None) -> str:
    if value is None:
        return _("n/a")
    sign = "−" if value < 0 else "+"
    return locale_formats.decimal(f"{sign}{abs(value):.1f} %")
