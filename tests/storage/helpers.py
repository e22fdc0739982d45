"""Helpers shared by the storage tests (fixtures live in conftest.py)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

from kapdesk.storage.db import Database
from kapdesk.storage.orm import Course, DosingSession, Patient, User

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_user(db: Database, username: str = "nurse") -> int:
    with db.write() as s:
        user = User(
            username=username,
            full_name=username.title(),
            role="nurse",
            password_hash="$argon2id$fake",
            created_at=T0,
        )
        s.add(user)
        s.flush()
        return user.id


def add_patient(db: Database, mrn: str = "MRN-1") -> int:
    with db.write() as s:
        patient = Patient(
            mrn=mrn,
            family_name="Okafor",
            given_name="Ada",
            date_of_birth=date(1980, 5, 17),
            sex="female",
            created_at=T0,
            updated_at=T0,
        )
        s.add(patient)
        s.flush()
        return patient.id


def add_session(db: Database, patient_id: int, user_id: int) -> int:
    with db.write() as s:
        course = Course(
            patient_id=patient_id,
            protocol_id="kap-default",
            protocol_version="1",
            started_on=date(2026, 3, 2),
            created_at=T0,
        )
        s.add(course)
        s.flush()
        session = DosingSession(
            course_id=course.id,
            scheduled_at=T0,
            state="scheduled",
            created_at=T0,
            created_by=user_id,
        )
        s.add(session)
        s.flush()
        return session.id
