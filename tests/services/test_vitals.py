"""VitalsService: readings are validated, banded under the protocol, and move the session."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.vitals import VitalsService

from .conftest import table_counts
from .sessionkit import Kit, audit_probe, refused


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


@pytest.fixture
def sid(kit: Kit) -> int:
    """A checked-in session; hypothesis examples of one test share it."""
    return kit.checked_in()


def test_first_pre_dose_reading_moves_the_session_and_audits_twice(kit: Kit) -> None:
    sid = kit.checked_in()
    with audit_probe(kit.ctx.db) as a:
        rec = kit.vitals.record(kit.nurse, sid, "128", " 82 ", pulse="", spo2=99)
    r = rec.reading
    assert (r.systolic, r.diastolic, r.pulse, r.spo2) == (128, 82, None, 99)
    assert (r.phase, r.band, r.rules, r.protocol_label) == (
        "pre_dose",
        "normal",
        (),
        "kap-default v1.0",
    )
    assert r.assessment.startswith("Within kap-default v1.0 pre-dose limits.")
    assert r.recorded_by == kit.nurse.full_name
    assert r.minutes_from_dose is None
    assert not rec.hold_active
    assert rec.actions == ()
    assert a.actions == ["vitals.record", "session.transition"]
    assert a.entries[0].after_data["systolic"] == 128  # type: ignore[index]
    assert a.entries[1].before_data["state"] == "checked_in"  # type: ignore[index]
    assert a.entries[1].after_data["state"] == "pre_dose_vitals"  # type: ignore[index]

    kit.advance(minutes=5)
    with audit_probe(kit.ctx.db) as a:
        kit.vitals.record(kit.nurse, sid, 126, 80)
    assert a.actions == ["vitals.record"]


def test_scheduled_session_says_check_in_first(kit: Kit) -> None:
    sid = kit.scheduled()
    err = refused(kit.ctx, IllegalTransition, lambda: kit.vitals.record(kit.nurse, sid, 120, 80))
    assert str(err) == "This session is only scheduled: check the patient in first."


def test_finished_sessions_take_no_readings(kit: Kit) -> None:
    sid = kit.checked_in()
    kit.sessions.cancel(kit.nurse, sid, "No ride home")
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.vitals.record(kit.nurse, sid, 120, 80),
        "cancelled takes no more readings",
    )
    refused(kit.ctx, NotFound, lambda: kit.vitals.record(kit.nurse, 777, 120, 80))


def test_who_may_record(kit: Kit, therapist: Actor, clinician: Actor, admin: Actor) -> None:
    sid = kit.checked_in()
    refused(kit.ctx, PermissionDenied, lambda: kit.vitals.record(admin, sid, 120, 80))
    assert kit.vitals.record(therapist, sid, 120, 80).reading.recorded_by == therapist.full_name
    assert kit.vitals.record(clinician, sid, 121, 80).reading.recorded_by == clinician.full_name


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ((320, 80), "Systolic 320 mmHg is outside the allowed range 50-300 mmHg."),
        ((120, 130), "Diastolic 130 mmHg must be lower than systolic 120 mmHg."),
        ((120, None), "Diastolic is required"),
        ((120, 80, 300), "Pulse 300/min is outside the allowed range 20-250/min."),
        ((120, 80, 70, 101), "SpO2 101% is outside"),
        ((120, 80, "seventy"), "not a whole number"),
    ],
)
def test_implausible_values_are_not_stored(
    kit: Kit, values: tuple[object, ...], match: str
) -> None:
    sid = kit.checked_in()
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.vitals.record(kit.nurse, sid, *values),  # type: ignore[arg-type]
        match,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    systolic=st.one_of(st.integers(max_value=49), st.integers(min_value=301)),
    diastolic=st.integers(min_value=20, max_value=200),
)
def test_any_out_of_range_systolic_leaves_no_trace(
    ctx: ServiceContext, nurse: Actor, sid: int, systolic: int, diastolic: int
) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError, match="Systolic"):
        VitalsService(ctx).record(nurse, sid, systolic, diastolic)
    assert table_counts(ctx.db) == before


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reading=st.integers(min_value=51, max_value=300).flatmap(
        lambda s: st.tuples(st.just(s), st.integers(min_value=20, max_value=min(s - 1, 200)))
    )
)
def test_any_valid_reading_is_stored_as_given_with_its_band(
    ctx: ServiceContext, nurse: Actor, sid: int, reading: tuple[int, int]
) -> None:
    systolic, diastolic = reading
    r = VitalsService(ctx).record(nurse, sid, systolic, diastolic).reading
    stored = next(x for x in VitalsService(ctx).readings(sid) if x.id == r.id)
    assert (stored.systolic, stored.diastolic) == reading
    elevated = systolic >= 140 or diastolic >= 90
    critical = systolic > 200 or diastolic > 120
    assert stored.band == ("critical" if critical else "elevated" if elevated else "normal")


def test_taken_at_must_be_aware_and_not_in_the_future(kit: Kit) -> None:
    sid = kit.checked_in()
    now = kit.clock.now()
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.vitals.record(kit.nurse, sid, 120, 80, taken_at=datetime(2026, 3, 2, 9, 0)),
        "Taken at 2026-03-02T09:00:00 has no time zone",
    )
    for ahead in (timedelta(minutes=1, seconds=1), timedelta(minutes=5)):
        refused(
            kit.ctx,
            ValidationError,
            lambda ahead=ahead: kit.vitals.record(kit.nurse, sid, 120, 80, taken_at=now + ahead),
            "in the future; a time may be now or earlier",
        )
    # The current minute typed as HH:MM is now: stored as the clock's time, not the typed one.
    ok = kit.vitals.record(kit.nurse, sid, 120, 80, taken_at=now + timedelta(seconds=59))
    assert ok.reading.taken_at == now
    kit.advance(minutes=30)
    earlier = kit.vitals.record(kit.nurse, sid, 124, 82, taken_at=now + timedelta(minutes=10))
    assert earlier.reading.recorded_at == now + timedelta(minutes=30)
    assert [r.id for r in kit.vitals.readings(sid)] == [ok.reading.id, earlier.reading.id]


def test_a_reading_before_check_in_is_refused(kit: Kit) -> None:
    sid = kit.checked_in()
    kit.advance(minutes=20)
    err = refused(
        kit.ctx,
        ValidationError,
        lambda: kit.vitals.record(
            kit.nurse, sid, 120, 80, taken_at=kit.clock.now() - timedelta(minutes=21)
        ),
        "before the patient was checked in",
    )
    assert isinstance(err, ValidationError)
    assert err.field == "Taken at"
    # Within the check-in minute (time fields are typed as HH:MM) is accepted.
    kit.vitals.record(kit.nurse, sid, 120, 80, taken_at=kit.clock.now() - timedelta(minutes=20))


def test_a_future_minute_never_lifts_a_hold_early(kit: Kit) -> None:
    """A recheck typed a minute ahead is judged at the clock's time, not the typed one."""
    sid = kit.checked_in()
    kit.vitals.record(kit.nurse, sid, 152, 94)
    kit.advance(minutes=4)
    rec = kit.vitals.record(
        kit.nurse, sid, 122, 80, taken_at=kit.clock.now() + timedelta(seconds=60)
    )
    assert rec.reading.taken_at == kit.clock.now()


def test_post_dose_alerts_repeat_and_escalate(kit: Kit) -> None:
    sid = kit.dosed()
    kit.advance(minutes=10)
    with audit_probe(kit.ctx.db) as a:
        first = kit.vitals.record(kit.nurse, sid, 186, 104)
    assert a.actions == ["vitals.record", "session.transition"]
    assert kit.sessions.get(sid).state == "monitoring"
    assert (first.band, first.escalate, first.recheck_after_min) == ("alert", False, 5)
    # +64/+26 over the 122/78 baseline: the rise-from-baseline rule fires too (issue 9)
    assert first.reading.rules == ("post-dose-alert", "rise-from-baseline")
    assert first.actions[0] == "Repeat in 5 min; two in a row escalate to the clinician."
    assert not first.hold_active
    kit.advance(minutes=5)
    second = kit.vitals.record(kit.nurse, sid, 184, 100)
    assert (second.band, second.escalate) == ("alert", True)
    assert "escalate" in second.reading.assessment
    kit.advance(minutes=5)
    critical = kit.vitals.record(kit.nurse, sid, 204, 118, pulse=125)
    assert critical.band == "critical"
    assert critical.actions[0] == "Critical blood pressure: call the clinician now."
    assert set(critical.reading.rules) == {
        "critical-bp",
        "post-dose-alert",
        "tachycardia",
        "rise-from-baseline",
    }


def test_a_reading_before_the_first_dose_is_refused_once_the_dose_is_recorded(kit: Kit) -> None:
    """Issue 9 review: a pre-dose reading added after the dose would document a dose past
    a hold, or move the rise-from-baseline; it is refused and nothing is stored."""
    sid = kit.ready()
    kit.advance(minutes=10, seconds=30)
    kit.dose(sid)
    dosed_at = kit.clock.now()  # 09:11:30
    kit.advance(minutes=3)
    for before in (timedelta(seconds=31), timedelta(minutes=5), timedelta(minutes=11)):
        err = refused(
            kit.ctx,
            ValidationError,
            lambda b=before: kit.vitals.record(  # type: ignore[misc]
                kit.nurse, sid, 178, 109, taken_at=dosed_at - b
            ),
        )
        assert isinstance(err, ValidationError)
        assert err.field == "Taken at"
        assert str(err) == (
            "The first dose was recorded at 09:11 UTC; a reading before it can no longer be "
            "added: note it in the session note or an addendum."
        )
    assert kit.sessions.get(sid).state == "dosed"
    assert [r.phase for r in kit.vitals.readings(sid)] == ["pre_dose"]
    # typed in the dose's own minute (times are typed as HH:MM): taken at the dose
    at_dose = kit.vitals.record(kit.nurse, sid, 130, 85, taken_at=dosed_at - timedelta(seconds=30))
    assert at_dose.reading.phase == "post_dose"
    assert at_dose.reading.taken_at == dosed_at


def test_a_stored_reading_is_the_row_its_audit_entry_records(kit: Kit) -> None:
    """Each column of the stored reading (read back fresh) is what its audit entry's
    ``after`` says, error mark columns empty, and the chain still verifies: pre-dose (the
    session moves), pre-dose again, post-dose (moves again), post-dose again."""
    from sqlalchemy import select

    from kapdesk.storage.audit import row_snapshot, verify_chain
    from kapdesk.storage.orm import AuditEntry, VitalReading

    from .sessionkit import YES_TO_ALL

    sid = kit.checked_in()
    recorded = [kit.vitals.record(kit.nurse, sid, 128, 82, pulse=71, spo2=99)]
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
    kit.advance(minutes=5)
    recorded.append(kit.vitals.record(kit.nurse, sid, 126, 80))
    kit.advance(minutes=5)
    kit.dose(sid)
    for bp in ((150, 95), (186, 104)):
        kit.advance(minutes=5)
        recorded.append(kit.vitals.record(kit.nurse, sid, *bp, pulse=80, spo2=97))
    with kit.ctx.db.read() as s:
        for rec in recorded:
            row = s.get_one(VitalReading, rec.reading.id)
            (entry,) = s.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "vitals.record",
                    AuditEntry.entity_id == str(rec.reading.id),
                )
            )
            assert entry.after_data == row_snapshot(row)
            assert (row.error_at, row.error_by, row.error_reason) == (None, None, None)
            assert row.rules == list(rec.reading.rules)
        assert verify_chain(s).ok
