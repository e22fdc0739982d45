"""Noticing that nobody has touched the keyboard or mouse for a while.

``IdleWatcher`` is an application-wide event filter: every key press, mouse
click, real mouse movement, wheel turn or touch in any kapdesk window counts
as activity. A 1 s QTimer only triggers :meth:`check`; the idle time itself is
measured with the clock passed in (``app.ctx.now`` – a FakeClock in tests), so
tests move the clock instead of sleeping.

``idle`` is emitted once when the timeout is reached; the watcher then waits
for :meth:`reset` (the screen lock calls it on unlock) before it can fire again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, QPointF, QTimer, Signal
from PySide6.QtGui import QInputEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)
CHECK_EVERY_MS = 1000


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(
        self,
        now: Callable[[], datetime],
        timeout: timedelta,
        parent: QObject | None = None,
        *,
        interval_ms: int = CHECK_EVERY_MS,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self.timeout = timeout
        self.last_activity = now()
        self._fired = False
        self._last_pointer: QPointF | None = None
        self._installed = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    # ------------------------------------------------------------ control
    def start(self) -> None:
        """Watch every window of the application and check once a second."""
        qapp = QApplication.instance()
        if qapp is not None and not self._installed:
            qapp.installEventFilter(self)
            self._installed = True
        self.reset()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        qapp = QApplication.instance()
        if qapp is not None and self._installed:
            qapp.removeEventFilter(self)
            self._installed = False

    @property
    def watching(self) -> bool:
        return self._installed and self.timer.isActive()

    def reset(self) -> None:
        """Activity now; the next ``idle`` comes a whole timeout later."""
        self.last_activity = self._now()
        self._fired = False

    def set_timeout(self, timeout: timedelta) -> None:
        self.timeout = timeout

    # ------------------------------------------------------------ measuring
    def idle_for(self) -> timedelta:
        return max(self._now() - self.last_activity, timedelta(0))

    def check(self) -> bool:
        """Emit ``idle`` (once) when the timeout has passed; True if it did just now."""
        if self._fired or self.idle_for() < self.timeout:
            return False
        self._fired = True
        self.idle.emit()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the application passes here (~150 a second on the Today board:
        # paints, timers, queued calls): anything but input leaves on a type check done in
        # C, before its type is asked (an enum made in Python for each event).
        if not isinstance(event, QInputEvent):
            return False
        kind = event.type()
        if kind in ACTIVITY_EVENTS:
            self.last_activity = self._now()
        elif kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            # Qt also sends moves when widgets appear under a still pointer: only real
            # movement counts.
            where = event.globalPosition()
            if self._last_pointer is not None and where != self._last_pointer:
                self.last_activity = self._now()
            self._last_pointer = where
        return False
