"""Entries that can be marked "entered in error", as the screens name and show them.

An ``Entry`` is one reading, dose, side effect, observation or PHQ-9/GAD-7 result: its
kind and id for ``CorrectionService.mark_entered_in_error``, the session it belongs to
(a signed session takes an addendum instead) and the sentence that names it in the
dialog ("Reading 10:42 · BP 182/104 · SpO2 97 %"). ``fill_entry_rows`` fills a table
with such entries: a marked one stays, struck through and grey, with a line under it
saying who marked it, when and why (readable in the row, not only in a tooltip).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QListView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from kapdesk.domain.corrections import EntryKind, standing_entries
from kapdesk.domain.dosing import ROUTE_LABELS, DoseUnit, format_amount
from kapdesk.domain.instruments import MOAAS_LEVELS
from kapdesk.domain.protocol import Route
from kapdesk.i18n import _
from kapdesk.i18n.formats import decimal, medium_date
from kapdesk.ui.models.board import local_hhmm
from kapdesk.ui.session_words import severity_word
from kapdesk.ui.widgets.fit import refilling

if TYPE_CHECKING:
    from kapdesk.services.dtos import (
        DoseInfo,
        ErrorMark,
        InstrumentInfo,
        ObservationInfo,
        ReadingInfo,
        SideEffectInfo,
    )

Kind = EntryKind
standing = standing_entries  # the entries not marked entered in error (what counts)
# Where a row keeps its Entry (column 0 of a table, or the list item).
ENTRY_ROLE: Final = Qt.ItemDataRole.UserRole + 7
MARKED_GREY: Final = "#7a8089"
translate = QCoreApplication.translate


@dataclass(frozen=True)
class Entry:
    kind: Kind
    id: int
    label: str  # "Reading 10:42 · BP 182/104 · SpO2 97 %"
    session_id: int | None
    error: ErrorMark | None


def error_text(mark: ErrorMark, *, with_date: bool = False) -> str:
    """'Entered in error by Kim Nurse at 10:45: typed 182 for 128'."""
    local = mark.at.astimezone()
    if with_date:
        when = translate("EntryList", "on {date} at {time}")
        when = when.format(date=medium_date(local), time=f"{local:%H:%M}")
    else:
        when = translate("EntryList", "at {time}").format(time=f"{local:%H:%M}")
    text = translate("EntryList", "Entered in error by {name} {when}: {reason}")
    return text.format(name=mark.by_name, when=when, reason=mark.reason)


# ---------------------------------------------------------------- naming entries


def reading_entry(r: ReadingInfo) -> Entry:
    parts = [
        translate("EntryList", "Reading {time}").format(time=local_hhmm(r.taken_at)),
        translate("EntryList", "BP {systolic}/{diastolic}").format(
            systolic=r.systolic, diastolic=r.diastolic
        ),
    ]
    if r.pulse is not None:
        parts.append(translate("EntryList", "pulse {pulse}/min").format(pulse=r.pulse))
    if r.spo2 is not None:
        parts.append(translate("EntryList", "SpO2 {spo2} %").format(spo2=r.spo2))
    return Entry("reading", r.id, " · ".join(parts), r.session_id, r.error)


def dose_entry(d: DoseInfo) -> Entry:
    try:
        route = _(ROUTE_LABELS[Route(d.route)])
    except ValueError:
        route = d.route
    try:
        unit = _(DoseUnit(d.unit).label)
    except ValueError:
        unit = d.unit
    what = f"{_(d.medication)} {decimal(format_amount(d.amount))} {unit} {route}"
    if d.unit != DoseUnit.MG.value:
        what += f" ({decimal(f'{d.mg:.1f}')} mg)"
    if d.is_booster:
        first = translate("EntryList", "booster")
    else:
        first = translate("EntryList", "first dose")
    label = translate("EntryList", "Dose {time} · {what} · {first}").format(
        time=local_hhmm(d.given_at), what=what, first=first
    )
    return Entry("dose", d.id, label, d.session_id, d.error)


def side_effect_entry(x: SideEffectInfo) -> Entry:
    parts = [translate("EntryList", "Side effect · {effect}").format(effect=_(x.label))]
    if x.severity:
        parts.append(severity_word(x.severity))
    if x.onset_at is not None:
        parts.append(translate("EntryList", "onset {time}").format(time=local_hhmm(x.onset_at)))
    return Entry("side_effect", x.id, " · ".join(parts), x.session_id, x.error)


def observation_text(o: ObservationInfo) -> str:
    """'MOAA/S 4 – responds after name spoken' or 'Dissociation present: floating'."""
    if o.kind == "moaas" and o.score is not None:
        level = MOAAS_LEVELS.get(o.score)
        return f"MOAA/S {o.score} – {_(level) if level else ''}"
    if o.present:
        text = translate("EntryList", "Dissociation present")
    else:
        text = translate("EntryList", "Dissociation absent")
    return f"{text}: {o.text}" if o.text else text


def observation_entry(o: ObservationInfo) -> Entry:
    label = translate("EntryList", "Observation {time} · {observation}").format(
        time=local_hhmm(o.observed_at), observation=observation_text(o)
    )
    return Entry("observation", o.id, label, o.session_id, o.error)


def instrument_entry(r: InstrumentInfo) -> Entry:
    local = r.taken_at.astimezone()
    # '2026-03-02 10:35' as strftime writes it, without strftime (which imports the time
    # module on each call, through PySide's import hook: ~170 results on a large chart)
    when = f"{medium_date(local)} {local.hour:02d}:{local.minute:02d}"
    label = translate("EntryList", "{instrument} {when} · total {total} ({band})").format(
        instrument=r.instrument, when=when, total=r.total, band=r.band
    )
    return Entry("instrument", r.id, label, r.session_id, r.error)


# ---------------------------------------------------------------- showing entries


def strike(item: QTableWidgetItem | QListWidgetItem) -> None:
    """Struck through and grey: still readable, plainly not counting."""
    font = QFont(item.font())
    font.setStrikeOut(True)
    item.setFont(font)
    item.setForeground(QBrush(QColor(MARKED_GREY)))
    item.setBackground(QBrush())


def _grey_italic(item: QTableWidgetItem | QListWidgetItem) -> None:
    font = QFont(item.font())
    font.setItalic(True)
    item.setFont(font)
    item.setForeground(QBrush(QColor(MARKED_GREY)))


def _error_line(entry: Entry, mark: ErrorMark, with_date: bool) -> QTableWidgetItem:
    item = QTableWidgetItem(error_text(mark, with_date=with_date))
    item.setData(ENTRY_ROLE, entry)
    _grey_italic(item)
    return item


def fill_entry_rows(
    table: QTableWidget,
    rows: Sequence[tuple[Entry, Sequence[QTableWidgetItem]]],
    *,
    with_date: bool = False,
) -> None:
    """One row per entry (its Entry kept in column 0); a marked entry is struck through
    and followed by a line across the table: 'Entered in error by ... at HH:MM: why'.
    A table with ``fit_columns`` is measured once it is filled (the line sizes no column)."""
    with refilling(table):
        _fill(table, rows, with_date)
    if getattr(table, "fit_shares", None) is not None:
        return  # its rows, the lines across included, are sized by the fitting
    if table.property("fitsErrorLines") is None:  # refit when the columns change width
        table.setProperty("fitsErrorLines", True)
        table.setWordWrap(True)
        table.horizontalHeader().sectionResized.connect(
            lambda index, _old, new: fit_error_lines(table, {index: new})
        )
    fit_error_lines(table)


def _fill(
    table: QTableWidget,
    rows: Sequence[tuple[Entry, Sequence[QTableWidgetItem]]],
    with_date: bool,
) -> None:
    table.clearSpans()
    table.setRowCount(len(rows) + sum(1 for entry, _ in rows if entry.error is not None))
    columns = table.columnCount()
    r = 0
    for entry, items in rows:
        for c, item in enumerate(items):
            if c == 0:
                item.setData(ENTRY_ROLE, entry)
            if entry.error is not None:
                strike(item)
            table.setItem(r, c, item)
        r += 1
        if entry.error is not None:
            if columns > 1:  # before its text: the line is never one column's content
                table.setSpan(r, 0, 1, columns)
            for c in range(1, columns):
                table.takeItem(r, c)
            table.setItem(r, 0, _error_line(entry, entry.error, with_date))
            r += 1


def table_entry(table: QTableWidget, row: int) -> Entry | None:
    item = table.item(row, 0) if row >= 0 else None
    value = item.data(ENTRY_ROLE) if item is not None else None
    return value if isinstance(value, Entry) else None


def entry_rows(table: QTableWidget, kind: Kind, entry_id: int) -> list[int]:
    """The table rows showing one entry (its row and, once marked, the line under it)."""
    found = []
    for row in range(table.rowCount()):
        entry = table_entry(table, row)
        if entry is not None and entry.kind == kind and entry.id == entry_id:
            found.append(row)
    return found


class EntryList(QListWidget):
    """A short list of entries (observations, earlier readings), one item each, wrapped to
    the width, as tall as its lines (up to ``MAX_LINES``); a marked entry is struck through
    with a line under it saying who marked it, when and why."""

    MAX_LINES = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fitted = (-1, -1)

    def set_entries(self, rows: Sequence[tuple[Entry, str]]) -> None:
        self.clear()
        for entry, text in rows:
            item = QListWidgetItem(text)
            item.setData(ENTRY_ROLE, entry)
            self.addItem(item)
            if entry.error is not None:
                strike(item)
                line = QListWidgetItem(error_text(entry.error))
                line.setData(ENTRY_ROLE, entry)
                _grey_italic(line)
                self.addItem(line)
        self._fitted = (-1, -1)
        self._fit()
        self.setVisible(self.count() > 0)

    def _fit(self) -> None:
        """As tall as the wrapped lines at the current width (no scrolling for a few)."""
        width = max(self.viewport().width(), 200)
        key = (width, self.count())
        if key == self._fitted:
            return
        self._fitted = key
        self.doItemsLayout()  # wrapped at the current width
        heights = [self.visualItemRect(self.item(i)).height() for i in range(self.count())]
        shown = sum(heights[: self.MAX_LINES])
        self.setFixedHeight(shown + 2 * self.frameWidth() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def text(self) -> str:
        """All lines, newest first, as plain text."""
        return "\n".join(self.item(i).text() for i in range(self.count()))

    def entry(self, row: int) -> Entry | None:
        item = self.item(row) if row >= 0 else None
        value = item.data(ENTRY_ROLE) if item is not None else None
        return value if isinstance(value, Entry) else None


def _wrapped_height(font: QFont, text: str, width: int) -> int:
    metrics = QFontMetrics(font)
    flags = int(Qt.TextFlag.TextWordWrap)
    return metrics.boundingRect(QRect(0, 0, max(width - 10, 40), 100_000), flags, text).height() + 6


def fit_error_lines(table: QTableWidget, resized: dict[int, int] | None = None) -> None:
    """Each 'Entered in error by ...' line across the table as tall as its wrapped text
    (the reason is read in the row, never only in a tooltip). ``resized``: a column's new
    width while the header is still resizing it (columnWidth answers the old one)."""
    lines = [row for row in range(table.rowCount()) if table.columnSpan(row, 0) > 1]
    if not lines:  # asking the widths lays the header out now, a sizing pass for nothing
        return
    widths = {c: table.columnWidth(c) for c in range(table.columnCount())} | (resized or {})
    width = sum(widths.values())
    for row in lines:
        item = table.item(row, 0)
        if item is not None:
            font = item.font().resolve(table.font())  # the style sheet's size
            height = _wrapped_height(font, item.text(), width)
            table.setRowHeight(row, max(height, table.verticalHeader().defaultSectionSize()))


def fill_instrument_rows(
    table: QTableWidget,
    results: Iterable[InstrumentInfo],
    cells: Callable[[InstrumentInfo], Sequence[str]],
    *,
    bold: Callable[[InstrumentInfo], bool] = lambda _r: False,
) -> None:
    """PHQ-9 / GAD-7 results as rows (the result id also in column 0's UserRole)."""
    rows = []
    heavy = QFont()  # a new item's own font (no attribute set), made bold; one for all cells
    heavy.setBold(True)
    for r in results:
        items = [QTableWidgetItem(text) for text in cells(r)]
        items[0].setData(Qt.ItemDataRole.UserRole, r.id)
        if bold(r) and r.error is None:
            for item in items:
                item.setFont(heavy)
        rows.append((instrument_entry(r), items))
    fill_entry_rows(table, rows, with_date=True)


def marked_text(entries: Iterable[Entry], *, with_date: bool = False) -> str:
    """Rich text for a label: each marked entry struck through and grey, then who, when
    and why ('<s>Side effect · Nausea</s> — Entered in error by ... at 10:45: ...')."""
    lines = [
        f'<span style="color:{MARKED_GREY}"><s>{html.escape(e.label)}</s> — '
        f"{html.escape(error_text(e.error, with_date=with_date))}</span>"
        for e in entries
        if e.error is not None
    ]
    return "<br>".join(lines)
