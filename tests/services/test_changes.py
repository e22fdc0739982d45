"""Typed change sets: every audited write is published after its transaction commits."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.services.changes import Change, ChangeFeed, ChangeSet, Kind, collect
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.patients import PatientService
from kapdesk.services.recording import AUDIT_ENTITY, AuditRecord, audit_change
from kapdesk.services.sessions import SessionService
from kapdesk.storage.orm import AuditEntry

from .conftest import insert_patient_and_course
from .sessionkit import Kit


@pytest.fixture
def published(ctx: ServiceContext) -> list[ChangeSet]:
    seen: list[ChangeSet] = []
    ctx.changes.subscribe(seen.append)
    return seen


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def test_a_recorded_reading_publishes_its_session_and_patient(
    kit: Kit, published: list[ChangeSet]
) -> None:
    sid = kit.checked_in()
    patient_id = SessionService(kit.ctx).detail(sid).session.patient_id
    published.clear()

    recorded = kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)

    assert len(published) == 1  # one transaction, one change set
    changes = published[0]
    reading = Change(
        Kind.READING, recorded.reading.id, "vitals.record", session_id=sid, patient_id=patient_id
    )
    assert reading in changes.changes
    assert changes.touches(Kind.READING)
    assert changes.touches_session(sid)
    assert not changes.touches_session(sid + 1)
    assert changes.touches_patient(patient_id)
    assert changes.ids(Kind.READING) == {recorded.reading.id}


def test_nothing_is_published_when_the_write_rolls_back(
    ctx: ServiceContext, nurse: Actor, published: list[ChangeSet]
) -> None:
    patient_id, _ = insert_patient_and_course(ctx.db)

    def audited_then_failed() -> None:
        with ctx.db.write() as s:
            audit_change(s, ctx, nurse, AuditRecord("patient.update", "patient", patient_id))
            raise RuntimeError("after the audit entry, before the commit")

    with pytest.raises(RuntimeError):
        audited_then_failed()
    assert published == []
    # and the next committed write publishes only its own change
    with ctx.db.write() as s:
        audit_change(s, ctx, nurse, AuditRecord("patient.update", "patient", patient_id))
    assert [c.actions for c in published] == [("patient.update",)]


def test_a_refused_change_publishes_nothing(
    ctx: ServiceContext, nurse: Actor, published: list[ChangeSet]
) -> None:
    patient_id, _ = insert_patient_and_course(ctx.db)
    with pytest.raises(ValidationError):
        PatientService(ctx).update(nurse, patient_id, weight_kg=-3)
    assert published == []


def test_denials_are_audited_but_not_published(
    ctx: ServiceContext, nurse: Actor, published: list[ChangeSet]
) -> None:
    """A refusal changes no data: its denied.* entry is written, no screen refreshes."""
    from kapdesk.services.users import UserService

    with pytest.raises(PermissionDenied):
        UserService(ctx).deactivate(nurse, nurse.user_id)
    with ctx.db.read() as s:
        denied = s.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action.like("denied.%"))
        )
    assert denied == 1
    assert published == []


def test_opening_a_chart_is_audited_but_changes_no_data(
    ctx: ServiceContext, nurse: Actor, published: list[ChangeSet]
) -> None:
    patient_id, _ = insert_patient_and_course(ctx.db)
    PatientService(ctx).record_view(nurse, patient_id)
    assert published == []
    PatientService(ctx).update(nurse, patient_id, weight_kg=71.0)
    (changes,) = published
    assert changes.changes == (
        Change(Kind.PATIENT, patient_id, "patient.update", patient_id=patient_id),
    )


def test_a_rolled_back_savepoint_drops_only_its_own_changes(
    ctx: ServiceContext, nurse: Actor, published: list[ChangeSet]
) -> None:
    patient_id, course_id = insert_patient_and_course(ctx.db)
    with ctx.db.write() as s:
        audit_change(s, ctx, nurse, AuditRecord("patient.update", "patient", patient_id))
        kept = s.begin_nested()
        audit_change(s, ctx, nurse, AuditRecord("course.end", "course", course_id))
        kept.commit()
        dropped = s.begin_nested()
        audit_change(s, ctx, nurse, AuditRecord("settings.update", "setting", "clinic_name"))
        dropped.rollback()
        assert published == []  # nothing before the outer commit
    (changes,) = published
    assert changes.actions == ("patient.update", "course.end")
    assert changes.changes[1].patient_id == patient_id  # a course belongs to its patient


def test_a_change_set_is_published_in_the_committing_thread(
    ctx: ServiceContext, nurse: Actor
) -> None:
    patient_id, _ = insert_patient_and_course(ctx.db)
    threads: list[str] = []
    ctx.changes.subscribe(lambda _changes: threads.append(threading.current_thread().name))
    worker = threading.Thread(
        target=PatientService(ctx).update,
        args=(nurse, patient_id),
        kwargs={"weight_kg": 72.0},
        name="elsewhere",
    )
    worker.start()
    worker.join()
    assert threads == ["elsewhere"]


def test_a_failing_subscriber_does_not_fail_the_committed_write(
    ctx: ServiceContext, nurse: Actor, published: list[ChangeSet], caplog: pytest.LogCaptureFixture
) -> None:
    patient_id, _ = insert_patient_and_course(ctx.db)

    def broken(_changes: ChangeSet) -> None:
        raise RuntimeError("subscriber bug")

    ctx.changes.subscribe(broken)
    info = PatientService(ctx).update(nurse, patient_id, weight_kg=73.0)
    assert info.weight_kg == 73.0
    assert len(published) == 1  # the other subscriber was told all the same
    assert "subscriber failed" in caplog.text


def test_unsubscribe_stops_the_calls() -> None:
    feed = ChangeFeed()
    seen: list[ChangeSet] = []
    stop = feed.subscribe(seen.append)
    feed.publish(ChangeSet((Change(Kind.USER, 1, "user.add"),)))
    stop()
    feed.publish(ChangeSet((Change(Kind.USER, 2, "user.add"),)))
    assert [c.ids(Kind.USER) for c in seen] == [{1}]


def test_signatures_and_addenda_belong_to_what_they_sign(
    ctx: ServiceContext, nurse: Actor, published: list[ChangeSet]
) -> None:
    """Scope is read through the signed record: a session signature is that session's."""
    from kapdesk.storage.orm import Signature

    clock = ctx.clock
    assert isinstance(clock, FakeClock)
    sid = Kit(ctx, clock, nurse).scheduled()
    patient_id = SessionService(ctx).detail(sid).session.patient_id
    published.clear()
    with ctx.db.write() as s:
        sig = Signature(
            entity="dosing_session",
            entity_id=sid,
            signer_id=nurse.user_id,
            signer_name=nurse.full_name,
            signer_role=nurse.role.value,
            signed_at=clock.now(),
            meaning="reviewed",
            content_sha256="0" * 64,
            method="password",
        )
        s.add(sig)
        s.flush()
        collect(s, ctx.changes, "sign.signed", "signature", sig.id)
    (changes,) = published
    assert changes.changes[0].session_id == sid
    assert changes.changes[0].patient_id == patient_id


def test_every_audited_entity_is_a_kind() -> None:
    assert set(AUDIT_ENTITY.values()) <= {k.value for k in Kind}


def test_subscribers_read_what_was_committed(kit: Kit) -> None:
    """Published after the commit: a subscriber's own read already sees the new reading."""
    sid = kit.checked_in()
    seen: list[int] = []
    kit.ctx.changes.subscribe(lambda _changes: seen.append(len(kit.vitals.readings(sid))))
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    assert seen == [1]
