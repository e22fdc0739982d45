"""The idle lock: it hides every patient name, unlocks only with a password, hands over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.storage.orm import AuditEntry, Patient
from kapdesk.storage.settings_store import set_setting
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.idle import IdleWatcher
from kapdesk.ui.lock_screen import ScreenLock
from kapdesk.ui.main_window import PAGE_PATIENTS, PAGE_SESSION, PAGE_TODAY, MainWindow

from .conftest import PASSWORD, actor_for, show_main_window

NAMES = ("Simões", "Conceição")  # the patient of insert_patient_and_course


# ---------------------------------------------------------------- what can be seen


def _model_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    texts: list[str] = []

    def columns(parent: QModelIndex) -> int:
        try:
            return int(model.columnCount(parent))
        except TypeError:  # list models keep columnCount private: one column
            return 1

    def has_children(index: QModelIndex) -> bool:
        try:
            return bool(model.hasChildren(index))
        except TypeError:  # flat list models keep it private
            return False

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            for col in range(columns(parent)):
                index = model.index(row, col, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(index, role)
                    if value is not None:
                        texts.append(str(value))
                if col == 0 and has_children(index):
                    walk(index)

    walk(QModelIndex())
    for orientation, count in (
        (Qt.Orientation.Horizontal, columns(QModelIndex())),
        (Qt.Orientation.Vertical, model.rowCount()),
    ):
        for section in range(count):
            header = model.headerData(section, orientation, Qt.ItemDataRole.DisplayRole)
            if header is not None:
                texts.append(str(header))
    return texts


def visible_texts() -> list[str]:
    """Every text a person could read on screen now, in every visible kapdesk window."""
    texts: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        texts.append(top.windowTitle())
        for w in [top, *top.findChildren(QWidget)]:
            if not w.isVisible():
                continue
            texts.append(w.toolTip())
            if isinstance(w, (QLabel, QLineEdit, QAbstractButton)):
                texts.append(w.text())
            elif isinstance(w, (QPlainTextEdit, QTextEdit)):
                texts.append(w.toPlainText())
            elif isinstance(w, QAbstractItemView):
                texts.extend(_model_texts(w))
    return texts


def names_on_screen() -> list[str]:
    return [t for t in visible_texts() if any(name in t for name in NAMES)]


def audit_actions(
    app: AppContext, prefix: str = "ui."
) -> list[tuple[str, int | None, dict[str, object] | None]]:
    with app.ctx.db.read() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action.like(f"{prefix}%")).order_by(AuditEntry.id)
        )
        return [(e.action, e.user_id, e.after_data) for e in rows]


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def kit(app: AppContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(app.ctx, clock, nurse)


@pytest.fixture
def sid(kit: Kit) -> int:
    return kit.dosed(room="2")


@pytest.fixture
def window(qtbot: QtBot, app: AppContext, nurse: Actor, sid: int) -> Iterator[MainWindow]:
    app.actor = nurse
    w = show_main_window(qtbot, app, activate=True)
    yield w
    w.close()


@pytest.fixture
def lock(window: MainWindow) -> Iterator[ScreenLock]:
    """The idle watch as run_gui starts it; checks are made by hand after moving the clock."""
    window.screen_lock.watch_idle()
    window.screen_lock.watcher.timer.stop()
    yield window.screen_lock
    window.screen_lock.stop()


def patient_dialog(window: MainWindow) -> QDialog:
    """A window-modal dialog showing the patient's name, as the record dialogs do."""
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QLabel(f"Record vitals – {NAMES[0]}, {NAMES[1]}"))
    dialog.open()
    return dialog


# ---------------------------------------------------------------- tests


def test_default_idle_time_is_five_minutes(lock: ScreenLock) -> None:
    assert lock.watcher.timeout == timedelta(minutes=5)


@pytest.mark.parametrize("where", ["today", "chart", "session"])
def test_idle_timeout_locks_and_hides_every_patient_name(
    qtbot: QtBot,
    window: MainWindow,
    lock: ScreenLock,
    clock: FakeClock,
    app: AppContext,
    sid: int,
    where: str,
) -> None:
    if where == "chart":
        with app.ctx.db.read() as s:
            window.open_patient(s.scalars(select(Patient.id)).one())
        assert window.current_page() == PAGE_PATIENTS
    elif where == "session":
        window.open_session(sid)
        assert window.current_page() == PAGE_SESSION
    dialog = patient_dialog(window)
    assert names_on_screen(), "the test must see the name before the lock"

    clock.advance(minutes=4, seconds=59)
    assert not lock.watcher.check()
    assert not lock.locked
    qtbot.keyClick(window.today, Qt.Key.Key_Down)  # activity resets the idle time
    clock.advance(minutes=4, seconds=59)
    lock.watcher.check()
    assert not lock.locked
    clock.advance(seconds=1)
    assert lock.watcher.check()

    assert lock.locked
    assert names_on_screen() == []
    assert not window.stack.isVisible()
    assert not window.menuBar().isVisible()
    assert not dialog.isVisible()
    assert window.windowTitle() == "kapdesk clinic – kapdesk"
    page = lock.screen_page
    assert page.isVisible()
    assert page.title.text() == "Locked – Test Nurse (nurse)"
    assert "after 5 minutes without activity" in page.info.text()
    assert QApplication.focusWidget() is page.password
    nurse_id = app.require_actor().user_id
    assert audit_actions(app) == [("ui.lock", nurse_id, {"reason": "idle"})]


def test_the_idle_time_comes_from_the_setting(
    qtbot: QtBot, window: MainWindow, app: AppContext, clock: FakeClock
) -> None:
    with app.ctx.db.write() as s:
        set_setting(s, "idle_lock_minutes", 2)
    lock = window.screen_lock
    lock.watch_idle()
    lock.watcher.timer.stop()
    clock.advance(minutes=1, seconds=59)
    lock.watcher.check()
    assert not lock.locked
    clock.advance(seconds=1)
    lock.watcher.check()
    assert lock.locked
    lock.stop()


def test_unlock_same_user_wrong_then_right_restores_the_view(
    qtbot: QtBot, window: MainWindow, lock: ScreenLock, app: AppContext, nurse: Actor
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_PATIENTS
    dialog = patient_dialog(window)
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not lock.locked  # the dialog has the keyboard; Ctrl+L belongs to the main window
    window.activateWindow()
    lock.lock_action.trigger()  # File > Lock screen (Ctrl+L)
    assert lock.locked
    assert names_on_screen() == []

    page = lock.screen_page
    qtbot.keyClicks(page.password, "not my password")
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert lock.locked
    assert page.message.text() == "Wrong password."
    assert page.message.isVisible()
    assert page.password.text() == ""
    assert names_on_screen() == []

    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert not lock.locked
    assert app.actor == nurse
    assert window.current_page() == PAGE_PATIENTS
    assert window.menuBar().isVisible()
    assert dialog.isVisible()  # opened with open(): it comes back as it was
    assert names_on_screen()
    actions = [(a, after) for a, _u, after in audit_actions(app)]
    assert [a for a, _ in actions] == ["ui.lock", "ui.unlock_failed", "ui.unlock"]
    assert actions[0][1] == {"reason": "manual"}


def test_ctrl_l_locks_and_shortcuts_do_nothing_while_locked(
    qtbot: QtBot, window: MainWindow, lock: ScreenLock
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.locked
    qtbot.keyClick(lock.screen_page.password, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_TODAY
    assert window.isVisible()
    assert lock.locked
    assert names_on_screen() == []


def test_sign_in_as_someone_else_switches_the_actor(
    qtbot: QtBot, window: MainWindow, lock: ScreenLock, app: AppContext, nurse: Actor
) -> None:
    dialog = patient_dialog(window)
    lock.lock("manual")
    qtbot.mouseClick(lock.screen_page.switch_button, Qt.MouseButton.LeftButton)
    login = lock.login_dialog
    assert login is not None
    assert login.isVisible()
    qtbot.keyClicks(login.username.edit, "clinician")
    qtbot.keyClicks(login.password.edit, PASSWORD)
    qtbot.keyClick(login.password.edit, Qt.Key.Key_Return)

    clinician = actor_for(app, Role.CLINICIAN)
    assert app.actor == clinician
    assert not lock.locked
    assert window.signed_in.text() == "Signed in: Test Clinician (clinician)"
    assert not dialog.isVisible()  # the nurse's dialog is not handed to the clinician
    assert dialog.result() == QDialog.DialogCode.Rejected
    ui = audit_actions(app)
    assert [a for a, _u, _x in ui] == ["ui.lock", "ui.unlock"]
    assert ui[1][1] == clinician.user_id
    assert ui[1][2] == {"locked_for": nurse.user_id}
    assert [a for a, _u, _x in audit_actions(app, "auth.")][-1] == "auth.login"


def test_wrong_password_for_someone_else_keeps_the_lock(
    qtbot: QtBot, window: MainWindow, lock: ScreenLock, app: AppContext, nurse: Actor
) -> None:
    lock.lock("manual")
    login = lock.sign_in_other()
    qtbot.keyClicks(login.username.edit, "clinician")
    qtbot.keyClicks(login.password.edit, "guess")
    qtbot.keyClick(login.password.edit, Qt.Key.Key_Return)
    assert login.message.text() == "Unknown username or wrong password."
    assert lock.locked
    assert app.actor == nurse
    qtbot.keyClick(login, Qt.Key.Key_Escape)
    assert lock.locked
    assert names_on_screen() == []


def test_alerts_while_locked_name_the_room_not_the_patient(
    qtbot: QtBot,
    window: MainWindow,
    lock: ScreenLock,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    lock.lock("manual")
    clock.advance(minutes=20)
    window.alerts.check()  # what its 1 s timer does

    [alert] = window.alerts.active
    assert alert.level == "due"
    assert [label.text() for label in lock.screen_page.alert_labels] == ["Room 2: a reading is due"]
    assert lock.screen_page.alert_labels[0].isVisible()
    assert names_on_screen() == []
    assert not window.alert_bar.isVisible()

    clock.advance(minutes=10, seconds=1)
    window.alerts.check()
    assert [label.text() for label in lock.screen_page.alert_labels] == [
        "Room 2: a reading is overdue"
    ]
    assert names_on_screen() == []

    qtbot.keyClicks(lock.screen_page.password, PASSWORD)
    qtbot.mouseClick(lock.screen_page.unlock_button, Qt.MouseButton.LeftButton)
    assert not lock.locked
    [banner] = window.alert_bar.banners
    assert banner.isVisible()
    assert NAMES[0] in banner.label.text()


def test_nobody_signed_in_means_nothing_to_lock(window: MainWindow, app: AppContext) -> None:
    app.actor = None
    assert not window.screen_lock.lock("idle")
    assert not window.screen_lock.locked


def test_a_still_pointer_is_not_activity(qtbot: QtBot, clock: FakeClock) -> None:
    target = QWidget()
    qtbot.addWidget(target)
    watcher = IdleWatcher(clock.now, timedelta(minutes=5))
    watcher.start()
    watcher.timer.stop()
    try:
        start = clock.now()

        def move(x: float) -> None:
            pos = QPointF(x, 10)
            event = QMouseEvent(
                QMouseEvent.Type.MouseMove, pos, pos, pos,
                Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            )  # fmt: skip
            QApplication.sendEvent(target, event)

        move(10)
        clock.advance(minutes=1)
        move(10)  # the same place: Qt's synthetic move, not a person
        assert watcher.last_activity == start
        clock.advance(minutes=1)
        move(40)
        assert watcher.last_activity == clock.now()
        clock.advance(minutes=5)
        with qtbot.waitSignal(watcher.idle, timeout=100):
            assert watcher.check()
        assert not watcher.check()  # once, until reset
    finally:
        watcher.stop()


def test_guessing_at_the_lock_screen_locks_the_account(
    qtbot: QtBot, window: MainWindow, lock: ScreenLock, app: AppContext
) -> None:
    lock.lock("manual")
    page = lock.screen_page
    for attempt in range(5):
        assert not lock.unlock(f"guess {attempt}")
    assert page.message.text() == "Wrong password."
    assert not lock.unlock(PASSWORD)  # right, but the account is locked now
    assert page.message.text().startswith("This account is locked until")
    assert lock.locked
    assert names_on_screen() == []
    auth = [a for a, _u, _x in audit_actions(app, "auth.")]
    assert "auth.locked" in auth


def test_a_one_minute_idle_time_says_minute(
    window: MainWindow, app: AppContext, clock: FakeClock
) -> None:
    with app.ctx.db.write() as s:
        set_setting(s, "idle_lock_minutes", 1)
    lock = window.screen_lock
    lock.watch_idle()
    lock.watcher.timer.stop()
    clock.advance(minutes=1)
    lock.watcher.check()
    assert lock.locked
    assert "after 1 minute without activity." in lock.screen_page.info.text()
    lock.stop()


class _AskedEvent(QEvent):
    """An event that counts how often a filter asks its type."""

    asked = 0

    def type(self) -> QEvent.Type:  # type: ignore[override]
        _AskedEvent.asked += 1
        return super().type()


def test_events_other_than_input_leave_the_idle_watch_unasked(
    qtbot: QtBot, clock: FakeClock
) -> None:
    """The watch sees every event of the application: a paint, a timer, a queued call
    leaves it on a check done in C (no enum made in Python); input still counts."""
    target = QWidget()
    qtbot.addWidget(target)
    watcher = IdleWatcher(clock.now, timedelta(minutes=5))
    watcher.start()
    watcher.timer.stop()
    try:
        start = clock.now()
        _AskedEvent.asked = 0
        clock.advance(minutes=1)
        for kind in (QEvent.Type.UpdateRequest, QEvent.Type.User):
            QApplication.sendEvent(target, _AskedEvent(kind))
        assert _AskedEvent.asked == 0
        assert watcher.last_activity == start
        qtbot.keyClick(target, Qt.Key.Key_A)
        assert watcher.last_activity == clock.now()
    finally:
        watcher.stop()


def test_while_locked_events_other_than_shortcuts_leave_the_guard_unasked(
    qtbot: QtBot, window: MainWindow, lock: ScreenLock
) -> None:
    assert lock.lock("manual")
    _AskedEvent.asked = 0
    for kind in (QEvent.Type.UpdateRequest, QEvent.Type.User):
        QApplication.sendEvent(window, _AskedEvent(kind))
    assert _AskedEvent.asked == 0
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # still refused
    assert window.isVisible()
    assert lock.locked
