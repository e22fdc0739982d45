"""Staff accounts for the administrator: list, add, reset a password, unlock.

``UsersWindow`` (MANAGE_USERS: admin only) lists every account with its role,
whether it is active, until when it is locked, the wrong passwords in a row
and whether a new password must be chosen. "Add user…" creates an account
with a temporary password; by default the person must choose their own at
the first sign-in (the service's add, then its reset: both audited).
"Reset password…" sets a temporary password the user must change at the next
sign-in (and lifts a lock). "Unlock" clears a lockout now. Accounts are not
deleted or deactivated here: UserService offers no such call yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.permissions import ROLE_LABELS, Action, Role, can
from kapdesk.services.users import UserService
from kapdesk.ui.widgets import Field, FieldSet, error_label, fill_table, plain_table, set_error

if TYPE_CHECKING:
    from kapdesk.app import AppContext
    from kapdesk.services.dtos import UserInfo

COLUMNS: Final = (
    "Username", "Full name", "Role", "Active", "Locked until", "Wrong passwords",
    "Must change password",
)  # fmt: skip
TEMPORARY, REPEAT = "Temporary password", "Repeat temporary password"


def _secret() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def locked_text(until: datetime | None, now: datetime) -> str:
    if until is None or until <= now:
        return ""
    local = until.astimezone()
    same_day = local.date() == now.astimezone().date()
    return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")


class _Form(QDialog):
    """A small form dialog: fields with inline errors, an OK button, Esc cancels."""

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
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setText(ok)
        button.setDefault(True)
        button.setAutoDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

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
        for role in (Role.NURSE, Role.THERAPIST, Role.CLINICIAN, Role.ADMIN):
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
        users = UserService(self.app.ctx)
        actor = self.app.require_actor()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            info = users.add_user(
                actor,
                username=self.username.text(),
                full_name=self.full_name.text(),
                role=Role(self.role.currentData()),
                password=self.password.text(),
            )
            self.added = info
            if self.must_change.isChecked():
                self.added = users.reset_password(actor, info.id, self.password.text())
        except KapdeskError as exc:
            if self.added is not None:  # the account exists; only the forced change failed
                set_error(self.message, f"{self.added.username} was added, but: {exc}")
                self.app.changed("user", self.added.id)
                return
            self._failed(exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.app.changed("user", info.id)
        self.accept()


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
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.updated = UserService(self.app.ctx).reset_password(
                self.app.require_actor(), self.user.id, self.password.text()
            )
        except KapdeskError as exc:
            self._failed(exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.app.changed("user", self.user.id)
        self.accept()


class UsersWindow(QWidget):
    """Every staff account, and what the administrator can do about one."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.users: list[UserInfo] = []
        self.dialog: QDialog | None = None
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("usersWindow")
        self.setWindowTitle("Users – DEMO" if app.demo else "Users")
        self.resize(900, 440)
        root = QVBoxLayout(self)
        title = QLabel("Staff accounts")
        title.setObjectName("pageTitle")
        root.addWidget(title)
        self.table = plain_table(COLUMNS, "Users", stretch=1)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.table.cellDoubleClicked.connect(lambda *_: self.reset_password())
        root.addWidget(self.table, 1)
        self.message = error_label()
        self.message.setAccessibleName("Users message")
        root.addWidget(self.message)
        self.status = QLabel()
        self.status.setObjectName("pageSubtitle")
        self.status.setAccessibleName("Users status")
        root.addWidget(self.status)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add user…")
        self.reset_button = QPushButton("&Reset password…")
        self.unlock_button = QPushButton("&Unlock")
        close = QPushButton("&Close")
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        close.clicked.connect(self.close)
        for b in (self.add_button, self.reset_button, self.unlock_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        root.addLayout(buttons)
        QShortcut(QKeySequence("Esc"), self, self.close)
        app.signals.data_changed.connect(self._data_changed)
        app.signals.actor_changed.connect(self._actor_changed)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.users = UserService(self.app.ctx).list_users()
        except KapdeskError as exc:
            set_error(self.message, str(exc))
            return
        now = self.app.now()
        rows = []
        for u in self.users:
            locked = locked_text(u.locked_until, now)
            rows.append(
                (
                    u.id,
                    (
                        u.username,
                        u.full_name,
                        ROLE_LABELS[u.role],
                        "yes" if u.active else "no",
                        locked,
                        str(u.failed_logins) if u.failed_logins else "",
                        "yes" if u.must_change_password else "",
                    ),
                )
            )
        fill_table(self.table, rows, bold_rows={u.id for u in self.users if self._locked(u)})
        if self.table.currentRow() < 0 and rows:
            self.table.selectRow(0)
        self._update_buttons()

    def _locked(self, u: UserInfo) -> bool:
        return u.locked_until is not None and u.locked_until > self.app.now()

    def selected(self) -> UserInfo | None:
        r = self.table.currentRow()
        return self.users[r] if 0 <= r < len(self.users) else None

    def select_user(self, username: str) -> None:
        for i, u in enumerate(self.users):
            if u.username == username:
                self.table.selectRow(i)
                return

    def _update_buttons(self) -> None:
        user = self.selected()
        self.reset_button.setEnabled(user is not None)
        self.unlock_button.setEnabled(
            user is not None and (self._locked(user) or user.failed_logins > 0)
        )

    def _data_changed(self, entity: str, _entity_id: int) -> None:
        if entity == "user":
            self.refresh()

    def _actor_changed(self) -> None:
        actor = self.app.actor
        if actor is None or not can(actor.role, Action.MANAGE_USERS):
            self.close()

    # ------------------------------------------------------------ actions
    def _open(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_user(self) -> QDialog:
        dialog = AddUserDialog(self.app, self)
        dialog.accepted.connect(lambda: self._added(dialog))
        return self._open(dialog)

    def _added(self, dialog: AddUserDialog) -> None:
        if dialog.added is not None:
            self.refresh()
            self.select_user(dialog.added.username)
            self.status.setText(f"{dialog.added.full_name} ({dialog.added.username}) was added.")

    def reset_password(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = ResetPasswordDialog(self.app, user, self)
        dialog.accepted.connect(
            lambda: self.status.setText(
                f"{user.full_name} must choose a new password at the next sign-in."
            )
        )
        return self._open(dialog)

    def unlock(self) -> None:
        user = self.selected()
        if user is None:
            return
        set_error(self.message, "")
        try:
            UserService(self.app.ctx).unlock(self.app.require_actor(), user.id)
        except KapdeskError as exc:
            set_error(self.message, str(exc))
            return
        self.status.setText(f"{user.full_name} ({user.username}) is unlocked.")
        self.app.changed("user", user.id)
