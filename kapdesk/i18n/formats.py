"""Dates, weekday names and decimals in the active language, for text written without Qt
(PDFs, the command line, the domain's messages). The GUI formats with QLocale, set to the
same language (kapdesk.ui.translation).

English keeps kapdesk's own forms, byte for byte (ISO dates, a decimal point): this module
only decides for another language, where the forms are the Unicode CLDR's, through Babel.
Babel is imported on first use in such a language (~20 ms), never on an English path.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING

from kapdesk.i18n import ENGLISH, current, file_stem

if TYPE_CHECKING:
    from babel import Locale

__all__ = ["decimal", "decimal_sign", "long_date", "medium_date", "weekday"]


@cache
def _locale(tag: str) -> Locale:
    from babel import Locale

    return Locale.parse(file_stem(tag))


@cache
def _decimal_sign(tag: str) -> str:
    if tag == ENGLISH:
        return "."
    return str(_locale(tag).number_symbols["latn"]["decimal"])


def decimal_sign() -> str:
    """'.' in English, ',' in Portuguese."""
    return _decimal_sign(current())


def decimal(text: str) -> str:
    """A number already written with a decimal point ('41.2', '−0.5', '37.5 %'), with the
    active language's decimal sign instead ('41,2'). No grouping: clinical values stay as
    typed ('1250 mg')."""
    sign = decimal_sign()
    return text if sign == "." else text.replace(".", sign)


def long_date(day: date | datetime) -> str:
    """'3 de dezembro de 2026'; English: '2026-12-03' (kapdesk's ISO date)."""
    tag = current()
    plain = day.date() if isinstance(day, datetime) else day
    if tag == ENGLISH:
        return plain.isoformat()
    from babel.dates import format_date

    return str(format_date(plain, "long", locale=_locale(tag)))


def medium_date(day: date | datetime) -> str:
    """'03/12/2026' (the locale's usual date in tables); English: '2026-12-03'."""
    tag = current()
    plain = day.date() if isinstance(day, datetime) else day
    if tag == ENGLISH:
        return plain.isoformat()
    from babel.dates import format_date

    return str(format_date(plain, "medium", locale=_locale(tag)))


def weekday(day: date | datetime) -> str:
    """'quinta-feira'; English: 'Thursday' (the C library's name, as kapdesk printed it)."""
    tag = current()
    if tag == ENGLISH:
        return f"{day:%A}"
    from babel.dates import format_date

    plain = day.date() if isinstance(day, datetime) else day
    return str(format_date(plain, "EEEE", locale=_locale(tag)))
