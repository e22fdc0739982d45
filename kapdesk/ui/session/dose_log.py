"""The dose log's pieces that are not the form: the calculator line, the table of doses
given, and what an override of a refused dose asks (used by ``dose.DosePage``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from kapdesk.domain.dosing import ROUTE_LABELS, DoseCalc, DoseUnit, format_amount
from kapdesk.domain.gates import Block, GateKind, block_message
from kapdesk.domain.protocol import Route
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.wording import shown
from kapdesk.i18n import _
from kapdesk.i18n.formats import decimal
from kapdesk.ui.entered_in_error import EntryMenu, table_menu
from kapdesk.ui.entry_rows import dose_entry, fill_entry_rows
from kapdesk.ui.session.common import AFTER_DOSE_STATES, local_hhmm, moment_text, translate
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP
from kapdesk.ui.widgets.fit import fit_columns

if TYPE_CHECKING:
    from kapdesk.services.dtos import DoseInfo
    from kapdesk.ui.app_context import AppContext

COLUMNS = (
    QT_TRANSLATE_NOOP("DosePage", "Time"),
    QT_TRANSLATE_NOOP("DosePage", "Medication"),
    QT_TRANSLATE_NOOP("DosePage", "Route"),
    QT_TRANSLATE_NOOP("DosePage", "Amount"),
    QT_TRANSLATE_NOOP("DosePage", "mg"),
    QT_TRANSLATE_NOOP("DosePage", "Lot"),
    QT_TRANSLATE_NOOP("DosePage", "Given by"),
    QT_TRANSLATE_NOOP("DosePage", "Booster"),
    QT_TRANSLATE_NOOP("DosePage", "Note"),
)


def _fmt(x: float) -> str:
    """An amount as typed, never rounded, with the language's decimal sign."""
    return decimal(format_amount(x))


def _one(x: float, digits: int) -> str:
    """``x`` to ``digits`` decimals with the language's decimal sign ('35,0')."""
    return decimal(f"{x:.{digits}f}")


def devices_text(n: float) -> str:
    """'1 device', '3 devices', '1.5 devices' in the language shown."""
    if n == 1:
        return translate("DosePage", "1 device")
    shown = str(int(n)) if float(n).is_integer() else decimal(f"{n:g}")
    return translate("DosePage", "{n} devices").format(n=shown)


def calc_line(calc: DoseCalc, device_mg: float) -> str:
    """'0.5 mg/kg × 70.0 kg = 35.0 mg', '3 devices × 28 mg = 84.0 mg', '12.35 mg'."""
    if calc.unit is DoseUnit.MG_PER_KG:
        weight = calc.weight_kg or 0.0
        amount = _fmt(calc.amount_entered)
        return f"{amount} mg/kg × {_one(weight, 1)} kg = {_one(calc.mg, 1)} mg"
    if calc.unit is DoseUnit.DEVICE:
        devices = devices_text(calc.amount_entered)
        return f"{devices} × {_fmt(device_mg)} mg = {_one(calc.mg, 1)} mg"
    text = f"{_fmt(calc.mg)} mg"
    if calc.mg_per_kg is not None and calc.weight_kg is not None:
        text += translate("DosePage", " = {mg_per_kg} mg/kg at {weight} kg").format(
            mg_per_kg=_one(calc.mg_per_kg, 2), weight=_one(calc.weight_kg, 1)
        )
    return text


def dose_row(d: DoseInfo) -> tuple[str, ...]:
    """One dose as the table shows it (COLUMNS); the note holds confirmation and warnings."""
    amount = f"{_fmt(d.amount)} {_(DoseUnit(d.unit).label)}"
    notes: list[str] = []
    if d.over_limit:
        above = translate("DosePage", "Above max, confirmed by {name}: {reason}")
        notes.append(above.format(name=d.confirmed_by, reason=d.confirmation_reason))
    acknowledged = translate("DosePage", "Acknowledged: {warning}")
    notes += [acknowledged.format(warning=shown(w)) for w in d.warnings]
    mg = _fmt(d.mg) if d.unit == DoseUnit.MG.value else _one(d.mg, 1)
    route = Route(d.route)
    return (
        moment_text(d.given_at, d.recorded_at),
        _(d.medication),
        _(ROUTE_LABELS[route]) if route in ROUTE_LABELS else d.route,
        amount,
        mg,
        d.lot_number,
        d.given_by,
        translate("DosePage", "booster") if d.is_booster else translate("DosePage", "first"),
        " ".join(notes),
    )


def doses_table(app: AppContext, root: QVBoxLayout) -> tuple[QTableWidget, EntryMenu]:
    """The doses given, headed, at the foot of the dose step; its menu marks a dose
    entered in error."""
    table = QTableWidget(0, len(COLUMNS))
    table.setHorizontalHeaderLabels([translate("DosePage", c) for c in COLUMNS])
    doses_given = translate("DosePage", "Doses given")
    table.setAccessibleName(doses_given)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    fit_columns(table, {1: 2, 3: 1, 6: 2, 8: 3})  # these wrap in what is left
    table.setMinimumHeight(110)
    menu = table_menu(app, table)
    root.addWidget(QLabel(doses_given))
    root.addWidget(table, 1)
    return table, menu


def fill_dose_table(table: QTableWidget, doses: tuple[DoseInfo, ...]) -> None:
    """One row per dose; one entered in error struck through, with who, when and why."""
    rows = []
    for d in doses:
        values = dose_row(d)
        items = [QTableWidgetItem(text) for text in values]
        if d.over_limit or d.warnings:
            items[-1].setForeground(Qt.GlobalColor.darkRed)
        rows.append((dose_entry(d), items))
    fill_entry_rows(table, rows)


def override_prompt(block: Block) -> tuple[str, str]:
    """The override dialog's title and introduction for what refuses the next dose."""
    refused = capital(block_message(block, local_hhmm))
    if block.kind is GateKind.CHECKLIST and block.item is not None:
        return translate("DosePage", "Override checklist item"), translate(
            "DosePage",
            "{reason} Dosing past it needs the prescriber's name and a reason; both are "
            "stored with the session.",
        ).format(reason=refused)
    if block.kind is GateKind.PRE_DOSE_HOLD:
        title = translate("DosePage", "Override pre-dose hold")
    else:
        title = translate("DosePage", "Override booster gate")
    return title, translate(
        "DosePage",
        "{reason} The override names this reading; the prescriber's name and the reason "
        "are stored with the session.",
    ).format(reason=refused)


def dose_hint(state: SessionState, held: bool, first_dose: bool) -> tuple[str, bool]:
    """What the dose step says under its title, and whether a dose may be entered (before
    the user's permission and the weight are asked)."""
    if state in (SessionState.SCHEDULED, SessionState.CHECKED_IN):
        return translate("DosePage", "Record the pre-dose vitals first (step 2)."), False
    if held and not first_dose:
        return translate(
            "DosePage", "Booster on hold: refused until the gate below is lifted."
        ), False
    if held:
        return translate("DosePage", "Dose on hold: refused until the gate below is lifted."), False
    if state is SessionState.PRE_DOSE_VITALS or state in AFTER_DOSE_STATES:
        return "", True
    text = translate("DosePage", "The session is {state}: no more doses.")
    return text.format(state=state.label), False


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
