"""The Today board: which sessions, in which order, what is due, flags, and query cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.schedule import ItemStatus
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.storage.orm import SideEffect

from .sessionkit import YES_TO_ALL, Kit

EST = timezone(timedelta(hours=-5))


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


@contextmanager
def count_queries(ctx: ServiceContext) -> Iterator[list[str]]:
    statements: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", on_execute)


def _board(ctx: ServiceContext, day: date | None = None) -> dict[int, Any]:
    return {r.session_id: r for r in BoardService(ctx).today_board(day, tz=UTC)}


def test_day_in_local_time_plus_running_sessions_ordered_by_room(
    kit: Kit, ctx: ServiceContext
) -> None:
    svc = kit.sessions
    courses = [kit.course(mrn=f"B-{i}") for i in range(5)]
    # 2026-03-02 in UTC-5 runs from 05:00 UTC on the 2nd to 05:00 UTC on the 3rd.
    late_b = svc.schedule(kit.nurse, courses[0], datetime(2026, 3, 3, 4, 59, tzinfo=UTC), "B").id
    early_b = svc.schedule(kit.nurse, courses[1], datetime(2026, 3, 2, 5, 0, tzinfo=UTC), "B").id
    room_a = svc.schedule(kit.nurse, courses[2], datetime(2026, 3, 2, 20, 0, tzinfo=UTC), "a").id
    day_before = svc.schedule(
        kit.nurse, courses[3], datetime(2026, 3, 2, 4, 59, tzinfo=UTC), "A"
    ).id
    running = svc.schedule(kit.nurse, courses[4], datetime(2026, 2, 27, 9, 0, tzinfo=UTC), "C").id
    svc.check_in(kit.nurse, running)

    rows = BoardService(ctx).today_board(date(2026, 3, 2), tz=EST)
    assert [r.session_id for r in rows] == [room_a, early_b, late_b, running]
    assert day_before not in {r.session_id for r in rows}
    assert [r.session_id for r in BoardService(ctx).today_board(date(2026, 3, 1), tz=EST)] == [
        day_before,
        running,
    ]
    assert [r.session_id for r in BoardService(ctx).running_sessions()] == [running]


def test_default_day_is_today_at_the_clock(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.scheduled()
    assert [r.session_id for r in BoardService(ctx).today_board(tz=UTC)] == [sid]
    kit.advance(minutes=24 * 60)
    assert BoardService(ctx).today_board(tz=UTC) == []


def test_row_fields_and_next_due_through_the_session(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.scheduled(room="Room 3")
    row = _board(ctx)[sid]
    assert (row.room, row.patient_name, row.mrn, row.protocol_label, row.state) == (
        "Room 3",
        "Simões, Conceição",
        "MRN-1",
        "kap-default v1.0",
        "scheduled",
    )
    assert (row.next_due, row.flags, row.worst_band, row.first_dose_at) == (None, (), "", None)

    kit.sessions.check_in(kit.nurse, sid)
    row = _board(ctx)[sid]
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("pre-dose", ItemStatus.DUE)
    assert row.flags == ("Checklist incomplete",)

    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 120, 80)
    kit.advance(minutes=1)
    kit.dose(sid)
    dosed_at = kit.clock.now()
    row = _board(ctx)[sid]
    assert row.first_dose_at == dosed_at
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("post-dose-20-30#1", ItemStatus.UPCOMING)
    assert row.flags == ()
    assert row.worst_band == "normal"

    kit.clock.set(dosed_at + timedelta(minutes=20))
    assert _board(ctx)[sid].next_due.status is ItemStatus.DUE  # type: ignore[union-attr]
    kit.clock.set(dosed_at + timedelta(minutes=30, seconds=1))
    row = _board(ctx)[sid]
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("post-dose-20-30#1", ItemStatus.OVERDUE)
    assert row.flags == ("Reading overdue",)


def test_hold_flags(kit: Kit, ctx: ServiceContext, clinician: Actor) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 150, 92)
    row = _board(ctx)[sid]
    assert row.flags == ("Elevated pre-dose BP", "Hold: override needed")
    assert row.worst_band == "elevated"
    kit.advance(minutes=5)
    assert _board(ctx)[sid].flags == (
        "Elevated pre-dose BP",
        "Hold: override needed",
        "Recheck due",
    )
    kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Baseline")
    assert _board(ctx)[sid].flags == ("Elevated pre-dose BP", "Hold overridden", "Recheck due")
    kit.vitals.record(kit.nurse, sid, 124, 80)
    row = _board(ctx)[sid]
    assert row.flags == ()
    assert row.worst_band == "elevated"  # the worst of the session, not the latest

    other = kit.checked_in(mrn="MRN-2")
    kit.vitals.record(kit.nurse, other, 120, 80, spo2=88)
    assert _board(ctx)[other].flags[1:] == ("Alert pre-dose reading", "Hold: override needed")


def test_escalate_and_open_side_effects(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()
    kit.advance(minutes=10)
    kit.vitals.record(kit.nurse, sid, 190, 100)
    assert _board(ctx)[sid].flags == ()
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 188, 104)
    assert _board(ctx)[sid].flags == ("Escalate",)
    kit.advance(minutes=5)
    assert _board(ctx)[sid].flags == ("Recheck due", "Escalate")
    assert _board(ctx)[sid].worst_band == "alert"

    now = kit.clock.now()

    def effect(effect_id: str, *, present: bool = True, resolved: bool = False) -> SideEffect:
        return SideEffect(
            session_id=sid,
            effect_id=effect_id,
            label=effect_id.title(),
            present=present,
            severity="mild" if present else None,
            onset_at=now if present else None,
            intervention="",
            resolved_at=now if resolved else None,
            recorded_by=kit.nurse.user_id,
            recorded_at=now,
        )

    with ctx.db.write() as s:
        s.add_all(
            [
                effect("nausea"),
                effect("dizziness"),
                effect("headache", resolved=True),
                effect("vomiting", present=False),
            ]
        )
    assert _board(ctx)[sid].flags[-1] == "Open side effects: 2"


def test_finished_sessions_show_state_without_timers(kit: Kit, ctx: ServiceContext) -> None:
    cancelled = kit.checked_in()
    kit.sessions.cancel(kit.nurse, cancelled, "Unwell")
    row = _board(ctx)[cancelled]
    assert (row.state, row.next_due, row.flags) == ("cancelled", None, ())
    assert BoardService(ctx).running_sessions() == []


def test_board_costs_a_fixed_number_of_queries(kit: Kit, ctx: ServiceContext) -> None:
    def selects() -> int:
        with count_queries(ctx) as statements:
            rows = BoardService(ctx).today_board(tz=UTC)
        assert rows
        return sum(1 for q in statements if q.lstrip().upper().startswith("SELECT"))

    for i in range(2):
        sid = kit.dosed(mrn=f"Q-{i}")
        kit.vitals.record(kit.nurse, sid, 185, 100)
    few = selects()
    for i in range(2, 12):
        sid = kit.dosed(mrn=f"Q-{i}")
        kit.vitals.record(kit.nurse, sid, 185, 100)
        kit.scheduled(mrn=f"S-{i}")
    assert len(BoardService(ctx).today_board(tz=UTC)) == 22
    many = selects()
    assert few == many == 5
