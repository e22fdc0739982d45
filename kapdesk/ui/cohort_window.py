"""Records > Cohort outcomes… (clinicians: VIEW_COHORT): the clinic's cohort table.

Filters (protocol, course start from/to, status), the summary with the definitions used,
the PHQ-9 trajectories plot (each course thin, the weekly median thick, severity bands
behind; pyqtgraph, imported when the window is first built), one row per course in a
fitted table (nothing cut off at 1024x700), and Save as PDF / CSV (audited by the
service). Everything shown comes from ``CohortService`` (kapdesk.services.cohort); the
window only lays it out. Tests read ``course_curves`` / ``median_curve`` data, not pixels,
and replace ``CohortSavePath.ask``.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.cohort import (
    CohortFilter,
    CohortTable,
    definitions,
    median_trajectory,
)
from kapdesk.domain.cohort_cells import shown_cells, shown_columns
from kapdesk.domain.dates import calendar_date
from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.instruments import PHQ9
from kapdesk.i18n import _
from kapdesk.services.cohort import CohortService
from kapdesk.services.cohort_export import Format, save_for
from kapdesk.services.patients import DATE_FORMATS
from kapdesk.ui.errors import message_of
from kapdesk.ui.widgets import error_label, fill_table, plain_table, set_error
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.outcome_chart import BAND_FILLS  # the chart's bands, one look

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext

COURSE_COLOR = "#8193a6"
MEDIAN_COLOR = "#1f4e79"
STATUSES = (
    (str(QT_TRANSLATE_NOOP("CohortWindow", "Open and ended courses")), None),
    (str(QT_TRANSLATE_NOOP("CohortWindow", "Open courses")), "open"),
    (str(QT_TRANSLATE_NOOP("CohortWindow", "Ended courses")), "ended"),
)


def typed_date(text: str) -> date | str:
    """A date typed as the patient form takes it (2026-03-02, 02/03/2026, 02.03.2026);
    anything else as typed (the domain says why)."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text


class CohortSavePath:
    """Where to save; tests replace ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: Path, fmt: Format) -> Path | None:
        kind = (
            QCoreApplication.translate("CohortSavePath", "PDF documents (*.pdf)")
            if fmt == "pdf"
            else QCoreApplication.translate("CohortSavePath", "CSV files (*.csv)")
        )
        title = QCoreApplication.translate("CohortSavePath", "Save cohort outcomes")
        name, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), kind)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == f".{fmt}" else path.with_name(f"{path.name}.{fmt}")


def _pg() -> Any:
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    import pyqtgraph

    return pyqtgraph


class CohortPlot(QWidget):
    """Each course's PHQ-9 by week since its start; the cohort's weekly median."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg = _pg()
        self.plot = pg.PlotWidget(background="#ffffff", enableMenu=False)
        self.plot.setAccessibleName(self.tr("PHQ-9 trajectories plot"))
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.setLabel("left", self.tr("PHQ-9 total"))
        item.setLabel("bottom", self.tr("Weeks since the course started"))
        self.plot.setYRange(0, PHQ9.max_total, padding=0.02)
        for i, band in enumerate(PHQ9.bands):
            region = pg.LinearRegionItem(
                values=(max(band.low - 0.5, 0), min(band.high + 0.5, PHQ9.max_total)),
                orientation="horizontal",
                movable=False,
                brush=pg.mkBrush(BAND_FILLS[min(i, len(BAND_FILLS) - 1)]),
                pen=pg.mkPen(None),
            )
            region.setZValue(-10)
            self.plot.addItem(region)
            label = pg.TextItem(_(band.label), color="#6b737c", anchor=(0, 0.5))
            label.setPos(0, (band.low + band.high) / 2)
            self.plot.addItem(label)
        self.course_curves: list[Any] = []
        self.median_curve = self.plot.plot([], [], pen=pg.mkPen(MEDIAN_COLOR, width=4))
        self.median_curve.setZValue(5)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)

    def show_table(self, table: CohortTable) -> None:
        pg = _pg()
        for curve in self.course_curves:
            self.plot.removeItem(curve)
        self.course_curves = []
        for row in table.rows:
            xs = [w for w, _ in row.trajectory]
            ys = [t for _, t in row.trajectory]
            curve = self.plot.plot(xs, ys, pen=pg.mkPen(COURSE_COLOR, width=1))
            self.course_curves.append(curve)
            if row.follow_up_points:
                dots = self.plot.plot(
                    [w for w, _ in row.follow_up_points],
                    [t for _, t in row.follow_up_points],
                    pen=None,
                    symbol="d",
                    symbolBrush="#ffffff",
                    symbolPen=COURSE_COLOR,
                    symbolSize=7,
                )
                self.course_curves.append(dots)
        median = median_trajectory(table.rows)
        self.median_curve.setData([w for w, _ in median], [m for _, m in median])
        weeks = [w for r in table.rows for w, _ in (*r.trajectory, *r.follow_up_points)]
        self.plot.setXRange(-0.5, max([8.0, *weeks]) + 0.5, padding=0)


class CohortWindow(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.table_data: CohortTable | None = None
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("cohortOutcomes")
        self.setWindowTitle(
            self.tr("Cohort outcomes – DEMO") if app.demo else self.tr("Cohort outcomes")
        )
        self.resize(1024, 700)
        root = QVBoxLayout(self)
        root.addLayout(self._build_filters())
        self.message = error_label()
        root.addWidget(self.message)
        top = QWidget()
        top_lay = QHBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        texts = QVBoxLayout()
        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Cohort summary"))
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.definitions = QLabel("\n".join(definitions()))
        self.definitions.setObjectName("pageSubtitle")
        self.definitions.setAccessibleName(self.tr("Definitions used"))
        self.definitions.setWordWrap(True)
        texts.addWidget(self.summary)
        texts.addWidget(self.definitions, 1)
        top_lay.addLayout(texts, 1)
        self.plot = CohortPlot()
        top_lay.addWidget(self.plot, 1)
        self.table = plain_table(shown_columns(), self.tr("Courses"))
        fit_columns(self.table, {0: 3, 2: 1, 3: 1, 8: 4})  # these wrap: nothing cut at 1024
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.table)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        root.addWidget(split, 1)
        root.addLayout(self._build_buttons())
        self.refresh()

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.protocol = QComboBox()
        self.protocol.setAccessibleName(self.tr("Protocol"))
        self.protocol.addItem(self.tr("All protocols"), None)
        for pid in sorted(self.app.ctx.protocols):
            self.protocol.addItem(pid, pid)
        self.started_from = QLineEdit()
        self.started_to = QLineEdit()
        named = (
            (self.started_from, self.tr("Started from")),
            (self.started_to, self.tr("Started to")),
        )
        for edit, name in named:
            edit.setPlaceholderText(self.tr("YYYY-MM-DD"))
            edit.setAccessibleName(name)
            edit.setMaximumWidth(110)
            edit.returnPressed.connect(self.refresh)
        self.status = QComboBox()
        self.status.setAccessibleName(self.tr("Course status"))
        for label, value in STATUSES:
            self.status.addItem(self.tr(label), value)
        self.protocol.currentIndexChanged.connect(self.refresh)
        self.status.currentIndexChanged.connect(self.refresh)
        self.show_button = QPushButton(self.tr("S&how"))
        self.show_button.clicked.connect(self.refresh)
        fields: tuple[tuple[str, QWidget], ...] = (
            (self.tr("&Protocol"), self.protocol),
            (self.tr("Started &from"), self.started_from),
            (self.tr("&to"), self.started_to),
            (self.tr("St&atus"), self.status),
        )
        for caption, widget in fields:
            buddy = QLabel(caption)
            buddy.setBuddy(widget)
            row.addWidget(buddy)
            row.addWidget(widget)
        row.addWidget(self.show_button)
        row.addStretch(1)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.pdf_button = QPushButton(self.tr("Save as P&DF…"))
        self.csv_button = QPushButton(self.tr("Save as &CSV…"))
        self.pdf_button.clicked.connect(lambda: self.save("pdf"))
        self.csv_button.clicked.connect(lambda: self.save("csv"))
        row.addWidget(self.pdf_button)
        row.addWidget(self.csv_button)
        return row

    def filters(self) -> CohortFilter:
        """The filters as entered (ValidationError on a date that is not one)."""
        start = self.started_from.text().strip()
        end = self.started_to.text().strip()
        return CohortFilter(
            protocols=() if self.protocol.currentData() is None else (self.protocol.currentData(),),
            started_from=calendar_date(self.tr("Started from"), typed_date(start))
            if start
            else None,
            started_to=calendar_date(self.tr("Started to"), typed_date(end)) if end else None,
            status=self.status.currentData(),
        )

    def refresh(self) -> None:
        actor = self.app.actor
        if actor is None:
            return
        try:
            table = CohortService(self.app.ctx).table(actor, self.filters())
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
            return
        set_error(self.message, "")
        self.table_data = table
        self.summary.setText("\n".join(table.summary.lines()))
        fill_table(self.table, ((r.facts.course_id, shown_cells(r)) for r in table.rows))
        self.plot.show_table(table)

    def save(self, fmt: Format) -> Path | None:
        actor, table = self.app.actor, self.table_data
        if actor is None or table is None:
            return None
        suggested = Path.home() / f"cohort-outcomes-{date.today().isoformat()}.{fmt}"
        path = CohortSavePath.ask(self, suggested, fmt)
        if path is None:
            return None
        from kapdesk.reports.pdf import PDF

        try:
            data = save_for(self.app.ctx, actor, table, fmt, PDF)
            path.write_bytes(data)
        except (KapdeskError, OSError) as exc:
            set_error(
                self.message, self.tr("Could not save {path}: {error}").format(path=path, error=exc)
            )
            return None
        set_error(self.message, "")
        return path
