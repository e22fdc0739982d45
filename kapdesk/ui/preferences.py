"""My preferences: what the signed-in user sets for themself, from File > My preferences…
(every role): the language kapdesk speaks to them, and their password.

The language is stored on the account (``UserService.set_language``), so it follows the
user to every workstation, and is spoken from their next sign-in (``kapdesk --lang``
still wins: the dialog says so). "Computer's language (…)" clears the setting: kapdesk
then speaks ``KAPDESK_LANG`` or the computer's language, named in the choice. An
administrator offers the same choice for any user in the user dialog (user_dialogs).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import ENGLISH, UnknownLanguage, choose, language_name, normalize, pinned
from kapdesk.i18n import supported as supported_languages
from kapdesk.services.users import UserService
from kapdesk.ui.field_names import field_aliases, name_errors
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from kapdesk.services.context import Actor
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.main_window import MainWindow

LANGUAGE = "Language"  # the service's field name (ValidationError.field)


def computer_language() -> str:
    """The language of a user without a setting: KAPDESK_LANG, else the computer's."""
    try:
        return choose(user=None)
    except UnknownLanguage:  # refused at start-up already; never shown wrong here
        return ENGLISH


def language_box(setting: str | None) -> QComboBox:
    """ "Computer's language (English)", then each language kapdesk speaks by its own name;
    ``setting`` chosen (an item's data is its tag, None for the computer's)."""
    box = QComboBox()
    computer = QCoreApplication.translate("PreferencesDialog", "Computer's language ({name})")
    box.addItem(computer.format(name=language_name(computer_language())), None)
    for tag in supported_languages():
        box.addItem(language_name(tag), tag)
    found = box.findData(normalize(setting)) if setting else 0
    box.setCurrentIndex(max(found, 0))  # a language no longer shipped: the computer's
    return box


def setting_name(setting: str | None) -> str:
    """'Português (Portugal)', or "the computer's language" for no setting."""
    if setting:
        return language_name(setting)
    return QCoreApplication.translate("PreferencesDialog", "the computer's language")


def chosen_language(box: QComboBox) -> str | None:
    data = box.currentData()
    return str(data) if data else None


def pinned_note() -> str:
    """What the dialogs say when ``kapdesk --lang`` fixed this run's language ('' if not)."""
    flag = pinned()
    if not flag:
        return ""
    name = language_name(normalize(flag) or flag)
    return QCoreApplication.translate(
        "PreferencesDialog",
        "This kapdesk was started with --lang: it speaks {name} whoever signs in, until it "
        "is started without it.",
    ).format(name=name)


class PreferencesDialog(QDialog):
    """The signed-in user's language (saved on Save) and a way to change their password."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.user: Actor = app.require_actor()
        self.saved: str | None = None  # the language saved, once Save succeeded
        title = self.tr("My preferences")
        self.setWindowTitle(self.tr("{title} – DEMO").format(title=title) if app.demo else title)
        self.setModal(True)
        self.setMinimumWidth(480)
        root = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "{name} ({username}): your own settings, kept with your account on every "
                "workstation."
            ).format(name=self.user.full_name, username=self.user.username)
        )
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        root.addWidget(intro)
        form = QFormLayout()
        self.language = language_box(self._stored_language())
        self.fields = FieldSet(
            [Field(self.tr("&Language"), self.language, name=LANGUAGE)],
            aliases=field_aliases(LANGUAGE),
        )
        name_errors(self.fields.fields.values())
        self.fields[LANGUAGE].add_to(form)
        root.addLayout(form)
        self.note = QLabel(
            pinned_note() or self.tr("kapdesk speaks a new language from your next sign-in.")
        )
        self.note.setObjectName("pageSubtitle")
        self.note.setWordWrap(True)
        root.addWidget(self.note)
        password_row = QHBoxLayout()
        self.password_button = QPushButton(self.tr("Change &password…"))
        self.password_button.clicked.connect(self.change_password)
        password_row.addWidget(self.password_button)
        password_row.addStretch(1)
        root.addLayout(password_row)
        root.addStretch(1)
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Preferences message"))
        root.addWidget(self.message)
        self.buttons, self.save_button = ok_cancel(self.tr("&Save"), self.submit, self.reject)
        root.addWidget(self.buttons)
        self.password_dialog: QDialog | None = None
        self.language.setFocus()

    def _stored_language(self) -> str | None:
        """The setting as stored now (another workstation may have changed it)."""
        try:
            return UserService(self.app.ctx).get(self.user.user_id).language
        except KapdeskError:
            return self.user.language

    def change_password(self) -> QDialog:
        from kapdesk.ui.change_password import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.app, self.user, self, forced=False)
        dialog.accepted.connect(lambda: self.note.setText(self.tr("Your password was changed.")))
        self.password_dialog = dialog
        dialog.open()
        return dialog

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        language = chosen_language(self.language)
        try:
            info = UserService(self.app.ctx).set_language(self.user, self.user.user_id, language)
        except KapdeskError as exc:
            self.fields.show_refusal(exc, self.message)
            return
        self.saved = info.language
        actor = self.app.actor
        if actor is not None and actor.user_id == info.id:  # compares equal: no refresh
            self.app.actor = dataclasses.replace(actor, language=info.language)
        self.accept()


class PreferencesActions:
    """File > My preferences…, for every signed-in user."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: PreferencesDialog | None = None
        self.action = QAction(
            QCoreApplication.translate("PreferencesDialog", "&My preferences…"), window
        )
        self.action.triggered.connect(self.open)

    def add_to(self, menu: QMenu) -> None:
        menu.addAction(self.action)

    def open(self) -> PreferencesDialog | None:
        if self.window.app.actor is None:
            return None
        dialog = PreferencesDialog(self.window.app, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._saved(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, dialog: PreferencesDialog) -> None:
        text = QCoreApplication.translate(
            "PreferencesDialog", "Your language is now {name}, from your next sign-in."
        ).format(name=setting_name(dialog.saved))
        self.window.statusBar().showMessage(text, 8000)
