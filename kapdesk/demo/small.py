"""The demo clinic behind ``kapdesk demo`` and ``kapdesk --demo``.

Everything is written through the real services by the four demo accounts,
with a FakeClock the builder moves through the weeks before ``today``: every
row has its audit entry, stamped with the moment it "happened", and the audit
chain is valid. The planner (:mod:`kapdesk.demo.plan.showcase`) decides who the
patients are and when they come, the builder turns every step of every patient
into a service call on a timeline (the session's details decided as
:mod:`kapdesk.demo.plan.session` does for both writers; all random choices from
``random.Random(seed)``), then replays the steps in time order.

Decisions a caller must know:

* A path that exists is refused (ValidationError, the file is not touched);
  if building fails, the half-written file is removed.
* Deterministic for a given (seed, patients, today) on one computer: times of
  day are local clinic hours, so the stored UTC times depend on the computer's
  time zone. Only the (salted) password hashes differ between two runs.
* ``today`` defaults to the local date of the system clock, the only read of
  the wall clock. The build ends at 10:00 local time that day, with a session
  discharged earlier today, one in monitoring whose 20-30 min reading is due
  (overdue from 10:08), one taking pre-dose vitals with an elevated BP holding
  the dose, and sessions scheduled later in the day.
* The demo accounts (admin, clinician, therapist, nurse) share the password
  "demo", shorter than the real minimum on purpose (UserService._add_demo_user,
  audited as "user.add_demo").
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kapdesk.demo import data, output
from kapdesk.demo.plan import local_time
from kapdesk.demo.plan.showcase import ShowcasePatient, plan_showcase
from kapdesk.demo.small_session import PatientPlan, Ref, SessionPlanner, Timeline
from kapdesk.domain.clock import FakeClock, SystemClock
from kapdesk.domain.permissions import Role
from kapdesk.i18n import _
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.settings import SettingsService
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage import orm
from kapdesk.storage.db import Database
from kapdesk.storage.server_url import ServerURL


class _Builder:
    def __init__(
        self, ctx: ServiceContext, clock: FakeClock, seed: int, today: date, end: time
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.rng = random.Random(seed)
        self.today = today
        self.timeline = Timeline(local_time(today, end))
        self.staff: dict[Role, Actor] = {}
        self.sessions = SessionPlanner(ctx, self.rng, self.timeline, self.staff, today)

    def build(self, patients: int, progress: output.BuildProgress | None = None) -> None:
        # The clinic's staff exist well before its first patient (at most ~140 days back).
        self.clock.set(local_time(self.today - timedelta(days=data.OPENED_DAYS_AGO), time(8, 0)))
        if progress is not None:
            progress(0, 0, _("Creating the staff accounts"))
        self._create_staff()
        plans, self.sessions.rooms = plan_showcase(
            self.rng, patients, self.today, self.timeline.end
        )
        for patient in plans:
            self._schedule(patient)
        assert self.timeline.first() > self.clock.now()
        steps = None if progress is None else _Steps(plans, self.timeline.end, self.clock, progress)
        self.timeline.run(self.clock, steps)
        # The builder's last entry, at the build's end: its local date is the day the demo
        # was built for (kapdesk.demo.rebuild reads it), even when "now" is just past midnight.
        self.clock.set(self.timeline.end)
        SettingsService(self.ctx).update(self.staff[Role.ADMIN], clinic_name=data.CLINIC_NAME)

    def _create_staff(self) -> None:
        users = UserService(self.ctx)
        for username, full_name, role in data.STAFF:
            info = users._add_demo_user(
                username=username, full_name=full_name, role=role, password=data.DEMO_PASSWORD
            )
            self.staff[role] = actor_of(info)
            self.clock.advance(minutes=1)

    def _schedule(self, p: ShowcasePatient) -> None:
        """Every step of the patient's planned course, as service calls on the timeline."""
        protocol = self.ctx.protocol(p.regimen.protocol_id)
        pp = PatientPlan(p, protocol, sessions=[Ref() for _ in p.visits])
        self._intake(pp, p)
        for k, visit in enumerate(p.visits):
            booked = p.intake_at + timedelta(minutes=35 + k)
            self.timeline.at(booked, self.sessions.scheduler(pp, k, visit.scheduled, visit.room))
            self.sessions.plan(
                pp, k, visit.scheduled, visit.stage, visit.feature, gad_end=visit.gad_end
            )
        if p.ends is not None and p.ends_at is not None:
            self._course_end(pp, p.ends_at, p.ends)

    def _intake(self, pp: PatientPlan, p: ShowcasePatient) -> None:
        staff, t = self.staff, p.intake_at
        gad = data.item_answers(self.rng, pp.plan.gad[0], 7)

        def register() -> None:
            pp.patient.id = (
                self.sessions.patients.create(
                    staff[Role.NURSE], mrn=p.mrn, given_name=p.given, family_name=p.family,
                    date_of_birth=p.born, sex=p.sex, weight_kg=p.weight, allergies=p.allergies,
                    contraindications=p.contraindications,
                ).id
            )  # fmt: skip

        def start_course() -> None:
            pp.course.id = self.sessions.courses.start(
                staff[Role.CLINICIAN], pp.patient.id, pp.plan.regimen.protocol_id, p.intake, p.goal
            ).id

        self.timeline.at(t, register)
        self.timeline.at(t + timedelta(minutes=10), start_course)
        self.sessions.instrument(pp, t + timedelta(minutes=20), "PHQ-9", 0, None)
        self.timeline.at(
            t + timedelta(minutes=25),
            lambda: self.sessions.instruments.record(
                staff[Role.THERAPIST], pp.patient.id, "GAD-7", gad, course_id=pp.course.id
            ),
        )

    def _course_end(self, pp: PatientPlan, t: datetime, day: date) -> None:
        staff = self.staff
        self.sessions.instrument(pp, t, "PHQ-9", len(pp.plan.phq) - 1, None)
        gad = data.item_answers(self.rng, round(pp.plan.gad[0] * pp.plan.gad[1]), 7)
        self.timeline.at(
            t + timedelta(minutes=5),
            lambda: self.sessions.instruments.record(
                staff[Role.THERAPIST], pp.patient.id, "GAD-7", gad, course_id=pp.course.id
            ),
        )
        self.timeline.at(
            t + timedelta(minutes=30),
            lambda: self.sessions.courses.end(
                staff[Role.CLINICIAN], pp.course.id, day, data.COURSE_END_REASON
            ),
        )


class _Steps:
    """Reports the replay as "Creating patients 5 of 12 and sessions 20 of 70" (each
    counted once the clinic's clock has reached it), only when the words or the whole
    percentage change."""

    def __init__(
        self, plans: list[ShowcasePatient], end: datetime, clock: FakeClock,
        progress: output.BuildProgress,
    ) -> None:  # fmt: skip
        self.intakes = sorted(p.intake_at for p in plans)
        self.visits = sorted(v.scheduled for p in plans for v in p.visits if v.scheduled <= end)
        self.clock, self.progress = clock, progress
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, done: int, total: int) -> None:
        now = self.clock.now()
        patients = bisect_right(self.intakes, now)
        sessions = bisect_right(self.visits, now)
        text = _(
            "Creating patients {patients} of {all_patients} and sessions {sessions} of "
            "{all_sessions}",
            patients=patients,
            all_patients=len(self.intakes),
            sessions=sessions,
            all_sessions=len(self.visits),
        )
        shown = (text, done * 100 // total)
        if shown != self.last:
            self.last = shown
            self.progress(done, total, text)


def _today_sessions(db: Database, today: date) -> int:
    start, end = local_time(today, time(0)), local_time(today + timedelta(days=1), time(0))
    with db.read() as s:
        query = select(func.count(orm.DosingSession.id)).where(
            orm.DosingSession.scheduled_at >= start, orm.DosingSession.scheduled_at < end
        )
        return int(s.scalar(query) or 0)


def build_demo_clinic(
    path: Path | ServerURL,
    *,
    seed: int = 1,
    patients: int = 12,
    today: date | None = None,
    key: str | None = None,
    end_time: time | None = None,
    progress: output.BuildProgress | None = None,
    shown_as: Path | None = None,
) -> str:
    """Write a realistic demo clinic to the new file ``path`` (or a clinic server's empty
    database); returns a one-paragraph summary.

    The clinic's history ends on ``today`` at ``end_time`` local time, with that
    day's sessions running around it. Without ``today`` it ends now (the
    minute the demo is built), so a freshly opened demo shows a live board;
    with ``today`` and no ``end_time`` it ends at 10:00 (repeatable tests).
    ``progress`` hears how far the build is (:data:`kapdesk.demo.output.BuildProgress`);
    ``shown_as`` is the file the summary names (a rebuild writes beside it first).
    """
    path = path if isinstance(path, ServerURL) else Path(path)  # a file or a clinic server
    output.check_new_file(path)
    output.check_size("Patients", patients, data.MAX_PATIENTS)
    day, end = output.build_end(today, end_time, SystemClock(), data.BUILD_END)
    clock = FakeClock(local_time(day, end))
    if progress is not None:
        progress(0, 0, _("Creating the database"))
    with output.new_database(path, clock, key) as db:  # key: encrypt it (SQLCipher)
        ctx = ServiceContext(db=db, clock=clock)
        _Builder(ctx, clock, seed, day, end).build(patients, progress)
        counts = output.count_rows(db)
        on_the_day = _today_sessions(db, day)
    return (
        f"Demo clinic written to {shown_as or path}: {counts['users']} users, {counts['patients']} "
        f"patients, {counts['courses']} treatment courses, {counts['sessions']} dosing sessions "
        f"({on_the_day} today), {counts['readings']} vital-sign readings, {counts['doses']} "
        f"doses, {counts['side_effects']} side effects, {counts['instruments']} PHQ-9/GAD-7 "
        f"results, {counts['notes']} notes and {counts['audit']} audit entries. Sign in as "
        "admin, clinician, therapist or nurse, each with the password "
        f'"{data.DEMO_PASSWORD}" (demo accounts only: real passwords need at least 10 '
        "characters)."
    )
