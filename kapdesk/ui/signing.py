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
from kapdesk.services.addenda import AddendumService
from kapdesk.services.signing import SigningService
from kapdesk.ui.sign_dialogs import AddendumDialog, SignDialog

__all__ = [
    "AddendumDialog",
    "SignDialog",
    "SignatureBanner",
    "addendum_text",
    "local_stamp",
    "signed_line",
]

if TYPE_CHECKING:
    from kapdesk.services.dtos import AddendumInfo, SignatureInfo
    from kapdesk.ui.app_context import AppContext

BANNER_STYLE = (
    "QFrame#signatureBanner { background: #e7f1ea; border: 1px solid #b7d3bf;"
    " border-radius: 4px; }"
    ' QFrame#signatureBanner[signed="false"] { background: #eef2f6; border-color: #d5dae0; }'
    " QFrame#addendumItem { background: #ffffff; border: 1px solid #d5dae0;"
    " border-radius: 3px; }"
)
ADDENDA_MAX_HEIGHT = 190


def local_stamp(moment: datetime) -> str:
    """'2026-03-04 17:20 CET': local time with its zone, as a signature is printed."""
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def signed_line(sig: SignatureInfo) -> str:
    """'Signed by Dr X (clinician) on 2026-03-04 17:20 CET – Reviewed and signed'."""
    return (
        f"Signed by {sig.signer_name} ({sig.signer_role}) on {local_stamp(sig.signed_at)}"
        f" – {sig.meaning}"
    )


def addendum_text(a: AddendumInfo) -> str:
    lines = [f"Addendum by {a.author_name} ({a.author_role}), {local_stamp(a.created_at)}:", a.text]
    for name, value in (a.corrected or {}).items():
        shown = "(empty)" if value is None else ("yes" if value is True else "no")
        if not isinstance(value, bool) and value is not None:
            shown = str(value)
        lines.append(f"Corrected {name}: {shown}")
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
        sign_text: str | None = "Si&gn…",
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
        self.setAccessibleName("Signature")
        self.setStyleSheet(BANNER_STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 6, 10, 6)
        root.setSpacing(4)
        top = QHBoxLayout()
        self.status = QLabel()
        self.status.setAccessibleName("Signature status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_button = QPushButton(sign_text or "")
        self.sign_button.clicked.connect(self.sign_record)
        self.sign_button.setVisible(False)
        self._host_signs = sign_text is None
        self.add_button = QPushButton("Add a&ddendum…")
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
            self.status.setText(f"Could not read the signature: {exc}")
            return
        locked = self.signature is not None or self.final()
        self.setProperty("signed", "true" if locked else "false")
        self.style().unpolish(self)
        self.style().polish(self)
        if self.signature is not None:
            self.status.setText(
                f"{signed_line(self.signature)}\nRead-only: corrections are added as addenda."
            )
        elif self.final():
            self.status.setText(f"{self.entity.label} is final but not signed.")
        elif self.signable():
            who = "a clinician" if self.entity is SignedEntity.DOSING_SESSION else "its author"
            self.status.setText(f"{self.entity.label} is not signed yet; {who} signs it.")
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
        text.setAccessibleName(f"Addendum {a.id}")
        lay.addWidget(text)
        row = QHBoxLayout()
        state = QLabel(signed_line(a.signature) if a.signature else "Not signed yet.")
        state.setObjectName("pageSubtitle")
        state.setWordWrap(True)
        state.setAccessibleName(f"Addendum {a.id} signature")
        row.addWidget(state, 1)
        if a.signature is None and self._may_sign_addendum(a):
            button = QPushButton("Sign addendum…")
            button.setAccessibleName(f"Sign addendum {a.id}")
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
            f"your addendum to {self.what()}" if own else f"an addendum to {self.what()}",
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
