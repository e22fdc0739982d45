"""The user administration dialogs: add a user, reset a password, one user's details and role.

Used by ``kapdesk.ui.users_admin.UsersWindow`` (see there for what each does). Account
changes ask first through :class:`Confirm` (tests replace ``Confirm.ask``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain import timetext
from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.permissions import Role
from kapdesk.i18n import _
from kapdesk.services.users import UserService
from kapdesk.ui.errors import message_of
from kapdesk.ui.field_names import field_aliases, name_errors
from kapdesk.ui.preferences import LANGUAGE, chosen_language, language_box
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error
from kapdesk.ui.words import role_name

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import UserInfo
    from kapdesk.ui.app_context import AppContext

# The fields' names as the services name them (ValidationError.field), never translated.
TEMPORARY, REPEAT = "Temporary password", "Repeat temporary password"
ROLES: Final = (Role.NURSE, Role.THERAPIST, Role.CLINICIAN, Role.ADMIN)
CONTEXT = "UserDialog"  # the translation context of this module's shared texts
SIGN_IN_AGAIN = QT_TRANSLATE_NOOP(
    "UserDialog",
    "If they are signed in now, their next entry is refused and they must sign in again.",
)
# A role after "is now" / "becomes": in Portuguese without the article ('passa a ser
# enfermeiro'), so not the domain's role_phrase.
_A_ROLE: Final = {
    Role.NURSE: QT_TRANSLATE_NOOP("UserDialog", "a nurse"),
    Role.THERAPIST: QT_TRANSLATE_NOOP("UserDialog", "a therapist"),
    Role.CLINICIAN: QT_TRANSLATE_NOOP("UserDialog", "a clinician"),
    Role.ADMIN: QT_TRANSLATE_NOOP("UserDialog", "an admin"),
}


def translated(marked: object) -> str:
    """A text marked with QT_TRANSLATE_NOOP in this module's context, in the language
    spoken."""
    return QCoreApplication.translate(CONTEXT, str(marked))


def sign_in_again() -> str:
    return translated(SIGN_IN_AGAIN)


def yes_no(value: bool) -> str:
    if value:
        return QCoreApplication.translate("UserDialog", "yes")
    return QCoreApplication.translate("UserDialog", "no")


class Confirm:
    """The yes/no question before an account change (tests replace ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, ok: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        yes = box.addButton(ok, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is yes


def a_role(role: Role) -> str:
    """'a nurse', 'an admin' ('enfermeiro', 'administrador')."""
    return translated(_A_ROLE[role])


def centre_on(dialog: QWidget, parent: QWidget) -> None:
    """Put ``dialog`` (shown) over the middle of ``parent``'s window."""
    dialog.adjustSize()
    frame = dialog.frameGeometry()
    frame.moveCenter(parent.window().frameGeometry().center())
    dialog.move(frame.topLeft())


def _secret() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def locked_text(until: datetime | None, now: datetime) -> str:
    if until is None or until <= now:
        return ""
    same_day = timetext.day(until) == timetext.day(now)
    return timetext.clock(until) if same_day else timetext.day_clock(until)


class _Form(QDialog):
    """A small form dialog: fields with inline errors, an OK button, Esc cancels."""

    app: AppContext

    def __init__(self, title: str, intro: str, ok: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(500)
        self.root = QVBoxLayout(self)
        label = QLabel(intro)
        label.setObjectName("dialogIntro")
        label.setWordWrap(True)
        self.root.addWidget(label)
        self.form = QFormLayout()
        self.root.addLayout(self.form)
        self.message = error_label()
        self.message.setAccessibleName(
            QCoreApplication.translate("UserDialog", "{title} message").format(title=title)
        )
        self.buttons, _ok = ok_cancel(ok, self.submit, self.reject)

    def finish(self, fields: FieldSet) -> None:
        self.fields = fields
        name_errors(fields.fields.values())
        for f in fields.fields.values():
            f.add_to(self.form)
        self.root.addStretch(1)  # height gained by an error message goes here
        self.root.addWidget(self.message)
        self.root.addWidget(self.buttons)

    def _repeat_ok(self, password: QLineEdit, repeat: QLineEdit) -> bool:
        if password.text() == repeat.text():
            return True
        repeat.clear()
        self.fields.show_error(
            REPEAT,
            QCoreApplication.translate(
                "UserDialog", "Repeat temporary password does not match; type it again."
            ),
        )
        return False

    def _failed(self, exc: KapdeskError) -> None:
        if isinstance(exc, ValidationError) and self.fields.show_error(exc.field, exc.message):
            return
        set_error(
            self.message, exc.message if isinstance(exc, ValidationError) else message_of(exc)
        )

    def _save(self, into: str, call: Callable[[], UserInfo], *, busy: bool = False) -> None:
        """Run the service call; on success keep its result in ``self.<into>`` (the window
        reads it when the dialog is accepted), announce the changed user and close; on a
        refusal show it in the form and stay open."""
        if busy:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            saved = call()
        except KapdeskError as exc:
            self._failed(exc)
            return
        finally:
            if busy:
                QGuiApplication.restoreOverrideCursor()
        setattr(self, into, saved)
        self.accept()

    def submit(self) -> None:
        raise NotImplementedError


class AddUserDialog(_Form):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Add user"),
            self.tr(
                "A new staff account. Give the person the temporary password in person; "
                "passwords have at least 10 characters."
            ),
            self.tr("&Add user"),
            parent,
        )
        self.app = app
        self.added: UserInfo | None = None
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role_name(role), role)
        self.password = _secret()
        self.repeat = _secret()
        self.must_change = QCheckBox(self.tr("&Must choose a new password at the first sign-in"))
        self.must_change.setChecked(True)
        self.finish(
            FieldSet(
                [
                    Field(self.tr("&Username"), self.username, name="Username"),
                    Field(self.tr("&Full name"), self.full_name, name="Full name"),
                    Field(self.tr("&Role"), self.role, name="Role"),
                    Field(self.tr("&Temporary password"), self.password, name=TEMPORARY),
                    Field(self.tr("Re&peat temporary password"), self.repeat, name=REPEAT),
                ],
                aliases={
                    "Password": TEMPORARY,
                    **field_aliases("Username", "Full name", "Role"),
                    _("Password"): TEMPORARY,
                },
            )
        )
        self.form.addRow(self.must_change)
        self.username.setFocus()

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        if not self._repeat_ok(self.password, self.repeat):
            return
        self._save(
            "added",
            lambda: UserService(self.app.ctx).add_user(
                self.app.require_actor(),
                username=self.username.text(),
                full_name=self.full_name.text(),
                role=Role(self.role.currentData()),
                password=self.password.text(),
                must_change_password=self.must_change.isChecked(),
            ),
            busy=True,
        )


class ResetPasswordDialog(_Form):
    def __init__(self, app: AppContext, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Reset password"),
            self.tr(
                "A temporary password for {name} ({username}). They must choose their own at "
                "the next sign-in; a lockout is lifted too."
            ).format(name=user.full_name, username=user.username),
            self.tr("&Reset password"),
            parent,
        )
        self.app = app
        self.user = user
        self.updated: UserInfo | None = None
        self.password = _secret()
        self.repeat = _secret()
        self.finish(
            FieldSet(
                [
                    Field(self.tr("&Temporary password"), self.password, name=TEMPORARY),
                    Field(self.tr("Re&peat temporary password"), self.repeat, name=REPEAT),
                ],
                aliases={"Password": TEMPORARY, _("Password"): TEMPORARY},
            )
        )
        self.password.setFocus()

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        if not self._repeat_ok(self.password, self.repeat):
            return
        self._save(
            "updated",
            lambda: UserService(self.app.ctx).reset_password(
                self.app.require_actor(), self.user.id, self.password.text()
            ),
            busy=True,
        )


class UserDialog(_Form):
    """One account: its details, its role (changed after a confirmation) and its language."""

    def __init__(self, app: AppContext, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("User – {name}").format(name=user.full_name),
            self.tr(
                "{name} ({username}). A new role or language applies from their next sign-in."
            ).format(name=user.full_name, username=user.username),
            self.tr("&Save"),
            parent,
        )
        self.app = app
        self.user = user
        self.updated: UserInfo | None = None
        now = app.now()
        # Keyed by their English names (tests and callers read them so); shown translated.
        self.details: dict[str, QLabel] = {}
        for key, shown, value in (
            ("Username", self.tr("Username"), user.username),
            ("Full name", self.tr("Full name"), user.full_name),
            ("Active", self.tr("Active"), yes_no(user.active)),
            (
                "Locked until",
                self.tr("Locked until"),
                locked_text(user.locked_until, now) or self.tr("not locked"),
            ),
            ("Wrong passwords", self.tr("Wrong passwords"), str(user.failed_logins)),
            (
                "Must change password",
                self.tr("Must change password"),
                yes_no(user.must_change_password),
            ),
        ):
            label = QLabel(value)
            label.setAccessibleName(shown)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details[key] = label
            self.form.addRow(shown, label)
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role_name(role), role)
        self.role.setCurrentIndex(self.role.findData(user.role))
        self.language = language_box(user.language)
        self.finish(
            FieldSet(
                [
                    Field(self.tr("&Role"), self.role, name="Role"),
                    Field(self.tr("&Language"), self.language, name=LANGUAGE),
                ],
                aliases=field_aliases("Role", LANGUAGE),
            )
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("&Close"))
        actor = app.actor
        self.own = actor is not None and actor.user_id == user.id
        if self.own:
            self.role.setEnabled(False)
            self.role.setToolTip(self.tr("You cannot change your own role."))
        self.role.currentIndexChanged.connect(lambda _: self._update())
        self.language.currentIndexChanged.connect(lambda _: self._update())
        self.role_changed = self.language_changed = False  # what Save changed
        self._update()
        (self.language if self.own else self.role).setFocus()

    def chosen(self) -> Role:
        return Role(self.role.currentData())

    def _new_language(self) -> bool:
        return chosen_language(self.language) != self.user.language

    def _update(self) -> None:
        new_role = not self.own and self.chosen() is not self.user.role
        self.save_button.setEnabled(new_role or self._new_language())

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        new, user = self.chosen(), self.user
        self.role_changed = new is not user.role
        self.language_changed = self._new_language()
        if not self.role_changed and not self.language_changed:
            return
        if self.role_changed and not Confirm.ask(
            self,
            self.tr("Change the role of {name}?").format(name=user.full_name),
            self.tr(
                "{name} ({username}) becomes {a_role} (from {old} to {new}) at their next sign-in."
            ).format(
                name=user.full_name,
                username=user.username,
                a_role=a_role(new),
                old=role_name(user.role),
                new=role_name(new),
            )
            + " "
            + sign_in_again(),
            self.tr("&Change role"),
        ):
            return
        self._save("updated", lambda: self._store(new))

    def _store(self, role: Role) -> UserInfo:
        """The new role, then the new language (each its own audited change): a refused
        role changes nothing."""
        users, actor = UserService(self.app.ctx), self.app.require_actor()
        info = self.user
        if self.role_changed:
            info = users.change_role(actor, info.id, role)
        if self.language_changed:
            info = users.set_language(actor, info.id, chosen_language(self.language))
        return info
