"""The small demo's patients (used by :mod:`kapdesk.demo.small`): a scripted showcase.

Twelve patients (by default) whose first five names are always the same, one acute course
each of 4-8 roughly weekly sessions, every protocol and route covered, and the features a
demo must show forced onto fixed sessions (:data:`kapdesk.demo.data.FORCED`: a late
reading, an override, a withheld dose, an alert, ...). The build's own day has sessions in
every stage around its end (:data:`kapdesk.demo.data.TODAY`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kapdesk.demo import data
from kapdesk.demo.plan.rooms import fit_rooms
from kapdesk.demo.plan.session import Person, birth_date, local_time, weight_kg


@dataclass(frozen=True)
class VisitPlan:
    """One booked session: when, where, how far it got by the end, what it shows."""

    day: date
    scheduled: datetime
    room: str
    stage: str  # full | discharged | monitoring | pre_dose | scheduled (data.TODAY)
    feature: str | None  # data.FORCED
    gad_end: bool  # the course's closing GAD-7 is taken in this session


@dataclass(kw_only=True)
class ShowcasePatient(Person):
    goal: str
    regimen: data.Regimen
    responding: bool
    phq: list[int]  # baseline, before each session, end of course
    gad: tuple[int, float]  # baseline, end as a fraction of it
    intake: date  # the course starts that day
    intake_at: datetime
    visits: list[VisitPlan]
    ends: date | None  # the course's end, if it has ended
    ends_at: datetime | None


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _names(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    rest = list(data.MORE_NAMES)
    rng.shuffle(rest)
    pool = [*data.SHOWCASE_NAMES, *rest]
    names = pool[:n]
    while len(names) < n:  # more patients than names: mix given and family names
        given, _, sex = rng.choice(pool)
        names.append((given, rng.choice(pool)[1], sex))
    rng.shuffle(names)
    return names


def _phq_series(rng: random.Random, baseline: int, target: int, n: int) -> list[int]:
    """Baseline, one value before each dosing session, and the end-of-course value."""
    values = [baseline]
    for k in range(n):
        trend = baseline + (target - baseline) * k / n
        values.append(max(0, min(27, round(trend) + rng.randint(-1, 1))))
    values.append(target)
    return values


def _session_days(rng: random.Random, today: date, on_the_day: bool) -> list[date]:
    """4-8 weekly sessions (a day either side), the last one today or 2-70 days ago."""
    n = rng.randint(4, 8)
    last = today if on_the_day else _weekday(today - timedelta(days=rng.randint(2, 70)))
    days = [last - timedelta(days=7 * (n - 1 - k)) for k in range(n)]
    days = [_weekday(d + timedelta(days=rng.choice((-1, 0, 0, 1)))) for d in days[:-1]]
    return [*days, last]


def _visits(
    rng: random.Random, i: int, days: list[date], today: date, end: datetime, ended: bool
) -> list[VisitPlan]:
    today_plan = next((t for t in data.TODAY if t[0] == i), None)
    visits = []
    for k, day in enumerate(days):
        stage, room = "full", rng.choice(data.ROOMS)
        scheduled = local_time(day, rng.choice(data.CHECK_IN_TIMES))
        if today_plan and k == len(days) - 1:
            _, stage, offset, room = today_plan
            if offset is not None:
                scheduled = end + timedelta(minutes=offset)
        if stage == "monitoring":
            scheduled = end - timedelta(minutes=38)
        elif stage == "pre_dose":
            scheduled = end - timedelta(minutes=22)
        feature = data.FORCED.get((i, k)) if stage == "full" and day != today else None
        gad_end = not ended and not today_plan and k == len(days) - 1
        visits.append(VisitPlan(day, scheduled, room, stage, feature, gad_end))
    return visits


def _patient(
    rng: random.Random, i: int, name: tuple[str, str, str], mrn: str, today: date, end: datetime
) -> ShowcasePatient:
    given, family, sex = name
    on_the_day = any(t[0] == i for t in data.TODAY)
    days = _session_days(rng, today, on_the_day)
    n, last = len(days), days[-1]
    intake = _weekday(days[0] - timedelta(days=rng.randint(5, 12)))
    ends = None
    if not on_the_day and last <= today - timedelta(days=10):
        ends = _weekday(last + timedelta(days=rng.randint(3, 8)))
    profile, (lo, hi), (f_lo, f_hi) = data.PROFILES[i % len(data.PROFILES)]
    baseline = rng.randint(lo, hi)
    alert = data.FORCED.get((i, 2)) == "alert"
    (s_lo, s_hi), (d_lo, d_hi) = data.ALERT_PATIENT_BASELINE if alert else ((106, 130), (66, 82))
    return ShowcasePatient(
        index=i, given=given, family=family, sex=sex, mrn=mrn,
        born=birth_date(rng, today, 68),
        allergies=rng.choice(data.ALLERGIES),
        contraindications=rng.choice(data.CONTRAINDICATIONS),
        goal=rng.choice(data.COURSE_GOALS),
        regimen=data.REGIMENS[i % len(data.REGIMENS)],
        weight=weight_kg(rng, sex),
        bp=(rng.randint(s_lo, s_hi), rng.randint(d_lo, d_hi)),
        pulse=rng.randint(60, 84),
        spo2=rng.randint(96, 99),
        responding=profile in ("responder", "remitter", "partial"),
        item9=i == data.ITEM9_PATIENT,
        phq=_phq_series(rng, baseline, round(baseline * rng.uniform(f_lo, f_hi)), n),
        gad=(rng.randint(8, 17), rng.uniform(f_lo, min(f_hi, 1.0))),
        intake=intake,
        intake_at=local_time(intake, rng.choice(data.NOTE_TIMES)),
        visits=_visits(rng, i, days, today, end, ended=ends is not None),
        ends=ends,
        ends_at=None if ends is None else local_time(ends, rng.choice(data.NOTE_TIMES)),
    )  # fmt: skip


def plan_showcase(
    rng: random.Random, patients: int, today: date, end: datetime
) -> tuple[list[ShowcasePatient], tuple[str, ...]]:
    """The small demo's patients, ending on ``today`` at ``end`` (aware UTC), and the
    clinic's rooms (:func:`kapdesk.demo.plan.rooms.fit_rooms`: never a check-in with
    every room in use)."""
    plans, mrns = [], set[str]()
    for i, name in enumerate(_names(rng, patients)):
        mrn = f"KAP-{rng.randint(100000, 999999)}"
        while mrn in mrns:
            mrn = f"KAP-{rng.randint(100000, 999999)}"
        mrns.add(mrn)
        plans.append(_patient(rng, i, name, mrn, today, end))
    rooms = fit_rooms([(p.visits, p.intake, p.ends) for p in plans], today, end)
    return plans, rooms
