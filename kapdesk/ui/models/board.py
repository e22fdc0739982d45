"""The Today board's table model over ``BoardRow`` dataclasses, plus its text formatting.

The model holds the rows of the last board query and a ``now``; the view calls
``set_rows`` after a query (every few seconds or on data_changed) and ``set_now``
every second, which only recomputes the time-dependent columns.

"Next reading" names the most urgent reading, the missed ones and how many more
are due ("20-30 min after dose missed · due now, closes in 5 min · Recheck … ·
1 more due", from ``kapdesk.domain.schedule.attention``). An active alert reading
colours the row red and leads the Flags column ("ALERT SpO2 88 % at 10:32: …").
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from kapdesk.domain.schedule import Attention, DueItem, ItemStatus, attention
from kapdesk.domain.session_state import SessionState, state_title
from kapdesk.domain.timetext import clock, countdown, duration
from kapdesk.domain.wording import shown
from kapdesk.services.screen_dtos import BoardRow
from kapdesk.ui.words import QT_TRANSLATE_NOOP, band_name, counts

# States in which a patient is in the clinic and readings can fall due.
RUNNING_STATES: Final = frozenset(
    {
        SessionState.CHECKED_IN.value,
        SessionState.PRE_DOSE_VITALS.value,
        SessionState.DOSED.value,
        SessionState.MONITORING.value,
    }
)
_DOSED_STATES: Final = frozenset({SessionState.DOSED.value, SessionState.MONITORING.value})

# gui.md palette: amber for due, red for overdue / alert (background, text).
DUE_COLORS: Final = ("#f5c26b", "#7a4b00")
OVERDUE_COLORS: Final = ("#e57373", "#7f0000")
_DUE_TINT: Final = "#fdf0d6"
_OVERDUE_TINT: Final = "#f9dcdc"
_FLAG_COLORS: Final = {"elevated": "#7a4b00", "alert": "#7f0000", "critical": "#7f0000"}
_MISSING: Final = object()
# Roles as the plain ints the view passes to ``data``.
_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_ACCESSIBLE: Final = int(Qt.ItemDataRole.AccessibleTextRole)
_TEXT_ROLES: Final = frozenset({_DISPLAY, _ACCESSIBLE})
_UNSET_ROLES: Final = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.SizeHintRole,
    )
)

COLUMNS: Final = (
    QT_TRANSLATE_NOOP("BoardModel", "Room"),
    QT_TRANSLATE_NOOP("BoardModel", "Patient"),
    QT_TRANSLATE_NOOP("BoardModel", "Protocol"),
    QT_TRANSLATE_NOOP("BoardModel", "State"),
    QT_TRANSLATE_NOOP("BoardModel", "Since dose"),
    QT_TRANSLATE_NOOP("BoardModel", "Next reading"),
    QT_TRANSLATE_NOOP("BoardModel", "Flags"),
)
COL_ROOM, COL_PATIENT, COL_PROTOCOL, COL_STATE, COL_SINCE, COL_NEXT, COL_FLAGS = range(7)
# the columns whose cells can turn bold with their row (a level, a flag's band)
BOLD_COLUMNS: Final = (COL_ROOM, COL_NEXT, COL_FLAGS)


def since_texts() -> tuple[str, ...]:
    """The widest texts "Since dose" shows within a day, in the language of the board
    being built: the column is measured for them once."""
    return (
        duration(timedelta(seconds=30)),
        duration(timedelta(hours=23, minutes=59)),
        duration(timedelta(days=9, hours=23)),
    )


# ---------------------------------------------------------------- text


# Clock times HH:MM in the computer's zone (one vocabulary: kapdesk.domain.timetext).
local_hhmm = clock


def room_text(room: str) -> str:
    """'Room 2' for '2'; a room already named ('Room 2', 'Infusion bay') is kept."""
    room = room.strip()
    if not room:
        return QCoreApplication.translate("BoardModel", "No room")
    if room[0].isdigit():
        return QCoreApplication.translate("BoardModel", "Room {room}").format(room=room)
    return room


def item_status(row: BoardRow, now: datetime) -> ItemStatus | None:
    """The next reading's status at ``now`` (None if nothing is pending or not running)."""
    if row.next_due is None or row.state not in RUNNING_STATES:
        return None
    return row.next_due.status_at(now)


def next_reading_text(item: DueItem | None, state: str, now: datetime) -> str:
    if item is None:
        return "—"
    translate = QCoreApplication.translate
    if state not in RUNNING_STATES:
        if state != SessionState.SCHEDULED:
            return "—"
        return translate("BoardModel", "after check-in · {reading}").format(
            reading=shown(item.label)
        )
    status = item.status_at(now)
    if status is ItemStatus.UPCOMING:
        opens = countdown(timedelta(seconds=item.seconds_until_open(now) or 0.0))
        text = translate("BoardModel", "due in {time} · {reading}")
        return text.format(time=opens, reading=shown(item.label))
    if status is ItemStatus.DUE:
        closes = item.seconds_until_close(now)
        if closes is None:
            return translate("BoardModel", "due now · {reading}").format(reading=shown(item.label))
        text = translate("BoardModel", "due now, closes in {time} · {reading}")
        return text.format(time=countdown(timedelta(seconds=closes)), reading=shown(item.label))
    if status is ItemStatus.OVERDUE:
        late = duration(timedelta(seconds=-(item.seconds_until_close(now) or 0.0)))
        text = translate("BoardModel", "overdue {time} · {reading}")
        return text.format(time=late, reading=shown(item.label))
    return "—"


def board_next_text(row: BoardRow, now: datetime, seen: Attention | None = None) -> str:
    """'20-30 min after dose missed · due now, closes in 5 min · Recheck … · 2 more due'
    (``seen``: the row's attention at ``now``, when already worked out)."""
    if row.state not in RUNNING_STATES or not row.items:
        return next_reading_text(row.next_due, row.state, now)
    seen = seen or attention(row.items, now)
    parts: list[str] = []
    if len(seen.missed) == 1:
        missed = QCoreApplication.translate("BoardModel", "{reading} missed")
        parts.append(missed.format(reading=shown(seen.missed[0].label)))
    elif seen.missed:  # two or more: the English plural is the source
        parts.append(counts().readings_missed(len(seen.missed)))
    if seen.next is not None:
        parts.append(next_reading_text(seen.next, row.state, now))
    if seen.more:  # English: '1 more due', '2 more due'
        parts.append(counts().more_due(seen.more))
    return " · ".join(parts) or "—"


def alert_flag_text(row: BoardRow) -> list[str]:
    """'CRITICAL BP 212/126 at 10:32: critical-bp (…), kap-default v1.0', most serious first."""
    out: list[str] = []
    for a in row.alerts:
        text = QCoreApplication.translate(
            "BoardModel", "{band} {value} at {time}: {rule}, {protocol}"
        )
        out.append(
            text.format(
                band=band_name(a.band.value).upper(),  # ALERT, CRITICAL
                value=a.value_text,
                time=local_hhmm(a.taken_at),
                rule=a.rule_text,
                protocol=a.protocol_label,
            )
        )
    return out


def flags_text(row: BoardRow) -> str:
    return ", ".join([*alert_flag_text(row), *row.flags])


def since_dose_text(row: BoardRow, now: datetime) -> str:
    if row.first_dose_at is None or row.state not in _DOSED_STATES or now < row.first_dose_at:
        return "—"
    return duration(now - row.first_dose_at)


def state_text(row: BoardRow) -> str:
    text = state_title(row.state)
    if row.state == SessionState.SCHEDULED:
        text += f" {local_hhmm(row.scheduled_at)}"
    return text


# ---------------------------------------------------------------- model


def _timed(row: BoardRow, now: datetime) -> tuple[str, str, str | None]:
    """(since dose, next reading, level) of ``row`` at ``now``: what a tick can change."""
    seen = attention(row.items, now) if row.state in RUNNING_STATES and row.items else None
    return (since_dose_text(row, now), board_next_text(row, now, seen), row_level(row, now, seen))


def row_level(r: BoardRow, now: datetime, seen: Attention | None = None) -> str | None:
    """'alert' (an active alert reading), 'overdue' (the next reading overdue, or a
    reading missed), 'due' or None at ``now`` (``seen``: the row's attention then)."""
    if r.state not in RUNNING_STATES:
        return None
    if r.alerts:
        return "alert"
    status = item_status(r, now)
    if status is ItemStatus.OVERDUE:
        return "overdue"
    if (seen or attention(r.items, now)).missed:
        return "overdue"
    if status is ItemStatus.DUE:
        return "due"
    return None


def _row_texts(r: BoardRow, now: datetime) -> tuple[list[str], str | None]:
    """Every column's text of ``r`` at ``now``, and its level."""
    since, nxt, level = _timed(r, now)
    texts = [room_text(r.room), r.patient_name, r.protocol_label, state_text(r), since, nxt]
    return [*texts, flags_text(r)], level


def _spans(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as runs of consecutive rows [(first, last), ...]."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


@functools.cache
def _brush(color: str) -> QBrush:
    """One brush per colour (the view copies what ``data`` returns)."""
    return QBrush(QColor(color))


@functools.cache
def _bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class BoardModel(QAbstractTableModel):
    def __init__(self, now: datetime) -> None:
        super().__init__()
        self._rows: list[BoardRow] = []
        self._now = now
        # The texts and levels are computed once per load (and the time-dependent ones once
        # per tick): the view asks for every cell and role many times per paint.
        self._texts: list[list[str]] = []
        self._levels: list[str | None] = []
        # row -> (column, role) -> value of the other roles at self._now
        self._cache: list[dict[tuple[int, int], Any]] = []

    # -- data in
    def set_rows(self, rows: list[BoardRow], now: datetime) -> None:
        """The rows of a new query. The same sessions in the same order (a requery, a
        reading recorded): the changed rows are updated in place and announced alone, the
        others only tick; otherwise the model is reset."""
        rows = list(rows)
        if [r.session_id for r in rows] != [r.session_id for r in self._rows]:
            self.beginResetModel()
            self._rows, self._now = rows, now
            self._texts, self._levels = [], []
            for r in rows:
                texts, level = _row_texts(r, now)
                self._texts.append(texts)
                self._levels.append(level)
            self._cache = [{} for _ in rows]
            self.endResetModel()
            return
        self._now = now
        changed = [
            i for i, (old, new) in enumerate(zip(self._rows, rows, strict=True)) if old != new
        ]
        for i in changed:
            self._rows[i] = rows[i]
            self._texts[i], self._levels[i] = _row_texts(rows[i], now)
            self._cache[i].clear()
        self._announce_rows(changed)
        self._tick(now, skip=set(changed))

    def set_now(self, now: datetime) -> None:
        """Recompute the time-dependent cells (countdowns, colours) for ``now``; tell the view
        only about the cells whose text changed and the rows whose colour level changed."""
        self._now = now
        self._tick(now, skip=set())

    def _tick(self, now: datetime, skip: set[int]) -> None:
        texts: list[int] = []  # rows whose since/next text changed
        levels: list[int] = []  # rows whose level changed: every cell's colours
        for i, r in enumerate(self._rows):
            if r.state not in RUNNING_STATES or i in skip:
                continue  # nothing of a session not running moves with the clock
            since, nxt, level = _timed(r, now)
            cells = self._texts[i]
            if level != self._levels[i]:
                self._levels[i] = level
                cells[COL_SINCE], cells[COL_NEXT] = since, nxt
                self._cache[i].clear()
                levels.append(i)
            elif cells[COL_SINCE] != since or cells[COL_NEXT] != nxt:
                # the texts are never cached (data reads them from _texts); the cells'
                # colours, fonts and tooltips depend on the level and the row, not on now
                cells[COL_SINCE], cells[COL_NEXT] = since, nxt
                texts.append(i)
        self._announce_rows(levels)
        for first, last in _spans(texts):
            self.dataChanged.emit(self.index(first, COL_SINCE), self.index(last, COL_NEXT))

    def _announce_rows(self, rows: list[int]) -> None:
        for first, last in _spans(rows):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # -- data out
    @property
    def now(self) -> datetime:
        return self._now

    @property
    def rows(self) -> list[BoardRow]:
        return list(self._rows)

    def row_at(self, row: int) -> BoardRow:
        return self._rows[row]

    def row_of_session(self, session_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.session_id == session_id), None)

    def level(self, row: int) -> str | None:
        """'alert' (an active alert reading), 'overdue' (the next reading overdue, or a
        reading missed), 'due' or None at the model's now."""
        return self._levels[row]

    def cell_text(self, row: int, column: int) -> str:
        cells = self._texts[row]
        return cells[column] if 0 <= column < len(cells) else ""

    # -- QAbstractTableModel
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return QCoreApplication.translate("BoardModel", COLUMNS[section])
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        # Called ~7 times per painted cell (one per role the delegate reads): plain ints, the
        # roles the board never sets answered first.
        if role in _UNSET_ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):  # an invalid index's row is -1
            return None
        if role in _TEXT_ROLES:
            return self._texts[row][index.column()]
        col = index.column()
        cache = self._cache[row]
        key = (col, int(role))
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = self._data(row, col, role)
            return value

    def multiData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        roleDataSpan: QModelRoleDataSpan | QModelRoleData,
    ) -> None:
        """Every role a delegate reads for a cell in one call (Qt's default calls ``data``
        once per role: seven calls into Python per painted cell)."""
        # PySide iterates a span (its stubs do not say so); a lone QModelRoleData is one role
        span: Iterable[QModelRoleData] = (
            [roleDataSpan] if isinstance(roleDataSpan, QModelRoleData) else roleDataSpan  # type: ignore[assignment]
        )
        row = index.row()
        if not 0 <= row < len(self._rows):
            for wanted in span:
                wanted.clearData()
            return
        col = index.column()
        cache = self._cache[row]
        for wanted in span:
            role = wanted.role()
            if role in _TEXT_ROLES:
                wanted.setData(self._texts[row][col])
                continue
            value = None
            if role not in _UNSET_ROLES:
                key = (col, role)
                value = cache.get(key, _MISSING)
                if value is _MISSING:
                    value = cache[key] = self._data(row, col, role)
            if value is None:
                wanted.clearData()
            else:
                wanted.setData(value)

    def _data(self, row: int, col: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell_text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_NEXT:
            return self._window_tooltip(row)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_PATIENT:
            r = self._rows[row]
            return self.tr("{patient}, MRN {mrn}").format(patient=r.patient_name, mrn=r.mrn)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_FLAGS:
            r = self._rows[row]
            return "\n".join([*alert_flag_text(r), *r.flags]) or None
        level = self.level(row)
        if role == Qt.ItemDataRole.BackgroundRole and level:
            full, tint = (
                (DUE_COLORS[0], _DUE_TINT) if level == "due" else (OVERDUE_COLORS[0], _OVERDUE_TINT)
            )
            strong = (COL_ROOM, COL_NEXT, COL_FLAGS) if level == "alert" else (COL_ROOM, COL_NEXT)
            return _brush(full if col in strong else tint)
        if role == Qt.ItemDataRole.ForegroundRole:
            if level == "alert" and col == COL_FLAGS:
                return _brush(OVERDUE_COLORS[1])
            if level and col in (COL_ROOM, COL_NEXT):
                return _brush(DUE_COLORS[1] if level == "due" else OVERDUE_COLORS[1])
            if col == COL_FLAGS and self._rows[row].worst_band in _FLAG_COLORS:
                return _brush(_FLAG_COLORS[self._rows[row].worst_band])
        if role == Qt.ItemDataRole.FontRole and self._bold(row, col):
            return _bold_font()
        return None

    def _bold(self, row: int, col: int) -> bool:
        level = self._levels[row]
        return bool(
            (level and col in (COL_ROOM, COL_NEXT))
            or (level == "alert" and col == COL_FLAGS)
            or (col == COL_FLAGS and self._rows[row].worst_band in _FLAG_COLORS)
        )

    def measured_cell(self, row: int, column: int) -> tuple[str, bool]:
        """(text, bold) of a cell: what the table's fitting measures (widgets.fit)."""
        return self._texts[row][column], self._bold(row, column)

    def _window_tooltip(self, row: int) -> str | None:
        item = self._rows[row].next_due
        if item is None or item.opens_at is None:
            return None
        if item.closes_at is None:
            text = self.tr("{reading}: from {time}")
            return text.format(reading=shown(item.label), time=local_hhmm(item.opens_at))
        return f"{shown(item.label)}: {local_hhmm(item.opens_at)}–{local_hhmm(item.closes_at)}"
