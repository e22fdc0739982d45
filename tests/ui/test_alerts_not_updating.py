"""If the board or alert refresh fails, a red "Alerts are not updating" banner stays until
it recovers; an unexpected failure is logged once, never a dialog every second."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk import logs
from kapdesk.domain.clock import FakeClock
from kapdesk.ui.alerts import STALE_TEXT
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.main_window import MainWindow
from tests.faultkit import inject


@pytest.fixture
def window(
    qtbot: QtBot, app: AppContext, kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    w = MainWindow(app, resume=False)
    w.today.stop()
    w.alerts.stop()  # ticked by hand after moving the fake clock
    qtbot.addWidget(w)
    w.resize(1100, 700)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(ErrorBox, "show", classmethod(lambda cls, p, t, text: shown.append(text)))
    return shown


def _tick(window: MainWindow, clock: FakeClock, seconds: int = 6) -> None:
    clock.advance(seconds=seconds)
    window.alerts.check()
    window.today.tick()


def _stale_shown(window: MainWindow) -> bool:
    banner = window.alert_bar.stale_banner
    return window.alert_bar.isVisible() and banner.isVisible()


def test_a_failing_board_query_raises_a_red_banner_until_it_recovers(
    window: MainWindow, kit: Kit, clock: FakeClock, app: AppContext, boxes: list[str]
) -> None:
    kit.dosed(room="2")
    _tick(window, clock)
    assert not _stale_shown(window)

    faults = inject(app.ctx.db.engine)
    faults.mode, faults.reads = "io", True
    _tick(window, clock)
    assert _stale_shown(window)
    banner = window.alert_bar.stale_banner
    assert banner.property("level") == "critical"  # the red style
    assert banner.label.text().startswith(STALE_TEXT)
    assert "Alerts are not updating" in banner.label.text()
    for _ in range(5):  # it stays while the failure lasts
        _tick(window, clock)
        assert _stale_shown(window)
    assert boxes == []  # a banner, not a dialog every second

    assert window.today.status_line.isVisible()  # the board says so too

    faults.mode = None
    _tick(window, clock)
    assert not _stale_shown(window)
    assert not window.today.status_line.isVisible()  # and stops saying it once it works
    clock.advance(minutes=20)
    _tick(window, clock)
    assert [a.level for a in window.alerts.active] == ["due"]  # alerting again


def test_an_unexpected_failure_is_logged_once_and_shown_as_the_banner(
    window: MainWindow, clock: FakeClock, boxes: list[str], tmp_path: Path
) -> None:
    log_file = logs.setup_logging(tmp_path / "kapdesk.log")
    try:
        calls = 0

        def broken() -> list[object]:
            nonlocal calls
            calls += 1
            raise AttributeError("a bug in the board query")

        window.board_store._source = broken  # type: ignore[assignment]
        for _ in range(4):
            _tick(window, clock)
        assert calls >= 4  # retried every time
        assert _stale_shown(window)
        assert boxes == []
        import logging

        for h in logging.getLogger().handlers:
            h.flush()
        assert log_file.read_text(encoding="utf-8").count("builtins.AttributeError") == 1
    finally:
        logs.stop_logging()
