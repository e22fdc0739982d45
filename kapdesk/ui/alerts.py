"""Alerts for readings falling due, whatever page the user is on.

``AlertCenter`` checks the running sessions of the Today board every second.
When a session's next reading becomes due or overdue it raises an ``Alert``:
a non-modal banner at the top of the main window (``AlertBar``: Open /
Dismiss), a beep, and a tray message where a system tray exists.

Decisions a caller must know:

* One alert per (session, reading, level): a reading alerts once when it falls
  due and once more if it becomes overdue; dismissing never re-raises it.
* Pre-dose vitals are due from check-in (they are the next step of the
  session workspace), so only their overdue state would alert, never "due".
* An active alert disappears by itself when its reading is recorded, the
  session ends, or it is replaced by the overdue alert for the same reading.
* The timer only triggers a check; time comes from ``app.ctx.now()``. The
  board is re-queried every 5 s (or at once on data_changed); the statuses
  are recomputed from the queried windows every second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.protocol import Anchor
from kapdesk.domain.schedule import ItemStatus
from kapdesk.services.dtos import BoardRow
from kapdesk.ui.models.board import RUNNING_STATES, room_text

if TYPE_CHECKING:
    from kapdesk.app import AppContext

REQUERY_EVERY = timedelta(seconds=5)


@dataclass(frozen=True)
class Alert:
    session_id: int
    item_key: str
    level: str  # "due" | "overdue"
    room: str
    patient_name: str
    label: str
    raised_at: datetime

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.session_id, self.item_key, self.level)

    @property
    def text(self) -> str:
        """'Room 2: 20-30 min after dose reading is due'."""
        return f"{room_text(self.room)}: {self.label} reading is {self.level}"


def board_rows(app: AppContext) -> list[BoardRow]:
    """Today's board from the service (imported here: the service module loads lazily)."""
    from kapdesk.services.board import today_board

    return list(today_board(app.ctx))


class AlertCenter(QObject):
    alert_raised = Signal(object)  # Alert
    alerts_changed = Signal()

    def __init__(
        self,
        app: AppContext,
        parent: QObject | None = None,
        *,
        source: Callable[[], list[BoardRow]] | None = None,
        interval_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self._source = source or (lambda: board_rows(app))
        self._rows: list[BoardRow] = []
        self._queried_at: datetime | None = None
        self._dirty = True
        self._alerted: set[tuple[int, str, str]] = set()
        self._active: list[Alert] = []
        self.history: list[Alert] = []  # every alert raised, oldest first
        self._tray: QSystemTrayIcon | None = None
        app.signals.data_changed.connect(self._on_data_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    @property
    def active(self) -> list[Alert]:
        """The alerts currently shown, oldest first."""
        return list(self._active)

    def stop(self) -> None:
        self.timer.stop()

    def _on_data_changed(self, entity: str, entity_id: int) -> None:
        self._dirty = True
        self.check()

    def _refresh_rows(self, now: datetime) -> None:
        stale = self._queried_at is None or abs(now - self._queried_at) >= REQUERY_EVERY
        if not (self._dirty or stale):
            return
        try:
            self._rows = self._source()
        except (KapdeskError, ImportError):
            return  # keep the last rows (e.g. database busy); try again next second
        self._queried_at, self._dirty = now, False

    def check(self) -> None:
        now = self.app.now()
        self._refresh_rows(now)
        holding: dict[tuple[int, str, str], BoardRow] = {}
        for row in self._rows:
            item = row.next_due
            if item is None or row.state not in RUNNING_STATES:
                continue
            status = item.status_at(now)
            if status is ItemStatus.DUE and item.anchor is Anchor.PRE_DOSE:
                continue
            if status in (ItemStatus.DUE, ItemStatus.OVERDUE):
                holding[(row.session_id, item.key, status.value)] = row
        changed = False
        kept = [a for a in self._active if a.key in holding]
        if len(kept) != len(self._active):
            self._active, changed = kept, True
        for key, row in holding.items():
            if key in self._alerted:
                continue
            assert row.next_due is not None
            alert = Alert(*key, row.room, row.patient_name, row.next_due.label, now)
            self._alerted.add(key)
            # the overdue alert replaces the due one for the same reading
            self._active = [a for a in self._active if a.key[:2] != key[:2]]
            self._active.append(alert)
            self.history.append(alert)
            changed = True
            self._notify(alert)
            self.alert_raised.emit(alert)
        if changed:
            self.alerts_changed.emit()

    def dismiss(self, alert: Alert) -> None:
        before = len(self._active)
        self._active = [a for a in self._active if a.key != alert.key]
        if len(self._active) != before:
            self.alerts_changed.emit()

    def open(self, alert: Alert) -> None:
        self.app.signals.navigate_session.emit(alert.session_id)

    def _notify(self, alert: Alert) -> None:
        QApplication.beep()
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            self._tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self._tray.setToolTip("kapdesk")
            self._tray.show()
        icon = (
            QSystemTrayIcon.MessageIcon.Critical
            if alert.level == "overdue"
            else QSystemTrayIcon.MessageIcon.Warning
        )
        self._tray.showMessage("kapdesk", alert.text, icon, 10_000)


class AlertBanner(QFrame):
    def __init__(self, center: AlertCenter, alert: Alert) -> None:
        super().__init__()
        self.alert = alert
        self.setObjectName("alertBanner")
        self.setProperty("level", alert.level)
        self.setAccessibleName("Alert")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 2, 4, 2)
        self.label = QLabel(f"{alert.text} – {alert.patient_name}")
        self.label.setAccessibleName(alert.text)
        lay.addWidget(self.label, 1)
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName(f"Open {alert.text}")
        self.open_button.clicked.connect(lambda: center.open(alert))
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName(f"Dismiss {alert.text}")
        self.dismiss_button.clicked.connect(lambda: center.dismiss(alert))
        lay.addWidget(self.open_button)
        lay.addWidget(self.dismiss_button)


class AlertBar(QWidget):
    """The stack of banners; hidden while there is nothing to say."""

    def __init__(self, center: AlertCenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.center = center
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 4)
        self._layout.setSpacing(2)
        self.banners: list[AlertBanner] = []
        center.alerts_changed.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        for banner in self.banners:
            self._layout.removeWidget(banner)
            banner.deleteLater()
        self.banners = [AlertBanner(self.center, a) for a in self.center.active]
        for banner in self.banners:
            self._layout.addWidget(banner)
        self.setVisible(bool(self.banners))
