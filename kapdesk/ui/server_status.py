"""The main window's one line about the clinic server: "Clinic server unreachable since
10:42:13: nothing since then is saved." from the first failure seen until the server
answers again, then "Clinic server back at 10:43:02." for a few seconds, and the views
reload what they show (another workstation's changes meanwhile were not announced here).

The first failure is whichever comes first: a failed write or read on the app's
connections (``services.server_health``, any thread), or the live-update listener found
without its connection (checked every second; confirmed by a probe, so a reconnect of a
moment is not called an outage). While down, a cheap probe (a connection and
``SELECT 1``) runs every few seconds on a worker thread; the GUI thread never waits on
the network. Forms are not touched: a dialog whose save failed stays open with its text
and its own message (the storage error says whether anything may have been saved).
On a kapdesk file there is no line, no probe and no timer.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from kapdesk.services.server_health import ServerHealth
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.remote_changes import LiveUpdates

_log = logging.getLogger(__name__)

PROBE_MS = 3000  # while down: how often the server is asked whether it answers
WATCH_MS = 1000  # how often the live-update listener's connection is looked at
BACK_MS = 5000  # how long "Clinic server back at ..." stays


def clock_text(when: datetime) -> str:
    """Local wall-clock time of ``when`` (an aware time is shown in this machine's zone)."""
    local = when.astimezone() if when.tzinfo is not None else when
    return f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"


def down_text(since: datetime) -> str:
    text = QCoreApplication.translate(
        "ServerStatus", "Clinic server unreachable since {time}: nothing since then is saved."
    )
    return text.format(time=clock_text(since))


def back_text(at: datetime) -> str:
    text = QCoreApplication.translate("ServerStatus", "Clinic server back at {time}.")
    return text.format(time=clock_text(at))


class ServerStatus(QObject):
    """Owns :attr:`label` (hidden unless there is something to say)."""

    _lost = Signal(object)  # datetime of a failure, from any thread
    _probed = Signal(bool, object)  # (answers, when asked), from the probe thread

    def __init__(self, app: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._live: LiveUpdates | None = None
        self.label = QLabel()
        self.label.setObjectName("serverStatus")
        self.label.setAccessibleName(self.tr("Clinic server"))
        self.label.hide()
        self.since: datetime | None = None  # the first failure of the current outage
        self.probes = 0  # probes started (tests)
        self._probing = False
        self._suspect: datetime | None = None  # listener seen without its connection
        self._health: ServerHealth | None = None
        self._probe_timer = QTimer(self)
        self._probe_timer.setInterval(PROBE_MS)
        self._probe_timer.timeout.connect(self._probe)
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(WATCH_MS)
        self._watch_timer.timeout.connect(self._watch_listener)
        self._back_timer = QTimer(self)
        self._back_timer.setSingleShot(True)
        self._back_timer.setInterval(BACK_MS)
        self._back_timer.timeout.connect(self._back_over)
        if not app.ctx.db.is_server:
            return
        from kapdesk.services.server_health import server_health

        self._lost.connect(self._on_lost, Qt.ConnectionType.QueuedConnection)
        self._probed.connect(self._on_probed, Qt.ConnectionType.QueuedConnection)
        self._health = server_health(app.ctx, self._lost.emit)

    def watch(self, live: LiveUpdates) -> None:
        """Also watch the live-update listener's connection (on a server)."""
        self._live = live
        if self._health is not None:
            self._watch_timer.start()

    @property
    def watching(self) -> bool:
        return self._health is not None

    @property
    def down(self) -> bool:
        return self.since is not None

    def stop(self) -> None:
        """The window closes: no more timers, probes or notices."""
        self._probe_timer.stop()
        self._watch_timer.stop()
        self._back_timer.stop()
        if self._health is not None:
            self._health.close()
            self._health = None

    # ------------------------------------------------------------ going down
    def _on_lost(self, when: datetime) -> None:
        if self._health is None or self.since is not None:
            return  # already said: the line keeps the first failure's time
        self.since = when
        self._suspect = None
        _log.warning("clinic server unreachable since %s", when.isoformat())
        self._back_timer.stop()
        self.label.setProperty("band", "down")
        self.label.setText(down_text(when))
        self.label.show()
        self._probe_timer.start()

    def _watch_listener(self) -> None:
        remote = self._live.remote if self._live is not None else None
        worker = remote.worker if remote is not None else None
        if self.since is not None or self._probing or worker is None:
            return
        # A server's listener (a file's watcher has neither): it had connected, now none.
        if getattr(worker, "connections", 0) > 0 and getattr(worker, "backend_pid", 0) is None:
            # Lost its connection (or reconnecting this very moment): ask the server.
            assert self._health is not None
            self._suspect = self._health.now()
            self._probe()

    # ------------------------------------------------------------ coming back
    def _probe(self) -> None:
        if self._probing or self._health is None:
            return
        self._probing = True
        self.probes += 1
        health = self._health

        def run() -> None:
            ok = health.probe()
            with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                self._probed.emit(ok, health.now())

        threading.Thread(target=run, name="kapdesk-server-probe", daemon=True).start()

    def _on_probed(self, ok: bool, when: datetime) -> None:
        self._probing = False
        if self._health is None:
            return
        suspect, self._suspect = self._suspect, None
        if not ok:
            self._on_lost(suspect or when)  # no-op when already down
            return
        if self.since is None:
            return  # the listener had only been reconnecting
        self.since = None
        self._probe_timer.stop()
        _log.info("clinic server back at %s", when.isoformat())
        self.label.setProperty("band", "back")
        self.label.setText(back_text(when))
        self.label.show()
        self._back_timer.start()
        from kapdesk.services.changes import EVERYTHING

        # Reload what is shown: changes committed meanwhile by others were not announced.
        self._app.ctx.changes.publish(EVERYTHING)

    def _back_over(self) -> None:
        if self.since is None:
            self.label.hide()
            self.label.clear()
