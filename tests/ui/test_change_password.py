"""The forced password change after an administrator's reset: at sign-in and on switching user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from services.signkit import cheap_passwords
from sqlalchemy import func, select

from kapdesk.domain.errors import AuthenticationFailed
from kapdesk.domain.permissions import Role
from kapdesk.services.users import UserService
from kapdesk.storage.orm import AuditEntry, User
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.change_password import ChangePasswordDialog, require_new_password
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.main_window import MainWindow

from .conftest import PASSWORD, actor_for, focused

TEMPORARY = "temporary pass 1"
CHOSEN = "my own long secret"


@pytest.fixture
def reset_therapist(app: AppContext) -> int:
    """The administrator has given the therapist a temporary password."""
    cheap_passwords(app.ctx.db)
    therapist = actor_for(app, Role.THERAPIST)
    UserService(app.ctx).reset_password(actor_for(app, Role.ADMIN), therapist.user_id, TEMPORARY)
    return therapist.user_id


def must_change(app: AppContext, user_id: int) -> bool:
    with app.ctx.db.read() as s:
        row = s.get(User, user_id)
        assert row is not None
        return row.must_change_password


def changes(app: AppContext) -> int:
    with app.ctx.db.read() as s:
        return int(
            s.scalar(select(func.count()).where(AuditEntry.action == "user.change_password")) or 0
        )


def sign_in(qtbot: QtBot, dialog: LoginDialog, username: str, password: str) -> None:
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused() is dialog.username.edit)
    qtbot.keyClicks(dialog.username.edit, username)
    qtbot.keyClick(dialog.username.edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password.edit, password)
    qtbot.keyClick(dialog.password.edit, Qt.Key.Key_Return)


def change_dialog(qtbot: QtBot, login: LoginDialog) -> ChangePasswordDialog:
    dialog = login.change_dialog
    assert isinstance(dialog, ChangePasswordDialog)
    assert dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused() is dialog.new)
    return dialog


def type_new(qtbot: QtBot, dialog: ChangePasswordDialog, new: str, repeat: str) -> None:
    dialog.new.clear()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.new, new)
    qtbot.keyClick(dialog.new, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.repeat, repeat)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)


def test_escape_signs_out_and_nothing_is_changed(
    qtbot: QtBot, app: AppContext, reset_therapist: int
) -> None:
    login = LoginDialog(app)
    qtbot.addWidget(login)
    login.show()
    qtbot.waitExposed(login)
    sign_in(qtbot, login, "therapist", TEMPORARY)
    dialog = change_dialog(qtbot, login)
    assert not dialog.current.isVisible()  # the password was typed a moment ago
    assert "an administrator has reset your password" in dialog.intro.text()
    assert dialog.buttons.button(dialog.buttons.StandardButton.Cancel).text() == "Sign &out"
    qtbot.keyClick(dialog.new, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert login.isVisible()
    assert login.actor is None
    assert login.result() != QDialog.DialogCode.Accepted
    assert login.message.text() == "Your password was not changed, so you are not signed in."
    assert must_change(app, reset_therapist)
    assert changes(app) == 0


def test_the_new_password_is_checked_then_sign_in_completes(
    qtbot: QtBot, app: AppContext, reset_therapist: int
) -> None:
    login = LoginDialog(app)
    qtbot.addWidget(login)
    login.show()
    qtbot.waitExposed(login)
    sign_in(qtbot, login, "therapist", TEMPORARY)
    dialog = change_dialog(qtbot, login)

    type_new(qtbot, dialog, "short", "short")
    assert "Password must be at least 10 characters" in dialog.fields["New password"].error.text()
    type_new(qtbot, dialog, TEMPORARY, TEMPORARY)
    assert dialog.fields["New password"].error.text() == (
        "The new password must differ from the current one."
    )
    type_new(qtbot, dialog, CHOSEN, CHOSEN + "!")
    assert "does not match" in dialog.fields["Repeat new password"].error.text()
    assert dialog.isVisible()
    assert must_change(app, reset_therapist)
    assert changes(app) == 0

    type_new(qtbot, dialog, CHOSEN, CHOSEN)
    assert not dialog.isVisible()
    assert login.result() == QDialog.DialogCode.Accepted
    assert login.actor is not None
    assert login.actor.user_id == reset_therapist
    assert not login.actor.must_change_password
    assert not must_change(app, reset_therapist)
    assert changes(app) == 1
    users = UserService(app.ctx)
    assert users.authenticate("therapist", CHOSEN).user_id == reset_therapist
    with pytest.raises(AuthenticationFailed):
        users.authenticate("therapist", TEMPORARY)


def test_switching_user_also_requires_the_change(
    qtbot: QtBot, app: AppContext, reset_therapist: int
) -> None:
    app.actor = actor_for(app, Role.NURSE)
    window = MainWindow(app, resume=False)
    window.today.stop()
    window.alerts.stop()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.switch_user()
    login = window.login_dialog
    assert login is not None
    sign_in(qtbot, login, "therapist", TEMPORARY)
    assert app.require_actor().role is Role.NURSE  # not yet
    dialog = change_dialog(qtbot, login)
    type_new(qtbot, dialog, CHOSEN, CHOSEN)
    assert app.require_actor().user_id == reset_therapist
    assert not app.require_actor().must_change_password
    window.close()


def test_require_new_password_passes_an_actor_without_a_reset(app: AppContext) -> None:
    nurse = UserService(app.ctx).authenticate("nurse", PASSWORD)
    assert require_new_password(app, nurse) is nurse
