"""The board rows, loaded in one place for the Today board and the alert centre.

``BoardStore`` runs the board query (``kapdesk.services.board.today_board``) and tells its
views through one signal, ``updated(now)``: after a load (``loads`` counts them; the rows
are new when it moved on) and every second of its timer (the rows are the same, only the
countdowns and statuses computed from ``now`` move). Both views render from it, so one
query serves both.

It loads:

* when a committed change set touches a dosing session (readings, doses, overrides,
  acknowledgements, the session itself...) or a patient or course (``signals.data_changed``,
  wherever the write was made): at once;
* on the timer, when the rows are 5 s of the app clock old (``REQUERY_EVERY``): readings
  fall due with time alone;
* when a view asks (``load``).

When the query fails (database busy, disk error, a bug) ``failing_since`` is set and
``health_changed(True)`` is emitted until a load succeeds again (``health_changed(False)``);
the last rows stay. An unexpected error is logged once per failure, never a dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QTimer, Signal

from kapdesk.domain.errors import KapdeskError
from kapdesk.services.changes import SESSION_KINDS, ChangeSet, Kind

if TYPE_CHECKING:
    from kapdesk.services.dtos import BoardRow
    from kapdesk.ui.app_context import AppContext

REQUERY_EVERY: Final = timedelta(seconds=5)
# Kinds of change the board shows besides a session's own rows (patient name, protocol).
BOARD_KINDS: Final = SESSION_KINDS | {Kind.PATIENT, Kind.COURSE}
_log = logging.getLogger(__name__)


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


def shows_on_board(changes: ChangeSet) -> bool:
    """A change the board shows: anything of a session, a patient or a course."""
    return bool(changes.session_ids) or changes.touches(*BOARD_KINDS)


class BoardStore(QObject):
    """The board rows shared by the Today board and the alert centre (one query for both)."""

    updated = Signal(object)  # now: after a load and on every tick
    health_changed = Signal(bool)  # True: the last query failed (alerts are not updating)

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
        self.queried_at: datetime | None = None
        self.loads = 0  # successful queries so far; views compare it to what they show
        self.failing_since: datetime | None = None
        self.error: KapdeskError | None = None  # why the last query failed
        app.signals.data_changed.connect(self._on_changes)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    @property
    def rows(self) -> list[BoardRow]:
        return list(self._rows)

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        """Re-query when the rows are stale (or the last query failed), then tell the views."""
        now = self.app.now()
        stale = self.queried_at is None or abs(now - self.queried_at) >= REQUERY_EVERY
        if stale or self.failing:
            self._query(now)
        self.updated.emit(now)

    def load(self) -> bool:
        """Query now and tell the views; False if the query failed (``error`` says why)."""
        now = self.app.now()
        ok = self._query(now)
        self.updated.emit(now)
        return ok

    def _on_changes(self, changes: ChangeSet) -> None:
        if shows_on_board(changes):
            self.load()

    def _query(self, now: datetime) -> bool:
        try:
            rows = self._source()
        except KapdeskError as exc:
            self._failed(now, exc)
            return False
        except Exception as exc:  # a bug must not stop the alerts silently
            if self.failing_since is None:
                from kapdesk.logs import log_unexpected

                log_unexpected(exc, "the board query")
            self._failed(now, BoardNotUpdating())
            return False
        self._rows = rows
        self.queried_at = now
        self.loads += 1
        self.error = None
        if self.failing_since is not None:
            self.failing_since = None
            _log.info("board query works again")
            self.health_changed.emit(False)
        return True

    def _failed(self, now: datetime, error: KapdeskError) -> None:
        self.error = error
        if self.failing_since is None:
            self.failing_since = now
            _log.warning("board query failed; alerts are not updating")
            self.health_changed.emit(True)
