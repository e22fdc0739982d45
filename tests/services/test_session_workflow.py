"""A kap-default dosing session from scheduling to discharge, as the room lives it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    IllegalTransition,
    KapdeskError,
    PermissionDenied,
    ValidationError,
)
from kapdesk.domain.schedule import ItemStatus
from kapdesk.domain.session_state import SessionState, allowed_targets, has_been_dosed
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.doses import DoseService
from kapdesk.services.sessions import SessionService
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.audit import verify_chain

from .conftest import insert_patient_and_course, table_counts
from .sessionkit import YES_TO_ALL, Kit, audit_probe


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def _item(ctx: ServiceContext, sid: int, key: str) -> tuple[ItemStatus, bool | None]:
    detail = SessionService(ctx).detail(sid)
    item = next(i for i in detail.schedule if i.key == key)
    return item.status, item.on_time


def test_full_kap_default_session(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor
) -> None:
    sessions, vitals, doses = SessionService(ctx), VitalsService(ctx), DoseService(ctx)
    _, course = insert_patient_and_course(ctx.db)

    with audit_probe(ctx.db) as a:
        sid = sessions.schedule(nurse, course, clock.now(), "Room 2").id
    assert a.actions == ["session.schedule"]
    assert a.entities == [("dosing_session", str(sid))]

    with audit_probe(ctx.db) as a:
        info = sessions.check_in(nurse, sid)
    assert (info.state, info.checked_in_at) == ("checked_in", clock.now())
    assert a.actions == ["session.check_in"]

    with audit_probe(ctx.db) as a:
        info = sessions.record_checklist(nurse, sid, {**YES_TO_ALL, "weight_kg": "72,5"})
    assert info.weight_kg == 72.5
    assert info.checklist["weight_kg"] == 72.5
    assert a.actions == ["session.checklist"]
    assert a.entries[0].before_data["checklist"] == {}  # type: ignore[index]
    assert a.entries[0].after_data["weight_kg"] == 72.5  # type: ignore[index]

    # Elevated pre-dose BP: the dose is held.
    clock.advance(minutes=2)
    with audit_probe(ctx.db) as a:
        first = vitals.record(nurse, sid, 152, 94, pulse=80, spo2=97)
    assert first.band == "elevated"
    assert first.hold_active
    assert first.recheck_after_min == 5
    assert first.reading.phase == "pre_dose"
    assert "kap-default v1.0" in first.reading.assessment
    assert a.actions == ["vitals.record", "session.transition"]
    assert a.entities == [("vital_reading", str(first.reading.id)), ("dosing_session", str(sid))]
    assert sessions.get(sid).state == "pre_dose_vitals"

    clock.advance(minutes=1)
    before = table_counts(ctx.db)
    with pytest.raises(IllegalTransition) as held:
        doses.record(
            nurse,
            sid,
            medication="racemic ketamine",
            route="im",
            amount=0.5,
            unit="mg/kg",
            lot_number="LOT-1",
        )
    assert str(held.value) == (
        "Dose refused: held by pre-dose-elevated, kap-default v1.0: pre-dose BP 152/94 at "
        "09:02 UTC is elevated. Recheck after rest (from 09:07), or a clinician records "
        "an override with the prescriber's name and a reason."
    )
    with pytest.raises(PermissionDenied):
        sessions.override_hold(nurse, sid, "Dr. Ana Lima", "Baseline hypertension, stable")
    assert table_counts(ctx.db) == before

    # The recheck after rest is still elevated: still held; a clinician overrides.
    clock.advance(minutes=5)
    recheck = vitals.record(nurse, sid, 148, 92)
    assert recheck.hold_active
    assert SessionService(ctx).detail(sid).hold_active
    with audit_probe(ctx.db) as a:
        override = sessions.override_hold(
            clinician,
            sid,
            "Dr. Ana Lima, MD",
            "Known baseline, asymptomatic",
            reading_id=recheck.reading.id,
        )
    assert a.actions == ["session.override_hold"]
    assert a.entities == [("hold_override", str(override.id))]
    assert override.reading_id == recheck.reading.id
    assert override.recorded_by == clinician.full_name
    assert not sessions.detail(sid).hold_active

    # Dose: 0.5 mg/kg x 72.5 kg = 36.25 -> 36.3 mg.
    clock.advance(minutes=1)
    with audit_probe(ctx.db) as a:
        dose = doses.record(
            nurse,
            sid,
            medication="racemic ketamine",
            route="im",
            amount=0.5,
            unit="mg/kg",
            lot_number=" LOT-1 ",
        )
    dosed_at = clock.now()
    assert (dose.mg, dose.lot_number, dose.given_by, dose.is_booster) == (
        36.3,
        "LOT-1",
        nurse.full_name,
        False,
    )
    assert a.actions == ["dose.record", "session.transition"]
    info = sessions.get(sid)
    assert (info.state, info.first_dose_at) == ("dosed", dosed_at)

    # The 20-30 min window: upcoming at 19:59, due at 20:00, done by a reading at 25.
    clock.set(dosed_at + timedelta(minutes=19, seconds=59))
    assert _item(ctx, sid, "post-dose-20-30#1") == (ItemStatus.UPCOMING, None)
    board = BoardService(ctx).running_sessions()
    assert board[0].next_due is not None
    assert board[0].next_due.key == "post-dose-20-30#1"
    clock.set(dosed_at + timedelta(minutes=20))
    assert _item(ctx, sid, "post-dose-20-30#1") == (ItemStatus.DUE, None)
    clock.set(dosed_at + timedelta(minutes=25))
    with audit_probe(ctx.db) as a:
        post = vitals.record(nurse, sid, 134, 86, pulse=88, spo2=97)
    assert post.reading.phase == "post_dose"
    assert post.band == "normal"
    assert post.reading.minutes_from_dose == 25.0
    assert a.actions == ["vitals.record", "session.transition"]
    assert sessions.get(sid).state == "monitoring"
    assert _item(ctx, sid, "post-dose-20-30#1") == (ItemStatus.DONE, True)

    # A booster at 40 min opens its own 20-30 window (60-70 min).
    clock.set(dosed_at + timedelta(minutes=40))
    with audit_probe(ctx.db) as a:
        booster = doses.record(
            nurse,
            sid,
            medication="racemic ketamine",
            route="im",
            amount=0.25,
            unit="mg/kg",
            lot_number="LOT-1",
        )
    assert booster.is_booster
    assert a.actions == ["dose.record"]
    assert sessions.get(sid).state == "monitoring"
    clock.set(dosed_at + timedelta(minutes=70))
    assert _item(ctx, sid, "post-dose-20-30#2") == (ItemStatus.DUE, None)
    clock.set(dosed_at + timedelta(minutes=70, seconds=1))
    assert _item(ctx, sid, "post-dose-20-30#2") == (ItemStatus.OVERDUE, None)
    row = BoardService(ctx).running_sessions()[0]
    assert "Reading overdue" in row.flags
    assert row.next_due is not None
    assert row.next_due.key == "post-dose-20-30#2"
    clock.set(dosed_at + timedelta(minutes=72))
    vitals.record(nurse, sid, 128, 84)
    assert _item(ctx, sid, "post-dose-20-30#2") == (ItemStatus.DONE, False)
    assert "Reading overdue" not in BoardService(ctx).running_sessions()[0].flags

    # Too early to discharge: the nurse cannot accept unmet criteria.
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied, match="Minimum observation time passed"):
        sessions.discharge(nurse, sid)
    assert table_counts(ctx.db) == before

    with audit_probe(ctx.db) as a:
        sessions.record_discharge_answers(
            nurse, sid, {"alert_oriented": True, "steady": True, "ride_home_present": True}
        )
    assert a.actions == ["session.discharge_answers"]

    # Pre-discharge reading once its window opens (105 min), discharge at 2 h.
    clock.set(dosed_at + timedelta(minutes=106))
    vitals.record(nurse, sid, 124, 80)
    clock.set(dosed_at + timedelta(minutes=120))
    checks = {c.id: c for c in sessions.discharge_checks(sid)}
    assert all(c.met for c in checks.values())
    assert checks["min_observation"].detail == (
        "2 h 00 min observed of 2 h required; 1 h 20 min since the last dose (+40 min) "
        "of 1 h required"
    )
    assert "BP 124/80" in checks["vitals_acceptable"].detail
    with audit_probe(ctx.db) as a:
        info = sessions.discharge(nurse, sid)
    assert a.actions == ["session.discharge"]
    assert (info.state, info.discharged_at, info.discharge_reason) == (
        "discharged",
        clock.now(),
        None,
    )
    assert [c["id"] for c in info.discharge_criteria["checks"]] == list(checks)
    assert a.entries[0].before_data["state"] == "monitoring"  # type: ignore[index]

    # Finished: no more readings; the checks stay as they were at discharge.
    clock.advance(minutes=90)
    with pytest.raises(IllegalTransition, match="takes no more readings"):
        vitals.record(nurse, sid, 120, 80)
    assert sessions.discharge_checks(sid) == tuple(checks.values())
    detail = sessions.detail(sid)
    assert [r.systolic for r in detail.readings] == [152, 148, 134, 128, 124]
    assert len(detail.doses) == 2
    assert len(detail.overrides) == 1
    assert detail.route == "im"
    assert all(i.status is not ItemStatus.OVERDUE for i in detail.schedule)
    assert BoardService(ctx).running_sessions() == []


def test_normal_recheck_clears_the_hold_without_an_override(kit: Kit) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    assert kit.vitals.record(kit.nurse, sid, 150, 95).hold_active
    kit.advance(minutes=5)
    recheck = kit.vitals.record(kit.nurse, sid, 132, 84)
    assert recheck.band == "normal"
    assert not recheck.hold_active
    kit.advance(minutes=1)
    kit.dose(sid)
    assert kit.sessions.get(sid).state == "dosed"
    assert kit.sessions.detail(sid).overrides == ()


def test_elevated_recheck_after_an_override_holds_again(kit: Kit, clinician: Actor) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 150, 95)
    kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Baseline")
    kit.advance(minutes=5)
    again = kit.vitals.record(kit.nurse, sid, 182, 104)
    assert again.hold_active
    kit.advance(minutes=1)
    with pytest.raises(IllegalTransition, match=r"pre-dose BP 182/104 at .* is elevated"):
        kit.dose(sid)


def test_discharge_with_unmet_criteria_needs_a_clinician_and_a_reason(
    kit: Kit, clinician: Actor
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=30)
    before = table_counts(kit.ctx.db)
    with pytest.raises(PermissionDenied, match="Only a clinician may discharge"):
        kit.sessions.discharge(kit.nurse, sid, unmet_reason="Transfer to ED")
    with pytest.raises(ValidationError, match="needs a reason") as exc:
        kit.sessions.discharge(clinician, sid, unmet_reason="   ")
    assert exc.value.field == "Reason"
    assert table_counts(kit.ctx.db) == before

    with audit_probe(kit.ctx.db) as a:
        info = kit.sessions.discharge(clinician, sid, unmet_reason="Transfer to ED for chest pain")
    assert a.actions == ["session.discharge"]
    # From dosed (no post-dose reading) through monitoring to discharged.
    assert a.entries[0].before_data["state"] == "dosed"  # type: ignore[index]
    assert info.state == "discharged"
    assert info.discharge_reason == "Transfer to ED for chest pain"
    stored = {c["id"]: c for c in info.discharge_criteria["checks"]}
    assert stored["min_observation"]["met"] is False
    assert stored["min_observation"]["detail"] == "30 min observed of 2 h required"
    assert stored["vitals_acceptable"]["met"] is False


# ------------------------------------------------------------------ any sequence of steps

# Common steps appear more often than the ones that end a session early.
_STEPS = (
    *("check_in", "weight", "vitals_normal", "vitals_elevated", "override", "dose") * 3,
    *("answers", "discharge_nurse", "discharge_clinician", "wait") * 2,
    "cancel",
    "withhold",
)
_MRNS = itertools.count(1)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ready=st.booleans(), steps=st.lists(st.sampled_from(_STEPS), min_size=1, max_size=20))
def test_any_sequence_of_steps_keeps_the_session_consistent(
    kit: Kit, clinician: Actor, ready: bool, steps: list[str]
) -> None:
    """Whatever staff click, in any order: a step either works and moves the session
    along the state machine, or is refused and leaves no trace; the audit chain holds."""
    mrn = f"H-{next(_MRNS)}"
    sid = kit.ready(mrn=mrn) if ready else kit.scheduled(mrn=mrn)
    svc, nurse = kit.sessions, kit.nurse
    actions: dict[str, Callable[[], object]] = {
        "check_in": lambda: svc.check_in(nurse, sid),
        "weight": lambda: svc.set_weight(nurse, sid, 70),
        "vitals_normal": lambda: kit.vitals.record(nurse, sid, 124, 80),
        "vitals_elevated": lambda: kit.vitals.record(nurse, sid, 186, 112),
        "override": lambda: svc.override_hold(clinician, sid, "Dr. Ana Lima", "Reviewed"),
        "dose": lambda: kit.dose(sid),
        "answers": lambda: svc.record_discharge_answers(
            nurse, sid, {"alert_oriented": True, "steady": True, "ride_home_present": True}
        ),
        "discharge_nurse": lambda: svc.discharge(nurse, sid),
        "discharge_clinician": lambda: svc.discharge(clinician, sid, unmet_reason="Reviewed"),
        "cancel": lambda: svc.cancel(nurse, sid, "Unwell"),
        "withhold": lambda: svc.withhold_dose(nurse, sid, "BP"),
        "wait": lambda: kit.advance(minutes=40),
    }
    state = SessionState(svc.get(sid).state)
    for step in steps:
        before = table_counts(kit.ctx.db)
        try:
            actions[step]()
        except KapdeskError:
            assert table_counts(kit.ctx.db) == before, step
        info = svc.get(sid)
        new = SessionState(info.state)
        assert (
            new == state
            or new in allowed_targets(state)
            or (state is SessionState.DOSED and new is SessionState.DISCHARGED)
        ), (step, state, new)
        assert (info.first_dose_at is not None) == has_been_dosed(new)
        assert (info.discharged_at is not None) == (new is SessionState.DISCHARGED)
        state = new
        kit.advance(seconds=30)
    with kit.ctx.db.read() as s:
        assert verify_chain(s).ok
