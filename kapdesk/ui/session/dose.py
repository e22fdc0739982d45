"""Step 3: the dose log, with a live mg/kg calculator and the protocol maximum.

The calculator line is ``kapdesk.domain.dosing.validate_dose`` run on what is
typed (the session weight from the checklist, the doses already given); the
service runs the same check when the dose is stored. A dose above the protocol
maximum asks a clinician to confirm it with a reason, which is kept with the
dose; warnings (checklist items not answered yes, an unusually small dose, a
short gap between nasal devices) are acknowledged and stored with the dose.

What refuses the next dose (the pre-dose hold, a post-dose alert before a
booster, a blocking checklist answer) is ``SessionDetail.gate`` from
``kapdesk.domain.gates``; the page shows its messages and, for a clinician, the
override action. Switching the unit converts the typed amount with the session
weight (``convert_amount``) or clears it: 0.75 mg/kg never becomes 0.75 mg.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from kapdesk.domain.dosing import (
    ALLOWED_UNITS,
    ROUTE_LABELS,
    DoseCalc,
    DoseUnit,
    PriorDose,
    convert_amount,
    validate_dose,
)
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.gates import Block, GateKind, block_message, checklist_gate, override_text
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Route
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.wording import shown
from kapdesk.i18n import _
from kapdesk.i18n.formats import decimal
from kapdesk.ui.entry_rows import standing
from kapdesk.ui.session.common import (
    AFTER_DOSE_STATES,
    Host,
    NowTimeEdit,
    StepPage,
    attempt,
    local_hhmm,
    message_label,
    role_word,
    set_message,
    translate,
)
from kapdesk.ui.session.dialogs import AcknowledgeDialog, OverrideDialog, ReasonDialog
from kapdesk.ui.session.dose_log import (
    calc_line,
    capital,
    dose_hint,
    doses_table,
    fill_dose_table,
    override_prompt,
)
from kapdesk.ui.session.layout import action_button, button_row, hint_label, step_layout
from kapdesk.ui.widgets import with_error_line
from kapdesk.ui.widgets.edits import clear_when_edited

if TYPE_CHECKING:
    from kapdesk.services.dtos import DoseInfo
    from kapdesk.services.screen_dtos import SessionDetail


def _labelled(form: QFormLayout, text: str, widget: QWidget, error: QLabel | None = None) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", ""))
    if error is None:
        form.addRow(label, widget)
    else:
        form.addRow(label, with_error_line(widget, error))
    return label


class DosePage(StepPage):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        protocol = host.protocol
        self.title = translate("DosePage", "Dose")
        root = step_layout(self, f"3 · {self.title}")
        self.hint = hint_label(root)

        form = QFormLayout()
        root.addLayout(form)
        self.medication = QComboBox()
        for name in protocol.medications:  # shown in the language, stored as the protocol names it
            self.medication.addItem(_(name), name)
        _labelled(form, translate("DosePage", "&Medication"), self.medication)
        self.route = QComboBox()
        for r in protocol.routes:
            self.route.addItem(_(ROUTE_LABELS[r]), r.value)
        _labelled(form, translate("DosePage", "Rout&e"), self.route)
        amount_row = self._amount_row(form)
        self.calc = message_label(translate("DosePage", "Dose calculation"), kind="status")
        form.addRow("", self.calc)
        self.time = NowTimeEdit(translate("DosePage", "Time"))
        self.time_error = message_label(translate("DosePage", "Time error"))
        _labelled(form, translate("DosePage", "&Time"), self.time, self.time_error)
        self.lot = QLineEdit()
        self.lot.setMaximumWidth(220)
        self.lot_error = message_label(translate("DosePage", "Lot number error"))
        _labelled(form, translate("DosePage", "&Lot number"), self.lot, self.lot_error)
        self.given_by = QComboBox()
        for combo in (self.medication, self.route, self.given_by):
            combo.setMaximumWidth(320)
        self.given_by_error = message_label(translate("DosePage", "Given by error"))
        _labelled(form, translate("DosePage", "Gi&ven by"), self.given_by, self.given_by_error)
        clear_when_edited(amount_row, self.amount_error)
        clear_when_edited(self.time, self.time_error)
        clear_when_edited(self.lot, self.lot_error)
        clear_when_edited(self.given_by, self.given_by_error)
        self.booster = QLabel()
        self.booster.setAccessibleName(translate("DosePage", "Booster"))
        form.addRow("", self.booster)

        # What refuses the next dose (kapdesk.domain.gates), and the overrides recorded:
        # under the Record button, which their appearing does not move; the override
        # button comes in at its right.
        self.record_button = action_button(translate("DosePage", "&Record dose"), self.record)
        self.override_button = action_button(
            translate("DosePage", "Record &override…"), self.override
        )
        root.addLayout(button_row(self.record_button, self.override_button))
        self.gate = message_label(translate("DosePage", "Dose gate"), kind="status")
        root.addWidget(self.gate)
        self.overrides = message_label(translate("DosePage", "Overrides recorded"), kind="status")
        root.addWidget(self.overrides)
        self.message = message_label(translate("DosePage", "Dose message"))
        root.addWidget(self.message)

        self.table, self.table_menu = doses_table(host.app, root)

        self.route.currentIndexChanged.connect(self._route_changed)
        self.unit.currentIndexChanged.connect(self._unit_changed)
        for signal in (self.medication.currentIndexChanged, self.amount.textChanged):
            signal.connect(self.update_calc)
        self.amount.returnPressed.connect(self.record)
        self.lot.returnPressed.connect(self.record)
        self._weight: float | None = None
        self._doses: tuple[DoseInfo, ...] = ()
        self._users_for: int | None = None
        self._unit_before: DoseUnit | None = None
        self._answers: dict[str, object] = {}
        self._first_dose = True
        self._block: Block | None = None
        self._route_changed()

    def _amount_row(self, form: QFormLayout) -> QWidget:
        """The amount and its unit side by side, labelled Amount (Devices for a nasal
        device), with the amount's error line under them."""
        self.amount = QLineEdit()
        self.amount.setMaximumWidth(110)
        self.unit = QComboBox()
        self.amount_error = message_label(translate("DosePage", "Amount error"))
        amount_row = QWidget()
        lay = QHBoxLayout(amount_row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.amount)
        self.unit_label = QLabel(translate("DosePage", "&Unit"))
        self.unit_label.setBuddy(self.unit)
        self.unit.setAccessibleName(translate("DosePage", "Unit"))
        lay.addWidget(self.unit_label)
        lay.addWidget(self.unit)
        lay.addStretch(1)
        amount_text = translate("DosePage", "&Amount")
        self.amount_label = _labelled(form, amount_text, amount_row, self.amount_error)
        self.amount_label.setBuddy(self.amount)
        self.amount.setAccessibleName(translate("DosePage", "Amount"))
        return amount_row

    # ------------------------------------------------------------ inputs

    def current_route(self) -> Route:
        return Route(str(self.route.currentData()))

    def current_unit(self) -> DoseUnit:
        return DoseUnit(str(self.unit.currentData()))

    def _route_changed(self) -> None:
        route = self.current_route()
        before = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        for u in ALLOWED_UNITS[route]:
            self.unit.addItem(_(u.label), u.value)
        index = self.unit.findData(before)
        self.unit.setCurrentIndex(max(index, 0))
        self.unit.blockSignals(False)
        self._convert_typed_amount()
        devices = route is Route.INTRANASAL
        if devices:
            self.amount_label.setText(translate("DosePage", "&Devices"))
            self.amount.setAccessibleName(translate("DosePage", "Devices"))
            self.amount.setPlaceholderText(translate("DosePage", "devices"))
        else:
            self.amount_label.setText(translate("DosePage", "&Amount"))
            self.amount.setAccessibleName(translate("DosePage", "Amount"))
            self.amount.setPlaceholderText("")
        self.update_calc()

    def _unit_changed(self) -> None:
        self._convert_typed_amount()
        self.update_calc()

    def _convert_typed_amount(self) -> None:
        """The typed number follows the unit: converted with the session weight, or cleared."""
        new = self.current_unit()
        old, self._unit_before = self._unit_before, new
        if old is None or old is new or not self.amount.text().strip():
            return
        self.amount.blockSignals(True)
        self.amount.setText(decimal(convert_amount(self.amount.text(), old, new, self._weight)))
        self.amount.blockSignals(False)

    def preview(self) -> DoseCalc:
        return validate_dose(
            self.host.protocol,
            medication=str(self.medication.currentData()),
            route=self.current_route(),
            amount=self.amount.text(),
            unit=self.current_unit(),
            weight_kg=self._weight,
            previous=[
                PriorDose(Route(d.route), DoseUnit(d.unit), d.mg, d.given_at) for d in self._doses
            ],
            given_at=self.time.moment_or_now(self.host.now()),
        )

    def warnings(self, calc: DoseCalc) -> tuple[str, ...]:
        """What the dose would be stored with: the checklist's warnings for this route
        (first dose) and the calculator's (the same functions the service calls)."""
        checklist: tuple[str, ...] = ()
        if self._first_dose:
            route = self.current_route()
            checklist = checklist_gate(self.host.protocol, route, self._answers, ()).warnings
        return (*checklist, *calc.warnings)

    def update_calc(self) -> None:
        if not self.amount.text().strip():
            text = translate("DosePage", "Enter the amount in {unit}.")
            set_message(self.calc, text.format(unit=_(self.current_unit().label)), "normal")
            return
        try:
            calc = self.preview()
        except ValidationError as exc:
            set_message(self.calc, exc.message, "elevated")
            return
        text = calc_line(calc, self.host.protocol.intranasal_device_mg)
        if calc.over_limit:
            above = translate("DosePage", "Above the maximum: {limit} A clinician must confirm it.")
            text += "\n" + above.format(limit=shown(calc.limit_message or ""))
        warnings = self.warnings(calc)
        if warnings:
            ack = translate("DosePage", "To acknowledge with the dose: {warnings}")
            text += "\n" + ack.format(warnings=" ".join(shown(w) for w in warnings))
        concern = calc.over_limit or bool(warnings)
        set_message(self.calc, text, "elevated" if concern else "normal")

    def _load_users(self) -> None:
        from kapdesk.services.users import UserService

        actor = self.host.app.actor
        if actor is None or self._users_for == actor.user_id:
            return
        self.given_by.clear()
        for u in UserService(self.host.app.ctx).list_users():
            if u.active and can(u.role, Action.RECORD_DOSE):
                self.given_by.addItem(f"{u.full_name} ({role_word(u.role)})", u.id)
        self.given_by.setCurrentIndex(max(self.given_by.findData(actor.user_id), 0))
        self._users_for = actor.user_id

    # ------------------------------------------------------------ showing

    def show_detail(self, detail: SessionDetail) -> None:
        self._load_users()
        state = SessionState(detail.session.state)
        self._weight = detail.session.weight_kg
        given = standing(detail.doses)  # a dose entered in error was not given
        first_dose = not given
        self._first_dose = first_dose
        self._answers = dict(detail.session.checklist)
        dosing = state is SessionState.PRE_DOSE_VITALS or state in AFTER_DOSE_STATES
        blocks = detail.gate.blocks if detail.gate is not None and dosing else ()
        if detail.doses and detail.doses != self._doses:
            index = self.route.findData(detail.doses[0].route)
            if index >= 0 and self._doses == ():
                self.route.setCurrentIndex(index)
        hint, open_ = dose_hint(state, bool(blocks), first_dose)
        if open_ and not self.host.can(Action.RECORD_DOSE):
            hint = self.host.cannot(translate("DosePage", "record doses"))
            open_ = False
        if open_ and self._weight is None:
            hint = translate(
                "DosePage", "No weight today yet (step 1): doses can be entered in mg only."
            )
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        inputs = (self.medication, self.route, self.amount, self.unit, self.time, self.lot)
        for w in (*inputs, self.given_by, self.record_button):
            w.setEnabled(open_)
        booster = translate("DosePage", "Booster: this will be dose {n}.")
        self.booster.setText("" if first_dose else booster.format(n=len(given) + 1))
        self.booster.setVisible(not first_dose and open_)
        self._show_gate(detail, blocks)
        if detail.doses != self._doses:
            self._fill_table(detail.doses)
            self._doses = detail.doses
        self.update_calc()

    def _show_gate(self, detail: SessionDetail, blocks: tuple[Block, ...]) -> None:
        """The refusal of the next dose (rule, protocol version, reading or checklist item),
        the override action, and the overrides already recorded."""
        refused = translate("DosePage", "Dose refused: {reason}")
        lines = [refused.format(reason=block_message(b, local_hhmm)) for b in blocks]
        worst = any(b.worst is not None and b.worst.band.value == "critical" for b in blocks)
        set_message(self.gate, "\n".join(lines), "critical" if worst else "alert")
        self._block = blocks[0] if blocks else None
        allowed = self.host.can(Action.OVERRIDE_HOLD)
        self.override_button.setVisible(bool(blocks))
        self.override_button.setEnabled(bool(blocks) and allowed)
        self.override_button.setToolTip(
            ""
            if allowed
            else translate("DosePage", "Only a clinician may record an override (name and reason).")
        )
        done = detail.gate.overrides if detail.gate is not None else ()
        text = "\n".join(capital(override_text(o, local_hhmm)) for o in done)
        set_message(self.overrides, text, "normal")

    def _fill_table(self, doses: tuple[DoseInfo, ...]) -> None:
        fill_dose_table(self.table, doses)
        notes = self.table.columnCount() - 1  # shown when a dose has a note: room at 1024 px
        items = (self.table.item(r, notes) for r in range(self.table.rowCount()))
        self.table.setColumnHidden(notes, not any(i is not None and i.text() for i in items))

    def tick(self, now: datetime) -> None:
        self.time.follow(now)

    def first_input(self) -> QWidget | None:
        return self.amount if self.amount.isEnabled() else None

    def unsaved_input(self) -> str | None:
        if self.amount.isEnabled() and self.amount.text().strip():
            return translate("DosePage", "dose")
        lot = self.lot.text().strip()
        if self.lot.isEnabled() and lot and lot not in {d.lot_number for d in self._doses}:
            # the lot of a dose given is kept for the booster
            return translate("DosePage", "dose lot number")
        return super().unsaved_input()

    def reset_inputs(self) -> None:
        """Kept on a change of user: a nurse's over-the-maximum dose is handed to the
        clinician who confirms it (the vitals on this page are still cleared)."""
        super().reset_inputs()

    # ------------------------------------------------------------ storing

    def _clear_errors(self) -> None:
        for label in (self.amount_error, self.time_error, self.lot_error, self.given_by_error):
            set_message(label, "")

    def _field_error(self, exc: ValidationError) -> bool:
        target = {
            "Amount": (self.amount_error, self.amount),
            "Given at": (self.time_error, self.time),
            "Lot number": (self.lot_error, self.lot),
            "Given by": (self.given_by_error, self.given_by),
        }.get(exc.field)
        if target is None:
            return False
        label, widget = target
        set_message(label, exc.message)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        return True

    def record(self) -> None:
        from kapdesk.services.doses import DoseService

        if not self.record_button.isEnabled():
            return
        self._clear_errors()
        set_message(self.message, "")
        try:
            calc = self.preview()
        except ValidationError as exc:
            if not self._field_error(exc):
                set_message(self.message, exc.message)
            return
        reason: str | None = None
        if calc.over_limit and self.host.can(Action.CONFIRM_OVER_MAX_DOSE):
            intro = translate(
                "DosePage",
                "{calculation}. {limit} Confirm this dose and give the reason; the "
                "confirmation is kept with the dose record.",
            )
            reason = ReasonDialog.ask(
                self,
                translate("DosePage", "Dose above the protocol maximum"),
                intro.format(
                    calculation=calc_line(calc, self.host.protocol.intranasal_device_mg),
                    limit=shown(calc.limit_message or ""),
                ),
                translate("DosePage", "&Confirm dose"),
            )
            if reason is None:
                return
        warnings = self.warnings(calc)
        if warnings and not AcknowledgeDialog.ask(
            self,
            translate("DosePage", "This dose will be stored with these warnings:")
            + "\n\n"
            + "\n".join(f"• {shown(w)}" for w in warnings),
        ):
            return
        now = self.host.now()
        given_by = self.given_by.currentData()
        info = attempt(
            lambda: DoseService(self.host.app.ctx).record(
                self.host.actor(),
                self.host.session_id,
                medication=str(self.medication.currentData()),
                route=self.current_route(),
                amount=self.amount.text(),
                unit=self.current_unit(),
                lot_number=self.lot.text(),
                given_at=self.time.moment(now),
                given_by_user_id=None if given_by is None else int(given_by),
                confirm_over_max=reason is not None,
                confirmation_reason=reason,
                acknowledge_warnings=bool(warnings),
            ),
            message=self.message,
            field_error=self._field_error,
        )
        if info is None:
            return
        self.amount.clear()
        self.time.reset(now)

    def override(self) -> None:
        """A clinician's override of what refuses the next dose (name and reason, stored)."""
        from kapdesk.services.sessions import SessionService

        block = self._block
        if block is None:
            return
        actor = self.host.actor()
        title, intro = override_prompt(block)
        answer = OverrideDialog.ask(
            self, intro, actor.full_name if self.host.can(Action.OVERRIDE_HOLD) else "", title
        )
        if answer is None:
            return
        name, reason = answer
        service = SessionService(self.host.app.ctx)
        if block.kind is GateKind.CHECKLIST and block.item is not None:
            item_id = block.item.id
            attempt(
                lambda: service.override_hold(
                    actor, self.host.session_id, name, reason, item_id=item_id
                ),
                message=self.message,
            )
        else:
            reading_id = block.reading.id if block.reading is not None else None
            attempt(
                lambda: service.override_hold(
                    actor, self.host.session_id, name, reason, reading_id=reading_id
                ),
                message=self.message,
            )
