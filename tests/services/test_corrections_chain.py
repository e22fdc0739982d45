"""Entered in error, in order: an entry others rest on is marked after them. A pre-dose
reading carries the dose given on it (and every post-dose band measured against it); the
first dose carries the post-dose readings, boosters, observations and side effects. A
marked side effect is no longer corrected or resolved, and gives no route."""

from __future__ import annotations

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import IllegalTransition
from kapdesk.services.alerts import AlertService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.storage.orm import SideEffect

from .sessionkit import Kit, refused


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def test_a_pre_dose_reading_under_a_standing_dose_is_marked_last(kit: Kit, nurse: Actor) -> None:
    sid = kit.ready(bp=(100, 60))  # typed 100/60 for 150/90
    dose = kit.dose(sid)
    given = kit.ctx.shown(kit.clock.now())
    kit.advance(minutes=20)
    post = kit.vitals.record(nurse, sid, 145, 88, pulse=80, spo2=97)
    assert AlertService(kit.ctx).active(sid)  # a rise measured against 100/60
    [pre, _] = kit.vitals.readings(sid)
    corrections = kit.ctx.corrections
    why = corrections.refusal("reading", pre.id)
    assert why is not None
    assert f"dose at {given}" in why.message
    assert f"Mark the dose at {given} entered in error first" == why.menu_text
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: corrections.mark_entered_in_error(nurse, "reading", pre.id, "typed 100/60"),
        match=rf"The dose at {given} was given on pre-dose reading {pre.id}: mark the dose",
    )
    assert AlertService(kit.ctx).active(sid)
    # The chain: the post-dose reading, then the dose, then the pre-dose reading.
    corrections.mark_entered_in_error(nurse, "reading", post.reading.id, "wrong baseline")
    corrections.mark_entered_in_error(nurse, "dose", dose, "wrong baseline")
    assert corrections.refusal("reading", pre.id) is None
    corrections.mark_entered_in_error(nurse, "reading", pre.id, "typed 100/60 for 150/90")
    assert kit.sessions.get(sid).first_dose_at is None
    assert AlertService(kit.ctx).active(sid) == ()


def test_a_marked_booster_frees_nothing_but_a_pre_dose_reading_needs_every_dose_gone(
    kit: Kit, nurse: Actor
) -> None:
    sid = kit.dosed()
    [pre] = kit.vitals.readings(sid)
    kit.advance(minutes=2)
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: kit.ctx.corrections.mark_entered_in_error(nurse, "reading", pre.id, "wrong"),
        match="mark the dose entered in error first",
    )
    # The booster stays possible: its pre-dose reading still stands.
    kit.advance(minutes=30)
    kit.vitals.record(nurse, sid, 120, 70, pulse=70, spo2=98)
    kit.advance(minutes=1)
    kit.dose(sid, amount=0.2)
    assert len(kit.doses.doses(sid)) == 2


def test_the_first_dose_cannot_be_marked_under_observations_or_side_effects(
    kit: Kit, nurse: Actor
) -> None:
    sid = kit.dosed()
    [dose] = kit.doses.doses(sid)
    kit.advance(minutes=10)
    moaas = ObservationService(kit.ctx).record_moaas(nurse, sid, 2)
    effect = SideEffectService(kit.ctx).record(nurse, sid, "nausea", severity="severe")
    corrections = kit.ctx.corrections
    refused(
        kit.ctx,
        IllegalTransition,
        lambda: corrections.mark_entered_in_error(nurse, "dose", dose.id, "wrong chart"),
        match="first dose and 1 observation and 1 side effect rest on it: mark those",
    )
    why = corrections.refusal("dose", dose.id)
    assert why is not None
    assert why.menu_text == "Mark the 1 observation and 1 side effect entered in error first"
    corrections.mark_entered_in_error(nurse, "observation", moaas.id, "wrong chart")
    corrections.mark_entered_in_error(nurse, "side_effect", effect.id, "wrong chart")
    corrections.mark_entered_in_error(nurse, "dose", dose.id, "wrong chart")
    assert kit.sessions.get(sid).state == "pre_dose_vitals"


def test_an_observation_before_the_dose_does_not_rest_on_it(kit: Kit, nurse: Actor) -> None:
    sid = kit.ready()
    ObservationService(kit.ctx).record_moaas(nurse, sid, 5)
    kit.advance(minutes=1)
    dose = kit.dose(sid)
    kit.ctx.corrections.mark_entered_in_error(nurse, "dose", dose, "wrong chart")
    assert kit.sessions.get(sid).state == "pre_dose_vitals"


def test_a_marked_first_dose_gives_side_effects_no_route(
    kit: Kit, ctx: ServiceContext, nurse: Actor
) -> None:
    sid = kit.ready()
    dose = kit.dose(sid)  # IM racemic, typed for the intranasal esketamine given
    kit.advance(minutes=1)
    ctx.corrections.mark_entered_in_error(nurse, "dose", dose, "wrong route typed")
    kit.advance(minutes=1)
    kit.doses.record(
        nurse,
        sid,
        medication="esketamine",
        route="intranasal",
        amount=2,
        unit="devices",
        lot_number="L1",
        acknowledge_warnings=True,
    )
    kit.advance(minutes=5)
    effect = SideEffectService(ctx).record(nurse, sid, "nasal_discomfort", severity="mild")
    assert effect.label


def test_a_marked_side_effect_is_not_updated_or_resolved(
    kit: Kit, ctx: ServiceContext, nurse: Actor
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=2)
    svc = SideEffectService(ctx)
    effect = svc.record(nurse, sid, "nausea", severity="mild")
    ctx.corrections.mark_entered_in_error(nurse, "side_effect", effect.id, "other patient")
    kit.advance(minutes=2)
    for call in (
        lambda: svc.update(nurse, effect.id, severity="severe"),
        lambda: svc.resolve(nurse, effect.id),
    ):
        refused(ctx, IllegalTransition, call, match="marked entered in error")
    with ctx.db.read() as s:
        row = s.get(SideEffect, effect.id)
        assert row is not None
        assert (row.severity, row.resolved_at) == ("mild", None)
