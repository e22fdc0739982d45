"""A patient chart's Outcomes tab: the PHQ-9 plot, the PHQ-9/GAD-7 tables, scoring rules.

The tables are beside the plot where both fit (the plot at least ``PLOT_LEAST`` wide:
its axes, its legend and room to tell a year of follow-ups apart); in a narrower window
(1024 px) they go under it, the whole width. Each table keeps a few rows in sight
(``ROWS_BESIDE``, ``ROWS_UNDER``): the chart's page scrolls when the window is too short
for all of it (see patient_chart). The scoring rules, of the plot's results and the
tables', run under both the whole width.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from kapdesk.ui.widgets.scroll_page import LeastForWidth
from kapdesk.ui.widgets.side_or_under import SideOrUnder
from kapdesk.ui.widgets.wrap_label import WrapLabel

PLOT_LEAST = 400  # the plot's least width beside the tables
TABLES_LEAST = 310  # the tables' least width: every column of the PHQ-9 one
ROWS_BESIDE = (2, 2)  # PHQ-9, GAD-7 rows in sight at least (beside: the plot's height)
ROWS_UNDER = (5, 3)


class OutcomesTab(LeastForWidth):  # the scoring rules wrap
    def __init__(self, plot: QWidget, phq_table: QTableWidget, gad_table: QTableWidget) -> None:
        super().__init__()
        self.phq_table, self.gad_table = phq_table, gad_table
        self.phq_button = QPushButton(self.tr("Record PHQ-&9…"))
        self.gad_button = QPushButton(self.tr("Record GAD-&7…"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.phq_button)
        buttons.addWidget(self.gad_button)
        buttons.addStretch(1)
        tables = QWidget()
        tables.setMinimumWidth(TABLES_LEAST)
        tables_lay = QVBoxLayout(tables)
        tables_lay.setContentsMargins(0, 0, 0, 0)
        tables_lay.addWidget(QLabel(self.tr("PHQ-9 (all courses)")))
        tables_lay.addWidget(phq_table, 3)
        tables_lay.addWidget(QLabel("GAD-7"))
        tables_lay.addWidget(gad_table, 2)
        self.scoring_rules = WrapLabel()
        self.scoring_rules.setObjectName("pageSubtitle")
        self.scoring_rules.setAccessibleName(self.tr("Scoring rules of the results"))
        self.scoring_rules.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.area = SideOrUnder(plot, tables, first_least=PLOT_LEAST)
        self.area.turned.connect(self._fit_tables)
        lay = QVBoxLayout(self)
        lay.addLayout(buttons)
        lay.addWidget(self.area, 1)
        lay.addWidget(self.scoring_rules)

    def _fit_tables(self, side_by_side: bool) -> None:
        """Each table at least its header and a few rows high: ``ROWS_BESIDE`` beside the
        plot (they share its height), ``ROWS_UNDER`` under it."""
        counts = ROWS_BESIDE if side_by_side else ROWS_UNDER
        for table, rows in zip((self.phq_table, self.gad_table), counts, strict=True):
            header = table.horizontalHeader().sizeHint().height()
            body = rows * table.verticalHeader().defaultSectionSize()
            table.setMinimumHeight(header + body + 2 * table.frameWidth())

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_tables(self.area.side_by_side())  # in the style shown (row heights)
        super().showEvent(event)
