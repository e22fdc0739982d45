"""Helpers for signing, addenda and audit tests: cheap password hashes and closed sessions."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select

from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.storage.db import Database
from kapdesk.storage.orm import User

from .conftest import PASSWORD
from .sessionkit import Kit

# Verifying the template's real argon2id hashes costs ~0.1 s each; tests that sign many
# times store hashes made with the cheapest parameters (verification reads them from the
# hash). Tests of the hashing itself use the real hasher.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def cheap_passwords(db: Database, password: str = PASSWORD) -> None:
    with db.write() as s:
        for user in s.scalars(select(User)):
            user.password_hash = CHEAP.hash(password)


def closed_session(kit: Kit, clinician: Actor, therapist: Actor, *, mrn: str = "MRN-1") -> int:
    """A session with something in every part a signature covers, then discharged."""
    ctx: ServiceContext = kit.ctx
    sid = kit.dosed(mrn=mrn)
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 131, 82, pulse=76, spo2=97)
    ObservationService(ctx).record_moaas(kit.nurse, sid, 4)
    ObservationService(ctx).record_dissociation(therapist, sid, True, "floating")
    SideEffectService(ctx).record(kit.nurse, sid, "nausea", severity="mild")
    NoteService(ctx).save_session_note(therapist, sid, "Calm session; music helped.")
    kit.advance(minutes=5)
    kit.sessions.discharge(clinician, sid, unmet_reason="Reviewed by the clinician")
    return sid


def integration_note(ctx: ServiceContext, therapist: Actor, course_id: int) -> int:
    svc = NoteService(ctx)
    note = svc.create_integration_note(therapist, course_id)
    svc.update_integration_note(therapist, note.id, sections={"themes": "Grief, relief"})
    return note.id
