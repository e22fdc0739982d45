"""The handover window: what is still open, missed or unsigned at the end of the day.

Opened from Go > Handover… (Ctrl+Shift+H). Four sections, each with its count in the
heading ("Unsigned sessions (3)") and a calm line when it is empty ("No open sessions."):
open sessions, readings missed today, unsigned sessions and unsigned integration notes
(``kapdesk.services.handover``). Double-click or Enter on a row opens it: a session in the
main window (as the Today board does), a note in its editor.

It reads again when a committed change touches a session, patient, course, note or
signature (``signals.data_changed``), when the signed-in user changes, every minute (a
reading turns missed with time alone) and on F5. An admin sees the four counts only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.session_state import SessionState, state_title
from kapdesk.domain.wording import shown
from kapdesk.services.changes import SESSION_KINDS, ChangeSet, Kind
from kapdesk.ui.errors import message_of
from kapdesk.ui.models.board import room_text
from kapdesk.ui.titles import dialog_title
from kapdesk.ui.today_board import session_refusal
from kapdesk.ui.widgets import error_label, fill_table, page_head, plain_table, set_error
from kapdesk.ui.widgets.open_rows import open_rows_by_id
from kapdesk.ui.words import QT_TRANSLATE_NOOP, count_text, counted, long_day, short_day

if TYPE_CHECKING:
    from kapdesk.services.handover import Handover, MissedReading, OpenSession
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.integration_note import IntegrationNoteEditor
    from kapdesk.ui.main_window import MainWindow

HANDOVER_KINDS: Final = SESSION_KINDS | {Kind.PATIENT, Kind.COURSE, Kind.NOTE, Kind.SIGNATURE}
REREAD_EVERY_MS: Final = 60_000
REREAD_AFTER_CHANGE_MS: Final = 300
MAX_ROWS_SHOWN: Final = 8
_NOTE_STATUS: Final = {
    "draft": QT_TRANSLATE_NOOP("HandoverWindow", "Draft"),
    "final": QT_TRANSLATE_NOOP("HandoverWindow", "Final"),
}


def state_word(state: str) -> str:
    """The state as the board and the session header say it: 'In monitoring'."""
    return state_title(state)


class Section(QWidget):
    """A heading with the count, a table, and a calm line when there is nothing."""

    def __init__(
        self, title: str, columns: Sequence[str], empty: str, open_row: Callable[[int], object]
    ) -> None:
        super().__init__()
        self.title = title
        self.empty_text = empty
        self.heading = QLabel(title)
        self.heading.setObjectName("sectionTitle")
        self.heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.table: QTableWidget = plain_table(columns, title)
        open_rows_by_id(self.table, open_row)
        self.empty = QLabel(empty)
        self.empty.setObjectName("pageSubtitle")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.heading)
        lay.addWidget(self.table)
        lay.addWidget(self.empty)

    def show_rows(self, count: int, rows: Sequence[tuple[int, Sequence[str]]] | None) -> None:
        """``rows`` None: the count only (an admin)."""
        self.heading.setText(f"{self.title} ({count_text(count)})")
        self.table.setVisible(bool(rows))
        fill_table(self.table, rows or [])
        listed = len(rows or [])
        if count == 0:
            self.empty.setText(self.empty_text)
        elif rows and listed < count:
            self.empty.setText(
                counted(
                    listed,
                    "The newest is listed.",
                    self.tr("The newest %n are listed.", None, listed),
                )
            )
        self.empty.setVisible(count == 0 or (bool(rows) and listed < count))
        self._fit_rows()

    def _fit_rows(self) -> None:
        """As tall as its rows, up to MAX_ROWS_SHOWN (then it scrolls): no empty box."""
        shown = min(self.table.rowCount(), MAX_ROWS_SHOWN)
        rows = sum(self.table.rowHeight(r) for r in range(shown))
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(rows + header + 2 * self.table.frameWidth() + 2)


class HandoverWindow(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.handover: Handover | None = None
        self.editors: dict[int, IntegrationNoteEditor] = {}
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("handover")
        self.setWindowTitle(dialog_title(self.tr("Handover"), demo=app.demo))
        self.resize(980, 760)

        head, self.title, self.subtitle = page_head(
            self.tr("Handover"), self.tr("Double-click or press Enter to open   ·   F5: read again")
        )
        self.notice = QLabel()
        self.notice.setObjectName("pageSubtitle")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Handover message"))

        patient, mrn = self.tr("Patient"), self.tr("MRN")
        self.open_sessions = Section(
            self.tr("Open sessions"),
            (patient, mrn, self.tr("Room"), self.tr("State"), self.tr("Since")),
            self.tr("No open sessions."),
            self.open_session,
        )
        self.missed = Section(
            self.tr("Readings missed today"),
            (patient, mrn, self.tr("Room"), self.tr("Reading"), self.tr("Due")),
            self.tr("No readings missed today."),
            self.open_session,
        )
        self.unsigned_sessions = Section(
            self.tr("Unsigned sessions"),
            (patient, mrn, self.tr("Session"), self.tr("Ended"), self.tr("Discharged by")),
            self.tr("No unsigned sessions."),
            self.open_session,
        )
        self.unsigned_notes = Section(
            self.tr("Unsigned integration notes"),
            (patient, mrn, self.tr("Held"), self.tr("Author"), self.tr("Status")),
            self.tr("No unsigned integration notes."),
            self.open_note,
        )
        self.sections = (
            self.open_sessions,
            self.missed,
            self.unsigned_sessions,
            self.unsigned_notes,
        )

        refresh = QPushButton(self.tr("&Read again"))
        refresh.setToolTip(self.tr("Read the handover again (F5)"))
        refresh.clicked.connect(self.refresh)
        close = QPushButton(self.tr("Close"))
        close.setToolTip(self.tr("Close the handover (Esc)"))
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addStretch(1)
        bottom.addWidget(refresh)
        bottom.addWidget(close)

        root = QVBoxLayout(self)
        root.addLayout(head)
        root.addWidget(self.notice)
        for section in self.sections:
            root.addWidget(section)
        root.addStretch(1)
        root.addLayout(bottom)
        QShortcut(QKeySequence("F5"), self, self.refresh).setWhatsThis(
            self.tr("Read the handover again")
        )
        QShortcut(QKeySequence("Esc"), self, self.close).setWhatsThis(self.tr("Close the handover"))

        self._reread = QTimer(self)
        self._reread.setSingleShot(True)
        self._reread.setInterval(REREAD_AFTER_CHANGE_MS)
        self._reread.timeout.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(REREAD_EVERY_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        app.signals.data_changed.connect(self._on_changes)
        app.signals.actor_changed.connect(self._actor_changed)
        self.refresh()

    # ------------------------------------------------------------ data
    def _on_changes(self, changes: ChangeSet) -> None:
        if self.isVisible() and (changes.session_ids or changes.touches(*HANDOVER_KINDS)):
            self._reread.start()  # a burst of changes (a dose and its readings) reads once

    def _actor_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        from kapdesk.services.handover import HandoverService  # loaded when first opened

        actor = self.app.actor
        if actor is None:
            return
        try:
            h = HandoverService(self.app.ctx).today(actor)
        except KapdeskError as exc:
            set_error(
                self.message, self.tr("The handover could not be read: {error}").format(error=exc)
            )
            return
        set_error(self.message, "")
        self.handover = h
        now = self.app.now()
        day = long_day(h.day, h.day.strftime("%A %d %B %Y"))
        as_at = self.tr("{day}, as at {time}").format(day=day, time=self.app.ctx.shown(now))
        self.subtitle.setText(as_at)
        self.notice.setVisible(h.detail_hidden)
        self.notice.setText(
            self.tr("How many only: patients, readings and notes are for clinical staff.")
            if h.detail_hidden
            else ""
        )
        self._fill(h, now)

    def _fill(self, h: Handover, now: datetime) -> None:
        when = self._when
        open_rows = [
            (o.session_id, (o.patient_name, o.mrn, room_text(o.room), *self._state(o, now)))
            for o in h.open_sessions
        ]
        missed_rows = [
            (
                m.session_id,
                (m.patient_name, m.mrn, room_text(m.room), shown(m.reading), self._window(m)),
            )
            for m in h.missed_readings
        ]
        session_rows = [
            (
                u.session_id,
                (
                    u.patient_name,
                    u.mrn,
                    state_word(u.state),
                    when(u.ended_at, now),
                    u.discharged_by or "–",
                ),
            )
            for u in h.unsigned_sessions
        ]
        note_rows = [
            (
                n.note_id,
                (n.patient_name, n.mrn, when(n.held_at, now), n.author, self._status(n.status)),
            )
            for n in h.unsigned_notes
        ]
        hidden = h.detail_hidden
        for section, count, rows in (
            (self.open_sessions, h.open_count, open_rows),
            (self.missed, h.missed_count, missed_rows),
            (self.unsigned_sessions, h.unsigned_session_count, session_rows),
            (self.unsigned_notes, h.unsigned_note_count, note_rows),
        ):
            section.show_rows(count, None if hidden else rows)

    def _status(self, status: str) -> str:
        """'Draft', 'Final' (a status kapdesk does not know, capitalised as it is)."""
        source = _NOTE_STATUS.get(status)
        return self.tr(source) if source else status.capitalize()

    def _state(self, o: OpenSession, now: datetime) -> tuple[str, str]:
        """(state, since): a session not checked in yet reads as the board says it,
        'Scheduled 13:45', since '–'."""
        if o.state == SessionState.SCHEDULED:
            return f"{state_word(o.state)} {self._when(o.since, now)}", "–"
        return state_word(o.state), self._when(o.since, now)

    def _when(self, moment: datetime, now: datetime) -> str:
        """HH:MM today; '2026-02-27 14:02' on another day (the app's one date style)."""
        shown = self.app.ctx.shown
        day = shown(moment, "%Y-%m-%d")
        if day == shown(now, "%Y-%m-%d"):
            return shown(moment)
        return f"{short_day(date.fromisoformat(day), day)} {shown(moment)}"

    def _window(self, m: MissedReading) -> str:
        """'09:20–09:30'; 'by 11:05' when it had to be taken before a time (before discharge:
        the window closed at the discharge); 'from 09:20' when open-ended."""
        shown = self.app.ctx.shown
        start, end = m.due_from, m.due_until
        if end is not None and (start is None or start >= end):
            return self.tr("by {time}").format(time=shown(end))
        if start is not None and end is not None:
            return f"{shown(start)}–{shown(end)}"
        return self.tr("from {time}").format(time=shown(start)) if start is not None else "–"

    def focus_first_rows(self) -> None:
        """The keyboard starts in the first section that lists something (Tab: the next)."""
        for section in self.sections:
            if section.table.isVisible():
                section.table.setFocus(Qt.FocusReason.OtherFocusReason)
                if section.table.currentRow() < 0:
                    section.table.selectRow(0)
                return

    # ------------------------------------------------------------ opening rows
    def open_session(self, session_id: int) -> None:
        refusal = session_refusal(self.app.actor)
        if refusal:
            set_error(self.message, refusal)
            return
        self.app.signals.navigate_session.emit(session_id)
        owner = self.parentWidget()
        if owner is not None:
            owner.window().raise_()
            owner.window().activateWindow()

    def open_note(self, note_id: int) -> IntegrationNoteEditor | None:
        from kapdesk.ui.integration_notes_panel import show_note_editor

        try:
            return show_note_editor(self.app, self.editors, note_id, self)
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
            return None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self._reread.stop()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        if not self.timer.isActive():  # shown again after a close: read what is true now
            self.timer.start()
            self.refresh()
        super().showEvent(event)


class HandoverActions(QObject):
    """Go > Handover… (Ctrl+Shift+H) in the main window, for every signed-in role."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.handover: HandoverWindow | None = None
        self.action = QAction(self.tr("&Handover…"), window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.action.setToolTip(
            self.tr("Open sessions, readings missed today, unsigned sessions and notes")
        )
        self.action.triggered.connect(lambda _=False: self.open_window())

    def add_to(self, menu: QMenu) -> None:
        menu.addSeparator()
        menu.addAction(self.action)

    def open_window(self) -> HandoverWindow | None:
        if self.window.app.actor is None:
            return None
        # one window, shown again (and read again) after it was closed
        handover = self.handover or HandoverWindow(self.window.app, self.window)
        self.handover = handover
        self.window._open_window(handover, lambda: handover)
        handover.focus_first_rows()
        return handover
