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
