"""A big demo clinic for benchmarks: ``kapdesk demo --db PATH --patients 5000 --years 5``.

About 5,000 patients, 100,000 dosing sessions and a million vital-sign
readings, with doses, side effects, observations, notes, PHQ-9 / GAD-7
results and a valid audit chain, in a few minutes. The small demo
(:mod:`kapdesk.demo.small`) goes through the services one call at a time,
which is far too slow for this; here the staff accounts and the clinic name
go through the services and everything else is written with Core
``insert(Model)`` in large batches (:mod:`kapdesk.demo.bulk_writer`),
with one audit entry per created row, hashed and chained exactly as
``kapdesk.storage.audit.append`` does.

Decisions a caller must know:

* A path that exists is refused (ValidationError, the file is not touched); a
  failed build removes the half-written file.
* The builder walks the clinic's days in order, so rows are stored in the
  order a real clinic's would be (a patient's sessions spread across the
  file). Memory stays bounded: plans hold only dates, and rows are inserted
  every few thousand.
* For the duration of the build only, the bulk connection runs with
  ``synchronous=OFF`` and a larger page cache (safe: a crash mid-build leaves
  a file that is deleted anyway); both are restored before it is handed back,
  and every later connection gets the normal settings (``synchronous=FULL``).
* Deterministic for a given (seed, patients, years, today, end time) on one
  computer (local clinic hours depend on its time zone); only the salted
  password hashes differ, and they are never copied into the audit log, so
  two such builds end on the same audit hash.
* ``today`` defaults to the local date, ``end_time`` to the current minute:
  that day's sessions are cut off there (some running, some still to come).
  Bump :data:`GENERATOR_VERSION` whenever the output changes, so caches of
  older builds (tests/bench/.cache) are rebuilt.
* Staff accounts are the small demo's four (password "demo") plus a few more
  nurses, a therapist and a clinician with the same password. They are demo accounts
  (audited ``user.add_demo``, so printouts carry the DEMO mark), except with
  ``demo=False`` (the benchmarks: they measure a real clinic): then the first admin is
  created as on a new install and the admin adds the others (``user.add``).
* The clinic signs as a clinic does (:mod:`kapdesk.demo.bulk_signed`): nearly every
  finished session signed by a clinician within a day, integration notes by their
  therapist, a few addenda, a few readings marked entered in error before signing.
"""

from __future__ import annotations

import random
import time as _time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final

from kapdesk.demo import data, output
from kapdesk.demo.bulk_session import CourseState, PatientState, RecordMaker, Staff
from kapdesk.demo.bulk_writer import BulkWriter, Row
from kapdesk.demo.plan import local_time, minutes
from kapdesk.demo.plan.years import CoursePlan, PatientPlan, plan_patients
from kapdesk.domain.clock import FakeClock, SystemClock
from kapdesk.domain.name_search import search_key
from kapdesk.domain.patients import validate_patient
from kapdesk.domain.permissions import Role
from kapdesk.domain.protocol import Protocol
from kapdesk.domain.wording import grouped
from kapdesk.i18n import _
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.protocol_store import pin
from kapdesk.services.recording import AuditRecord, audit_change, audit_row
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage import orm
from kapdesk.storage.db import Database
from kapdesk.storage.engine import with_tx_mode
from kapdesk.storage.settings_store import set_setting

GENERATOR_VERSION: Final = 5
MAX_PATIENTS: Final = 50_000
MAX_YEARS: Final = 20
BULK_CACHE_KIB: Final = 64 * 1024
COMMIT_EVERY_ROWS: Final = 400_000
EXTRA_STAFF: Final = (
    ("nurse2", "Tomasz Wójcik, RN", Role.NURSE),
    ("nurse3", "Grace Mwangi, RN", Role.NURSE),
    ("nurse4", "Lucía Herrera, RN", Role.NURSE),
    ("therapist2", "Dr. Noor Haddad, PsyD", Role.THERAPIST),
    ("clinician2", "Dr. Henrik Dahl, MD", Role.CLINICIAN),
)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BigClinicResult:
    path: Path
    seconds: float
    size_bytes: int
    counts: dict[str, int]
    today: date
    end: datetime  # the clinic's "now" when the build stopped (aware UTC)

    def summary(self, where: str | None = None) -> str:
        """What was built, in the active language; ``where``: the place to name instead of
        the file (the server the clinic was moved to)."""
        c = self.counts
        seconds, megabytes = round(self.seconds), round(self.size_bytes / 1e6)
        end = self.end.astimezone().strftime("%Y-%m-%d %H:%M")
        return _(
            "Big demo clinic written to {where} in {seconds} s ({megabytes} MB): {users} "
            "users, {patients} patients, {courses} courses, {sessions} dosing sessions, "
            "{readings} vital-sign readings, {doses} doses, {side_effects} side effects, "
            "{observations} observations, {instruments} PHQ-9/GAD-7 results, {notes} notes, "
            "{signatures} signatures, {addenda} addenda and {audit} audit entries, ending "
            "{end}. Sign in as admin, clinician, therapist or nurse, each with the password "
            '"{password}".',
            where=self.path if where is None else where,
            seconds=seconds,
            megabytes=megabytes,
            end=end,
            password=data.DEMO_PASSWORD,
            **{k: c[k] for k in _SUMMARY_COUNTS},
        )


_SUMMARY_COUNTS: Final = (
    "users",
    "patients",
    "courses",
    "sessions",
    "readings",
    "doses",
    "side_effects",
    "observations",
    "instruments",
    "notes",
    "signatures",
    "addenda",
    "audit",
)


def _staff(ctx: ServiceContext, clock: FakeClock, demo: bool) -> Staff:
    users = UserService(ctx)
    made: dict[Role, list[Actor]] = defaultdict(list)
    for username, full_name, role in (*data.STAFF, *EXTRA_STAFF):
        admin = made[Role.ADMIN][0] if made[Role.ADMIN] else None
        # not a demo: as on a real install, the first admin, who adds everyone else
        real = "user.add" if admin else "user.create_first_admin"
        action = "user.add_demo" if demo else real
        info = users._add_demo_user(
            username=username, full_name=full_name, role=role, password=data.DEMO_PASSWORD,
            actor=None if demo else admin, action=action,
        )  # fmt: skip
        made[role].append(actor_of(info))
        clock.advance(minutes=1)
    return Staff(
        made[Role.ADMIN][0],
        tuple(made[Role.CLINICIAN]),
        tuple(made[Role.NURSE]),
        tuple(made[Role.THERAPIST]),
    )


class _Build:
    """Walks the days from the first intake to the last booked session."""

    def __init__(
        self, writer: BulkWriter, staff: Staff, ctx: ServiceContext, seed: int, today: date,
        end: datetime,
    ) -> None:  # fmt: skip
        self.w = writer
        self.ctx = ctx
        self.seed = seed
        self.today = today
        self.end = end
        self.staff = staff
        self.deferred: dict[date, list[Callable[[], None]]] = defaultdict(list)
        self.maker = RecordMaker(writer, staff, today, end, self._defer)
        self.patients: dict[int, PatientState] = {}
        self.courses: dict[tuple[int, int], CourseState] = {}

    def _defer(self, day: date, action: Callable[[], None]) -> None:
        self.deferred[day].append(action)

    def run(self, plans: list[PatientPlan], progress: Progress | None) -> None:
        # (rank, patient, course, session): course ends, intakes, course starts, sessions.
        agenda: dict[date, list[tuple[int, int, int, int]]] = defaultdict(list)
        for p in plans:
            agenda[p.intake].append((1, p.index, -1, -1))
            for ci, c in enumerate(p.courses):
                agenda[c.start].append((2, p.index, ci, -1))
                for si, day in enumerate(c.days):
                    agenda[day].append((3, p.index, ci, si))
                if c.ends is not None:
                    agenda[c.ends].append((0, p.index, ci, -1))
        by_index = {p.index: p for p in plans}
        day, last = min(agenda), max(agenda)
        written = 0
        while day <= last:
            for rank, pi, ci, si in sorted(agenda.pop(day, [])):
                self._event(by_index[pi], rank, ci, si, day)
                self.w.maybe_flush()
            for action in self.deferred.pop(day, []):
                action()
                self.w.maybe_flush()
            total = sum(self.w.counts.values())
            if total - written >= COMMIT_EVERY_ROWS:
                self.w.commit()
                written = total
                if progress is not None:
                    progress(_("{day}: {rows} rows", day=day.isoformat(), rows=grouped(total)))
            day += timedelta(days=1)
        self.w.commit()

    def _event(self, p: PatientPlan, rank: int, ci: int, si: int, day: date) -> None:
        if rank == 1:
            self._intake(p)
            return
        ps = self.patients.get(p.index)
        if ps is None:
            return
        if rank == 2:
            plan = p.courses[ci]
            at = (
                self._intake_at(p) + timedelta(minutes=10)
                if ci == 0
                else local_time(day, time(7, 30)) + timedelta(minutes=ps.rng.randint(0, 25))
            )
            if at <= self.end:
                protocol = self.ctx.protocol(plan.regimen.protocol_id)
                self.courses[(p.index, ci)] = self._start_course(ps, plan, protocol, at)
            return
        course = self.courses.get((p.index, ci))
        if course is None:
            return
        if rank == 0:
            self._end_course(ps, course, local_time(day, time(16, 30)))
        elif ps.course is course:
            self.maker.session(ps, day, si)

    def _start_course(
        self, ps: PatientState, plan: CoursePlan, protocol: Protocol, at: datetime
    ) -> CourseState:
        clinician = ps.rng.choice(self.staff.clinicians)
        row: Row = {
            "id": self.w.new_id(orm.Course), "patient_id": ps.id, "protocol_id": protocol.id,
            "protocol_version": protocol.version, "protocol_hash": protocol.sha256,
            "started_on": plan.start,
            "goal": ps.rng.choice(data.COURSE_GOALS), "ended_on": None, "created_at": at,
        }  # fmt: skip
        self.w.add(
            orm.Course, row, at=at, user_id=clinician.user_id, action="course.start",
            entity="course", after=dict(row),
        )  # fmt: skip
        course = CourseState(row["id"], plan, protocol, at, row)
        relapse = 0.0 if plan.kind == "maintenance" else 0.35 * (ps.sessions_done > 0)
        self.maker.instrument(ps, "PHQ-9", ps.phq_total(relapse), at + minutes(10), course.id)
        self.maker.instrument(ps, "GAD-7", ps.plan.gad_baseline, at + minutes(15), course.id)
        ps.course = course
        return course

    def _end_course(self, ps: PatientState, course: CourseState, at: datetime) -> None:
        """End-of-course PHQ-9 and GAD-7, then ``course.end`` (the row already holds the date)."""
        assert course.plan.ends is not None
        self.maker.instrument(ps, "PHQ-9", ps.phq_total(), at, course.id)
        gad = round(ps.plan.gad_baseline * (0.4 + 0.6 * ps.plan.phq_target))
        self.maker.instrument(ps, "GAD-7", gad, at + minutes(5), course.id)
        before = {**course.row, "ended_on": None}
        course.row["ended_on"] = course.plan.ends
        clinician = ps.rng.choice(self.staff.clinicians)
        self.w.audit(
            at=at + minutes(30), user_id=clinician.user_id, action="course.end", entity="course",
            entity_id=course.id, before=before,
            after={**course.row, "end_reason": data.COURSE_END_REASON},
        )  # fmt: skip
        if ps.course is course:
            ps.course = None

    def _intake_at(self, p: PatientPlan) -> datetime:
        return local_time(p.intake, data.NOTE_TIMES[p.index % len(data.NOTE_TIMES)])

    def _intake(self, p: PatientPlan) -> None:
        at = self._intake_at(p)
        if at > self.end:
            return
        clean = validate_patient(
            mrn=p.mrn, given_name=p.given, family_name=p.family, date_of_birth=p.born,
            sex=p.sex, today=self.today, weight_kg=p.weight, allergies=p.allergies,
            contraindication_notes=p.contraindications,
        )  # fmt: skip
        nurse = self.staff.nurses[p.index % len(self.staff.nurses)]
        patient_id = self.w.new_id(orm.Patient)
        row: Row = {
            "id": patient_id, "mrn": clean.mrn, "family_name": clean.family_name,
            "given_name": clean.given_name, "date_of_birth": clean.date_of_birth,
            "sex": clean.sex.value, "weight_kg": clean.weight_kg, "allergies": clean.allergies,
            "contraindications": clean.contraindication_notes, "created_at": at,
            "updated_at": at, "search_key": search_key(clean.family_name, clean.given_name),
        }  # fmt: skip
        self.w.add(
            orm.Patient, row, at=at, user_id=nurse.user_id, action="patient.create",
            entity="patient",
        )  # fmt: skip
        rng = random.Random(f"kapdesk-big-demo-rows:{self.seed}:{p.index}")
        self.patients[p.index] = PatientState(p, patient_id, rng)


def _bulk(
    db: Database, ctx: ServiceContext, staff: Staff, plans: list[PatientPlan], seed: int,
    today: date, end: datetime, progress: Progress | None,
) -> None:  # fmt: skip
    with with_tx_mode(db.engine, "write").connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        # Only for this connection and only while building a new file (see the docstring).
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            writer = BulkWriter(conn)
            _Build(writer, staff, ctx, seed, today, end).run(plans, progress)
        finally:
            if conn.in_transaction():
                conn.rollback()
            raw.execute("PRAGMA synchronous = FULL")
            raw.execute("PRAGMA cache_size = -2000")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _name_clinic(ctx: ServiceContext, clock: FakeClock, admin: Actor, end: datetime) -> None:
    """The admin names the clinic at the build's end: the builder's last entry, whose
    local date is the day the demo was built for (kapdesk.demo.rebuild reads it)."""
    clock.set(end)
    with ctx.db.write() as s:
        before = set_setting(s, "clinic_name", data.CLINIC_NAME)
        record = AuditRecord(
            "settings.update",
            "setting",
            "clinic_name",
            before={"value": before},
            after={"value": data.CLINIC_NAME},
        )
        audit_change(s, ctx, admin, record)


def _pin_protocols(ctx: ServiceContext) -> None:
    """Store the shipped protocol texts the generated courses are pinned to (protocol_store)."""
    with ctx.db.write() as s:
        for protocol in ctx.protocols.values():
            _, row = pin(s, protocol, ctx.now())
            if row is not None:
                audit_row(s, ctx, None, "protocol.pin", row)


def build_big_clinic(
    path: Path,
    *,
    patients: int = 5000,
    years: int = 5,
    seed: int = 1,
    today: date | None = None,
    end_time: time | None = None,
    key: str | None = None,
    progress: Progress | None = None,
    demo: bool = True,
) -> BigClinicResult:
    """Write a big demo clinic to the new file ``path`` (see the module docstring;
    ``demo=False``: accounts as a real clinic's, for the benchmarks)."""
    started = _time.perf_counter()
    path = Path(path)
    output.check_new_file(path)
    output.check_size("Patients", patients, MAX_PATIENTS)
    output.check_size("Years", years, MAX_YEARS)
    day, at = output.build_end(today, end_time, SystemClock(), data.BUILD_END)
    end = local_time(day, at)
    first_day = day - timedelta(days=round(365.25 * years))
    clock = FakeClock(local_time(first_day - timedelta(days=30), time(8, 0)))
    with output.new_database(path, clock, key) as db:
        ctx = ServiceContext(db=db, clock=clock)
        staff = _staff(ctx, clock, demo)
        _pin_protocols(ctx)
        plans = plan_patients(seed, patients, first_day, day)
        if progress is not None:
            progress(_("planned {n} patients from {day}", n=patients, day=first_day.isoformat()))
        _bulk(db, ctx, staff, plans, seed, day, end, progress)
        _name_clinic(ctx, clock, staff.admin, end)
        counts = output.count_rows(db)
    size = path.stat().st_size
    return BigClinicResult(path, _time.perf_counter() - started, size, counts, day, end)
