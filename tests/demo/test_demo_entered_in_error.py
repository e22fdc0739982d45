"""The small demo clinic shows an entry entered in error: the running session's reading
typed 181/76 for 118/76, marked by the nurse, struck through and raising no alert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import select

from kapdesk.demo.plan import local_time
from kapdesk.demo.small import build_demo_clinic
from kapdesk.demo.small_session import MISTYPED_REASON
from kapdesk.domain.clock import FakeClock
from kapdesk.services.board import BoardService
from kapdesk.services.context import ServiceContext
from kapdesk.services.sessions import SessionService
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry

TODAY = date(2026, 3, 4)
END = local_time(TODAY, time(10, 0))


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    path: Path = tmp_path_factory.mktemp("demo-eie") / "demo.sqlite"
    build_demo_clinic(path, seed=1, patients=12, today=TODAY)
    db = Database.open(path, create=False)
    yield ServiceContext(db=db, clock=FakeClock(END))
    db.close()


def test_the_running_session_shows_a_reading_entered_in_error(ctx: ServiceContext) -> None:
    [running] = [r for r in BoardService(ctx).today_board(day=TODAY) if r.state == "monitoring"]
    assert running.alerts == ()
    assert running.worst_band != "alert"
    readings = SessionService(ctx).detail(running.session_id).readings
    [marked] = [r for r in readings if r.error is not None]
    assert (marked.systolic, marked.diastolic, marked.band) == (181, 76, "alert")
    assert marked.error is not None
    assert marked.error.reason == MISTYPED_REASON
    assert marked.error.by_name
    with ctx.db.read() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "entry.entered_in_error")
        ).all()
    assert [(e.entity, e.entity_id) for e in entries] == [("vital_reading", str(marked.id))]
