"""Step 2: pre-dose vitals, their classification, the recheck, and the hold.

A non-normal pre-dose reading holds the dose until a clinician records an
override (prescriber name + reason) or a normal recheck taken at or after the
protocol's recheck interval lifts it (``kapdesk.domain.gates.pre_dose_hold``,
via ``SessionDetail.gate``); a recheck taken sooner is kept and shown ("recheck
too soon: the hold stands until HH:MM"). The dose can also be withheld with a
reason, which ends the session.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from kapdesk.domain.gates import Block, DoseGate, GateKind, block_message, override_text
from kapdesk.domain.permissions import Action
from kapdesk.domain.session_state import SessionState
from kapdesk.ui.entered_in_error import list_menu, widget_menu
from kapdesk.ui.entry_rows import EntryList, reading_entry, standing
from kapdesk.ui.session.common import (
    PRE_DOSE_STATES,
    Host,
    StepPage,
    attempt,
    band_or_within,
    local_hhmm,
    message_label,
    reading_line,
    set_message,
    store_reading,
    translate,
)
from kapdesk.ui.session.dialogs import OverrideDialog, ReasonDialog
from kapdesk.ui.session.layout import action_button, button_row, hint_label, step_layout
from kapdesk.ui.session.reading_result import ReadingResult
from kapdesk.ui.widgets.vitals_form import VitalsForm

if TYPE_CHECKING:
    from kapdesk.domain.vitals import VitalsInput
    from kapdesk.services.dtos import ReadingInfo
    from kapdesk.services.screen_dtos import SessionDetail


def pre_dose_readings(detail: SessionDetail) -> list[ReadingInfo]:
    return [r for r in detail.readings if r.phase == "pre_dose"]


class PreDosePage(StepPage):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.title = translate("PreDosePage", "Pre-dose vitals")
        root = step_layout(self, f"2 · {self.title}")
        self.hint = hint_label(root)

        record = translate("PreDosePage", "&Record pre-dose reading")
        self.form = VitalsForm(self, button_text=record)
        self.form.submitted.connect(self._store)
        root.addWidget(self.form)
        # The buttons right under the form, what a reading brings (result, hold) below them:
        # appearing, it moves no button; the override button comes in at the right.
        self.override_button = action_button(
            translate("PreDosePage", "O&verride hold…"), self.override
        )
        self.withhold_button = action_button(
            translate("PreDosePage", "&Withhold dose…"), self.withhold
        )
        root.addLayout(button_row(self.withhold_button, self.override_button))

        self.latest = ReadingResult(
            host.protocol, recheck_words=translate("PreDosePage", "Recheck after {min} min rest")
        )
        self.result = self.latest.result
        self.provenance = self.latest.provenance
        self.recheck = self.latest.recheck
        root.addWidget(self.latest)
        self._latest: ReadingInfo | None = None
        self.latest_menu = widget_menu(  # entered in error, on the latest reading shown
            host.app, self.latest, lambda: reading_entry(self._latest) if self._latest else None
        )

        self.hold = message_label(translate("PreDosePage", "Hold"), kind="status")
        root.addWidget(self.hold)
        self.message = message_label(translate("PreDosePage", "Pre-dose message"))
        root.addWidget(self.message)

        self.history_title = QLabel(translate("PreDosePage", "Earlier pre-dose readings:"))
        self.history_title.hide()
        root.addWidget(self.history_title)
        self.history = EntryList()
        self.history.setAccessibleName(translate("PreDosePage", "Pre-dose readings"))
        self.history.hide()
        self.history_menu = list_menu(host.app, self.history)
        root.addWidget(self.history)
        root.addStretch(1)

        self._hold_block: Block | None = None

    # ------------------------------------------------------------ showing

    def show_detail(self, detail: SessionDetail) -> None:
        state = SessionState(detail.session.state)
        readings = pre_dose_readings(detail)
        counting = standing(readings)  # a reading entered in error no longer decides
        latest = counting[-1] if counting else None
        self._latest = latest
        open_ = state in PRE_DOSE_STATES
        self.form.set_inputs_enabled(open_ and self.host.can(Action.RECORD_VITALS))
        if state is SessionState.SCHEDULED:
            self.hint.setText(translate("PreDosePage", "Check the patient in first (step 1)."))
        elif open_:
            text = translate(
                "PreDosePage",
                "Blood pressure, pulse and SpO2 before dosing; classified under {protocol}.",
            )
            self.hint.setText(text.format(protocol=self.host.protocol.label))
        else:
            self.hint.setText(translate("PreDosePage", "Pre-dose vitals are closed."))

        self.latest.show_reading(latest, running=open_, readings=readings)

        block = self._show_hold(detail.gate if open_ else None)
        held = block is not None
        self.override_button.setVisible(held)
        self.override_button.setEnabled(held and self.host.can(Action.OVERRIDE_HOLD))
        if held and not self.host.can(Action.OVERRIDE_HOLD):
            self.override_button.setToolTip(
                translate("PreDosePage", "Only a clinician may override a pre-dose hold.")
            )
        self.withhold_button.setVisible(open_)
        self.withhold_button.setEnabled(open_ and self.host.can(Action.WITHHOLD_DOSE))

        self.history.set_entries(
            [
                (
                    reading_entry(r),
                    f"{reading_line(r)}  {band_or_within(r.band)}  ({r.recorded_by})",
                )
                for r in readings
                if r is not latest
            ]
        )
        self.history_title.setVisible(self.history.count() > 0)
        if state in (SessionState.DOSE_WITHHELD, SessionState.CANCELLED):
            reason = detail.session.state_reason or translate("PreDosePage", "no reason given")
            text = translate("PreDosePage", "Session {state}: {reason}")
            set_message(self.message, text.format(state=state.label, reason=reason))
        self.tick(self.host.now())

    def _show_hold(self, gate: DoseGate | None) -> Block | None:
        """The hold line: the hold, the override that lifted it or the recheck that did;
        returns the hold's block (None: no hold)."""
        hold = gate.hold if gate is not None else None
        blocks = gate.blocks if gate is not None else ()
        block = next((b for b in blocks if b.kind is GateKind.PRE_DOSE_HOLD), None)
        self._hold_block = block
        if block is not None and block.reading is not None:
            band = block.reading.band.value
            set_message(
                self.hold,
                translate("PreDosePage", "Dose on hold: {reason}").format(
                    reason=block_message(block, local_hhmm)
                ),
                "critical" if band == "critical" else "alert",
            )
        elif hold is not None and hold.override is not None:
            o = hold.override
            by = ""
            if o.recorded_by:
                by = translate("PreDosePage", " (entered by {name})").format(name=o.recorded_by)
            text = translate("PreDosePage", "Hold lifted: {override}{entered_by}").format(
                override=override_text(o, local_hhmm), entered_by=by
            )
            set_message(self.hold, text, "normal")
        elif hold is not None and hold.lifted_by is not None:
            r = hold.lifted_by
            text = translate(
                "PreDosePage",
                "Hold lifted by the recheck at {time} ({reading}), taken after {min} min rest.",
            )
            set_message(
                self.hold,
                text.format(
                    time=local_hhmm(r.taken_at),
                    reading=r.text,
                    min=self.host.protocol.recheck_after_min,
                ),
                "normal",
            )
        else:
            set_message(self.hold, "")
        return block

    def tick(self, now: datetime) -> None:
        self.latest.tick(now)

    def first_input(self) -> QWidget | None:
        return self.form.first_field if self.form.first_field.isEnabled() else None

    # ------------------------------------------------------------ actions

    def _store(self, values: VitalsInput) -> None:
        store_reading(self.host, self.form, values)

    def override(self) -> None:
        from kapdesk.services.sessions import SessionService

        block = self._hold_block
        r = block.reading if block is not None else None
        if block is None or r is None:
            return
        actor = self.host.actor()
        message = block_message(block, local_hhmm)
        intro = translate(
            "PreDosePage",
            "{reason} Dosing past it needs the prescriber's name and a reason; both are "
            "stored with the session.",
        )
        answer = OverrideDialog.ask(
            self,
            intro.format(reason=f"{message[:1].upper()}{message[1:]}"),
            actor.full_name if self.host.can(Action.OVERRIDE_HOLD) else "",
        )
        if answer is None:
            return
        name, reason = answer
        attempt(
            lambda: SessionService(self.host.app.ctx).override_hold(
                actor, self.host.session_id, name, reason, reading_id=r.id
            ),
            message=self.message,
        )

    def withhold(self) -> None:
        from kapdesk.services.sessions import SessionService

        reason = ReasonDialog.ask(
            self,
            translate("PreDosePage", "Withhold dose"),
            translate(
                "PreDosePage",
                "Withholding the dose ends this session without ketamine. Give the reason; "
                "it is stored with the session.",
            ),
            translate("PreDosePage", "&Withhold dose"),
        )
        if reason is None:
            return
        attempt(
            lambda: SessionService(self.host.app.ctx).withhold_dose(
                self.host.actor(), self.host.session_id, reason
            ),
            message=self.message,
        )
