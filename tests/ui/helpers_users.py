"""The user administration window for GUI tests: shown with the administrator signed in,
its table read as text, a user's stored row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.services.context import Actor
from kapdesk.storage.orm import User
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.users_admin import UsersWindow


@pytest.fixture
def users_window(qtbot: QtBot, app: AppContext, admin: Actor) -> Iterator[UsersWindow]:
    """The users window, the administrator signed in (a test module re-exports it)."""
    app.actor = admin
    window = UsersWindow(app)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def stored_user(app: AppContext, username: str) -> User:
    """The user's row as stored now."""
    with app.ctx.db.read() as s:
        row = s.scalars(select(User).where(User.username == username)).one()
        s.expunge(row)
        return row


def cells(window: UsersWindow, username: str) -> list[str]:
    """The user's line in the window's table, as shown."""
    t = window.table
    for r in range(t.rowCount()):
        if t.item(r, 0).text() == username:
            return [t.item(r, c).text() for c in range(t.columnCount())]
    raise AssertionError(f"{username} is not listed")
