"""The dose log's pieces that are not the form: the calculator line, the table of doses
given, and what an override of a refused dose asks (used by ``dose.DosePage``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from kapdesk.domain.dosing import ROUTE_LABELS, DoseCalc, DoseUnit, format_amount
from kapdesk.domain.gates import Block, GateKind, block_message
from kapdesk.domain.protocol import Route
from kapdesk.domain.text import counted
from kapdesk.ui.entry_rows import dose_entry, fill_entry_rows
from kapdesk.ui.session.common import local_hhmm, moment_text

if TYPE_CHECKING:
    from kapdesk.services.dtos import DoseInfo

COLUMNS = ("Time", "Medication", "Route", "Amount", "mg", "Lot", "Given by", "Booster", "Note")


_fmt = format_amount  # amounts as typed, never rounded


def calc_line(calc: DoseCalc, device_mg: float) -> str:
    """'0.5 mg/kg × 70.0 kg = 35.0 mg', '3 devices × 28 mg = 84.0 mg', '12.35 mg'."""
    if calc.unit is DoseUnit.MG_PER_KG:
        weight = calc.weight_kg or 0.0
        return f"{_fmt(calc.amount_entered)} mg/kg × {weight:.1f} kg = {calc.mg:.1f} mg"
    if calc.unit is DoseUnit.DEVICE:
        devices = counted(calc.amount_entered, "device")
        return f"{devices} × {_fmt(device_mg)} mg = {calc.mg:.1f} mg"
    text = f"{_fmt(calc.mg)} mg"
    if calc.mg_per_kg is not None and calc.weight_kg is not None:
        text += f" = {calc.mg_per_kg:.2f} mg/kg at {calc.weight_kg:.1f} kg"
    return text


def dose_row(d: DoseInfo) -> tuple[str, ...]:
    """One dose as the table shows it (COLUMNS); the note holds confirmation and warnings."""
    amount = f"{_fmt(d.amount)} {DoseUnit(d.unit).label}"
    notes: list[str] = []
    if d.over_limit:
        notes.append(f"Above max, confirmed by {d.confirmed_by}: {d.confirmation_reason}")
    notes += [f"Acknowledged: {w}" for w in d.warnings]
    mg = _fmt(d.mg) if d.unit == DoseUnit.MG.value else f"{d.mg:.1f}"
    return (
        moment_text(d.given_at, d.recorded_at),
        d.medication,
        ROUTE_LABELS.get(Route(d.route), d.route),
        amount,
        mg,
        d.lot_number,
        d.given_by,
        "booster" if d.is_booster else "first",
        " ".join(notes),
    )


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
        return "Override checklist item", (
            f"{refused} Dosing past it needs the "
            "prescriber's name and a reason; both are stored with the session."
        )
    pre = block.kind is GateKind.PRE_DOSE_HOLD
    return "Override pre-dose hold" if pre else "Override booster gate", (
        f"{refused} The override names this "
        "reading; the prescriber's name and the reason are stored with the session."
    )


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
