"""What V on a Today board row records: which reading it is for, or why the row takes none.

Both are said before anything is typed: ``row_reading_refusal`` in the board's status line
(no dialog opens), ``reading_title`` in the quick-vitals dialog's title and heading.
What is due comes from the row's schedule (``kapdesk.domain.schedule.attention``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kapdesk.domain.schedule import DueItem, ItemStatus, attention
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.services.dtos import BoardRow
from kapdesk.ui.models.board import room_text


def _state(row: BoardRow) -> SessionState | None:
    try:
        return SessionState(row.state)
    except ValueError:
        return None


def row_reading_refusal(row: BoardRow) -> str:
    """Why this row's session takes no reading now ('' when it does)."""
    who = f"{room_text(row.room)} – {row.patient_name}"
    state = _state(row)
    if state is SessionState.SCHEDULED:
        return (
            f"{who} is not checked in yet: open the session (Enter) and check the patient in "
            "first, then press V."
        )
    if state not in ACTIVE:
        label = state.label if state is not None else row.state.replace("_", " ")
        return f"{who}: the session is {label} and takes no more readings."
    return ""


def _due_words(item: DueItem, now: datetime, shown: Callable[[datetime], str]) -> str:
    status = item.status_at(now)
    if status is ItemStatus.UPCOMING and item.opens_at is not None:
        return f"due {shown(item.opens_at)}"
    if status is ItemStatus.DUE:
        return f"due now, until {shown(item.closes_at)}" if item.closes_at else "due now"
    if status is ItemStatus.OVERDUE and item.closes_at is not None:
        return f"overdue since {shown(item.closes_at)}"
    return status.value


def reading_for(row: BoardRow, now: datetime, shown: Callable[[datetime], str]) -> str:
    """'20-30 min after dose, due now, until 10:45', or 'an extra reading (none due)'."""
    seen = attention(row.items, now) if row.items else None
    item = seen.next if seen is not None else row.next_due
    if item is None:
        return "an extra reading (none due)"
    return f"{item.label}, {_due_words(item, now, shown)}"


def reading_title(row: BoardRow, now: datetime, shown: Callable[[datetime], str]) -> str:
    """'Reading for Lima, Ana · Room 2 · 20-30 min after dose, due now, until 10:45'."""
    what = reading_for(row, now, shown)
    return f"Reading for {row.patient_name} · {room_text(row.room)} · {what}"
