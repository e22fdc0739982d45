from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Protocol, Route, builtin_protocols
from kapdesk.domain.side_effects import (
    COURSE_WATCH_ITEMS,
    WATCH_ITEMS_BY_ID,
    Severity,
    parse_severity,
    validate_side_effect,
)

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


KAP = builtin_protocols()["kap-default"]


@pytest.fixture
def kap() -> Protocol:
    return KAP


def test_grades_follow_ctcae_1_to_4() -> None:
    assert [(s.value, s.grade) for s in Severity] == [
        ("mild", 1),
        ("moderate", 2),
        ("severe", 3),
        ("life_threatening", 4),
    ]
    assert Severity.LIFE_THREATENING.label == "Grade 4 – life-threatening"
    assert Severity.MILD.label == "Grade 1 – mild"


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("moderate", Severity.MODERATE),
        (" Severe ", Severity.SEVERE),
        ("life-threatening", Severity.LIFE_THREATENING),
        ("life threatening", Severity.LIFE_THREATENING),
        (1, Severity.MILD),
        (4, Severity.LIFE_THREATENING),
        (Severity.MODERATE, Severity.MODERATE),
    ],
)
def test_parse_severity(given_value: str | int, expected: Severity) -> None:
    assert parse_severity(given_value) is expected


@pytest.mark.parametrize("bad", [0, 5, True, "fatal", ""])
def test_parse_severity_refuses(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        parse_severity(bad)  # type: ignore[arg-type]
    assert info.value.field == "Severity"


def test_valid_side_effect(kap: Protocol) -> None:
    onset = NOW - timedelta(minutes=40)
    out = validate_side_effect(
        kap,
        "nausea",
        route=Route.IM,
        severity="moderate",
        onset=onset,
        now=NOW,
        resolved_at=NOW - timedelta(minutes=10),
        intervention="  ondansetron 4 mg SL ",
    )
    assert out.effect_id == "nausea"
    assert out.label == "Nausea"
    assert out.route is Route.IM
    assert out.severity is Severity.MODERATE
    assert out.onset == onset
    assert out.resolved_at == NOW - timedelta(minutes=10)
    assert out.intervention == "ondansetron 4 mg SL"


def test_times_are_normalised_to_utc(kap: Protocol) -> None:
    plus_one = timezone(timedelta(hours=1))
    onset = datetime(2026, 3, 2, 11, 30, tzinfo=plus_one)  # 10:30 UTC
    out = validate_side_effect(kap, "headache", route="iv", severity=1, onset=onset, now=NOW)
    assert out.onset == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert out.onset.tzinfo is UTC
    assert out.resolved_at is None


def test_unknown_effect_is_refused(kap: Protocol) -> None:
    with pytest.raises(ValidationError) as info:
        validate_side_effect(kap, "hiccups", route="im", severity=1, onset=NOW, now=NOW)
    assert info.value.field == "Side effect"
    assert "'hiccups' is not in the kap-default v1.0 catalogue for the im route" in str(info.value)


def test_route_specific_effect_only_for_its_route(kap: Protocol) -> None:
    validate_side_effect(
        kap, "nasal_discomfort", route="intranasal", severity=1, onset=NOW, now=NOW
    )
    with pytest.raises(ValidationError, match="'nasal_discomfort' is not in"):
        validate_side_effect(kap, "nasal_discomfort", route="iv", severity=1, onset=NOW, now=NOW)


def test_unknown_route_is_refused(kap: Protocol) -> None:
    with pytest.raises(ValidationError) as info:
        validate_side_effect(kap, "nausea", route="rectal", severity=1, onset=NOW, now=NOW)
    assert info.value.field == "Route"


def test_onset_exactly_now_is_fine_one_second_later_is_not(kap: Protocol) -> None:
    validate_side_effect(kap, "nausea", route="im", severity=1, onset=NOW, now=NOW)
    with pytest.raises(ValidationError) as info:
        validate_side_effect(
            kap, "nausea", route="im", severity=1, onset=NOW + timedelta(seconds=1), now=NOW
        )
    assert info.value.field == "Onset"
    assert "in the future" in info.value.message


def test_resolved_before_onset_is_refused(kap: Protocol) -> None:
    onset = NOW - timedelta(minutes=30)
    validate_side_effect(
        kap, "nausea", route="im", severity=1, onset=onset, now=NOW, resolved_at=onset
    )
    with pytest.raises(ValidationError) as info:
        validate_side_effect(
            kap,
            "nausea",
            route="im",
            severity=1,
            onset=onset,
            now=NOW,
            resolved_at=onset - timedelta(minutes=1),
        )
    assert info.value.field == "Resolved"
    assert "before the onset" in info.value.message


def test_resolved_in_the_future_is_refused(kap: Protocol) -> None:
    with pytest.raises(ValidationError, match=r"Resolved .* is in the future"):
        validate_side_effect(
            kap,
            "nausea",
            route="im",
            severity=1,
            onset=NOW - timedelta(minutes=5),
            now=NOW,
            resolved_at=NOW + timedelta(minutes=5),
        )


def test_naive_times_are_refused(kap: Protocol) -> None:
    with pytest.raises(ValidationError, match="has no time zone"):
        validate_side_effect(
            kap, "nausea", route="im", severity=1, onset=datetime(2026, 3, 2, 10), now=NOW
        )


def test_intervention_length_limit(kap: Protocol) -> None:
    validate_side_effect(
        kap, "nausea", route="im", severity=1, onset=NOW, now=NOW, intervention="x" * 1000
    )
    with pytest.raises(ValidationError) as info:
        validate_side_effect(
            kap, "nausea", route="im", severity=1, onset=NOW, now=NOW, intervention="x" * 1001
        )
    assert info.value.field == "Intervention"
    assert "1001 characters" in info.value.message


@given(
    offset=st.integers(-600, 600),
    duration=st.one_of(st.none(), st.integers(-120, 240)),
)
def test_time_rules_hold_for_any_onset_and_duration(offset: int, duration: int | None) -> None:
    kap = KAP
    onset = NOW + timedelta(minutes=offset)
    resolved = None if duration is None else onset + timedelta(minutes=duration)
    ok = onset <= NOW and (resolved is None or onset <= resolved <= NOW)
    if ok:
        out = validate_side_effect(
            kap, "dizziness", route="sc", severity=2, onset=onset, now=NOW, resolved_at=resolved
        )
        assert out.onset == onset
        assert out.resolved_at == resolved
    else:
        with pytest.raises(ValidationError):
            validate_side_effect(
                kap, "dizziness", route="sc", severity=2, onset=onset, now=NOW, resolved_at=resolved
            )


def test_every_catalogue_effect_validates_for_its_routes() -> None:
    for proto in builtin_protocols().values():
        for route in proto.routes:
            for effect in proto.side_effects_for(route):
                out = validate_side_effect(
                    proto, effect.id, route=route, severity=1, onset=NOW, now=NOW
                )
                assert out.label == effect.label


def test_course_watch_items() -> None:
    assert [w.id for w in COURSE_WATCH_ITEMS] == ["cognition", "bladder_urinary", "craving_misuse"]
    assert WATCH_ITEMS_BY_ID["bladder_urinary"].label == "Bladder / urinary symptoms"
    assert all(w.prompt.endswith(".") for w in COURSE_WATCH_ITEMS)
