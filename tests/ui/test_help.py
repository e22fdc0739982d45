"""Help menu: keyboard shortcuts generated from the real actions, a user guide per role
(bundled HTML, offline), About with the version, database, protocols and licence."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

import kapdesk
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.help_dialogs import GUIDE_ROLES, AboutDialog, UserGuideDialog, guide_html
from kapdesk.ui.help_menu import ShortcutsDialog, keys_text, plain
from kapdesk.ui.main_window import MainWindow

from .conftest import actor_for

ROOT = Path(__file__).resolve().parents[2]
NATIVE = QKeySequence.SequenceFormat.NativeText


def native(keys: str) -> str:
    return QKeySequence(keys).toString(NATIVE)


def test_the_help_menu_is_there_for_every_role(window: MainWindow, app: AppContext) -> None:
    for role in Role:
        app.actor = actor_for(app, role)
        titles = [plain(a.text()) for a in window.menuBar().actions() if a.isVisible()]
        assert titles[-1] == "Help", (role, titles)
        assert [plain(a.text()) for a in window.help_menu.actions()] == [
            "Keyboard shortcuts",
            "User guide",
            "About kapdesk",
        ]


def test_shortcuts_list_every_visible_action_of_the_window(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.help_actions.shortcuts_action.trigger()
    dialog = window.help_actions.dialog
    assert isinstance(dialog, ShortcutsDialog)
    qtbot.waitExposed(dialog)
    text = dialog.text()
    for action in window.findChildren(QAction):
        keys = keys_text(action.shortcuts())
        if keys and action.isVisible():
            assert keys in text, (plain(action.text()), keys)
            assert plain(action.text()) in text
    for keys, what in (
        ("Ctrl+Shift+U", "Switch user"),
        ("Ctrl+Q", "Quit"),
        ("Ctrl+L", "Lock screen"),
        ("Ctrl+1", "Today"),
        ("F1", "User guide"),
    ):
        row = next(r for r in dialog.rows if r.what == what)
        assert row.keys == native(keys)
    board = next(r for r in dialog.rows if r.what == "Record vital signs for the selected session")
    assert (board.where, board.keys) == ("Today", f"{native('V')}, {native('Ctrl+R')}")
    # A nurse has no audit log: its key is not offered.
    assert "Audit log" not in text
    assert native("Ctrl+Shift+A") not in text
    new_patient = next(r for r in dialog.rows if r.what == "Add a patient")
    assert (new_patient.where, new_patient.keys) == ("Patients", native("Ctrl+N"))
    assert "Session (the guided steps)" in text  # named as not opened yet
    dialog.close()


def test_a_new_action_or_shortcut_shows_up_without_editing_the_help(
    qtbot: QtBot, window: MainWindow
) -> None:
    action = QAction("&Frobnicate the widget…", window)
    action.setShortcut(QKeySequence("Ctrl+Alt+J"))
    window.addAction(action)
    shortcut = QShortcut(QKeySequence("Ctrl+Alt+K"), window.today)
    shortcut.setWhatsThis("Knit the board")
    dialog = window.help_actions.show_shortcuts()
    assert isinstance(dialog, ShortcutsDialog)
    text = dialog.text()
    assert "Frobnicate the widget" in text
    assert native("Ctrl+Alt+J") in text
    row = next(r for r in dialog.rows if r.what == "Knit the board")
    assert (row.where, row.keys) == ("Today", native("Ctrl+Alt+K"))
    dialog.close()


def test_the_session_steps_keys_are_listed_once_a_session_is_open(
    window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    sid = Kit(app.ctx, clock, nurse).checked_in(room="1")
    window.open_session(sid)
    dialog = window.help_actions.show_shortcuts()
    assert isinstance(dialog, ShortcutsDialog)
    steps = [r for r in dialog.rows if r.where == "Session"]
    assert [(r.keys, r.what) for r in steps[:2]] == [
        (native("Alt+1"), "Go to step 1: Pre-session checklist"),
        (native("Alt+2"), "Go to step 2: Pre-dose vitals"),
    ]
    assert len([r for r in steps if r.what.startswith("Go to step")]) == 6
    assert "Session (the guided steps)" not in dialog.text()
    dialog.close()


def test_the_user_guide_opens_at_the_signed_in_role_and_shows_each_role(
    qtbot: QtBot, window: MainWindow, app: AppContext
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.help_actions.dialog
    assert isinstance(dialog, UserGuideDialog)
    qtbot.waitExposed(dialog)
    assert dialog.role() is Role.CLINICIAN
    assert dialog.text().startswith("kapdesk for clinicians")
    assert "Override hold" in dialog.text()
    for role, heading, says in (
        (Role.THERAPIST, "kapdesk for therapists", "Sign note"),
        (Role.NURSE, "kapdesk for nurses", "press V"),
        (Role.ADMIN, "kapdesk for administrators", "Back up now"),
    ):
        dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(role))
        assert dialog.text().startswith(heading)
        assert says in dialog.text()
    dialog.close()


def test_the_guides_are_bundled_offline_pages_for_every_role() -> None:
    assert {r.value for r in GUIDE_ROLES} == {"therapist", "nurse", "clinician", "admin"}
    for role in GUIDE_ROLES:
        html = guide_html(role)
        assert "<h1>" in html
        assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:|//)", html), role  # offline
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]["kapdesk.resources"]
    assert "help/*.html" in data
    assert "help/*/*.html" in data  # the translations, one folder per language
    shipped = {p.name for p in (ROOT / "resources" / "help").iterdir() if p.is_file()}
    assert shipped == {f"{r.value}.html" for r in GUIDE_ROLES}
    assert (files("kapdesk.resources") / "help" / "admin.html").is_file()
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert 'tree(ROOT / "resources", "kapdesk/resources", skip_dirs=("screenshots",))' in spec
    assert 'copy_metadata("kapdesk")' in spec  # About reads the licence from the metadata


def test_about_names_version_database_protocols_and_licence(
    qtbot: QtBot, window: MainWindow, app: AppContext
) -> None:
    window.help_actions.about_action.trigger()
    dialog = window.help_actions.dialog
    assert isinstance(dialog, AboutDialog)
    qtbot.waitExposed(dialog)
    text = dialog.text()
    assert f"kapdesk {kapdesk.__version__}" in text
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == kapdesk.__version__
    assert str(app.ctx.db.path) in text
    declared = pyproject["project"]["license"]  # an SPDX expression: "LicenseRef-Proprietary"
    assert declared == "LicenseRef-Proprietary"
    assert re.search(r"Licence\s+Proprietary", text)  # the name, not the SPDX reference
    assert "LicenseRef-" not in text
    protocols = list(app.ctx.protocols.values())
    assert {p.id for p in protocols} >= {"kap-default", "spravato-rems"}
    for p in protocols:
        assert re.search(rf"{re.escape(p.id)}\s+version {re.escape(p.version)}", text), p.id
    assert "No course has started yet" in text
    dialog.close()


def test_about_names_the_versions_pinned_in_the_database(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    kit = Kit(app.ctx, clock, nurse)
    kit.checked_in(room="1", mrn="A-1")
    kit.checked_in(room="2", mrn="A-2")
    dialog = window.help_actions.show_about()
    assert isinstance(dialog, AboutDialog)
    pinned = dialog.text().split("Pinned in this database", 1)[1]
    version = app.ctx.protocols["kap-default"].version
    assert re.search(rf"kap-default\s+version {re.escape(version)}\s+2 courses", pinned)
    dialog.close()
