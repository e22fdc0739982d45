"""A date, a number or a counted word as a screen writes it, in the language spoken.

English is written as it always was (ISO dates, a decimal point, kapdesk's own plurals);
another language takes its dates and decimal sign from the locale (kapdesk.i18n.formats,
the PDFs' rules too: '03/12/2026', '72,5') and its plural forms from its catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QLocale

from kapdesk.i18n import ENGLISH, current, formats
from kapdesk.ui.widgets import local_date, local_datetime, local_time


def in_english(english: str, translated: str) -> str:
    """``english`` while kapdesk speaks English (its plurals and forms as they always were),
    else ``translated`` (the catalogue's text, in the plural form of its number)."""
    return english if current() == ENGLISH else translated


def translated(context: str, texts: Iterable[str]) -> tuple[str, ...]:
    """Texts marked with QT_TRANSLATE_NOOP(``context``, ...), in the language spoken."""
    return tuple(QCoreApplication.translate(context, t) for t in texts)


def day_text(moment: date | datetime) -> str:
    """'2026-03-02' in English, '02/03/2026' in Portuguese; a moment: its local date."""
    return local_date(moment) if isinstance(moment, datetime) else formats.medium_date(moment)


def day_clock_text(moment: datetime) -> str:
    """'2026-03-02 10:35' in English, '02/03/2026 10:35' in Portuguese (local time)."""
    if current() == ENGLISH:
        return local_datetime(moment)
    return f"{day_text(moment)} {local_time(moment)}"


def number_text(value: float) -> str:
    """'72.5' in English, '72,5' in Portuguese (as typed: no grouping)."""
    return formats.decimal(f"{value:g}")


def date_format() -> str:
    """A date edit's display format: 'yyyy-MM-dd' in English; in another language its
    locale's short date with the year in full ('dd/MM/yyyy' in Portuguese)."""
    if current() == ENGLISH:
        return "yyyy-MM-dd"
    shown = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    return shown if "yyyy" in shown else shown.replace("yy", "yyyy")
