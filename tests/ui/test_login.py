"""First-run administrator, login and start-up refusals, driven through the real dialogs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import AuditEntry, User
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.login import FirstAdminDialog, LoginDialog
from kapdesk.ui.run import run_gui

from .conftest import PASSWORD, focused

ADMIN_PASSWORD = "a long enough secret"


def _users(app: AppContext) -> list[User]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(User)))


def _fill_first_admin(
    qtbot: QtBot, dialog: FirstAdminDialog, *, password: str, repeat: str, username: str = "ana"
) -> None:
    """Type into the dialog with the keyboard only, from the first field, Tab between fields."""
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused() is dialog.username.edit)
    for text in (username, "Ana Lima, MD", password, repeat):
        qtbot.keyClicks(focused(), text)
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.repeat.edit, Qt.Key.Key_Return)


def test_first_admin_is_created_and_signed_in(qtbot: QtBot, empty_app: AppContext) -> None:
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    _fill_first_admin(qtbot, dialog, password=ADMIN_PASSWORD, repeat=ADMIN_PASSWORD)

    assert dialog.result() == QDialog.DialogCode.Accepted
    [user] = _users(empty_app)
    assert (user.username, user.full_name, user.role) == ("ana", "Ana Lima, MD", "admin")
    assert dialog.actor is not None
    assert (dialog.actor.user_id, dialog.actor.role) == (user.id, Role.ADMIN)
    with empty_app.ctx.db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["user.create_first_admin", "auth.login"]


def test_first_admin_short_password_is_shown_at_the_field(
    qtbot: QtBot, empty_app: AppContext
) -> None:
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    _fill_first_admin(qtbot, dialog, password="short", repeat="short")

    assert dialog.isVisible()
    assert dialog.actor is None
    assert dialog.password.error.isVisible()
    assert "Password must be at least 10 characters" in dialog.password.error.text()
    assert focused() is dialog.password.edit
    assert not dialog.username.error.isVisible()
    assert _users(empty_app) == []


def test_first_admin_repeat_must_match(qtbot: QtBot, empty_app: AppContext) -> None:
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    _fill_first_admin(qtbot, dialog, password=ADMIN_PASSWORD, repeat=ADMIN_PASSWORD + "x")

    assert dialog.repeat.error.text().startswith("Repeat password does not match")
    assert focused() is dialog.repeat.edit
    assert _users(empty_app) == []


def test_first_admin_bad_username_names_the_field(qtbot: QtBot, empty_app: AppContext) -> None:
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    _fill_first_admin(
        qtbot, dialog, password=ADMIN_PASSWORD, repeat=ADMIN_PASSWORD, username="9lives"
    )

    assert dialog.username.error.text().startswith("Username '9lives' must start with a letter")
    assert focused() is dialog.username.edit
    assert _users(empty_app) == []


def _login(qtbot: QtBot, dialog: LoginDialog, username: str, password: str) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused() is dialog.username.edit)
    qtbot.keyClicks(focused(), username)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is dialog.password.edit
    qtbot.keyClicks(focused(), password)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("username", "password"), [("nurse", "wrong password"), ("nobody", PASSWORD)]
)
def test_login_failure_gives_no_hint_which_part(
    qtbot: QtBot, app: AppContext, username: str, password: str
) -> None:
    dialog = LoginDialog(app)
    qtbot.addWidget(dialog)
    _login(qtbot, dialog, username, password)

    assert dialog.isVisible()
    assert dialog.actor is None
    assert dialog.message.text() == "Unknown username or wrong password."
    assert dialog.message.isVisible()
    assert dialog.password.edit.text() == ""
    assert focused() is dialog.password.edit
    assert dialog.username.edit.text() == username


def test_login_right_password_after_a_wrong_one(qtbot: QtBot, app: AppContext) -> None:
    dialog = LoginDialog(app)
    qtbot.addWidget(dialog)
    _login(qtbot, dialog, "nurse", "wrong password")
    qtbot.keyClicks(focused(), PASSWORD)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None
    assert (dialog.actor.username, dialog.actor.role) == ("nurse", Role.NURSE)
    assert app.actor is None  # the caller decides what to do with the actor


def test_login_escape_cancels(qtbot: QtBot, app: AppContext) -> None:
    dialog = LoginDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.username.edit, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.actor is None


def test_inputs_have_accessible_names_and_mnemonic_buddies(
    qtbot: QtBot, empty_app: AppContext
) -> None:
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    names = [e.accessibleName() for e in dialog.findChildren(QLineEdit)]
    assert names == ["Username", "Full name", "Password", "Repeat password", "Clinic name"]
    for field in dialog.fields:
        assert field.label.buddy() is field.edit
        assert "&" in field.label.text()


def test_start_up_refuses_a_file_that_is_not_a_database(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ErrorBox, "show", classmethod(lambda cls, p, t, text: shown.append(text)))
    path = tmp_path / "notes.sqlite"
    path.write_text("shopping list\n")

    assert run_gui(path, demo=False) == 1
    assert len(shown) == 1
    assert "is not a kapdesk database" in shown[0]
    assert path.read_text() == "shopping list\n"


def _run_kapdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real command in a child process (QApplication.exec must not run in the test process:
    after it returns, Qt no longer activates windows there)."""
    return subprocess.run(
        [sys.executable, "-m", "kapdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(extra)
    return env


def test_quit_after_paint_shows_the_login_and_returns(db_path: Path) -> None:
    done = _run_kapdesk(
        "--db", str(db_path), "--quit-after-paint", env=_env(QT_QPA_PLATFORM="offscreen")
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland check is Linux's")
def test_no_display_is_one_clear_line_and_exit_2(db_path: Path) -> None:
    done = _run_kapdesk("--db", str(db_path), env=_env())
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("kapdesk: no display to open the window on")


_LIGHT_START = """
import sys
from pathlib import Path
from kapdesk.ui.run import run_gui
code = run_gui(Path(sys.argv[1]), demo=False, quit_after_paint=True)
heavy = ("pyqtgraph", "numpy", "reportlab", "kapdesk.ui.main_window", "kapdesk.reports")
print(code, sorted(m for m in heavy if m in sys.modules))
"""


def test_start_up_to_the_login_window_stays_light(db_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _LIGHT_START, str(db_path)],
        env=_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0 []"


def test_the_first_run_names_the_clinic(qtbot: QtBot, empty_app: AppContext) -> None:
    """Issue 12: a real clinic's name from the start (audited, by the new administrator)."""
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    dialog.clinic.edit.setText("  Harbour Ketamine Clinic ")
    _fill_first_admin(qtbot, dialog, password=ADMIN_PASSWORD, repeat=ADMIN_PASSWORD)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert empty_app.clinic_name() == "Harbour Ketamine Clinic"
    with empty_app.ctx.db.read() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == [
        "user.create_first_admin", "auth.login", "settings.update"
    ]  # fmt: skip
    assert entries[-1].user_id == dialog.actor.user_id  # type: ignore[union-attr]


def test_an_unstorable_clinic_name_creates_no_account(qtbot: QtBot, empty_app: AppContext) -> None:
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    dialog.clinic.edit.setText("x" * 201)
    _fill_first_admin(qtbot, dialog, password=ADMIN_PASSWORD, repeat=ADMIN_PASSWORD)

    assert dialog.isVisible()
    assert dialog.clinic.error.text().startswith("Clinic name 'xxx")
    assert "must be 1-200 characters long" in dialog.clinic.error.text()
    assert _users(empty_app) == []
