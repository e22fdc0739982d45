"""Fixtures for report tests: a migrated database with one user per role, a FakeClock,
and a Clinic that builds sessions through the real services.

Printing is read-only apart from its audit entry, so tests that only read one
document share it per module (``Setup`` below); tests that change data get their
own database per test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from services.conftest import template_db as template_db  # re-exported fixture

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.reports.pdf import PDF
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.reports import ReportService
from kapdesk.services.users import UserService, actor_of

from .clinic import T0, Clinic, Staff

BERLIN = ZoneInfo("Europe/Berlin")


def actor(ctx: ServiceContext, role: Role) -> Actor:
    for info in UserService(ctx).list_users():
        if info.role is role:
            return actor_of(info)
    raise AssertionError(f"no {role} in the template database")


@dataclass
class Setup:
    path: Path
    ctx: ServiceContext
    clock: FakeClock
    staff: Staff
    clinic: Clinic
    reports: ReportService

    def close(self) -> None:
        self.ctx.db.close()


def open_setup(template: Path, path: Path) -> Setup:
    shutil.copyfile(template, path)
    clock = FakeClock(T0)
    ctx = build_context(path, clock=clock)
    staff = Staff(
        nurse=actor(ctx, Role.NURSE),
        therapist=actor(ctx, Role.THERAPIST),
        clinician=actor(ctx, Role.CLINICIAN),
    )
    return Setup(
        path,
        ctx,
        clock,
        staff,
        Clinic(ctx, clock, staff),
        ReportService(ctx, renderer=PDF, tz=BERLIN),
    )


@pytest.fixture
def setup(template_db: Path, tmp_path: Path) -> Iterator[Setup]:
    s = open_setup(template_db, tmp_path / "clinic.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="module")
def module_setup(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """One database for a whole module (tests must not change clinical data)."""
    s = open_setup(template_db, tmp_path_factory.mktemp("reports") / "clinic.sqlite")
    yield s
    s.close()


@pytest.fixture
def ctx(setup: Setup) -> ServiceContext:
    return setup.ctx


@pytest.fixture
def clock(setup: Setup) -> FakeClock:
    return setup.clock


@pytest.fixture
def staff(setup: Setup) -> Staff:
    return setup.staff


@pytest.fixture
def clinic(setup: Setup) -> Clinic:
    return setup.clinic


@pytest.fixture
def reports(setup: Setup) -> ReportService:
    return setup.reports


@pytest.fixture
def admin(ctx: ServiceContext) -> Actor:
    return actor(ctx, Role.ADMIN)
