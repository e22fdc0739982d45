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
