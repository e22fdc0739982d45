"""The small demo builds for every patient count it allows, not only the default 12.

The planner must never plan a check-in when every room is in use, nor a reading so
late that the next window (the discharge reading's included) has already opened: the
services refuse both, as they should (kapdesk.demo.plan.rooms, kapdesk.demo.small_session).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from kapdesk.demo import data
from kapdesk.demo.plan import local_time
from kapdesk.demo.plan.rooms import BUSY_MIN
from kapdesk.demo.plan.showcase import ShowcasePatient, plan_showcase
from kapdesk.demo.small import build_demo_clinic
from kapdesk.storage.backup import verify_database

DAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("seed", "patients", "end"),
    [
        (3, 20, None),  # a reading planned late after the discharge window opened: refused
        (1, 25, None),  # every room in use at a check-in
        (3, 33, time(23, 50)),
        (5, 45, time(4, 40)),
        (2, 60, time(16, 30)),
    ],
)
def test_builds_and_verifies_for_larger_clinics(
    tmp_path: Path, seed: int, patients: int, end: time | None
) -> None:
    path = tmp_path / "demo.sqlite"
    summary = build_demo_clinic(path, seed=seed, patients=patients, today=DAY, end_time=end)
    assert f"{patients} patients" in summary
    report = verify_database(path)
    assert report.ok, report.lines()


def _most_at_once(plans: list[ShowcasePatient], end: datetime) -> int:
    spans = [
        (v.scheduled - timedelta(minutes=5), v.scheduled + timedelta(minutes=BUSY_MIN))
        for p in plans
        for v in p.visits
        if v.room in data.ROOMS and v.feature != "cancel" and v.stage != "scheduled"
        and v.scheduled <= end
    ]  # fmt: skip
    return max((sum(1 for b, e in spans if b <= s < e) for s, _ in spans), default=0)


@pytest.mark.parametrize("seed", [1, 2, 3, 7])
@pytest.mark.parametrize("patients", [1, 12, 13, 20, 25, 40, 60, 120, 500])
def test_never_more_sessions_at_once_than_rooms(seed: int, patients: int) -> None:
    end = local_time(DAY, time(10, 0))
    plans, rooms = plan_showcase(random.Random(seed), patients, DAY, end)
    assert _most_at_once(plans, end) <= len(rooms)
    assert rooms[: len(data.ROOMS)] == data.ROOMS
    for p in plans:  # still one session a day, in order, after the intake
        days = [v.day for v in p.visits]
        assert days == sorted(set(days))
        assert p.intake < days[0]
        assert all(v.scheduled.astimezone().date() == v.day for v in p.visits)


def test_the_default_demo_keeps_its_four_rooms() -> None:
    _, rooms = plan_showcase(random.Random(1), 12, DAY, local_time(DAY, time(10, 0)))
    assert rooms == data.ROOMS
