"""The main window: title, navigation, who is signed in, switching user, start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.storage.orm import User, VitalReading
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.main_window import (
    PAGE_PATIENTS,
    PAGE_SESSION,
    PAGE_TODAY,
    MainWindow,
)

from .conftest import PASSWORD, actor_for, focused


def test_title_size_and_signed_in_label(window: MainWindow) -> None:
    assert window.windowTitle() == "kapdesk clinic – kapdesk"
    avail = window.screen().availableGeometry()
    expected = (min(1280, avail.width()), min(800, avail.height() - 40))
    assert (window.width(), window.height()) == expected
    assert window.signed_in.text() == "Signed in: Test Nurse (nurse)"
    assert window.signed_in.isVisible()
    assert window.current_page() == PAGE_TODAY


def test_demo_title(qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> None:
    app = build_app_context(tmp_path / "demo.sqlite", demo=True, clock=clock)
    try:
        w = MainWindow(app, resume=False)
        qtbot.addWidget(w)
        assert w.windowTitle() == "kapdesk clinic – DEMO – kapdesk"
        w.close()
    finally:
        app.close()


def test_keyboard_navigation(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_PATIENTS
    assert window.nav.currentRow() == PAGE_PATIENTS
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_TODAY
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_TODAY  # no session opened yet


def test_navigate_signals_switch_pages(
    window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    sid = Kit(app.ctx, clock, nurse).checked_in(room="1")
    assert window.nav.item(PAGE_SESSION).isHidden()
    app.signals.navigate_session.emit(sid)
    assert window.current_page() == PAGE_SESSION
    assert window.session_id == sid
    assert not window.nav.item(PAGE_SESSION).isHidden()
    app.signals.navigate_patient.emit(1)
    assert window.current_page() == PAGE_PATIENTS
    window.show_page(PAGE_SESSION)
    assert window.current_page() == PAGE_SESSION


def _switch_user(qtbot: QtBot, window: MainWindow, username: str, password: str) -> LoginDialog:
    qtbot.keyClick(
        window,
        Qt.Key.Key_U,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.login_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: focused() is dialog.username.edit)
    qtbot.keyClicks(focused(), username)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), password)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    return dialog


def test_switch_user_changes_label_and_who_records(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    sid = Kit(app.ctx, clock, nurse).dosed(room="2")
    window.today.refresh()
    clinician = actor_for(app, Role.CLINICIAN)

    with qtbot.waitSignal(app.signals.actor_changed):
        dialog = _switch_user(qtbot, window, "clinician", PASSWORD)
    assert not dialog.isVisible()
    assert app.actor == clinician
    assert window.signed_in.text() == "Signed in: Test Clinician (clinician)"
    assert window.isVisible()

    # record a reading from the board: it is stamped with the new user
    board = window.today
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    board.table.setFocus()
    board.table.selectRow(0)
    qtbot.keyClick(board.table, Qt.Key.Key_V)
    vitals = board.vitals_dialog
    assert vitals is not None
    qtbot.waitUntil(lambda: focused() is vitals.form.first_field)
    for value in ("126", "82"):
        qtbot.keyClicks(focused(), value)
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    with app.ctx.db.read() as s:
        last = s.scalars(select(VitalReading).order_by(VitalReading.id.desc())).first()
    assert last is not None
    assert (last.session_id, last.systolic, last.recorded_by) == (sid, 126, clinician.user_id)
    assert last.recorded_by != nurse.user_id


def test_switch_user_wrong_password_then_escape_keeps_the_user(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor
) -> None:
    dialog = _switch_user(qtbot, window, "clinician", "not the password")
    assert dialog.isVisible()
    assert dialog.message.text() == "Unknown username or wrong password."
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert app.actor == nurse
    assert window.signed_in.text() == "Signed in: Test Nurse (nurse)"


def test_resume_reopens_the_one_running_session(
    qtbot: QtBot, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    sid = Kit(app.ctx, clock, nurse).dosed(room="1")
    app.actor = nurse
    w = MainWindow(app)
    qtbot.addWidget(w)
    assert (w.current_page(), w.session_id) == (PAGE_SESSION, sid)
    w.close()


_FIRST_RUN_DRIVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kapdesk.ui.run import _qapplication, run_gui
from kapdesk.ui.login import FirstAdminDialog
from kapdesk.ui.main_window import MainWindow

def fill_first_admin():
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, FirstAdminDialog):
        QTimer.singleShot(20, fill_first_admin)
        return
    dialog.username.edit.setText("ana")
    dialog.full_name.edit.setText("Ana Lima")
    dialog.password.edit.setText("a long enough secret")
    dialog.repeat.edit.setText("a long enough secret")
    dialog.submit()
    QTimer.singleShot(20, close_main_window)

def close_main_window():
    shown = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, MainWindow) and w.isVisible()]
    if not shown:
        QTimer.singleShot(20, close_main_window)
        return
    print(shown[0].windowTitle())
    print(shown[0].signed_in.text())
    shown[0].close()

_qapplication()
QTimer.singleShot(0, fill_first_admin)
sys.exit(run_gui(Path(sys.argv[1]), demo=False))
"""


def test_run_gui_first_run_creates_the_admin_then_shows_the_main_window(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_RUN_DRIVER, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["kapdesk clinic – kapdesk", "Signed in: Ana Lima (admin)"]
    app = build_app_context(path, demo=False)
    try:
        with app.ctx.db.read() as s:
            assert [(u.username, u.role) for u in s.scalars(select(User))] == [("ana", "admin")]
    finally:
        app.close()


@pytest.mark.slow
def test_demo_is_created_on_first_use(tmp_path: Path) -> None:
    pytest.importorskip("kapdesk.demo")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path)}
    env.pop("KAPDESK_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "kapdesk", "--demo", "--quit-after-paint"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "kapdesk"
    assert sorted(p.name for p in folder.iterdir()) == ["demo.sqlite"]  # no half-built leftovers
    app = build_app_context(folder / "demo.sqlite", demo=True)
    try:
        with app.ctx.db.read() as s:
            assert "nurse" in set(s.scalars(select(User.username)))
    finally:
        app.close()
