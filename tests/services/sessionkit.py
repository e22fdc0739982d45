"""Helpers for the dosing-session service tests: build a session up to a given step,
and look at the audit entries a call wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import KapdeskError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.doses import DoseService
from kapdesk.services.sessions import SessionService
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry

from .conftest import insert_patient_and_course, table_counts

YES_TO_ALL = {
    "consent": True,
    "ride_home": True,
    "fasting": True,
    "medication_changes": True,
    "contraindications": True,
}


def refused(
    ctx: ServiceContext,
    error: type[KapdeskError],
    call: Callable[[], object],
    match: str | None = None,
) -> KapdeskError:
    """Run ``call``, expect ``error``, and check that nothing at all was written."""
    before = table_counts(ctx.db)
    with pytest.raises(error, match=match) as exc:
        call()
    assert table_counts(ctx.db) == before
    return exc.value


def last_audit_id(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.max(AuditEntry.id))) or 0)


@dataclass
class AuditProbe:
    entries: list[AuditEntry] = field(default_factory=list)

    @property
    def actions(self) -> list[str]:
        return [e.action for e in self.entries]

    @property
    def entities(self) -> list[tuple[str, str | None]]:
        return [(e.entity, e.entity_id) for e in self.entries]


@contextmanager
def audit_probe(db: Database) -> Iterator[AuditProbe]:
    """Collects the audit entries written inside the block."""
    probe = AuditProbe()
    start = last_audit_id(db)
    yield probe
    with db.read() as s:
        probe.entries = list(
            s.scalars(select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id))
        )


@dataclass
class Kit:
    """Services plus the steps of a session, for tests that start midway."""

    ctx: ServiceContext
    clock: FakeClock
    nurse: Actor

    @property
    def sessions(self) -> SessionService:
        return SessionService(self.ctx)

    @property
    def vitals(self) -> VitalsService:
        return VitalsService(self.ctx)

    @property
    def doses(self) -> DoseService:
        return DoseService(self.ctx)

    def course(self, *, mrn: str = "MRN-1", protocol_id: str = "kap-default") -> int:
        return insert_patient_and_course(self.ctx.db, mrn=mrn, protocol_id=protocol_id)[1]

    def scheduled(
        self, *, mrn: str = "MRN-1", protocol_id: str = "kap-default", room: str | None = None
    ) -> int:
        """A session of a new patient; by default in a room of its own ("MRN-2": "Room 2")."""
        course = self.course(mrn=mrn, protocol_id=protocol_id)
        room = room or f"Room {mrn.removeprefix('MRN-')}"
        return self.sessions.schedule(self.nurse, course, self.clock.now(), room).id

    def checked_in(self, **kw: str) -> int:
        sid = self.scheduled(**kw)
        self.sessions.check_in(self.nurse, sid)
        return sid

    def ready(self, *, bp: tuple[int, int] = (122, 78), weight: float = 70.0, **kw: str) -> int:
        """Checked in, checklist done with the weight, one pre-dose reading, a minute later."""
        sid = self.checked_in(**kw)
        self.sessions.record_checklist(self.nurse, sid, {**YES_TO_ALL, "weight_kg": weight})
        self.vitals.record(self.nurse, sid, *bp, pulse=72, spo2=98)
        self.clock.advance(minutes=1)
        return sid

    def dosed(self, **kw: str) -> int:
        sid = self.ready(**kw)
        self.dose(sid)
        return sid

    def dose(self, sid: int, *, amount: float = 0.5, actor: Actor | None = None) -> int:
        return self.doses.record(
            actor or self.nurse,
            sid,
            medication="racemic ketamine",
            route="im",
            amount=amount,
            unit="mg/kg",
            lot_number="LOT-42",
        ).id

    def advance(self, minutes: float = 0, seconds: float = 0) -> None:
        self.clock.advance(timedelta(minutes=minutes, seconds=seconds))
