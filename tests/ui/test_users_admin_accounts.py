"""User administration: deactivate / reactivate and change a role (confirmed, audited), the
user's own dialog on double-click, dialogs centred on the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.storage.orm import AuditEntry
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.users_admin import AddUserDialog, Confirm, UserDialog, UsersWindow

from .conftest import focused
from .helpers_users import cells, stored_user
from .helpers_users import users_window as users_window  # re-exported fixture


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every confirmation question (each answered yes)."""
    questions: list[tuple[str, str]] = []
    monkeypatch.setattr(
        Confirm,
        "ask",
        classmethod(lambda cls, parent, title, text, ok: questions.append((title, text)) or True),
    )
    return questions


@pytest.fixture
def window(users_window: UsersWindow) -> UsersWindow:
    return users_window


def actions(app: AppContext) -> list[str]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_deactivate_and_reactivate_with_confirmation(
    qtbot: QtBot, app: AppContext, window: UsersWindow, asked: list[tuple[str, str]]
) -> None:
    window.select_user("nurse")
    assert window.active_button.text() == "&Deactivate…"
    qtbot.mouseClick(window.active_button, Qt.MouseButton.LeftButton)
    assert asked[-1][0] == "Deactivate Test Nurse?"
    assert "can no longer sign in" in asked[-1][1]
    assert "next entry is refused" in asked[-1][1]
    assert not stored_user(app, "nurse").active
    assert actions(app)[-1] == "user.deactivate"
    assert cells(window, "nurse")[3] == "no"
    assert window.status.text() == "Test Nurse (nurse) is deactivated: they can no longer sign in."
    assert window.active_button.text() == "R&eactivate…"

    qtbot.mouseClick(window.active_button, Qt.MouseButton.LeftButton)
    assert asked[-1][0] == "Reactivate Test Nurse?"
    assert stored_user(app, "nurse").active
    assert actions(app)[-1] == "user.reactivate"
    assert cells(window, "nurse")[3] == "yes"


def test_declining_the_confirmation_changes_nothing(
    qtbot: QtBot, app: AppContext, window: UsersWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, parent, title, text, ok: False))
    with app.ctx.db.read() as s:
        before = s.scalar(select(func.count(AuditEntry.id)))
    window.select_user("nurse")
    window.toggle_active()
    assert stored_user(app, "nurse").active
    with app.ctx.db.read() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before


def test_an_admin_cannot_deactivate_themselves(window: UsersWindow) -> None:
    window.select_user("admin")
    assert not window.active_button.isEnabled()
    assert window.active_button.toolTip() == "You cannot deactivate your own account."
    assert not window.role_button.isEnabled()


def test_change_role_in_the_users_dialog_with_confirmation(
    qtbot: QtBot, app: AppContext, window: UsersWindow, asked: list[tuple[str, str]]
) -> None:
    window.select_user("nurse")
    qtbot.mouseClick(window.role_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    assert isinstance(dialog, UserDialog)
    qtbot.waitUntil(lambda: focused() is dialog.role)
    ok = dialog.save_button
    assert not ok.isEnabled()  # nothing changed yet
    dialog.role.setCurrentIndex(dialog.role.findData(Role.CLINICIAN))
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert asked[-1][0] == "Change the role of Test Nurse?"
    assert "from nurse to clinician" in asked[-1][1]
    assert not dialog.isVisible()
    assert stored_user(app, "nurse").role == "clinician"
    assert actions(app)[-1] == "user.change_role"
    assert cells(window, "nurse")[2] == "clinician"
    assert window.status.text() == "Test Nurse (nurse) is now a clinician."


def test_a_refused_role_change_is_said_in_the_dialog(
    qtbot: QtBot, app: AppContext, window: UsersWindow, admin: Actor, asked: list[tuple[str, str]]
) -> None:
    dialog = UserDialog(app, next(u for u in window.users if u.username == "admin"), window)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.role.setCurrentIndex(dialog.role.findData(Role.NURSE))
    dialog.submit()
    assert dialog.isVisible()
    assert "last active administrator" in dialog.message.text()
    assert stored_user(app, "admin").role == "admin"


def test_double_click_opens_the_user(qtbot: QtBot, window: UsersWindow) -> None:
    window.select_user("therapist")
    row = window.table.currentRow()
    rect = window.table.visualItemRect(window.table.item(row, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = window.dialog
    assert isinstance(dialog, UserDialog)
    assert dialog.windowTitle() == "User – Test Therapist"
    assert dialog.details["Username"].text() == "therapist"
    assert dialog.details["Active"].text() == "yes"


def test_dialogs_open_centred_on_the_window(qtbot: QtBot, window: UsersWindow) -> None:
    window.move(60, 40)
    window.resize(1000, 600)
    for dialog in (window.add_user(), window.open_user()):
        assert dialog is not None
        qtbot.waitExposed(dialog)
        centre = dialog.frameGeometry().center()
        delta = centre - window.frameGeometry().center()
        assert abs(delta.x()) <= 2, (centre, window.frameGeometry())
        assert abs(delta.y()) <= 2, (centre, window.frameGeometry())
        assert dialog.frameGeometry().topLeft() != QPoint(0, 0)
        dialog.reject()


def test_add_user_with_a_forced_change_is_one_audited_action(
    qtbot: QtBot, app: AppContext, window: UsersWindow
) -> None:
    dialog = window.add_user()
    assert isinstance(dialog, AddUserDialog)
    dialog.username.setText("mcosta")
    dialog.full_name.setText("Maria Costa")
    dialog.password.setText("temporary pass 1")
    dialog.repeat.setText("temporary pass 1")
    start = len(actions(app))
    dialog.submit()
    assert actions(app)[start:] == ["user.add"]
    assert stored_user(app, "mcosta").must_change_password
