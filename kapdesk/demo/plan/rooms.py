"""Rooms for the small demo's sessions: never more sessions running at once than rooms.

The planner draws each visit's day and check-in time at random; with enough patients
several land on the same morning, and a check-in finds every room in use (the session
service refuses it, as it should). :func:`fit_rooms` walks the visits in time order,
counting each one's room as busy from 5 minutes before its scheduled time until
:data:`BUSY_MIN` after it (a bound on the longest demo session: check-in up to 10 min
late, a recheck and an override before the dose, 150 min of observation after a
sublingual dose, readings and discharge up to 10 min after that). A visit that would
need a room when all are busy moves to another check-in time that day, else to a nearby
weekday between the patient's neighbouring visits; only when none is free does the
clinic get another room. Visits already on free rooms are never touched, so a demo
without clashes is planned exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from kapdesk.demo import data
from kapdesk.demo.plan.session import local_time

BUSY_MIN = 210
_BEFORE = timedelta(minutes=5)


class _Visit(Protocol):
    @property
    def day(self) -> date: ...
    @property
    def scheduled(self) -> datetime: ...
    @property
    def room(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def feature(self) -> str | None: ...


V = TypeVar("V", bound=_Visit)


def _span(at: datetime) -> tuple[datetime, datetime]:
    return at - _BEFORE, at + timedelta(minutes=BUSY_MIN)


def _fits(at: datetime, busy: list[tuple[datetime, datetime]], rooms: int) -> bool:
    """Whether a session at ``at`` keeps every moment at most ``rooms`` sessions."""
    start, end = _span(at)
    points = [start, *(b for b, _ in busy if start <= b < end)]
    return all(sum(1 for b, e in busy if b <= p < e) < rooms for p in points)


def _weekdays_near(day: date, reach: int) -> Iterator[date]:
    for step in range(1, reach + 1):
        for d in (day + timedelta(days=step), day - timedelta(days=step)):
            if d.weekday() < 5:
                yield d


def _candidates(day: date, at: datetime, low: date, high: date) -> Iterator[datetime]:
    """Other check-in times that day (later ones first), then on nearby weekdays strictly
    between ``low`` and ``high``."""
    same = [local_time(day, t) for t in data.CHECK_IN_TIMES]
    yield from sorted((t for t in same if t != at), key=lambda t: (t < at, abs(t - at)))
    for d in _weekdays_near(day, 3):
        if low < d < high:
            yield from (local_time(d, t) for t in data.CHECK_IN_TIMES)


def fit_rooms(
    patients: Sequence[tuple[list[V], date, date | None]], today: date, end: datetime
) -> tuple[str, ...]:
    """Move clashing visits (in place; each entry: the visits, the intake day, the course's
    end) and return the clinic's rooms: :data:`kapdesk.demo.data.ROOMS`, plus more only
    if a day could not hold its sessions otherwise."""
    rooms = len(data.ROOMS)
    busy: dict[date, list[tuple[datetime, datetime]]] = {}
    order = sorted(
        ((v.scheduled, i, k) for i, (visits, _, _) in enumerate(patients)
         for k, v in enumerate(visits)),
        key=lambda x: (x[0], x[1], x[2]),
    )  # fmt: skip
    for _, i, k in order:
        visits, intake, ends = patients[i]
        v = visits[k]
        if v.room not in data.ROOMS or v.feature == "cancel" or v.scheduled > end:
            continue
        if v.stage == "scheduled":
            continue
        at = v.scheduled
        movable = v.stage == "full" and v.day < today
        if not _fits(at, busy.get(v.day, []), rooms) and movable:
            low = visits[k - 1].day if k else intake
            high = visits[k + 1].day if k + 1 < len(visits) else (ends or today)
            high = min(high, today)
            at = next(
                (c for c in _candidates(v.day, at, low, high)
                 if c <= end and _fits(c, busy.get(c.astimezone().date(), []), rooms)),
                at,
            )  # fmt: skip
        day = at.astimezone().date()
        while not _fits(at, busy.get(day, []), rooms):
            rooms += 1
        if at != v.scheduled:
            visits[k] = replace(v, day=day, scheduled=at)  # type: ignore[type-var]
        busy.setdefault(day, []).append(_span(at))
    extra = tuple(f"Room {n}" for n in range(len(data.ROOMS) + 1, rooms + 1))
    return (*data.ROOMS, *extra)
