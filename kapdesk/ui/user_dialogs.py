"""The user administration dialogs: add a user, reset a password, one user's details and role.

Used by ``kapdesk.ui.users_admin.UsersWindow`` (see there for what each does). Account
changes ask first through :class:`Confirm` (tests replace ``Confirm.ask``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt
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
from kapdesk.domain.permissions import ROLE_LABELS, Role
from kapdesk.services.users import UserService
from kapdesk.ui.preferences import LANGUAGE, chosen_language, language_box
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error

if TYPE_CHECKING:
    from kapdesk.services.dtos import UserInfo
    from kapdesk.ui.app_context import AppContext

TEMPORARY, REPEAT = "Temporary password", "Repeat temporary password"
ROLES: Final = (Role.NURSE, Role.THERAPIST, Role.CLINICIAN, Role.ADMIN)
SIGN_IN_AGAIN = (
    "If they are signed in now, their next entry is refused and they must sign in again."
)


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
    name = ROLE_LABELS[role]
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


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
        self.message.setAccessibleName(f"{title} message")
        self.buttons, _ok = ok_cancel(ok, self.submit, self.reject)

    def finish(self, fields: FieldSet) -> None:
        self.fields = fields
        for f in fields.fields.values():
            f.add_to(self.form)
        self.root.addStretch(1)  # height gained by an error message goes here
        self.root.addWidget(self.message)
        self.root.addWidget(self.buttons)

    def _repeat_ok(self, password: QLineEdit, repeat: QLineEdit) -> bool:
        if password.text() == repeat.text():
            return True
        repeat.clear()
        self.fields.show_error(REPEAT, f"{REPEAT} does not match; type it again.")
        return False

    def _failed(self, exc: KapdeskError) -> None:
        if isinstance(exc, ValidationError) and self.fields.show_error(exc.field, exc.message):
            return
        set_error(self.message, exc.message if isinstance(exc, ValidationError) else str(exc))

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
            "Add user",
            "A new staff account. Give the person the temporary password in person; "
            "passwords have at least 10 characters.",
            "&Add user",
            parent,
        )
        self.app = app
        self.added: UserInfo | None = None
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(ROLE_LABELS[role], role)
        self.password = _secret()
        self.repeat = _secret()
        self.must_change = QCheckBox("&Must choose a new password at the first sign-in")
        self.must_change.setChecked(True)
        self.finish(
            FieldSet(
                [
                    Field("&Username", self.username),
                    Field("&Full name", self.full_name),
                    Field("&Role", self.role),
                    Field("&Temporary password", self.password, name=TEMPORARY),
                    Field("Re&peat temporary password", self.repeat, name=REPEAT),
                ],
                aliases={"Password": TEMPORARY},
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
            "Reset password",
            f"A temporary password for {user.full_name} ({user.username}). They must choose "
            "their own at the next sign-in; a lockout is lifted too.",
            "&Reset password",
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
                    Field("&Temporary password", self.password, name=TEMPORARY),
                    Field("Re&peat temporary password", self.repeat, name=REPEAT),
                ],
                aliases={"Password": TEMPORARY},
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
            f"User – {user.full_name}",
            f"{user.full_name} ({user.username}). A new role or language applies from their "
            "next sign-in.",
            "&Save",
            parent,
        )
        self.app = app
        self.user = user
        self.updated: UserInfo | None = None
        now = app.now()
        self.details: dict[str, QLabel] = {}
        for name, value in (
            ("Username", user.username),
            ("Full name", user.full_name),
            ("Active", "yes" if user.active else "no"),
            ("Locked until", locked_text(user.locked_until, now) or "not locked"),
            ("Wrong passwords", str(user.failed_logins)),
            ("Must change password", "yes" if user.must_change_password else "no"),
        ):
            label = QLabel(value)
            label.setAccessibleName(name)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details[name] = label
            self.form.addRow(name, label)
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(ROLE_LABELS[role], role)
        self.role.setCurrentIndex(self.role.findData(user.role))
        self.language = language_box(user.language)
        self.finish(
            FieldSet([Field("&Role", self.role), Field("&Language", self.language, name=LANGUAGE)])
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Close")
        actor = app.actor
        self.own = actor is not None and actor.user_id == user.id
        if self.own:
            self.role.setEnabled(False)
            self.role.setToolTip("You cannot change your own role.")
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
            f"Change the role of {user.full_name}?",
            f"{user.full_name} ({user.username}) becomes {a_role(new)} (from "
            f"{ROLE_LABELS[user.role]} to {ROLE_LABELS[new]}) at their next sign-in. "
            + SIGN_IN_AGAIN,
            "&Change role",
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
