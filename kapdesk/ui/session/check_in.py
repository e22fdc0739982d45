"""Checking a patient in from the session workspace: another room when the booked one is
in use, and a clinician's reason for a second dosing session on one day.

The rules are the service's (kapdesk.domain.check_in via SessionService): this module
asks ``check_in_conflicts`` first, offers the choice in ``CheckInDialog`` (tests replace
``CheckInDialog.ask``) and shows any refusal in the page's message line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.check_in import (
    CheckInConflicts,
    room_in_use_message,
    room_key,
)
from kapdesk.domain.permissions import Action
from kapdesk.ui.session.common import Host, attempt, local_hhmm, translate

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel as MessageLabel

    from kapdesk.services.dtos import SessionInfo


@dataclass(frozen=True)
class CheckInChoice:
    room: str
    same_day_reason: str | None


class CheckInDialog(QDialog):
    """Room (the booked one, or another) and, when needed, the same-day reason."""

    def __init__(
        self,
        parent: QWidget | None,
        intro: str,
        conflicts: CheckInConflicts,
        rooms: list[str],
        *,
        ask_reason: bool,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("CheckInDialog", "Check in"))
        self.setModal(True)
        root = QVBoxLayout(self)
        label = QLabel(intro)
        label.setObjectName("dialogIntro")
        label.setWordWrap(True)
        label.setMaximumWidth(560)
        root.addWidget(label)
        form = QFormLayout()
        root.addLayout(form)
        in_use = {room_key(r) for r in conflicts.rooms_in_use}
        self.room = QComboBox()
        self.room.setEditable(True)
        self.room.setAccessibleName(translate("CheckInDialog", "Room"))
        self.room.setMinimumWidth(300)
        line = self.room.lineEdit()
        if line is not None:
            line.setPlaceholderText(translate("CheckInDialog", "choose or type a room"))
        free = [r for r in rooms if room_key(r) not in in_use]
        for r in free:
            self.room.addItem(r, r)
        for r in rooms:
            if room_key(r) in in_use:
                self.room.addItem(translate("CheckInDialog", "{room} (in use)").format(room=r), r)
                model = self.room.model()
                if isinstance(model, QStandardItemModel):  # shown, but not a choice
                    item = model.item(self.room.count() - 1)
                    if item is not None:
                        item.setEnabled(False)
        booked = conflicts.room
        if conflicts.room_taken_by is None:
            self.room.setCurrentText(booked)
        elif free:
            self.room.setCurrentIndex(0)
        else:
            self.room.setCurrentText("")
        room_label = QLabel(translate("CheckInDialog", "&Room"))
        room_label.setBuddy(self.room)
        form.addRow(room_label, self.room)
        self.reason: QLineEdit | None = None
        if ask_reason:
            self.reason = QLineEdit()
            self.reason.setAccessibleName(
                translate("CheckInDialog", "Reason for a second dosing session today")
            )
            self.reason.setMinimumWidth(360)
            reason_label = QLabel(translate("CheckInDialog", "Reason for a &second dose today"))
            reason_label.setBuddy(self.reason)
            form.addRow(reason_label, self.reason)
            self.reason.textChanged.connect(self._update_ok)
        self.room.editTextChanged.connect(self._update_ok)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(translate("CheckInDialog", "Check &in"))
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        root.addWidget(self.buttons)
        self._update_ok()
        (self.reason if self.reason is not None else self.room).setFocus()

    def chosen_room(self) -> str:
        text = self.room.currentText().strip()
        data = self.room.currentData()
        if isinstance(data, str) and self.room.itemText(self.room.currentIndex()) == text:
            return data
        return text

    def choice(self) -> CheckInChoice:
        reason = self.reason.text().strip() if self.reason is not None else None
        return CheckInChoice(self.chosen_room(), reason or None)

    def _update_ok(self) -> None:
        reason_ok = self.reason is None or bool(self.reason.text().strip())
        self.ok.setEnabled(bool(self.chosen_room()) and reason_ok)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        intro: str,
        conflicts: CheckInConflicts,
        rooms: list[str],
        *,
        ask_reason: bool,
    ) -> CheckInChoice | None:
        dialog = cls(parent, intro, conflicts, rooms, ask_reason=ask_reason)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()


def intro_text(conflicts: CheckInConflicts, patient_name: str) -> str:
    parts = []
    if conflicts.room_taken_by is not None:
        parts.append(room_in_use_message(conflicts.room_taken_by.room, conflicts.room_taken_by))
    if conflicts.dosed_same_day:
        first = conflicts.dosed_same_day[0]
        if first.first_dose_at:
            at = local_hhmm(first.first_dose_at)
        else:
            at = translate("CheckInDialog", "earlier")
        text = translate(
            "CheckInDialog",
            "{patient} was already dosed today (session #{id} at {time}). A second dosing "
            "session on one day needs your confirmation with a reason; it is recorded with "
            "your name.",
        )
        parts.append(text.format(patient=patient_name, id=first.id, time=at))
    return "\n\n".join(parts)


def check_in(host: Host, message: MessageLabel, parent: QWidget | None) -> SessionInfo | None:
    """Check the session in, asking for another room or the same-day reason when needed;
    None when refused or cancelled (the refusal is shown in ``message``)."""
    from kapdesk.services.sessions import SessionService

    service = SessionService(host.app.ctx)
    conflicts = attempt(lambda: service.check_in_conflicts(host.session_id), message=message)
    if conflicts is None:
        return None
    confirm = conflicts.needs_same_day_confirmation and host.can(Action.CONFIRM_SAME_DAY_DOSE)
    ask = conflicts.patient_running is None and (conflicts.room_taken_by is not None or confirm)
    if not ask:  # nothing to choose: the service checks in, or says why it may not
        return attempt(lambda: service.check_in(host.actor(), host.session_id), message=message)
    name = service.get(host.session_id).patient_name
    choice = CheckInDialog.ask(
        parent,
        intro_text(conflicts, name),
        conflicts,
        service.rooms(),
        ask_reason=confirm,
    )
    if choice is None:
        return None
    return attempt(
        lambda: service.check_in(
            host.actor(),
            host.session_id,
            room=choice.room,
            same_day_reason=choice.same_day_reason,
        ),
        message=message,
    )
