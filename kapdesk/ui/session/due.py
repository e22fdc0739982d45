"""The protocol's due readings as text: status, window and countdown at a moment.

Statuses are ``kapdesk.domain.schedule``'s: an overdue reading says when it will
count as missed; a missed one stays listed ("not taken") and is counted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from kapdesk.domain.protocol import Anchor
from kapdesk.domain.schedule import DueItem, ItemStatus
from kapdesk.ui.session.common import countdown, duration, local_hhmm, translate
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP

# gui.md palette: (background, text)
STATUS_COLORS: Final = {
    "due": ("#f5c26b", "#7a4b00"),
    "overdue": ("#e57373", "#7f0000"),
    "missed": ("#fbe4e4", "#7f0000"),
    "done late": ("#fdf0d6", "#7a4b00"),
    "done on time": ("#e7f1ea", "#2f4f3a"),
}


# The status column as read (the keys are the statuses' codes, as STATUS_COLORS).
STATUS_WORDS: Final = {
    "upcoming": QT_TRANSLATE_NOOP("MonitoringPage", "upcoming"),
    "due": QT_TRANSLATE_NOOP("MonitoringPage", "due"),
    "overdue": QT_TRANSLATE_NOOP("MonitoringPage", "overdue"),
    "missed": QT_TRANSLATE_NOOP("MonitoringPage", "missed"),
    "done late": QT_TRANSLATE_NOOP("MonitoringPage", "done late"),
    "done on time": QT_TRANSLATE_NOOP("MonitoringPage", "done on time"),
}


def status_text(item: DueItem, now: datetime) -> str:
    """upcoming / due / overdue / done on time / done late / missed (codes: the colours and
    the chart's windows go by them; :func:`status_words` is what is shown)."""
    status = item.status_at(now)
    if status is ItemStatus.DONE:
        return "done late" if item.on_time is False else "done on time"
    return status.value


def status_words(status: str) -> str:
    """A status code as the due readings table shows it ('due' -> 'devida')."""
    source = STATUS_WORDS.get(status)
    return status if source is None else translate("MonitoringPage", source)


def window_text(item: DueItem) -> str:
    if item.anchor is Anchor.PRE_DOSE:
        return translate("MonitoringPage", "before the dose")
    if item.opens_at is None:
        return ""
    if item.anchor is Anchor.DISCHARGE or item.closes_at is None:
        return translate("MonitoringPage", "from {time}").format(time=local_hhmm(item.opens_at))
    return f"{local_hhmm(item.opens_at)}–{local_hhmm(item.closes_at)}"


def countdown_for(item: DueItem, now: datetime) -> str:
    status = item.status_at(now)
    if status is ItemStatus.UPCOMING and item.opens_at is not None:
        text = translate("MonitoringPage", "opens in {left}")
        return text.format(left=countdown(item.opens_at - now))
    if status is ItemStatus.DUE:
        if item.closes_at is None:
            if item.anchor is Anchor.DISCHARGE:
                return translate("MonitoringPage", "due now (until discharge)")
            return translate("MonitoringPage", "due now")
        text = translate("MonitoringPage", "closes in {left}")
        return text.format(left=countdown(item.closes_at - now))
    if status is ItemStatus.OVERDUE and item.closes_at is not None:
        text = translate("MonitoringPage", "overdue by {late}")
        text = text.format(late=duration(now - item.closes_at))
        if item.missed_at is not None:
            missed = translate("MonitoringPage", "; missed at {time}")
            text += missed.format(time=local_hhmm(item.missed_at))
        return text
    if status is ItemStatus.DONE and item.satisfied_by is not None:
        return translate("MonitoringPage", "taken {time}").format(
            time=local_hhmm(item.satisfied_by)
        )
    if status is ItemStatus.MISSED:
        return translate("MonitoringPage", "not taken")
    return ""


def missed_count(items: Sequence[DueItem], now: datetime) -> int:
    return sum(1 for i in items if i.status_at(now) is ItemStatus.MISSED)


def due_title(items: Sequence[DueItem], now: datetime) -> str:
    """'Due readings' or 'Due readings · 2 missed'."""
    missed = missed_count(items, now)
    title = translate("MonitoringPage", "Due readings")
    if missed == 1:
        return title + translate("MonitoringPage", " · 1 missed")
    if missed:
        return title + translate("MonitoringPage", " · {n} missed").format(n=missed)
    return title
