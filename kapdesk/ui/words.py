"""Words several screens share, in the active language: role and reading-band names (the
domain's: kapdesk.domain.permissions, kapdesk.domain.protocol_model),
counted phrases (plurals), dates and counts as QLocale writes them.

English is kapdesk's own text, byte for byte (its dates as strftime wrote them, counts
with a comma); another language takes Qt's catalogue (``translate``) and QLocale's
forms, set by ``kapdesk.ui.translation.speak``.

A counted phrase is a ``self.tr("%n readings missed", None, n)`` in a QObject class that is
never subclassed (pyside6-lupdate marks a message as having plural forms only in a
``tr()`` call with a variable count); :class:`Counted` holds those said outside a widget.
Its source is the English for every count but one; :func:`counted` gives English its own
singular.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from PySide6.QtCore import QDate, QLocale, QObject

from kapdesk.domain import permissions
from kapdesk.domain.permissions import Role
from kapdesk.domain.protocol_model import Band, band_word
from kapdesk.i18n import ENGLISH, current


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Qt's marker for pyside6-lupdate (``source`` in ``context``, translated where it is
    shown), typed: PySide6's own is declared as returning ``object``."""
    return source


CONTEXT = "Words"


def english() -> bool:
    """The GUI speaks kapdesk's source language."""
    return current() == ENGLISH


def role_name(role: Role | str) -> str:
    """'nurse', 'enfermeiro' (the domain's words; an unknown role as it is)."""
    return permissions.role_name(Role(role)) if role in _ROLE_VALUES else str(role)


def a_role(role: Role | str) -> str:
    """'A nurse', 'An admin'; 'Um enfermeiro': the domain's phrase starting a sentence."""
    if role not in _ROLE_VALUES:
        return str(role)
    phrase = permissions.role_phrase(Role(role))
    return phrase[:1].upper() + phrase[1:]


def band_name(band: str) -> str:
    """'critical', 'crítica' (the domain's word; an unknown band as it is)."""
    return band_word(Band(band)).shown() if band in _BAND_VALUES else str(band)


_ROLE_VALUES = frozenset(r.value for r in Role)
_BAND_VALUES = frozenset(b.value for b in Band)


def counted(n: int, one: str, translated: str) -> str:
    """``translated`` (a ``tr()`` with ``%n`` whose source is the English plural), or in
    English ``one`` (its ``%n`` as the number) when ``n`` is 1."""
    if n == 1 and english():
        return one.replace("%n", "1")
    return translated


def count_text(n: int) -> str:
    """'1,234' in English (as kapdesk wrote it); '1234', '12 345' in Portuguese."""
    return f"{n:,}" if english() else QLocale().toString(n)


def long_day(day: date, english_text: str) -> str:
    """A day written out: ``english_text`` (the caller's own English form) in English,
    else the locale's long date ('sexta-feira, 4 de dezembro de 2026')."""
    if english():
        return english_text
    return QLocale().toString(QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat)


def short_day(day: date, english_text: str) -> str:
    """A date in a table cell: ``english_text`` in English (kapdesk's ISO date), else the
    locale's short date with the whole year ('27/02/2026')."""
    if english():
        return english_text
    pattern = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return QLocale().toString(QDate(day.year, day.month, day.day), pattern)


def decimal(value: float, places: int) -> str:
    """'2.5' in English (as kapdesk wrote it); '2,5' in Portuguese (no grouping)."""
    if english():
        return f"{value:.{places}f}"
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)
    return locale.toString(float(value), "f", places)


class Counted(QObject):
    """Counted phrases said outside a widget (never subclassed: ``tr()``'s context is
    'Counted')."""

    def readings_missed(self, n: int) -> str:
        """'3 readings missed' (the board says one missed reading by its name)."""
        return counted(n, "%n reading missed", self.tr("%n readings missed", None, n))

    def more_due(self, n: int) -> str:
        """'1 more due', '2 more due'."""
        return self.tr("%n more due", None, n)

    def in_monitoring(self, n: int) -> str:
        """'2 patients are in monitoring ({who}). Quit anyway?' (``{who}`` left in)."""
        return counted(
            n,
            "1 patient is in monitoring ({who}). Quit anyway?",
            self.tr("%n patients are in monitoring ({who}). Quit anyway?", None, n),
        )

    def courses(self, n: int) -> str:
        """'1 course', '3 courses'."""
        return counted(n, "%n course", self.tr("%n courses", None, n))


@cache
def counts() -> Counted:
    """The one :class:`Counted`."""
    return Counted()
