"""Spare banners built ahead while the app is idle (issue 13: a minute turn raising alerts
built, styled and showed a banner for each before the board's new minute was painted):
the alert bar holds blank spares once the main window has painted, a minute raising alerts
fills and shows them without building a banner, and they are topped up afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.ui.alert_banner import ACK_ALLOWED_TIP, AlertBanner
from kapdesk.ui.alert_spares import SPARES
from kapdesk.ui.alerts import AlertBar, AlertCenter
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.run import stylesheet

from .conftest import show_main_window


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))


@pytest.fixture
def window(qtbot: QtBot, app: AppContext, kit: Kit) -> Iterator[MainWindow]:
    w = show_main_window(qtbot, app)
    yield w
    w.close()


def _ready(qtbot: QtBot, bar: AlertBar) -> list[AlertBanner]:
    qtbot.waitUntil(lambda: bar.spares.full)
    return list(bar.spares.banners)


def _assert_blank(banner: AlertBanner) -> None:
    assert banner.alert is None
    assert banner.isHidden()
    assert banner.label.text() == ""
    assert banner.label.accessibleName() == ""
    assert banner.open_button.accessibleName() == ""
    for button in (banner.dismiss_button, banner.acknowledge_button):
        assert button is None or button.accessibleName() == ""
    if banner.acknowledge_button is not None:
        assert banner.acknowledge_button.toolTip() == ""


def test_the_bar_holds_blank_spares_once_the_main_window_has_painted(
    qtbot: QtBot, app: AppContext
) -> None:
    w = MainWindow(app, resume=False)
    w.today.stop()
    w.alerts.stop()
    qtbot.addWidget(w)
    bar = w.alert_bar
    assert bar.spares.banners == []  # nothing built before the board is painted
    w.show()
    spares = _ready(qtbot, bar)
    assert [bar.spares.ready(kind) for kind in (False, True)] == [SPARES[False], SPARES[True]]
    assert len(spares) == sum(SPARES.values())
    layout = bar.banner_layout
    for banner in spares:
        _assert_blank(banner)
        assert banner.parent() is bar
        assert layout.indexOf(banner) == -1  # not laid out until it is shown
    assert bar.banners == []
    assert bar.isHidden()


def test_a_minute_raising_alerts_fills_spares_and_builds_no_banner(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock
) -> None:
    bar = window.alert_bar
    sids = [kit.dosed(room=str(n), mrn=f"A-{n}") for n in range(1, 4)]
    spares = _ready(qtbot, bar)
    made = set(bar.findChildren(AlertBanner))
    built = bar.spares.built
    clock.advance(minutes=21)
    window.alerts.check()  # three readings fall due in the same minute
    assert set(bar.findChildren(AlertBanner)) == made  # no banner widget built
    assert len(bar.banners) == 3
    assert set(bar.banners) <= set(spares)
    texts = sorted(b.label.text() for b in bar.banners)
    assert [t.split(":")[0] for t in texts] == ["Room 1", "Room 2", "Room 3"]
    for banner in bar.banners:
        assert banner.alert is not None
        assert banner.alert.session_id in sids
        assert banner.label.text().startswith(banner.alert.text)
        assert banner.open_button.accessibleName() == f"Open {banner.alert.text}"
        assert banner.dismiss_button is not None
        assert banner.dismiss_button.accessibleName() == f"Dismiss {banner.alert.text}"
    qtbot.waitUntil(lambda: all(b.isVisible() for b in bar.banners))
    # ... and the spares used are built again afterwards, while idle
    qtbot.waitUntil(lambda: bar.spares.full)
    assert bar.spares.built == built + 3
    assert not set(bar.spares.banners) & set(bar.banners)


def test_a_banner_whose_alert_went_is_kept_blank(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock
) -> None:
    sid = kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)
    window.alerts.check()
    [banner] = window.alert_bar.banners
    assert "Room 1" in banner.label.text()
    kit.vitals.record(kit.nurse, sid, 120, 80)  # taken: its alert goes
    window.alerts.check()
    assert window.alert_bar.banners == []
    if banner in window.alert_bar.spares.banners:  # kept (while its kind has room)
        _assert_blank(banner)
    else:
        assert not shiboken6.isValid(banner) or banner.isHidden()


def test_spares_are_built_anew_for_a_new_signed_in_user(
    qtbot: QtBot,
    window: MainWindow,
    kit: Kit,
    clock: FakeClock,
    app: AppContext,
    clinician: Actor,
) -> None:
    bar = window.alert_bar
    sid = kit.dosed(room="2", mrn="A-2")
    clock.advance(minutes=21)
    window.alerts.check()  # due: a banner for the nurse
    kit.vitals.record(kit.nurse, sid, 120, 80)
    window.alerts.check()  # gone: its banner kept blank
    before = _ready(qtbot, bar)
    app.actor = clinician  # someone else signs in (the lock screen, switch user)
    assert bar.spares.banners == []  # every spare dropped with the banners
    assert all(b.isHidden() for b in before if shiboken6.isValid(b))
    after = _ready(qtbot, bar)
    assert not set(after) & set(before)
    for banner in after:
        _assert_blank(banner)
    # filled for the clinician: who may acknowledge is the clinician's
    kit.vitals.record(kit.nurse, sid, 118, 76, pulse=80, spo2=88)  # an alert reading
    [banner] = [b for b in bar.banners if b.alert is not None and b.alert.is_reading_alert]
    assert banner in after
    assert banner.acknowledge_button is not None
    assert banner.acknowledge_button.isEnabled()
    assert banner.acknowledge_button.toolTip() == ACK_ALLOWED_TIP
    assert banner.label.text().startswith("Room 2: SpO2 88 % alert at ")


def test_a_banner_from_a_spare_looks_as_one_built_at_once(
    qtbot: QtBot, app: AppContext, kit: Kit, clock: FakeClock
) -> None:
    """Two bars on the same alerts in one window under the app's stylesheet, one with
    spares (built ahead at "due" and "alert" levels), one without: every banner drawn pixel
    for pixel the same, including a spare re-styled for another level (overdue)."""
    center = AlertCenter(app)
    center.stop()
    top = QWidget()
    top.setStyleSheet(stylesheet())  # the app's look: the colours come with the level
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    plain, ahead = AlertBar(center), AlertBar(center)
    lay.addWidget(plain)
    lay.addWidget(ahead)
    lay.addStretch(1)
    top.resize(900, 500)
    ahead.spares.build_ahead(top)
    top.show()
    qtbot.waitExposed(top)
    spares = _ready(qtbot, ahead)
    kit.dosed(room="1", mrn="A-1")
    kit.advance(minutes=9)
    kit.dosed(room="2", mrn="A-2")
    kit.advance(minutes=1)
    third = kit.dosed(room="3", mrn="A-3")
    clock.advance(minutes=21)
    center.check()  # room 1 overdue, rooms 2 and 3 due
    kit.vitals.record(kit.nurse, third, 118, 76, pulse=80, spo2=88)  # room 3: an alert reading
    center.check()
    levels = [b.level for b in ahead.banners]
    assert sorted(levels) == ["alert", "due", "overdue"]
    assert set(ahead.banners) <= set(spares)
    assert not set(plain.banners) & set(spares)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in (*plain.banners, *ahead.banners)))
    QApplication.processEvents()
    assert plain.size() == ahead.size()
    for built, filled in zip(plain.banners, ahead.banners, strict=True):
        assert built.label.text() == filled.label.text()
        assert built.grab().toImage() == filled.grab().toImage()
    center.stop()


class _Resizes(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.count += 1
        return False


def test_alerts_raised_together_lay_the_bar_out_once(
    qtbot: QtBot, window: MainWindow, kit: Kit, clock: FakeClock
) -> None:
    """Qt lays a widget's parents out at once each time it shows one: the banners already
    shown were laid out (and their texts wrapped) again for each banner added. Three alerts
    raised together now resize a banner already shown no more often than one alert does."""
    bar = window.alert_bar
    for n in (1, 2, 3):  # each dosed a minute after the last
        kit.dosed(room=str(n), mrn=f"A-{n}")
    kit.advance(minutes=3)
    kit.dosed(room="4", mrn="A-4")
    kit.advance(minutes=2)
    for n in (5, 6, 7):
        kit.dosed(room=str(n), mrn=f"A-{n}")
    start = clock.now()

    def raised(minutes: int) -> int:
        """Resizes of room 2's banner while the alerts of ``minutes`` later are raised."""
        [banner] = [b for b in bar.banners if b.label.text().startswith("Room 2:")]
        resizes = _Resizes(banner)
        clock.set(start + timedelta(minutes=minutes))
        window.alerts.check()
        QApplication.processEvents()
        return resizes.count

    clock.set(start + timedelta(minutes=11))
    window.alerts.check()  # rooms 1-3 due: the slot scrolls
    _ready(qtbot, bar)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in bar.banners))
    one = raised(15)  # room 4 due
    assert len(bar.banners) == 4
    _ready(qtbot, bar)
    three = raised(20)  # rooms 5-7 due together (and room 1 overdue)
    assert len(bar.banners) == 7
    assert three <= one
