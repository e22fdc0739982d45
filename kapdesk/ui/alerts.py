"""Alerts for readings falling due and for alert readings, whatever page the user is on.

``AlertCenter`` checks the running sessions of the Today board every second.
It raises an ``Alert`` – a non-modal banner at the top of the main window
(``AlertBar``), a beep, and a tray message where a system tray exists – when:

* a scheduled reading of a session (any of them, rechecks included, not only
  the next one) becomes due, overdue or missed;
* a reading is an alert or critical reading (``BoardRow.alerts``): at once, the
  moment it is recorded (the view that records it emits data_changed, which
  re-queries the board), naming the value, the rule and the protocol version.

Decisions a caller must know:

* One alert per (session, reading, level): a reading alerts once when it falls
  due, once more if it becomes overdue and once when it is missed; dismissing
  never re-raises it.
* Pre-dose vitals are due from check-in (they are the next step of the
  session workspace), so only their overdue/missed states alert, never "due".
* A due/overdue alert disappears by itself when its reading is recorded, the
  session ends, or it is replaced by the next level for the same reading.
* An alert-reading alert cannot be dismissed: it stays until a later reading
  within limits clears it or a clinician acknowledges it (``acknowledge``,
  audited by the service).
* ``BoardFeed`` holds the board rows for both the Today board and the alert
  centre: one board query every 5 s of the clock (or at once after
  data_changed) serves both. The timer only triggers a check; time comes from
  ``app.ctx.now()``; statuses are recomputed from the queried windows every
  second.
* When that query fails (database busy, disk error, a bug), ``BoardFeed.failing``
  turns True and the alert bar shows a red "Alerts are not updating" banner that
  stays until a query succeeds again (retried every second). An unexpected error is
  logged once per failure, never a dialog every second.
"""

from __future__ import annotations

import logging
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
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Anchor
from kapdesk.domain.schedule import ItemStatus
from kapdesk.services.dtos import BoardRow
from kapdesk.ui.models.board import RUNNING_STATES, local_hhmm, room_text

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext

REQUERY_EVERY = timedelta(seconds=5)
STALE_TEXT = "Alerts are not updating"
_log = logging.getLogger(__name__)
READING_LEVELS = ("alert", "critical")
_ITEM_LEVELS = {
    ItemStatus.DUE: "due",
    ItemStatus.OVERDUE: "overdue",
    ItemStatus.MISSED: "missed",
}


# Banners: the most serious on top (stable: oldest first within a level).
_BANNER_ORDER = {"critical": 0, "alert": 1, "overdue": 2, "due": 3, "missed": 4}


@dataclass(frozen=True)
class Alert:
    session_id: int
    item_key: str  # the schedule item's key, or 'reading#<id>' for an alert reading
    level: str  # "due" | "overdue" | "missed" | "alert" | "critical"
    room: str
    patient_name: str
    label: str  # the reading's label, or the alert text (value, rule, protocol version)
    raised_at: datetime
    reading_id: int | None = None
    taken_at: datetime | None = None
    detail: str = ""  # alert readings: 'low-spo2 (SpO2 < 92 %), kap-default v1.0'

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.session_id, self.item_key, self.level)

    @property
    def is_reading_alert(self) -> bool:
        return self.reading_id is not None

    @property
    def text(self) -> str:
        """'Room 2: 20-30 min after dose reading is due' or, for an alert reading,
        'Room 2: SpO2 88 % alert at 10:32: low-spo2 (SpO2 < 92 %), kap-default v1.0'."""
        if self.is_reading_alert:
            when = f" at {local_hhmm(self.taken_at)}" if self.taken_at else ""
            return f"{room_text(self.room)}: {self.label}{when}: {self.detail}"
        what = self.label if self.label.endswith("reading") else f"{self.label} reading"
        return f"{room_text(self.room)}: {what} is {self.level}"


def board_rows(app: AppContext) -> list[BoardRow]:
    """Today's board from the service (imported here: the service module loads lazily)."""
    from kapdesk.services.board import today_board

    return list(today_board(app.ctx))


class BoardNotUpdating(KapdeskError):
    """The board query failed for an unexpected reason (logged); said plainly."""

    def __init__(self) -> None:
        super().__init__(
            "The board could not be read (details in the log); trying again every second."
        )


class BoardFeed(QObject):
    """The board rows shared by the Today board and the alert centre (one query for both)."""

    health_changed = Signal(bool)  # True: the last query failed (alerts are not updating)

    def __init__(
        self,
        app: AppContext,
        parent: QObject | None = None,
        *,
        source: Callable[[], list[BoardRow]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self._source = source or (lambda: board_rows(app))
        self._rows: list[BoardRow] = []
        self._queried_at: datetime | None = None
        self._dirty = True
        self.queries = 0
        self.failing_since: datetime | None = None
        # connected before any consumer, so a change marks the rows stale first
        app.signals.data_changed.connect(self.invalidate)

    def invalidate(self, *_: object) -> None:
        self._dirty = True

    @property
    def queried_at(self) -> datetime | None:
        return self._queried_at

    def rows(self, now: datetime | None = None) -> list[BoardRow]:
        """The rows, re-queried when stale (5 s of the clock) or after data_changed.

        Raises KapdeskError when the query fails (the caller keeps what it had)."""
        now = now or self.app.now()
        stale = self._queried_at is None or abs(now - self._queried_at) >= REQUERY_EVERY
        if self._dirty or stale:
            try:
                rows = self._source()
            except KapdeskError:
                self._failed(now)
                raise
            except Exception as exc:  # a bug must not stop the alerts silently
                if self.failing_since is None:
                    from kapdesk.logs import log_unexpected

                    log_unexpected(exc, "the board query")
                self._failed(now)
                raise BoardNotUpdating() from exc
            self._rows = rows
            self._queried_at, self._dirty = now, False
            self.queries += 1
            if self.failing_since is not None:
                self.failing_since = None
                _log.info("board query works again")
                self.health_changed.emit(False)
        return list(self._rows)

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    def _failed(self, now: datetime) -> None:
        if self.failing_since is None:
            self.failing_since = now
            _log.warning("board query failed; alerts are not updating")
            self.health_changed.emit(True)


class AlertCenter(QObject):
    alert_raised = Signal(object)  # Alert
    alerts_changed = Signal()
    message = Signal(str)  # a refusal or error to show (acknowledging)

    def __init__(
        self,
        app: AppContext,
        parent: QObject | None = None,
        *,
        source: Callable[[], list[BoardRow]] | None = None,
        feed: BoardFeed | None = None,
        interval_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.feed = feed or BoardFeed(app, self, source=source)
        self._rows: list[BoardRow] = []
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
        self.check()  # the feed was marked stale by the same signal, before this slot

    def _refresh_rows(self, now: datetime) -> None:
        try:
            self._rows = self.feed.rows(now)
        except (KapdeskError, ImportError):
            return  # keep the last rows (busy; the stale banner shows); try again next second

    def _holding(self, now: datetime) -> dict[tuple[int, str, str], Alert]:
        holding: dict[tuple[int, str, str], Alert] = {}
        for row in self._rows:
            if row.state not in RUNNING_STATES:
                continue
            for a in row.alerts:
                alert = Alert(
                    row.session_id,
                    f"reading#{a.reading_id}",
                    a.band.value,
                    row.room,
                    row.patient_name,
                    f"{a.value_text} {a.band.value}",
                    now,
                    a.reading_id,
                    a.taken_at,
                    f"{a.rule_text}, {a.protocol_label}",
                )
                holding[alert.key] = alert
            items = row.items or ((row.next_due,) if row.next_due else ())
            for item in items:
                level = _ITEM_LEVELS.get(item.status_at(now))
                if level is None or (level == "due" and item.anchor is Anchor.PRE_DOSE):
                    continue
                alert = Alert(
                    row.session_id, item.key, level, row.room, row.patient_name, item.label, now
                )
                holding[alert.key] = alert
        return holding

    def check(self) -> None:
        now = self.app.now()
        self._refresh_rows(now)
        holding = self._holding(now)
        changed = False
        kept = [a for a in self._active if a.key in holding]
        if len(kept) != len(self._active):
            self._active, changed = kept, True
        for key, alert in holding.items():
            if key in self._alerted:
                continue
            self._alerted.add(key)
            # the next level replaces the previous one for the same reading
            self._active = [a for a in self._active if a.key[:2] != key[:2]]
            self._active.append(alert)
            self.history.append(alert)
            changed = True
            self._notify(alert)
            self.alert_raised.emit(alert)
        if changed:
            self.alerts_changed.emit()

    def dismiss(self, alert: Alert) -> None:
        """Hide a due/overdue/missed alert; an alert reading is acknowledged, not dismissed."""
        if alert.is_reading_alert:
            return
        before = len(self._active)
        self._active = [a for a in self._active if a.key != alert.key]
        if len(self._active) != before:
            self.alerts_changed.emit()

    def can_acknowledge(self) -> bool:
        actor = self.app.actor
        return actor is not None and can(actor.role, Action.ACKNOWLEDGE_ALERT)

    def acknowledge(self, alert: Alert, note: str = "") -> bool:
        """Record a clinician's acknowledgement of an alert reading (audited)."""
        from kapdesk.services.alerts import AlertService

        actor = self.app.actor
        if alert.reading_id is None or actor is None:
            return False
        try:
            info = AlertService(self.app.ctx).acknowledge(
                actor, alert.session_id, alert.reading_id, note
            )
        except KapdeskError as exc:
            self.message.emit(str(exc))
            return False
        self.app.changed("alert_acknowledgement", info.id)
        return True

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
            if alert.level in ("overdue", "missed", *READING_LEVELS)
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
        self.label.setWordWrap(True)
        lay.addWidget(self.label, 1)
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName(f"Open {alert.text}")
        self.open_button.clicked.connect(lambda: center.open(alert))
        lay.addWidget(self.open_button)
        self.dismiss_button: QPushButton | None = None
        self.acknowledge_button: QPushButton | None = None
        if alert.is_reading_alert:
            self.acknowledge_button = QPushButton("Acknowledge")
            self.acknowledge_button.setAccessibleName(f"Acknowledge {alert.text}")
            allowed = center.can_acknowledge()
            self.acknowledge_button.setEnabled(allowed)
            self.acknowledge_button.setToolTip(
                "Record that you have seen this alert (audited)."
                if allowed
                else "Only a clinician can acknowledge an alert reading; it stays until then "
                "or until a later reading is within limits."
            )
            self.acknowledge_button.clicked.connect(lambda: center.acknowledge(alert))
            lay.addWidget(self.acknowledge_button)
        else:
            self.dismiss_button = QPushButton("Dismiss")
            self.dismiss_button.setAccessibleName(f"Dismiss {alert.text}")
            self.dismiss_button.clicked.connect(lambda: center.dismiss(alert))
            lay.addWidget(self.dismiss_button)


class StaleBanner(QFrame):
    """Red, first in the bar, while the board query fails: the alerts shown may be old."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("alertBanner")
        self.setProperty("level", "critical")
        self.setAccessibleName(STALE_TEXT)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel(STALE_TEXT)
        self.label.setWordWrap(True)
        lay.addWidget(self.label, 1)

    def show_since(self, since: datetime) -> None:
        self.label.setText(
            f"{STALE_TEXT} (since {local_hhmm(since)}): the board cannot be read, so new due "
            "and alert readings are not shown. Check running sessions by hand until this is gone."
        )
        self.show()


class AlertBar(QWidget):
    """The stack of banners; hidden while there is nothing to say."""

    def __init__(self, center: AlertCenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.center = center
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 4)
        self._layout.setSpacing(2)
        self.stale_banner = StaleBanner()
        self.stale_banner.hide()
        self._layout.addWidget(self.stale_banner)
        self.banners: list[AlertBanner] = []
        center.alerts_changed.connect(self.rebuild)
        center.feed.health_changed.connect(lambda _failing: self.rebuild())
        center.app.signals.actor_changed.connect(self.rebuild)  # who may acknowledge
        self.rebuild()

    def rebuild(self) -> None:
        for banner in self.banners:
            self._layout.removeWidget(banner)
            banner.hide()  # at once, not when the deferred delete runs
            banner.deleteLater()
        since = self.center.feed.failing_since
        if since is not None:
            self.stale_banner.show_since(since)
        else:
            self.stale_banner.hide()
        ordered = sorted(self.center.active, key=lambda a: _BANNER_ORDER.get(a.level, 9))
        self.banners = [AlertBanner(self.center, a) for a in ordered]
        for banner in self.banners:
            self._layout.addWidget(banner)
        self.setVisible(bool(self.banners) or since is not None)
