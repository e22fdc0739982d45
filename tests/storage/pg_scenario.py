"""One clinic morning through the services, the same on any store (FakeClock, fixed
password salts): what the PostgreSQL tests compare with SQLite, row for row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.addenda import AddendumService
from kapdesk.services.context import BuiltinProtocols, ServiceContext
from kapdesk.services.corrections import CorrectionsService
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry

T0 = datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)
PASSWORD = "correct horse battery"
_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CHECKLIST = {
    "consent": True,
    "ride_home": True,
    "fasting": True,
    "medication_changes": True,
    "contraindications": True,
}


def fixed_salt_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Password hashes that are the same on every run (the audit log keeps their digest)."""

    def hashed(password: str, *, salt: bytes | None = None) -> str:
        return _CHEAP.hash(password, salt=salt or b"kapdesk-fixed-salt")

    monkeypatch.setattr("kapdesk.services.users.hash_password", hashed)


def context(db: Database, clock: FakeClock) -> ServiceContext:
    return ServiceContext(db=db, clock=clock, protocols=BuiltinProtocols())


def clinic_morning(ctx: ServiceContext, clock: FakeClock) -> None:
    """Users, a patient edited, a course, a dosing session with readings, doses (floats),
    observations (booleans, NULLs), a side effect, a PHQ-9, notes, a reading marked entered
    in error, discharge, signing, an addendum."""
    users = UserService(ctx)
    for role in Role:
        users.add_user_from_console(
            username=role.value, full_name=f"Test {role.value.title()}", role=role,
            password=PASSWORD,
        )  # fmt: skip
    actor = {info.role: actor_of(info) for info in users.list_users()}
    nurse, clinician, therapist = actor[Role.NURSE], actor[Role.CLINICIAN], actor[Role.THERAPIST]
    patients = PatientService(ctx)
    patient = patients.create(
        clinician, mrn="MRN-1", given_name="Conceição", family_name="Simões",
        date_of_birth="1980-05-17", sex="female", weight_kg=70.5, allergies="penicillin 'β'",
    )  # fmt: skip
    clock.advance(timedelta(seconds=1.5))
    patients.update(clinician, patient.id, weight_kg=71.25, contraindications="")
    course = CourseService(ctx).start(clinician, patient.id, "kap-default", goal="Less low mood")
    sessions, vitals = SessionService(ctx), VitalsService(ctx)
    sid = sessions.schedule(nurse, course.id, clock.now(), "Room 2").id
    sessions.check_in(nurse, sid)
    sessions.record_checklist(nurse, sid, {**CHECKLIST, "weight_kg": 71.25})
    vitals.record(nurse, sid, 122, 78, pulse=72, spo2=98)
    clock.advance(minutes=1, seconds=0.000001)
    DoseService(ctx).record(
        nurse, sid, medication="racemic ketamine", route="im", amount=0.5, unit="mg/kg",
        lot_number="LOT-42",
    )  # fmt: skip
    clock.advance(minutes=5)
    second = vitals.record(nurse, sid, 131, 82, pulse=None, spo2=97)
    CorrectionsService(ctx).mark_entered_in_error(
        clinician, "reading", second.reading.id, "wrong chair"
    )
    observations = ObservationService(ctx)
    observations.record_moaas(nurse, sid, 4)
    observations.record_dissociation(therapist, sid, True, 'floating, "distant"\nthen calm')
    observations.record_dissociation(therapist, sid, False)
    SideEffectService(ctx).record(nurse, sid, "nausea", severity="mild")
    InstrumentService(ctx).record(
        clinician, patient.id, "phq9", [1, 2, 0, 3, 1, 0, 2, 1, 0], course_id=course.id
    )
    NoteService(ctx).save_session_note(therapist, sid, "Calm session; music helped. ✓")
    clock.advance(minutes=5)
    sessions.discharge(clinician, sid, unmet_reason="Reviewed by the clinician")
    SigningService(ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    clock.advance(minutes=120)
    AddendumService(ctx).add_addendum(
        nurse, "dosing_session", sid, "Ride home was her sister.", {"weight_kg": 71.0}
    )


def audit_rows(db: Database) -> list[dict[str, Any]]:
    """Every audit entry as plain values (``at`` as ISO text), in id order."""
    with db.read() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "user_id": e.user_id,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "before": e.before,
                "after": e.after,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in entries
        ]
