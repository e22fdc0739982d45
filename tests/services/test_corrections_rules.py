"""An entry marked entered in error counts for nothing: holds, alerts, the board, the
schedule, discharge, outcomes and the session's first dose."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import IllegalTransition, ValidationError
from kapdesk.domain.schedule import ItemStatus
from kapdesk.services.alerts import AlertService
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.storage.orm import Course

from .sessionkit import Kit, refused

STAFF_YES = {"alert_oriented": True, "steady": True, "ride_home_present": True}


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def test_a_holding_reading_marked_in_error_lifts_the_hold(kit: Kit, nurse: Actor) -> None:
    sid = kit.ready()
    held = kit.vitals.record(nurse, sid, 172, 104, pulse=80, spo2=98)
    assert held.hold_active
    assert kit.sessions.detail(sid).hold_active
    kit.ctx.corrections.mark_entered_in_error(nurse, "reading", held.reading.id, "wrong patient")
    detail = kit.sessions.detail(sid)
    assert not detail.hold_active
    assert detail.gate is not None
    assert not detail.gate.blocks
    kit.advance(minutes=1)
    kit.dose(sid)  # the normal reading before it stands: the dose is given
    assert kit.sessions.get(sid).state == "dosed"


def test_an_alert_reading_marked_in_error_leaves_the_board(
    kit: Kit, nurse: Actor, clinician: Actor
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=10)
    alert = kit.vitals.record(nurse, sid, 186, 104)
    assert alert.band == "alert"
    [row] = BoardService(kit.ctx).running_sessions()
    assert [a.reading_id for a in row.alerts] == [alert.reading.id]
    assert row.worst_band == "alert"
    kit.ctx.corrections.mark_entered_in_error(nurse, "reading", alert.reading.id, "cuff slipped")
    [row] = BoardService(kit.ctx).running_sessions()
    assert row.alerts == ()
    assert row.worst_band != "alert"
    assert AlertService(kit.ctx).active(sid) == ()
    refused(
        kit.ctx,
        ValidationError,
        lambda: AlertService(kit.ctx).acknowledge(clinician, sid, alert.reading.id),
        match="BP 186/104 was marked entered in error: it raises no alert to acknowledge",
    )
    assert kit.sessions.detail(sid).alerts == ()
    # the screen still lists it, marked
    [_, shown] = kit.sessions.detail(sid).readings
    assert shown.error is not None
    assert shown.error.reason == "cuff slipped"


def test_a_marked_reading_does_not_satisfy_its_due_reading(kit: Kit, nurse: Actor) -> None:
    sid = kit.dosed()
    kit.advance(minutes=25)
    taken = kit.vitals.record(nurse, sid, 126, 80, pulse=76, spo2=98)

    def item() -> ItemStatus:
        schedule = kit.sessions.detail(sid).schedule
        return next(i for i in schedule if i.key.startswith("post-dose-20-30")).status

    assert item() is ItemStatus.DONE
    kit.ctx.corrections.mark_entered_in_error(nurse, "reading", taken.reading.id, "other room")
    assert item() is ItemStatus.DUE


def test_a_marked_booster_no_longer_holds_discharge(kit: Kit, nurse: Actor) -> None:
    sid = kit.dosed()
    first = kit.clock.now()
    kit.clock.set(first + timedelta(minutes=25))
    kit.vitals.record(nurse, sid, 126, 80, pulse=76, spo2=98)
    kit.sessions.record_discharge_answers(nurse, sid, STAFF_YES)
    kit.clock.set(first + timedelta(minutes=100))
    booster = kit.dose(sid, amount=0.25)
    kit.clock.set(first + timedelta(minutes=121))
    kit.vitals.record(nurse, sid, 122, 78, pulse=72, spo2=98)
    unmet = {c.id for c in kit.sessions.discharge_checks(sid) if not c.met}
    assert "min_observation" in unmet  # 21 min since the booster
    kit.ctx.corrections.mark_entered_in_error(nurse, "dose", booster, "booster not given")
    checks = {c.id: c for c in kit.sessions.discharge_checks(sid)}
    assert checks["min_observation"].met, checks["min_observation"].detail
    assert all(c.met for c in checks.values()), [c for c in checks.values() if not c.met]
    assert kit.sessions.discharge(nurse, sid).state == "discharged"


def test_a_marked_side_effect_needs_no_resolving(kit: Kit, nurse: Actor) -> None:
    sid = kit.dosed()
    first = kit.clock.now()
    effect = SideEffectService(kit.ctx).record(nurse, sid, "nausea", severity="moderate")
    kit.clock.set(first + timedelta(minutes=25))
    kit.vitals.record(nurse, sid, 126, 80, pulse=76, spo2=98)
    kit.sessions.record_discharge_answers(nurse, sid, STAFF_YES)
    kit.clock.set(first + timedelta(minutes=121))
    kit.vitals.record(nurse, sid, 122, 78, pulse=72, spo2=98)
    assert {c.id for c in kit.sessions.discharge_checks(sid) if not c.met} == {
        "side_effects_resolved"
    }
    kit.ctx.corrections.mark_entered_in_error(nurse, "side_effect", effect.id, "wrong patient")
    assert all(c.met for c in kit.sessions.discharge_checks(sid))


def test_a_marked_phq9_is_not_a_course_score(kit: Kit, therapist: Actor) -> None:
    course = kit.course()
    with kit.ctx.db.read() as s:
        row = s.get(Course, course)
        assert row is not None
        patient = row.patient_id
    svc = InstrumentService(kit.ctx)
    baseline = svc.record(therapist, patient, "PHQ-9", [2] * 9, course_id=course)  # 18
    kit.advance(minutes=60 * 24 * 14)
    svc.record(therapist, patient, "PHQ-9", [1] * 9, course_id=course)  # 9
    kit.advance(minutes=60 * 24 * 14)
    typo = svc.record(therapist, patient, "PHQ-9", [0] * 9, course_id=course)  # 0
    outcome = svc.course_outcome(course)
    assert outcome.latest is not None
    assert outcome.latest.total == 0
    kit.ctx.corrections.mark_entered_in_error(therapist, "instrument", typo.id, "not answered")
    outcome = svc.course_outcome(course)
    assert outcome.baseline is not None
    assert outcome.baseline.id == baseline.id
    assert outcome.latest is not None
    assert outcome.latest.total == 9
    assert [r.total for r in outcome.results] == [18, 9]
    assert outcome.outcome is not None
    assert outcome.outcome.response  # 18 -> 9: a 50 % fall
    assert [r.error is not None for r in svc.history(patient)] == [False, False, True]


def test_the_first_dose_marked_sends_the_session_back_to_pre_dose(kit: Kit, nurse: Actor) -> None:
    sid = kit.ready()
    dose = kit.dose(sid)
    assert kit.sessions.get(sid).first_dose_at is not None
    kit.ctx.corrections.mark_entered_in_error(nurse, "dose", dose, "wrong session")
    info = kit.sessions.get(sid)
    assert (info.state, info.first_dose_at) == ("pre_dose_vitals", None)
    kit.advance(minutes=2)
    again = kit.dose(sid)
    info = kit.sessions.get(sid)
    assert info.state == "dosed"
    assert info.first_dose_at == kit.clock.now()
    [marked, given] = kit.doses.doses(sid)
    assert (marked.id, marked.error is not None, given.id, given.error) == (dose, True, again, None)


def test_a_wrong_weight_is_corrected_after_its_dose_is_marked(kit: Kit, nurse: Actor) -> None:
    sid = kit.ready(weight=90.0)  # typed 90 for 70: the mg/kg dose fixes the weight
    dose = kit.dose(sid)
    with pytest.raises(IllegalTransition, match="is fixed"):
        kit.sessions.record_checklist(nurse, sid, {"weight_kg": 70.0})
    kit.ctx.corrections.mark_entered_in_error(nurse, "dose", dose, "Weight typed 90 for 70")
    kit.sessions.record_checklist(nurse, sid, {"weight_kg": 70.0})
    kit.dose(sid)
    [marked, given] = kit.doses.doses(sid)
    assert (marked.mg, given.mg) == (45.0, 35.0)
    assert given.error is None


def test_the_first_dose_cannot_be_marked_under_post_dose_readings(kit: Kit, nurse: Actor) -> None:
    sid = kit.dosed()
    [dose] = kit.doses.doses(sid)
    kit.advance(minutes=25)
    kit.vitals.record(nurse, sid, 126, 80, pulse=76, spo2=98)
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.ctx.corrections.mark_entered_in_error(nurse, "dose", dose.id, "typo"),
        match="first dose and 1 post-dose reading rest on it: mark those entered in error",
    )
