"""Staff accounts for the administrator: list, add, open, change a role, deactivate.

``UsersWindow`` (MANAGE_USERS: admin only) lists every account with its role,
whether it is active, until when it is locked, the wrong passwords in a row
and whether a new password must be chosen. "Add user…" creates an account
with a temporary password; by default the person must choose their own at
the first sign-in (one audited ``user.add``). Double-click opens the
user (``UserDialog``: the account's details and its role). "Change role…" and
"Deactivate…" / "Reactivate…" ask first (``Confirm.ask``, which tests replace); a
deactivated or re-roled user who is signed in somewhere is refused at their next
entry and must sign in again. Nobody deactivates or re-roles their own account,
nor the last active administrator (the service refuses; the buttons say so).
"Reset password…" sets a temporary password the user must change at the next
sign-in (and lifts a lock). "Unlock" clears a lockout now. Every dialog opens
centred on this window. Accounts are never deleted: the audit trail names them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, can
from kapdesk.services.changes import ChangeSet, Kind
from kapdesk.services.users import UserService
from kapdesk.ui.errors import message_of
from kapdesk.ui.preferences import setting_name
from kapdesk.ui.user_dialogs import (
    AddUserDialog,
    Confirm,
    ResetPasswordDialog,
    UserDialog,
    a_role,
    centre_on,
    locked_text,
    sign_in_again,
    yes_no,
)
from kapdesk.ui.widgets import error_label, fill_table, plain_table, set_error
from kapdesk.ui.words import role_name

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import UserInfo
    from kapdesk.ui.app_context import AppContext

__all__ = ["AddUserDialog", "Confirm", "ResetPasswordDialog", "UserDialog", "UsersWindow"]

COLUMNS: Final = (
    QT_TRANSLATE_NOOP("UsersWindow", "Username"),
    QT_TRANSLATE_NOOP("UsersWindow", "Full name"),
    QT_TRANSLATE_NOOP("UsersWindow", "Role"),
    QT_TRANSLATE_NOOP("UsersWindow", "Active"),
    QT_TRANSLATE_NOOP("UsersWindow", "Locked until"),
    QT_TRANSLATE_NOOP("UsersWindow", "Wrong passwords"),
    QT_TRANSLATE_NOOP("UsersWindow", "Must change password"),
)


class UsersWindow(QWidget):
    """Every staff account, and what the administrator can do about one."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.users: list[UserInfo] = []
        self.dialog: QDialog | None = None
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("usersWindow")
        self.setWindowTitle(self.tr("Users – DEMO") if app.demo else self.tr("Users"))
        self.resize(900, 440)
        root = QVBoxLayout(self)
        title = QLabel(self.tr("Staff accounts"))
        title.setObjectName("pageTitle")
        root.addWidget(title)
        columns = [QCoreApplication.translate("UsersWindow", str(c)) for c in COLUMNS]
        self.table = plain_table(columns, self.tr("Users"), stretch=1)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.table.cellDoubleClicked.connect(lambda *_: self.open_user())
        root.addWidget(self.table, 1)
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Users message"))
        root.addWidget(self.message)
        self.status = QLabel()
        self.status.setObjectName("pageSubtitle")
        self.status.setAccessibleName(self.tr("Users status"))
        root.addWidget(self.status)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("&Add user…"))
        self.role_button = QPushButton(self.tr("Change r&ole…"))
        self.active_button = QPushButton(self.tr("&Deactivate…"))
        self.reset_button = QPushButton(self.tr("&Reset password…"))
        self.unlock_button = QPushButton(self.tr("&Unlock"))
        close = QPushButton(self.tr("&Close"))
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.open_user)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        close.clicked.connect(self.close)
        for b in (
            self.add_button, self.role_button, self.active_button, self.reset_button,
            self.unlock_button,
        ):  # fmt: skip
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        root.addLayout(buttons)
        QShortcut(QKeySequence("Esc"), self, self.close).setWhatsThis(
            self.tr("Close the users window")
        )
        app.signals.data_changed.connect(self._data_changed)
        app.signals.actor_changed.connect(self._actor_changed)
        self.refresh()
        self._fit_width()

    def _fit_width(self) -> None:
        """Wide enough for every column (longer headings in Portuguese), within the screen;
        never narrower than 900."""
        table, header = self.table, self.table.horizontalHeader()
        wanted = sum(
            max(header.sectionSizeHint(i), table.sizeHintForColumn(i))
            for i in range(table.columnCount())
        )
        layout = self.layout()
        if layout is not None:
            margins = layout.contentsMargins()
            wanted += margins.left() + margins.right()
        wanted += 2 * table.frameWidth() + 4
        screen = self.screen()
        room = screen.availableGeometry().width() - 40 if screen is not None else wanted
        self.resize(max(self.width(), min(wanted, room)), self.height())

    def refresh(self) -> None:
        try:
            self.users = UserService(self.app.ctx).list_users()
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
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
                        role_name(u.role),
                        yes_no(u.active),
                        locked,
                        str(u.failed_logins) if u.failed_logins else "",
                        yes_no(True) if u.must_change_password else "",
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

    def _own(self, user: UserInfo | None) -> bool:
        actor = self.app.actor
        return user is not None and actor is not None and actor.user_id == user.id

    def _update_buttons(self) -> None:
        user = self.selected()
        own = self._own(user)
        active = user is None or user.active
        self.active_button.setText(self.tr("&Deactivate…") if active else self.tr("R&eactivate…"))
        self.active_button.setEnabled(user is not None and not own)
        self.active_button.setToolTip(
            self.tr("You cannot deactivate your own account.") if own else ""
        )
        self.role_button.setEnabled(user is not None and not own)
        self.role_button.setToolTip(self.tr("You cannot change your own role.") if own else "")
        self.reset_button.setEnabled(user is not None)
        self.unlock_button.setEnabled(
            user is not None and (self._locked(user) or user.failed_logins > 0)
        )

    def _data_changed(self, changes: ChangeSet) -> None:
        if changes.touches(Kind.USER):
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
        centre_on(dialog, self)
        return dialog

    def open_user(self) -> QDialog | None:
        """The selected user's dialog (details and role)."""
        user = self.selected()
        if user is None:
            return None
        dialog = UserDialog(self.app, user, self)
        dialog.accepted.connect(lambda: self._role_changed(dialog))
        return self._open(dialog)

    def _role_changed(self, dialog: UserDialog) -> None:
        u = dialog.updated
        if u is None:
            return
        if dialog.role_changed:
            text = self.tr("{name} ({username}) is now {a_role}.").format(
                name=u.full_name, username=u.username, a_role=a_role(u.role)
            )
        else:
            text = self.tr("{name} ({username}) works in {language} from their next sign-in.")
            text = text.format(
                name=u.full_name, username=u.username, language=setting_name(u.language)
            )
        self.status.setText(text)

    def toggle_active(self) -> None:
        """Deactivate the selected user (or reactivate them), after a confirmation."""
        user = self.selected()
        if user is None:
            return
        set_error(self.message, "")
        names = {"name": user.full_name, "username": user.username}
        if user.active:
            title = self.tr("Deactivate {name}?").format(**names)
            ok = self.tr("&Deactivate")
            text = self.tr("{name} ({username}) can no longer sign in.").format(**names)
            text += " " + sign_in_again()
            done = self.tr("{name} ({username}) is deactivated: they can no longer sign in.")
        else:
            title = self.tr("Reactivate {name}?").format(**names)
            ok = self.tr("R&eactivate")
            text = self.tr("{name} ({username}) can sign in again, as {a_role}.").format(
                a_role=a_role(user.role), **names
            )
            done = self.tr("{name} ({username}) is active again and can sign in.")
        done = done.format(**names)
        if not Confirm.ask(self, title, text, ok):
            return
        users = UserService(self.app.ctx)
        try:
            change = users.deactivate if user.active else users.reactivate
            change(self.app.require_actor(), user.id)
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
            return
        self.status.setText(done)

    def add_user(self) -> QDialog:
        dialog = AddUserDialog(self.app, self)
        dialog.accepted.connect(lambda: self._added(dialog))
        return self._open(dialog)

    def _added(self, dialog: AddUserDialog) -> None:
        if dialog.added is not None:
            self.refresh()
            self.select_user(dialog.added.username)
            self.status.setText(
                self.tr("{name} ({username}) was added.").format(
                    name=dialog.added.full_name, username=dialog.added.username
                )
            )

    def reset_password(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = ResetPasswordDialog(self.app, user, self)
        dialog.accepted.connect(
            lambda: self.status.setText(
                self.tr("{name} must choose a new password at the next sign-in.").format(
                    name=user.full_name
                )
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
            set_error(self.message, message_of(exc))
            return
        self.status.setText(
            self.tr("{name} ({username}) is unlocked.").format(
                name=user.full_name, username=user.username
            )
        )
