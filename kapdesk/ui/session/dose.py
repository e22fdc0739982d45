"""Step 3: the dose log, with a live mg/kg calculator and the protocol maximum.

The calculator line is ``kapdesk.domain.dosing.validate_dose`` run on what is
typed (the session weight from the checklist); the service runs the same
check when the dose is stored. A dose above the protocol maximum asks a
clinician to confirm it with a reason, which is kept with the dose.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.dosing import ALLOWED_UNITS, ROUTE_LABELS, DoseCalc, DoseUnit, validate_dose
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Route
from kapdesk.domain.session_state import SessionState
from kapdesk.ui.session.common import (
    AFTER_DOSE_STATES,
    Host,
    NowTimeEdit,
    StepPage,
    attempt,
    local_hhmm,
    message_label,
    set_message,
)
from kapdesk.ui.session.dialogs import ReasonDialog

if TYPE_CHECKING:
    from kapdesk.services.dtos import DoseInfo, SessionDetail

COLUMNS = ("Time", "Medication", "Route", "Amount", "mg", "Lot", "Given by", "Booster", "Note")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def calc_line(calc: DoseCalc, device_mg: float) -> str:
    """'0.5 mg/kg × 70.0 kg = 35.0 mg', '3 device(s) × 28 mg = 84.0 mg', '100.0 mg'."""
    if calc.unit is DoseUnit.MG_PER_KG:
        weight = calc.weight_kg or 0.0
        return f"{_fmt(calc.amount_entered)} mg/kg × {weight:.1f} kg = {calc.mg:.1f} mg"
    if calc.unit is DoseUnit.DEVICE:
        return f"{_fmt(calc.amount_entered)} device(s) × {_fmt(device_mg)} mg = {calc.mg:.1f} mg"
    text = f"{calc.mg:.1f} mg"
    if calc.mg_per_kg is not None and calc.weight_kg is not None:
        text += f" = {calc.mg_per_kg:.2f} mg/kg at {calc.weight_kg:.1f} kg"
    return text


def _labelled(form: QFormLayout, text: str, widget: QWidget, error: QLabel | None = None) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", ""))
    if error is None:
        form.addRow(label, widget)
    else:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        lay.addWidget(error)
        form.addRow(label, box)
    return label


class DosePage(StepPage):
    title = "Dose"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        protocol = host.protocol
        root = QVBoxLayout(self)
        heading = QLabel("3 · Dose")
        heading.setObjectName("pageTitle")
        root.addWidget(heading)
        self.hint = QLabel()
        self.hint.setObjectName("pageSubtitle")
        self.hint.setWordWrap(True)
        root.addWidget(self.hint)

        form = QFormLayout()
        root.addLayout(form)
        self.medication = QComboBox()
        self.medication.addItems(list(protocol.medications))
        _labelled(form, "&Medication", self.medication)
        self.route = QComboBox()
        for r in protocol.routes:
            self.route.addItem(ROUTE_LABELS[r], r.value)
        _labelled(form, "R&oute", self.route)
        self.amount = QLineEdit()
        self.amount.setMaximumWidth(110)
        self.unit = QComboBox()
        self.amount_error = message_label("Amount error")
        amount_row = QWidget()
        lay = QHBoxLayout(amount_row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.amount)
        self.unit_label = QLabel("&Unit")
        self.unit_label.setBuddy(self.unit)
        self.unit.setAccessibleName("Unit")
        lay.addWidget(self.unit_label)
        lay.addWidget(self.unit)
        lay.addStretch(1)
        self.amount_label = _labelled(form, "&Amount", amount_row, self.amount_error)
        self.amount_label.setBuddy(self.amount)
        self.amount.setAccessibleName("Amount")
        self.calc = message_label("Dose calculation", kind="status")
        form.addRow("", self.calc)
        self.time = NowTimeEdit("Time")
        self.time_error = message_label("Time error")
        _labelled(form, "&Time", self.time, self.time_error)
        self.lot = QLineEdit()
        self.lot.setMaximumWidth(220)
        self.lot_error = message_label("Lot number error")
        _labelled(form, "&Lot number", self.lot, self.lot_error)
        self.given_by = QComboBox()
        for combo in (self.medication, self.route, self.given_by):
            combo.setMaximumWidth(320)
        self.given_by_error = message_label("Given by error")
        _labelled(form, "&Given by", self.given_by, self.given_by_error)
        self.booster = QLabel()
        self.booster.setAccessibleName("Booster")
        form.addRow("", self.booster)

        buttons = QHBoxLayout()
        self.record_button = QPushButton("&Record dose")
        self.record_button.setAccessibleName("Record dose")
        self.record_button.clicked.connect(self.record)
        buttons.addWidget(self.record_button)
        buttons.addStretch(1)
        root.addLayout(buttons)
        self.message = message_label("Dose message")
        root.addWidget(self.message)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Doses given")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(110)
        root.addWidget(QLabel("Doses given"))
        root.addWidget(self.table, 1)

        self.route.currentIndexChanged.connect(self._route_changed)
        for signal in (
            self.medication.currentIndexChanged,
            self.unit.currentIndexChanged,
            self.amount.textChanged,
        ):
            signal.connect(self.update_calc)
        self.amount.returnPressed.connect(self.record)
        self.lot.returnPressed.connect(self.record)
        self._weight: float | None = None
        self._doses: tuple[DoseInfo, ...] = ()
        self._users_for: int | None = None
        self._route_changed()

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
            self.unit.addItem(u.label, u.value)
        index = self.unit.findData(before)
        self.unit.setCurrentIndex(max(index, 0))
        self.unit.blockSignals(False)
        devices = route is Route.INTRANASAL
        self.amount_label.setText("&Devices" if devices else "&Amount")
        self.amount.setAccessibleName("Devices" if devices else "Amount")
        self.amount.setPlaceholderText("devices" if devices else "")
        self.update_calc()

    def preview(self) -> DoseCalc:
        return validate_dose(
            self.host.protocol,
            medication=self.medication.currentText(),
            route=self.current_route(),
            amount=self.amount.text(),
            unit=self.current_unit(),
            weight_kg=self._weight,
        )

    def update_calc(self) -> None:
        if not self.amount.text().strip():
            unit = self.current_unit().label
            set_message(self.calc, f"Enter the amount in {unit}.", "normal")
            return
        try:
            calc = self.preview()
        except ValidationError as exc:
            set_message(self.calc, exc.message, "elevated")
            return
        text = calc_line(calc, self.host.protocol.intranasal_device_mg)
        if calc.over_limit:
            text += f"\nAbove the maximum: {calc.limit_message} A clinician must confirm it."
        set_message(self.calc, text, "elevated" if calc.over_limit else "normal")

    def _load_users(self) -> None:
        from kapdesk.services.users import UserService

        actor = self.host.app.actor
        if actor is None or self._users_for == actor.user_id:
            return
        self.given_by.clear()
        for u in UserService(self.host.app.ctx).list_users():
            if u.active and can(u.role, Action.RECORD_DOSE):
                self.given_by.addItem(f"{u.full_name} ({u.role.value})", u.id)
        self.given_by.setCurrentIndex(max(self.given_by.findData(actor.user_id), 0))
        self._users_for = actor.user_id

    # ------------------------------------------------------------ showing

    def show_detail(self, detail: SessionDetail) -> None:
        self._load_users()
        state = SessionState(detail.session.state)
        self._weight = detail.session.weight_kg
        first_dose = not detail.doses
        if detail.doses and detail.doses != self._doses:
            index = self.route.findData(detail.doses[0].route)
            if index >= 0 and self._doses == ():
                self.route.setCurrentIndex(index)
        if state in (SessionState.SCHEDULED, SessionState.CHECKED_IN):
            hint, open_ = "Record the pre-dose vitals first (step 2).", False
        elif state is SessionState.PRE_DOSE_VITALS and detail.hold_active:
            hint, open_ = "Dose on hold: see step 2 (recheck or a clinician's override).", False
        elif state is SessionState.PRE_DOSE_VITALS or state in AFTER_DOSE_STATES:
            hint, open_ = "", True
        else:
            hint, open_ = f"The session is {state.label}: no more doses.", False
        if open_ and not self.host.can(Action.RECORD_DOSE):
            hint = self.host.cannot("record doses")
            open_ = False
        if open_ and self._weight is None:
            hint = "No weight today yet (step 1): doses can be entered in mg only."
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        for w in (
            self.medication,
            self.route,
            self.amount,
            self.unit,
            self.time,
            self.lot,
            self.given_by,
            self.record_button,
        ):
            w.setEnabled(open_)
        self.booster.setText(
            "" if first_dose else f"Booster: this will be dose {len(detail.doses) + 1}."
        )
        self.booster.setVisible(not first_dose and open_)
        if detail.doses != self._doses:
            self._fill_table(detail.doses)
            self._doses = detail.doses
        self.update_calc()

    def _fill_table(self, doses: tuple[DoseInfo, ...]) -> None:
        self.table.setRowCount(len(doses))
        for row, d in enumerate(doses):
            amount = f"{_fmt(d.amount)} {DoseUnit(d.unit).label}"
            note = ""
            if d.over_limit:
                note = f"Above max, confirmed by {d.confirmed_by}: {d.confirmation_reason}"
            values = (
                local_hhmm(d.given_at),
                d.medication,
                ROUTE_LABELS.get(Route(d.route), d.route),
                amount,
                f"{d.mg:.1f}",
                d.lot_number,
                d.given_by,
                "booster" if d.is_booster else "first",
                note,
            )
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if d.over_limit and col == len(values) - 1:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)

    def tick(self, now: datetime) -> None:
        self.time.follow(now)

    def first_input(self) -> QWidget | None:
        return self.amount if self.amount.isEnabled() else None

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
            reason = ReasonDialog.ask(
                self,
                "Dose above the protocol maximum",
                f"{calc_line(calc, self.host.protocol.intranasal_device_mg)}. "
                f"{calc.limit_message} Confirm this dose and give the reason; "
                "the confirmation is kept with the dose record.",
                "&Confirm dose",
            )
            if reason is None:
                return
        now = self.host.now()
        given_by = self.given_by.currentData()
        info = attempt(
            lambda: DoseService(self.host.app.ctx).record(
                self.host.actor(),
                self.host.session_id,
                medication=self.medication.currentText(),
                route=self.current_route(),
                amount=self.amount.text(),
                unit=self.current_unit(),
                lot_number=self.lot.text(),
                given_at=self.time.moment(now),
                given_by_user_id=None if given_by is None else int(given_by),
                confirm_over_max=reason is not None,
                confirmation_reason=reason,
            ),
            message=self.message,
            field_error=self._field_error,
        )
        if info is None:
            return
        self.amount.clear()
        self.time.reset(now)
        self.host.changed("dose", info.id)
