"""Staff accounts for the administrator, lockout at sign-in and unlocking, on a real database."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from services.signkit import cheap_passwords
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock, shown_time
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.storage.orm import AuditEntry, User
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.change_password import ChangePasswordDialog
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.users_admin import AddUserDialog, ResetPasswordDialog, UsersWindow

from .conftest import PASSWORD, focused
from .helpers_users import cells, stored_user
from .helpers_users import users_window as users_window  # re-exported fixture

TEMPORARY = "temporary pass 1"
CHOSEN = "my own long secret"


def count(app: AppContext, action: str) -> int:
    with app.ctx.db.read() as s:
        return int(s.scalar(select(func.count()).where(AuditEntry.action == action)) or 0)


def sign_in(qtbot: QtBot, app: AppContext, username: str, password: str) -> LoginDialog:
    dialog = LoginDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused() is dialog.username.edit)
    qtbot.keyClicks(dialog.username.edit, username)
    qtbot.keyClick(dialog.username.edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password.edit, password)
    qtbot.keyClick(dialog.password.edit, Qt.Key.Key_Return)
    return dialog


def fill(qtbot: QtBot, dialog: QDialog, *texts: str) -> None:
    """Type into the fields in tab order from the first, then press Enter."""
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused().window() is dialog)
    for i, text in enumerate(texts):
        if text:
            qtbot.keyClicks(focused(), text)
        if i < len(texts) - 1:
            qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def test_admin_adds_a_user_who_must_choose_a_password_at_first_sign_in(
    qtbot: QtBot, app: AppContext, users_window: UsersWindow
) -> None:
    assert [users_window.table.item(r, 0).text() for r in range(4)] == [
        "admin", "clinician", "nurse", "therapist",
    ]  # fmt: skip
    qtbot.mouseClick(users_window.add_button, Qt.MouseButton.LeftButton)
    dialog = users_window.dialog
    assert isinstance(dialog, AddUserDialog)
    qtbot.waitUntil(lambda: focused() is dialog.username)

    # Too short a password: said at its field, nothing stored.
    dialog.role.setCurrentIndex(dialog.role.findData(Role.CLINICIAN))
    fill(qtbot, dialog, "mcosta", "Maria Costa, MD", "", "short", "short")
    assert dialog.isVisible()
    assert "at least 10 characters" in dialog.fields["Temporary password"].error.text()
    assert focused() is dialog.password
    assert count(app, "user.add") == 0

    dialog.password.setText(TEMPORARY)
    dialog.repeat.setText(TEMPORARY)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    row = stored_user(app, "mcosta")
    assert (row.full_name, row.role, row.active, row.must_change_password) == (
        "Maria Costa, MD", "clinician", True, True,
    )  # fmt: skip
    assert (count(app, "user.add"), count(app, "user.reset_password")) == (1, 0)  # one action
    assert cells(users_window, "mcosta") == [
        "mcosta", "Maria Costa, MD", "clinician", "yes", "", "", "yes",
    ]  # fmt: skip
    assert users_window.selected() is not None
    assert users_window.selected().username == "mcosta"  # type: ignore[union-attr]

    # Her first sign-in asks for her own password before anything else.
    login = sign_in(qtbot, app, "mcosta", TEMPORARY)
    change = login.change_dialog
    assert isinstance(change, ChangePasswordDialog)
    assert change.isVisible()
    assert login.actor is None
    fill(qtbot, change, CHOSEN, CHOSEN)
    assert login.result() == QDialog.DialogCode.Accepted
    assert login.actor is not None
    assert (login.actor.username, login.actor.must_change_password) == ("mcosta", False)
    assert not stored_user(app, "mcosta").must_change_password
    assert count(app, "user.change_password") == 1


def test_a_taken_username_is_refused_at_its_field(
    qtbot: QtBot, app: AppContext, users_window: UsersWindow
) -> None:
    dialog = users_window.add_user()
    assert isinstance(dialog, AddUserDialog)
    qtbot.waitUntil(lambda: focused() is dialog.username)
    fill(qtbot, dialog, "Nurse", "Another Nurse", "", TEMPORARY, TEMPORARY)
    assert dialog.isVisible()
    assert dialog.fields["Username"].error.text() == "Username 'nurse' is already taken."
    with app.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 4


def test_reset_password_forces_a_change_at_the_next_sign_in(
    qtbot: QtBot, app: AppContext, users_window: UsersWindow
) -> None:
    users_window.select_user("therapist")
    qtbot.mouseClick(users_window.reset_button, Qt.MouseButton.LeftButton)
    dialog = users_window.dialog
    assert isinstance(dialog, ResetPasswordDialog)
    qtbot.waitUntil(lambda: focused() is dialog.password)
    fill(qtbot, dialog, TEMPORARY, TEMPORARY + "x")  # the repeat differs
    assert dialog.isVisible()
    assert "does not match" in dialog.fields["Repeat temporary password"].error.text()
    assert not stored_user(app, "therapist").must_change_password
    dialog.repeat.setText(TEMPORARY)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert stored_user(app, "therapist").must_change_password
    assert cells(users_window, "therapist")[6] == "yes"
    assert users_window.status.text() == (
        "Test Therapist must choose a new password at the next sign-in."
    )
    login = sign_in(qtbot, app, "therapist", TEMPORARY)
    assert isinstance(login.change_dialog, ChangePasswordDialog)
    assert login.actor is None


def test_five_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(
    qtbot: QtBot, app: AppContext, clock: FakeClock, admin: Actor
) -> None:
    cheap_passwords(app.ctx.db)
    login = sign_in(qtbot, app, "nurse", "wrong password 1")
    for i in range(2, 6):
        assert login.message.text() == "Unknown username or wrong password."
        assert login.actor is None
        qtbot.keyClicks(login.password.edit, f"wrong password {i}")
        qtbot.keyClick(login.password.edit, Qt.Key.Key_Return)
    # The right password now: still locked, and the message says until when.
    qtbot.keyClicks(login.password.edit, PASSWORD)
    qtbot.keyClick(login.password.edit, Qt.Key.Key_Return)
    locked_until = clock.now() + timedelta(minutes=15)
    until = shown_time(locked_until)  # local time; the message also names the zone
    zoned = shown_time(locked_until, zone=True)
    assert login.actor is None
    assert login.isVisible()
    assert login.message.text().startswith(f"This account is locked until {zoned} after 5 wrong")
    assert "ask an administrator to unlock it" in login.message.text()
    assert count(app, "auth.login_failed") == 5
    assert (count(app, "auth.locked"), count(app, "auth.login_locked")) == (1, 1)

    app.actor = admin
    window = UsersWindow(app)
    qtbot.addWidget(window)
    window.show()
    window.select_user("clinician")
    assert not window.unlock_button.isEnabled()  # nothing to unlock
    window.select_user("nurse")
    assert cells(window, "nurse")[4:6] == [until, "5"]
    assert window.unlock_button.isEnabled()
    qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    row = stored_user(app, "nurse")
    assert (row.locked_until, row.failed_logins) == (None, 0)
    assert count(app, "user.unlock") == 1
    assert cells(window, "nurse")[4:6] == ["", ""]
    assert window.status.text() == "Test Nurse (nurse) is unlocked."
    assert not window.unlock_button.isEnabled()

    qtbot.keyClicks(login.password.edit, PASSWORD)
    qtbot.keyClick(login.password.edit, Qt.Key.Key_Return)
    assert login.actor is not None
    assert login.actor.username == "nurse"

    app.actor = login.actor  # a nurse: the users window closes
    assert not window.isVisible()
