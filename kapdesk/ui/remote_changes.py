"""Live updates in the GUI: what other workstations (on a clinic server) or other app
windows (on the same file) commit reaches this window's views within about a second.

The listening itself is ``kapdesk.services.remote_changes``: a background thread that
publishes the other process's ChangeSet on ``app.ctx.changes``; the one ChangeBridge
queues it to the GUI thread as ``signals.data_changed``, so the board, the alert centre,
the open session and the chart refresh exactly as for this window's own writes. The GUI
thread does nothing until a change arrives. The main window starts it when it opens and
stops it when it closes (exit, sign-out, a restore that signs out).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from kapdesk.services.remote_changes import RemoteChanges
    from kapdesk.ui.app_context import AppContext

_log = logging.getLogger(__name__)


class LiveUpdates(QObject):
    """Listens for other processes' changes while its window is open."""

    def __init__(self, app: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._remote: RemoteChanges | None = None

    @property
    def remote(self) -> RemoteChanges | None:
        return self._remote

    def start(self) -> None:
        if self._remote is not None:
            return
        from kapdesk.services.remote_changes import RemoteChanges

        remote = RemoteChanges(self._app.ctx)
        try:
            remote.start()
        except Exception:  # the window works without; it shows others' changes at its re-query
            _log.exception("live updates could not start")
            return
        self._remote = remote

    def stop(self) -> None:
        if self._remote is not None:
            self._remote.stop()
            self._remote = None
