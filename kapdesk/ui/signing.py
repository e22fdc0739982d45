"""Electronic signatures and addenda in the GUI.

``SignDialog`` signs one record (a dosing session, an integration note or an
addendum) with the signed-in user's password typed again; it shows what is
signed, by whom and with which meaning. ``AddendumDialog`` appends a
correction (text, optionally one corrected field and value) to a signed
record. ``SignatureBanner`` sits over a signed record: "Signed by Dr X
(clinician) on 2026-03-04 17:20 CET – Reviewed and signed", the record's
addenda with their own signatures, "Add addendum…" and "Sign addendum…".
The two dialogs live in ``kapdesk.ui.sign_dialogs`` and are re-exported here.

The services decide everything (who may sign, whether the record can be
signed, the lock afterwards); these widgets only hide what the current role
cannot do and show the service's sentence when it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.authorship import is_author_or_clinician
from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, Role, can
from kapdesk.domain.signing import Meaning, SignedEntity
from kapdesk.i18n.formats import medium_date
from kapdesk.services.addenda import AddendumService
from kapdesk.services.signing import SigningService
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP
from kapdesk.ui.sign_dialogs import (
    AddendumDialog,
    SignDialog,
    entity_word,
    meaning_word,
    role_text,
    translate,
)

__all__ = [
    "AddendumDialog",
    "SignDialog",
    "SignatureBanner",
    "addendum_text",
    "local_stamp",
    "signed_line",
]

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import AddendumInfo, SignatureInfo
    from kapdesk.ui.app_context import AppContext

BANNER_STYLE = (
    "QFrame#signatureBanner { background: #e7f1ea; border: 1px solid #b7d3bf;"
    " border-radius: 4px; }"
    ' QFrame#signatureBanner[signed="false"] { background: #eef2f6; border-color: #d5dae0; }'
    " QFrame#addendumItem { background: #ffffff; border: 1px solid #d5dae0;"
    " border-radius: 3px; }"
)
ADDENDA_MAX_HEIGHT = 190
SIGN_TEXT = QT_TRANSLATE_NOOP("SignatureBanner", "Si&gn…")


def local_stamp(moment: datetime) -> str:
    """'2026-03-04 17:20 CET' (pt-PT: '04/03/2026 17:20 CET'): local time with its zone,
    as a signature is printed."""
    local = moment.astimezone()
    return f"{medium_date(local)} {local:%H:%M} {local.tzname() or ''}".rstrip()


def signed_line(sig: SignatureInfo) -> str:
    """'Signed by Dr X (clinician) on 2026-03-04 17:20 CET – Reviewed and signed'."""
    return translate("SignatureBanner", "Signed by {name} ({role}) on {when} – {meaning}").format(
        name=sig.signer_name,
        role=role_text(sig.signer_role),
        when=local_stamp(sig.signed_at),
        meaning=meaning_word(sig.meaning),
    )


def addendum_text(a: AddendumInfo) -> str:
    by = translate("SignatureBanner", "Addendum by {name} ({role}), {when}:").format(
        name=a.author_name, role=role_text(a.author_role), when=local_stamp(a.created_at)
    )
    lines = [by, a.text]
    for name, value in (a.corrected or {}).items():
        if value is None:
            shown = translate("SignatureBanner", "(empty)")
        elif isinstance(value, bool):
            yes, no = translate("SignatureBanner", "yes"), translate("SignatureBanner", "no")
            shown = yes if value else no
        else:
            shown = str(value)
        corrected = translate("SignatureBanner", "Corrected {field}: {value}")
        lines.append(corrected.format(field=name, value=shown))
    return "\n".join(lines)


# ---------------------------------------------------------------- the banner


class SignatureBanner(QFrame):
    """Signature status of one record, its addenda, and the sign / addendum buttons.

    ``what()`` names the record for the dialogs ("session 12 of Simões, Conceição"),
    ``covers`` says what a signature of it includes;
    ``signable()`` says whether the record is complete enough to be signed (a
    session that is over); ``final()`` whether it is locked without a signature
    (a note made final before signing existed), which also allows addenda.
    ``sign_text`` None leaves signing to the host (the note editor has its own button).
    """

    changed = Signal()  # after a signature or an addendum was stored

    def __init__(
        self,
        app: AppContext,
        entity: SignedEntity | str,
        entity_id: int,
        *,
        what: Callable[[], str],
        signable: Callable[[], bool] = lambda: True,
        final: Callable[[], bool] = lambda: False,
        sign_text: str | None = SIGN_TEXT,
        covers: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.entity = SignedEntity(entity)
        self.entity_id = entity_id
        self.what = what
        self.covers = covers
        self.signable = signable
        self.final = final
        self.signature: SignatureInfo | None = None
        self.addenda: list[AddendumInfo] = []
        self.sign_dialog: SignDialog | None = None
        self.addendum_dialog: AddendumDialog | None = None
        self.addendum_sign_buttons: dict[int, QPushButton] = {}
        self._shown: tuple[object, ...] | None = None
        self.setObjectName("signatureBanner")
        self.setAccessibleName(translate("SignatureBanner", "Signature"))
        self.setStyleSheet(BANNER_STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 6, 10, 6)
        root.setSpacing(4)
        top = QHBoxLayout()
        self.status = QLabel()
        self.status.setAccessibleName(translate("SignatureBanner", "Signature status"))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The default text is translated here; a host's own comes translated (unchanged).
        self.sign_button = QPushButton(translate("SignatureBanner", sign_text) if sign_text else "")
        self.sign_button.clicked.connect(self.sign_record)
        self.sign_button.setVisible(False)
        self._host_signs = sign_text is None
        self.add_button = QPushButton(translate("SignatureBanner", "Add a&ddendum…"))
        self.add_button.clicked.connect(self.add_addendum)
        top.addWidget(self.status, 1)
        top.addWidget(self.sign_button)
        top.addWidget(self.add_button)
        root.addLayout(top)
        self.addenda_box = QWidget()
        self.addenda_layout = QVBoxLayout(self.addenda_box)
        self.addenda_layout.setContentsMargins(0, 0, 0, 0)
        self.addenda_layout.setSpacing(4)
        self.addenda_scroll = QScrollArea()
        self.addenda_scroll.setWidgetResizable(True)
        self.addenda_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.addenda_scroll.setWidget(self.addenda_box)
        self.addenda_scroll.setMaximumHeight(ADDENDA_MAX_HEIGHT)
        self.addenda_scroll.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }"
        )
        root.addWidget(self.addenda_scroll)
        app.signals.actor_changed.connect(self.refresh)

    # ------------------------------------------------------------ state
    def is_signed(self) -> bool:
        return self.signature is not None

    def _role(self) -> Role | None:
        actor = self.app.actor
        return None if actor is None else actor.role

    def _may(self, action: Action) -> bool:
        role = self._role()
        return role is not None and can(role, action)

    def _may_sign_addendum(self, a: AddendumInfo) -> bool:
        actor = self.app.actor
        return actor is not None and is_author_or_clinician(
            actor.role, actor.user_id, a.author_id, Action.WRITE_ADDENDUM
        )

    def may_sign_record(self) -> bool:
        action = (
            Action.SIGN_SESSION
            if self.entity is SignedEntity.DOSING_SESSION
            else Action.SIGN_INTEGRATION_NOTE
        )
        return self.signature is None and self.signable() and self._may(action)

    def refresh(self) -> None:
        """Re-read the signature and the addenda; rebuild only what changed."""
        try:
            self.signature = SigningService(self.app.ctx).signature_for(self.entity, self.entity_id)
            self.addenda = (
                []
                if self.entity is SignedEntity.ADDENDUM
                else AddendumService(self.app.ctx).list_for(self.entity, self.entity_id)
            )
        except KapdeskError as exc:
            text = translate("SignatureBanner", "Could not read the signature: {error}")
            self.status.setText(text.format(error=exc))
            return
        locked = self.signature is not None or self.final()
        self.setProperty("signed", "true" if locked else "false")
        self.style().unpolish(self)
        self.style().polish(self)
        entity = entity_word(self.entity)
        if self.signature is not None:
            read_only = translate("SignatureBanner", "Read-only: corrections are added as addenda.")
            self.status.setText(f"{signed_line(self.signature)}\n{read_only}")
        elif self.final():
            text = translate("SignatureBanner", "{entity} is final but not signed.")
            self.status.setText(text.format(entity=entity))
        elif self.signable():
            if self.entity is SignedEntity.DOSING_SESSION:
                who = translate("SignatureBanner", "a clinician")
            else:
                who = translate("SignatureBanner", "its author")
            text = translate("SignatureBanner", "{entity} is not signed yet; {who} signs it.")
            self.status.setText(text.format(entity=entity, who=who))
        else:
            self.status.setText("")
        self.sign_button.setVisible(not self._host_signs and self.may_sign_record())
        self.add_button.setVisible(locked and self._may(Action.WRITE_ADDENDUM))
        self.setVisible(locked or bool(self.addenda) or self.signable())
        key = (self._role(), self.app.actor, tuple(self.addenda))
        if key != self._shown:
            self._shown = key
            self._show_addenda()

    def _show_addenda(self) -> None:
        while self.addenda_layout.count():
            item = self.addenda_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.addendum_sign_buttons = {}
        for a in self.addenda:
            self.addenda_layout.addWidget(self._addendum_item(a))
        self.addenda_layout.addStretch(1)
        self.addenda_scroll.setVisible(bool(self.addenda))
        self._fit_addenda()

    def _fit_addenda(self) -> None:
        """As tall as the addenda need at the current width, at most ADDENDA_MAX_HEIGHT."""
        if not self.addenda:
            return
        width = max(self.addenda_scroll.viewport().width(), 300)
        needed = self.addenda_layout.totalHeightForWidth(width)
        if needed <= 0:
            needed = self.addenda_box.sizeHint().height()
        self.addenda_scroll.setFixedHeight(min(ADDENDA_MAX_HEIGHT, needed + 2))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_addenda()

    def _addendum_item(self, a: AddendumInfo) -> QWidget:
        item = QFrame()
        item.setObjectName("addendumItem")
        lay = QVBoxLayout(item)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(2)
        text = QLabel(addendum_text(a))
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setAccessibleName(translate("SignatureBanner", "Addendum {id}").format(id=a.id))
        lay.addWidget(text)
        row = QHBoxLayout()
        state = QLabel(
            signed_line(a.signature)
            if a.signature
            else translate("SignatureBanner", "Not signed yet.")
        )
        state.setObjectName("pageSubtitle")
        state.setWordWrap(True)
        state.setAccessibleName(
            translate("SignatureBanner", "Addendum {id} signature").format(id=a.id)
        )
        row.addWidget(state, 1)
        if a.signature is None and self._may_sign_addendum(a):
            button = QPushButton(translate("SignatureBanner", "Sign addendum…"))
            button.setAccessibleName(
                translate("SignatureBanner", "Sign addendum {id}").format(id=a.id)
            )
            button.clicked.connect(lambda _=False, aid=a.id: self.sign_addendum(aid))
            self.addendum_sign_buttons[a.id] = button
            row.addWidget(button)
        lay.addLayout(row)
        return item

    # ------------------------------------------------------------ actions
    @staticmethod
    def _discard(dialog: QDialog | None) -> None:
        """Dialogs are kept until the next one opens (tests look at them after closing)."""
        if dialog is not None and not dialog.isVisible():
            dialog.deleteLater()

    def _open(self, dialog: QDialog) -> None:
        dialog.accepted.connect(self._stored)
        dialog.open()

    def _stored(self) -> None:
        self.refresh()
        self.changed.emit()

    def sign_record(self) -> SignDialog:
        actor = self.app.require_actor()
        meaning = Meaning.REVIEWED
        if self.entity is SignedEntity.NOTE and actor.role is not Role.CLINICIAN:
            meaning = Meaning.AUTHORED
        self._discard(self.sign_dialog)
        self.sign_dialog = SignDialog(
            self.app,
            self.entity,
            self.entity_id,
            self.what(),
            self,
            meaning=meaning,
            covers=self.covers,
        )
        self._open(self.sign_dialog)
        return self.sign_dialog

    def sign_addendum(self, addendum_id: int) -> SignDialog:
        actor = self.app.require_actor()
        found = next((a for a in self.addenda if a.id == addendum_id), None)
        own = found is not None and found.author_id == actor.user_id
        self._discard(self.sign_dialog)
        self.sign_dialog = SignDialog(
            self.app,
            SignedEntity.ADDENDUM,
            addendum_id,
            (
                translate("SignatureBanner", "your addendum to {what}")
                if own
                else translate("SignatureBanner", "an addendum to {what}")
            ).format(what=self.what()),
            self,
            meaning=Meaning.AUTHORED if own else Meaning.REVIEWED,
        )
        self._open(self.sign_dialog)
        return self.sign_dialog

    def add_addendum(self) -> AddendumDialog:
        self._discard(self.addendum_dialog)
        self.addendum_dialog = AddendumDialog(
            self.app, self.entity, self.entity_id, self.what(), self
        )
        self._open(self.addendum_dialog)
        return self.addendum_dialog
