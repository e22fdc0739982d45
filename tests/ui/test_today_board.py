"""The Today board: rows, ticking countdowns and colours, and vitals from the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.services.changes import Kind
from kapdesk.services.context import Actor
from kapdesk.storage.orm import VitalReading
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.models.board import (
    COL_NEXT,
    COL_PATIENT,
    COL_ROOM,
    COL_SINCE,
    COL_STATE,
    DUE_COLORS,
    OVERDUE_COLORS,
)
from kapdesk.ui.quick_vitals import QuickVitalsDialog
from kapdesk.ui.today_board import TodayBoard

from .conftest import focused, table_counts


def text(board: TodayBoard, row: int, col: int) -> str:
    return board.model.cell_text(row, col)


def background(board: TodayBoard, row: int, col: int) -> str | None:
    brush = board.model.data(board.model.index(row, col), Qt.ItemDataRole.BackgroundRole)
    return brush.color().name() if isinstance(brush, QBrush) else None


def test_checked_in_session_is_on_the_board(board: TodayBoard, kit: Kit) -> None:
    sid = kit.checked_in(room="2")
    board.refresh()

    assert board.model.rowCount() == 1
    assert board.model.row_at(0).session_id == sid
    assert text(board, 0, COL_ROOM) == "Room 2"
    assert text(board, 0, COL_PATIENT) == "Simões, Conceição"
    assert text(board, 0, COL_STATE) == "Checked in"
    assert text(board, 0, COL_SINCE) == "—"
    assert text(board, 0, COL_NEXT) == "due now · Pre-dose vitals"
    assert board.table.isVisible()
    assert not board.empty.isVisible()


def test_empty_day_says_so(board: TodayBoard) -> None:
    assert board.model.rowCount() == 0
    assert board.empty.isVisible()


def test_countdown_ticks_then_turns_amber_then_red(
    board: TodayBoard, kit: Kit, clock: FakeClock
) -> None:
    kit.dosed(room="2")
    board.refresh()
    assert text(board, 0, COL_NEXT) == "due in 20 min · 20-30 min after dose"
    assert text(board, 0, COL_SINCE) == "0 min"
    assert background(board, 0, COL_NEXT) is None

    clock.advance(minutes=4, seconds=12)
    board.tick()
    assert text(board, 0, COL_NEXT) == "due in 16 min · 20-30 min after dose"  # rounded up
    assert text(board, 0, COL_SINCE) == "4 min"  # rounded down

    clock.advance(minutes=15, seconds=48)  # 20:00 after the dose: the window opens
    board.tick()
    assert text(board, 0, COL_NEXT) == "due now, closes in 10 min · 20-30 min after dose"
    assert background(board, 0, COL_NEXT) == DUE_COLORS[0]
    assert background(board, 0, COL_ROOM) == DUE_COLORS[0]
    assert board.model.level(0) == "due"

    clock.advance(minutes=10)  # 30:00: still due (the window is inclusive)
    board.tick()
    assert board.model.level(0) == "due"
    assert text(board, 0, COL_NEXT) == "due now, closes in 0 min · 20-30 min after dose"

    clock.advance(seconds=1)  # 30:01
    board.tick()
    assert text(board, 0, COL_NEXT) == "overdue less than 1 min · 20-30 min after dose"
    assert background(board, 0, COL_NEXT) == OVERDUE_COLORS[0]
    assert board.model.level(0) == "overdue"
    assert text(board, 0, COL_SINCE) == "30 min"
    clock.advance(seconds=5)  # flags come with the next query (every 5 s)
    board.tick()
    assert "Reading overdue" in board.model.row_at(0).flags


def test_ticks_recompute_without_querying_until_five_seconds(
    board: TodayBoard, kit: Kit, clock: FakeClock, app: AppContext
) -> None:
    sid = kit.dosed(room="2")
    board.refresh()
    start = board.store.loads
    assert text(board, 0, COL_SINCE) == "0 min"

    for _ in range(4):
        clock.advance(seconds=1)
        board.tick()
    assert board.store.loads == start
    assert text(board, 0, COL_SINCE) == "less than 1 min"
    clock.advance(seconds=1)
    board.tick()
    assert board.store.loads == start + 1
    kit.vitals.record(kit.nurse, sid, 120, 80)  # a change through the services: at once
    assert board.store.loads == start + 2


def _open_vitals_with_keyboard(
    qtbot: QtBot, board: TodayBoard, key: str = "V"
) -> QuickVitalsDialog:
    board.activateWindow()
    board.table.setFocus()
    qtbot.waitUntil(lambda: focused() is board.table)
    if key == "V":
        qtbot.keyClick(board.table, Qt.Key.Key_V)
    else:
        qtbot.keyClick(board.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = board.vitals_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: focused() is dialog.form.first_field)
    return dialog


def _type_vitals(qtbot: QtBot, values: tuple[str, ...]) -> None:
    for i, value in enumerate(values):
        qtbot.keyClicks(focused(), value)
        if i < len(values) - 1:
            qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def _readings(app: AppContext) -> list[VitalReading]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(VitalReading).order_by(VitalReading.id)))


def test_quick_vitals_from_the_keyboard_stores_the_reading(
    qtbot: QtBot, board: TodayBoard, kit: Kit, app: AppContext, clock: FakeClock, nurse: Actor
) -> None:
    sid = kit.dosed(room="2")
    clock.advance(minutes=22)
    board.refresh()
    before = len(_readings(app))

    dialog = _open_vitals_with_keyboard(qtbot, board)
    with qtbot.waitSignal(app.signals.data_changed, timeout=2000) as changed:
        _type_vitals(qtbot, ("118", "76", "72", "98"))

    assert not dialog.isVisible()
    readings = _readings(app)
    assert len(readings) == before + 1
    r = readings[-1]
    assert (r.session_id, r.systolic, r.diastolic, r.pulse, r.spo2) == (sid, 118, 76, 72, 98)
    assert (r.recorded_by, r.taken_at, r.phase, r.band) == (
        nurse.user_id,
        clock.now(),
        "post_dose",
        "normal",
    )
    [changes] = changed.args  # the change set of the service call, not a view's announcement
    assert changes.ids(Kind.READING) == {r.id}
    assert board.status_line.isVisible()
    assert "BP 118/76" in board.status_line.text()
    assert board.status_line.text().endswith("Within kap-default v1.0 post-dose limits")
    # the reading satisfied the 20-30 min item: the board moved on to the next one
    assert "Before discharge" in text(board, 0, COL_NEXT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is board.table)  # ready for the next


def test_quick_vitals_elevated_pre_dose_shows_the_rule_and_protocol(
    qtbot: QtBot, board: TodayBoard, kit: Kit
) -> None:
    kit.checked_in(room="3")
    board.refresh()
    _open_vitals_with_keyboard(qtbot, board, key="Ctrl+R")
    _type_vitals(qtbot, ("152", "94"))

    line = board.status_line.text()
    assert "Elevated – systolic ≥ 140 or diastolic ≥ 90 mmHg (kap-default v1.0, pre-dose)" in line
    assert "Dosing is on hold" in line
    assert board.status_line.property("band") == "elevated"


def test_quick_vitals_invalid_input_names_the_field_and_stores_nothing(
    qtbot: QtBot, board: TodayBoard, kit: Kit, app: AppContext
) -> None:
    kit.dosed(room="2")
    board.refresh()
    counts = table_counts(app.ctx.db)

    dialog = _open_vitals_with_keyboard(qtbot, board)
    _type_vitals(qtbot, ("400", "76", "72", "98"))

    assert dialog.isVisible()
    error = dialog.form.errors["systolic"]
    assert error.isVisible()
    assert error.text() == "Systolic 400 mmHg is outside the allowed range 50-300 mmHg."
    assert focused() is dialog.form.edits["systolic"]
    assert table_counts(app.ctx.db) == counts

    # fix it and Enter again: now it is stored, and the error is gone
    dialog.form.edits["systolic"].selectAll()
    qtbot.keyClicks(focused(), "128")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert _readings(app)[-1].systolic == 128


def test_quick_vitals_escape_stores_nothing(
    qtbot: QtBot, board: TodayBoard, kit: Kit, app: AppContext
) -> None:
    kit.dosed(room="2")
    board.refresh()
    counts = table_counts(app.ctx.db)
    dialog = _open_vitals_with_keyboard(qtbot, board)
    qtbot.keyClicks(focused(), "120")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert table_counts(app.ctx.db) == counts


def test_enter_and_double_click_open_the_session(
    qtbot: QtBot, board: TodayBoard, kit: Kit, app: AppContext
) -> None:
    kit.checked_in(room="1", mrn="A-1")
    second = kit.checked_in(room="2", mrn="A-2")
    board.refresh()
    board.activateWindow()
    board.table.setFocus()
    qtbot.waitUntil(lambda: focused() is board.table)
    qtbot.keyClick(board.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(app.signals.navigate_session) as opened:
        qtbot.keyClick(board.table, Qt.Key.Key_Return)
    assert opened.args == [second]

    rect = board.table.visualRect(board.model.index(0, COL_PATIENT))
    qtbot.mouseClick(board.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(app.signals.navigate_session) as opened:
        qtbot.mouseDClick(board.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [board.model.row_at(0).session_id]


def test_selection_survives_a_refresh(board: TodayBoard, kit: Kit, app: AppContext) -> None:
    kit.checked_in(room="1", mrn="A-1")
    second = kit.checked_in(room="2", mrn="A-2")
    board.refresh()
    assert board.select_session(second)
    kit.checked_in(room="0", mrn="A-0")  # sorts first
    board.refresh()
    selected = board.selected_row()
    assert selected is not None
    assert selected.session_id == second


# ------------------------------------------------------------ issue 9


def test_alert_reading_shows_on_its_row_at_once(
    board: TodayBoard, kit: Kit, app: AppContext
) -> None:
    from kapdesk.ui.models.board import COL_FLAGS

    sid = kit.dosed(room="2")
    kit.advance(minutes=12)
    reading = kit.vitals.record(kit.nurse, sid, 118, 76, spo2=88).reading  # no view involved
    assert text(board, 0, COL_FLAGS).startswith(
        f"ALERT SpO2 88 % at {reading.taken_at.astimezone():%H:%M}: "
        "low-spo2 (SpO2 < 92 %), kap-default v1.0"
    )
    assert background(board, 0, COL_FLAGS) == OVERDUE_COLORS[0]
    assert board.model.level(0) == "alert"
    assert not board.acknowledge_button.isVisible()  # a nurse: no acknowledge action


def test_clinician_acknowledges_from_the_board(
    board: TodayBoard, kit: Kit, app: AppContext, clinician: Actor
) -> None:
    from kapdesk.ui.models.board import COL_FLAGS

    sid = kit.dosed(room="2")
    kit.advance(minutes=22)
    kit.vitals.record(kit.nurse, sid, 212, 126)
    app.actor = clinician
    board.refresh()
    assert board.acknowledge_button.isVisible()
    assert board.acknowledge_button.isEnabled()
    board.acknowledge_button.click()
    assert not text(board, 0, COL_FLAGS).startswith("CRITICAL")
    assert "acknowledged by Test Clinician" in board.status_line.text()
    assert not board.acknowledge_button.isEnabled()


def test_missed_due_and_more_in_one_row(
    board: TodayBoard, kit: Kit, clock: FakeClock, app: AppContext
) -> None:
    from datetime import timedelta

    sid = kit.ready(room="1", protocol_id="iv-infusion")
    kit.doses.record(
        kit.nurse, sid, medication="racemic ketamine", route="iv", amount=0.5, unit="mg/kg",
        lot_number="L1",
    )  # fmt: skip
    dosed_at = clock.now()
    clock.set(dosed_at + timedelta(minutes=12))
    reading = kit.vitals.record(kit.nurse, sid, 186, 100).reading  # alert: recheck 17-22
    clock.set(dosed_at + timedelta(minutes=21))
    board.refresh()
    # 10 min reading done (12); 20 min reading due; the recheck due too
    assert text(board, 0, COL_NEXT) == (
        "due now, closes in 1 min · Recheck 5 min after the alert reading · 1 more due"
    )
    clock.set(dosed_at + timedelta(minutes=41))
    board.refresh()
    assert text(board, 0, COL_NEXT) == (
        "3 readings missed · due now, closes in 4 min · During infusion (every 10 min) – 40 min"
    )
    assert board.model.level(0) == "alert"  # the 186/100 alert still stands
    assert reading.band == "alert"
