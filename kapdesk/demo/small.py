"""The demo clinic behind ``kapdesk demo`` and ``kapdesk --demo``.

Everything is written through the real services by the four demo accounts,
with a FakeClock the builder moves through the weeks before ``today``: every
row has its audit entry, stamped with the moment it "happened", and the audit
chain is valid. The builder first plans every step of every patient (all
random choices, from ``random.Random(seed)``), then replays the steps in time
order.

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
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kapdesk.demo import data, output
from kapdesk.demo.plan import birth_date, local_time, weight_kg
from kapdesk.demo.small_session import PatientPlan, Ref, SessionPlanner, Timeline
from kapdesk.domain.clock import FakeClock, SystemClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.settings import SettingsService
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage import orm
from kapdesk.storage.db import Database


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


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
        self._mrns: set[str] = set()

    def build(self, patients: int) -> None:
        # The clinic's staff exist well before its first patient (at most ~140 days back).
        self.clock.set(local_time(self.today - timedelta(days=data.OPENED_DAYS_AGO), time(8, 0)))
        self._create_staff()
        for i, name in enumerate(self._names(patients)):
            self._plan_patient(i, name)
        assert self.timeline.first() > self.clock.now()
        self.timeline.run(self.clock)

    def _names(self, n: int) -> list[tuple[str, str, str]]:
        rest = list(data.MORE_NAMES)
        self.rng.shuffle(rest)
        pool = [*data.SHOWCASE_NAMES, *rest]
        names = pool[:n]
        while len(names) < n:  # more patients than names: mix given and family names
            given, _, sex = self.rng.choice(pool)
            names.append((given, self.rng.choice(pool)[1], sex))
        self.rng.shuffle(names)
        return names

    def _create_staff(self) -> None:
        users = UserService(self.ctx)
        for username, full_name, role in data.STAFF:
            info = users._add_demo_user(
                username=username, full_name=full_name, role=role, password=data.DEMO_PASSWORD
            )
            self.staff[role] = actor_of(info)
            self.clock.advance(minutes=1)
        SettingsService(self.ctx).update(self.staff[Role.ADMIN], clinic_name=data.CLINIC_NAME)

    def _mrn(self) -> str:
        while True:
            mrn = f"KAP-{self.rng.randint(100000, 999999)}"
            if mrn not in self._mrns:
                self._mrns.add(mrn)
                return mrn

    def _plan_patient(self, i: int, name: tuple[str, str, str]) -> None:
        rng, today = self.rng, self.today
        given, family, sex = name
        regimen = data.REGIMENS[i % len(data.REGIMENS)]
        today_plan = next((t for t in data.TODAY if t[0] == i), None)
        n = rng.randint(4, 8)
        last = today if today_plan else _weekday(today - timedelta(days=rng.randint(2, 70)))
        days = [last - timedelta(days=7 * (n - 1 - k)) for k in range(n)]
        days = [_weekday(d + timedelta(days=rng.choice((-1, 0, 0, 1)))) for d in days[:-1]]
        days.append(last)
        intake = _weekday(days[0] - timedelta(days=rng.randint(5, 12)))
        ends = None if today_plan or last > today - timedelta(days=10) else last
        if ends is not None:
            ends = _weekday(last + timedelta(days=rng.randint(3, 8)))
        profile, (lo, hi), (f_lo, f_hi) = data.PROFILES[i % len(data.PROFILES)]
        baseline = rng.randint(lo, hi)
        alert = data.FORCED.get((i, 2)) == "alert"
        (s_lo, s_hi), (d_lo, d_hi) = (
            data.ALERT_PATIENT_BASELINE if alert else ((106, 130), (66, 82))
        )
        pp = PatientPlan(
            index=i,
            patient=Ref(),
            course=Ref(),
            regimen=regimen,
            protocol=self.ctx.protocol(regimen.protocol_id),
            weight=weight_kg(rng, sex),
            bp=(rng.randint(s_lo, s_hi), rng.randint(d_lo, d_hi)),
            pulse=rng.randint(60, 84),
            spo2=rng.randint(96, 99),
            responding=profile in ("responder", "remitter", "partial"),
            item9=i == data.ITEM9_PATIENT,
            phq=self._phq_series(baseline, round(baseline * rng.uniform(f_lo, f_hi)), n),
            gad=(rng.randint(8, 17), rng.uniform(f_lo, min(f_hi, 1.0))),
            sessions=[Ref() for _ in range(n)],
        )
        t = local_time(intake, rng.choice(data.NOTE_TIMES))
        self._intake(pp, t, intake, sex, given, family, n)
        for k, day in enumerate(days):
            stage, room = "full", rng.choice(data.ROOMS)
            scheduled = local_time(day, rng.choice(data.CHECK_IN_TIMES))
            if today_plan and k == n - 1:
                _, stage, offset, room = today_plan
                if offset is not None:
                    scheduled = self.timeline.end + timedelta(minutes=offset)
            if stage == "monitoring":
                scheduled = self.timeline.end - timedelta(minutes=38)
            elif stage == "pre_dose":
                scheduled = self.timeline.end - timedelta(minutes=22)
            self.timeline.at(
                t + timedelta(minutes=35 + k), self.sessions.scheduler(pp, k, scheduled, room)
            )
            feature = data.FORCED.get((i, k)) if stage == "full" and day != today else None
            gad_end = ends is None and not today_plan and k == n - 1
            self.sessions.plan(pp, k, scheduled, stage, feature, gad_end=gad_end)
        if ends is not None:
            self._course_end(pp, local_time(ends, rng.choice(data.NOTE_TIMES)), ends)

    def _phq_series(self, baseline: int, target: int, n: int) -> list[int]:
        """Baseline, one value before each dosing session, and the end-of-course value."""
        values = [baseline]
        for k in range(n):
            trend = baseline + (target - baseline) * k / n
            values.append(max(0, min(27, round(trend) + self.rng.randint(-1, 1))))
        values.append(target)
        return values

    def _intake(
        self, pp: PatientPlan, t: datetime, day: date, sex: str, given: str, family: str, n: int
    ) -> None:
        rng, staff = self.rng, self.staff
        dob = birth_date(rng, self.today, 68)
        mrn = self._mrn()
        allergies, notes = rng.choice(data.ALLERGIES), rng.choice(data.CONTRAINDICATIONS)
        goal = rng.choice(data.COURSE_GOALS)
        gad = data.item_answers(rng, pp.gad[0], 7)

        def register() -> None:
            pp.patient.id = (
                self.sessions.patients.create(
                    staff[Role.NURSE], mrn=mrn, given_name=given, family_name=family,
                    date_of_birth=dob, sex=sex, weight_kg=pp.weight, allergies=allergies,
                    contraindications=notes,
                ).id
            )  # fmt: skip

        def start_course() -> None:
            pp.course.id = self.sessions.courses.start(
                staff[Role.CLINICIAN], pp.patient.id, pp.regimen.protocol_id, day, goal
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
        self.sessions.instrument(pp, t, "PHQ-9", len(pp.phq) - 1, None)
        gad = data.item_answers(self.rng, round(pp.gad[0] * pp.gad[1]), 7)
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


def _today_sessions(db: Database, today: date) -> int:
    start, end = local_time(today, time(0)), local_time(today + timedelta(days=1), time(0))
    with db.read() as s:
        query = select(func.count(orm.DosingSession.id)).where(
            orm.DosingSession.scheduled_at >= start, orm.DosingSession.scheduled_at < end
        )
        return int(s.scalar(query) or 0)


def build_demo_clinic(
    path: Path,
    *,
    seed: int = 1,
    patients: int = 12,
    today: date | None = None,
    key: str | None = None,
    end_time: time | None = None,
) -> str:
    """Write a realistic demo clinic to the new file ``path``; returns a one-paragraph summary.

    The clinic's history ends on ``today`` at ``end_time`` local time, with that
    day's sessions running around it. Without ``today`` it ends now (the
    minute the demo is built), so a freshly opened demo shows a live board;
    with ``today`` and no ``end_time`` it ends at 10:00 (repeatable tests).
    """
    path = Path(path)
    output.check_new_file(path)
    output.check_size("Patients", patients, data.MAX_PATIENTS)
    day, end = output.build_end(today, end_time, SystemClock(), data.BUILD_END)
    clock = FakeClock(local_time(day, end))
    with output.new_database(path, clock, key) as db:  # key: encrypt it (SQLCipher)
        ctx = ServiceContext(db=db, clock=clock)
        _Builder(ctx, clock, seed, day, end).build(patients)
        counts = output.count_rows(db)
        on_the_day = _today_sessions(db, day)
    return (
        f"Demo clinic written to {path}: {counts['users']} users, {counts['patients']} "
        f"patients, {counts['courses']} treatment courses, {counts['sessions']} dosing sessions "
        f"({on_the_day} today), {counts['readings']} vital-sign readings, {counts['doses']} "
        f"doses, {counts['side_effects']} side effects, {counts['instruments']} PHQ-9/GAD-7 "
        f"results, {counts['notes']} notes and {counts['audit']} audit entries. Sign in as "
        "admin, clinician, therapist or nurse, each with the password "
        f'"{data.DEMO_PASSWORD}" (demo accounts only: real passwords need at least 10 '
        "characters)."
    )
