"""The signing and addendum dialogs (shown by ``kapdesk.ui.signing.SignatureBanner`` and the
integration note editor; import them from ``kapdesk.ui.signing``).

``SignDialog`` signs one record with the signed-in user's password typed again and
shows what is signed, by whom and with which meaning. ``AddendumDialog`` appends
text, optionally one corrected field and value, to a signed record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import AuthenticationFailed, KapdeskError
from kapdesk.domain.signing import Meaning, SignedEntity
from kapdesk.services.addenda import AddendumService
from kapdesk.services.signing import SigningService
from kapdesk.ui.discard_guard import FormState, may_close
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error

if TYPE_CHECKING:
    from kapdesk.services.dtos import AddendumInfo, SignatureInfo
    from kapdesk.ui.app_context import AppContext


class _Busy:
    """Wait cursor while the password is checked (argon2 takes ~0.1 s)."""

    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QGuiApplication.restoreOverrideCursor()


# ---------------------------------------------------------------- signing


class SignDialog(QDialog):
    """Sign one record: what, as whom, with which meaning, after typing the password again."""

    def __init__(
        self,
        app: AppContext,
        entity: SignedEntity | str,
        entity_id: int,
        what: str,
        parent: QWidget | None = None,
        *,
        meaning: Meaning = Meaning.REVIEWED,
        covers: str = "",
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.entity = SignedEntity(entity)
        self.entity_id = entity_id
        self.signature: SignatureInfo | None = None
        actor = app.require_actor()
        self.setWindowTitle(f"Sign {self.entity.label.lower()}")
        self.setModal(True)
        self.setMinimumWidth(480)
        root = QVBoxLayout(self)
        intro = QLabel(
            f"You are signing {what}.{' ' + covers if covers else ''}\nOnce signed it can no "
            "longer be changed; corrections are added as addenda."
        )
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        intro.setAccessibleName("What is signed")
        self.intro = intro
        root.addWidget(intro)
        form = QFormLayout()
        self.signer = QLabel(f"{actor.full_name} ({actor.role.value})")
        self.signer.setAccessibleName("Signer")
        form.addRow("Signer", self.signer)
        self.meaning = QComboBox()
        for m in Meaning:
            self.meaning.addItem(m.value, m)
        self.meaning.setCurrentIndex(list(Meaning).index(meaning))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.fields = FieldSet([Field("&Meaning", self.meaning), Field("&Password", self.password)])
        for f in self.fields.fields.values():
            f.add_to(form)
        root.addLayout(form)
        root.addStretch(1)  # height gained by an error message goes here
        self.message = error_label()
        self.message.setAccessibleName("Signing message")
        root.addWidget(self.message)
        self.buttons, _ok = ok_cancel("&Sign", self.submit, self.reject)
        root.addWidget(self.buttons)
        self.password.setFocus()

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        meaning = self.meaning.currentData()
        try:
            with _Busy():
                self.signature = SigningService(self.app.ctx).sign(
                    self.app.require_actor(),
                    self.entity,
                    self.entity_id,
                    self.password.text(),
                    meaning,
                )
        except AuthenticationFailed as exc:  # wrong password, or the account is now locked
            self.password.clear()
            self.fields.show_error("Password", str(exc))
            return
        except KapdeskError as exc:  # ValidationError, PermissionDenied, RecordLocked, ...
            self.fields.show_refusal(exc, self.message)
            return
        self.accept()


# ---------------------------------------------------------------- addenda


class AddendumDialog(QDialog):
    """Text appended to a signed record, with an optional corrected field and value."""

    def __init__(
        self,
        app: AppContext,
        entity: SignedEntity | str,
        entity_id: int,
        what: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.entity = SignedEntity(entity)
        self.entity_id = entity_id
        self.added: AddendumInfo | None = None
        self.setWindowTitle("Add addendum")
        self.setModal(True)
        self.setMinimumWidth(520)
        root = QVBoxLayout(self)
        intro = QLabel(
            f"An addendum to {what}. The signed original stays as it is; the addendum is "
            "shown and printed with it, under your name and the time."
        )
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        root.addWidget(intro)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(110)
        self.text.setPlaceholderText("What is added or corrected, and why.")
        self.field = QLineEdit()
        self.field.setPlaceholderText("Optional, e.g. Reading 10:32 systolic")
        self.value = QLineEdit()
        self.value.setPlaceholderText("Optional, e.g. 128")
        self.fields = FieldSet(
            [
                Field("Addendum &text", self.text, name="Addendum"),
                Field("Corrected &field", self.field, name="Corrected field"),
                Field("Corrected &value", self.value, name="Corrected value"),
            ],
            aliases={"Corrected": "Corrected field"},
        )
        for f in self.fields.fields.values():
            f.add_to(form)
        root.addLayout(form)
        root.addStretch(1)  # height gained by an error message goes here
        self.message = error_label()
        self.message.setAccessibleName("Addendum message")
        root.addWidget(self.message)
        self.buttons, _ok = ok_cancel("&Add addendum", self.submit, self.reject)
        root.addWidget(self.buttons)
        self.text.setFocus()
        self.state = FormState(self)

    def reject(self) -> None:
        if may_close(self, "addendum", self.state):
            super().reject()

    def corrected(self) -> dict[str, Any] | None:
        name, value = self.field.text().strip(), self.value.text()
        if not name and not value.strip():
            return None
        return {name: value if value.strip() else None}

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        if self.value.text().strip() and not self.field.text().strip():
            self.fields.show_error(
                "Corrected field", "Corrected field: name what the corrected value replaces."
            )
            return
        try:
            self.added = AddendumService(self.app.ctx).add_addendum(
                self.app.require_actor(),
                self.entity,
                self.entity_id,
                self.text.toPlainText(),
                self.corrected(),
            )
        except KapdeskError as exc:
            self.fields.show_refusal(exc, self.message)
            return
        self.accept()
