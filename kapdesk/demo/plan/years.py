"""The big clinic's patients and when they come (used by :mod:`kapdesk.demo.bulk`).

Planning is cheap and holds only dates: a few MB for 5,000 patients over five years. Each
patient draws from their own ``random.Random`` seeded with (seed, patient index), so the
rows a patient gets do not depend on the order the builder walks the days in. Shapes of
care (chosen per patient): an acute course only; an acute course and a short booster
course months later; or an acute course followed by maintenance every 2-5 weeks, renewed
as a new course each year, until the patient stops (about two years on average) or the
build's last day. About one patient in a hundred has been in fortnightly maintenance since
the clinic opened: with five years of data their charts hold 100+ sessions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Final

from kapdesk.demo import data
from kapdesk.demo.plan.session import Person, birth_date, weight_kg

ROOMS: Final = (*(f"Room {n}" for n in range(1, 9)), "Infusion bay 1", "Infusion bay 2")
CHECK_IN_TIMES: Final = tuple(time(8 + m // 60, m % 60) for m in range(0, 8 * 60, 30))
LONG_TERM_SHARE: Final = 0.01  # fortnightly maintenance since the clinic opened
SHAPES: Final = (("acute", 0.25), ("booster", 0.22), ("maintenance", 0.53))
MAINTENANCE_EVERY_DAYS: Final = (14, 21, 21, 28, 28, 35)
MEAN_MAINTENANCE_DAYS: Final = 900
COURSE_RENEWAL_DAYS: Final = 365
TODAY_AT_LEAST: Final = 6  # sessions on the build's day (fewer only if nobody is booked later)


@dataclass
class CoursePlan:
    kind: str  # acute | booster | maintenance
    regimen: data.Regimen
    start: date  # started_on: the intake day for the acute course, else its first session day
    days: list[date]  # session days, in order (some may lie after ``today``)
    ends: date | None  # None: still open on ``today``


@dataclass(kw_only=True)
class PatientPlan(Person):
    intake: date
    phq_baseline: int
    phq_target: float  # fraction of the baseline reached after a few sessions
    gad_baseline: int
    courses: list[CoursePlan] = field(default_factory=list)

    def rng(self, seed: int) -> random.Random:
        return patient_rng(seed, self.index)


def patient_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"kapdesk-big-demo:{seed}:{index}")


def is_clinic_day(day: date, today: date) -> bool:
    """Weekdays; the build's own day always counts, so its Today board is never empty."""
    return day.weekday() < 5 or day == today


def _clinic_day(day: date, today: date) -> date:
    while not is_clinic_day(day, today):
        day += timedelta(days=1)
    return day


def _series(
    rng: random.Random, start: date, count: int, every: tuple[int, int], stop: date, today: date
) -> list[date]:
    """Up to ``count`` clinic days from ``start``, ``every`` days apart, until ``stop``."""
    days: list[date] = []
    day = _clinic_day(start, today)
    while len(days) < count and day <= stop:
        days.append(day)
        day = _clinic_day(day + timedelta(days=rng.randint(*every)), today)
    return days


def _acute(
    rng: random.Random, regimen: data.Regimen, intake: date, horizon: date, today: date
) -> CoursePlan:
    """Started at intake; sessions from 5-12 days later, weekly (twice weekly for IV/nasal)."""
    twice_weekly = regimen.protocol_id in ("iv-infusion", "spravato-rems")
    count = rng.randint(6, 8) if twice_weekly else rng.randint(4, 8)
    every = (3, 4) if twice_weekly else (6, 8)
    first = intake + timedelta(days=rng.randint(5, 12))
    days = _series(rng, first, count, every, horizon, today)
    return CoursePlan("acute", regimen, intake, days, None)


def _close(course: CoursePlan, rng: random.Random, today: date) -> None:
    """End a course a few days after its last session, unless that is still to come."""
    last = course.days[-1] if course.days else course.start
    ends = last + timedelta(days=rng.randint(3, 8))
    course.ends = ends if ends < today else None


def _courses(
    rng: random.Random, shape: str, intake: date, today: date, index: int, long_term: bool
) -> list[CoursePlan]:
    regimen = data.REGIMENS[index % len(data.REGIMENS)]
    horizon = today + timedelta(days=28)  # sessions already booked for the coming weeks
    acute = _acute(rng, regimen, intake, horizon, today)
    courses = [acute]
    if shape == "acute" or not acute.days:
        _close(acute, rng, today)
        return courses
    if shape == "booster":
        _close(acute, rng, today)
        start = acute.days[-1] + timedelta(days=rng.randint(90, 360))
        if acute.ends is not None and start <= horizon:
            days = _series(rng, start, rng.randint(3, 4), (6, 8), horizon, today)
            booster = CoursePlan("booster", regimen, start, days, None)
            _close(booster, rng, today)
            courses.append(booster)
        return courses
    every = 14 if long_term else rng.choice(MAINTENANCE_EVERY_DAYS)
    stops = (
        horizon
        if long_term
        else acute.days[-1] + timedelta(days=int(rng.expovariate(1 / MEAN_MAINTENANCE_DAYS)))
    )
    stops = min(stops, horizon)
    acute.ends = acute.days[-1] + timedelta(days=2)
    if acute.ends >= today:
        acute.ends = None
        return courses
    start = acute.days[-1] + timedelta(days=every)
    while start <= stops:
        until = min(stops, start + timedelta(days=COURSE_RENEWAL_DAYS))
        days = _series(rng, start, 10_000, (every - 2, every + 2), until, today)
        course = CoursePlan("maintenance", regimen, start, days, None)
        courses.append(course)
        if not days:
            break
        renewed = until < stops
        if renewed or stops < today:
            course.ends = days[-1] + timedelta(days=rng.randint(1, 5))
            if course.ends >= today:
                course.ends = None
                break
        start = days[-1] + timedelta(days=every)
        if not renewed:
            break
    return [c for c in courses if c.days or c is acute]


def plan_patients(seed: int, patients: int, first_day: date, today: date) -> list[PatientPlan]:
    """Every patient's demographics and courses; intakes spread over [first_day, today - 3)."""
    rng = random.Random(f"kapdesk-big-demo:{seed}")
    mrns = rng.sample(range(100_000, 1_000_000), patients)
    long_terms = max(1, round(patients * LONG_TERM_SHARE))
    span = max((today - first_day).days - 3, 1)
    plans: list[PatientPlan] = []
    for i in range(patients):
        prng = patient_rng(seed, i)
        given, sex = prng.choice(data.GIVEN_NAMES)
        family = prng.choice(data.FAMILY_NAMES)
        long_term = i < long_terms
        intake = first_day + timedelta(
            days=prng.randint(0, 20) if long_term else prng.randrange(span)
        )
        intake = _clinic_day(intake, today)
        shape = (
            "maintenance"
            if long_term
            else prng.choices([s for s, _ in SHAPES], weights=[w for _, w in SHAPES])[0]
        )
        _, (lo, hi), (f_lo, f_hi) = data.PROFILES[i % len(data.PROFILES)]
        plan = PatientPlan(
            index=i,
            given=given,
            family=family,
            sex=sex,
            mrn=f"KAP-{mrns[i]}",
            born=birth_date(prng, today, 72),
            weight=weight_kg(prng, sex),
            bp=(prng.randint(106, 132), prng.randint(66, 84)),
            pulse=prng.randint(58, 86),
            spo2=prng.randint(95, 99),
            allergies=prng.choice(data.ALLERGIES),
            contraindications=prng.choice(data.CONTRAINDICATIONS),
            intake=intake,
            phq_baseline=prng.randint(lo, hi),
            phq_target=prng.uniform(f_lo, f_hi),
            gad_baseline=prng.randint(8, 17),
            item9=prng.random() < 0.08,
        )
        plan.courses = _courses(prng, shape, intake, today, i, long_term)
        plans.append(plan)
    _book_today(plans, today)
    return plans


def _book_today(plans: list[PatientPlan], today: date) -> None:
    """A small clinic may have nobody booked on the build's day: move a few next sessions
    there, so its Today board shows sessions in every stage too."""
    booked = sum(d == today for p in plans for c in p.courses for d in c.days)
    for p in plans:
        if booked >= TODAY_AT_LEAST:
            return
        for c in p.courses:
            later = [k for k, d in enumerate(c.days) if d > today]
            if c.ends is None and later and (later[0] == 0 or c.days[later[0] - 1] < today):
                c.days[later[0]] = today
                booked += 1
                break
