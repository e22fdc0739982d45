"""Dates on screens: ISO in English, the locale's date in Portuguese, for a calendar date
and for a moment (its local date) alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

from kapdesk.i18n import use_language
from kapdesk.ui.widgets.locale_words import day_clock_text, day_text

MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_a_day_in_english_is_iso() -> None:
    assert day_text(date(1980, 5, 17)) == "1980-05-17"
    assert day_text(MOMENT).startswith("2026-03-0")


def test_a_day_and_a_moment_in_portuguese() -> None:
    with use_language("pt-PT"):
        assert day_text(date(1980, 5, 17)) == "17/05/1980"
        assert day_text(MOMENT).endswith("/03/2026")
        assert day_clock_text(MOMENT).count("/03/2026") == 1
