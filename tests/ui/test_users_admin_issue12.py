"""User administration from the main window: the Users window (and the audit log) open
centred on the main window, double-click opens the user (never "Reset password"), and
adding a user who must choose a password is one audited action by the admin."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import AuditEntry
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.users_admin import AddUserDialog, ResetPasswordDialog, UserDialog, UsersWindow

from .conftest import actor_for


@pytest.fixture
def window(qtbot: QtBot, app: AppContext) -> Iterator[MainWindow]:
    app.actor = actor_for(app, Role.ADMIN)
    w = MainWindow(app, resume=False)
    w.today.stop()
    w.alerts.stop()
    qtbot.addWidget(w)
    w.move(100, 60)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def _centred(qtbot: QtBot, inner: QWidget | None, outer: MainWindow) -> None:
    assert inner is not None
    qtbot.waitExposed(inner)
    delta = inner.frameGeometry().center() - outer.frameGeometry().center()
    assert abs(delta.x()) <= 2, (inner.frameGeometry(), outer.frameGeometry())
    assert abs(delta.y()) <= 2, (inner.frameGeometry(), outer.frameGeometry())


def test_the_users_window_and_its_dialogs_open_centred_on_their_parent(
    qtbot: QtBot, window: MainWindow
) -> None:
    users = window.open_users()
    assert isinstance(users, UsersWindow)
    _centred(qtbot, users, window)
    audit = window.open_audit_log()
    _centred(qtbot, audit, window)
    users.select_user("nurse")
    for dialog in (users.add_user(), users.open_user(), users.reset_password()):
        assert dialog is not None
        qtbot.waitExposed(dialog)
        delta = dialog.frameGeometry().center() - users.frameGeometry().center()
        assert abs(delta.x()) <= 2, type(dialog).__name__
        assert abs(delta.y()) <= 2, type(dialog).__name__
        dialog.reject()
    users.close()
    assert audit is not None
    audit.close()


def test_double_click_opens_the_user_not_reset_password(qtbot: QtBot, window: MainWindow) -> None:
    users = window.open_users()
    assert isinstance(users, UsersWindow)
    users.select_user("nurse")
    rect = users.table.visualItemRect(users.table.item(users.table.currentRow(), 0))
    qtbot.mouseClick(users.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(users.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert isinstance(users.dialog, UserDialog)
    assert not isinstance(users.dialog, ResetPasswordDialog)
    assert users.dialog.details["Username"].text() == "nurse"
    users.dialog.reject()
    users.close()


def test_adding_a_user_who_must_change_the_password_is_one_entry_by_the_admin(
    qtbot: QtBot, window: MainWindow, app: AppContext
) -> None:
    admin = actor_for(app, Role.ADMIN)
    users = window.open_users()
    assert isinstance(users, UsersWindow)
    dialog = users.add_user()
    assert isinstance(dialog, AddUserDialog)
    assert dialog.must_change.isChecked()  # the default
    with app.ctx.db.read() as s:
        last = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    dialog.username.setText("mcosta")
    dialog.full_name.setText("Maria Costa")
    dialog.password.setText("temporary pass 1")
    dialog.repeat.setText("temporary pass 1")
    dialog.submit()
    with app.ctx.db.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.id > last)).all()
    assert [(e.action, e.user_id, e.entity) for e in entries] == [
        ("user.add", admin.user_id, "user")
    ]
    after = json.loads(entries[0].after or "{}")
    assert after["username"] == "mcosta"
    assert after["must_change_password"] is True
    assert "mcosta" in users.status.text()
    users.close()
