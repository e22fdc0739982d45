"""Signing in: the first administrator on an empty database, then the login dialog.

Both dialogs are complete from the keyboard: Tab between fields, Enter submits
(default button), Esc cancels. After ``exec()`` returns Accepted, ``dialog.actor``
is the signed-in user; the dialogs never change ``app.actor`` themselves.

A locked account gets the service's sentence as it is ("locked until 10:15 ...").
After an administrator's password reset the sign-in is only finished once the
user has chosen a new password (``change_dialog``, a ChangePasswordDialog);
cancelling it leaves nobody signed in and the login dialog open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import AuthenticationFailed, KapdeskError, ValidationError
from kapdesk.ui.errors import message_of
from kapdesk.ui.titles import window_title
from kapdesk.ui.widgets import Field, error_label, set_error
from kapdesk.ui.widgets.edits import clear_when_edited

if TYPE_CHECKING:
    from kapdesk.services.context import Actor
    from kapdesk.ui.app_context import AppContext


class _Field(Field):
    """A line edit in the dialog's form, with its buddy label and inline error line."""

    def __init__(self, form: QFormLayout, text: str, name: str, *, secret: bool = False) -> None:
        self.edit = QLineEdit()
        if secret:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        super().__init__(text, self.edit, name=name)  # name: the services' (English) field
        self.add_to(form)

    def text(self) -> str:
        return self.edit.text()


class _Busy:
    """Wait cursor while a password is hashed (argon2 takes ~0.1 s)."""

    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QGuiApplication.restoreOverrideCursor()


class _AccountDialog(QDialog):
    def __init__(self, app: AppContext, parent: QWidget | None, title: str, intro: str) -> None:
        super().__init__(parent)
        self.app = app
        self.actor: Actor | None = None
        self.setWindowTitle(window_title(title, demo=app.demo))
        self.setModal(True)
        self.setMinimumWidth(420)
        root = QVBoxLayout(self)
        heading = QLabel(intro)
        heading.setObjectName("dialogIntro")
        heading.setWordWrap(True)
        root.addWidget(heading)
        self.form = QFormLayout()
        root.addLayout(self.form)
        root.addStretch(1)  # extra height after a message grows the dialog goes here
        self.message = error_label()
        self.message.setAccessibleName(QCoreApplication.translate("LoginDialog", "Sign-in message"))
        root.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        root.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def _ok_button(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(text)
        ok.setDefault(True)
        ok.setAutoDefault(True)
        clear_when_edited(self, self.message)  # the fields are built: typing clears it

    def _clear_errors(self, fields: list[_Field]) -> None:
        for f in fields:
            set_error(f.error, "")
        set_error(self.message, "")

    def submit(self) -> None:
        raise NotImplementedError


class FirstAdminDialog(_AccountDialog):
    """An empty database: create the administrator, then sign in as them."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            app,
            parent,
            QCoreApplication.translate("FirstAdminDialog", "Create the first administrator"),
            QCoreApplication.translate(
                "FirstAdminDialog",
                "This clinic database has no staff accounts yet. Create the administrator "
                "account now; add nurses, therapists and clinicians afterwards.",
            ),
        )
        self.username = _Field(self.form, self.tr("&Username"), "Username")
        self.full_name = _Field(self.form, self.tr("&Full name"), "Full name")
        self.password = _Field(self.form, self.tr("&Password"), "Password", secret=True)
        self.repeat = _Field(self.form, self.tr("&Repeat password"), "Repeat password", secret=True)
        # Printed on every summary; optional here, changed later in Admin > Clinic settings.
        self.clinic = _Field(self.form, self.tr("Clinic &name"), "Clinic name")
        self.clinic.edit.setPlaceholderText(self.tr("optional, e.g. Harbour Ketamine Clinic"))
        self.fields = [self.username, self.full_name, self.password, self.repeat, self.clinic]
        self._ok_button(self.tr("&Create administrator"))
        self.username.edit.setFocus()

    def submit(self) -> None:
        self._clear_errors(self.fields)
        if self.password.text() != self.repeat.text():
            self.repeat.show_error(
                self.tr("Repeat password does not match Password; type it again.")
            )
            self.repeat.edit.clear()
            return
        # Imported here, not at module level: the login window is painted before the
        # ORM and the account service are loaded (start-up time).
        from kapdesk.services.settings import SettingsService
        from kapdesk.services.users import UserService, actor_of

        users = UserService(self.app.ctx)
        settings = SettingsService(self.app.ctx)
        clinic = self.clinic.text().strip()
        try:
            if clinic:
                settings.validate("clinic_name", clinic)  # before the account is made
            with _Busy():
                info = users.create_first_admin(
                    username=self.username.text(),
                    full_name=self.full_name.text(),
                    password=self.password.text(),
                )
                try:
                    self.actor = users.authenticate(info.username, self.password.text())
                except AuthenticationFailed:  # cannot happen for a fresh account
                    self.actor = actor_of(info)
                if clinic:
                    settings.update(self.actor, clinic_name=clinic)
        except ValidationError as exc:
            # the services name a field in English (the label may be in another language)
            target = next((f for f in self.fields if exc.field == f.name), None)
            if target is None:
                set_error(self.message, exc.message)
            else:
                target.show_error(exc.message)
            return
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
            return
        self.accept()


class LoginDialog(_AccountDialog):
    """Username + password. A failure never says which of the two was wrong."""

    def __init__(
        self,
        app: AppContext,
        parent: QWidget | None = None,
        *,
        title: str | None = None,
    ) -> None:
        try:
            clinic = app.clinic_name()
        except KapdeskError:
            clinic = "kapdesk"
        intro = QCoreApplication.translate("LoginDialog", "Sign in to {clinic}.").format(
            clinic=clinic
        )
        if app.demo:
            intro += QCoreApplication.translate(
                "LoginDialog", " This is the DEMO clinic: not for patient care."
            )
        super().__init__(
            app,
            parent,
            QCoreApplication.translate("LoginDialog", "Sign in") if title is None else title,
            intro,
        )
        self.username = _Field(self.form, self.tr("&Username"), "Username")
        self.password = _Field(self.form, self.tr("&Password"), "Password", secret=True)
        self._ok_button(self.tr("&Sign in"))
        self.change_dialog: QDialog | None = None
        self.username.edit.setFocus()

    def submit(self) -> None:
        self._clear_errors([self.username, self.password])
        if not self.username.text().strip():
            self.username.show_error(self.tr("Enter your username."))
            return
        from kapdesk.services.users import UserService

        try:
            with _Busy():
                self.actor = UserService(self.app.ctx).authenticate(
                    self.username.text(), self.password.text()
                )
        except KapdeskError as exc:  # AuthenticationFailed, AccountLocked, DatabaseBusy, ...
            set_error(self.message, message_of(exc))
            self.password.edit.clear()
            self.password.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if self.actor.must_change_password:
            self._force_change(self.actor, self.password.text())
            return
        self.accept()

    def _force_change(self, actor: Actor, password: str) -> None:
        """Not signed in until a new password is chosen (window-modal, non-blocking)."""
        from kapdesk.ui.change_password import ChangePasswordDialog

        self.actor = None
        self.password.edit.clear()
        dialog = ChangePasswordDialog(self.app, actor, self, current_password=password)
        self.change_dialog = dialog
        dialog.finished.connect(lambda _code: self._changed(dialog))
        dialog.open()

    def _changed(self, dialog: QDialog) -> None:
        actor = getattr(dialog, "actor", None)
        if dialog.result() == QDialog.DialogCode.Accepted and actor is not None:
            self.actor = actor
            self.accept()
            return
        set_error(self.message, self.tr("Your password was not changed, so you are not signed in."))
        self.password.edit.setFocus(Qt.FocusReason.OtherFocusReason)
