"""Check-in from the session workspace: another room when the booked one is in use, and a
clinician's reason for a second dosing session on one day (driven through the widgets)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import YES_TO_ALL, Kit
from sqlalchemy import select

from kapdesk.services.context import Actor
from kapdesk.storage.orm import AuditEntry, DosingSession
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.check_in import CheckInChoice, CheckInDialog
from kapdesk.ui.session.workspace import STEP_CHECKLIST

from .conftest import table_counts


def session_row(app: AppContext, sid: int) -> DosingSession:
    with app.ctx.db.read() as s:
        row = s.get(DosingSession, sid)
        assert row is not None
        return row


def press_check_in(qtbot: QtBot, ws: SessionWorkspace) -> None:
    button = ws.pages[STEP_CHECKLIST].check_in_button  # type: ignore[attr-defined]
    assert button.isVisible()
    assert button.isEnabled()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def test_a_room_in_use_is_named_and_another_room_can_be_chosen(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    open_ws: Callable[[int], SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = kit.checked_in(mrn="MRN-1", room="Room 2")
    kit.scheduled(mrn="MRN-3", room="Room 3")
    sid = kit.scheduled(mrn="MRN-2", room="Room 2")
    asked: list[tuple[str, list[str], bool]] = []

    def ask(parent: Any, intro: str, conflicts: Any, rooms: list[str], *, ask_reason: bool):  # type: ignore[no-untyped-def]
        asked.append((intro, rooms, ask_reason))
        return CheckInChoice("Room 3", None)

    monkeypatch.setattr(CheckInDialog, "ask", ask)
    ws = open_ws(sid)
    press_check_in(qtbot, ws)
    [(intro, rooms, ask_reason)] = asked
    assert intro.startswith(f"Room 2 is in use by session #{other} (Simões, Conceição, checked in)")
    assert rooms == ["Room 2", "Room 3"]
    assert not ask_reason
    row = session_row(app, sid)
    assert (row.state, row.room) == ("checked_in", "Room 3")
    assert "Room 3" in ws.header.facts.text()


def test_cancelling_the_room_choice_checks_nobody_in(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    open_ws: Callable[[int], SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kit.checked_in(mrn="MRN-1", room="Room 2")
    sid = kit.scheduled(mrn="MRN-2", room="Room 2")
    monkeypatch.setattr(CheckInDialog, "ask", lambda *a, **k: None)
    ws = open_ws(sid)
    before = table_counts(app.ctx.db)
    press_check_in(qtbot, ws)
    assert table_counts(app.ctx.db) == before
    assert session_row(app, sid).state == "scheduled"


def _second_session_same_day(kit: Kit, clinician: Actor) -> int:
    first = kit.checked_in(mrn="MRN-1", room="Room 1")
    kit.sessions.record_checklist(kit.nurse, first, {**YES_TO_ALL, "weight_kg": 70.0})
    kit.vitals.record(kit.nurse, first, 122, 78)
    kit.advance(minutes=1)
    kit.dose(first)
    kit.advance(minutes=40)
    kit.sessions.discharge(clinician, first, unmet_reason="Transferred to the ward")
    course = kit.sessions.get(first).course_id
    return kit.sessions.schedule(kit.nurse, course, kit.clock.now(), "Room 1").id


def test_a_nurse_is_told_a_clinician_must_confirm_a_second_dose_today(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clinician: Actor,
    open_ws: Callable[[int], SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = _second_session_same_day(kit, clinician)
    monkeypatch.setattr(CheckInDialog, "ask", lambda *a, **k: pytest.fail("not for a nurse"))
    ws = open_ws(sid)
    press_check_in(qtbot, ws)
    message = ws.pages[STEP_CHECKLIST].message  # type: ignore[attr-defined]
    assert "was already dosed today" in message.text()
    assert "Only a clinician may check the patient in" in message.text()
    assert session_row(app, sid).state == "scheduled"


def test_a_clinician_confirms_a_second_dose_today_with_a_reason(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clinician: Actor,
    open_ws: Callable[[int], SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = _second_session_same_day(kit, clinician)
    app.actor = clinician
    seen: list[CheckInDialog] = []

    def ask(parent: Any, intro: str, conflicts: Any, rooms: list[str], *, ask_reason: bool):  # type: ignore[no-untyped-def]
        dialog = CheckInDialog(parent, intro, conflicts, rooms, ask_reason=ask_reason)
        seen.append(dialog)
        assert dialog.reason is not None
        assert not dialog.ok.isEnabled()  # a reason is required
        qtbot.keyClicks(dialog.reason, "Second half of a split dose")
        assert dialog.ok.isEnabled()
        return dialog.choice()

    monkeypatch.setattr(CheckInDialog, "ask", ask)
    ws = open_ws(sid)
    press_check_in(qtbot, ws)
    assert seen
    row = session_row(app, sid)
    assert (row.state, row.room) == ("checked_in", "Room 1")
    assert (row.same_day_reason, row.same_day_confirmed_by) == (
        "Second half of a split dose",
        clinician.user_id,
    )
    with app.ctx.db.read() as s:
        entry = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "session.check_in")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        assert entry.user_id == clinician.user_id
    assert "second dosing session today: Second half of a split dose" in ws.header.facts.text()


def test_the_dialog_offers_free_rooms_first_and_rooms_in_use_as_no_choice(
    qtbot: QtBot, kit: Kit
) -> None:
    kit.checked_in(mrn="MRN-1", room="Room 2")
    sid = kit.scheduled(mrn="MRN-2", room="Room 2")
    conflicts = kit.sessions.check_in_conflicts(sid)
    dialog = CheckInDialog(
        None, "intro", conflicts, ["Room 1", "Room 2", "Room 3"], ask_reason=False
    )
    qtbot.addWidget(dialog)
    items = [dialog.room.itemText(i) for i in range(dialog.room.count())]
    assert items == ["Room 1", "Room 3", "Room 2 (in use)"]
    assert dialog.chosen_room() == "Room 1"
    assert dialog.ok.isEnabled()
    assert dialog.reason is None
    model = dialog.room.model()
    assert not model.flags(model.index(2, 0)) & Qt.ItemFlag.ItemIsEnabled


def test_scheduling_a_second_session_that_day_warns_once_then_books(
    qtbot: QtBot, app: AppContext, kit: Kit
) -> None:
    from PySide6.QtCore import QTime

    from kapdesk.services.courses import CourseService
    from kapdesk.ui.course_dialog import ScheduleSessionDialog

    first = kit.scheduled(mrn="MRN-1", room="Room 1")
    course = CourseService(app.ctx).get(kit.sessions.get(first).course_id)
    dialog = ScheduleSessionDialog(app, course)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.time.setTime(QTime(15, 0))
    qtbot.keyClicks(dialog.room, "2")
    before = table_counts(app.ctx.db)
    qtbot.keyClick(dialog.room, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.message.text().startswith(
        f"Simões, Conceição already has a dosing session that day (session #{first} at "
    )
    assert dialog.message.text().endswith("Press Schedule again to book it.")
    assert table_counts(app.ctx.db) == before
    qtbot.keyClick(dialog.room, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.created is not None
    assert dialog.created.room == "2"
