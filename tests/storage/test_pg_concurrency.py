"""Many workstations writing to one clinic server at once keep one audit chain.

Four workstation processes (multiprocessing, spawn: each its own interpreter and its own
``Database.open(ServerURL)`` as the application role ``server init`` made) record
readings, session-note saves and doses through the real services, all at once, while a
fifth is SIGKILLed part-way through its writes. Then, read back from the server:

* every operation a workstation saw confirmed is there (its log, fsynced after each
  call returned), and nothing else of it: no lost and no duplicated entry;
* the audit log is one chain: ``verify_chain`` (kapdesk's own check) and an independent
  re-hash of every entry in id order with ``entry_hash`` (clinic_verify.recompute_chain),
  ids 1..N without a gap, no two entries linking to the same predecessor (no fork);
* every clinical row has its audit entry and every entry its row: the killed
  workstation left nothing half-written (the transaction in flight was all or nothing).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import SystemClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.clinic_verify import recompute_chain
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry, Dose, Note, VitalReading
from kapdesk.storage.server_init import initialise_server

from .pg_server_kit import APP_PASSWORD, FreshDatabase, fresh_database
from .pg_workstation import Job, read_log, run

__all__ = ["fresh_database"]

pytestmark = pytest.mark.slow

WORKERS = 4
OPS = 32  # per workstation: 8 note saves, DOSES doses, the rest readings
DOSES = 2
KILL_AFTER = 12
START_IN = 6  # seconds  # confirmed operations of the fifth workstation before its SIGKILL
PASSWORD = "correct horse battery"
CHECKLIST = {
    "consent": True,
    "ride_home": True,
    "fasting": True,
    "medication_changes": True,
    "contraindications": True,
    "weight_kg": 70,
}


def _ready_sessions(
    ctx: ServiceContext, staff: tuple[Actor, Actor], count: int, tag: str
) -> list[int]:
    """``count`` sessions of new patients, checked in, checklist done, one reading."""
    nurse, clinician = staff
    out = []
    for n in range(count):
        patient = PatientService(ctx).create(
            clinician, mrn=f"MRN-{tag}-{n}", given_name="Ana",
            family_name="Lima" + "abcdefghijk"[n], date_of_birth="1980-04-02", sex="female",
            weight_kg=70,
        )  # fmt: skip
        course = CourseService(ctx).start(clinician, patient.id, "kap-default")
        sessions = SessionService(ctx)
        sid = sessions.schedule(nurse, course.id, ctx.now(), f"Room {tag}{n}").id
        sessions.check_in(nurse, sid)
        sessions.record_checklist(nurse, sid, CHECKLIST)
        VitalsService(ctx).record(nurse, sid, 120, 78, pulse=70, spo2=98)
        out.append(sid)
    return out


def _jobs(fresh: FreshDatabase, logs: Path) -> tuple[list[Job], Job]:
    url = fresh.app.url.set(drivername="postgresql").render_as_string(hide_password=False)
    db = Database.open(fresh.app, clock=SystemClock())
    ctx = ServiceContext(db=db, clock=SystemClock())
    try:
        users = UserService(ctx)
        for role in (Role.NURSE, Role.CLINICIAN):
            users.add_user_from_console(
                username=role.value, full_name=f"Test {role.value}", role=role, password=PASSWORD
            )
        staff = (users.authenticate("nurse", PASSWORD), users.authenticate("clinician", PASSWORD))
        nurse = staff[0]
        actor = {"user_id": nurse.user_id, "username": nurse.username,
                 "full_name": nurse.full_name, "role": nurse.role.value}  # fmt: skip
        jobs = []
        for w in range(WORKERS):
            sids = _ready_sessions(ctx, staff, 1 + DOSES, str(w))
            log = str(logs / f"ws{w}.jsonl")
            jobs.append(Job(url, w, OPS, sids[0], tuple(sids[1:]), actor, log))
        (victim,) = _ready_sessions(ctx, staff, 1, "K")
        killed = Job(url, WORKERS, 100_000, victim, (), actor, str(logs / "killed.jsonl"))
    finally:
        db.close()
    return jobs, killed


def _wait_for(path: Path, kind: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and sum(e["kind"] == kind for e in read_log(path)) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{path.name}: fewer than {count} {kind} entries after {timeout} s")


def test_four_workstations_and_a_killed_one_keep_one_audit_chain(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    initialise_server(fresh_database.owner, fresh_database.app_role, lambda: APP_PASSWORD)
    jobs, killed = _jobs(fresh_database, tmp_path)
    spawn = multiprocessing.get_context("spawn")
    start = time.time() + START_IN  # every process imported and connected by then
    procs = [
        spawn.Process(target=run, args=(replace(job, start_at=start),)) for job in [*jobs, killed]
    ]
    for p in procs:
        p.start()
    try:
        victim = procs[-1]
        _wait_for(Path(killed.log), "reading", KILL_AFTER, timeout=60)
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGKILL)
        for p in procs:
            p.join(timeout=120)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
    assert victim.exitcode == -signal.SIGKILL
    logs = {job.worker: read_log(Path(job.log)) for job in [*jobs, killed]}
    for job, p in zip(jobs, procs, strict=False):
        errors = [e for e in logs[job.worker] if e["kind"] == "error"]
        assert not errors, errors
        assert p.exitcode == 0
        assert logs[job.worker][-1]["kind"] == "done"
    _check_store(fresh_database, jobs, killed, logs)


def _save_number(body: str) -> int:
    return int(body.split("save ")[1].split(":")[0])


def _check_store(
    fresh: FreshDatabase, jobs: list[Job], killed: Job, logs: dict[int, list[dict[str, Any]]]
) -> None:
    _check_chain(fresh)
    with Database.open(fresh.app) as db, db.read() as s:
        readings = dict(s.execute(select(VitalReading.id, VitalReading.session_id)).all())
        doses = dict(s.execute(select(Dose.id, Dose.session_id)).all())
        notes = {n.dosing_session_id: n.body for n in s.scalars(select(Note))}
    for job in [*jobs, killed]:
        confirmed = logs[job.worker]
        mine = [e for e in confirmed if e["kind"] == "reading"]
        # Every confirmed reading is there, in its session.
        assert all(readings.get(e["id"]) == job.reading_session for e in mine)
        stored = {i for i, sid in readings.items() if sid == job.reading_session}
        expected = {e["id"] for e in mine}
        assert expected <= stored
        setup_reading, *unconfirmed = sorted(stored - expected)
        assert setup_reading < min(expected)
        # Killed mid-write: at most the one reading in flight committed unconfirmed (after
        # every confirmed one); a workstation that finished has none.
        assert len(unconfirmed) <= (1 if job is killed else 0)
        assert all(i > max(expected) for i in unconfirmed)
        if job is not killed:
            gave = [e for e in confirmed if e["kind"] == "dose"]
            assert len(gave) == DOSES
            assert all(doses.get(e["id"]) == e["session"] for e in gave)
        saves = [e["body"] for e in confirmed if e["kind"] == "note"]
        if job is killed and notes[job.reading_session] != saves[-1]:
            # the save in flight committed: one made after the last confirmed one
            assert _save_number(notes[job.reading_session]) > _save_number(saves[-1])
        else:
            assert notes[job.reading_session] == saves[-1]
    assert len(doses) == WORKERS * DOSES


def _check_chain(fresh: FreshDatabase) -> None:
    """One audit chain, valid, without gap or fork; each clinical row has its audit entry
    and each entry its row (nothing half-written)."""
    with Database.open(fresh.app) as db, db.read() as s:
        readings = dict(s.execute(select(VitalReading.id, VitalReading.session_id)).all())
        doses = dict(s.execute(select(Dose.id, Dose.session_id)).all())
        audit_total = s.scalar(select(func.count(AuditEntry.id)))
        per_entity = Counter(
            (a, e, i) for a, e, i in s.execute(
                select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id)
            )
        )  # fmt: skip
        forks = s.execute(
            select(AuditEntry.prev_hash).group_by(AuditEntry.prev_hash).having(func.count() > 1)
        ).all()
        report = verify_chain(s)
        chain = recompute_chain(s.connection())
    # One chain, every entry checked, no gap, no fork.
    assert report.ok, report.problem
    assert report.entries_checked == audit_total
    assert chain.ok, chain
    assert chain.entries == audit_total
    assert forks == []
    # Nothing half-written: each row has its audit entry, each entry its row.
    for rid in readings:
        assert per_entity[("vitals.record", "vital_reading", str(rid))] == 1
    for did in doses:
        assert per_entity[("dose.record", "dose", str(did))] == 1
    recorded = {int(i) for (a, _e, i) in per_entity if a == "vitals.record"}
    assert recorded == set(readings)
