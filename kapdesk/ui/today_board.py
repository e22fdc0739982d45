"""The Today board: every session scheduled today or still running, one row each.

Keyboard: arrows select a row; Enter (or a double-click) opens the session;
V or Ctrl+R records vitals for the selected row (QuickVitalsDialog), and the
result's classification shows in the status line under the table. A clinician
acknowledges the selected row's alert reading with "Acknowledge alert" (A).

Refreshing: the rows come from a ``BoardStore`` (``kapdesk.ui.board_store``) that
the main window shares with the alert centre (one query serves both). It
re-queries every 5 s of ``app.ctx.now()`` and at once when a committed change
touches a session, and ticks every second: countdowns and colours are
recomputed from the clock without a query.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QKeySequence,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.clock import local_time
from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.wording import shown
from kapdesk.i18n import _
from kapdesk.services.screen_dtos import BoardRow
from kapdesk.ui.board_store import BoardStore
from kapdesk.ui.board_table import BoardTable
from kapdesk.ui.errors import message_of
from kapdesk.ui.models.board import (
    BOLD_COLUMNS,
    COL_FLAGS,
    COL_NEXT,
    COL_SINCE,
    COL_STATE,
    RUNNING_STATES,
    BoardModel,
    room_text,
    since_texts,
)
from kapdesk.ui.quick_vitals import QuickVitalsDialog
from kapdesk.ui.reading_for import reading_title, row_reading_refusal
from kapdesk.ui.widgets import page_head
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.open_rows import open_on_enter
from kapdesk.ui.words import a_role, long_day

if TYPE_CHECKING:
    from kapdesk.services.context import Actor
    from kapdesk.services.screen_dtos import RecordedReading
    from kapdesk.ui.app_context import AppContext

STATUS_SHOWN_MS = 20_000


class _StatusSlot(QWidget):
    """The status line's place in the buttons' row; the line is its child, not an item of
    the row's layout. A label in a layout that is given a new text (or shown) has that
    layout, and every layout above it up to the main window, worked out again on the next
    turn of the loop (~3.5 ms on a reading's path) even when the row keeps its height (the
    button beside the line is taller than one line). Here the row is laid out again only
    when the height the line asks of it (or its least height) changes (``changed``); the
    slot answers the line's own size hints."""

    def __init__(self, line: QLabel, beside: QWidget) -> None:
        super().__init__()
        self.line = line
        self.beside = beside  # the button sharing the row
        line.setParent(self)
        self.setSizePolicy(line.sizePolicy())

    def _asked(self) -> tuple[int, int]:
        """(height, least height) of the row as the line and the button beside it ask."""
        line, beside = self.line, self.beside
        height = line.heightForWidth(self.width())
        if height < 0:  # no text: its size hint
            height = line.sizeHint().height()
        least = line.minimumSizeHint().height()
        if not beside.isHidden():
            height = max(height, beside.sizeHint().height())
            least = max(least, beside.minimumSizeHint().height())
        return height, least

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Change the line's text, style or visibility inside: the row is laid out again
        if the height it needs changed."""
        before = self._asked()
        yield
        if self._asked() != before:
            self.updateGeometry()

    def sizeHint(self) -> QSize:
        return self.line.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.line.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:
        return self.line.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:
        return self.line.heightForWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.line.setGeometry(self.rect())


def session_refusal(actor: Actor | None) -> str:
    """Why ``actor`` may not open a session ('' when they may): sessions show the chart."""
    if actor is None or can(actor.role, Action.VIEW_PATIENT):
        return ""
    text = QCoreApplication.translate(
        "TodayBoard",
        "{a_role} cannot open a session: sessions and charts are for clinical staff.",
    )
    return text.format(a_role=a_role(actor.role))


def vitals_refusal(actor: Actor | None) -> str:
    """Why ``actor`` may not record a reading ('' when they may), said before anything is
    typed."""
    if actor is None or can(actor.role, Action.RECORD_VITALS):
        return ""
    text = QCoreApplication.translate(
        "TodayBoard", "{a_role} cannot record vital signs: readings are for clinical staff."
    )
    return text.format(a_role=a_role(actor.role))


class TodayBoard(QWidget):
    reading_recorded = Signal(object)  # RecordedReading

    def __init__(
        self, app: AppContext, parent: QWidget | None = None, *, store: BoardStore | None = None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.store = store or BoardStore(app, self)
        self.model = BoardModel(app.now())
        self._shown_load = -1  # the store's load shown in the table
        self.vitals_dialog: QuickVitalsDialog | None = None

        head, self.title, self.subtitle = page_head(
            self.tr("Today"), self.tr("Enter: open session   ·   V: record vitals")
        )

        self.table = BoardTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Today's sessions"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setMinimumSectionSize(30)
        # State, Next reading and Flags share the width left and wrap (read in the cell at
        # 1024 px, not in a tooltip); as shares of the width, a countdown does not jiggle them.
        # Since dose is as wide as the durations a tick can write ('less than 1 min'), so
        # the clock moving on never measures a column again.
        fit_columns(
            self.table,
            {COL_STATE: 2, COL_NEXT: 4, COL_FLAGS: 3},
            reserve={COL_SINCE: since_texts()},
            bold=BOLD_COLUMNS,
        )
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # The selection is a tint drawn by the table over the row's colours (paintEvent):
        # every cell is painted by Qt's delegate without a call into Python.
        self.table.doubleClicked.connect(self._open_index)
        open_on_enter(self.table, self.open_selected)  # QTableView would edit

        self.empty = QLabel(self.tr("No sessions scheduled today."))
        self.empty.setObjectName("pageSubtitle")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.status_line = QLabel()
        self.status_line.setObjectName("statusLine")
        self.status_line.setAccessibleName(self.tr("Board status"))
        self.status_line.setProperty("band", "normal")  # styled so from the start
        self.status_line.setWordWrap(True)
        # In the buttons' row, its place kept while hidden: appearing (a reading recorded)
        # it moves neither the table (a whole re-layout and repaint of the board on the key
        # press's path) nor a button.
        policy = self.status_line.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.status_line.setSizePolicy(policy)
        self.status_line.hide()
        self._refresh_failed = False  # the status line says the board could not be read
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self._hide_status)

        self.acknowledge_button = QPushButton(self.tr("&Acknowledge alert"))
        self.acknowledge_button.setAccessibleName(self.tr("Acknowledge alert"))
        self.acknowledge_button.setToolTip(
            self.tr(
                "A clinician records having seen the selected session's alert reading (audited)."
            )
        )
        self.acknowledge_button.clicked.connect(self.acknowledge_selected)
        self.status_slot = _StatusSlot(self.status_line, self.acknowledge_button)
        tools = QHBoxLayout()
        tools.addWidget(self.status_slot, 1)
        # a long (wrapped) status grows the row upwards: the button stays where it is
        tools.addWidget(self.acknowledge_button, 0, Qt.AlignmentFlag.AlignBottom)

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addLayout(head)
        root.addWidget(self.table, 1)
        root.addWidget(self.empty, 1)
        root.addLayout(tools)

        for keys in ("V", "Ctrl+R"):
            shortcut = QShortcut(QKeySequence(keys), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setWhatsThis(self.tr("Record vital signs for the selected session"))
            shortcut.activated.connect(self.record_vitals)

        app.signals.actor_changed.connect(self._update_actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_moved())
        self.store.updated.connect(self._show)
        if self.store.loads:
            self._show(app.now())
        else:
            self.refresh()
        self.setFocusProxy(self.table)

    # ------------------------------------------------------------ data
    def refresh(self) -> None:
        """Re-query the board now, keeping the selected session selected."""
        self.store.load()

    def tick(self) -> None:
        """What the store's timer does every second (re-query when stale, then redraw)."""
        self.store.tick()

    def stop(self) -> None:
        """Stop the store's clock (shared with the alert centre: the window is closing)."""
        self.store.stop()

    def _show(self, now: datetime) -> None:
        """The store's rows (when they are new) or only the clock moving on."""
        error = self.store.error
        if error is not None:
            text = self.tr("The board could not be refreshed: {error}").format(error=error)
            self.show_status(text, band="alert")
            self._refresh_failed = True
        elif self._refresh_failed:  # recovered: the error is no longer true
            self._refresh_failed = False
            self._hide_status()
        if self.store.loads == self._shown_load:
            self.model.set_now(now)
            return
        self._shown_load = self.store.loads
        rows = self.store.rows
        selected = self.selected_row()
        self.model.set_rows(rows, now)
        day = self.app.ctx.shown(now, "%A %d %B %Y")  # the board's day
        self.subtitle.setText(long_day(local_time(now, self.app.ctx.tz).date(), day))
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if rows:
            keep = self.model.row_of_session(selected.session_id) if selected else None
            self.table.selectRow(keep if keep is not None else 0)
        self._update_actions()

    # ------------------------------------------------------------ alerts
    def _selection_moved(self) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.selected_row()
        actor = self.app.actor
        self.acknowledge_button.setVisible(
            actor is not None and can(actor.role, Action.ACKNOWLEDGE_ALERT)
        )
        self.acknowledge_button.setEnabled(row is not None and bool(row.alerts))

    def acknowledge_selected(self) -> None:
        """Acknowledge the selected row's most serious alert reading (clinicians)."""
        from kapdesk.services.alerts import AlertService

        row = self.selected_row()
        actor = self.app.actor
        if row is None or not row.alerts or actor is None:
            self.show_status(self.tr("The selected session has no alert reading to acknowledge."))
            return
        alert = row.alerts[0]
        try:
            info = AlertService(self.app.ctx).acknowledge(actor, row.session_id, alert.reading_id)
        except KapdeskError as exc:
            self.show_status(message_of(exc), band="alert")
            return
        text = self.tr("{room} – {patient}: alert {value} acknowledged by {who} at {time}.")
        self.show_status(
            text.format(
                room=room_text(row.room),
                patient=row.patient_name,
                value=alert.value_text,
                who=info.acknowledged_by,
                time=self.app.ctx.shown(info.acknowledged_at),
            )
        )

    def running_session_ids(self) -> list[int]:
        return [r.session_id for r in self.model.rows if r.state in RUNNING_STATES]

    # ------------------------------------------------------------ selection
    def selected_row(self) -> BoardRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(rows[0].row())

    def select_session(self, session_id: int) -> bool:
        row = self.model.row_of_session(session_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open(self.model.row_at(index.row()).session_id)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open(row.session_id)

    def _open(self, session_id: int) -> None:
        """Open the session, unless the signed-in role may not see charts (an admin)."""
        refusal = session_refusal(self.app.actor)
        if refusal:
            self.show_status(refusal)
            return
        self.app.signals.navigate_session.emit(session_id)

    # ------------------------------------------------------------ vitals
    def make_vitals_dialog(self, row: BoardRow) -> QuickVitalsDialog:
        """The dialog's title and heading name the reading it is for (what is due now)."""
        title = reading_title(row, self.app.now(), self.app.ctx.shown)
        heading = f"{title}\n{row.mrn}, {row.protocol_label}"
        dialog = QuickVitalsDialog(self.app, row.session_id, heading, self)
        dialog.setWindowTitle(title)
        return dialog

    def record_vitals(self) -> None:
        """Open the (window-modal, non-blocking) vitals dialog for the selected row."""
        row = self.selected_row()
        if row is None:
            self.show_status(self.tr("Select a session first, then press V to record vitals."))
            return
        refusal = vitals_refusal(self.app.actor) or row_reading_refusal(row)
        if refusal:
            self.show_status(refusal)
            return
        dialog = self.make_vitals_dialog(row)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._recorded(row, dialog))
        dialog.finished.connect(lambda _: self._focus_table())
        self.vitals_dialog = dialog
        dialog.open()
        dialog.activateWindow()

    def _focus_table(self) -> None:
        self.window().activateWindow()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _recorded(self, row: BoardRow, dialog: QuickVitalsDialog) -> None:
        if dialog.result_reading is not None:
            self.show_reading(row, dialog.result_reading)

    def show_reading(self, row: BoardRow, result: RecordedReading) -> None:
        """'Room 2 – Lima, Ana: BP 152/94 at 09:21: Elevated – systolic ≥ 140 … (…)'."""
        r = result.reading
        values = self.tr("BP {systolic}/{diastolic}").format(
            systolic=r.systolic, diastolic=r.diastolic
        )
        if r.pulse is not None:
            values += self.tr(", pulse {pulse}/min").format(pulse=r.pulse)
        if r.spo2 is not None:
            values += self.tr(", SpO2 {spo2} %").format(spo2=r.spo2)
        text = self.tr("{room} – {patient}: {values} at {time}: {summary}").format(
            room=room_text(row.room),
            patient=row.patient_name,
            values=values,
            time=self.app.ctx.shown(r.taken_at),
            summary=shown(result.summary),
        )
        if result.actions:
            text += f". {_(result.actions[0])}"
        if result.hold_active:
            text += self.tr(" Dosing is on hold until a clinician records an override.")
        self.show_status(text, band=result.band)
        self.reading_recorded.emit(result)

    def _hide_status(self) -> None:
        with self.status_slot.changing():
            self.status_line.hide()
            self.status_line.clear()  # its kept place back to one line high

    def show_status(self, text: str, *, band: str = "normal") -> None:
        line = self.status_line
        with self.status_slot.changing():
            line.setText(text)
            if line.property("band") != band:  # restyling costs ~1 ms: only a new band
                line.setProperty("band", band)
                line.style().unpolish(line)
                line.style().polish(line)
            line.show()
        self._status_timer.start(STATUS_SHOWN_MS)
