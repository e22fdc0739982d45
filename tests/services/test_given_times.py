"""Caller-given times: never borrowed from the future, never before check-in, and an
absurd date is a ValidationError naming the field (never an OverflowError)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.given_input import (
    EARLIEST_TIME,
    FUTURE_TOLERANCE,
    aware_time,
    given_time,
)
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService

from .conftest import T0
from .sessionkit import Kit, refused

_T = TypeVar("_T")
_EXAMPLES = itertools.count()
PLUS_23_59 = timezone(timedelta(hours=23, minutes=59))
MINUS_23_59 = timezone(-timedelta(hours=23, minutes=59))

# Each of these once escaped as an OverflowError, or was stored as a real time.
ABSURD: dict[str, datetime] = {
    "year 1 UTC": datetime(1, 1, 1, tzinfo=UTC),
    "year 1 at +23:59": datetime(1, 1, 1, 0, 0, tzinfo=PLUS_23_59),
    "year 9999 at -23:59": datetime(9999, 12, 31, 23, 59, tzinfo=MINUS_23_59),
    "year 9999 UTC": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    "now at +23:59": T0.astimezone(PLUS_23_59),
    "now at -15:00": T0.astimezone(timezone(-timedelta(hours=15))),
    "1999": datetime(1999, 12, 31, 23, 0, tzinfo=UTC),
}


def test_future_tolerance_is_one_minute() -> None:
    assert timedelta(minutes=1) == FUTURE_TOLERANCE


def test_a_time_in_the_current_minute_is_stored_as_the_clocks() -> None:
    assert given_time("Taken at", T0 + timedelta(seconds=59), T0) == T0
    assert given_time("Taken at", T0 + FUTURE_TOLERANCE, T0) == T0
    past = T0 - timedelta(minutes=12)
    assert given_time("Taken at", past, T0) == past
    with pytest.raises(ValidationError, match="Taken at 2026-03-02 09:01 UTC is in the future"):
        given_time("Taken at", T0 + FUTURE_TOLERANCE + timedelta(seconds=1), T0)


@pytest.mark.parametrize("value", ABSURD.values(), ids=ABSURD.keys())
def test_absurd_times_are_validation_errors(value: datetime) -> None:
    with pytest.raises(ValidationError) as exc:
        given_time("Taken at", value, T0)
    assert exc.value.field == "Taken at"
    assert exc.value.message.startswith("Taken at ")
    with pytest.raises(ValidationError) as exc:
        aware_time("Scheduled at", value, T0)
    assert exc.value.field == "Scheduled at"


def test_schedule_time_may_be_planned_but_not_absurdly_far() -> None:
    assert aware_time("Scheduled at", T0 + timedelta(days=30), T0) == T0 + timedelta(days=30)
    assert aware_time("Scheduled at", T0 - timedelta(days=3), T0) == T0 - timedelta(days=3)
    with pytest.raises(ValidationError, match="ahead"):
        aware_time("Scheduled at", datetime(2031, 1, 1, tzinfo=UTC), T0)


AWARE = st.one_of(
    st.datetimes(timezones=st.timezones()),
    st.datetimes(
        timezones=st.builds(
            timezone,
            st.timedeltas(
                min_value=-timedelta(hours=23, minutes=59),
                max_value=timedelta(hours=23, minutes=59),
            ),
        )
    ),
)


@given(value=AWARE)
def test_any_aware_datetime_is_a_valid_past_moment_or_a_validation_error(value: datetime) -> None:
    moment = _outcome(lambda: given_time("Taken at", value, T0), "Taken at")
    if moment is not None:
        assert moment.tzinfo is UTC
        assert EARLIEST_TIME <= moment <= T0
    planned = _outcome(lambda: aware_time("Scheduled at", value, T0), "Scheduled at")
    if planned is not None:
        assert planned.tzinfo is UTC


def _outcome(call: Callable[[], _T], field: str) -> _T | None:
    """The call's result, or None after a ValidationError naming ``field`` (anything else
    escapes and fails the test)."""
    try:
        return call()
    except ValidationError as exc:
        failed = exc
    assert failed.field == field
    return None


# ---------------------------------------------------------------- through the services


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def _calls(kit: Kit, sid: int, patient_id: int) -> dict[str, Callable[[datetime], object]]:
    n = kit.nurse
    ctx = kit.ctx
    course = kit.course(mrn=f"MRN-{sid}-{len(kit.sessions.sessions_for_patient(patient_id))}")
    return {
        "Taken at": lambda t: kit.vitals.record(n, sid, 120, 80, taken_at=t),
        "Given at": lambda t: kit.doses.record(
            n,
            sid,
            medication="racemic ketamine",
            route="im",
            amount=0.5,
            unit="mg/kg",
            lot_number="L1",
            given_at=t,
        ),
        "Observed at": lambda t: ObservationService(ctx).record_moaas(n, sid, 4, t),
        "Onset": lambda t: SideEffectService(ctx).record(
            n, sid, "nausea", severity="mild", onset_at=t
        ),
        "Discharged at": lambda t: kit.sessions.discharge(n, sid, at=t),
        "PHQ-9 Taken at": lambda t: InstrumentService(ctx).record(
            n, patient_id, "PHQ-9", [1] * 9, taken_at=t
        ),
        "Scheduled at": lambda t: kit.sessions.schedule(n, course, t, "Room 9"),
    }


def _patient_of(kit: Kit, sid: int) -> int:
    return kit.sessions.get(sid).patient_id


@pytest.mark.parametrize("value", ABSURD.values(), ids=ABSURD.keys())
def test_every_service_refuses_absurd_times_naming_the_field(kit: Kit, value: datetime) -> None:
    sid = kit.dosed()
    for field, call in _calls(kit, sid, _patient_of(kit, sid)).items():
        err = refused(kit.ctx, ValidationError, lambda call=call: call(value))  # type: ignore[misc]
        assert isinstance(err, ValidationError)
        assert err.field == field.removeprefix("PHQ-9 "), field


def test_every_session_time_before_check_in_is_refused(kit: Kit) -> None:
    sid = kit.dosed()
    before = kit.sessions.get(sid).checked_in_at - timedelta(minutes=2)  # type: ignore[operator]
    calls = _calls(kit, sid, _patient_of(kit, sid))
    for field in ("Taken at", "Given at", "Observed at", "Onset", "Discharged at"):
        err = refused(
            kit.ctx, ValidationError, lambda f=field: calls[f](before), "before the patient was"
        )
        assert isinstance(err, ValidationError)
        assert err.field == field
        assert "checked in" in err.message


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=AWARE)
def test_services_let_nothing_but_validation_errors_escape(kit: Kit, value: datetime) -> None:
    n = next(_EXAMPLES)
    sid = kit.dosed(mrn=f"H-{n}", room=f"Room H{n}")
    for field, call in _calls(kit, sid, _patient_of(kit, sid)).items():
        if field in ("Given at", "Discharged at", "Scheduled at"):
            continue  # they change the session or add courses: checked with fixed values
        _outcome(lambda call=call: call(value), field.removeprefix("PHQ-9 "))  # type: ignore[misc]
