"""A new alert adds its banner; the banners already shown stay the same widgets (issue 13:
the alert bar rebuilt every banner on each change, at each minute turn of a busy clinic,
and a banner's button with the keyboard focus lost it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
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


def test_a_new_alert_keeps_the_banners_shown(bar: AlertBar, kit: Kit, clock: FakeClock) -> None:
    kit.dosed(room="1", mrn="A-1")
    kit.advance(minutes=5)
    kit.dosed(room="2", mrn="A-2")
    clock.advance(minutes=15)
    bar.center.check()  # the first session's 20-30 min reading is due
    [first] = bar.banners
    first.open_button.setFocus()
    clock.advance(minutes=6)
    bar.center.check()  # the second's is due too
    assert len(bar.banners) == 2
    assert bar.banners[0] is first  # the same widget, not a new one
    assert first.isVisible()
    assert "Room 2" in bar.banners[1].label.text()


def test_a_banner_whose_alert_goes_is_removed(bar: AlertBar, kit: Kit, clock: FakeClock) -> None:
    sid = kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)
    bar.center.check()
    [banner] = bar.banners
    kit.vitals.record(kit.nurse, sid, 120, 80)  # the reading is taken: its alert goes
    bar.center.check()
    assert bar.banners == []
    assert not banner.isVisible()


def test_the_banners_are_shown_most_serious_first(
    bar: AlertBar, kit: Kit, clock: FakeClock
) -> None:
    """A banner raised later but more serious goes above those shown; the bar's layout
    holds the banners in the order of ``banners`` (after the stale banner, hidden)."""
    kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)
    bar.center.check()  # room 1: due
    kit.dosed(room="2", mrn="A-2")
    clock.advance(minutes=21)
    bar.center.check()  # room 1: overdue (replaces its due banner); room 2: due
    levels = [b.alert.level for b in bar.banners]
    assert levels == sorted(levels, key=["critical", "alert", "overdue", "due"].index)
    assert len(levels) == 2
    layout = bar.banner_layout
    in_layout = [layout.itemAt(i).widget() for i in range(layout.count())]
    assert in_layout == [bar.stale_banner, *bar.banners]
    QApplication.processEvents()  # laid out
    tops = [b.geometry().top() for b in bar.banners]
    assert tops[0] < tops[1]
    kit.dosed(room="3", mrn="A-3")
    clock.advance(minutes=21)
    bar.center.check()
    in_layout = [layout.itemAt(i).widget() for i in range(layout.count())]
    assert in_layout == [bar.stale_banner, *bar.banners]
    assert len(bar.banners) == 3


def test_a_new_alert_leaves_the_banners_shown_in_the_layout(
    bar: AlertBar, kit: Kit, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the new banner is put in: the bar is not taken apart and put together again
    at each alert (every banner out of the layout and in again)."""
    kit.dosed(room="1", mrn="A-1")
    kit.advance(minutes=5)
    kit.dosed(room="2", mrn="A-2")
    clock.advance(minutes=15)
    bar.center.check()
    [first] = bar.banners
    taken_out: list[object] = []
    layout = bar.banner_layout
    remove = layout.removeWidget
    monkeypatch.setattr(layout, "removeWidget", lambda w: (taken_out.append(w), remove(w)))
    clock.advance(minutes=6)
    bar.center.check()  # the second's reading is due too
    assert bar.banners[0] is first
    assert first not in taken_out
    in_layout = [layout.itemAt(i).widget() for i in range(layout.count())]
    assert in_layout == [bar.stale_banner, *bar.banners]
