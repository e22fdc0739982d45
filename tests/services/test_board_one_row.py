"""The one-row reload of the Today board (after a reading, ``today_board(only=...)``): a fixed,
small number of statements whatever the board's size, and exactly the row the whole board shows
for that session (state, next reading, flags, holds, alerts)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kapdesk.composition import build_context
from kapdesk.demo import build_demo_clinic
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.alerts import AlertService
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from tests.sql_seen import statements_seen

from .sessionkit import Kit

DEMO_DAY = date(2026, 3, 2)
# every statement, BEGIN included; was 10: the acknowledgements now come with the readings and
# the open side effects with the sessions
ONE_ROW_STATEMENTS = 8


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("board-one-row") / "demo.sqlite"
    build_demo_clinic(path, seed=1, patients=12, today=DEMO_DAY)
    return path


def _one_row(ctx: ServiceContext, sid: int) -> tuple[object, int]:
    with statements_seen(ctx.db.engine) as seen:
        rows = BoardService(ctx).today_board(tz=UTC, only={sid})
    assert [r.session_id for r in rows] == [sid]
    return rows[0], len(seen)


def test_every_row_of_a_busy_demo_day_reloads_as_the_whole_board_shows_it(
    demo_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    clock = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    demo = build_context(path, clock=clock)
    try:
        users = {u.role: actor_of(u) for u in UserService(demo).list_users()}
        running = [r.session_id for r in BoardService(demo).today_board(tz=UTC) if r.items]
        assert len(running) >= 2
        vitals = VitalsService(demo)
        for sid in running[:2]:  # an alert on two rows, one of them acknowledged
            vitals.record(users[Role.NURSE], sid, 118, 76, pulse=72, spo2=88)
        acked = BoardService(demo).today_board(tz=UTC, only={running[0]})[0].alerts[0]
        AlertService(demo).acknowledge(users[Role.CLINICIAN], running[0], acked.reading_id)
        seen_flags: set[str] = set()
        alerts = 0
        for minutes in (0, 25, 70, 180):  # rechecks due, overdue, missed as the day goes on
            clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC) + timedelta(minutes=minutes))
            board = BoardService(demo).today_board(tz=UTC)
            assert len(board) >= 4, len(board)
            for whole in board:
                row, statements = _one_row(demo, whole.session_id)
                assert row == whole
                assert statements <= ONE_ROW_STATEMENTS
                assert AlertService(demo).active(whole.session_id) == whole.alerts
                seen_flags.update(f.split(":")[0] for f in whole.flags)
                alerts += len(whole.alerts)
        # the day exercises what the row shows, not an empty board
        assert any(r.next_due is not None for r in board)
        assert seen_flags
        assert alerts
    finally:
        demo.db.close()


def test_one_row_costs_the_same_statements_on_a_small_and_a_big_board(
    kit: Kit, ctx: ServiceContext
) -> None:
    sid = kit.dosed(room="2")
    kit.vitals.record(kit.nurse, sid, 185, 100)  # an alert
    kit.dosed(mrn="MRN-2", room="3")
    _, few = _one_row(ctx, sid)
    for i in range(3, 15):
        other = kit.dosed(mrn=f"MRN-{i}", room=f"R{i}")
        kit.vitals.record(kit.nurse, other, 185, 100)
        kit.scheduled(mrn=f"S-{i}", room="2")  # due into a held room
    row, many = _one_row(ctx, sid)
    assert few == many <= ONE_ROW_STATEMENTS
    whole = {r.session_id: r for r in BoardService(ctx).today_board(tz=UTC)}
    assert row == whole[sid]
    assert row.alerts
    for other_sid, other_row in whole.items():
        assert _one_row(ctx, other_sid)[0] == other_row
