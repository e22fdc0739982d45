"""The guided dosing-session workspace: a step list on the left, the step on the right,
a header that is always visible and the session note.

Everything is stored the moment it is entered (there is no Save button); after
every committed change of this session or its patient (``signals.data_changed``,
wherever the change was made) and every few seconds of the app clock the
workspace re-reads ``SessionService.detail`` and hands it to every step. A 1 s
QTimer only redraws clocks and countdowns from ``app.ctx.now()``.
A new workspace for the same session shows exactly the stored state, at the
step the session has reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.discharge_record import discharged_against_criteria
from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Anchor
from kapdesk.domain.schedule import ItemStatus
from kapdesk.domain.session_state import SessionState
from kapdesk.i18n.formats import long_date
from kapdesk.ui.entry_rows import standing
from kapdesk.ui.printing import ReportActions, session_target
from kapdesk.ui.session.checklist import ChecklistPage, checklist_complete
from kapdesk.ui.session.common import TERMINAL, StepPage, cannot_text, translate
from kapdesk.ui.session.discharge import DischargePage
from kapdesk.ui.session.dose import DosePage
from kapdesk.ui.session.header import SessionHeader, set_level
from kapdesk.ui.session.monitoring import MonitoringPage
from kapdesk.ui.session.note import NotePanel
from kapdesk.ui.session.pre_dose import PreDosePage, pre_dose_readings
from kapdesk.ui.session.side_effects import SideEffectsPage
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP
from kapdesk.ui.signing import SignatureBanner

if TYPE_CHECKING:
    from kapdesk.services.changes import ChangeSet
    from kapdesk.services.context import Actor
    from kapdesk.services.screen_dtos import SessionDetail
    from kapdesk.ui.app_context import AppContext

STEP_CHECKLIST, STEP_PRE_DOSE, STEP_DOSE, STEP_MONITORING, STEP_SIDE_EFFECTS, STEP_DISCHARGE = (
    range(6)
)
REQUERY_EVERY: Final = timedelta(seconds=5)
MARKS: Final = {"done": "✓", "current": "▶", "todo": "○"}
# How the step list says a step's status (to screen readers and in its tooltip).
STATUS_WORDS: Final = {
    "done": QT_TRANSLATE_NOOP("SessionWorkspace", "done"),
    "current": QT_TRANSLATE_NOOP("SessionWorkspace", "current"),
    "todo": QT_TRANSLATE_NOOP("SessionWorkspace", "todo"),
}


class StepList(QListWidget):
    """The step list, every title whole: one longer than the list is wide (another
    language) wraps onto a second line, and the list is as tall as its rows."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit(self) -> None:
        """As tall as the rows at the list's width (12 px for the frame and padding)."""
        self.doItemsLayout()
        rows = [self.visualItemRect(self.item(i)).height() for i in range(self.count())]
        if all(rows):
            self.setFixedHeight(sum(rows) + 12)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


def step_done(host: SessionWorkspace, detail: SessionDetail) -> list[bool]:
    state = SessionState(detail.session.state)
    discharged = state is SessionState.DISCHARGED
    timed = [i for i in detail.schedule if i.anchor in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE)]
    doses = standing(detail.doses)  # entries entered in error do not complete a step
    return [
        checklist_complete(host, detail),
        bool(doses) or (bool(standing(pre_dose_readings(detail))) and not detail.hold_active),
        bool(doses),
        discharged or (bool(timed) and all(i.status is ItemStatus.DONE for i in timed)),
        bool(standing(detail.side_effects)),
        discharged,
    ]


def suggested_step(host: SessionWorkspace, detail: SessionDetail) -> int:
    """The step the session has reached (where the workspace opens)."""
    state = SessionState(detail.session.state)
    if state is SessionState.SCHEDULED or state is SessionState.CANCELLED:
        return STEP_CHECKLIST
    if state is SessionState.CHECKED_IN:
        return STEP_PRE_DOSE if checklist_complete(host, detail) else STEP_CHECKLIST
    if state is SessionState.PRE_DOSE_VITALS:
        return STEP_PRE_DOSE if detail.hold_active else STEP_DOSE
    if state is SessionState.DOSE_WITHHELD:
        return STEP_PRE_DOSE
    if state is SessionState.DISCHARGED:
        return STEP_DISCHARGE
    return STEP_MONITORING


class SessionWorkspace(QWidget):
    def __init__(self, app: AppContext, session_id: int, parent: QWidget | None = None) -> None:
        from kapdesk.services.protocol_store import protocol_of_session
        from kapdesk.services.sessions import SessionService

        super().__init__(parent)
        self.app = app
        self.session_id = session_id
        self.sessions = SessionService(app.ctx)
        detail = self.sessions.detail(session_id)  # NotFound propagates to the caller
        self.protocol = protocol_of_session(app.ctx, session_id)  # the course's pinned version
        self.detail = detail
        self.setObjectName("sessionWorkspace")
        self.setAccessibleName(translate("SessionWorkspace", "Dosing session"))

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        self.header = SessionHeader(self.protocol, self)
        root.addWidget(self.header)
        self.report_actions = ReportActions(app, self, lambda: session_target(app, session_id))
        self.header.add_tools(self.report_actions.buttons())
        self.signature_banner = self._signature_banner()
        root.addWidget(self.signature_banner)
        body = QHBoxLayout()
        root.addLayout(body, 1)

        left = QVBoxLayout()
        self.steps = StepList()
        self.steps.setObjectName("sessionSteps")
        self.steps.setAccessibleName(translate("SessionWorkspace", "Steps"))
        self.steps.setFixedWidth(230)
        self.steps.setStyleSheet(
            "QListWidget#sessionSteps { background: #eceff2; border: 1px solid #d5dae0;"
            " border-radius: 4px; padding: 4px; }"
            " QListWidget#sessionSteps::item { padding: 5px 6px; border-radius: 3px; }"
            " QListWidget#sessionSteps::item:selected { background: #d7e3f1; color: #1d3a5f; }"
        )
        self.pages: list[StepPage] = [
            ChecklistPage(self),
            PreDosePage(self),
            DosePage(self),
            MonitoringPage(self),
            SideEffectsPage(self),
            DischargePage(self),
        ]
        self.stack = QStackedWidget()
        for page in self.pages:
            self.steps.addItem(QListWidgetItem(page.title))
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        self.steps.setFixedHeight(self.steps.sizeHintForRow(0) * len(self.pages) + 12)
        left.addWidget(self.steps)
        self.note = NotePanel(self)
        self.note.setFixedWidth(230)
        left.addWidget(self.note, 1)
        body.addLayout(left)
        body.addWidget(self.stack, 1)

        self.steps.currentRowChanged.connect(self.stack.setCurrentIndex)
        self._step_shortcuts()

        self._last_query = app.ctx.now()
        self._suggested = -1
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        app.signals.data_changed.connect(self._data_changed)
        qapp = QCoreApplication.instance()
        if qapp is not None:  # quitting saves a note still being typed
            qapp.aboutToQuit.connect(self.note.save_now)
        app.signals.actor_changed.connect(self.refresh)
        self._show(detail)

    def _signature_banner(self) -> SignatureBanner:
        return SignatureBanner(
            self.app,
            "dosing_session",
            self.session_id,
            what=self._sign_what,
            signable=lambda: SessionState(self.detail.session.state) in TERMINAL,
            sign_text=translate("SessionWorkspace", "Si&gn session…"),
            covers=translate(
                "SessionWorkspace",
                "The signature covers its readings, doses, side effects, observations and "
                "the session note.",
            ),
        )

    def _step_shortcuts(self) -> None:
        """Alt+1 ... Alt+6 go to the steps."""
        for i in range(len(self.pages)):
            shortcut = QShortcut(QKeySequence(f"Alt+{i + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setWhatsThis(
                translate("SessionWorkspace", "Go to step {n}: {title}").format(
                    n=i + 1, title=self.pages[i].title
                )
            )
            shortcut.activated.connect(lambda i=i: self.go_to(i, focus=True))

    # ------------------------------------------------------------ host interface

    def can(self, action: Action) -> bool:
        actor = self.app.actor
        return actor is not None and can(actor.role, action)

    def actor(self) -> Actor:
        return self.app.require_actor()

    def cannot(self, what: str) -> str:
        """'A therapist cannot record doses.' (or 'Sign in to record doses.'); ``what`` in
        the language shown."""
        actor = self.app.actor
        return cannot_text(None if actor is None else actor.role, what)

    def now(self) -> datetime:
        return self.app.ctx.now()

    # ------------------------------------------------------------ steps

    def current_step(self) -> int:
        return self.steps.currentRow()

    def page(self, step: int) -> StepPage:
        return self.pages[step]

    def go_to(self, step: int, *, focus: bool = False) -> None:
        self.steps.setCurrentRow(step)
        if focus:
            target = self.pages[step].first_input()
            (target or self.steps).setFocus(Qt.FocusReason.OtherFocusReason)

    def step_states(self) -> list[str]:
        """'done' / 'current' / 'todo' per step, as the step list shows them."""
        done = step_done(self, self.detail)
        current = suggested_step(self, self.detail)
        return [
            "done" if done[i] else ("current" if i == current else "todo")
            for i in range(len(self.pages))
        ]

    def _show_steps(self) -> None:
        s = self.detail.session
        against = discharged_against_criteria(s.discharge_criteria, s.discharge_reason)
        for i, status in enumerate(self.step_states()):
            item = self.steps.item(i)
            title = self.pages[i].title
            mark, said = MARKS[status], translate("SessionWorkspace", STATUS_WORDS[status])
            if i == STEP_DISCHARGE and status == "done" and against:  # not a plain tick
                mark, said = "⚠", translate("SessionWorkspace", "done against criteria")
            item.setText(f"{mark}  {i + 1}. {title}")
            item.setToolTip(
                translate("SessionWorkspace", "{title}: {status} (Alt+{n})").format(
                    title=title, status=said, n=i + 1
                )
            )
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                translate("SessionWorkspace", "Step {n}, {title}, {status}").format(
                    n=i + 1, title=title, status=said
                ),
            )
            font = item.font()
            font.setBold(status == "current")
            item.setFont(font)
        self.steps.fit()

    # ------------------------------------------------------------ refreshing

    def refresh(self) -> None:
        try:
            detail = self.sessions.detail(self.session_id)
        except KapdeskError as exc:  # e.g. the database is busy: keep what is shown, say so
            text = translate("SessionWorkspace", "Could not refresh the session: {error}")
            set_level(self.header.alert, text.format(error=exc), "alert")
            self._last_query = self.now()
            return
        self._show(detail)

    def _show(self, detail: SessionDetail) -> None:
        self.detail = detail
        now = self.now()
        self._last_query = now
        self.header.show_detail(detail, now)
        for page in self.pages:
            page.show_detail(detail)
        self.note.show_detail(detail)
        self._show_signature()
        self._show_steps()
        suggested = suggested_step(self, detail)
        if suggested != self._suggested:
            # Guided: follow the session forward when it moves on from the step shown.
            following = self._suggested in (-1, self.current_step())
            self._suggested = suggested
            if following:
                self.go_to(suggested, focus=self.isVisible())

    def _show_signature(self) -> None:
        """A signed session is read-only everywhere (the services refuse changes anyway)."""
        self.signature_banner.refresh()
        locked = self.signature_banner.is_signed()
        for page in self.pages:
            page.setEnabled(not locked)
        if locked:
            self.note.editor.setReadOnly(True)

    def _sign_what(self) -> str:
        s = self.detail.session
        day = long_date(s.scheduled_at.astimezone())  # English: '2026-03-02'
        return translate("SessionWorkspace", "session {id} of {patient} ({mrn}) on {day}").format(
            id=s.id, patient=s.patient_name, mrn=s.mrn, day=day
        )

    def _data_changed(self, changes: ChangeSet) -> None:
        """Refresh for a change of this session, or of its patient's own record or course
        (never for another session's change)."""
        if self.shows(changes):
            self.refresh()

    def shows(self, changes: ChangeSet) -> bool:
        patient_id = self.detail.session.patient_id
        return changes.touches_session(self.session_id) or any(
            c.session_id is None and c.patient_id == patient_id for c in changes
        )

    def tick(self) -> None:
        now = self.now()
        if now - self._last_query >= REQUERY_EVERY or now < self._last_query:
            self.refresh()
            now = self.now()
        self.header.tick(now)
        for page in self.pages:
            page.tick(now)

    # ------------------------------------------------------------ lifecycle

    def stop(self) -> None:
        """Save a pending note and stop the clock (the window is closing)."""
        self.note.save_now()
        self.timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.timer.isActive():
            self.timer.start()
            self.refresh()
        if not event.spontaneous():  # opened or navigated to: the keyboard goes to the step
            self.go_to(self.current_step(), focus=True)

    def hideEvent(self, event: QHideEvent) -> None:
        self.note.save_on_hide()
        self.timer.stop()
        super().hideEvent(event)
