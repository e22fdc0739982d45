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

from kapdesk.domain.discharge import criteria_summary
from kapdesk.domain.discharge_record import against_criteria_text, discharged_against_criteria
from kapdesk.domain.permissions import Action
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.text import in_brackets
from kapdesk.domain.wording import shown
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
    translate,
)
from kapdesk.ui.session.dialogs import ReasonDialog
from kapdesk.ui.session.layout import action_button, button_row, hint_label, step_layout
from kapdesk.ui.widgets.edits import clear_when_edited

if TYPE_CHECKING:
    from kapdesk.domain.errors import ValidationError
    from kapdesk.services.screen_dtos import DischargeCheck, SessionDetail


def check_text(c: DischargeCheck, label: str | None = None) -> str:
    """'✓  Minimum observation time – 62 min' (``label``: the criterion's in the language
    shown; else the check's own)."""
    mark = "✓" if c.met else "✗"
    return f"{mark}  {label or shown(c.label)}" + (f" – {shown(c.detail)}" if c.detail else "")


class DischargePage(StepPage):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.title = translate("DischargePage", "Discharge")
        root = step_layout(self, f"6 · {self.title}")
        self.hint = hint_label(root)
        self.list_box = QVBoxLayout()
        root.addLayout(self.list_box)
        # The protocol's criteria by id, as the language shown names them.
        self.labels = {c.id: c.shown_label() for c in host.protocol.discharge}

        form = QFormLayout()
        self.time = NowTimeEdit(translate("DischargePage", "Discharge time"))
        self.time_error = message_label(translate("DischargePage", "Discharge time error"))
        self._time_text = translate("DischargePage", "Discharge &time")
        label = QLabel(self._time_text)
        label.setBuddy(self.time)
        holder = QWidget()
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.time)
        lay.addWidget(self.time_error)
        clear_when_edited(self.time, self.time_error)
        form.addRow(label, holder)
        root.addLayout(form)
        self._discharge_text = translate("DischargePage", "&Discharge")
        self.discharge_button = action_button(self._discharge_text, self.discharge)
        root.addLayout(button_row(self.discharge_button))
        self.message = message_label(translate("DischargePage", "Discharge message"))
        root.addWidget(self.message)
        self.outcome = message_label(translate("DischargePage", "Discharge outcome"), kind="status")
        root.addWidget(self.outcome)
        root.addStretch(1)

        self.computed: dict[str, QLabel] = {}
        self.staff: dict[str, QCheckBox] = {}
        self._checks: tuple[DischargeCheck, ...] = ()
        self._build()

    def _build(self) -> None:
        note_text = translate("NotePanel", "Session &note")  # beside every step
        sign_text = translate("SessionWorkspace", "Si&gn session…")  # the banner's, above
        marks = Mnemonics("", self._discharge_text, self._time_text, note_text, sign_text)
        for c in self.host.protocol.discharge:
            name = self.labels[c.id]
            if c.computed:
                label = QLabel(name)
                label.setWordWrap(True)
                label.setAccessibleName(name)
                self.list_box.addWidget(label)
                self.computed[c.id] = label
            else:
                box = QCheckBox(marks.mark(name))
                box.setAccessibleName(name)
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
                label.setText(check_text(c, self.labels.get(c.id)))
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
                text = translate("DischargePage", "{against_criteria} (at {time})").format(
                    against_criteria=against_criteria_text(s.discharge_reason),
                    time=local_hhmm(s.discharged_at),
                )
                set_message(self.outcome, text, "elevated")
                summary = criteria_summary(not_met, len(detail.discharge_checks), final=True)
                hint = translate("DischargePage", "Criteria as recorded at discharge: {summary}.")
                hint = hint.format(summary=summary)
            else:
                text = translate("DischargePage", "✓  Discharged at {time}; all criteria met.")
                set_message(self.outcome, text.format(time=local_hhmm(s.discharged_at)), "normal")
                hint = translate("DischargePage", "Criteria as recorded at discharge.")
            self.time.set_fixed(s.discharged_at)
        else:
            set_message(self.outcome, "")
            if open_:
                unmet = [c for c in detail.discharge_checks if not c.met]
                hint = criteria_summary(len(unmet), len(detail.discharge_checks)) + "."
                if len(unmet) == 1:
                    hint += translate(
                        "DischargePage",
                        " Discharging before it is met needs a clinician and a reason.",
                    )
                elif unmet:
                    hint += translate(
                        "DischargePage",
                        " Discharging before they are met needs a clinician and a reason.",
                    )
                if not self.host.can(Action.DISCHARGE):
                    hint += " " + self.host.cannot(translate("DischargePage", "discharge"))
            elif state in (SessionState.CANCELLED, SessionState.DOSE_WITHHELD):
                hint = translate(
                    "DischargePage", "The session is {state}: there is nothing to discharge."
                ).format(state=state.label)
            else:
                hint = translate("DischargePage", "Discharge comes after the dose and monitoring.")
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
            names = [self.labels.get(c.id) or c.label for c in unmet]
            listed = "; ".join(
                f"{name} {in_brackets(shown(c.detail))}" if c.detail else name
                for name, c in zip(names, unmet, strict=True)
            )
            reason = ReasonDialog.ask(
                self,
                translate("DischargePage", "Discharge with unmet criteria"),
                translate(
                    "DischargePage",
                    "Not met: {criteria}. Discharging anyway needs your reason; it is stored "
                    "with the session.",
                ).format(criteria=listed),
                translate("DischargePage", "&Discharge anyway"),
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
