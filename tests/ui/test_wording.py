"""Wording (issue 12): no '.);' in a message built from parts, no 'room Room 2'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.text import in_brackets
from kapdesk.services.context import Actor
from kapdesk.services.courses import CourseService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.course_dialog import NewIntegrationDialog
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.dialogs import ReasonDialog
from kapdesk.ui.session.workspace import STEP_DISCHARGE


def test_in_brackets_drops_the_inner_full_stop() -> None:
    assert in_brackets("Due now: Before discharge.") == "(Due now: Before discharge)"
    assert in_brackets(" 40 min observed of 2 h required ") == "(40 min observed of 2 h required)"
    assert in_brackets("Wait…") == "(Wait…)"


def test_the_unmet_criteria_question_never_reads_dot_bracket(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    clinician: Actor,
    open_ws: Callable[..., SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.dosed()
    clock.advance(minutes=40)  # the 20-30 min reading missed: its detail is a sentence
    ws = open_ws(sid)
    ws.go_to(STEP_DISCHARGE)
    page = ws.pages[STEP_DISCHARGE]
    details = [c.detail for c in kit.sessions.discharge_checks(sid) if not c.met]
    assert any(d.endswith(".") for d in details), details
    asked: list[str] = []

    def ask(parent: Any, title: str, intro: str, ok: str = "") -> None:
        asked.append(intro)
        return None  # the clinician thinks again: nothing is stored

    monkeypatch.setattr(ReasonDialog, "ask", ask)
    app.actor = clinician
    page.discharge_button.setFocus()
    qtbot.keyClick(page.discharge_button, Qt.Key.Key_Space)
    assert asked, "the clinician was asked for a reason"
    assert asked[0].startswith("Not met: ")
    assert ".)" not in asked[0]
    assert ".;" not in asked[0]
    assert kit.sessions.get(sid).state == "dosed"


@pytest.mark.parametrize(("room", "shown"), [("Room 2", "Room 2"), ("2", "Room 2")])
def test_a_session_to_follow_names_its_room_once(
    qtbot: QtBot, app: AppContext, kit: Kit, clinician: Actor, room: str, shown: str
) -> None:
    sid = kit.checked_in(mrn="MRN-1", room=room)
    course = CourseService(app.ctx).get(kit.sessions.get(sid).course_id)
    app.actor = clinician
    dialog = NewIntegrationDialog(app, course)
    qtbot.addWidget(dialog)
    texts = [dialog.follows.itemText(i) for i in range(dialog.follows.count())]
    chosen = [t for t in texts if shown in t]
    assert len(chosen) == 1, texts
    assert chosen[0].endswith(f" – checked in, {shown}"), chosen[0]


def test_the_readings_table_counts_whole_minutes_from_the_dose(
    kit: Kit, clock: FakeClock, open_ws: Callable[..., SessionWorkspace]
) -> None:
    from kapdesk.ui.session.workspace import STEP_MONITORING

    sid = kit.dosed()
    clock.advance(minutes=22, seconds=50)
    kit.vitals.record(kit.nurse, sid, 124, 80, pulse=70, spo2=98)
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    table = ws.pages[STEP_MONITORING].readings
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    column = headers.index("Min")
    shown = [table.item(r, column).text() for r in range(table.rowCount())]
    assert shown == ["+22", "−1"], shown  # newest first; the pre-dose reading a minute before


def test_counts_use_the_right_singular_or_plural() -> None:
    from kapdesk.domain.discharge import criteria_summary
    from kapdesk.domain.text import counted

    assert counted(1, "dose") == "1 dose"
    assert counted(2, "dose") == "2 doses"
    assert counted(2.0, "device") == "2 devices"
    assert counted(1, "criterion", "criteria") == "1 criterion"
    assert criteria_summary(5, 5) == "5 criteria not met yet"  # never '5 of 5'
    assert criteria_summary(1, 5) == "1 criterion not met yet"
    assert criteria_summary(0, 5) == "All 5 criteria met"
    assert criteria_summary(3, 7, final=True) == "3 criteria not met"
