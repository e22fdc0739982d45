"""Step 4: monitoring after the dose: due readings with countdowns (protocol readings,
rule rechecks and conditional readings; missed ones stay listed and counted), readings
any time, the BP chart, and MOAA/S and dissociation observations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyleOptionComboBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.instruments import MOAAS_LEVELS
from kapdesk.domain.permissions import Action
from kapdesk.domain.protocol import Anchor
from kapdesk.domain.schedule import DueItem
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.domain.timetext import minutes_number
from kapdesk.domain.wording import shown
from kapdesk.i18n import _
from kapdesk.ui.entered_in_error import list_menu, table_menu
from kapdesk.ui.entry_rows import (
    EntryList,
    fill_entry_rows,
    observation_entry,
    observation_text,
    reading_entry,
    standing,
)
from kapdesk.ui.session.common import (
    TERMINAL,
    Host,
    StepPage,
    attempt,
    band_or_within,
    message_label,
    moment_text,
    set_message,
    store_reading,
    translate,
)
from kapdesk.ui.session.due import (
    STATUS_COLORS,
    countdown_for,
    due_title,
    status_text,
    status_words,
    window_text,
)
from kapdesk.ui.session.layout import action_button, step_layout
from kapdesk.ui.session.reading_result import ReadingResult
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.vitals_form import VitalsForm

if TYPE_CHECKING:
    from kapdesk.domain.vitals import VitalsInput
    from kapdesk.services.dtos import ObservationInfo, ReadingInfo
    from kapdesk.services.screen_dtos import SessionDetail
    from kapdesk.ui.widgets.bp_chart import BpChart

DUE_COLUMNS: Final = (
    QT_TRANSLATE_NOOP("MonitoringPage", "Reading"),
    QT_TRANSLATE_NOOP("MonitoringPage", "Window"),
    QT_TRANSLATE_NOOP("MonitoringPage", "Status"),
    QT_TRANSLATE_NOOP("MonitoringPage", "Countdown"),
)
SIDE_BY_SIDE_MIN: Final = 400  # px a column needs for the observations and the readings
READING_COLUMNS: Final = (
    QT_TRANSLATE_NOOP("MonitoringPage", "Time"),
    QT_TRANSLATE_NOOP("MonitoringPage", "Min"),
    QT_TRANSLATE_NOOP("MonitoringPage", "BP"),
    QT_TRANSLATE_NOOP("MonitoringPage", "Pulse"),
    QT_TRANSLATE_NOOP("MonitoringPage", "SpO2"),
    QT_TRANSLATE_NOOP("MonitoringPage", "Band"),
    QT_TRANSLATE_NOOP("MonitoringPage", "By"),
)
BAND_COLORS: Final = {
    "elevated": ("#fdf0d6", "#7a4b00"),
    "alert": ("#e57373", "#7f0000"),
    "critical": ("#e57373", "#7f0000"),
}


def _item(text: str, colors: tuple[str, str] | None = None, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if colors is not None:
        item.setBackground(QBrush(QColor(colors[0])))
        item.setForeground(QBrush(QColor(colors[1])))
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    return item


def _table(columns: tuple[str, ...], name: str, shares: dict[int, int]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([translate("MonitoringPage", c) for c in columns])
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.verticalHeader().hide()
    fit_columns(table, shares)  # the long texts wrap in what is left: nothing cut at 1024 px
    return table


class ScoreCombo(QComboBox):
    """The MOAA/S levels, each read in full in the list; closed, it shows only the score
    (its level is written out beside it), so it fits a narrow column whole."""

    def initStyleOption(self, option: QStyleOptionComboBox) -> None:
        super().initStyleOption(option)
        score = self.currentData()
        if score is not None:
            option.currentText = str(score)

    def showPopup(self) -> None:
        view = self.view()
        texts = (self.itemText(i) for i in range(self.count()))
        widest = max((view.fontMetrics().horizontalAdvance(t) for t in texts), default=0)
        view.setMinimumWidth(widest + 40)  # each level whole, wider than the closed box
        super().showPopup()


class MonitoringPage(StepPage):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.title = translate("MonitoringPage", "Monitoring")
        root = step_layout(self, f"4 · {self.title}")
        columns = QHBoxLayout()
        columns.setSpacing(16)
        root.addLayout(columns, 1)
        self.columns = columns  # side by side on a wide page, else one above the other
        left = QWidget()
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        self.due_title = QLabel(translate("MonitoringPage", "Due readings"))
        self.due_title.setAccessibleName(translate("MonitoringPage", "Due readings title"))
        col.addWidget(self.due_title)
        due_name = translate("MonitoringPage", "Due readings")
        self.due = _table(DUE_COLUMNS, due_name, {0: 2, 1: 1, 3: 2})
        # as tall as its rows (they grow as their text wraps): nothing scrolled out of it
        self.due.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.due.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.due.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        col.addWidget(self.due)
        col.addWidget(QLabel(translate("MonitoringPage", "Add a reading (any time)")))
        self.form = VitalsForm(self)
        self.form.submitted.connect(self._store)
        col.addWidget(self.form)
        self.latest = ReadingResult(
            host.protocol,
            recheck_words=translate("MonitoringPage", "Repeat after {min} min"),
            prefix=translate("MonitoringPage", "Latest: "),
        )
        self.result = self.latest.result
        self.provenance = self.latest.provenance
        col.addWidget(self.latest)
        col.addWidget(self._observations_box())
        col.addStretch(1)

        right = QWidget()
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(0, 0, 0, 0)
        self.chart_holder = QVBoxLayout()
        self.chart: BpChart | None = None
        rcol.addLayout(self.chart_holder)
        readings = translate("MonitoringPage", "Readings")
        rcol.addWidget(QLabel(readings))
        self.readings = _table(READING_COLUMNS, readings, {5: 2, 6: 2})
        self.readings.setMinimumHeight(140)
        self.readings_menu = table_menu(host.app, self.readings)  # entered in error
        rcol.addWidget(self.readings, 1)
        for box in (left, right):
            box.setMinimumWidth(340)
            box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            columns.addWidget(box, 1)

        self._detail: SessionDetail | None = None
        self._readings: tuple[ReadingInfo, ...] | None = None
        self._observations: tuple[ObservationInfo, ...] | None = None
        self._window_key: tuple[object, ...] = ()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Form and chart side by side where both fit whole (SIDE_BY_SIDE_MIN each: at the
        default size the chart is seen beside the form without scrolling); on a narrower
        page (1024x700) the chart and readings go under the form, nothing cut off."""
        wide = event.size().width() >= 2 * SIDE_BY_SIDE_MIN + self.columns.spacing()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)
        super().resizeEvent(event)

    def _observations_box(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.addWidget(QLabel(translate("MonitoringPage", "Observations")), 0, 0, 1, 3)
        self.moaas = ScoreCombo()
        for score in sorted(MOAAS_LEVELS, reverse=True):
            self.moaas.addItem(f"{score} – {_(MOAAS_LEVELS[score])}", score)
        self.moaas.setAccessibleName(translate("MonitoringPage", "MOAA/S"))
        self.moaas.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.moaas.setMinimumContentsLength(2)
        self.moaas_level = QLabel()  # the chosen level in words, wrapping
        self.moaas_level.setAccessibleName(translate("MonitoringPage", "MOAA/S level"))
        self.moaas_level.setWordWrap(True)
        self.moaas.currentIndexChanged.connect(self._show_moaas_level)
        self._show_moaas_level()
        moaas_row = QHBoxLayout()
        moaas_row.addWidget(self.moaas)
        moaas_row.addWidget(self.moaas_level, 1)
        moaas_label = QLabel(translate("MonitoringPage", "&MOAA/S"))
        moaas_label.setBuddy(self.moaas)
        self.moaas_button = action_button(
            translate("MonitoringPage", "R&ecord MOAA/S"), self.record_moaas
        )
        grid.addWidget(moaas_label, 1, 0)
        grid.addLayout(moaas_row, 1, 1, 1, 2)
        grid.addWidget(self.moaas_button, 2, 2)

        self.dissociation = QCheckBox(translate("MonitoringPage", "Dissoci&ation present"))
        self.dissociation.setAccessibleName(translate("MonitoringPage", "Dissociation present"))
        self.dissociation_text = QLineEdit()
        self.dissociation_text.setAccessibleName(translate("MonitoringPage", "Dissociation notes"))
        self.dissociation_text.setPlaceholderText(
            translate("MonitoringPage", "what the patient describes")
        )
        notes_label = QLabel(translate("MonitoringPage", "Dissociation no&tes"))
        notes_label.setBuddy(self.dissociation_text)
        self.dissociation_button = action_button(
            translate("MonitoringPage", "Record d&issociation"), self.record_dissociation
        )
        self.dissociation_text.returnPressed.connect(self.record_dissociation)
        grid.addWidget(self.dissociation, 3, 0, 1, 3)
        grid.addWidget(notes_label, 4, 0)
        grid.addWidget(self.dissociation_text, 4, 1, 1, 2)  # what is typed, read whole
        grid.addWidget(self.dissociation_button, 5, 2)
        self.observation_message = message_label(translate("MonitoringPage", "Observation message"))
        grid.addWidget(self.observation_message, 6, 0, 1, 3)
        self.observation_list = EntryList()
        self.observation_list.setAccessibleName(
            translate("MonitoringPage", "Observations recorded")
        )
        self.observation_list.hide()
        self.observations_menu = list_menu(self.host.app, self.observation_list)
        grid.addWidget(self.observation_list, 7, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        return box

    def _show_moaas_level(self) -> None:
        score = self.moaas.currentData()
        self.moaas_level.setText("" if score is None else _(MOAAS_LEVELS[score]))

    # ------------------------------------------------------------ chart

    def ensure_chart(self) -> BpChart:
        """The chart is built on first use (pyqtgraph is heavy to import)."""
        if self.chart is None:
            from kapdesk.ui.widgets.bp_chart import BpChart, protocol_thresholds

            self.chart = BpChart(self)
            self.chart.setFixedHeight(320)
            self.chart.set_thresholds(protocol_thresholds(self.host.protocol))
            self.chart_holder.addWidget(self.chart)
        return self.chart

    def _update_chart(self, detail: SessionDetail, now: datetime) -> None:
        from kapdesk.ui.widgets.bp_chart import ChartPoint

        chart = self.ensure_chart()
        first = detail.session.first_dose_at
        origin = first or now
        chart.set_x_label(
            translate("MonitoringPage", "Minutes from first dose")
            if first
            else translate("MonitoringPage", "Minutes before now (no dose yet)")
        )
        chart.set_points(
            [
                ChartPoint(
                    (r.taken_at - origin).total_seconds() / 60, r.systolic, r.diastolic, r.pulse
                )
                for r in standing(detail.readings)  # entered in error: not charted
            ]
        )
        self._update_windows(now)

    def _update_windows(self, now: datetime) -> None:
        from kapdesk.ui.widgets.bp_chart import ChartWindow

        detail = self._detail
        if detail is None or self.chart is None:
            return
        first = detail.session.first_dose_at
        windows: list[ChartWindow] = []
        if first is not None:
            specs = {s.id: s for s in self.host.protocol.schedule}
            for item in detail.schedule:
                if item.opens_at is None or item.anchor is Anchor.PRE_DOSE:
                    continue
                start = (item.opens_at - first).total_seconds() / 60
                if item.closes_at is not None:
                    end = (item.closes_at - first).total_seconds() / 60
                else:  # pre-discharge: lead time up to the minimum observation
                    spec = specs.get(item.schedule_id)
                    end = start + (spec.from_min if spec else 0)
                status = status_text(item, now)
                kind = "done" if status.startswith("done") else status
                windows.append(ChartWindow(start, end, kind, shown(item.label)))
        key = tuple(windows)
        if key != self._window_key:
            self.chart.set_windows(windows)
            self._window_key = key
        running = SessionState(detail.session.state) in ACTIVE
        self.chart.set_now(
            (now - first).total_seconds() / 60 if first is not None and running else None
        )

    # ------------------------------------------------------------ showing

    def show_detail(self, detail: SessionDetail) -> None:
        self._detail = detail
        state = SessionState(detail.session.state)
        running = state in ACTIVE
        self.form.set_inputs_enabled(running and self.host.can(Action.RECORD_VITALS))
        observe = state not in TERMINAL and self.host.can(Action.RECORD_OBSERVATION)
        for w in (
            self.moaas,
            self.moaas_button,
            self.dissociation,
            self.dissociation_text,
            self.dissociation_button,
        ):
            w.setEnabled(observe)
        if detail.readings != self._readings:
            self._fill_readings(detail.readings)
            self._readings = detail.readings
        post = [r for r in standing(detail.readings) if r.phase == "post_dose"]
        latest = post[-1] if post else None
        self.latest.show_reading(
            latest, running=running, schedule=detail.schedule, readings=detail.readings
        )
        self.latest.tick(self.host.now())
        if detail.observations != self._observations:
            self._fill_observations(detail.observations)
            self._observations = detail.observations
        now = self.host.now()
        self._fill_due(detail.schedule, now)
        if self.chart is not None or self.isVisible():
            self._update_chart(detail, now)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.chart is None and self._detail is not None:
            self._update_chart(self._detail, self.host.now())

    def _fill_due(self, items: tuple[DueItem, ...], now: datetime) -> None:
        self.due_title.setText(due_title(items, now))
        if self.due.rowCount() != len(items):
            self.due.setRowCount(len(items))
        for row, item in enumerate(items):
            status = status_text(item, now)
            colors = STATUS_COLORS.get(status)
            urgent = status in ("due", "overdue")
            cells = (
                shown(item.label),
                window_text(item),
                status_words(status),
                countdown_for(item, now),
            )
            for col, text in enumerate(cells):
                self.due.setItem(row, col, _item(text, colors, urgent and col >= 2))

    def _fill_readings(self, readings: tuple[ReadingInfo, ...]) -> None:
        rows = []
        for r in reversed(readings):
            minutes = "" if r.minutes_from_dose is None else minutes_number(r.minutes_from_dose)
            colors = BAND_COLORS.get(r.band)
            cells = (
                moment_text(r.taken_at, r.recorded_at),
                minutes,
                f"{r.systolic}/{r.diastolic}",
                "" if r.pulse is None else str(r.pulse),
                "" if r.spo2 is None else str(r.spo2),
                band_or_within(r.band),
                r.recorded_by,
            )
            items = [_item(text, colors if col == 5 else None) for col, text in enumerate(cells)]
            rows.append((reading_entry(r), items))
        fill_entry_rows(self.readings, rows)

    def _fill_observations(self, observations: tuple[ObservationInfo, ...]) -> None:
        self.observation_list.set_entries(
            [
                (
                    observation_entry(o),
                    f"{moment_text(o.observed_at, o.recorded_at)}  {observation_text(o)}"
                    f"  ({o.recorded_by})",
                )
                for o in reversed(observations)
            ]
        )

    def tick(self, now: datetime) -> None:
        if self._detail is None:
            return
        self._fill_due(self._detail.schedule, now)
        self._update_windows(now)
        self.latest.tick(now)

    def first_input(self) -> QWidget | None:
        return self.form.first_field if self.form.first_field.isEnabled() else None

    def unsaved_input(self) -> str | None:
        if self.dissociation.isChecked() or self.dissociation_text.text().strip():
            return translate("MonitoringPage", "dissociation notes")
        seen = standing(self._detail.observations) if self._detail is not None else []
        scores = [o for o in seen if o.kind == "moaas"]
        last = max(scores, key=lambda o: o.observed_at).score if scores else self.moaas.itemData(0)
        if self.moaas.isEnabled() and self.moaas.currentData() != last:
            return translate("MonitoringPage", "MOAA/S")
        return super().unsaved_input()

    def reset_inputs(self) -> None:
        super().reset_inputs()
        self.moaas.setCurrentIndex(0)
        self.dissociation.setChecked(False)
        self.dissociation_text.clear()
        set_message(self.observation_message, "")

    # ------------------------------------------------------------ storing

    def _store(self, values: VitalsInput) -> None:
        store_reading(self.host, self.form, values)

    def record_moaas(self) -> None:
        from kapdesk.services.observations import ObservationService

        score = int(self.moaas.currentData())
        attempt(
            lambda: ObservationService(self.host.app.ctx).record_moaas(
                self.host.actor(), self.host.session_id, score
            ),
            message=self.observation_message,
        )

    def record_dissociation(self) -> None:
        from kapdesk.services.observations import ObservationService

        present = self.dissociation.isChecked()
        text = self.dissociation_text.text()
        info = attempt(
            lambda: ObservationService(self.host.app.ctx).record_dissociation(
                self.host.actor(), self.host.session_id, present, text
            ),
            message=self.observation_message,
        )
        if info is not None:
            self.dissociation_text.clear()
            self.dissociation.setChecked(False)
