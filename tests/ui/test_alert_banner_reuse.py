"""A banner whose alert went is refilled for the next alert instead of a new one built
(building, styling and showing banners was most of a minute turn raising alerts): the
refilled banner shows and acts on the new alert, never the old one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.ui.alerts import AlertBar, AlertCenter
from kapdesk.ui.app_context import AppContext


@pytest.fixture
def bar(qtbot: QtBot, app: AppContext, monkeypatch: pytest.MonkeyPatch) -> Iterator[AlertBar]:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    center = AlertCenter(app)
    center.stop()  # checked by hand after moving the fake clock
    widget = AlertBar(center)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    center.stop()


def test_a_refilled_banner_shows_and_acts_on_the_new_alert(
    qtbot: QtBot, bar: AlertBar, kit: Kit, clock: FakeClock, app: AppContext
) -> None:
    first_sid = kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)
    bar.center.check()  # room 1: due
    [banner] = bar.banners
    kit.vitals.record(kit.nurse, first_sid, 120, 80)  # taken: its alert goes
    bar.center.check()
    assert bar.banners == []
    assert not banner.isVisible()
    second_sid = kit.dosed(room="2", mrn="A-2")
    clock.advance(minutes=21)
    bar.center.check()  # room 2: due, in the banner room 1's alert left
    [refilled] = bar.banners
    assert refilled is banner
    qtbot.waitUntil(refilled.isVisible)
    [alert] = bar.center.active
    assert alert.session_id == second_sid
    assert refilled.alert == alert
    assert refilled.label.text().startswith("Room 2: 20-30 min after dose reading is due")
    assert refilled.label.accessibleName() == alert.text
    assert refilled.open_button.accessibleName() == f"Open {alert.text}"
    assert refilled.dismiss_button is not None
    assert refilled.dismiss_button.accessibleName() == f"Dismiss {alert.text}"
    with qtbot.waitSignal(app.signals.navigate_session) as opened:
        qtbot.mouseClick(refilled.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [second_sid]  # not room 1's session
    qtbot.mouseClick(refilled.dismiss_button, Qt.MouseButton.LeftButton)
    assert bar.center.active == []  # room 2's alert dismissed
    assert bar.banners == []


def test_a_banner_replaced_in_the_same_tick_is_refilled_with_the_new_level(
    bar: AlertBar, kit: Kit, clock: FakeClock
) -> None:
    kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)
    bar.center.check()  # due
    [banner] = bar.banners
    clock.advance(minutes=10)
    bar.center.check()  # overdue replaces due: the same banner, re-styled
    [refilled] = bar.banners
    assert refilled is banner
    assert refilled.property("level") == "overdue"
    assert "reading is overdue" in refilled.label.text()
    assert refilled.isVisible()


def test_a_banner_with_the_keyboard_focus_is_not_refilled(
    qtbot: QtBot, bar: AlertBar, kit: Kit, clock: FakeClock
) -> None:
    """Refilled, the key the user was about to press would act on another alert."""
    bar.window().activateWindow()
    kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)
    bar.center.check()
    [banner] = bar.banners
    assert banner.dismiss_button is not None
    banner.dismiss_button.setFocus()
    qtbot.waitUntil(banner.dismiss_button.hasFocus)
    clock.advance(minutes=10)
    bar.center.check()  # overdue replaces due
    [other] = bar.banners
    assert other is not banner
    assert not banner.isVisible()
    assert "reading is overdue" in other.label.text()


def test_a_focused_banner_is_not_refilled_while_another_window_is_active(
    qtbot: QtBot, bar: AlertBar, kit: Kit, clock: FakeClock
) -> None:
    """The user tabbed to Dismiss on the due alert, then another window took the activation
    (a dialog, another program) and the item turned overdue meanwhile. Back in the window,
    Qt gives the focus back to that button: it must not dismiss an alert the user never saw
    there. (QApplication.focusWidget() only knows the active window's focus.)"""
    kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)
    bar.center.check()
    [banner] = bar.banners
    bar.window().activateWindow()
    qtbot.waitUntil(bar.isActiveWindow)
    assert banner.dismiss_button is not None
    banner.dismiss_button.setFocus()
    qtbot.waitUntil(banner.dismiss_button.hasFocus)
    other = QWidget()
    qtbot.addWidget(other)
    QVBoxLayout(other).addWidget(QLineEdit())
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    clock.advance(minutes=10)
    bar.center.check()  # overdue replaces due
    [now] = bar.banners
    assert "reading is overdue" in now.label.text()
    assert now is not banner
    assert bar.window().focusWidget() is not now.dismiss_button


def test_the_focus_leaving_a_dropped_banner_does_not_land_on_a_refilled_one(
    qtbot: QtBot, bar: AlertBar, kit: Kit, clock: FakeClock
) -> None:
    """Two due alerts, the user on room 1's Dismiss; both turn overdue in one tick. Room 1's
    banner goes; hiding it handed the focus on to the next button, in room 2's banner, which
    was then refilled with another alert."""
    kit.dosed(room="1", mrn="A-1")
    kit.dosed(room="2", mrn="A-2")
    clock.advance(minutes=21)
    bar.center.check()
    first, _second = bar.banners
    bar.window().activateWindow()
    qtbot.waitUntil(bar.isActiveWindow)
    assert first.dismiss_button is not None
    first.dismiss_button.setFocus()
    qtbot.waitUntil(first.dismiss_button.hasFocus)
    clock.advance(minutes=10)
    bar.center.check()  # both overdue
    focus = bar.window().focusWidget()
    assert not [b for b in bar.banners if focus is not None and b.isAncestorOf(focus)]
