"""Signing in again after a sign-out (the app signs out after a restore, or when a sign-in
is revoked): run_gui deletes the main window, shows the sign-in and builds a new window.
The old window's alert bar must not still answer "the signed-in user changed" (issue 13
review: its banners' layout was already deleted, and the sign-in raised)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))


@pytest.fixture
def windows(qtbot: QtBot, app: AppContext) -> Iterator[list[MainWindow]]:
    made: list[MainWindow] = []
    yield made
    for w in made:
        if shiboken6.isValid(w):
            w.close()


def open_window(qtbot: QtBot, app: AppContext, made: list[MainWindow]) -> MainWindow:
    w = MainWindow(app, resume=False)
    w.today.stop()
    w.alerts.stop()  # checked by hand after moving the fake clock
    w.show()
    qtbot.waitExposed(w)
    made.append(w)
    return w


def test_signing_in_again_after_a_sign_out_builds_the_new_windows_banners(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    nurse: Actor,
    clinician: Actor,
    windows: list[MainWindow],
) -> None:
    kit.dosed(room="1", mrn="A-1")
    clock.advance(minutes=21)  # its 20-30 min reading is due
    first = open_window(qtbot, app, windows)
    first.alerts.check()
    assert len(first.alert_bar.banners) == 1
    first.sign_out()  # as after a restore
    shiboken6.delete(first)  # as run_gui does before the sign-in shows again
    QApplication.processEvents()

    app.actor = clinician  # signed in again: "the signed-in user changed"
    second = open_window(qtbot, app, windows)
    second.alerts.check()
    [banner] = second.alert_bar.banners
    app.actor = nurse  # another change of user (the lock screen): the banners built anew
    [renewed] = second.alert_bar.banners
    assert renewed is not banner
    qtbot.waitUntil(renewed.isVisible)  # shown once the event loop turns, as Qt adds it
