"""The header over every step: who, where, which protocol, the state, the clock since
the first dose, the next reading due with its countdown, and the current hold or alert."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QWidget

from kapdesk.domain.discharge_record import against_criteria_text, discharged_against_criteria
from kapdesk.domain.gates import (
    GateKind,
    GateOverride,
    OverrideKind,
    block_message,
    override_text,
)
from kapdesk.domain.schedule import ItemStatus, next_due
from kapdesk.domain.session_state import ACTIVE, SessionState, state_title
from kapdesk.domain.wording import shown
from kapdesk.i18n.formats import decimal
from kapdesk.ui.entry_rows import standing
from kapdesk.ui.models.board import room_text
from kapdesk.ui.session.common import band_word, countdown, duration, local_hhmm, translate

if TYPE_CHECKING:
    from kapdesk.domain.protocol import Protocol
    from kapdesk.services.dtos import OverrideInfo, ReadingInfo
    from kapdesk.services.screen_dtos import SessionDetail

# gui.md palette: (background, text, border)
LEVEL_STYLES: Final = {
    "": "",
    "info": "color: #2f4f3a; background: #e7f1ea; border: 1px solid #b7d3bf;",
    "due": "color: #7a4b00; background: #f5c26b; border: 1px solid #d9a441; font-weight: bold;",
    "elevated": "color: #7a4b00; background: #fdf0d6; border: 1px solid #f5c26b;",
    "overdue": "color: #7f0000; background: #e57373; border: 1px solid #c75151; font-weight: bold;",
    "alert": "color: #7f0000; background: #fbe4e4; border: 1px solid #e57373; font-weight: bold;",
}


_CHIP_BOX: Final = "border-radius: 3px; padding: 3px 8px;"


def _chip(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setProperty("level", "")
    label.setStyleSheet(f"QLabel {{ border: 1px solid transparent; {_CHIP_BOX} }}")
    # Hidden, a chip keeps its line: the hold or next reading appearing moves no button.
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.hide()
    return label


class ClockLabel(QLabel):
    """The clock since the dose: on one line where the header has room, else wrapped onto
    two (1024 px: "Dose 10:30 · observed 2 h 04 min" beside the name and the buttons,
    longer in another language), never cut."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)

    def _line_width(self) -> int:
        self.ensurePolished()
        margins = self.contentsMargins()
        extra = margins.left() + margins.right() + 2 * self.margin() + 2
        return self.fontMetrics().horizontalAdvance(self.text()) + extra

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self._line_width(), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self._line_width() * 3 // 5), hint.height())


def _two_lines(label: QLabel) -> int:
    """The height of two lines of ``label`` in its style (font, padding, border; bold)."""
    label.ensurePolished()
    font = label.font()
    font.setBold(True)
    lines = 2 * max(QFontMetrics(font).lineSpacing(), label.fontMetrics().lineSpacing())
    margins = label.contentsMargins()
    return lines + margins.top() + margins.bottom() + 2 * (label.margin() + 4)


def set_level(label: QLabel, text: str, level: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))
    if label.property("level") != level:
        label.setProperty("level", level)
        style = LEVEL_STYLES.get(level, "")
        label.setStyleSheet(f"QLabel {{ {style} {_CHIP_BOX} }}")


def override_of(overrides: Iterable[OverrideInfo], reading_id: int) -> OverrideInfo | None:
    """The latest override naming the reading, if any."""
    named = [o for o in overrides if o.kind == "reading" and o.reading_id == reading_id]
    return max(named, key=lambda o: (o.recorded_at, o.id)) if named else None


def gate_override(o: OverrideInfo) -> GateOverride:
    return GateOverride(
        id=o.id,
        kind=OverrideKind(o.kind),
        reading_id=o.reading_id,
        item_id=o.item_id,
        prescriber_name=o.prescriber_name,
        reason=o.reason,
        recorded_at=o.recorded_at,
        recorded_by=o.recorded_by,
    )


def _value_text(detail: SessionDetail, r: ReadingInfo) -> str:
    """The values the reading's alert names ('SpO2 88 %'); else its BP."""
    alert = next((a for a in detail.alerts if a.reading_id == r.id), None)
    if alert is not None:
        return alert.value_text
    return translate("SessionHeader", "BP {systolic}/{diastolic}").format(
        systolic=r.systolic, diastolic=r.diastolic
    )


def state_text(state: SessionState) -> str:
    return state_title(state)


class SessionHeader(QFrame):
    def __init__(self, protocol: Protocol, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.protocol = protocol
        self.setObjectName("sessionHeader")
        self.setStyleSheet(
            "QFrame#sessionHeader { background: #ffffff; border: 1px solid #d5dae0;"
            " border-radius: 4px; }"
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setHorizontalSpacing(16)
        self.patient = QLabel()
        self.patient.setObjectName("pageTitle")
        self.patient.setAccessibleName(translate("SessionHeader", "Patient"))
        self.facts = QLabel()
        self.facts.setObjectName("pageSubtitle")
        self.facts.setAccessibleName(translate("SessionHeader", "Session"))
        self.facts.setWordWrap(True)  # room, protocol, state, weight: all read at 1024 px
        self.clock = ClockLabel()
        self.clock.setAccessibleName(translate("SessionHeader", "Since dose"))
        self.clock.setStyleSheet("font-size: 15pt; color: #22272e;")
        self.next = _chip(translate("SessionHeader", "Next reading"))
        self.alert = _chip(translate("SessionHeader", "Hold or alert"))
        # Allergies and contraindications on every step: impossible to miss when present.
        self.allergies = _chip(translate("SessionHeader", "Allergies"))
        self.contraindications = _chip(translate("SessionHeader", "Contraindications"))
        safety = QHBoxLayout()
        safety.setSpacing(8)
        safety.addWidget(self.allergies, 1)
        safety.addWidget(self.contraindications, 1)
        grid.addWidget(self.patient, 0, 0)
        grid.addWidget(self.clock, 0, 1)
        grid.addWidget(self.facts, 1, 0)
        grid.addWidget(self.next, 1, 1, 1, 2)  # under the clock and the tools: room to read
        grid.addLayout(safety, 2, 0, 1, 2)
        grid.addWidget(self.alert, 3, 0, 1, 3)
        # Two lines kept for the hold or alert, the facts (a longer state word) and the next
        # reading, shown or not, one line or two: their text changing moves no button.
        for label in (self.alert, self.next, self.facts):
            label.setMinimumHeight(_two_lines(label))
        grid.setColumnStretch(0, 1)
        self._detail: SessionDetail | None = None

    def add_tools(self, tools: QWidget) -> None:
        """Page-wide buttons (print, save as PDF) in the top-right corner."""
        grid = self.layout()
        if isinstance(grid, QGridLayout):
            grid.addWidget(tools, 0, 2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

    def show_detail(self, detail: SessionDetail, now: datetime) -> None:
        self._detail = detail
        s = detail.session
        state = SessionState(s.state)
        self.patient.setText(f"{s.patient_name}  ·  {s.mrn}")
        facts = f"{room_text(s.room)}  ·  {s.protocol_label}  ·  {state_text(state)}"
        if s.weight_kg is not None:
            weight = decimal(f"{s.weight_kg:g}")
            facts += translate("SessionHeader", "  ·  weight {weight} kg").format(weight=weight)
        if s.same_day_reason:
            facts += translate(
                "SessionHeader", "  ·  second dosing session today: {reason}"
            ).format(reason=s.same_day_reason)
        self.facts.setText(facts)
        self._show_safety(detail)
        self._show_alert(detail)
        self.tick(now)

    def _show_safety(self, detail: SessionDetail) -> None:
        allergies = " ".join(detail.patient.allergies.split())
        contra = " ".join(detail.patient.contraindications.split())
        if allergies:
            text = translate("SessionHeader", "⚠ Allergies: {allergies}")
            set_level(self.allergies, text.format(allergies=allergies), "alert")
        else:
            set_level(self.allergies, translate("SessionHeader", "No known allergies"), "info")
        if contra:
            text = translate("SessionHeader", "⚠ Contraindications: {contraindications}")
            set_level(self.contraindications, text.format(contraindications=contra), "elevated")
        else:
            text = translate("SessionHeader", "No contraindications recorded")
            set_level(self.contraindications, text, "info")

    def _show_alert(self, detail: SessionDetail) -> None:
        s = detail.session
        state = SessionState(s.state)
        standing_readings = standing(detail.readings)  # not those entered in error
        latest = standing_readings[-1] if standing_readings else None
        # A checklist item not answered yet is a step still to do (step 1), not an alarm.
        blocks = [
            b
            for b in (detail.gate.blocks if detail.gate is not None else ())
            if not (b.kind is GateKind.CHECKLIST and b.answer is None)
        ]
        if state is SessionState.DISCHARGED and s.discharged_at is not None:
            if discharged_against_criteria(s.discharge_criteria, s.discharge_reason):
                text = translate("SessionHeader", "{against_criteria} (at {time})").format(
                    against_criteria=against_criteria_text(s.discharge_reason),
                    time=local_hhmm(s.discharged_at),
                )
                set_level(self.alert, text, "elevated")
            else:
                text = translate("SessionHeader", "Discharged at {time}")
                set_level(self.alert, text.format(time=local_hhmm(s.discharged_at)), "info")
        elif state in (SessionState.CANCELLED, SessionState.DOSE_WITHHELD):
            set_level(self.alert, f"{state_text(state)}: {s.state_reason or ''}", "info")
        elif blocks and state in ACTIVE:
            text = translate("SessionHeader", "Dose on hold: {reason}").format(
                reason=block_message(blocks[0], local_hhmm)
            )
            if len(blocks) > 1:
                more = translate("SessionHeader", " (and {n} more: see the dose step)")
                text += more.format(n=len(blocks) - 1)
            set_level(self.alert, text, "alert")
        elif detail.hold_active and latest is not None:
            text = translate(
                "SessionHeader",
                "Dose on hold: pre-dose BP {systolic}/{diastolic} is {band} ({protocol}) – "
                "recheck after rest or a clinician's override (step 2).",
            )
            set_level(
                self.alert,
                text.format(
                    systolic=latest.systolic,
                    diastolic=latest.diastolic,
                    band=band_word(latest.band),
                    protocol=latest.protocol_label,
                ),
                "alert",
            )
        elif latest is not None and latest.band != "normal" and state in ACTIVE:
            level = "elevated" if latest.band == "elevated" else "alert"
            rules = {r.id: r for r in self.protocol.vital_rules}
            fired = [rules[i] for i in latest.rules if i in rules]
            why = "; ".join(shown(r.describe()) for r in fired)
            action = f" – {shown(fired[0].action)}" if fired else ""
            override = override_of(detail.overrides, latest.id)
            if override is not None:  # the clinician's decision replaces "override needed"
                action = f" – {override_text(gate_override(override), local_hhmm)}"
                level = "elevated"
            text = translate(
                "SessionHeader", "{band} at {time}: {values} ({why}, {protocol}){action}"
            )
            band = band_word(latest.band)
            set_level(
                self.alert,
                text.format(
                    band=band[:1].upper() + band[1:],
                    time=local_hhmm(latest.taken_at),
                    values=_value_text(detail, latest),
                    why=why,
                    protocol=latest.protocol_label,
                    action=action,
                ),
                level,
            )
        else:
            set_level(self.alert, "", "")

    def tick(self, now: datetime) -> None:
        detail = self._detail
        if detail is None:
            return
        s = detail.session
        state = SessionState(s.state)
        first = s.first_dose_at
        if first is None:
            self.clock.setText(translate("SessionHeader", "No dose yet"))
        elif s.discharged_at is not None:
            text = translate("SessionHeader", "Dose {time} · observed {duration}")
            observed = duration(s.discharged_at - first)
            self.clock.setText(text.format(time=local_hhmm(first), duration=observed))
        else:
            text = translate("SessionHeader", "Since dose {duration}")
            self.clock.setText(text.format(duration=duration(now - first)))
        item = next_due(detail.schedule, now) if state in ACTIVE else None
        if item is None:
            set_level(self.next, "", "")
            return
        status = item.status_at(now)
        label = shown(item.label)
        if status is ItemStatus.OVERDUE and item.closes_at is not None:
            text = translate("SessionHeader", "{reading}: OVERDUE by {late}")
            late = duration(now - item.closes_at)
            set_level(self.next, text.format(reading=label, late=late), "overdue")
        elif status is ItemStatus.DUE:
            if item.closes_at is None:
                text = translate("SessionHeader", "{reading}: due now")
                set_level(self.next, text.format(reading=label), "due")
            else:
                text = translate("SessionHeader", "{reading}: due now, closes in {left}")
                left = countdown(item.closes_at - now)
                set_level(self.next, text.format(reading=label, left=left), "due")
        elif item.opens_at is not None:
            text = translate("SessionHeader", "Next: {reading} in {left}")
            left = countdown(item.opens_at - now)
            set_level(self.next, text.format(reading=label, left=left), "info")
        else:
            text = translate("SessionHeader", "Next: {reading}")
            set_level(self.next, text.format(reading=label), "info")
