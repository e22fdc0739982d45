"""The follow-ups of the course shown in a patient's chart, folded under its outcome line.

The outcome line says how many follow-ups there were, which showed deterioration and the
latest in full (``follow_up_summary``); a line per follow-up (24 on a long course) had
pushed the plot and its tables out of sight. The button under it shows them all in a
table, newest first (a deterioration in bold): the follow-up's name, its total and how it
compares with the acute endpoint, each row read whole (the long column wraps). The
table is at most ``ROWS`` rows high and scrolls. Space or Enter on the button unfolds and
folds it; a course with a single follow-up has it whole in the outcome line and no button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableWidget, QVBoxLayout, QWidget

from kapdesk.domain.wording import shown
from kapdesk.ui.widgets import fill_table, plain_table
from kapdesk.ui.widgets.fit import fit_columns, refilling
from kapdesk.ui.widgets.locale_words import day_text, in_english, translated

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseOutcomeInfo, FollowUpInfo

ROWS = 6  # rows seen at once; more scroll
HEADERS = (  # then the instrument's code and "Against the endpoint"
    str(QT_TRANSLATE_NOOP("FollowUpList", "Taken")),
    str(QT_TRANSLATE_NOOP("FollowUpList", "Follow-up")),
)


class FollowUpList(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = QPushButton()
        self.button.setCheckable(True)
        self.button.setAccessibleName(self.tr("Follow-ups of the course"))
        self.button.toggled.connect(self._unfold)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addStretch(1)
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.addLayout(row)
        self._table: QTableWidget | None = None  # built when first unfolded
        self.count = 0
        self.instrument = "PHQ-9"
        self._follows: tuple[FollowUpInfo, ...] = ()
        self._filled = True  # the table holds the follow-ups given (filled when unfolded)
        self.set_outcome(None)

    @property
    def table(self) -> QTableWidget:
        """The follow-ups, newest first (built the first time it is asked for)."""
        if self._table is None:
            table = self._table = plain_table(
                (
                    *translated("FollowUpList", HEADERS),
                    self.instrument,
                    self.tr("Against the endpoint"),
                ),
                self.tr("Follow-ups of the course"),
            )
            fit_columns(table, {3: 1})  # the comparison wraps: nothing cut at 1024 px
            table.hide()
            self._lay.addWidget(table)
        return self._table

    def set_outcome(self, info: CourseOutcomeInfo | None) -> None:
        """The follow-ups of ``info`` (None: no course); the list stays (un)folded."""
        self._follows = () if info is None else info.follow_ups
        self.count = len(self._follows)
        if info is not None:
            self.instrument = info.instrument
        self._filled = False
        if self.button.isChecked():
            self._fill()
        self._set_button_text()
        self.setVisible(self.count > 1)  # a single one is whole in the outcome line

    def clear(self) -> None:
        """Folded, nothing of the course shown before left; shown or hidden as it was (the
        next course read decides: no hiding and showing again on every chart opened)."""
        self.fold()
        self._follows, self.count, self._filled = (), 0, True
        if self._table is not None:
            self._table.setRowCount(0)
        self._set_button_text()

    def fold(self) -> None:
        self.button.setChecked(False)

    def _fill(self) -> None:
        table, follows = self.table, self._follows
        head = table.horizontalHeaderItem(2)
        if head is not None:
            head.setText(self.instrument)
        rows = [
            (
                f.result.id,
                (
                    day_text(f.result.taken_at),
                    shown(f.label),
                    str(f.result.total),
                    shown(f.verdict),
                ),
            )
            for f in reversed(follows)  # newest first, as the PHQ-9 history
        ]
        with refilling(table):
            worse = {f.result.id for f in follows if f.deterioration}
            fill_table(table, rows, bold_rows=worse)
        self._filled = True
        self._fit_height()

    def _unfold(self, on: bool) -> None:
        self._set_button_text()
        if on and not self._filled:
            self._fill()
        if on or self._table is not None:
            self.table.setVisible(on)

    def _fit_height(self) -> None:
        """``ROWS`` rows high (fewer if fewer), each at least as high as the other tables'
        rows; the chart's page scrolls to show it: never squeezed."""
        table = self.table
        row = table.verticalHeader().defaultSectionSize()
        table.verticalHeader().setMinimumSectionSize(row)
        header = table.horizontalHeader().sizeHint().height()
        table.setFixedHeight(header + min(self.count, ROWS) * row + 2 * table.frameWidth())

    def _set_button_text(self) -> None:
        n = self.count
        if self.button.isChecked():
            self.button.setText(self.tr("▾ Hide the follo&w-ups"))
            self.button.setAccessibleDescription(self.tr("Shown below"))
            return
        self.button.setText(
            in_english(f"▸ Show all {n} follo&w-ups", self.tr("▸ Show all %n follo&w-ups", None, n))
        )
        self.button.setAccessibleDescription(
            in_english(f"{n} follow-ups, folded", self.tr("%n follow-up(s), folded", None, n))
        )
