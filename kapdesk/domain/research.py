"""Research export rules: what a CSV cell may start with, keyed pseudonyms, per-patient date
shifts and capped ages (used by ``kapdesk export csv``; no database, no Qt).

* :func:`neutralize`: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading ``'``, so a spreadsheet shows it as text instead of running it as
  a formula (CSV injection). Every cell of every export goes through it.
* :class:`Pseudonymizer`: with the clinic's secret key, HMAC-SHA256 of a record's kind and
  id gives its pseudonym (``P-`` + 16 hex digits for a patient, ``C-`` a course, ...): the
  same key gives the same pseudonym in every export, so files and exports join; without
  the key it cannot be turned back into the id (nor, for a patient, tested against a
  guessed one). The same key gives each patient a date offset of 1-365 days, earlier or
  later: every moment and date of that patient moves by it, so intervals are kept.
* :func:`shown_age`: whole years; 90 and over is written ``90+`` (HIPAA Safe Harbor).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KEY_BYTES = 32
MAX_SHIFT_DAYS = 365
AGE_CAP = 90
AGE_CAPPED = "90+"
PSEUDONYM_HEX = 16
PREFIXES = {
    "patient": "P",
    "course": "C",
    "session": "S",
    "reading": "R",
    "dose": "D",
    "side_effect": "E",
    "instrument": "I",
}


def neutralize(cell: str) -> str:
    """``cell`` as written to a CSV file: a leading ``'`` when it could start a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


class Pseudonymizer:
    """Pseudonyms and date offsets from one clinic key (bytes, at least 32)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError(f"the research key must be at least {KEY_BYTES} bytes")
        self._key = key
        self._offsets: dict[int, timedelta] = {}

    def _digest(self, message: str) -> bytes:
        return hmac.new(self._key, message.encode("ascii"), hashlib.sha256).digest()

    def pseudonym(self, kind: str, record_id: int) -> str:
        """E.g. ``P-3fa9c2d1e0b4a871`` for patient ``record_id``."""
        digest = self._digest(f"kapdesk-research:{kind}:{record_id}")
        return f"{PREFIXES[kind]}-{digest.hex()[:PSEUDONYM_HEX]}"

    def offset(self, patient_id: int) -> timedelta:
        """The patient's secret shift: whole days, 1-365 earlier or later (never 0)."""
        found = self._offsets.get(patient_id)
        if found is None:
            n = int.from_bytes(self._digest(f"kapdesk-research:date-shift:{patient_id}")[:8])
            n %= 2 * MAX_SHIFT_DAYS
            days = -(n + 1) if n < MAX_SHIFT_DAYS else n - MAX_SHIFT_DAYS + 1
            found = self._offsets[patient_id] = timedelta(days=days)
        return found


def age_in_years(born: date, on: date) -> int:
    """Completed years of life on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def shown_age(years: int, *, capped: bool) -> str:
    """``years`` as a cell; with ``capped``, 90 and over as ``90+``."""
    return AGE_CAPPED if capped and years >= AGE_CAP else str(years)


def moment_cell(moment: datetime | None, shift: timedelta | None = None) -> str:
    """An aware UTC moment as ``YYYY-MM-DDTHH:MM:SSZ`` (moved by ``shift``); '' for None."""
    if moment is None:
        return ""
    if shift is not None:
        moment = moment + shift
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def date_cell(day: date | None, shift: timedelta | None = None) -> str:
    """A calendar date as ``YYYY-MM-DD`` (moved by ``shift``); '' for None."""
    if day is None:
        return ""
    return (day + shift if shift is not None else day).isoformat()
