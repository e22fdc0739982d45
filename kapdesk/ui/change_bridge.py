"""The one place where the services' change sets become a Qt signal.

Every committed write publishes a :class:`~kapdesk.services.changes.ChangeSet` on
``ctx.changes`` (see ``kapdesk.services.changes``), in the thread that committed it. The
bridge re-emits it as ``AppSignals.data_changed(ChangeSet)``: at once when the write
happened on the GUI thread (the view that called the service sees its own change before the
call returns, as before), queued to the GUI thread's event loop when it happened anywhere
else (a worker thread now; another workstation later). Views never announce changes
themselves; they subscribe to the kinds they show and refresh only what changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

if TYPE_CHECKING:
    from kapdesk.services.changes import ChangeFeed, ChangeSet
    from kapdesk.ui.app_context import AppSignals


class ChangeBridge(QObject):
    """Subscribes to ``feed`` and emits ``signals.data_changed`` on the GUI thread."""

    _from_elsewhere = Signal(object)  # ChangeSet published by another thread

    def __init__(self, feed: ChangeFeed, signals: AppSignals) -> None:
        super().__init__()  # no Qt parent: the feed's subscription keeps it alive
        self._signals = signals
        self._home = threading.get_ident()  # built on the GUI thread, as its QObject lives there
        # received on this object's (the GUI) thread, by its event loop
        self._from_elsewhere.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = feed.subscribe(self._published)

    def _published(self, changes: ChangeSet) -> None:
        """Called by the feed in the committing thread."""
        if threading.get_ident() == self._home:
            self._deliver(changes)
        else:  # across threads a connection is queued: delivered by the GUI's event loop
            self._from_elsewhere.emit(changes)

    @Slot(object)
    def _deliver(self, changes: ChangeSet) -> None:
        self._signals.data_changed.emit(changes)

    def close(self) -> None:
        """Stop listening (the database is closing)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
