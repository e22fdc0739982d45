"""An "Entered in error by ..." line spans its table's row: it sizes no column (issue 13
review). Marking a reading with the Monitoring step open at 1024x700 made the Time column
as wide as the whole note ([43, 29, 58, 41, 40, 271, 272] -> [752, 29, 58, 41, 40, 48, 48]):
the note was set in column 0 before its span, and the columns only ever grew after that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle, QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.services.context import Actor
from kapdesk.services.corrections import CorrectionsService
from kapdesk.services.dtos import ErrorMark
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.entry_rows import Entry, entry_rows, fill_entry_rows
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_DOSE, STEP_MONITORING
from kapdesk.ui.widgets.fit import fit_columns

REASON = "typed the pulse of the patient in the next room into this row by mistake, rechecked"


def widths(table: QTableWidget) -> list[int]:
    return [table.columnWidth(c) for c in range(table.columnCount())]


def assert_columns_in_view(table: QTableWidget) -> None:
    """Every column inside the view, none narrower than its header."""
    header = table.horizontalHeader()
    columns = range(table.columnCount())
    right = max(header.sectionViewportPosition(c) + header.sectionSize(c) for c in columns)
    assert right <= table.viewport().width()
    for c in columns:
        assert header.sectionSize(c) >= min(header.sectionSizeHint(c), 48), c


def assert_note_readable(table: QTableWidget, row: int) -> None:
    """The note's row as tall as its text wrapped across the whole table, inside the text
    margins the view draws it with (as QCommonStyle lays out an item's text)."""
    assert table.columnSpan(row, 0) == table.columnCount()
    item = table.item(row, 0)
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    room = sum(widths(table)) - 2 * margin
    font = item.font().resolve(table.font())
    lines = QFontMetrics(font).boundingRect(
        QRect(0, 0, room, 100_000), int(Qt.TextFlag.TextWordWrap), item.text()
    )
    assert table.rowHeight(row) >= lines.height()


def test_marking_a_reading_leaves_the_monitoring_columns_as_they_were(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    nurse: Actor,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    kit.vitals.record(nurse, sid, 136, 84, pulse=80, spo2=97)
    kit.advance(minutes=1)
    wrong = kit.vitals.record(nurse, sid, 186, 114, pulse=80, spo2=97).reading.id
    ws = open_ws(sid)
    ws.resize(1024, 700)
    ws.go_to(STEP_MONITORING)
    table = ws.pages[STEP_MONITORING].readings
    qtbot.wait(20)
    before = widths(table)
    CorrectionsService(app.ctx).mark_entered_in_error(nurse, "reading", wrong, REASON)
    qtbot.waitUntil(lambda: len(entry_rows(table, "reading", wrong)) == 2)
    qtbot.wait(20)
    after = widths(table)
    assert after[0] <= before[0] + 2, (before, after)  # not the note's width
    assert abs(sum(after) - sum(before)) <= 2  # the wrapping columns keep what is left
    assert_columns_in_view(table)
    assert_note_readable(table, entry_rows(table, "reading", wrong)[1])


def test_marking_a_dose_leaves_the_dose_columns_as_they_were(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    nurse: Actor,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    sid = kit.dosed()
    dose = kit.sessions.detail(sid).doses[0].id
    ws = open_ws(sid)
    ws.resize(1024, 700)
    ws.go_to(STEP_DOSE)
    table = ws.pages[STEP_DOSE].table
    qtbot.wait(20)
    before = widths(table)
    CorrectionsService(app.ctx).mark_entered_in_error(nurse, "dose", dose, REASON)
    qtbot.waitUntil(lambda: len(entry_rows(table, "dose", dose)) == 2)
    qtbot.wait(20)
    after = widths(table)
    assert after[0] <= before[0] + 2, (before, after)
    assert_columns_in_view(table)
    assert_note_readable(table, entry_rows(table, "dose", dose)[1])


# ---------------------------------------------------------------- the table alone


def entry(n: int, *, marked: bool = False) -> Entry:
    mark = ErrorMark("Kim Nurse", datetime(2026, 3, 4, 10, 45, tzinfo=UTC), REASON)
    return Entry("reading", n, f"Reading {n}", None, mark if marked else None)


def fill(table: QTableWidget, rows: Sequence[tuple[Entry, Sequence[str]]]) -> None:
    fill_entry_rows(table, [(e, [QTableWidgetItem(t) for t in texts]) for e, texts in rows])


def fitted_table(qtbot: QtBot) -> QTableWidget:
    table = QTableWidget(0, 3)
    table.setHorizontalHeaderLabels(["Time", "BP", "Note"])
    fit_columns(table, {2: 1})
    qtbot.addWidget(table)
    table.resize(600, 300)
    table.show()
    qtbot.waitExposed(table)
    return table


def test_a_column_narrows_again_when_its_long_text_goes(qtbot: QtBot) -> None:
    table = fitted_table(qtbot)
    fill(table, [(entry(1), ["10:42", "120/80", "ok"])])
    narrow = table.columnWidth(0)
    fill(table, [(entry(1), ["10:42 (typed at 10:58, late)", "120/80", "ok"])])
    assert table.columnWidth(0) > narrow
    fill(table, [(entry(1), ["10:42", "120/80", "ok"])])  # same row count: no rows inserted
    assert table.columnWidth(0) == narrow


def test_a_note_moved_to_another_row_sizes_no_column(qtbot: QtBot) -> None:
    """The rows added by a refill are announced while the old note's row has lost its span
    and still holds the note; it is never measured as the Time column's text."""
    table = fitted_table(qtbot)
    fill(table, [(entry(1), ["10:42", "120/80", "ok"])])
    narrow = table.columnWidth(0)
    fill(table, [(entry(1, marked=True), ["10:42", "186/114", "ok"])])  # note in row 1
    assert table.columnWidth(0) == narrow
    fill(  # row 1 now a reading, the note in row 3
        table,
        [
            (entry(2), ["10:50", "130/80", "ok"]),
            (entry(3), ["10:47", "131/80", "ok"]),
            (entry(1, marked=True), ["10:42", "186/114", "ok"]),
        ],
    )
    assert table.columnSpan(3, 0) == 3
    assert table.columnSpan(1, 0) == 1
    assert table.columnWidth(0) == narrow
    assert_note_readable(table, 3)
