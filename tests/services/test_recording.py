"""The typed audit record: what audit_change / audit_row write."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.recording import AuditRecord, audit_change, audit_row, snapshot
from kapdesk.storage.orm import AuditEntry, Patient
from tests.services.conftest import T0


def _patient() -> Patient:
    return Patient(
        mrn="MRN-R",
        family_name="Reis",
        given_name="Ana",
        date_of_birth=date(1990, 1, 2),
        sex="female",
        weight_kg=60.0,
        allergies="",
        contraindications="",
        created_at=T0,
        updated_at=T0,
    )


def _last_entry(ctx: ServiceContext) -> AuditEntry:
    with ctx.db.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        s.expunge(entry)
        return entry


def test_audit_row_names_the_entity_of_the_table_and_records_the_row_as_stored(
    ctx: ServiceContext, clinician: Actor
) -> None:
    with ctx.db.write() as s:
        row = _patient()
        s.add(row)
        s.flush()
        before = snapshot(row)
        row.weight_kg = 61.5
        audit_row(s, ctx, clinician, "patient.update", row, before=before)
        row_id = row.id
    entry = _last_entry(ctx)
    assert (entry.action, entry.entity, entry.entity_id) == (
        "patient.update",
        "patient",
        str(row_id),
    )
    assert entry.user_id == clinician.user_id
    assert (entry.before_data or {})["weight_kg"] == 60.0
    assert (entry.after_data or {})["weight_kg"] == 61.5


def test_a_row_without_its_id_cannot_be_audited(ctx: ServiceContext, clinician: Actor) -> None:
    with ctx.db.write() as s:
        row = _patient()
        s.add(row)
        with pytest.raises(ValueError, match="Patient has no id yet"):
            AuditRecord.of_row("patient.create", row)


def test_before_and_after_are_keywords_only() -> None:
    with pytest.raises(TypeError):
        AuditRecord("patient.view", "patient", 1, {"a": 1})  # type: ignore[misc]
    record = AuditRecord("patient.view", "patient")
    assert (record.entity_id, record.before, record.after) == (None, None, None)


def test_audit_change_writes_the_record_as_given(ctx: ServiceContext, admin: Actor) -> None:
    with ctx.db.write() as s:
        record = AuditRecord("setting.x", "setting", "clinic_name", after={"value": "A"})
        audit_change(s, ctx, admin, record)
    entry = _last_entry(ctx)
    assert (entry.action, entry.entity, entry.entity_id) == ("setting.x", "setting", "clinic_name")
    assert entry.before_data is None
    assert entry.after_data == {"value": "A"}


# audit.append inserts its entry with a Core statement (no ORM flush of it): what a flush
# told the rest of the app is still told.


def _append(ctx: ServiceContext, s: object, action: str, entity_id: int | None = None) -> int:
    from kapdesk.storage import audit

    entry = audit.append(
        s,  # type: ignore[arg-type]
        at=ctx.now(), user_id=None, action=action, entity="database", entity_id=entity_id,
        after={"ok": True},
    )  # fmt: skip
    return entry.id


def test_an_appended_entry_is_noted_for_the_file_watcher(ctx: ServiceContext) -> None:
    """What tells a workstation its own writes from another's (services.remote_changes)."""
    from kapdesk.storage import change_feed

    change_feed.track_appended_audit()
    with ctx.db.write() as s:
        first = _append(ctx, s, "test.first")
        second = _append(ctx, s, "test.second")
        assert change_feed.appended_audit_entries(s) == [
            (first, "test.first"),
            (second, "test.second"),
        ]


def test_a_write_that_only_appends_an_entry_has_written_rows(ctx: ServiceContext) -> None:
    """A use case whose committed step wrote only an audit entry is not run again from its
    start after a conflict (write_retry): the entry would be written twice."""
    from kapdesk.storage import write_retry

    with ctx.db.write() as s:
        assert not write_retry.wrote_rows(s)
        _append(ctx, s, "test.only")
        assert write_retry.wrote_rows(s)


def test_the_returned_entry_is_the_stored_one(ctx: ServiceContext) -> None:
    from kapdesk.storage import audit

    with ctx.db.write() as s:
        first = _append(ctx, s, "test.stored")
        returned = audit.append(
            s, at=ctx.now(), user_id=None, action="test.stored2", entity="database",
            entity_id=7,
        )  # fmt: skip
    with ctx.db.read() as s:
        stored = s.get_one(AuditEntry, returned.id)
        assert (stored.id, stored.prev_hash, stored.hash, stored.entity_id, stored.action) == (
            returned.id, returned.prev_hash, returned.hash, "7", "test.stored2",
        )  # fmt: skip
        assert stored.id == first + 1
        assert audit.verify_chain(s).ok
