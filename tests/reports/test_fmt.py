"""How reports write times and numbers (kapdesk.services.report_data.fmt)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from kapdesk.services.report_data import fmt

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False))
def test_minutes_are_whole_minutes_rounded_down_with_a_real_minus(x: float) -> None:
    text = fmt.minutes_text(x)
    assert "-" not in text
    assert int(text.replace("−", "-")) == math.floor(x)
    assert text.startswith("+") == (math.floor(x) > 0)


def test_minutes_boundaries() -> None:
    assert fmt.minutes_text(None) == "—"
    assert fmt.minutes_text(0.0) == "0"
    assert fmt.minutes_text(29.99) == "+29"
    assert fmt.minutes_text(-0.1) == "−1"


def test_zone_names() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert fmt.zone_name(WINTER, berlin) == "CET (UTC+01:00)"
    assert fmt.zone_name(SUMMER, berlin) == "CEST (UTC+02:00)"
    assert fmt.zone_name(WINTER, UTC) == "UTC"
    assert fmt.zone_name(WINTER, ZoneInfo("Asia/Kolkata")) == "IST (UTC+05:30)"
    assert fmt.zone_name(WINTER, timezone(timedelta(hours=-3))) == "UTC-03:00"
    assert fmt.stamp(WINTER, berlin) == "2026-01-15 13:00 CET (UTC+01:00)"


@given(st.integers(min_value=-1000, max_value=1000))
def test_signed_points(value: int) -> None:
    text = fmt.signed(value)
    assert int(text.replace("−", "-")) == value
    assert ("−" in text) == (value < 0)


def test_numbers_labels_and_percent() -> None:
    assert fmt.number(35.0) == "35"
    assert fmt.number(17.5) == "17.5"
    assert fmt.number(0.25, 3) == "0.25"
    assert fmt.mg(52.5) == "52.5 mg"
    assert fmt.unit_label("mg_per_kg", 0.5) == "mg/kg"
    assert fmt.unit_label("device", 1) == "device"
    assert fmt.unit_label("device", 3) == "devices"
    assert fmt.route_label("intranasal") == "intranasal"
    assert fmt.route_label("iv") == "IV"
    assert fmt.severity_label("life_threatening") == "Grade 4 – life-threatening"
    assert fmt.percent(-63.157) == "−63.2 %"
    assert fmt.percent(12.0) == "+12.0 %"
    assert fmt.percent(None) == "n/a"
