"""The screen lock: after the idle time (or Ctrl+L) a lock screen covers the main window.

``ScreenLock`` wraps the main window's content in a stack whose other page is
the ``LockScreen``. Locking hides every trace of patient data: the content
page (tables, headers, charts, alert banners), the menu bar, status messages,
tool tips, popups and every other kapdesk window (dialogs, note editors,
previews), and it swallows keyboard shortcuts aimed at anything but the lock
screen. The window title stays "<clinic> – kapdesk".

Decisions a caller must know:

* Timers keep running while locked (the Today board, the session workspace,
  ``AlertCenter``): due-reading alerts still beep and raise, and the lock
  screen lists them as "Room 2: a reading is due", never with a name.
* Unlock as the same user (their password, ``WorkstationService.unlock``): the
  view comes back exactly as it was, hidden windows included. "Sign in as
  someone else" (the login dialog) switches ``app.actor``; windows that were
  open for the previous user are closed first (as that user: note editors save
  their drafts), then the views refresh for the new user's role.
* The idle watch starts with :meth:`ScreenLock.watch_idle` (``run_gui`` calls
  it); a window built in a test does not lock by itself unless asked.
* Lock and unlock are audited (``ui.lock`` / ``ui.unlock``); a lock happens
  even when the audit cannot be written.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcutEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain import timetext
from kapdesk.domain.errors import KapdeskError
from kapdesk.services.workstation import LockReason, WorkstationService
from kapdesk.ui.alerts import Alert
from kapdesk.ui.errors import message_of
from kapdesk.ui.idle import IdleWatcher
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.models.board import room_text
from kapdesk.ui.titles import window_title
from kapdesk.ui.widgets import error_label, set_error
from kapdesk.ui.widgets.edits import clear_when_edited
from kapdesk.ui.words import QT_TRANSLATE_NOOP, counted, role_name

if TYPE_CHECKING:
    from kapdesk.services.context import Actor
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.main_window import MainWindow

_log = logging.getLogger(__name__)

LOCK_KEYS = "Ctrl+L"
DEFAULT_IDLE = timedelta(minutes=5)
# Windows with this dynamic property set stay visible over the lock (they show no patient
# data, e.g. the backup progress dialog).
LOCK_SAFE = "kapdeskLockSafe"
_REDACTED = {
    "due": QT_TRANSLATE_NOOP("LockScreen", "{room}: a reading is due"),
    "overdue": QT_TRANSLATE_NOOP("LockScreen", "{room}: a reading is overdue"),
    "missed": QT_TRANSLATE_NOOP("LockScreen", "{room}: a reading is missed"),
    "alert": QT_TRANSLATE_NOOP("LockScreen", "{room}: a reading is alert"),
    "critical": QT_TRANSLATE_NOOP("LockScreen", "{room}: a reading is critical"),
}


def redacted_text(alert: Alert) -> str:
    """What the lock screen says about an alert: room and state, no patient."""
    room = room_text(alert.room)
    template = _REDACTED.get(alert.level)
    if template is None:
        return f"{room}: a reading is {alert.level}"
    return QCoreApplication.translate("LockScreen", template).format(room=room)


class LockScreen(QWidget):
    """The page shown while locked. Widgets only; ``ScreenLock`` does the work."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAccessibleName(self.tr("Lock screen"))
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        row = QHBoxLayout()
        row.addStretch(1)
        panel = QFrame()
        panel.setObjectName("lockPanel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setMaximumWidth(520)
        panel.setMinimumWidth(420)
        row.addWidget(panel, 3)
        row.addStretch(1)
        outer.addLayout(row)

        lay = QVBoxLayout(panel)
        lay.setContentsMargins(24, 18, 24, 18)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.title.setAccessibleName(self.tr("Locked"))
        self.info = QLabel()
        self.info.setObjectName("pageSubtitle")
        self.info.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.info)

        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        label = QLabel(self.tr("&Password"))
        label.setBuddy(self.password)
        form.addRow(label, self.password)
        lay.addLayout(form)
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Unlock message"))
        lay.addWidget(self.message)
        clear_when_edited(self.password, self.message)

        buttons = QHBoxLayout()
        self.switch_button = QPushButton(self.tr("Sign in as &someone else…"))
        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setDefault(True)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        lay.addLayout(buttons)

        self.alerts_box = QWidget()
        self.alerts_box.setAccessibleName(self.tr("Readings due"))
        alerts_lay = QVBoxLayout(self.alerts_box)
        alerts_lay.setContentsMargins(0, 12, 0, 0)
        heading = QLabel(self.tr("Readings due while locked"))
        heading.setObjectName("pageSubtitle")
        alerts_lay.addWidget(heading)
        self._alerts_layout = alerts_lay
        self.alert_labels: list[QLabel] = []
        self._alert_frames: list[QFrame] = []
        lay.addWidget(self.alerts_box)
        self.alerts_box.hide()
        outer.addStretch(3)
        self.setTabOrder(self.password, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.switch_button)

    def show_for(self, actor: Actor, info: str) -> None:
        text = self.tr("Locked – {name} ({role})")
        self.title.setText(text.format(name=actor.full_name, role=role_name(actor.role)))
        self.info.setText(info)
        self.password.clear()
        set_error(self.message, "")

    def show_error(self, text: str) -> None:
        set_error(self.message, text)
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_alerts(self, alerts: list[Alert]) -> None:
        for old in self._alert_frames:
            self._alerts_layout.removeWidget(old)
            old.deleteLater()
        self.alert_labels, self._alert_frames = [], []
        for alert in alerts:
            frame = QFrame()
            frame.setObjectName("alertBanner")
            frame.setProperty("level", alert.level)
            inner = QHBoxLayout(frame)
            inner.setContentsMargins(10, 4, 10, 4)
            text = redacted_text(alert)
            label = QLabel(text)
            label.setAccessibleName(text)
            inner.addWidget(label)
            self._alerts_layout.addWidget(frame)
            self._alert_frames.append(frame)
            self.alert_labels.append(label)
        self.alerts_box.setVisible(bool(alerts))


class _ShortcutGuard(QObject):
    """While locked: only shortcuts of the lock screen and of other dialogs may fire."""

    def __init__(self, lock: ScreenLock) -> None:
        super().__init__(lock)
        self.lock = lock

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # every event of the application while locked: the others leave on a check done in C
        if not isinstance(event, QShortcutEvent) or event.type() != QEvent.Type.Shortcut:
            return False
        owner = watched.parent() if not isinstance(watched, QWidget) else watched
        if isinstance(watched, QAction) or not isinstance(owner, QWidget):
            return True
        return not self.lock.may_take_keys(owner)


class ScreenLock(QObject):
    locked_changed = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.app: AppContext = window.app
        content = window.takeCentralWidget()
        assert content is not None, "the main window builds its content first"
        self.content: QWidget = content
        self.screen_page = LockScreen()
        self.stack = QStackedWidget()
        self.stack.setObjectName("lockStack")
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.screen_page)
        window.setCentralWidget(self.stack)

        self.lock_action = QAction(self.tr("&Lock screen"), window)
        self.lock_action.setShortcut(QKeySequence(LOCK_KEYS))
        tip = self.tr("Hide patient data until you sign in again ({keys})")
        self.lock_action.setToolTip(tip.format(keys=LOCK_KEYS))
        self.lock_action.triggered.connect(lambda _=False: self.lock("manual"))

        self.watcher = IdleWatcher(self.app.now, DEFAULT_IDLE, self)
        self.watcher.idle.connect(self._on_idle)
        self._guard = _ShortcutGuard(self)
        self._locked = False
        self._hidden: list[QWidget] = []
        self._focus: QWidget | None = None
        self._title = ""
        self.login_dialog: LoginDialog | None = None

        self.screen_page.unlock_button.clicked.connect(self._unlock_clicked)
        self.screen_page.password.returnPressed.connect(self._unlock_clicked)
        self.screen_page.switch_button.clicked.connect(self.sign_in_other)
        window.alerts.alerts_changed.connect(self._show_alerts)

    # ------------------------------------------------------------ idle
    def watch_idle(self) -> None:
        """Lock after the clinic's idle time without keyboard or mouse input."""
        self._load_timeout()
        self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()
        self._remove_guard()

    def _load_timeout(self) -> None:
        try:
            self.watcher.set_timeout(WorkstationService(self.app.ctx).idle_lock_after())
        except KapdeskError as exc:  # database busy: keep the last known timeout
            _log.warning("idle lock time not read: %s", exc)

    def _on_idle(self) -> None:
        if not self.lock("idle"):
            self.watcher.reset()

    # ------------------------------------------------------------ state
    @property
    def locked(self) -> bool:
        return self._locked

    def may_take_keys(self, widget: QWidget) -> bool:
        """Keyboard shortcuts while locked: the lock screen and windows other than the main one."""
        if widget.window() is not self.window:
            return widget.window() not in self._hidden
        return self.screen_page.isAncestorOf(widget) or widget is self.screen_page

    # ------------------------------------------------------------ locking
    def lock(self, reason: LockReason = "manual") -> bool:
        """Cover the window now; False if already locked or nobody is signed in."""
        actor = self.app.actor
        if self._locked or actor is None:
            return False
        self._locked = True
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and focus.window() is not None else None
        self._hide_other_windows()
        QToolTip.hideText()
        self.window.statusBar().clearMessage()
        self._title = self.window.windowTitle()
        self.window.setWindowTitle(self._locked_title())
        self.window.menuBar().hide()
        self.window.menuBar().setEnabled(False)
        self.content.setEnabled(False)
        self.stack.setCurrentWidget(self.screen_page)
        qapp = QApplication.instance()
        if qapp is not None:
            qapp.installEventFilter(self._guard)
        self.screen_page.show_for(actor, self._locked_info(reason))
        self._show_alerts()
        self.screen_page.password.setFocus(Qt.FocusReason.OtherFocusReason)
        try:
            WorkstationService(self.app.ctx).lock(actor, reason)
        except KapdeskError as exc:  # never keep the screen open because of the audit
            _log.warning("lock not audited: %s", exc)
        self.locked_changed.emit(True)
        return True

    def _locked_info(self, reason: LockReason) -> str:
        """'Locked at 10:32 after 5 minutes without activity. Patient data stays ...'."""
        at = timetext.clock(self.app.now())
        if reason != "idle":
            text = self.tr("Locked at {time}. Patient data stays hidden until you sign in.")
            return text.format(time=at)
        minutes = round(self.watcher.timeout.total_seconds() / 60)
        text = counted(
            minutes,
            "Locked at {time} after %n minute without activity. "
            "Patient data stays hidden until you sign in.",
            self.tr(
                "Locked at {time} after %n minutes without activity. "
                "Patient data stays hidden until you sign in.",
                None,
                minutes,
            ),
        )
        return text.format(time=at)

    def unlock(self, password: str) -> bool:
        """The same user signs in again; the message shows at the field when refused."""
        actor = self.app.actor
        if not self._locked or actor is None:
            return False
        try:
            WorkstationService(self.app.ctx).unlock(actor, password)
        except KapdeskError as exc:  # AuthenticationFailed, AccountLocked, DatabaseBusy
            self.screen_page.show_error(message_of(exc))
            return False
        self._release(same_user=True)
        return True

    def sign_in_other(self) -> LoginDialog:
        """The login dialog over the lock screen; accepted, it hands the workstation over."""
        dialog = LoginDialog(self.app, self.window, title=self.tr("Sign in as someone else"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.hand_over(dialog.actor))
        self.login_dialog = dialog
        dialog.open()
        dialog.activateWindow()
        return dialog

    def hand_over(self, actor: Actor | None) -> None:
        """``actor`` (authenticated) unlocks; a different user becomes the acting user."""
        if actor is None or not self._locked:
            return
        previous = self.app.actor
        same = previous is not None and previous.user_id == actor.user_id
        if not same:
            self._close_hidden_windows()  # as the previous user: editors save their drafts
        try:
            WorkstationService(self.app.ctx).handed_over(previous, actor)
        except KapdeskError as exc:
            _log.warning("unlock not audited: %s", exc)
        self.app.actor = actor
        self._release(same_user=same)
        if not same:
            text = self.tr("{name} is now signed in.").format(name=actor.full_name)
            self.window.statusBar().showMessage(text, 5000)
        from kapdesk.ui.sign_in_language import rebuild_in_their_language

        rebuild_in_their_language(self.window)

    def _unlock_clicked(self) -> None:
        self.unlock(self.screen_page.password.text())

    def _release(self, *, same_user: bool) -> None:
        self._remove_guard()
        self.screen_page.password.clear()
        self.screen_page.show_alerts([])
        self.content.setEnabled(True)
        self.stack.setCurrentWidget(self.content)
        self.window.menuBar().setEnabled(True)
        self.window.menuBar().show()
        if self._title:
            self.window.setWindowTitle(self._title)
        self._locked = False
        if same_user:
            self._show_hidden_windows()
            focus = self._focus
            if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._hidden, self._focus = [], None
        self._load_timeout()
        self.watcher.reset()
        self.locked_changed.emit(False)

    def _remove_guard(self) -> None:
        qapp = QApplication.instance()
        if qapp is not None:
            qapp.removeEventFilter(self._guard)

    def _locked_title(self) -> str:
        try:
            clinic = self.app.clinic_name()
        except KapdeskError:
            clinic = self.tr("clinic")
        return window_title(clinic, demo=self.app.demo)

    # ------------------------------------------------------------ other windows
    def _hide_other_windows(self) -> None:
        for _ in range(20):  # menus and combo lists: close them (nested ones one by one)
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        hidden: list[QWidget] = []
        for w in QApplication.topLevelWidgets():
            if w is self.window or not w.isVisible() or w.property(LOCK_SAFE):
                continue
            hidden.append(w)
            if isinstance(w, QDialog):
                w.finished.connect(lambda _r=0, d=w: self._forget(d))
        self._hidden = hidden
        for w in hidden:
            # A dialog in exec() returns "rejected" when hidden; one opened with open() just
            # hides and comes back on unlock.
            w.hide()

    def _forget(self, widget: QWidget) -> None:
        self._hidden = [w for w in self._hidden if w is not widget]

    def _show_hidden_windows(self) -> None:
        for w in self._hidden:
            if shiboken6.isValid(w) and not w.isVisible():
                w.show()

    def _close_hidden_windows(self) -> None:
        for w in list(self._hidden):
            if not shiboken6.isValid(w):
                continue
            if isinstance(w, QDialog):
                w.reject()
            else:
                w.close()
        self._hidden = []

    # ------------------------------------------------------------ alerts
    def _show_alerts(self) -> None:
        if self._locked:
            self.screen_page.show_alerts(self.window.alerts.active)
