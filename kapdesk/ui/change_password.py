"""Choosing a new password: forced after an administrator's reset, or at will.

After ``UserService.authenticate`` returns an Actor with ``must_change_password``
the sign-in is not finished: :class:`ChangePasswordDialog` (``forced=True``)
asks for the new password twice; its Cancel button is "Sign out" and Esc
signs out too, so nobody reaches patient data with a password an
administrator knows. :func:`require_new_password` runs it modally (start-up).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
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
from kapdesk.i18n import _
from kapdesk.services.users import UserService
from kapdesk.ui.errors import message_of
from kapdesk.ui.field_names import field_aliases, name_errors
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error

if TYPE_CHECKING:
    from kapdesk.services.context import Actor
    from kapdesk.ui.app_context import AppContext

# The fields' names as the services name them (ValidationError.field), never translated.
CURRENT, NEW, REPEAT = "Current password", "New password", "Repeat new password"


def _secret() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ChangePasswordDialog(QDialog):
    """New password twice (and the current one, unless the caller has just checked it).

    After ``Accepted``, ``actor`` is the same user with ``must_change_password`` False.
    """

    def __init__(
        self,
        app: AppContext,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        current_password: str | None = None,
        forced: bool = True,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.user = actor
        self.actor: Actor | None = None
        self.forced = forced
        self._current = current_password
        title = self.tr("Choose a new password") if forced else self.tr("Change password")
        self.setWindowTitle(self.tr("{title} – DEMO").format(title=title) if app.demo else title)
        self.setModal(True)
        self.setMinimumWidth(460)
        root = QVBoxLayout(self)
        if forced:
            text = self.tr(
                "{name}, an administrator has reset your password. Choose your own password "
                "now (at least 10 characters) to continue; Esc or Sign out cancels the sign-in."
            )
        else:
            text = self.tr("Change the password of {name} ({username}).")
        intro = QLabel(text.format(name=actor.full_name, username=actor.username))
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        self.intro = intro
        root.addWidget(intro)
        form = QFormLayout()
        self.current = _secret()
        self.new = _secret()
        self.repeat = _secret()
        fields = [
            Field(self.tr("&New password"), self.new, name=NEW),
            Field(self.tr("&Repeat new password"), self.repeat, name=REPEAT),
        ]
        if current_password is None:
            fields.insert(0, Field(self.tr("&Current password"), self.current, name=CURRENT))
        # The domain names the password field "Password": that is the new one here.
        aliases = {**field_aliases(CURRENT, NEW, REPEAT), "Password": NEW, _("Password"): NEW}
        self.fields = FieldSet(fields, aliases=aliases)
        name_errors(fields)
        for f in fields:
            f.add_to(form)
        root.addLayout(form)
        root.addStretch(1)  # height gained by an error message goes here
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Password message"))
        root.addWidget(self.message)
        self.buttons, _ok = ok_cancel(self.tr("Change &password"), self.submit, self.reject)
        if forced:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
                self.tr("Sign &out")
            )
        root.addWidget(self.buttons)
        (self.current if current_password is None else self.new).setFocus()

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        if self.new.text() != self.repeat.text():
            self.repeat.clear()
            self.fields.show_error(
                REPEAT, self.tr("Repeat new password does not match; type it again.")
            )
            return
        old = self._current if self._current is not None else self.current.text()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            UserService(self.app.ctx).change_password(self.user, old, self.new.text())
        except ValidationError as exc:
            if not self.fields.show_error(exc.field, exc.message):
                set_error(self.message, exc.message)
            return
        except AuthenticationFailed as exc:  # wrong current password, or now locked
            if self._current is None:
                self.current.clear()
                self.fields.show_error(CURRENT, message_of(exc))
            else:
                set_error(self.message, message_of(exc))
            return
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._current = None
        self.actor = dataclasses.replace(self.user, must_change_password=False)
        self.accept()


def require_new_password(
    app: AppContext,
    actor: Actor,
    parent: QWidget | None = None,
    *,
    current_password: str | None = None,
) -> Actor | None:
    """``actor`` itself, or after a forced change the updated actor; None: signed out."""
    if not actor.must_change_password:
        return actor
    dialog = ChangePasswordDialog(app, actor, parent, current_password=current_password)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor
