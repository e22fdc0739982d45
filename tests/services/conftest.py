"""Fixtures for service tests: a migrated database with one user per role.

Hashing four argon2id passwords costs ~0.4 s, so the users are created once
per test session in a template file that each test copies.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.domain.protocol import builtin_protocols
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.protocol_store import pin
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry, Base, Course, Patient

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    ctx = build_context(path, clock=FakeClock(T0))
    users = UserService(ctx)
    for role in Role:
        users.add_user_from_console(
            username=role.value,
            full_name=f"Test {role.value.title()}",
            role=role,
            password=PASSWORD,
        )
    ctx.db.close()
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def ctx(template_db: Path, tmp_path: Path, clock: FakeClock) -> Iterator[ServiceContext]:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(template_db, path)
    context = build_context(path, clock=clock)
    yield context
    context.db.close()


@pytest.fixture
def db(ctx: ServiceContext) -> Database:
    return ctx.db


def _actor(ctx: ServiceContext, role: Role) -> Actor:
    for info in UserService(ctx).list_users():
        if info.role is role:
            return actor_of(info)
    raise AssertionError(f"no {role} in the template database")


@pytest.fixture
def nurse(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.NURSE)


@pytest.fixture
def therapist(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.THERAPIST)


@pytest.fixture
def clinician(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.CLINICIAN)


@pytest.fixture
def admin(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.ADMIN)


def table_counts(db: Database, *, include_denials: bool = False) -> dict[str, int]:
    """Rows in every table: invalid input must leave all of these unchanged.

    A refused action (PermissionDenied) is audited as ``denied.*`` in its own transaction;
    those entries are left out of the audit_log count unless ``include_denials``.
    """
    with db.read() as s:
        counts = {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }
        if not include_denials:
            denials = s.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action.like("denied.%"))
            )
            counts["audit_log"] -= int(denials or 0)
        return counts


def insert_patient_and_course(
    db: Database, *, mrn: str = "MRN-1", protocol_id: str = "kap-default", weight: float = 70.0
) -> tuple[int, int]:
    """A patient and a course written directly (for tests of other areas)."""
    with db.write() as s:
        p = Patient(
            mrn=mrn,
            family_name="Simões",
            given_name="Conceição",
            date_of_birth=date(1980, 5, 17),
            sex="female",
            weight_kg=weight,
            allergies="",
            contraindications="",
            created_at=T0,
            updated_at=T0,
        )
        s.add(p)
        s.flush()
        protocol = builtin_protocols()[protocol_id]
        digest, _ = pin(s, protocol, T0)  # pinned like CourseService.start
        c = Course(
            patient_id=p.id,
            protocol_id=protocol_id,
            protocol_version=protocol.version,
            protocol_hash=digest,
            started_on=T0.date(),
            goal="",
            created_at=T0,
        )
        s.add(c)
        s.flush()
        return p.id, c.id
