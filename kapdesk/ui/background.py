"""A one-thread worker for the GUI: jobs run off the GUI thread, outcomes come back on it.

``BackgroundRunner`` (a one-thread ``QThreadPool``) runs jobs one after another;
their results or exceptions arrive on the GUI thread as queued signals. Backups
and restores use it (``kapdesk.ui.backup_actions``) so the window keeps
repainting while they run.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QApplication


class _Relay(QObject):
    """Carries a job's outcome from the worker thread to the GUI thread (queued)."""

    done = Signal(str, object)
    failed = Signal(str, object)


class _Job(QRunnable):
    def __init__(self, name: str, work: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self.name, self.work, self.relay = name, work, relay
        self.setAutoDelete(False)  # the runner keeps it until its outcome arrived

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # shown to the user on the GUI thread
            self.relay.failed.emit(self.name, exc)
            return
        self.relay.done.emit(self.name, result)


class BackgroundRunner(QObject):
    """Runs jobs one after another on its own thread; outcomes arrive on the GUI thread."""

    finished = Signal(str, object)  # (job name, result)
    failed = Signal(str, object)  # (job name, exception)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self._jobs: list[_Job] = []

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def pending(self, name: str) -> bool:
        return any(job.name == name for job in self._jobs)

    def submit(self, name: str, work: Callable[[], object]) -> None:
        job = _Job(name, work, self._relay)
        self._jobs.append(job)
        self.pool.start(job)

    def wait(self, msecs: int = -1) -> bool:
        """Block until every job has run (closing the app); True if none is left."""
        done = bool(self.pool.waitForDone(msecs))
        QApplication.sendPostedEvents(self)
        return done

    def _forget(self, name: str) -> None:
        for i, job in enumerate(self._jobs):
            if job.name == name:
                del self._jobs[i]
                return

    @Slot(str, object)
    def _done(self, name: str, result: object) -> None:
        self._forget(name)
        self.finished.emit(name, result)

    @Slot(str, object)
    def _failed(self, name: str, exc: object) -> None:
        self._forget(name)
        self.failed.emit(name, exc)
