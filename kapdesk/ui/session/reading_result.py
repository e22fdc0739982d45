"""The latest reading with its classification, the rule that fired, its provenance,
the protocol's action and the recheck countdown (pre-dose and monitoring steps)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kapdesk.ui.session.common import (
    countdown_text,
    local_hhmm,
    message_label,
    reading_line,
    recheck_minutes,
    rule_actions,
    set_message,
)

if TYPE_CHECKING:
    from kapdesk.domain.protocol import Protocol
    from kapdesk.services.dtos import ReadingInfo

# Styling of the status line per band (kapdesk.qss: amber for elevated, red for alert
# and critical, as gui.md asks).
LINE_STYLE: Final = {
    "normal": "normal",
    "elevated": "elevated",
    "alert": "critical",
    "critical": "critical",
}


class ReadingResult(QWidget):
    def __init__(self, protocol: Protocol, *, recheck_words: str, prefix: str = "") -> None:
        super().__init__()
        self.protocol = protocol
        self.recheck_words = recheck_words  # 'Recheck after {min} min rest'
        self.prefix = prefix
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.result = message_label("Classification", kind="status")
        self.provenance = QLabel()
        self.provenance.setObjectName("pageSubtitle")
        self.provenance.setWordWrap(True)
        self.provenance.setAccessibleName("Rule and provenance")
        self.recheck = message_label("Recheck", kind="status")
        lay.addWidget(self.result)
        lay.addWidget(self.provenance)
        lay.addWidget(self.recheck)
        self.recheck_at: datetime | None = None
        self._minutes = 0

    def show_reading(self, latest: ReadingInfo | None, *, running: bool) -> None:
        if latest is None:
            set_message(self.result, "")
            self.provenance.setText("")
            self.recheck_at = None
            return
        text = f"{self.prefix}{reading_line(latest)}  →  {latest.band.capitalize()}"
        self.result.setProperty("reading_band", latest.band)
        set_message(self.result, text, LINE_STYLE.get(latest.band, "normal"))
        actions = rule_actions(self.protocol, latest)
        self.provenance.setText(
            "\n".join([latest.assessment, *(f"Protocol action: {a}" for a in actions)])
        )
        minutes = recheck_minutes(self.protocol, latest)
        self._minutes = minutes or 0
        self.recheck_at = (
            latest.taken_at + timedelta(minutes=minutes)
            if minutes is not None and running
            else None
        )

    def tick(self, now: datetime) -> None:
        if self.recheck_at is None:
            set_message(self.recheck, "")
            return
        words = self.recheck_words.format(min=self._minutes)
        left = (self.recheck_at - now).total_seconds()
        if left > 0:
            text = f"{words}: at {local_hhmm(self.recheck_at)} (in {countdown_text(left)})."
        else:
            text = f"{words}: due now (since {local_hhmm(self.recheck_at)})."
        set_message(self.recheck, text, "elevated")
