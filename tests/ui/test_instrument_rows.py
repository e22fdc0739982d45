"""PHQ-9 / GAD-7 rows as the chart shows them (``fill_instrument_rows``): the cells, the
bold of a flagged result, a marked result struck through with its line under it, and the
label that names a result in the entered-in-error dialog (issue 13: the rows are built
with one bold font for all cells and the label without strftime; what is shown is the
same)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from kapdesk.services.dtos import ErrorMark, InstrumentInfo
from kapdesk.ui.entry_rows import (
    ENTRY_ROLE,
    MARKED_GREY,
    Entry,
    fill_instrument_rows,
    instrument_entry,
)

MARK = ErrorMark(by_name="Kim Nurse", at=datetime(2026, 3, 2, 10, 45, tzinfo=UTC), reason="typo")


def result(id_: int, total: int, item9: int, *, day: int, error: ErrorMark | None = None,
           at: tuple[int, int] = (9, 5)) -> InstrumentInfo:  # fmt: skip
    answers = (0,) * 8 + (item9,)
    return InstrumentInfo(
        id=id_, patient_id=1, course_id=None, session_id=None, instrument="PHQ-9",
        answers=answers, total=total, band="moderate" if total >= 10 else "minimal",
        item9_flag=item9 > 0, taken_at=datetime(2026, 3, day, *at, tzinfo=UTC),
        recorded_by="Ann Therapist", error=error,
    )  # fmt: skip


def cells(r: InstrumentInfo) -> tuple[str, ...]:
    return (f"day {r.taken_at.day}", str(r.total), r.band, str(r.answers[8]))


def texts(table: QTableWidget) -> list[list[str | None]]:
    return [
        [None if (it := table.item(row, c)) is None else it.text() for c in range(4)]
        for row in range(table.rowCount())
    ]


def test_rows_cells_bold_flagged_and_marked(qtbot: QtBot) -> None:
    table = QTableWidget(0, 4)
    qtbot.addWidget(table)
    rows = [result(1, 12, 2, day=3), result(2, 4, 0, day=2), result(3, 15, 1, day=1, error=MARK)]
    fill_instrument_rows(table, rows, cells, bold=lambda r: r.item9_flag)

    assert texts(table) == [
        ["day 3", "12", "moderate", "2"],
        ["day 2", "4", "minimal", "0"],
        ["day 1", "15", "moderate", "1"],
        [f"Entered in error by Kim Nurse on {MARK.at.astimezone():%Y-%m-%d at %H:%M}: typo",
         None, None, None],
    ]  # fmt: skip
    assert [table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)] == [1, 2, 3]
    fonts = [[table.item(r, c).font() for c in range(4)] for r in range(3)]
    # the flagged result bold in every cell, with nothing else set on its font
    plain_bold = QFont()
    plain_bold.setBold(True)
    assert all(f == plain_bold and f.resolveMask() == plain_bold.resolveMask() for f in fonts[0])
    assert all(not f.bold() and not f.strikeOut() for f in fonts[1])
    # a marked result: struck through and grey, never bold, even when item 9 is flagged
    assert all(f.strikeOut() and not f.bold() for f in fonts[2])
    assert {table.item(2, c).foreground().color().name() for c in range(4)} == {MARKED_GREY}
    assert table.columnSpan(3, 0) == 4
    assert table.item(3, 0).font().italic()
    entries = [table.item(r, 0).data(ENTRY_ROLE) for r in range(4)]
    assert [(e.kind, e.id) for e in entries] == [
        ("instrument", 1), ("instrument", 2), ("instrument", 3), ("instrument", 3)
    ]  # fmt: skip


def test_refilled_rows_keep_nothing_of_the_previous_ones(qtbot: QtBot) -> None:
    table = QTableWidget(0, 4)
    qtbot.addWidget(table)
    fill_instrument_rows(
        table, [result(1, 12, 2, day=3), result(2, 9, 0, day=2, error=MARK)], cells,
        bold=lambda r: r.item9_flag,
    )  # fmt: skip
    fill_instrument_rows(table, [result(7, 3, 0, day=4)], cells, bold=lambda r: r.item9_flag)
    assert texts(table) == [["day 4", "3", "minimal", "0"]]
    assert table.columnSpan(0, 0) == 1
    assert not table.item(0, 1).font().bold()
    assert not table.item(0, 1).font().strikeOut()


def test_result_label_names_the_local_time_as_before() -> None:
    for at in ((0, 0), (9, 5), (23, 59)):
        r = result(5, 12, 1, day=2, at=at)
        local = r.taken_at.astimezone()
        assert instrument_entry(r) == Entry(
            "instrument", 5, f"PHQ-9 {local:%Y-%m-%d %H:%M} · total 12 (moderate)", None, None
        )
