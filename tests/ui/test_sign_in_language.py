"""Each sign-in speaks the user's language setting: a user who works in Portuguese signs in
and the main window is Portuguese, another's is English, and back, without a restart; a
sign-in inside the running window (Switch user, the lock screen) builds it anew in the new
user's language; --lang still wins; the user sets their own language in My preferences,
an administrator anyone's in the user dialog."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.i18n import current, pin
from kapdesk.services.context import Actor
from kapdesk.services.users import UserService
from kapdesk.storage.orm import AuditEntry, User
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.preferences import PreferencesDialog
from kapdesk.ui.sign_in_language import speak_for
from kapdesk.ui.translation import speak
from kapdesk.ui.user_dialogs import UserDialog
from kapdesk.ui.users_admin import UsersWindow

from .conftest import PASSWORD, actor_for, show_main_window

PREFERENCES_PT = "As minhas &preferências…"


@pytest.fixture(autouse=True)
def english_again(qapp: QApplication) -> Iterator[None]:
    yield
    pin(None)
    speak(qapp, "en")


@pytest.fixture
def portuguese_nurse(app: AppContext, admin: Actor, nurse: Actor) -> Actor:
    UserService(app.ctx).set_language(admin, nurse.user_id, "pt-PT")
    return nurse


def _signed_in(app: AppContext, username: str) -> Actor:
    dialog = LoginDialog(app)
    dialog.username.edit.setText(username)
    dialog.password.edit.setText(PASSWORD)
    dialog.submit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None
    actor = dialog.actor
    dialog.deleteLater()
    return actor


def _main_window(qtbot: QtBot, app: AppContext, actor: Actor) -> MainWindow:
    """As run_gui after a sign-in: the user's language, then their main window."""
    app.actor = actor
    speak_for(actor)
    return show_main_window(qtbot, app, activate=True)


def _file_menu(window: MainWindow) -> list[str]:
    menu = window.menuBar().actions()[0].menu()
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def _switch_user(window: MainWindow, username: str) -> None:
    window.switch_user()
    dialog = window.login_dialog
    assert dialog is not None
    dialog.username.edit.setText(username)
    dialog.password.edit.setText(PASSWORD)
    dialog.submit()


def test_each_user_signs_in_to_their_own_language_and_back(
    qtbot: QtBot, app: AppContext, portuguese_nurse: Actor
) -> None:
    window = _main_window(qtbot, app, _signed_in(app, "nurse"))
    assert current() == "pt-PT"
    assert PREFERENCES_PT in _file_menu(window)
    assert QLocale().toString(41.2, "f", 1) == "41,2"
    window.close()

    window = _main_window(qtbot, app, _signed_in(app, "clinician"))  # no setting: English
    assert current() == "en"
    assert "&My preferences…" in _file_menu(window)
    assert QLocale().toString(41.2, "f", 1) == "41.2"

    _switch_user(window, "nurse")  # inside the window: it is built anew, in Portuguese
    assert window.relanguage
    assert not window.isVisible()
    assert app.actor is not None
    assert app.actor.username == "nurse"
    window = _main_window(qtbot, app, app.actor)  # what run_gui does next
    assert current() == "pt-PT"
    assert PREFERENCES_PT in _file_menu(window)

    _switch_user(window, "clinician")  # and back to English
    assert window.relanguage
    window = _main_window(qtbot, app, app.actor)
    assert current() == "en"
    assert "&My preferences…" in _file_menu(window)
    _switch_user(window, "admin")  # same language: the window stays
    assert not window.relanguage
    assert window.isVisible()


def test_someone_else_at_the_lock_screen_gets_their_language(
    qtbot: QtBot, app: AppContext, portuguese_nurse: Actor
) -> None:
    window = _main_window(qtbot, app, _signed_in(app, "clinician"))
    assert window.screen_lock.lock()
    window.screen_lock.hand_over(_signed_in(app, "nurse"))
    assert window.relanguage
    assert not window.isVisible()


def test_lang_on_the_command_line_wins_over_the_setting(
    qtbot: QtBot, app: AppContext, portuguese_nurse: Actor
) -> None:
    pin("en")
    window = _main_window(qtbot, app, _signed_in(app, "nurse"))
    assert current() == "en"
    dialog = window.preferences_actions.open()
    assert dialog is not None
    assert dialog.language.currentData() == "pt-PT"  # kept, for runs without --lang
    assert dialog.note.text() == (
        "This kapdesk was started with --lang: it speaks English whoever signs in, until it "
        "is started without it."
    )
    dialog.reject()


def test_a_user_chooses_their_language_in_my_preferences(
    qtbot: QtBot, app: AppContext, nurse: Actor
) -> None:
    window = _main_window(qtbot, app, nurse)
    dialog = window.preferences_actions.open()
    assert isinstance(dialog, PreferencesDialog)
    assert dialog.windowTitle() == "My preferences"
    offered = [dialog.language.itemText(i) for i in range(dialog.language.count())]
    assert offered == ["Computer's language (English)", "English", "Português (Portugal)"]
    assert dialog.language.currentIndex() == 0
    assert dialog.note.text() == "kapdesk speaks a new language from your next sign-in."
    dialog.language.setCurrentIndex(dialog.language.findData("pt-PT"))
    dialog.save_button.click()
    assert not dialog.isVisible()
    with app.ctx.db.read() as s:
        assert s.scalar(select(User.language).where(User.id == nurse.user_id)) == "pt-PT"
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.action, last.user_id) == ("user.change_language", nurse.user_id)
    assert window.statusBar().currentMessage() == (
        "Your language is now Português (Portugal), from your next sign-in."
    )
    assert current() == "en"  # not before the next sign-in

    speak(QApplication.instance(), "pt-PT")  # type: ignore[arg-type]
    again = window.preferences_actions.open()
    assert again is not None
    assert again.windowTitle() == "As minhas preferências"
    assert again.language.currentData() == "pt-PT"
    assert again.language.itemText(0) == "Idioma do computador (English)"
    again.reject()


def test_my_preferences_changes_the_password_too(
    qtbot: QtBot, app: AppContext, nurse: Actor
) -> None:
    window = _main_window(qtbot, app, nurse)
    dialog = window.preferences_actions.open()
    assert dialog is not None
    change = dialog.change_password()
    assert change.windowTitle() == "Change password"
    change.current.setText(PASSWORD)
    change.new.setText("a brand new secret")
    change.repeat.setText("a brand new secret")
    change.submit()
    assert dialog.note.text() == "Your password was changed."
    assert UserService(app.ctx).authenticate("nurse", "a brand new secret").user_id == (
        nurse.user_id
    )


def test_an_administrator_sets_a_user_s_language(
    qtbot: QtBot, app: AppContext, admin: Actor
) -> None:
    app.actor = admin
    users = UsersWindow(app)
    qtbot.addWidget(users)
    users.select_user("therapist")
    dialog = users.open_user()
    assert isinstance(dialog, UserDialog)
    assert not dialog.save_button.isEnabled()  # nothing changed yet
    dialog.language.setCurrentIndex(dialog.language.findData("pt-PT"))
    assert dialog.save_button.isEnabled()
    dialog.submit()
    assert not dialog.isVisible()
    therapist = actor_for(app, Role.THERAPIST)
    with app.ctx.db.read() as s:
        entries = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == str(therapist.user_id))
        ).all()
    assert entries[-1] == "user.change_language"
    assert "user.change_role" not in entries
    assert users.status.text() == (
        "Test Therapist (therapist) works in Português (Portugal) from their next sign-in."
    )
    assert UserService(app.ctx).get(therapist.user_id).language == "pt-PT"
