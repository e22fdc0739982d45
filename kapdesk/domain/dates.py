"""Calendar dates a person types or picks (date of birth, a course's start and end)."""

from __future__ import annotations

from datetime import date, datetime

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.wording import field_name
from kapdesk.i18n import _


def calendar_date(field: str, value: object) -> date:
    """``value`` as a calendar date: a ``date`` or 'YYYY-MM-DD' text.

    A ``datetime`` is refused rather than cut to its date: which day a moment falls on
    depends on the zone it is read in (23:30 in New York is the next day in UTC).
    """
    if isinstance(value, datetime):
        raise ValidationError(
            field,
            value,
            _(
                "{field} {value} is a moment, not a date (YYYY-MM-DD).",
                field=field_name(field),
                value=value.isoformat(),
            ),
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(
        field,
        value,
        _(
            "{field} {value} is not a date (YYYY-MM-DD).",
            field=field_name(field),
            value=repr(value),
        ),
    )
