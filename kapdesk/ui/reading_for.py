"""What V on a Today board row records: which reading it is for, or why the row takes none.

Both are said before anything is typed: ``row_reading_refusal`` in the board's status line
(no dialog opens), ``reading_title`` in the quick-vitals dialog's title and heading.
What is due comes from the row's schedule (``kapdesk.domain.schedule.attention``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from kapdesk.domain.schedule import DueItem, ItemStatus, attention
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.domain.wording import shown as shown_text
from kapdesk.services.screen_dtos import BoardRow
from kapdesk.ui.models.board import room_text
from kapdesk.ui.words import QT_TRANSLATE_NOOP

# A reading's status where no time goes with it.
_STATUS_WORDS = {
    ItemStatus.UPCOMING: QT_TRANSLATE_NOOP("QuickVitalsDialog", "upcoming"),
    ItemStatus.DUE: QT_TRANSLATE_NOOP("QuickVitalsDialog", "due"),
    ItemStatus.OVERDUE: QT_TRANSLATE_NOOP("QuickVitalsDialog", "overdue"),
    ItemStatus.DONE: QT_TRANSLATE_NOOP("QuickVitalsDialog", "done"),
    ItemStatus.MISSED: QT_TRANSLATE_NOOP("QuickVitalsDialog", "missed"),
}


def _state(row: BoardRow) -> SessionState | None:
    try:
        return SessionState(row.state)
    except ValueError:
        return None


def row_reading_refusal(row: BoardRow) -> str:
    """Why this row's session takes no reading now ('' when it does)."""
    translate = QCoreApplication.translate
    who = f"{room_text(row.room)} – {row.patient_name}"
    state = _state(row)
    if state is SessionState.SCHEDULED:
        text = translate(
            "QuickVitalsDialog",
            "{who} is not checked in yet: open the session (Enter) and check the patient in "
            "first, then press V.",
        )
        return text.format(who=who)
    if state not in ACTIVE:
        label = state.label if state is not None else row.state.replace("_", " ")
        text = translate(
            "QuickVitalsDialog", "{who}: the session is {state} and takes no more readings."
        )
        return text.format(who=who, state=label)
    return ""


def _due_words(item: DueItem, now: datetime, shown: Callable[[datetime], str]) -> str:
    translate = QCoreApplication.translate
    status = item.status_at(now)
    if status is ItemStatus.UPCOMING and item.opens_at is not None:
        return translate("QuickVitalsDialog", "due {time}").format(time=shown(item.opens_at))
    if status is ItemStatus.DUE:
        if item.closes_at is None:
            return translate("QuickVitalsDialog", "due now")
        return translate("QuickVitalsDialog", "due now, until {time}").format(
            time=shown(item.closes_at)
        )
    if status is ItemStatus.OVERDUE and item.closes_at is not None:
        return translate("QuickVitalsDialog", "overdue since {time}").format(
            time=shown(item.closes_at)
        )
    words = _STATUS_WORDS.get(status)
    return translate("QuickVitalsDialog", words) if words else status.value


def reading_for(row: BoardRow, now: datetime, shown: Callable[[datetime], str]) -> str:
    """'20-30 min after dose, due now, until 10:45', or 'an extra reading (none due)'."""
    seen = attention(row.items, now) if row.items else None
    item = seen.next if seen is not None else row.next_due
    if item is None:
        return QCoreApplication.translate("QuickVitalsDialog", "an extra reading (none due)")
    return f"{shown_text(item.label)}, {_due_words(item, now, shown)}"


def reading_title(row: BoardRow, now: datetime, shown: Callable[[datetime], str]) -> str:
    """'Reading for Lima, Ana · Room 2 · 20-30 min after dose, due now, until 10:45'."""
    what = reading_for(row, now, shown)
    text = QCoreApplication.translate(
        "QuickVitalsDialog", "Reading for {patient} · {room} · {reading}"
    )
    return text.format(patient=row.patient_name, room=room_text(row.room), reading=what)
