"""Alerts for readings falling due and for alert readings, whatever page the user is on.

``AlertCenter`` checks the running sessions of the Today board every second.
It raises an ``Alert`` – a non-modal banner at the top of the main window
(``AlertBar``), a beep, and a tray message where a system tray exists – when:

* a scheduled reading of a session (any of them, rechecks included, not only
  the next one) becomes due, overdue or missed;
* a reading is an alert or critical reading (``BoardRow.alerts``): at once, the
  moment it is recorded (its committed change set re-queries the board, whichever
  view or workstation recorded it), naming the value, the rule and the protocol
  version.

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
* The rows come from the ``BoardStore`` (``kapdesk.ui.board_store``) shared with
  the Today board: one board query every 5 s of the clock, or at once after a
  committed change of a session, serves both. Its timer only triggers a check;
  time comes from ``app.ctx.now()``; statuses are recomputed from the queried
  windows every second.
* When that query fails (database busy, disk error, a bug), ``BoardStore.failing``
  turns True and the alert bar shows a red "Alerts are not updating" banner that
  stays until a query succeeds again (retried every second). An unexpected error is
  logged once per failure, never a dialog every second.
* ``history`` keeps the alerts raised, oldest first, up to ``HISTORY_KEPT`` (older
  ones drop off: enough for a long clinic day, not a leak over weeks of uptime).
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Anchor
from kapdesk.domain.schedule import ItemStatus
from kapdesk.domain.wording import shown
from kapdesk.ui.alert_banner import AlertBanner
from kapdesk.ui.alert_spares import Spares
from kapdesk.ui.board_store import BoardStore
from kapdesk.ui.errors import message_of
from kapdesk.ui.models.board import RUNNING_STATES, local_hhmm, room_text
from kapdesk.ui.words import QT_TRANSLATE_NOOP, band_name

if TYPE_CHECKING:
    from kapdesk.domain.alerts import ActiveAlert
    from kapdesk.services.screen_dtos import BoardRow
    from kapdesk.ui.app_context import AppContext

# Alerts kept in ``history``: a long clinic day of many rooms raises a few hundred.
HISTORY_KEPT: Final = 1000
STALE_TEXT = QT_TRANSLATE_NOOP("StaleBanner", "Alerts are not updating")
READING_LEVELS = ("alert", "critical")
_ITEM_LEVELS = {
    ItemStatus.DUE: "due",
    ItemStatus.OVERDUE: "overdue",
    ItemStatus.MISSED: "missed",
}


# Banners the alert slot has room for without scrolling (its height never changes).
SLOT_BANNERS: Final = 2
NO_ALERTS_TEXT = QT_TRANSLATE_NOOP("AlertSlot", "No alerts.")

# Banners: the most serious on top (stable: oldest first within a level).
_BANNER_ORDER = {"critical": 0, "alert": 1, "overdue": 2, "due": 3, "missed": 4}

# 'Room 2: 20-30 min after dose reading is due', by level; a label that already ends with
# "reading" is not given another one.
_LEVEL_TEXTS = {
    ("due", False): QT_TRANSLATE_NOOP("Alert", "{room}: {reading} reading is due"),
    ("due", True): QT_TRANSLATE_NOOP("Alert", "{room}: {reading} is due"),
    ("overdue", False): QT_TRANSLATE_NOOP("Alert", "{room}: {reading} reading is overdue"),
    ("overdue", True): QT_TRANSLATE_NOOP("Alert", "{room}: {reading} is overdue"),
    ("missed", False): QT_TRANSLATE_NOOP("Alert", "{room}: {reading} reading is missed"),
    ("missed", True): QT_TRANSLATE_NOOP("Alert", "{room}: {reading} is missed"),
}


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
        translate = QCoreApplication.translate
        room = room_text(self.room)
        if self.is_reading_alert:
            if self.taken_at is None:
                text = translate("Alert", "{room}: {alert}: {detail}")
                return text.format(room=room, alert=self.label, detail=self.detail)
            text = translate("Alert", "{room}: {alert} at {time}: {detail}")
            time = local_hhmm(self.taken_at)
            return text.format(room=room, alert=self.label, time=time, detail=self.detail)
        # the English label ('... reading') chooses the sentence; the shown one is put in it
        template = _LEVEL_TEXTS.get((self.level, self.label.endswith("reading")))
        if template is None:  # not a level kapdesk raises: said as before
            return f"{room}: {shown(self.label)} is {self.level}"
        return translate("Alert", template).format(room=room, reading=shown(self.label))


def _reading_alert(row: BoardRow, a: ActiveAlert, now: datetime) -> Alert:
    return Alert(
        row.session_id,
        f"reading#{a.reading_id}",
        a.band.value,
        row.room,
        row.patient_name,
        QCoreApplication.translate("Alert", "{value} {band}").format(
            value=a.value_text, band=band_name(a.band.value)
        ),
        now,
        a.reading_id,
        a.taken_at,
        f"{a.rule_text}, {a.protocol_label}",
    )


class AlertCenter(QObject):
    alert_raised = Signal(object)  # Alert
    alerts_changed = Signal()
    message = Signal(str)  # a refusal or error to show (acknowledging)

    def __init__(
        self,
        app: AppContext,
        parent: QObject | None = None,
        *,
        store: BoardStore | None = None,
        source: Callable[[], list[BoardRow]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.store = store or BoardStore(app, self, source=source)
        self._alerted: set[tuple[int, str, str]] = set()
        self._active: list[Alert] = []
        self._history: deque[Alert] = deque(maxlen=HISTORY_KEPT)
        self._tray: QSystemTrayIcon | None = None
        self.store.updated.connect(self._evaluate)

    @property
    def active(self) -> list[Alert]:
        """The alerts currently shown, oldest first."""
        return list(self._active)

    @property
    def history(self) -> list[Alert]:
        """The alerts raised, oldest first: the last ``HISTORY_KEPT``."""
        return list(self._history)

    def stop(self) -> None:
        """Stop the store's clock (shared with the Today board: the window is closing)."""
        self.store.stop()

    def check(self) -> None:
        """What the store's timer does every second: re-query when stale, then judge."""
        self.store.tick()

    def _holding(
        self, rows: list[BoardRow], now: datetime
    ) -> dict[tuple[int, str, str], Callable[[], Alert]]:
        """The key of every alert that holds at ``now``, with how to make it: an ``Alert``
        is only made for a key raised now (every second, most keys were raised before)."""
        holding: dict[tuple[int, str, str], Callable[[], Alert]] = {}
        for row in rows:
            if row.state not in RUNNING_STATES:
                continue
            sid = row.session_id
            for a in row.alerts:
                holding[(sid, f"reading#{a.reading_id}", a.band.value)] = functools.partial(
                    _reading_alert, row, a, now
                )
            items = row.items or ((row.next_due,) if row.next_due else ())
            for item in items:
                level = _ITEM_LEVELS.get(item.status_at(now))
                if level is None or (level == "due" and item.anchor is Anchor.PRE_DOSE):
                    continue
                holding[(sid, item.key, level)] = functools.partial(
                    Alert, sid, item.key, level, row.room, row.patient_name, item.label, now
                )
        return holding

    def _evaluate(self, now: datetime) -> None:
        """Raise what newly holds and drop what no longer does (the store's rows at ``now``;
        when its query fails they are the last rows read, and the stale banner shows)."""
        rows = self.store.rows
        on_board = {row.session_id for row in rows}
        # keys of sessions gone from the board are never raised again: forget them
        if any(k[0] not in on_board for k in self._alerted):
            self._alerted = {k for k in self._alerted if k[0] in on_board}
        holding = self._holding(rows, now)
        changed = False
        kept = [a for a in self._active if a.key in holding]
        if len(kept) != len(self._active):
            self._active, changed = kept, True
        for key, make in holding.items():
            if key in self._alerted:
                continue
            alert = make()
            self._alerted.add(key)
            # the next level replaces the previous one for the same reading
            self._active = [a for a in self._active if a.key[:2] != key[:2]]
            self._active.append(alert)
            self._history.append(alert)
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
            AlertService(self.app.ctx).acknowledge(actor, alert.session_id, alert.reading_id, note)
        except KapdeskError as exc:
            self.message.emit(message_of(exc))
            return False
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


class StaleBanner(QFrame):
    """Red, first in the bar, while the board query fails: the alerts shown may be old."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("alertBanner")
        self.setProperty("level", "critical")
        self.setAccessibleName(self.tr(STALE_TEXT))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel(self.tr(STALE_TEXT))
        self.label.setWordWrap(True)
        lay.addWidget(self.label, 1)

    def show_since(self, since: datetime) -> None:
        text = self.tr(
            "Alerts are not updating (since {time}): the board cannot be read, so new due and "
            "alert readings are not shown. Check running sessions by hand until this is gone."
        )
        self.label.setText(text.format(time=local_hhmm(since)))
        self.show()


class AlertBar(QWidget):
    """The stack of banners; hidden while there is nothing to say."""

    def __init__(self, center: AlertCenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.center = center
        self._layout = QVBoxLayout(self)
        self.banner_layout = self._layout
        self._layout.setContentsMargins(0, 0, 0, 4)
        self._layout.setSpacing(2)
        self.stale_banner = StaleBanner()
        self.stale_banner.hide()
        self._layout.addWidget(self.stale_banner)
        self.banners: list[AlertBanner] = []
        self.spares = Spares(self, center)  # hidden, out of the layout, for refilling
        # Bound methods, never lambdas: a slot of the bar is disconnected when the bar is
        # deleted. The app's signals outlive the window (signed out, then in again: a new
        # window), and a lambda kept rebuilding the deleted bar's banners.
        center.alerts_changed.connect(self.rebuild)
        center.store.health_changed.connect(self._health_changed)
        center.app.signals.actor_changed.connect(self._actor_changed)
        self.rebuild()

    def _health_changed(self, _failing: bool) -> None:
        self.rebuild()

    def _actor_changed(self) -> None:
        self.rebuild(renew=True)  # who may acknowledge: every banner anew

    def rebuild(self, *, renew: bool = False) -> None:
        """A banner for each active alert, most serious first. The banners of alerts still
        active stay (a new one does not rebuild them all, nor take a button's focus); a new
        alert fills a banner whose alert went, or a spare, before one is built
        (``AlertBanner.fill``; kapdesk.ui.alert_spares); ``renew``: all built again."""
        ordered = sorted(self.center.active, key=lambda a: _BANNER_ORDER.get(a.level, 9))
        wanted = set(ordered)
        shown: dict[Alert | None, AlertBanner] = {}
        if not renew:
            shown = {b.alert: b for b in self.banners if b.alert in wanted}
        going = [b for b in self.banners if shown.get(b.alert) is not b]
        free = [b for b in going if not renew and b.reusable]
        for banner in going:
            if banner not in free:
                self._drop(banner)
        # still shown first (no show, no re-layout of their own), then the hidden spares
        spares = self.spares.take()
        if renew:
            for banner in spares:
                self._drop(banner)
        else:
            free += spares
        since = self.center.store.failing_since
        if since is not None:
            self.stale_banner.show_since(since)
        else:
            self.stale_banner.hide()
        self.banners = [shown.get(a) or self._banner_for(a, free) for a in ordered]
        for banner in free:  # not needed now: a few kept hidden for the next alerts
            self._keep_spare(banner)
        # the banners kept stay where they are in the layout (taking every banner out and
        # adding it again laid the bar out anew each time an alert was raised): a banner is
        # only put in at its place, after the stale banner. The layout is off meanwhile: Qt
        # lays the bar out at once each time it shows a banner (five alerts: five layouts
        # of every banner); it is laid out once, after.
        layout = self._layout
        layout.setEnabled(False)
        try:
            for place, banner in enumerate(self.banners, start=1):
                if layout.indexOf(banner) != place:
                    layout.removeWidget(banner)
                    layout.insertWidget(place, banner)
                if banner.isHidden():
                    banner.show()  # a spare
        finally:
            layout.setEnabled(True)
        _lay_out_up(self)
        self.setVisible(bool(self.banners) or since is not None)
        self.spares.top_up()  # after this change is painted

    def _banner_for(self, alert: Alert, free: list[AlertBanner]) -> AlertBanner:
        """A free banner of the alert's level refilled (nothing re-styled), else one of
        its kind (re-styled), else a new one."""
        fitting = [b for b in free if b.fits(alert)]
        same = [b for b in fitting if b.level == alert.level]
        if not fitting:
            return AlertBanner(self.center, alert, self)
        banner = (same or fitting)[0]
        free.remove(banner)
        banner.fill(alert)
        return banner

    def _keep_spare(self, banner: AlertBanner) -> None:
        self._layout.removeWidget(banner)
        if not self.spares.keep(banner):
            self._drop(banner)

    def _drop(self, banner: AlertBanner) -> None:
        focus = banner.window().focusWidget()
        if focus is not None and banner.isAncestorOf(focus):
            # hidden with the focus, it would hand it on to the next button: another
            # banner's, which may be refilled with another alert in this same rebuild
            focus.clearFocus()
        self._layout.removeWidget(banner)
        banner.hide()  # at once, not when the deferred delete runs
        banner.deleteLater()


def _lay_out_up(widget: QWidget) -> None:
    """The layouts from ``widget`` up to its window laid out now, as Qt does when it shows
    a widget (so that the first paint after is of the bar as it will stay)."""
    current: QWidget | None = widget
    while current is not None and current.isVisible():
        layout = current.layout()
        if layout is None:
            return
        layout.activate()
        if current.isWindow():
            return
        current = current.parentWidget()


class AlertSlot(QScrollArea):
    """The alert bar in a slot of fixed height at the top of the pages: room for
    ``SLOT_BANNERS`` one-line banners, a scroll bar for more, "No alerts." while there
    are none. A banner appearing or going never moves the page under the pointer."""

    def __init__(self, bar: AlertBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.setObjectName("alertSlot")
        self.setAccessibleName(self.tr("Alerts"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.none_label = QLabel(self.tr(NO_ALERTS_TEXT))
        self.none_label.setObjectName("pageSubtitle")
        self.none_label.setAccessibleName(self.tr("Alerts"))
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.none_label, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(bar)
        lay.addStretch(1)
        self.setWidget(inner)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.reserved_height())
        bar.center.alerts_changed.connect(self._show_none)
        bar.center.store.health_changed.connect(self._health_changed)
        self._show_none()

    def _health_changed(self, _failing: bool) -> None:
        self._show_none()

    def reserved_height(self) -> int:
        """``SLOT_BANNERS`` banners of one line, as the current style draws them."""
        sample = AlertBanner(
            self.bar.center,
            Alert(0, "sample", "overdue", "2", "Sample", "Sample", datetime.now()),
        )
        sample.label.setWordWrap(False)  # a wrapping label's hint is two lines or more
        sample.ensurePolished()
        for child in sample.findChildren(QWidget):
            child.ensurePolished()
        one = sample.sizeHint().height()
        sample.deleteLater()
        bar_layout = self.bar.banner_layout
        bar_margins = bar_layout.contentsMargins()
        spacing = max(0, bar_layout.spacing())
        return SLOT_BANNERS * one + (SLOT_BANNERS - 1) * spacing + bar_margins.bottom() + 2

    def _show_none(self) -> None:
        self.none_label.setVisible(self.bar.isHidden())
