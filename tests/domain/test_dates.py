"""Calendar dates typed or picked by a person: one parser for every date field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kapdesk.domain.dates import calendar_date
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.patients import validate_date_of_birth

TODAY = date(2026, 3, 2)


def test_a_date_or_its_iso_text_is_taken() -> None:
    assert calendar_date("Start date", date(2026, 3, 2)) == date(2026, 3, 2)
    assert calendar_date("Start date", " 2026-03-02 ") == date(2026, 3, 2)
    with pytest.raises(ValidationError, match=r"Start date '02/03/2026' is not a date"):
        calendar_date("Start date", "02/03/2026")


def test_a_moment_is_not_taken_as_a_date() -> None:
    """Which calendar day a moment falls on depends on the zone it is read in (23:30 in
    New York is the next day in UTC), so a date field never guesses it."""
    with pytest.raises(ValidationError, match="is a moment, not a date") as err:
        calendar_date("End date", datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    assert err.value.field == "End date"


def test_the_date_of_birth_refuses_a_moment_too() -> None:
    with pytest.raises(ValidationError, match=r"Date of birth .* is a moment, not a date"):
        validate_date_of_birth(datetime(1980, 5, 17, 0, 0), today=TODAY)  # type: ignore[arg-type]
