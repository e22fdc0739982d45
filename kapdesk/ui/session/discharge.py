"""Step 6: discharge criteria (computed ones explained, staff ones ticked) and discharge."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.discharge import (
    against_criteria_text,
    criteria_summary,
    discharged_against_criteria,
)
from kapdesk.domain.permissions import Action
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.text import in_brackets
from kapdesk.ui.session.common import (
    AFTER_DOSE_STATES,
    Host,
    Mnemonics,
    NowTimeEdit,
    StepPage,
    attempt,
    local_hhmm,
    message_label,
    set_message,
)
from kapdesk.ui.session.dialogs import ReasonDialog
from kapdesk.ui.session.layout import action_button, button_row, hint_label, step_layout
from kapdesk.ui.widgets.edits import clear_when_edited

if TYPE_CHECKING:
    from kapdesk.domain.errors import ValidationError
    from kapdesk.services.dtos import DischargeCheck, SessionDetail


def check_text(c: DischargeCheck) -> str:
    mark = "✓" if c.met else "✗"
    return f"{mark}  {c.label}" + (f" – {c.detail}" if c.detail else "")


class DischargePage(StepPage):
    title = "Discharge"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        root = step_layout(self, "6 · Discharge")
        self.hint = hint_label(root)
        self.list_box = QVBoxLayout()
        root.addLayout(self.list_box)

        form = QFormLayout()
        self.time = NowTimeEdit("Discharge time")
        self.time_error = message_label("Discharge time error")
        label = QLabel("Discharge &time")
        label.setBuddy(self.time)
        holder = QWidget()
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.time)
        lay.addWidget(self.time_error)
        clear_when_edited(self.time, self.time_error)
        form.addRow(label, holder)
        root.addLayout(form)
        self.discharge_button = action_button("&Discharge", self.discharge)
        root.addLayout(button_row(self.discharge_button))
        self.message = message_label("Discharge message")
        root.addWidget(self.message)
        self.outcome = message_label("Discharge outcome", kind="status")
        root.addWidget(self.outcome)
        root.addStretch(1)

        self.computed: dict[str, QLabel] = {}
        self.staff: dict[str, QCheckBox] = {}
        self._checks: tuple[DischargeCheck, ...] = ()
        self._build()

    def _build(self) -> None:
        marks = Mnemonics("dtn")
        for c in self.host.protocol.discharge:
            if c.computed:
                label = QLabel(c.label)
                label.setWordWrap(True)
                label.setAccessibleName(c.label)
                self.list_box.addWidget(label)
                self.computed[c.id] = label
            else:
                box = QCheckBox(marks.mark(c.label))
                box.setAccessibleName(c.label)
                box.clicked.connect(lambda on, key=c.id: self.answer(key, on))
                self.list_box.addWidget(box)
                self.staff[c.id] = box

    # ------------------------------------------------------------ showing

    def show_detail(self, detail: SessionDetail) -> None:
        state = SessionState(detail.session.state)
        self._checks = detail.discharge_checks
        open_ = state in AFTER_DOSE_STATES
        for c in detail.discharge_checks:
            if c.id in self.computed:
                label = self.computed[c.id]
                label.setText(check_text(c))
                label.setStyleSheet("color: #2f4f3a;" if c.met else "color: #7a4b00;")
            elif c.id in self.staff:
                box = self.staff[c.id]
                box.blockSignals(True)
                box.setChecked(c.met)
                box.blockSignals(False)
                box.setEnabled(open_ and self.host.can(Action.DISCHARGE))
        can_discharge = open_ and self.host.can(Action.DISCHARGE)
        self.time.setEnabled(can_discharge)
        self.discharge_button.setEnabled(can_discharge)
        s = detail.session
        if state is SessionState.DISCHARGED and s.discharged_at is not None:
            not_met = sum(1 for c in detail.discharge_checks if not c.met)
            if discharged_against_criteria(s.discharge_criteria, s.discharge_reason):
                # Not a green tick: the patient left with criteria unmet, and a clinician
                # accepted that with the reason shown.
                text = (
                    f"{against_criteria_text(s.discharge_reason)} "
                    f"(at {local_hhmm(s.discharged_at)})"
                )
                set_message(self.outcome, text, "elevated")
                hint = (
                    "Criteria as recorded at discharge: "
                    f"{criteria_summary(not_met, len(detail.discharge_checks), final=True)}."
                )
            else:
                text = f"✓  Discharged at {local_hhmm(s.discharged_at)}; all criteria met."
                set_message(self.outcome, text, "normal")
                hint = "Criteria as recorded at discharge."
            self.time.set_fixed(s.discharged_at)
        else:
            set_message(self.outcome, "")
            if open_:
                unmet = [c.label for c in detail.discharge_checks if not c.met]
                hint = criteria_summary(len(unmet), len(detail.discharge_checks)) + "."
                if unmet:
                    them = "it is" if len(unmet) == 1 else "they are"
                    hint += f" Discharging before {them} met needs a clinician and a reason."
                if not self.host.can(Action.DISCHARGE):
                    hint += " " + self.host.cannot("discharge")
            elif state in (SessionState.CANCELLED, SessionState.DOSE_WITHHELD):
                hint = f"The session is {state.label}: there is nothing to discharge."
            else:
                hint = "Discharge comes after the dose and monitoring."
        self.hint.setText(hint)

    def tick(self, now: datetime) -> None:
        self.time.follow(now)

    def first_input(self) -> QWidget | None:
        box = next((b for b in self.staff.values() if b.isEnabled()), None)
        return box or (self.discharge_button if self.discharge_button.isEnabled() else None)

    # ------------------------------------------------------------ storing

    def answer(self, key: str, value: bool) -> None:
        from kapdesk.services.sessions import SessionService

        info = attempt(
            lambda: SessionService(self.host.app.ctx).record_discharge_answers(
                self.host.actor(), self.host.session_id, {key: value}
            ),
            message=self.message,
        )
        if info is None:
            box = self.staff[key]
            box.blockSignals(True)
            box.setChecked(not value)
            box.blockSignals(False)

    def _field_error(self, exc: ValidationError) -> bool:
        if exc.field == "Discharged at":
            set_message(self.time_error, exc.message)
            self.time.setFocus()
            return True
        return False

    def discharge(self) -> None:
        from kapdesk.services.sessions import SessionService

        set_message(self.time_error, "")
        now = self.host.now()
        at = self.time.moment(now)
        checks = attempt(
            lambda: SessionService(self.host.app.ctx).discharge_checks(self.host.session_id),
            message=self.message,
        )
        unmet = [c for c in (checks if checks is not None else self._checks) if not c.met]
        reason: str | None = None
        if unmet and self.host.can(Action.DISCHARGE_WITH_UNMET_CRITERIA):
            listed = "; ".join(
                f"{c.label} {in_brackets(c.detail)}" if c.detail else c.label for c in unmet
            )
            reason = ReasonDialog.ask(
                self,
                "Discharge with unmet criteria",
                f"Not met: {listed}. Discharging anyway needs your reason; it is stored "
                "with the session.",
                "&Discharge anyway",
            )
            if reason is None:
                return
        attempt(
            lambda: SessionService(self.host.app.ctx).discharge(
                self.host.actor(), self.host.session_id, at=at, unmet_reason=reason
            ),
            message=self.message,
            field_error=self._field_error,
        )
