"""Step 1: check-in and the protocol's pre-session checklist (saved on every change)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.gates import GateKind, block_message, checklist_gate, override_text
from kapdesk.domain.permissions import Action
from kapdesk.domain.protocol import ChecklistItem, Route
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.vitals import validate_weight
from kapdesk.i18n.formats import decimal
from kapdesk.ui.session.common import (
    PRE_DOSE_STATES,
    Host,
    Mnemonics,
    StepPage,
    attempt,
    local_hhmm,
    message_label,
    set_message,
    translate,
)
from kapdesk.ui.session.layout import action_button, step_layout
from kapdesk.ui.widgets.edits import clear_when_edited
from kapdesk.ui.widgets.fit import WrapCheckBox

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import SessionDetail

WEIGHT_ID = "weight_kg"


def checklist_items(host: Host, route: str | None) -> tuple[ChecklistItem, ...]:
    return host.protocol.checklist_for(Route(route) if route else None)


def checklist_complete(host: Host, detail: SessionDetail) -> bool:
    """Every required item answered yes (numbers: entered): kapdesk.domain.gates."""
    route = Route(detail.route) if detail.route else None
    return checklist_gate(host.protocol, route, detail.session.checklist, ()).complete


def _same_number(text: str, stored: object) -> bool:
    """``text`` as typed says the number ``stored`` (blank: none)."""
    text = text.strip().replace(",", ".")
    if stored is None or not text:
        return stored is None and not text
    try:
        return float(text) == float(str(stored))
    except ValueError:
        return False


class ChecklistPage(StepPage):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.title = translate("ChecklistPage", "Pre-session checklist")
        root = step_layout(self, f"1 · {self.title}")

        self.check_in_row = QWidget()
        row = QHBoxLayout(self.check_in_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.state_text = QLabel()
        self.state_text.setObjectName("pageSubtitle")
        self.state_text.setWordWrap(True)
        check_in_text = translate("ChecklistPage", "Check &in")
        self.check_in_button = action_button(check_in_text, self.check_in)
        self.check_in_button.setDefault(True)  # the one thing to do on this page: stand out
        row.addWidget(self.state_text, 1)
        row.addWidget(self.check_in_button)
        root.addWidget(self.check_in_row)

        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        root.addLayout(self.grid)
        # Blocking items answered no (kapdesk.domain.gates) and their overrides.
        self.gate = message_label(translate("ChecklistPage", "Checklist gate"), kind="status")
        root.addWidget(self.gate)
        self.message = message_label(translate("ChecklistPage", "Checklist message"))
        root.addWidget(self.message)
        root.addStretch(1)

        self.boxes: dict[str, QCheckBox] = {}
        self.numbers: dict[str, QLineEdit] = {}
        self.number_errors: dict[str, QLabel] = {}
        self._items: tuple[str, ...] = ()
        self._weight_text = translate("ChecklistPage", "&Weight today")
        # The workspace's note label is beside every step: its letter is taken too.
        note_text = translate("NotePanel", "Session &note")
        sign_text = translate("SessionWorkspace", "Si&gn session…")  # the banner's, above
        self._mnemonics = Mnemonics("", check_in_text, self._weight_text, note_text, sign_text)
        self._answers: dict[str, object] = {}
        self._weight: float | None = None

    # ------------------------------------------------------------ building

    def _build(self, items: tuple[ChecklistItem, ...]) -> None:
        ids = tuple(i.id for i in items)
        if ids == self._items:
            return
        while self.grid.count():
            taken = self.grid.takeAt(0)
            w = taken.widget() if taken is not None else None
            if w is not None:
                w.deleteLater()
        self.boxes.clear()
        self.numbers.clear()
        self.number_errors.clear()
        row = 0
        for item in items:
            label_text = item.shown_label()
            if item.kind == "number":
                weight = item.id == WEIGHT_ID
                text = self._weight_text if weight else self._mnemonics.mark(label_text)
                label = QLabel(text)
                edit = QLineEdit()
                edit.setAccessibleName(text.replace("&", ""))
                edit.setMaximumWidth(110)
                edit.setPlaceholderText(item.unit)
                label.setBuddy(edit)
                edit.editingFinished.connect(lambda i=item.id: self.save_number(i))
                unit = QLabel(item.unit)
                box = QHBoxLayout()
                box.addWidget(edit)
                box.addWidget(unit)
                box.addStretch(1)
                holder = QWidget()
                holder.setLayout(box)
                box.setContentsMargins(0, 0, 0, 0)
                self.grid.addWidget(label, row, 0)
                self.grid.addWidget(holder, row, 1)
                error = message_label(
                    translate("ChecklistPage", "{field} error").format(field=edit.accessibleName())
                )
                self.grid.addWidget(error, row + 1, 1)
                self.numbers[item.id] = edit
                self.number_errors[item.id] = error
                clear_when_edited(edit, error)
                row += 2
            else:
                check = WrapCheckBox(self._mnemonics.mark(label_text))  # long items wrap
                check.setAccessibleName(label_text)
                check.toggled.connect(lambda on, i=item.id: self.save_answer(i, on))
                self.grid.addWidget(check, row, 0, 1, 2)
                self.boxes[item.id] = check
                row += 1
        self._items = ids

    # ------------------------------------------------------------ showing

    def show_detail(self, detail: SessionDetail) -> None:
        self._build(checklist_items(self.host, detail.route))
        state = SessionState(detail.session.state)
        answers = detail.session.checklist
        self._answers = dict(answers)
        self._weight = detail.session.weight_kg
        editable = state in PRE_DOSE_STATES and self.host.can(Action.COMPLETE_CHECKLIST)
        for key, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(answers.get(key) is True)
            box.blockSignals(False)
            box.setEnabled(editable)
        for key, edit in self.numbers.items():
            stored = detail.session.weight_kg if key == WEIGHT_ID else answers.get(key)
            if not edit.hasFocus():
                edit.setText("" if stored is None else decimal(f"{float(str(stored)):g}"))
            edit.setEnabled(editable)
        scheduled = state is SessionState.SCHEDULED
        self.check_in_button.setVisible(scheduled)
        self.check_in_button.setEnabled(scheduled and self.host.can(Action.CHECK_IN))
        if scheduled:
            text = translate(
                "ChecklistPage",
                "Scheduled for {time}. Check the patient in to start the checklist.",
            ).format(time=local_hhmm(detail.session.scheduled_at))
        elif detail.session.checked_in_at is not None:
            text = translate("ChecklistPage", "Checked in at {time}.").format(
                time=local_hhmm(detail.session.checked_in_at)
            )
            if state not in PRE_DOSE_STATES:
                text += translate(
                    "ChecklistPage", " The checklist is closed once the dose is given."
                )
        else:
            text = ""
        if state in PRE_DOSE_STATES and not self.host.can(Action.COMPLETE_CHECKLIST):
            what = translate("ChecklistPage", "complete the checklist")
            text += " " + self.host.cannot(what)
        self.state_text.setText(text.strip())
        self._show_gate(detail)

    def _show_gate(self, detail: SessionDetail) -> None:
        """A blocking item answered no refuses the dose until answered yes or overridden
        (the override is recorded on the dose step)."""
        gate = detail.gate
        refused: list[str] = []
        overridden: list[str] = []
        if gate is not None:
            refused = [
                translate("ChecklistPage", "Dose refused: {reason}").format(
                    reason=block_message(b, local_hhmm)
                )
                for b in gate.blocks
                if b.kind is GateKind.CHECKLIST and b.answer is False
            ]
            overridden = [
                f"'{item.shown_label()}': {override_text(o, local_hhmm)}"
                for item, o in gate.checklist.overridden
            ]
        band = "alert" if refused else "normal"
        set_message(self.gate, "\n".join(refused + overridden), band)
        tip = translate("ChecklistPage", "Blocks the dose until answered yes or overridden.")
        for item_id, box in self.boxes.items():
            blocking = any(c.id == item_id and c.blocks_dose for c in self.host.protocol.checklist)
            box.setToolTip(tip if blocking else "")

    def first_input(self) -> QWidget | None:
        if self.check_in_button.isVisible() and self.check_in_button.isEnabled():
            return self.check_in_button
        return next((b for b in self.boxes.values() if b.isEnabled()), None)

    def unsaved_input(self) -> str | None:
        """A number typed and not yet saved (it is saved when its field is left)."""
        for key, edit in self.numbers.items():
            stored = self._weight if key == WEIGHT_ID else self._answers.get(key)
            if edit.isEnabled() and not _same_number(edit.text(), stored):
                return edit.accessibleName()
        return super().unsaved_input()

    # ------------------------------------------------------------ saving

    def check_in(self) -> None:
        from kapdesk.ui.session.check_in import check_in

        info = check_in(self.host, self.message, self)
        if info is not None:
            first = next(iter(self.boxes.values()), None)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_answer(self, item_id: str, value: bool) -> None:
        self._save({item_id: value})

    def save_number(self, item_id: str) -> None:
        edit = self.numbers[item_id]
        error = self.number_errors[item_id]
        set_message(error, "")
        text = edit.text().strip()
        try:
            if not text:
                value: float | None = None
            elif item_id == WEIGHT_ID:
                value = validate_weight(text)
            else:
                value = float(text.replace(",", "."))
        except ValueError:
            message = translate("ChecklistPage", "{field} '{text}' is not a number.")
            self._number_error(item_id, message.format(field=edit.accessibleName(), text=text))
            return
        except ValidationError as exc:
            self._number_error(item_id, exc.message)
            return
        stored = self._answers.get(item_id)
        if value == (None if stored is None else float(str(stored))):
            return
        self._save({item_id: value})

    def _number_error(self, item_id: str, message: str) -> None:
        set_message(self.number_errors[item_id], message)
        edit = self.numbers[item_id]
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        edit.selectAll()

    def _field_error(self, exc: ValidationError) -> bool:
        if exc.field == "Weight" and WEIGHT_ID in self.numbers:
            self._number_error(WEIGHT_ID, exc.message)
            return True
        return False

    def _save(self, answers: dict[str, bool | float | None]) -> None:
        from kapdesk.services.sessions import SessionService

        info = attempt(
            lambda: SessionService(self.host.app.ctx).record_checklist(
                self.host.actor(), self.host.session_id, answers
            ),
            message=self.message,
            field_error=self._field_error,
        )
        if info is None:  # refused: show what is stored, not what was clicked
            for key, box in self.boxes.items():
                box.blockSignals(True)
                box.setChecked(self._answers.get(key) is True)
                box.blockSignals(False)
            return
        self._answers = dict(info.checklist)
        self._weight = info.weight_kg
