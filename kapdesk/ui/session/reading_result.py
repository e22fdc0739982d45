"""The latest reading with its classification, the rule that fired, its provenance,
the protocol's action and the recheck countdown (pre-dose and monitoring steps).

Given the session's schedule, the recheck line follows the reading's RECHECK item
(``kapdesk.domain.schedule``): due, overdue, missed, or done – and nothing once the
item is gone (a pre-dose recheck after the dose), so no stale "recheck due"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kapdesk.domain.protocol import Anchor, Phase
from kapdesk.domain.schedule import DueItem, ItemStatus
from kapdesk.domain.vitals import VitalsInput, shown_assessment, within_limits_text
from kapdesk.i18n import _
from kapdesk.ui.session.common import (
    band_word,
    countdown,
    local_hhmm,
    message_label,
    reading_line,
    recheck_minutes,
    rule_actions,
    set_message,
    translate,
)

if TYPE_CHECKING:
    from kapdesk.domain.protocol import Protocol
    from kapdesk.services.dtos import ReadingInfo


def band_words(r: ReadingInfo) -> str:
    """'Elevated', or for a reading that reached no limit what the protocol says:
    'Within kap-default v1.0 post-dose limits' (never a bare "Normal")."""
    if r.band != "normal":
        band = band_word(r.band)
        return band[:1].upper() + band[1:]
    try:
        return within_limits_text(r.protocol_label, Phase(r.phase)).shown()
    except ValueError:
        text = translate("ReadingResult", "Within {protocol} limits")
        return text.format(protocol=r.protocol_label)


def _values(r: ReadingInfo) -> VitalsInput:
    return VitalsInput(r.systolic, r.diastolic, r.pulse, r.spo2)


def assessment_words(r: ReadingInfo, readings: Sequence[ReadingInfo], protocol: Protocol) -> str:
    """The reading's stored assessment in the active language, derived again with the
    session's earlier readings of its phase and (post-dose) the latest pre-dose one as the
    baseline; the stored English where that does not give it back word for word."""
    try:
        phase = Phase(r.phase)
    except ValueError:
        return r.assessment
    earlier = sorted(
        (x for x in readings if x.error is None and (x.taken_at, x.id) < (r.taken_at, r.id)),
        key=lambda x: (x.taken_at, x.id),
    )
    previous = [_values(x) for x in earlier if x.phase == r.phase]
    pre = [_values(x) for x in earlier if x.phase == Phase.PRE_DOSE.value]
    baseline = pre[-1] if phase is Phase.POST_DOSE and pre else None
    return shown_assessment(r.assessment, _values(r), protocol, phase, previous, baseline)


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
        self.result = message_label(translate("ReadingResult", "Classification"), kind="status")
        self.provenance = QLabel()
        self.provenance.setObjectName("pageSubtitle")
        self.provenance.setWordWrap(True)
        self.provenance.setAccessibleName(translate("ReadingResult", "Rule and provenance"))
        self.recheck = message_label(translate("ReadingResult", "Recheck"), kind="status")
        lay.addWidget(self.result)
        lay.addWidget(self.provenance)
        lay.addWidget(self.recheck)
        self.recheck_at: datetime | None = None
        self.recheck_item: DueItem | None = None
        self._minutes = 0

    def show_reading(
        self,
        latest: ReadingInfo | None,
        *,
        running: bool,
        schedule: Sequence[DueItem] | None = None,
        readings: Sequence[ReadingInfo] = (),
    ) -> None:
        """``readings``: the session's, for the assessment's words in the active language."""
        self.recheck_item = None
        if latest is None:
            set_message(self.result, "")
            self.provenance.setText("")
            self.recheck_at = None
            return
        text = f"{self.prefix}{reading_line(latest)}  →  {band_words(latest)}"
        self.result.setProperty("reading_band", latest.band)
        set_message(self.result, text, LINE_STYLE.get(latest.band, "normal"))
        actions = rule_actions(self.protocol, latest)
        said = translate("ReadingResult", "Protocol action: {action}")
        assessment = assessment_words(latest, readings, self.protocol)
        self.provenance.setText(
            "\n".join([assessment, *(said.format(action=_(a)) for a in actions)])
        )
        minutes = recheck_minutes(self.protocol, latest)
        self._minutes = minutes or 0
        self.recheck_at = (
            latest.taken_at + timedelta(minutes=minutes)
            if minutes is not None and running
            else None
        )
        if schedule is not None:  # the schedule's recheck item decides (one definition)
            self.recheck_item = next(
                (
                    i
                    for i in schedule
                    if i.anchor is Anchor.RECHECK and i.recheck_of == latest.taken_at
                ),
                None,
            )
            self.recheck_at = self.recheck_item.opens_at if self.recheck_item else None
            if self.recheck_item is not None and self.recheck_item.opens_at is not None:
                gap = self.recheck_item.opens_at - latest.taken_at
                self._minutes = int(gap.total_seconds() // 60)

    def tick(self, now: datetime) -> None:
        item = self.recheck_item
        if item is not None:
            self._tick_item(item, now)
            return
        if self.recheck_at is None:
            set_message(self.recheck, "")
            return
        words = self.recheck_words.format(min=self._minutes)
        left = self.recheck_at - now
        at = local_hhmm(self.recheck_at)
        if left > timedelta(0):
            text = translate("ReadingResult", "{recheck}: at {time} (in {left}).")
            text = text.format(recheck=words, time=at, left=countdown(left))
        else:
            text = translate("ReadingResult", "{recheck}: due now (since {time}).")
            text = text.format(recheck=words, time=at)
        set_message(self.recheck, text, "elevated")

    def _tick_item(self, item: DueItem, now: datetime) -> None:
        words = self.recheck_words.format(min=self._minutes)
        status = item.status_at(now)
        if status is ItemStatus.DONE and item.satisfied_by is not None:
            late = "" if item.on_time else translate("ReadingResult", " (late)")
            text = translate("ReadingResult", "{recheck}: taken {time}{late}.")
            set_message(
                self.recheck,
                text.format(recheck=words, time=local_hhmm(item.satisfied_by), late=late),
            )
        elif status is ItemStatus.UPCOMING and item.opens_at is not None:
            left = countdown(item.opens_at - now)
            text = translate("ReadingResult", "{recheck}: at {time} (in {left}).")
            set_message(
                self.recheck,
                text.format(recheck=words, time=local_hhmm(item.opens_at), left=left),
                "elevated",
            )
        elif status is ItemStatus.DUE and item.opens_at is not None:
            text = translate("ReadingResult", "{recheck}: due now (since {time}).")
            set_message(
                self.recheck, text.format(recheck=words, time=local_hhmm(item.opens_at)), "elevated"
            )
        elif status is ItemStatus.OVERDUE and item.closes_at is not None:
            text = translate("ReadingResult", "{recheck}: OVERDUE since {time}.")
            set_message(
                self.recheck,
                text.format(recheck=words, time=local_hhmm(item.closes_at)),
                "critical",
            )
        elif status is ItemStatus.MISSED:
            text = translate("ReadingResult", "{recheck}: missed.")
            set_message(self.recheck, text.format(recheck=words), "critical")
        else:
            set_message(self.recheck, "")
