"""Window titles follow one pattern with one dash (issue 12: titles repeated 'kapdesk' with
two dash styles, 'kapdesk – Clinic — kapdesk').

A window that stands on its own is '<what> – kapdesk' ('Harbour Clinic – kapdesk'); a
dialog over one is '<what>'; DEMO comes before the app name. The only separator is
' – '. Qt would append its own ' — kapdesk' (an em dash, on X11) to every title if the
QApplication had a display name, so it has none.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.ui import run
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.titles import dialog_title, window_title

from .conftest import actor_for
from .test_mnemonics import _dialogs

APP = "kapdesk"


def title_problems(title: str, clinic: str = "") -> list[str]:
    """What is wrong with ``title`` under the one pattern (empty when nothing); the clinic's
    name is the user's ('kapdesk clinic' in the tests) and is not judged."""
    problems = []
    if clinic:
        title = title.replace(clinic, "<clinic>")
    if not title.strip():
        problems.append("no title")
    if title.count(APP) > 1:
        problems.append("names kapdesk twice")
    if APP in title and not title.endswith(APP):
        problems.append("names kapdesk other than at the end")
    if "—" in title or re.search(r"\s-\s", title):
        problems.append("separates with a dash other than ' – '")
    if "DEMO" in title and not re.search(r"(^|– )DEMO( – kapdesk)?$", title):
        problems.append("DEMO not just before the app name")
    return problems


def test_the_checker_finds_the_reported_titles() -> None:
    assert title_problems("kapdesk – Harbour Clinic — kapdesk") == [
        "names kapdesk twice",
        "separates with a dash other than ' – '",
    ]
    assert title_problems("kapdesk – Harbour Clinic – DEMO") == [
        "names kapdesk other than at the end"
    ]
    assert title_problems("About kapdesk") == []
    assert title_problems("Users - Harbour") == ["separates with a dash other than ' – '"]
    assert title_problems("Harbour Clinic – DEMO – kapdesk") == []
    assert title_problems("Users – DEMO") == []


def test_titles_are_built_one_way() -> None:
    assert window_title("Harbour Clinic") == "Harbour Clinic – kapdesk"
    assert window_title("Harbour Clinic", demo=True) == "Harbour Clinic – DEMO – kapdesk"
    assert window_title(None) == "kapdesk"
    assert window_title(None, demo=True) == "DEMO – kapdesk"
    assert dialog_title("Users") == "Users"
    assert dialog_title("Users", demo=True) == "Users – DEMO"


def test_the_application_sets_no_display_name() -> None:
    """Qt appends ' — <display name>' to every title on X11 when one is set; the window
    titles carry the name themselves."""
    assert "setApplicationDisplayName" not in inspect.getsource(run)


@pytest.fixture
def kit(app: AppContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(app.ctx, clock, nurse)


def _main_windows(qtbot: QtBot, app: AppContext) -> Iterator[tuple[str, QWidget]]:
    app.actor = actor_for(app, Role.NURSE)
    window = MainWindow(app, resume=False)
    window.today.stop()
    window.alerts.stop()
    qtbot.addWidget(window)
    yield "main window", window
    from kapdesk.ui.handover import HandoverWindow
    from kapdesk.ui.help_menu import ShortcutsDialog

    yield "Keyboard shortcuts", ShortcutsDialog(window)
    yield "Handover", HandoverWindow(app)
    window.show()
    window.screen_lock.lock()
    yield "locked main window", window


def test_every_window_and_dialog_title_follows_the_pattern(
    qtbot: QtBot, app: AppContext, kit: Kit, tmp_path: Path
) -> None:
    found: list[str] = []
    seen = 0
    for name, widget in [*_main_windows(qtbot, app), *_dialogs(app, kit, tmp_path)]:
        qtbot.addWidget(widget)
        title = widget.windowTitle()
        found += [f"{name}: {title!r} {p}" for p in title_problems(title, app.clinic_name())]
        seen += 1
    assert seen >= 25
    assert not found, "\n".join(found)


def test_the_demo_titles_follow_it_too(qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> None:
    from kapdesk.ui.login import LoginDialog

    app = build_app_context(tmp_path / "demo.sqlite", demo=True, clock=clock)
    try:
        window = MainWindow(app, resume=False)
        window.today.stop()
        window.alerts.stop()
        qtbot.addWidget(window)
        login = LoginDialog(app)
        qtbot.addWidget(login)
        clinic = app.clinic_name()
        assert window.windowTitle() == f"{clinic} – DEMO – kapdesk"
        assert login.windowTitle() == "Sign in – DEMO – kapdesk"
        for w in (window, login):
            assert title_problems(w.windowTitle(), clinic) == []
            w.close()
    finally:
        app.close()
