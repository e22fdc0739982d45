"""Screens refresh from the services' change sets, and only for what they show.

No view announces anything here: every write is a plain service call, as one made by
another view, a worker thread or (later) another workstation would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.permissions import Role
from kapdesk.services.board import today_board
from kapdesk.services.changes import ChangeSet, Kind
from kapdesk.services.patients import PatientService
from kapdesk.services.screen_dtos import BoardRow
from kapdesk.ui.alerts import AlertCenter
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.board_store import BoardStore
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.today_board import TodayBoard

from .helpers_patients import actor_for, add_patient


@pytest.fixture(autouse=True)
def _no_beeps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))


def _count_refreshes(ws: SessionWorkspace, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    refresh = ws.refresh

    def counted() -> None:
        calls.append(ws.session_id)
        refresh()

    monkeypatch.setattr(ws, "refresh", counted)
    return calls


@pytest.fixture
def board(qtbot: QtBot, app: AppContext) -> Iterator[tuple[BoardStore, TodayBoard, AlertCenter]]:
    queries: list[int] = []

    def counted_board() -> list[BoardRow]:
        queries.append(1)
        return list(today_board(app.ctx))

    store = BoardStore(app, source=counted_board)
    store.stop()  # no ticking: every load below comes from a change set or a call
    store.queries = queries  # type: ignore[attr-defined]
    today = TodayBoard(app, store=store)
    qtbot.addWidget(today)
    center = AlertCenter(app, store=store)
    yield store, today, center
    store.stop()


def test_a_reading_recorded_through_the_service_refreshes_its_workspace_and_the_board(
    kit: Kit,
    open_ws: Callable[[int], SessionWorkspace],
    board: tuple[BoardStore, TodayBoard, AlertCenter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, today, center = board
    sid = kit.dosed(room="2")
    ws = open_ws(sid)
    refreshes = _count_refreshes(ws, monkeypatch)
    loads = store.loads
    kit.advance(minutes=12)

    reading = kit.vitals.record(kit.nurse, sid, 118, 76, spo2=88).reading  # SpO2 alert

    assert refreshes == [sid]  # once, before the service call returned
    assert reading.id in {r.id for r in ws.detail.readings}
    assert store.loads == loads + 1
    [row] = [r for r in today.model.rows if r.session_id == sid]
    assert [a.reading_id for a in row.alerts] == [reading.id]
    assert [a.reading_id for a in center.active] == [reading.id]


def test_a_change_to_another_session_does_not_rebuild_the_open_workspace(
    kit: Kit,
    open_ws: Callable[[int], SessionWorkspace],
    board: tuple[BoardStore, TodayBoard, AlertCenter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, today, _center = board
    mine = kit.dosed(room="1", mrn="MRN-1")
    other = kit.dosed(room="2", mrn="MRN-2")
    ws = open_ws(mine)
    refreshes = _count_refreshes(ws, monkeypatch)
    loads = store.loads

    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, other, 124, 80, pulse=70, spo2=98)

    assert refreshes == []  # another session: the open workspace is left alone
    assert store.loads == loads + 1  # the board shows every session: it reloads
    assert {r.session_id for r in today.model.rows} == {mine, other}

    kit.vitals.record(kit.nurse, mine, 126, 82, pulse=72, spo2=97)
    assert refreshes == [mine]


def test_the_chart_of_patient_a_ignores_a_change_to_patient_b(
    qtbot: QtBot, app: AppContext
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    app.actor = clinician
    a = add_patient(app, clinician, mrn="KAP-A")
    b = add_patient(app, clinician, mrn="KAP-B", family_name="Other")
    chart = PatientChart(app, a.id)
    qtbot.addWidget(chart)
    chart.show()
    qtbot.waitExposed(chart)
    qtbot.waitUntil(lambda: not chart._refresh_timer.isActive())

    PatientService(app.ctx).update(clinician, b.id, weight_kg=80.0)
    assert not chart._refresh_timer.isActive()  # not ours: no refresh queued

    PatientService(app.ctx).update(clinician, a.id, weight_kg=66.0)
    assert chart._refresh_timer.isActive()  # ours: one refresh, on the next loop turn
    qtbot.waitUntil(lambda: "66 kg" in chart.demographics.text())


def test_one_refresh_runs_the_board_query_once_for_both_views(
    kit: Kit, board: tuple[BoardStore, TodayBoard, AlertCenter]
) -> None:
    store, today, center = board
    sid = kit.dosed(room="2")
    kit.advance(minutes=21)  # the 20-30 min reading is due
    queries: list[int] = store.queries  # type: ignore[attr-defined]
    queries.clear()

    assert store.load()

    assert queries == [1]  # one query ...
    assert [r.session_id for r in today.model.rows] == [sid]  # ... the board shows it
    assert [(a.session_id, a.level) for a in center.active] == [(sid, "due")]  # ... and alerts


def test_a_write_in_another_thread_arrives_on_the_gui_thread(
    qtbot: QtBot, app: AppContext, kit: Kit
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician, mrn="KAP-T")
    seen: list[tuple[ChangeSet, bool]] = []
    gui = QThread.currentThread()
    app.signals.data_changed.connect(
        lambda changes: seen.append((changes, QThread.currentThread() == gui))
    )
    worker = threading.Thread(
        target=PatientService(app.ctx).update,
        args=(clinician, patient.id),
        kwargs={"weight_kg": 70},
    )
    worker.start()
    worker.join()
    assert seen == []  # queued: delivered by the GUI's event loop, not in the worker
    qtbot.waitUntil(lambda: bool(seen))
    [(changes, on_gui_thread)] = seen
    assert on_gui_thread
    assert changes.ids(Kind.PATIENT) == {patient.id}
