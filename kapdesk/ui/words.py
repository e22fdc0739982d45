"""Words several screens share, in the active language: role and reading-band names,
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

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QObject

from kapdesk.domain.permissions import Role
from kapdesk.i18n import ENGLISH, current


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Qt's marker for pyside6-lupdate (``source`` in ``context``, translated where it is
    shown), typed: PySide6's own is declared as returning ``object``."""
    return source


CONTEXT = "Words"
_ROLES = {
    Role.NURSE: QT_TRANSLATE_NOOP("Words", "nurse"),
    Role.THERAPIST: QT_TRANSLATE_NOOP("Words", "therapist"),
    Role.CLINICIAN: QT_TRANSLATE_NOOP("Words", "clinician"),
    Role.ADMIN: QT_TRANSLATE_NOOP("Words", "admin"),
}
# A sentence's subject: 'A nurse cannot ...', 'An admin cannot ...'.
_A_ROLE = {
    Role.NURSE: QT_TRANSLATE_NOOP("Words", "A nurse"),
    Role.THERAPIST: QT_TRANSLATE_NOOP("Words", "A therapist"),
    Role.CLINICIAN: QT_TRANSLATE_NOOP("Words", "A clinician"),
    Role.ADMIN: QT_TRANSLATE_NOOP("Words", "An admin"),
}
# A reading's band (kapdesk.domain.protocol_model.Band) as a label: 'critical'.
_BANDS = {
    "normal": QT_TRANSLATE_NOOP("Words", "normal"),
    "elevated": QT_TRANSLATE_NOOP("Words", "elevated"),
    "alert": QT_TRANSLATE_NOOP("Words", "alert"),
    "critical": QT_TRANSLATE_NOOP("Words", "critical"),
}


def english() -> bool:
    """The GUI speaks kapdesk's source language."""
    return current() == ENGLISH


def _of_role(words: dict[Role, str], role: Role | str) -> str:
    text = words.get(Role(role)) if role in set(Role) else None
    return QCoreApplication.translate(CONTEXT, text) if text else str(role)


def role_name(role: Role | str) -> str:
    """'nurse', 'enfermeiro'."""
    return _of_role(_ROLES, role)


def a_role(role: Role | str) -> str:
    """'A nurse', 'An admin'; 'Um enfermeiro'."""
    return _of_role(_A_ROLE, role)


def band_name(band: str) -> str:
    """'critical', 'crítico' (an unknown band as it is)."""
    text = _BANDS.get(str(band))
    return QCoreApplication.translate(CONTEXT, text) if text else str(band)


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
