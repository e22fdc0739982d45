"""Alerts: raised once per reading and level, on whatever page the user is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.ui.alerts import AlertCenter
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import PAGE_PATIENTS, MainWindow

from .conftest import show_main_window


@pytest.fixture
def beeps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: calls.append(1)))
    return calls


@pytest.fixture
def center(qtbot: QtBot, app: AppContext) -> Iterator[AlertCenter]:
    c = AlertCenter(app)
    c.stop()  # checked by hand after moving the fake clock
    yield c
    c.stop()


def _run(center: AlertCenter, clock: FakeClock, *, minutes: float = 0, seconds: float = 0) -> None:
    clock.advance(minutes=minutes, seconds=seconds)
    center.check()


def test_due_then_overdue_each_alert_once(
    center: AlertCenter, kit: Kit, clock: FakeClock, beeps: list[int]
) -> None:
    sid = kit.dosed(room="2")
    dosed_at = clock.now()

    def after_dose(minutes: int, seconds: int = 0) -> None:
        clock.set(dosed_at + timedelta(minutes=minutes, seconds=seconds))
        center.check()

    after_dose(0)
    after_dose(19, 59)
    assert center.active == []
    assert beeps == []

    after_dose(20)
    [due] = center.active
    assert (due.session_id, due.level) == (sid, "due")
    assert due.text == "Room 2: 20-30 min after dose reading is due"
    assert beeps == [1]

    for s in range(1, 6):  # the same state, second after second: no new alert
        after_dose(20, s)
    after_dose(25)  # re-queried meanwhile: still the same item and state
    after_dose(30)  # the window is inclusive: still due
    assert [a.level for a in center.history] == ["due"]
    assert beeps == [1]

    after_dose(30, 1)
    [overdue] = center.active  # replaces the due alert of the same reading
    assert overdue.level == "overdue"
    assert overdue.text == "Room 2: 20-30 min after dose reading is overdue"
    assert [a.level for a in center.history] == ["due", "overdue"]
    assert beeps == [1, 1]

    after_dose(31)
    after_dose(44, 59)
    assert len(center.history) == 2
    assert beeps == [1, 1]

    after_dose(45)  # window closed 15 min ago (missed_after_min): missed, said once
    [missed] = center.active
    assert missed.text == "Room 2: 20-30 min after dose reading is missed"
    assert [a.level for a in center.history] == ["due", "overdue", "missed"]
    after_dose(60)
    assert len(center.history) == 3


def test_recording_the_reading_clears_the_alert(
    center: AlertCenter, kit: Kit, clock: FakeClock, app: AppContext, beeps: list[int]
) -> None:
    sid = kit.dosed(room="1")
    _run(center, clock, minutes=21)
    assert len(center.active) == 1
    kit.vitals.record(kit.nurse, sid, 124, 80, pulse=70, spo2=98)  # its change set re-queries
    assert center.active == []
    _run(center, clock, minutes=15)  # past the closed window: satisfied, nothing overdue
    assert center.active == []
    assert len(center.history) == 1


def test_dismissed_alert_is_not_raised_again(
    center: AlertCenter, kit: Kit, clock: FakeClock, beeps: list[int]
) -> None:
    kit.dosed(room="1")
    _run(center, clock, minutes=21)
    [alert] = center.active
    center.dismiss(alert)
    assert center.active == []
    _run(center, clock, minutes=1)
    _run(center, clock, seconds=10)
    assert center.active == []
    assert len(center.history) == 1
    _run(center, clock, minutes=9)  # overdue is a new state: it alerts
    assert [a.level for a in center.active] == ["overdue"]


def test_pre_dose_vitals_due_at_check_in_do_not_alert(
    center: AlertCenter, kit: Kit, clock: FakeClock, beeps: list[int]
) -> None:
    kit.checked_in(room="3")
    kit.scheduled(room="4", mrn="MRN-2")
    _run(center, clock, minutes=40)
    assert center.history == []
    assert beeps == []


def test_two_sessions_alert_separately(
    center: AlertCenter, kit: Kit, clock: FakeClock, beeps: list[int]
) -> None:
    first = kit.dosed(room="1", mrn="A-1")
    kit.advance(minutes=5)
    second = kit.dosed(room="2", mrn="A-2")
    _run(center, clock, minutes=15)  # first at 21 min (due), second at 15
    assert [(a.session_id, a.level) for a in center.active] == [(first, "due")]
    _run(center, clock, minutes=6)
    assert [(a.session_id, a.level) for a in center.active] == [(first, "due"), (second, "due")]
    assert len(beeps) == 2


@pytest.fixture
def window(qtbot: QtBot, app: AppContext, kit: Kit) -> Iterator[MainWindow]:
    w = show_main_window(qtbot, app)
    yield w
    w.close()


def test_banner_shows_on_the_patients_page_and_opens_the_session(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock, app: AppContext, beeps: list[int]
) -> None:
    sid = kit.dosed(room="2")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_PATIENTS
    assert not window.alert_bar.isVisible()

    _run(window.alerts, clock, minutes=20)
    assert window.current_page() == PAGE_PATIENTS  # non-modal: the user stays where they are
    assert window.alert_bar.isVisible()
    [banner] = window.alert_bar.banners
    assert banner.label.text().startswith("Room 2: 20-30 min after dose reading is due")
    assert banner.property("level") == "due"

    _run(window.alerts, clock, minutes=10, seconds=1)
    [banner] = window.alert_bar.banners
    assert banner.property("level") == "overdue"
    assert "reading is overdue" in banner.label.text()
    assert [a.level for a in window.alerts.history] == ["due", "overdue"]
    assert beeps == [1, 1]

    with qtbot.waitSignal(app.signals.navigate_session) as opened:
        qtbot.mouseClick(banner.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [sid]
    assert window.session_id == sid

    qtbot.mouseClick(window.alert_bar.banners[0].dismiss_button, Qt.MouseButton.LeftButton)
    assert window.alert_bar.banners == []
    assert not window.alert_bar.isVisible()


# ------------------------------------------------------------ issue 9: alert readings


def test_alert_reading_raises_the_banner_the_minute_it_is_recorded(
    qtbot: QtBot,
    window: MainWindow,
    kit: Kit,
    clock: FakeClock,
    app: AppContext,
    clinician: Actor,
    beeps: list[int],
) -> None:
    from sqlalchemy import select

    from kapdesk.storage.orm import AlertAcknowledgement

    sid = kit.dosed(room="2")
    clock.advance(minutes=12)
    window.alerts.check()
    assert window.alert_bar.banners == []
    reading = kit.vitals.record(kit.nurse, sid, 118, 76, pulse=80, spo2=88).reading
    # no view announces it and the clock does not move: the committed change set does it
    [banner] = window.alert_bar.banners
    assert banner.property("level") == "alert"
    assert banner.label.text() == (
        "Room 2: SpO2 88 % alert at "
        f"{reading.taken_at.astimezone():%H:%M}: low-spo2 (SpO2 < 92 %), kap-default v1.0"
        " – Simões, Conceição"
    )
    assert beeps == [1]
    assert banner.dismiss_button is None  # it stays until cleared or acknowledged
    assert banner.acknowledge_button is not None
    assert not banner.acknowledge_button.isEnabled()  # a nurse cannot acknowledge

    # the recheck (repeat in 5 min, the protocol's) is a reading like any other: it alerts
    clock.advance(minutes=5)
    window.alerts.check()
    assert [a.level for a in window.alerts.active] == ["alert", "due"]
    assert window.alerts.active[1].text == ("Room 2: Recheck 5 min after the alert reading is due")

    app.actor = clinician
    [alert_banner, _] = window.alert_bar.banners
    assert alert_banner.acknowledge_button is not None
    assert alert_banner.acknowledge_button.isEnabled()
    qtbot.mouseClick(alert_banner.acknowledge_button, Qt.MouseButton.LeftButton)
    assert [a.level for a in window.alerts.active] == ["due"]
    with app.ctx.db.read() as s:
        [ack] = s.scalars(select(AlertAcknowledgement)).all()
        assert (ack.reading_id, ack.acknowledged_by) == (reading.id, clinician.user_id)


def test_a_later_reading_within_limits_clears_the_banner(
    center: AlertCenter, kit: Kit, clock: FakeClock, app: AppContext, beeps: list[int]
) -> None:
    sid = kit.dosed(room="1")
    clock.advance(minutes=22)
    kit.vitals.record(kit.nurse, sid, 212, 126)
    [alert] = center.active
    assert alert.level == "critical"
    assert alert.text.startswith("Room 1: BP 212/126 critical at ")
    assert alert.text.endswith(
        "critical-bp (systolic > 200 or diastolic > 120 mmHg), kap-default v1.0"
    )
    center.dismiss(alert)  # not dismissable
    assert center.active == [alert]
    clock.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 150, 90)
    assert center.active == []


def test_the_board_and_the_alerts_share_one_query(
    window: MainWindow, kit: Kit, clock: FakeClock, app: AppContext, beeps: list[int]
) -> None:
    sid = kit.dosed(room="2")
    before = window.board_store.loads
    kit.vitals.record(kit.nurse, sid, 118, 76, spo2=88)
    assert window.board_store.loads == before + 1
    assert window.today.model.row_at(0).alerts
    assert window.alerts.active


def test_history_keeps_only_the_latest_alerts(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    beeps: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Raised alerts are kept for the shift (HISTORY_KEPT), not for ever."""
    from kapdesk.ui import alerts

    assert alerts.HISTORY_KEPT >= 500  # a long day of many rooms fits
    monkeypatch.setattr(alerts, "HISTORY_KEPT", 2)
    center = AlertCenter(app)
    center.stop()
    kit.dosed(room="2")
    for minutes in (20, 11, 15):  # due, overdue, missed: three alerts raised
        _run(center, clock, minutes=minutes)
    assert len(beeps) == 3
    assert [a.level for a in center.history] == ["overdue", "missed"]  # the oldest dropped
