"""Two workstations on one clinic (issue 14): what one window records through its own
screens reaches the other window's Today board, alert centre, open session and open chart.

Each window has its own AppContext, as a second workstation has: its own connection pool,
ChangeFeed and live-update listener (NOTIFY on a server, ``PRAGMA data_version`` on a
file). Both run in this one process on the same store: one SQLite file, or one PostgreSQL
database (skipped, saying why, without a server). The board's 5 s re-query is stopped in
both windows, so only the live update can bring the other window's news.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.patients import PatientService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.storage import change_feed
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.models.board import COL_NEXT
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_DOSE, STEP_MONITORING, STEP_SIDE_EFFECTS

from .conftest import actor_for, focused

ONE_SECOND_MS = 1000  # issue 14: "every workstation's board ... update within one second"
WAIT_MS = 10_000  # the other views: whether they update at all (a change shows in ~1 s)
PHQ9 = (2, 2, 1, 1, 1, 1, 1, 1, 0)  # total 10, item 9 = 0


OpenWindow = Callable[[AppContext, Role], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenWindow]:
    """A workstation's main window, signed in, listening for the other's changes."""
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    made: list[MainWindow] = []

    def make(app: AppContext, role: Role) -> MainWindow:
        app.actor = actor_for(app, role)
        w = MainWindow(app, resume=False)
        w.board_store.stop()  # no 5 s re-query: only a change set can bring news
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        remote = w.live.remote
        assert remote is not None
        assert remote.worker is not None
        worker = remote.worker
        if isinstance(worker, change_feed.ServerListener):  # LISTEN is in place
            qtbot.waitUntil(lambda: worker.backend_pid is not None, timeout=WAIT_MS)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def _row_text(w: MainWindow, session_id: int, column: int) -> str | None:
    row = w.today.model.row_of_session(session_id)
    if row is None:
        return None
    return str(w.today.model.index(row, column).data())


def _enter_reading_by_keyboard(qtbot: QtBot, w: MainWindow, session_id: int) -> None:
    """Select the session's row on the board, V, type the reading, Enter."""
    board = w.today
    w.activateWindow()
    row = board.model.row_of_session(session_id)
    assert row is not None
    board.table.selectRow(row)
    board.table.setFocus()
    qtbot.waitUntil(lambda: focused() is board.table)
    qtbot.keyClick(board.table, Qt.Key.Key_V)
    dialog = board.vitals_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: focused() is dialog.form.first_field)
    for i, value in enumerate(("118", "76", "72", "98")):
        qtbot.keyClicks(focused(), value)
        qtbot.keyClick(focused(), Qt.Key.Key_Tab if i < 3 else Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.form.message.text()


def test_a_reading_typed_at_one_workstation_shows_on_the_others_board_within_a_second(
    qtbot: QtBot, stations: list[AppContext], open_window: OpenWindow, clock: FakeClock
) -> None:
    room2, station = stations
    kit = Kit(room2.ctx, clock, actor_for(room2, Role.NURSE))
    w1 = open_window(room2, Role.NURSE)
    w2 = open_window(station, Role.NURSE)
    sid = kit.dosed(room="2")
    for w in (w1, w2):
        qtbot.waitUntil(lambda w=w: w.today.model.row_of_session(sid) is not None, timeout=WAIT_MS)
    clock.advance(minutes=22)  # the 20-30 min reading is due
    for w in (w1, w2):
        w.today.tick()
        assert "20-30 min after dose" in (_row_text(w, sid, COL_NEXT) or "")

    _enter_reading_by_keyboard(qtbot, w1, sid)

    assert "Before discharge" in (_row_text(w1, sid, COL_NEXT) or "")  # its own, at once
    qtbot.waitUntil(
        lambda: "Before discharge" in (_row_text(w2, sid, COL_NEXT) or ""), timeout=ONE_SECOND_MS
    )


def test_an_alert_reading_from_one_workstation_raises_the_others_alert(
    qtbot: QtBot, stations: list[AppContext], open_window: OpenWindow, clock: FakeClock
) -> None:
    room2, station = stations
    nurse = actor_for(room2, Role.NURSE)
    kit = Kit(room2.ctx, clock, nurse)
    w2 = open_window(station, Role.NURSE)
    sid = kit.dosed(room="2")
    qtbot.waitUntil(lambda: w2.today.model.row_of_session(sid) is not None, timeout=WAIT_MS)
    assert not w2.alerts.active

    kit.vitals.record(nurse, sid, 118, 76, pulse=72, spo2=88)  # SpO2 88 %: an alert

    qtbot.waitUntil(
        lambda: [a.session_id for a in w2.alerts.active if a.is_reading_alert] == [sid],
        timeout=WAIT_MS,
    )


def test_the_open_session_shows_another_workstations_reading_dose_and_side_effect(
    qtbot: QtBot, stations: list[AppContext], open_window: OpenWindow, clock: FakeClock
) -> None:
    room2, station = stations
    nurse = actor_for(room2, Role.NURSE)
    kit = Kit(room2.ctx, clock, nurse)
    sid = kit.ready(room="2")
    w2 = open_window(station, Role.NURSE)
    w2.open_session(sid)
    ws = w2.session_page
    assert isinstance(ws, SessionWorkspace)
    dose_table = ws.pages[STEP_DOSE].table
    readings = ws.pages[STEP_MONITORING].readings
    assert dose_table.rowCount() == 0
    shown_readings = readings.rowCount()

    kit.dose(sid)  # the first dose, given in Room 2
    qtbot.waitUntil(lambda: dose_table.rowCount() == 1, timeout=WAIT_MS)
    assert ws.detail.session.state != "ready"

    clock.advance(minutes=12)
    kit.vitals.record(nurse, sid, 124, 80, pulse=70, spo2=97)
    qtbot.waitUntil(lambda: readings.rowCount() == shown_readings + 1, timeout=WAIT_MS)

    nausea = ws.pages[STEP_SIDE_EFFECTS].rows["nausea"]
    assert not nausea.present.isChecked()
    SideEffectService(room2.ctx).record(nurse, sid, "nausea", severity="mild")
    qtbot.waitUntil(lambda: nausea.present.isChecked(), timeout=WAIT_MS)
    assert nausea.severity.currentData() == "mild"


def test_the_open_chart_shows_another_workstations_dose_result_and_allergy(
    qtbot: QtBot, stations: list[AppContext], open_window: OpenWindow, clock: FakeClock
) -> None:
    room2, station = stations
    nurse = actor_for(room2, Role.NURSE)
    clinician = actor_for(room2, Role.CLINICIAN)
    kit = Kit(room2.ctx, clock, nurse)
    sid = kit.ready(room="2")
    patient_id = kit.sessions.detail(sid).session.patient_id
    w2 = open_window(station, Role.CLINICIAN)
    w2.open_patient(patient_id)
    page = w2.patients_page
    assert page is not None
    chart = page.chart  # type: ignore[attr-defined]
    assert isinstance(chart, PatientChart)
    qtbot.waitUntil(lambda: chart.sessions_table.rowCount() == 1, timeout=WAIT_MS)
    state_before = chart.sessions_table.item(0, 3).text()

    kit.dose(sid)
    qtbot.waitUntil(lambda: chart.sessions_table.item(0, 3).text() != state_before, timeout=WAIT_MS)

    assert chart.phq_table.rowCount() == 0
    InstrumentService(room2.ctx).record(clinician, patient_id, "PHQ-9", PHQ9)
    qtbot.waitUntil(lambda: chart.phq_table.rowCount() == 1, timeout=WAIT_MS)

    assert not chart.allergy_banner.isVisible()
    PatientService(room2.ctx).update(clinician, patient_id, allergies="Penicillin (rash)")
    qtbot.waitUntil(lambda: chart.allergy_banner.isVisible(), timeout=WAIT_MS)
    assert chart.allergy_banner.text() == "Allergies: Penicillin (rash)"
