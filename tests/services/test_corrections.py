"""Entered in error: marking a reading, dose, side effect, observation or PHQ-9 typed wrongly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    RecordLocked,
    ValidationError,
)
from kapdesk.services.changes import ChangeSet, Kind
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.corrections import ACTION, CorrectionsService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.storage.orm import AuditEntry, VitalReading

from .conftest import PASSWORD
from .sessionkit import Kit, audit_probe, refused
from .signkit import cheap_passwords, closed_session


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def test_a_reading_marked_keeps_its_values_with_who_when_and_why(
    kit: Kit, ctx: ServiceContext, nurse: Actor
) -> None:
    sid = kit.ready()
    [reading] = kit.vitals.readings(sid)
    seen: list[ChangeSet] = []
    ctx.changes.subscribe(seen.append)
    kit.advance(minutes=3)
    with audit_probe(ctx.db) as probe:
        marked = ctx.corrections.mark_entered_in_error(
            nurse, "reading", reading.id, "  wrong patient  "
        )
    assert marked.kind == "reading"
    assert marked.session_id == sid
    assert (marked.error.by_name, marked.error.at, marked.error.reason) == (
        nurse.full_name,
        kit.clock.now(),
        "wrong patient",
    )
    with ctx.db.read() as s:
        row = s.get(VitalReading, reading.id)
        assert row is not None
        assert (row.systolic, row.diastolic) == (122, 78)  # the values stay
        assert (row.error_by, row.error_reason) == (nurse.user_id, "wrong patient")
    [entry] = probe.entries
    assert (entry.action, entry.entity, entry.entity_id) == (
        ACTION,
        "vital_reading",
        str(reading.id),
    )
    assert entry.before_data is not None
    assert entry.before_data["error_at"] is None
    assert entry.after_data is not None
    assert entry.after_data["error_reason"] == "wrong patient"
    [changes] = seen
    assert changes.touches(Kind.READING)
    assert changes.session_ids == {sid}
    [shown] = kit.vitals.readings(sid)
    assert shown.error is not None
    assert shown.error.by_name == nurse.full_name
    assert shown.systolic == 122
    assert kit.sessions.detail(sid).readings[0].error == shown.error


def test_the_reason_is_required_and_bounded(kit: Kit, ctx: ServiceContext, nurse: Actor) -> None:
    sid = kit.ready()
    [reading] = kit.vitals.readings(sid)
    svc = CorrectionsService(ctx)
    err = refused(
        ctx, ValidationError, lambda: svc.mark_entered_in_error(nurse, "reading", reading.id, "  ")
    )
    assert isinstance(err, ValidationError)
    assert err.field == "Reason"
    refused(
        ctx,
        ValidationError,
        lambda: svc.mark_entered_in_error(nurse, "reading", reading.id, "x" * 501),
        match="501 characters long; at most 500",
    )
    refused(
        ctx,
        ValidationError,
        lambda: svc.mark_entered_in_error(nurse, "bp", reading.id, "typo"),
        match="'bp' is not one of reading, dose",
    )
    refused(
        ctx,
        NotFound,
        lambda: svc.mark_entered_in_error(nurse, "dose", 999, "typo"),
        match="no dose #999",
    )


def test_an_entry_is_marked_once(kit: Kit, ctx: ServiceContext, nurse: Actor) -> None:
    sid = kit.ready()
    [reading] = kit.vitals.readings(sid)
    ctx.corrections.mark_entered_in_error(nurse, "reading", reading.id, "wrong arm")
    refused(
        ctx,
        IllegalTransition,
        lambda: ctx.corrections.mark_entered_in_error(nurse, "reading", reading.id, "again"),
        match=f"already marked entered in error by {nurse.full_name} at 09:0",
    )


def test_the_recorder_or_a_clinician_may_mark_nobody_else(
    kit: Kit,
    ctx: ServiceContext,
    nurse: Actor,
    therapist: Actor,
    clinician: Actor,
    admin: Actor,
) -> None:
    sid = kit.dosed()
    [dose] = kit.doses.doses(sid)
    svc = ctx.corrections
    moaas = _moaas(ctx, nurse, sid)
    refused(
        ctx,
        PermissionDenied,
        lambda: svc.mark_entered_in_error(therapist, "observation", moaas, "x"),
        match=rf"Only the author \({nurse.full_name}\) or a clinician may mark observation",
    )
    refused(
        ctx,
        PermissionDenied,
        lambda: svc.mark_entered_in_error(admin, "dose", dose.id, "typo"),
        match="An admin may not mark an entry as entered in error",
    )
    with ctx.db.read() as s:
        denials = s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("denied.%")))
        assert len(list(denials)) == 2
    effect = SideEffectService(ctx).record(therapist, sid, "nausea", severity="mild")
    svc.mark_entered_in_error(clinician, "side_effect", effect.id, "other patient's nausea")
    [shown] = SideEffectService(ctx).list_for_session(sid)
    assert shown.error is not None
    assert shown.error.by_name == clinician.full_name


def _moaas(ctx: ServiceContext, nurse: Actor, sid: int) -> int:
    return ObservationService(ctx).record_moaas(nurse, sid, 4).id


def test_a_signed_session_takes_an_addendum_instead(
    kit: Kit, ctx: ServiceContext, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    cheap_passwords(ctx.db)
    sid = closed_session(kit, clinician, therapist)
    SigningService(ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    [first, *_] = kit.vitals.readings(sid)
    refused(
        ctx,
        RecordLocked,
        lambda: ctx.corrections.mark_entered_in_error(clinician, "reading", first.id, "typo"),
        match="add an addendum instead",
    )


def test_a_phq9_outside_a_session_is_marked_and_shown(
    kit: Kit, ctx: ServiceContext, therapist: Actor
) -> None:
    course = kit.course()
    with ctx.db.read() as s:
        from kapdesk.storage.orm import Course

        patient_id = s.get(Course, course).patient_id  # type: ignore[union-attr]
    phq = InstrumentService(ctx).record(therapist, patient_id, "PHQ-9", [1] * 9, course_id=course)
    marked = ctx.corrections.mark_entered_in_error(therapist, "instrument", phq.id, "other patient")
    assert marked.session_id is None
    [shown] = InstrumentService(ctx).history(patient_id)
    assert shown.error is not None
    assert shown.error.reason == "other patient"
