"""Spare banners of the alert bar (``kapdesk.ui.alerts.AlertBar``), built ahead while idle.

A minute turn that raises alerts shows a banner for each. Building one (a frame, a label,
two buttons) and styling it under the application's stylesheet took ~0.5-1.5 ms of the GUI
thread before the board's new minute was painted (issue 13: the 79-row board's minute
tick), so the bar keeps blank banners hidden, ready to be filled and shown:

* built ahead ``SPARES_AFTER_MS`` after the main window's first paint (the Today board is
  painted and accepts input first), one banner a turn of the event loop (a key press waits
  for one at most), until ``SPARES`` of each kind are ready;
* topped up the same way ``SPARES_AGAIN_MS`` after a change of the bar used some: after
  that change's paint, never before it;
* a banner whose alert went is kept, blanked, while its kind has room, else deleted (the
  bar's business: :meth:`Spares.keep` says whether there was room);
* all are dropped when the signed-in user changes (the bar then builds its banners anew),
  and built again ahead.

A spare never holds an alert, a text or an accessible name (``AlertBanner.blank``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from kapdesk.ui.alert_banner import AlertBanner

if TYPE_CHECKING:
    from kapdesk.ui.alerts import AlertCenter

# Spares ready per kind (False: due/overdue/missed, Dismiss; True: alert readings,
# Acknowledge). The big clinic's day raises up to 5 alerts in a minute, nearly all due or
# overdue readings; a reading out of limits alerts when it is recorded, seldom two at once.
SPARES: Final = {False: 6, True: 2}
# The level a spare is built for (refilled at another level it is re-styled): a reading's
# first alert is "due"; an alert reading's is "alert" (critical ones are rarer).
_AHEAD_LEVEL: Final = {False: "due", True: "alert"}
SPARES_AFTER_MS: Final = 30  # after the main window's first paint
SPARES_AGAIN_MS: Final = 30  # after a change of the bar that used spares


class Spares(QObject):
    def __init__(self, bar: QWidget, center: AlertCenter) -> None:
        super().__init__(bar)
        self.bar = bar
        self.center = center
        self.banners: list[AlertBanner] = []
        self.built = 0  # banners built ahead (tests)
        self._ahead = False  # building ahead began (the main window was painted)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._build_one)

    def ready(self, reading: bool) -> int:
        """Spares of a kind (``reading``: alert readings')."""
        return sum(1 for b in self.banners if b.reading == reading)

    @property
    def full(self) -> bool:
        return all(self.ready(kind) >= count for kind, count in SPARES.items())

    def take(self) -> list[AlertBanner]:
        """Every spare, now the caller's (those it does not use it gives back to ``keep``)."""
        out, self.banners = self.banners, []
        return out

    def keep(self, banner: AlertBanner) -> bool:
        """Keep ``banner`` hidden and blank (out of the bar's layout already); False when
        its kind has no room (the caller deletes it)."""
        if self.ready(banner.reading) >= SPARES[banner.reading]:
            return False
        banner.hide()
        if banner.alert is not None:
            banner.blank()
        self.banners.append(banner)
        return True

    def build_ahead(self, window: QWidget) -> None:
        """Build the spares ``SPARES_AFTER_MS`` after ``window`` (the main window) is first
        painted, and top them up after each change that used some."""
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self._ahead = True
            self.top_up(SPARES_AFTER_MS)
        return False

    def top_up(self, after_ms: int = SPARES_AGAIN_MS) -> None:
        """Build what is missing, one banner a turn, from ``after_ms`` from now (once
        building ahead began)."""
        if not self._ahead or self.full:
            return
        if self._timer.isActive() and self._timer.remainingTime() <= after_ms:
            return
        self._timer.start(after_ms)

    def _build_one(self) -> None:
        lacking = [kind for kind, count in SPARES.items() if self.ready(kind) < count]
        if not lacking:
            return
        reading = lacking[0]
        banner = AlertBanner(
            self.center, None, self.bar, reading=reading, level=_AHEAD_LEVEL[reading]
        )
        banner.hide()
        banner.ensurePolished()  # styled now (its children too), not when first shown
        for button in (banner.open_button, banner.dismiss_button, banner.acknowledge_button):
            if button is not None:
                button.sizeHint()  # fixed texts: measured now, kept by the button
        self.banners.append(banner)
        self.built += 1
        if not self.full:
            self._timer.start(0)
