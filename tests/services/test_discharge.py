"""Discharge through SessionService: boosters restart the clock, missed readings and
unresolved side effects are unmet criteria, only a clinician with a reason may discharge
against them (stored and audited), and a discharge time is never ahead of the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.side_effects import SideEffectService
from kapdesk.storage.orm import AuditEntry, DosingSession

from .conftest import table_counts
from .sessionkit import Kit, audit_probe, refused

STAFF_YES = {"alert_oriented": True, "steady": True, "ride_home_present": True}


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def dosed_with_readings(kit: Kit) -> tuple[int, datetime]:
    """kap-default IM: pre-dose reading, dose at minute 0, the 20-30 min reading, ticks."""
    sid = kit.dosed()
    first = kit.clock.now()
    kit.advance(minutes=25)
    kit.vitals.record(kit.nurse, sid, 126, 80, pulse=76, spo2=98)
    kit.sessions.record_discharge_answers(kit.nurse, sid, STAFF_YES)
    return sid, first


def unmet_ids(kit: Kit, sid: int) -> set[str]:
    return {c.id for c in kit.sessions.discharge_checks(sid) if not c.met}


def stored(kit: Kit, sid: int) -> DosingSession:
    with kit.ctx.db.read() as s:
        row = s.get(DosingSession, sid)
        assert row is not None
        s.expunge(row)
        return row


# ------------------------------------------------------------------ boosters


def test_a_booster_at_100_min_keeps_discharge_unmet_until_160_min(kit: Kit) -> None:
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=100))
    kit.dose(sid, amount=0.25)  # booster
    kit.clock.set(first + timedelta(minutes=125))
    kit.vitals.record(kit.nurse, sid, 124, 80, pulse=74, spo2=98)  # 20-30 min after the booster
    kit.clock.set(first + timedelta(minutes=146))
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)  # pre-discharge (opens 145)

    kit.clock.set(first + timedelta(minutes=159))
    assert unmet_ids(kit, sid) == {"min_observation"}
    obs = next(c for c in kit.sessions.discharge_checks(sid) if c.id == "min_observation")
    assert "59 min since the last dose (+100 min) of 1 h required" in obs.detail
    refused(
        kit.ctx,
        PermissionDenied,
        lambda: kit.sessions.discharge(kit.nurse, sid),
        "Minimum observation time passed",
    )
    kit.clock.set(first + timedelta(minutes=160))
    assert unmet_ids(kit, sid) == set()
    info = kit.sessions.discharge(kit.nurse, sid)
    assert (info.state, info.discharge_reason) == ("discharged", None)


# ------------------------------------------------------------------ readings


def test_a_missed_reading_is_unmet_a_nurse_is_refused_a_clinician_gives_a_reason(
    kit: Kit, clinician: Actor
) -> None:
    sid = kit.dosed()
    first = kit.clock.now()
    kit.sessions.record_discharge_answers(kit.nurse, sid, STAFF_YES)
    kit.clock.set(first + timedelta(minutes=110))  # no 20-30 min reading was taken
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    kit.clock.set(first + timedelta(minutes=121))
    assert unmet_ids(kit, sid) == {"readings_taken"}
    readings = next(c for c in kit.sessions.discharge_checks(sid) if c.id == "readings_taken")
    assert "20-30 min after dose" in readings.detail

    denials = table_counts(kit.ctx.db, include_denials=True)["audit_log"]
    err = refused(kit.ctx, PermissionDenied, lambda: kit.sessions.discharge(kit.nurse, sid))
    assert table_counts(kit.ctx.db, include_denials=True)["audit_log"] == denials + 1  # audited
    assert "Discharge criteria of kap-default v1.0 not met" in str(err)
    assert "Every required reading taken" in str(err)
    assert "Only a clinician may discharge with unmet criteria" in str(err)
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.discharge(clinician, sid),
        "needs a reason",
    )

    with audit_probe(kit.ctx.db) as a:
        info = kit.sessions.discharge(clinician, sid, unmet_reason="Reading missed; BP fine at 110")
    assert a.actions == ["session.discharge"]
    entry: AuditEntry = a.entries[0]
    assert entry.user_id == clinician.user_id
    assert entry.after_data is not None
    assert entry.after_data["discharge_reason"] == "Reading missed; BP fine at 110"
    assert entry.after_data["discharge_criteria"]["against_criteria"] is True
    row = stored(kit, sid)
    assert row.discharge_reason == "Reading missed; BP fine at 110"
    assert row.discharged_by == clinician.user_id
    assert row.discharge_criteria["against_criteria"] is True
    frozen = {c["id"]: c["met"] for c in row.discharge_criteria["checks"]}
    assert frozen["readings_taken"] is False
    assert info.discharge_reason == "Reading missed; BP fine at 110"


def test_a_pre_discharge_reading_never_taken_is_unmet(kit: Kit) -> None:
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=130))
    assert unmet_ids(kit, sid) == {"readings_taken", "vitals_acceptable"}
    c = next(c for c in kit.sessions.discharge_checks(sid) if c.id == "readings_taken")
    assert c.detail == "Due now: Before discharge."


# ------------------------------------------------------------------ side effects


def test_an_unresolved_side_effect_is_unmet_until_resolved(kit: Kit) -> None:
    sid, first = dosed_with_readings(kit)
    effects = SideEffectService(kit.ctx)
    nausea = effects.record(kit.nurse, sid, "nausea", present=True, severity="moderate")
    kit.clock.set(first + timedelta(minutes=110))
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    kit.clock.set(first + timedelta(minutes=121))
    assert unmet_ids(kit, sid) == {"side_effects_resolved"}
    c = next(c for c in kit.sessions.discharge_checks(sid) if c.id == "side_effects_resolved")
    assert c.detail == "Not resolved: Nausea (grade 2 – moderate)."
    refused(kit.ctx, PermissionDenied, lambda: kit.sessions.discharge(kit.nurse, sid), "Nausea")
    effects.resolve(kit.nurse, nausea.id)
    assert unmet_ids(kit, sid) == set()
    assert kit.sessions.discharge(kit.nurse, sid).state == "discharged"


# ------------------------------------------------------------------ time


def test_a_future_discharge_time_is_refused(kit: Kit, clinician: Actor) -> None:
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=100))
    now = kit.clock.now()
    for ahead in (timedelta(minutes=2), timedelta(minutes=4, seconds=59)):
        err = refused(
            kit.ctx,
            ValidationError,
            lambda a=ahead: kit.sessions.discharge(clinician, sid, at=now + a, unmet_reason="x"),  # type: ignore[misc]
            "in the future",
        )
        assert isinstance(err, ValidationError)
        assert err.field == "Discharged at"


def test_a_discharge_time_a_few_seconds_ahead_is_the_clock(kit: Kit, clinician: Actor) -> None:
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=100))
    now = kit.clock.now()
    info = kit.sessions.discharge(
        clinician, sid, at=now + timedelta(seconds=40), unmet_reason="Family emergency"
    )
    assert info.discharged_at == now


def test_minimum_observation_is_not_borrowed_from_a_typed_time(kit: Kit) -> None:
    """At 1 h 58 min a time typed 3 min ahead (2 h 01) does not make 2 h look observed."""
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=110))
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    kit.clock.set(first + timedelta(minutes=118))
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.discharge(kit.nurse, sid, at=first + timedelta(minutes=121)),
        "in the future",
    )
    with kit.ctx.db.read() as s:
        assert s.scalar(select(DosingSession.state).where(DosingSession.id == sid)) == "monitoring"


# ------------------------------------------------------------------ issue 9 review: each value


def test_a_low_spo2_followed_by_bp_only_readings_keeps_vitals_unacceptable(kit: Kit) -> None:
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=111))
    kit.vitals.record(kit.nurse, sid, 125, 80, pulse=80, spo2=87)
    kit.clock.set(first + timedelta(minutes=113))
    kit.vitals.record(kit.nurse, sid, 124, 80)  # BP only
    kit.clock.set(first + timedelta(minutes=124))
    kit.vitals.record(kit.nurse, sid, 123, 80)  # BP only again
    assert "vitals_acceptable" in unmet_ids(kit, sid)
    c = next(c for c in kit.sessions.discharge_checks(sid) if c.id == "vitals_acceptable")
    assert "SpO2 87 % (111 min after the first dose) is alert" in c.detail
    refused(kit.ctx, PermissionDenied, lambda: kit.sessions.discharge(kit.nurse, sid), "SpO2 87")
    assert stored(kit, sid).state == "monitoring"
    kit.vitals.record(kit.nurse, sid, 123, 80, spo2=96)  # SpO2 measured again, within limits
    assert unmet_ids(kit, sid) == set()
    assert kit.sessions.discharge(kit.nurse, sid).state == "discharged"


# ------------------------------------------------------------------ issue 9 review: backdating


def test_a_discharge_before_the_latest_reading_is_refused(kit: Kit, clinician: Actor) -> None:
    """At +125 a critical 215/125 is recorded: a discharge typed at +121 is refused, for a
    nurse and for a clinician with a reason alike, naming the reading's time."""
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=110))
    kit.vitals.record(kit.nurse, sid, 125, 80, pulse=80, spo2=98)
    kit.clock.set(first + timedelta(minutes=125))
    kit.vitals.record(kit.nurse, sid, 215, 125, pulse=80, spo2=98)
    back = first + timedelta(minutes=121)
    latest = f"{first + timedelta(minutes=125):%H:%M}"
    for actor, reason in ((kit.nurse, None), (clinician, "Left with family")):
        err = refused(
            kit.ctx,
            ValidationError,
            lambda a=actor, r=reason: kit.sessions.discharge(a, sid, at=back, unmet_reason=r),  # type: ignore[misc]
            "before the latest reading",
        )
        assert isinstance(err, ValidationError)
        assert err.field == "Discharged at"
        assert latest in str(err)
    assert stored(kit, sid).state == "monitoring"


def test_a_backdated_discharge_sees_a_side_effect_recorded_since(kit: Kit) -> None:
    """A severe vomiting (onset +100) recorded at +125 is unresolved for a discharge typed
    at +121; minimum observation is judged at +121."""
    sid, first = dosed_with_readings(kit)
    kit.clock.set(first + timedelta(minutes=110))
    kit.vitals.record(kit.nurse, sid, 125, 80, pulse=80, spo2=98)
    kit.clock.set(first + timedelta(minutes=125))
    SideEffectService(kit.ctx).record(
        kit.nurse,
        sid,
        "vomiting",
        present=True,
        severity="severe",
        onset_at=first + timedelta(minutes=100),
    )
    err = refused(
        kit.ctx,
        PermissionDenied,
        lambda: kit.sessions.discharge(kit.nurse, sid, at=first + timedelta(minutes=121)),
        "Vomiting",
    )
    assert "Minimum observation" not in str(err)  # 2 h 01 min observed at +121
    assert stored(kit, sid).state == "monitoring"
