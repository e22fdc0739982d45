"""Issue 9 on the session screen: a rule's recheck is the next reading in the header and
the due list, turns overdue, then missed (counted); the recheck line never goes stale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_MONITORING


@pytest.fixture
def workspace(qtbot: QtBot, app: AppContext, kit: Kit) -> Iterator[tuple[SessionWorkspace, int]]:
    sid = kit.dosed(room="2")
    ws = SessionWorkspace(app, sid)
    qtbot.addWidget(ws)
    ws.resize(1280, 800)
    ws.show()
    qtbot.waitExposed(ws)
    yield ws, sid
    ws.stop()


def _due(ws: SessionWorkspace) -> dict[str, tuple[str, str]]:
    table = ws.pages[STEP_MONITORING].due  # type: ignore[attr-defined]
    return {
        table.item(r, 0).text(): (table.item(r, 2).text(), table.item(r, 3).text())
        for r in range(table.rowCount())
    }


def test_recheck_is_the_next_reading_then_overdue_then_missed(
    workspace: tuple[SessionWorkspace, int], kit: Kit, clock: FakeClock, app: AppContext
) -> None:
    ws, sid = workspace
    dosed_at = clock.now()
    clock.set(dosed_at + timedelta(minutes=22))
    kit.vitals.record(kit.nurse, sid, 190, 100)
    mon = ws.pages[STEP_MONITORING]
    label = "Recheck 5 min after the alert reading"
    assert ws.header.next.text() == f"Next: {label} in 5 min"
    assert _due(ws)[label][0] == "upcoming"
    assert mon.latest.recheck.text().startswith("Repeat after 5 min: at ")  # type: ignore[attr-defined]

    clock.set(dosed_at + timedelta(minutes=27))
    ws.tick()
    assert ws.header.next.text() == f"{label}: due now, closes in 5 min"
    assert _due(ws)[label] == ("due", "closes in 5 min")

    clock.set(dosed_at + timedelta(minutes=32, seconds=1))
    ws.tick()
    assert ws.header.next.text() == f"{label}: OVERDUE by less than 1 min"
    assert _due(ws)[label][0] == "overdue"
    assert "OVERDUE" in mon.latest.recheck.text()  # type: ignore[attr-defined]

    clock.set(dosed_at + timedelta(minutes=47))
    ws.tick()
    assert _due(ws)[label] == ("missed", "not taken")
    assert mon.due_title.text() == "Due readings · 1 missed"  # type: ignore[attr-defined]
    assert mon.latest.recheck.text() == "Repeat after 5 min: missed."  # type: ignore[attr-defined]


def test_a_taken_recheck_ends_the_prompt(
    workspace: tuple[SessionWorkspace, int], kit: Kit, clock: FakeClock, app: AppContext
) -> None:
    ws, sid = workspace
    kit.advance(minutes=22)
    kit.vitals.record(kit.nurse, sid, 190, 100)
    kit.advance(minutes=6)
    kit.vitals.record(kit.nurse, sid, 150, 92)  # recorded elsewhere: the workspace follows
    mon = ws.pages[STEP_MONITORING]
    label = "Recheck 5 min after the alert reading"
    assert _due(ws)[label][0] == "done on time"
    # the latest reading is within limits: no recheck line, and no "Normal" either
    assert mon.latest.recheck.text() == ""  # type: ignore[attr-defined]
    assert mon.result.text().endswith("→  Within kap-default v1.0 post-dose limits")  # type: ignore[attr-defined]
    kit.advance(minutes=60)
    ws.tick()
    assert mon.latest.recheck.text() == ""  # type: ignore[attr-defined]
