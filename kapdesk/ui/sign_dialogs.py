"""The signing and addendum dialogs (shown by ``kapdesk.ui.signing.SignatureBanner`` and the
integration note editor; import them from ``kapdesk.ui.signing``).

``SignDialog`` signs one record with the signed-in user's password typed again and
shows what is signed, by whom and with which meaning. ``AddendumDialog`` appends
text, optionally one corrected field and value, to a signed record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
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
from kapdesk.domain.permissions import Role
from kapdesk.domain.signing import Meaning, SignedEntity
from kapdesk.services.addenda import AddendumService
from kapdesk.services.signing import SigningService
from kapdesk.ui.discard_guard import FormState, may_close
from kapdesk.ui.errors import message_of
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP, role_word
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import AddendumInfo, SignatureInfo
    from kapdesk.ui.app_context import AppContext


translate = QCoreApplication.translate

# How a record is named at the start of a sentence ('Session is not signed yet').
ENTITY_WORDS = {
    SignedEntity.DOSING_SESSION: QT_TRANSLATE_NOOP("SignDialog", "Session"),
    SignedEntity.NOTE: QT_TRANSLATE_NOOP("SignDialog", "Note"),
    SignedEntity.ADDENDUM: QT_TRANSLATE_NOOP("SignDialog", "Addendum"),
}
SIGN_TITLES = {
    SignedEntity.DOSING_SESSION: QT_TRANSLATE_NOOP("SignDialog", "Sign session"),
    SignedEntity.NOTE: QT_TRANSLATE_NOOP("SignDialog", "Sign note"),
    SignedEntity.ADDENDUM: QT_TRANSLATE_NOOP("SignDialog", "Sign addendum"),
}
# A signature's meaning as stored (the English) -> as the language shown says it.
MEANING_WORDS = {
    Meaning.REVIEWED.value: QT_TRANSLATE_NOOP("SignDialog", "Reviewed and signed"),
    Meaning.AUTHORED.value: QT_TRANSLATE_NOOP("SignDialog", "Authored and signed"),
    Meaning.APPROVED.value: QT_TRANSLATE_NOOP("SignDialog", "Approved"),
}


def entity_word(entity: SignedEntity) -> str:
    """'Session', 'Note', 'Addendum' in the language shown."""
    return translate("SignDialog", ENTITY_WORDS[entity])


def meaning_word(meaning: str) -> str:
    """A stored meaning ('Reviewed and signed') in the language shown."""
    source = MEANING_WORDS.get(meaning)
    return meaning if source is None else translate("SignDialog", source)


def role_text(role: str) -> str:
    """A stored role ('clinician') in the language shown; an unknown one as it is."""
    try:
        return role_word(Role(role))
    except ValueError:
        return role


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
        self.setWindowTitle(translate("SignDialog", SIGN_TITLES[self.entity]))
        self.setModal(True)
        self.setMinimumWidth(480)
        root = QVBoxLayout(self)
        text = translate("SignDialog", "You are signing {what}.").format(what=what)
        text += f" {covers}" if covers else ""
        once = translate(
            "SignDialog",
            "Once signed it can no longer be changed; corrections are added as addenda.",
        )
        intro = QLabel(f"{text}\n{once}")
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        intro.setAccessibleName(translate("SignDialog", "What is signed"))
        self.intro = intro
        root.addWidget(intro)
        form = QFormLayout()
        self.signer = QLabel(f"{actor.full_name} ({role_word(actor.role)})")
        signer = translate("SignDialog", "Signer")
        self.signer.setAccessibleName(signer)
        form.addRow(signer, self.signer)
        self.meaning = QComboBox()
        for m in Meaning:
            self.meaning.addItem(meaning_word(m.value), m)
        self.meaning.setCurrentIndex(list(Meaning).index(meaning))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.fields = FieldSet(
            [
                Field(translate("SignDialog", "&Meaning"), self.meaning, name="Meaning"),
                Field(translate("SignDialog", "&Password"), self.password, name="Password"),
            ]
        )
        for f in self.fields.fields.values():
            f.add_to(form)
        root.addLayout(form)
        root.addStretch(1)  # height gained by an error message goes here
        self.message = error_label()
        self.message.setAccessibleName(translate("SignDialog", "Signing message"))
        root.addWidget(self.message)
        self.buttons, _ok = ok_cancel(translate("SignDialog", "&Sign"), self.submit, self.reject)
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
            self.fields.show_error("Password", message_of(exc))
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
        self.setWindowTitle(translate("AddendumDialog", "Add addendum"))
        self.setModal(True)
        self.setMinimumWidth(520)
        root = QVBoxLayout(self)
        intro = QLabel(
            translate(
                "AddendumDialog",
                "An addendum to {what}. The signed original stays as it is; the addendum is "
                "shown and printed with it, under your name and the time.",
            ).format(what=what)
        )
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        root.addWidget(intro)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(110)
        self.text.setPlaceholderText(
            translate("AddendumDialog", "What is added or corrected, and why.")
        )
        self.field = QLineEdit()
        self.field.setPlaceholderText(
            translate("AddendumDialog", "Optional, e.g. Reading 10:32 systolic")
        )
        self.value = QLineEdit()
        self.value.setPlaceholderText(translate("AddendumDialog", "Optional, e.g. 128"))
        self.fields = FieldSet(
            [
                Field(translate("AddendumDialog", "Addendum &text"), self.text, name="Addendum"),
                Field(
                    translate("AddendumDialog", "Corrected &field"),
                    self.field,
                    name="Corrected field",
                ),
                Field(
                    translate("AddendumDialog", "Corrected &value"),
                    self.value,
                    name="Corrected value",
                ),
            ],
            aliases={"Corrected": "Corrected field"},
        )
        for f in self.fields.fields.values():
            f.add_to(form)
        root.addLayout(form)
        root.addStretch(1)  # height gained by an error message goes here
        self.message = error_label()
        self.message.setAccessibleName(translate("AddendumDialog", "Addendum message"))
        root.addWidget(self.message)
        add = translate("AddendumDialog", "&Add addendum")
        self.buttons, _ok = ok_cancel(add, self.submit, self.reject)
        root.addWidget(self.buttons)
        self.text.setFocus()
        self.state = FormState(self)

    def reject(self) -> None:
        if may_close(self, translate("AddendumDialog", "addendum"), self.state):
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
                "Corrected field",
                translate(
                    "AddendumDialog", "Corrected field: name what the corrected value replaces."
                ),
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
