"""A signed-in user deactivated (or given another role) by an administrator: her next entry is
refused, nothing is stored, a plain message says why and the app returns to the sign-in."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import SignInRevoked
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.services.patients import PatientService
from kapdesk.services.users import UserService
from kapdesk.storage.orm import AuditEntry, VitalReading
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.main_window import MainWindow

from .conftest import PASSWORD, actor_for, focused


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(
        ErrorBox, "show", classmethod(lambda cls, parent, title, text: boxes.append((title, text)))
    )
    return boxes


def readings(app: AppContext) -> int:
    with app.ctx.db.read() as s:
        return int(s.scalar(select(func.count(VitalReading.id))) or 0)


def type_reading(qtbot: QtBot, window: MainWindow, *values: str) -> None:
    board = window.today
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    board.table.setFocus()
    board.table.selectRow(0)
    qtbot.keyClick(board.table, Qt.Key.Key_V)
    dialog = board.vitals_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: focused() is dialog.form.first_field)
    for value in values:
        qtbot.keyClicks(focused(), value)
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.form.first_field, Qt.Key.Key_Return)


def test_a_deactivated_nurse_is_refused_at_her_next_reading_and_signed_out(
    qtbot: QtBot,
    app: AppContext,
    window: MainWindow,
    nurse: Actor,
    clock: FakeClock,
    shown: list[tuple[str, str]],
) -> None:
    Kit(app.ctx, clock, nurse).dosed(room="2")
    clock.advance(minutes=22)
    window.today.refresh()
    before = readings(app)

    # An administrator, at another workstation, deactivates her account.
    UserService(app.ctx).deactivate(actor_for(app, Role.ADMIN), nurse.user_id)

    type_reading(qtbot, window, "126", "82")
    qtbot.waitUntil(lambda: window.signed_out)

    assert readings(app) == before  # nothing stored
    assert shown == [
        (
            "Sign in again",
            "Your account was deactivated: sign in again.\n\n"
            "What you were entering just now was not saved.",
        )
    ]
    assert app.actor is None
    assert not window.isVisible()  # run_gui now shows the sign-in dialog
    dialog = window.today.vitals_dialog  # the reading dialog is gone too
    assert dialog is None or not shiboken6.isValid(dialog) or not dialog.isVisible()
    with app.ctx.db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.action, last.user_id) == ("denied.vitals.record", nurse.user_id)


def test_a_demoted_user_is_signed_out_too_but_not_someone_else(
    qtbot: QtBot,
    app: AppContext,
    window: MainWindow,
    nurse: Actor,
    shown: list[tuple[str, str]],
) -> None:
    admin = actor_for(app, Role.ADMIN)
    clinician = actor_for(app, Role.CLINICIAN)
    UserService(app.ctx).change_role(admin, clinician.user_id, Role.THERAPIST)
    # The clinician's stale sign-in elsewhere is refused: not this window's user, no sign-out.
    with pytest.raises(SignInRevoked, match="Your role is now therapist"):
        UserService(app.ctx).verify_reentry(
            clinician, "x", failed_action="sign.failed", entity="user", entity_id=1
        )
    qtbot.wait(20)
    assert not window.signed_out
    assert shown == []

    UserService(app.ctx).change_role(admin, nurse.user_id, Role.THERAPIST)
    with pytest.raises(SignInRevoked, match="Your role is now therapist: sign in again"):
        PatientService(app.ctx).create(
            nurse, mrn="X-1", given_name="Ada", family_name="Lovelace",
            date_of_birth="1980-05-17", sex="female",
        )  # fmt: skip
    qtbot.waitUntil(lambda: window.signed_out)
    assert shown[0][1].startswith("Your role is now therapist: sign in again.")


_RUN_GUI_DRIVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kapdesk.ui.run import _qapplication, run_gui
from kapdesk.domain.permissions import Role
from kapdesk.services.users import UserService, actor_of
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.main_window import MainWindow

PASSWORD = sys.argv[2]
ErrorBox.show = classmethod(lambda cls, parent, title, text: print("BOX:", repr(text)))
logins = []

def poll():
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, LoginDialog) and dialog not in logins:
        logins.append(dialog)
        print("LOGIN SHOWN:", len(logins))
        if len(logins) == 1:
            dialog.username.edit.setText("nurse")
            dialog.password.edit.setText(PASSWORD)
            dialog.submit()
            QTimer.singleShot(20, enter_reading)
        else:
            dialog.reject()
            return
    QTimer.singleShot(20, poll)

def enter_reading():
    shown = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, MainWindow) and w.isVisible()]
    if not shown or not shown[0].today.running_session_ids():
        QTimer.singleShot(20, enter_reading)
        return
    window = shown[0]
    print("SIGNED IN:", window.signed_in.text())
    users = UserService(window.app.ctx)
    admin = next(actor_of(u) for u in users.list_users() if u.role is Role.ADMIN)
    users.deactivate(admin, window.app.actor.user_id)
    window.today.table.selectRow(0)
    window.today.record_vitals()
    dialog = window.today.vitals_dialog
    dialog.form.edits["systolic"].setText("126")
    dialog.form.edits["diastolic"].setText("82")
    dialog.submit()

_qapplication()
QTimer.singleShot(0, poll)
sys.exit(run_gui(Path(sys.argv[1]), demo=False))
"""


@pytest.fixture
def nurse_id(db_path: Path) -> int:
    """A patient checked in now, by the real clock (run_gui's board shows today)."""
    clock = FakeClock(datetime.now(UTC))
    context = build_app_context(db_path, demo=False, clock=clock)
    try:
        nurse = actor_for(context, Role.NURSE)
        Kit(context.ctx, clock, nurse).checked_in(room="2")
        return nurse.user_id
    finally:
        context.close()


@pytest.mark.slow
def test_through_run_gui_the_sign_in_dialog_comes_back(
    db_path: Path, tmp_path: Path, nurse_id: int
) -> None:
    """The whole app: sign in as the nurse, she is deactivated, her reading is refused, a
    message says so and the sign-in dialog shows again."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_GUI_DRIVER, str(db_path), PASSWORD],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "LOGIN SHOWN: 1"
    assert lines[1] == "SIGNED IN: Signed in: Test Nurse (nurse)"
    assert "BOX: 'Your account was deactivated: sign in again.\\n\\n" in done.stdout
    assert lines[-1] == "LOGIN SHOWN: 2"
    ctx = build_app_context(db_path, demo=False)
    try:
        with ctx.ctx.db.read() as s:
            assert s.scalar(select(func.count(VitalReading.id))) == 0
            last = s.scalars(select(AuditEntry).where(AuditEntry.action.like("denied.%"))).all()
        assert [(e.action, e.user_id) for e in last] == [("denied.vitals.record", nurse_id)]
    finally:
        ctx.close()
