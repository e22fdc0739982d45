"""Active alerts: raised by an alert or critical reading at once, kept until a later
reading within the alert limits or a clinician's acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.alerts import AlertReading, active_alerts, is_alert_band
from kapdesk.domain.protocol import Band, builtin_protocols

KAP = builtin_protocols()["kap-default"]
RULES = {r.id: r for r in KAP.vital_rules}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def reading(
    rid: int,
    minute: float,
    band: Band = Band.NORMAL,
    rules: tuple[str, ...] = (),
    bp: tuple[int, int] = (120, 80),
    pulse: int | None = 72,
    spo2: int | None = 98,
) -> AlertReading:
    return AlertReading(rid, at(minute), band, rules, *bp, pulse, spo2, "kap-default v1.0")


def test_spo2_88_is_an_alert_naming_value_rule_and_version() -> None:
    [alert] = active_alerts(
        [reading(1, 10, Band.ALERT, ("low-spo2",), spo2=88)], set(), RULES, at(10)
    )
    assert alert.reading_id == 1
    assert alert.value_text == "SpO2 88 %"
    assert alert.text == "SpO2 88 % alert: low-spo2 (SpO2 < 92 %), kap-default v1.0"


def test_critical_bp_is_active_the_minute_it_is_taken() -> None:
    r = reading(1, 25, Band.CRITICAL, ("critical-bp", "post-dose-alert"), bp=(212, 126))
    assert active_alerts([r], set(), RULES, at(24.99)) == ()
    [alert] = active_alerts([r], set(), RULES, at(25))
    assert alert.band is Band.CRITICAL
    assert alert.text == (
        "BP 212/126 critical: critical-bp (systolic > 200 or diastolic > 120 mmHg), "
        "kap-default v1.0"
    )


def test_a_later_reading_within_limits_clears_and_acknowledgement_clears() -> None:
    high = reading(1, 25, Band.ALERT, ("post-dose-alert",), bp=(185, 100))
    assert len(active_alerts([high], set(), RULES, at(40))) == 1
    assert active_alerts([high], {1}, RULES, at(40)) == ()
    normal = reading(2, 30)
    assert active_alerts([high, normal], set(), RULES, at(40)) == ()
    # a later alert clears nothing: both stay, the most serious first
    worse = reading(3, 31, Band.CRITICAL, ("critical-bp",), bp=(205, 100))
    alerts = active_alerts([high, worse], set(), RULES, at(40))
    assert [a.reading_id for a in alerts] == [3, 1]
    assert [a.reading_id for a in active_alerts([high, worse], {3}, RULES, at(40))] == [1]


def test_elevated_and_normal_readings_raise_nothing() -> None:
    readings = [
        reading(1, -10, Band.ELEVATED, ("pre-dose-elevated",), bp=(152, 94)),
        reading(2, 25, bp=(152, 94)),
    ]
    assert active_alerts(readings, set(), RULES, at(40)) == ()
    assert not is_alert_band(Band.ELEVATED)
    assert is_alert_band(Band.ALERT)
    assert is_alert_band(Band.CRITICAL)


bands = st.sampled_from(list(Band))


@given(st.lists(st.tuples(bands, st.integers(0, 120)), max_size=8), st.sets(st.integers(0, 7)))
def test_alert_state_properties(events: list[tuple[Band, int]], acked: set[int]) -> None:
    readings = [reading(i, minute, band) for i, (band, minute) in enumerate(events)]
    alerts = active_alerts(readings, acked, RULES, at(200))
    ids = {a.reading_id for a in alerts}
    ordered = sorted(readings, key=lambda r: (r.taken_at, r.reading_id))
    for pos, r in enumerate(ordered):
        cleared = any(not is_alert_band(x.band) for x in ordered[pos + 1 :])
        expected = is_alert_band(r.band) and r.reading_id not in acked and not cleared
        assert (r.reading_id in ids) == expected
    ranks = [a.band.rank for a in alerts]
    assert ranks == sorted(ranks, reverse=True)


# ---------------------------------------------------------------- a reading clears what it measured


def test_a_bp_only_reading_does_not_clear_a_spo2_alert() -> None:
    low = reading(1, 10, Band.ALERT, ("low-spo2",), spo2=86)
    bp_only = reading(2, 11, bp=(128, 80), pulse=None, spo2=None)
    [alert] = active_alerts([low, bp_only], set(), RULES, at(20))
    assert alert.reading_id == 1
    assert alert.value_text == "SpO2 86 %"
    # a later reading that measured SpO2 within its limits clears it
    spo2_ok = reading(3, 15, bp=(128, 80), pulse=None, spo2=95)
    assert active_alerts([low, bp_only, spo2_ok], set(), RULES, at(20)) == ()


def test_a_reading_without_pulse_does_not_clear_a_pulse_alert() -> None:
    fast = reading(1, 10, Band.ALERT, ("tachycardia",), pulse=135, spo2=None)
    no_pulse = reading(2, 11, bp=(128, 80), pulse=None, spo2=98)
    [alert] = active_alerts([fast, no_pulse], set(), RULES, at(20))
    assert alert.value_text == "pulse 135/min"
    pulse_ok = reading(3, 12, pulse=88, spo2=None)
    assert active_alerts([fast, no_pulse, pulse_ok], set(), RULES, at(20)) == ()


def test_a_bp_alert_is_cleared_by_a_later_bp_within_limits_alone() -> None:
    high = reading(1, 25, Band.ALERT, ("post-dose-alert",), bp=(186, 100), pulse=None, spo2=None)
    rise = reading(2, 26, Band.ALERT, ("rise-from-baseline",), bp=(165, 90))
    bp_ok = reading(3, 30, bp=(150, 90), pulse=None, spo2=None)
    assert active_alerts([high, rise, bp_ok], set(), RULES, at(40)) == ()


def test_an_alert_on_two_values_stays_until_both_are_within_limits() -> None:
    both = reading(1, 20, Band.CRITICAL, ("critical-bp", "low-spo2"), bp=(212, 126), spo2=85)
    bp_ok = reading(2, 25, bp=(140, 88), pulse=72, spo2=None)
    assert [a.reading_id for a in active_alerts([both, bp_ok], set(), RULES, at(40))] == [1]
    spo2_ok = reading(3, 26, bp=(140, 88), spo2=96)
    assert active_alerts([both, bp_ok, spo2_ok], set(), RULES, at(40)) == ()


def test_a_later_alert_on_bp_clears_an_earlier_spo2_alert_it_measured_within_limits() -> None:
    low = reading(1, 10, Band.ALERT, ("low-spo2",), spo2=86)
    high = reading(2, 15, Band.CRITICAL, ("critical-bp",), bp=(212, 126), spo2=97)
    assert [a.reading_id for a in active_alerts([low, high], set(), RULES, at(20))] == [2]
    # ... but not one it did not measure
    high_no_spo2 = reading(2, 15, Band.CRITICAL, ("critical-bp",), bp=(212, 126), spo2=None)
    alerts = active_alerts([low, high_no_spo2], set(), RULES, at(20))
    assert [a.reading_id for a in alerts] == [2, 1]


@given(
    st.lists(
        st.tuples(st.integers(0, 120), st.booleans(), st.booleans(), st.booleans()), max_size=6
    )
)
def test_a_spo2_alert_stays_until_a_later_spo2_within_limits(
    later: list[tuple[int, bool, bool, bool]],
) -> None:
    """Whatever later readings show (BP alerts, missing values), only a later SpO2 of 92 %
    or more clears an SpO2 88 % alert."""
    low = reading(0, 0, Band.ALERT, ("low-spo2",), spo2=88)
    rows = [low]
    for i, (minute, bp_high, has_spo2, spo2_ok) in enumerate(later, start=1):
        spo2 = (96 if spo2_ok else 89) if has_spo2 else None
        rules = (("post-dose-alert",) if bp_high else ()) + (
            () if spo2 in (None, 96) else ("low-spo2",)
        )
        band = Band.ALERT if rules else Band.NORMAL
        rows.append(
            reading(i, 1 + minute, band, rules, bp=(190, 100) if bp_high else (120, 80), spo2=spo2)
        )
    cleared = any(r.spo2 is not None and r.spo2 >= 92 for r in rows[1:])
    ids = {a.reading_id for a in active_alerts(rows, set(), RULES, at(200))}
    assert (0 in ids) == (not cleared)
