"""SessionService: scheduling, check-in, checklist, cancel/withhold, hold override, discharge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    IllegalTransition,
    KapdeskError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.sessions import SessionService
from kapdesk.storage.orm import Course, Note, Observation, SideEffect

from .conftest import T0, insert_patient_and_course
from .sessionkit import YES_TO_ALL, Kit, audit_probe, refused


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


# ------------------------------------------------------------------ schedule


def test_schedule_returns_the_session_and_audits_it(ctx: ServiceContext, therapist: Actor) -> None:
    _, course = insert_patient_and_course(ctx.db, mrn="K-7")
    when = datetime(2026, 3, 3, 14, 30, tzinfo=UTC)
    with audit_probe(ctx.db) as a:
        info = SessionService(ctx).schedule(therapist, course, when, "  Garden   room ")
    assert (info.room, info.state, info.scheduled_at) == ("Garden room", "scheduled", when)
    assert (info.mrn, info.patient_name, info.protocol_label) == (
        "K-7",
        "Simões, Conceição",
        "kap-default v1.0",
    )
    assert a.actions == ["session.schedule"]
    assert a.entries[0].user_id == therapist.user_id
    assert a.entries[0].after_data["room"] == "Garden room"  # type: ignore[index]


@pytest.mark.parametrize(
    ("room", "when", "match"),
    [
        ("", T0, "Room is required"),
        ("   ", T0, "Room is required"),
        ("x" * 65, T0, "65 characters long; at most 64"),
        ("Room 1", datetime(2026, 3, 3, 9, 0), "time zone"),
    ],
)
def test_schedule_rejects_bad_input(
    ctx: ServiceContext, nurse: Actor, room: str, when: datetime, match: str
) -> None:
    _, course = insert_patient_and_course(ctx.db)
    refused(
        ctx, ValidationError, lambda: SessionService(ctx).schedule(nurse, course, when, room), match
    )


def test_schedule_on_unknown_or_ended_course_or_by_admin(
    ctx: ServiceContext, nurse: Actor, admin: Actor
) -> None:
    svc = SessionService(ctx)
    _, course = insert_patient_and_course(ctx.db)
    refused(
        ctx, NotFound, lambda: svc.schedule(nurse, 999, T0, "Room 1"), "no treatment course #999"
    )
    refused(ctx, PermissionDenied, lambda: svc.schedule(admin, course, T0, "Room 1"))
    with ctx.db.write() as s:
        row = s.get(Course, course)
        assert row is not None
        row.ended_on = date(2026, 3, 1)
    err = refused(ctx, ValidationError, lambda: svc.schedule(nurse, course, T0, "Room 1"))
    assert "ended on 2026-03-01" in str(err)


# ------------------------------------------------------------------ check-in, cancel, withhold


def test_check_in_once_only(kit: Kit, admin: Actor) -> None:
    sid = kit.scheduled()
    refused(kit.ctx, PermissionDenied, lambda: kit.sessions.check_in(admin, sid))
    kit.clock.advance(minutes=3)
    assert kit.sessions.check_in(kit.nurse, sid).checked_in_at == kit.clock.now()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.check_in(kit.nurse, sid),
        "checked in cannot become checked in",
    )
    refused(kit.ctx, NotFound, lambda: kit.sessions.check_in(kit.nurse, 4242))


def test_cancel_needs_a_reason_and_keeps_it(kit: Kit, therapist: Actor) -> None:
    sid = kit.scheduled()
    err = refused(kit.ctx, ValidationError, lambda: kit.sessions.cancel(therapist, sid, "  "))
    assert isinstance(err, ValidationError)
    assert err.field == "Reason"
    with audit_probe(kit.ctx.db) as a:
        info = kit.sessions.cancel(therapist, sid, " Patient unwell ")
    assert (info.state, info.state_reason) == ("cancelled", "Patient unwell")
    assert a.actions == ["session.cancel"]
    refused(kit.ctx, IllegalTransition, lambda: kit.sessions.check_in(kit.nurse, sid))


def test_withhold_dose_is_for_nurses_and_clinicians_before_the_dose(
    kit: Kit, therapist: Actor, clinician: Actor
) -> None:
    sid = kit.ready(bp=(165, 101))
    refused(kit.ctx, PermissionDenied, lambda: kit.sessions.withhold_dose(therapist, sid, "BP"))
    with audit_probe(kit.ctx.db) as a:
        info = kit.sessions.withhold_dose(kit.nurse, sid, "BP 165/101 on two readings")
    assert (info.state, info.state_reason) == ("dose_withheld", "BP 165/101 on two readings")
    assert a.actions == ["session.withhold_dose"]

    dosed = kit.dosed(mrn="MRN-2")
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.cancel(clinician, dosed, "Changed mind"),
        "dosed cannot become cancelled",
    )


# ------------------------------------------------------------------ checklist


def test_checklist_merges_answers_and_audits_each_change(kit: Kit) -> None:
    sid = kit.checked_in()
    with audit_probe(kit.ctx.db) as a:
        kit.sessions.record_checklist(kit.nurse, sid, {"consent": True})
        kit.sessions.record_checklist(kit.nurse, sid, {"ride_home": False, "weight_kg": 81})
        info = kit.sessions.record_checklist(kit.nurse, sid, {"ride_home": None})
    assert info.checklist == {"consent": True, "weight_kg": 81.0}
    assert info.weight_kg == 81.0
    assert a.actions == ["session.checklist"] * 3
    assert a.entries[1].before_data["checklist"] == {"consent": True}  # type: ignore[index]
    assert a.entries[2].before_data["checklist"]["ride_home"] is False  # type: ignore[index]

    with audit_probe(kit.ctx.db) as a:
        same = kit.sessions.record_checklist(kit.nurse, sid, {"consent": True})
    assert a.actions == []
    assert same.checklist == info.checklist


def test_checklist_weight_none_clears_the_session_weight(kit: Kit) -> None:
    sid = kit.checked_in()
    kit.sessions.set_weight(kit.nurse, sid, "64.5")
    assert kit.sessions.get(sid).weight_kg == 64.5
    info = kit.sessions.record_checklist(kit.nurse, sid, {"weight_kg": None})
    assert info.weight_kg is None
    assert "weight_kg" not in info.checklist


@pytest.mark.parametrize(
    ("answers", "error", "match"),
    [
        ({"consnet": True}, ValidationError, "'consnet' is not in protocol kap-default v1.0"),
        ({"consent": "yes"}, ValidationError, "takes yes or no"),
        ({"consent": 1}, ValidationError, "takes yes or no"),
        ({"weight_kg": 20}, ValidationError, "Weight 20 kg is outside the allowed range 25-350 kg"),
        ({"weight_kg": True}, ValidationError, "not a number"),
        ({"consent": True, "weight_kg": 400}, ValidationError, "outside the allowed range"),
    ],
)
def test_checklist_rejects_bad_answers(
    kit: Kit, answers: dict[str, Any], error: type[KapdeskError], match: str
) -> None:
    sid = kit.checked_in()
    refused(kit.ctx, error, lambda: kit.sessions.record_checklist(kit.nurse, sid, answers), match)


def test_checklist_items_follow_the_protocol_routes(kit: Kit) -> None:
    kap = kit.checked_in()
    assert kit.sessions.record_checklist(kit.nurse, kap, {"nasal_products": True}).checklist
    iv = kit.checked_in(mrn="MRN-2", protocol_id="iv-infusion")
    refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.record_checklist(kit.nurse, iv, {"nasal_products": True}),
        "not in protocol iv-infusion",
    )


def test_checklist_only_while_checked_in_or_taking_pre_dose_vitals(
    kit: Kit, therapist: Actor
) -> None:
    sid = kit.scheduled()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.record_checklist(kit.nurse, sid, {"consent": True}),
        "this session is scheduled",
    )
    kit.sessions.check_in(kit.nurse, sid)
    refused(
        kit.ctx,
        PermissionDenied,
        lambda: kit.sessions.record_checklist(therapist, sid, {"consent": True}),
    )
    kit.vitals.record(kit.nurse, sid, 120, 80)
    assert kit.sessions.record_checklist(kit.nurse, sid, {"consent": True}).state == (
        "pre_dose_vitals"
    )


def test_weight_is_fixed_once_a_mg_per_kg_dose_exists(kit: Kit) -> None:
    sid = kit.dosed()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.set_weight(kit.nurse, sid, 80),
        r"weight \(70 kg\) is fixed: dose #\d+ was given in mg/kg",
    )
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.record_checklist(kit.nurse, sid, {"consent": False}),
        "this session is dosed",
    )


# ------------------------------------------------------------------ hold override


def test_override_needs_an_active_hold(kit: Kit, clinician: Actor) -> None:
    svc = kit.sessions
    sid = kit.checked_in()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: svc.override_hold(clinician, sid, "Dr. Lima", "ok"),
        "no pre-dose reading has been recorded",
    )
    kit.vitals.record(kit.nurse, sid, 128, 82)
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: svc.override_hold(clinician, sid, "Dr. Lima", "ok"),
        r"latest pre-dose reading \(BP 128/82\) is normal",
    )
    kit.vitals.record(kit.nurse, sid, 146, 88)
    svc.override_hold(clinician, sid, "Dr. Lima", "ok")
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: svc.override_hold(clinician, sid, "Dr. Lima", "again"),
        "already overridden",
    )
    assert not svc.hold_active(sid)


def test_override_input_and_reading_must_match(kit: Kit, clinician: Actor) -> None:
    svc = kit.sessions
    sid = kit.checked_in()
    old = kit.vitals.record(kit.nurse, sid, 150, 96).reading.id
    kit.advance(minutes=5)
    latest = kit.vitals.record(kit.nurse, sid, 149, 95).reading.id
    err = refused(
        kit.ctx,
        ValidationError,
        lambda: svc.override_hold(clinician, sid, "Dr. Lima", "ok", reading_id=old),
        f"Reading #{old} is not the one holding the dose",
    )
    assert f"#{latest} (BP 149/95, elevated)" in str(err)
    err = refused(kit.ctx, ValidationError, lambda: svc.override_hold(clinician, sid, "  ", "ok"))
    assert isinstance(err, ValidationError)
    assert err.field == "Prescriber name"
    refused(
        kit.ctx,
        ValidationError,
        lambda: svc.override_hold(clinician, sid, "Dr. Lima", " "),
        "needs a reason",
    )
    refused(kit.ctx, PermissionDenied, lambda: svc.override_hold(kit.nurse, sid, "Dr. Lima", "ok"))
    assert svc.hold_active(sid)


def test_no_override_after_the_dose_without_a_gating_reading(kit: Kit, clinician: Actor) -> None:
    # issue 9: after the dose an override lifts the post-dose gate, if there is one
    sid = kit.dosed()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.override_hold(clinician, sid, "Dr. Lima", "ok"),
        "no post-dose reading in the alert or critical band is waiting for an override",
    )


# ------------------------------------------------------------------ discharge


def test_discharge_checks_before_and_after_the_dose(kit: Kit) -> None:
    sid = kit.ready()
    checks = {c.id: c for c in kit.sessions.discharge_checks(sid)}
    assert list(checks) == [
        "vitals_acceptable",
        "alert_oriented",
        "steady",
        "ride_home_present",
        "min_observation",
        "readings_taken",
        "side_effects_resolved",
    ]
    assert checks["min_observation"].detail == "No dose given yet."
    assert not any(c.met for c in checks.values() if c.id != "side_effects_resolved")
    assert [c.computed for c in checks.values()] == [True, False, False, False, True, True, True]

    kit.dose(sid)
    kit.advance(minutes=104)
    kit.vitals.record(kit.nurse, sid, 185, 100)  # before the window opens (105 min)
    vitals = kit.sessions.discharge_checks(sid)[0]
    assert not vitals.met
    assert "before the pre-discharge check opened (105 min after the first dose)" in vitals.detail
    kit.advance(minutes=2)
    kit.vitals.record(kit.nurse, sid, 186, 100)
    vitals = kit.sessions.discharge_checks(sid)[0]
    assert not vitals.met
    assert vitals.detail == (
        "Latest reading BP 186/100 (106 min after the first dose) is alert (kap-default v1.0)."
    )
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 150, 90)
    assert kit.sessions.discharge_checks(sid)[0].met
    obs = kit.sessions.discharge_checks(sid)[4]
    assert (obs.met, obs.detail) == (False, "1 h 51 min observed of 2 h required")


def test_discharge_answers_only_for_staff_criteria_after_the_dose(
    kit: Kit, therapist: Actor
) -> None:
    svc = kit.sessions
    sid = kit.ready()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: svc.record_discharge_answers(kit.nurse, sid, {"steady": True}),
        "after the dose",
    )
    kit.dose(sid)
    for answers, match in [
        ({"stedy": True}, "'stedy' is not in protocol"),
        ({"min_observation": True}, "worked out by kapdesk"),
        ({"steady": "yes"}, "takes yes or no"),
    ]:
        refused(
            kit.ctx,
            ValidationError,
            lambda a=answers: svc.record_discharge_answers(kit.nurse, sid, a),  # type: ignore[misc]
            match,
        )
    refused(
        kit.ctx,
        PermissionDenied,
        lambda: svc.record_discharge_answers(therapist, sid, {"steady": True}),
    )
    svc.record_discharge_answers(kit.nurse, sid, {"steady": True, "alert_oriented": False})
    info = svc.record_discharge_answers(kit.nurse, sid, {"alert_oriented": True})
    assert info.discharge_criteria["answers"] == {"steady": True, "alert_oriented": True}
    with audit_probe(kit.ctx.db) as a:
        svc.record_discharge_answers(kit.nurse, sid, {"steady": True})
    assert a.actions == []
    checks = {c.id: c.met for c in svc.discharge_checks(sid)}
    assert checks["steady"]
    assert checks["alert_oriented"]
    assert not checks["ride_home_present"]


def test_discharge_refused_before_the_dose_or_at_a_bad_time(kit: Kit, clinician: Actor) -> None:
    svc = kit.sessions
    sid = kit.ready()
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: svc.discharge(clinician, sid, unmet_reason="x"),
        "taking pre-dose vitals cannot become discharged",
    )
    kit.dose(sid)
    dosed_at = kit.clock.now()
    kit.advance(minutes=150)
    refused(
        kit.ctx,
        ValidationError,
        lambda: svc.discharge(clinician, sid, at=dosed_at - timedelta(minutes=1), unmet_reason="x"),
        "before the last dose",
    )
    refused(
        kit.ctx,
        ValidationError,
        lambda: svc.discharge(
            clinician, sid, at=kit.clock.now() + timedelta(minutes=6), unmet_reason="x"
        ),
        "in the future",
    )
    refused(
        kit.ctx,
        ValidationError,
        lambda: svc.discharge(clinician, sid, at=datetime(2026, 3, 2, 12, 0), unmet_reason="x"),
        "no time zone",
    )


def test_discharge_at_an_earlier_time_judges_the_criteria_then(kit: Kit, clinician: Actor) -> None:
    sid = kit.dosed()
    dosed_at = kit.clock.now()
    kit.advance(minutes=200)
    info = kit.sessions.discharge(
        clinician, sid, at=dosed_at + timedelta(minutes=90), unmet_reason="Left against advice"
    )
    assert info.discharged_at == dosed_at + timedelta(minutes=90)
    stored = {c["id"]: c for c in info.discharge_criteria["checks"]}
    assert stored["min_observation"]["detail"] == "1 h 30 min observed of 2 h required"


# ------------------------------------------------------------------ reading


def test_lists_and_not_found(kit: Kit) -> None:
    svc = kit.sessions
    patient, course = insert_patient_and_course(kit.ctx.db, mrn="L-1")
    late = svc.schedule(kit.nurse, course, T0 + timedelta(days=7), "Room 1").id
    early = svc.schedule(kit.nurse, course, T0, "Room 1").id
    other = kit.scheduled(mrn="L-2")
    assert [s.id for s in svc.sessions_for_course(course)] == [early, late]
    assert [s.id for s in svc.sessions_for_patient(patient)] == [early, late]
    assert svc.get(other).mrn == "L-2"
    with pytest.raises(NotFound):
        svc.get(9999)
    with pytest.raises(NotFound):
        svc.sessions_for_course(9999)
    with pytest.raises(NotFound):
        svc.sessions_for_patient(9999)
    with pytest.raises(NotFound):
        svc.detail(9999)


def test_detail_gathers_everything_of_the_session(kit: Kit, therapist: Actor) -> None:
    sid = kit.ready(bp=(118, 76))
    kit.sessions.record_checklist(kit.nurse, sid, YES_TO_ALL)
    kit.dose(sid)
    kit.advance(minutes=22)
    kit.vitals.record(kit.nurse, sid, 130, 84)
    info = kit.sessions.get(sid)
    now = kit.clock.now()
    with kit.ctx.db.write() as s:
        s.add_all(
            [
                SideEffect(
                    session_id=sid,
                    effect_id="nausea",
                    label="Nausea",
                    present=True,
                    severity="mild",
                    onset_at=now,
                    intervention="",
                    resolved_at=None,
                    recorded_by=kit.nurse.user_id,
                    recorded_at=now,
                ),
                Observation(
                    session_id=sid,
                    kind="moaas",
                    score=4,
                    present=None,
                    text="",
                    observed_at=now,
                    recorded_by=kit.nurse.user_id,
                    recorded_at=now,
                ),
                Note(
                    kind="session",
                    course_id=info.course_id,
                    dosing_session_id=sid,
                    held_at=now,
                    sections={"themes": "grief"},
                    body="Calm.",
                    status="draft",
                    author_id=therapist.user_id,
                    created_at=now,
                    updated_at=now,
                ),
            ]
        )
    detail = kit.sessions.detail(sid)
    assert detail.session.id == sid
    assert detail.patient.mrn == "MRN-1"
    assert detail.course.session_count == 1
    assert detail.course.protocol_title.startswith("Ketamine")
    assert [r.minutes_from_dose for r in detail.readings] == [-1.0, 22.0]
    assert [r.recorded_by for r in detail.readings] == [kit.nurse.full_name] * 2
    assert detail.doses[0].mg == 35.0
    assert detail.doses[0].recorded_by == kit.nurse.full_name
    assert detail.side_effects[0].label == "Nausea"
    assert detail.observations[0].score == 4
    assert detail.notes[0].author == therapist.full_name
    assert detail.notes[0].sections == {"themes": "grief"}
    assert [(i.key, i.status.value) for i in detail.schedule] == [
        ("pre-dose", "done"),
        ("post-dose-20-30#1", "done"),
        ("pre-discharge", "upcoming"),
    ]
    assert detail.route == "im"
    assert not detail.hold_active
    assert len(detail.discharge_checks) == 7


# ------------------------------------------------------------------ permissions


def test_admin_may_change_nothing_in_a_session(kit: Kit, admin: Actor) -> None:
    ready = kit.ready()
    dosed = kit.dosed(mrn="MRN-2")
    course = kit.course(mrn="MRN-3")
    scheduled = kit.scheduled(mrn="MRN-4")
    svc = kit.sessions
    calls: list[Callable[[], object]] = [
        lambda: svc.schedule(admin, course, T0, "Room 1"),
        lambda: svc.check_in(admin, scheduled),
        lambda: svc.record_checklist(admin, ready, {"consent": True}),
        lambda: svc.set_weight(admin, ready, 70),
        lambda: svc.cancel(admin, ready, "x"),
        lambda: svc.withhold_dose(admin, ready, "x"),
        lambda: svc.override_hold(admin, ready, "Dr. Lima", "x"),
        lambda: svc.record_discharge_answers(admin, dosed, {"steady": True}),
        lambda: svc.discharge(admin, dosed, unmet_reason="x"),
        lambda: kit.vitals.record(admin, ready, 120, 80),
        lambda: kit.dose(ready, actor=admin),
    ]
    for call in calls:
        refused(kit.ctx, PermissionDenied, call, "An admin may not")


def test_a_post_dose_gate_override_names_the_latest_gating_reading(
    kit: Kit, clinician: Actor
) -> None:
    # issue 9: the override after the dose lifts the post-dose gate, naming its reading
    sid = kit.dosed()
    kit.advance(minutes=20)
    first = kit.vitals.record(kit.nurse, sid, 190, 100).reading
    kit.advance(minutes=5)
    second = kit.vitals.record(kit.nurse, sid, 186, 104).reading
    err = refused(
        kit.ctx,
        ValidationError,
        lambda: kit.sessions.override_hold(
            clinician, sid, "Dr. Ana Lima", "ok", reading_id=first.id
        ),
        f"Reading #{first.id} is not the one holding the dose",
    )
    assert f"#{second.id} (BP 186/104, alert)" in str(err)
    o = kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Reviewed, settling")
    assert o.reading_id == second.id  # it covers the earlier alert as well
    detail = kit.sessions.detail(sid)
    assert detail.gate is not None
    assert detail.gate.allowed
    assert [x.id for x in detail.gate.overrides] == [o.id]
    kit.advance(minutes=1)
    kit.sessions.discharge(clinician, sid, unmet_reason="Test")
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "late"),
        "takes no doses",
    )


def test_the_session_detail_shows_patient_and_course_as_their_own_services_do(
    kit: Kit,
) -> None:
    """One converter each: what the session screen shows of the patient and the course is
    what PatientService and CourseService return (the course titled by its pinned version)."""
    import kapdesk.services.session_support as support
    from kapdesk.services.courses import CourseService
    from kapdesk.services.patients import PatientService

    assert not hasattr(support, "patient_info")
    assert not hasattr(support, "course_info")
    sid = kit.dosed()
    detail = kit.sessions.detail(sid)
    assert detail.patient == PatientService(kit.ctx).get(detail.patient.id)
    assert detail.course == CourseService(kit.ctx).get(detail.course.id)
