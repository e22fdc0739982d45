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
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QTimer, Signal

from kapdesk.domain.errors import KapdeskError
from kapdesk.services.changes import SESSION_KINDS, ChangeSet, Kind
from kapdesk.ui.models.board import RUNNING_STATES

if TYPE_CHECKING:
    from kapdesk.services.dtos import BoardRow
    from kapdesk.ui.app_context import AppContext

REQUERY_EVERY: Final = timedelta(seconds=5)
# Kinds of change the board shows besides a session's own rows (patient name, protocol).
BOARD_KINDS: Final = SESSION_KINDS | {Kind.PATIENT, Kind.COURSE}
# Changes that alter only their own session's row: the sessions on the board and the rooms
# they hold stay (a check-in, a discharge, a room change or a new session change those).
ROW_KINDS: Final = SESSION_KINDS - {Kind.SESSION}
ROW_SESSION_ACTIONS: Final = frozenset(
    {
        "session.transition",
        "session.checklist",
        "session.discharge_answers",
        "session.override_hold",
    }
)  # a session moving between running states (a reading, a dose), its checklist...
_log = logging.getLogger(__name__)


def board_rows(app: AppContext, only: Collection[int] = ()) -> list[BoardRow]:
    """Today's board from the service (imported here: the service module loads lazily);
    ``only``: just these sessions' rows."""
    from kapdesk.services.board import today_board

    return list(today_board(app.ctx, only=only))


def _place(row: BoardRow) -> tuple[object, ...]:
    """What other rows' flags depend on (a room shared, in use) and the board's order."""
    return (row.room, row.state in RUNNING_STATES, row.scheduled_at, row.patient_name)


class BoardNotUpdating(KapdeskError):
    """The board query failed for an unexpected reason (logged); said plainly."""

    def __init__(self) -> None:
        super().__init__(
            "The board could not be read (details in the log); trying again every second."
        )


def shows_on_board(changes: ChangeSet) -> bool:
    """A change the board shows: anything of a session, a patient or a course."""
    return bool(changes.session_ids) or changes.touches(*BOARD_KINDS)


def rows_changed(changes: ChangeSet) -> frozenset[int]:
    """The sessions whose rows alone a change set changes (a reading, a dose, an
    acknowledgement...); empty when it may change others too or which sessions are on the
    board (a session's state or room, a patient, a course, anything else)."""
    for c in changes:
        if c.session_id is None:
            return frozenset()
        if c.kind not in ROW_KINDS and not (
            c.kind == Kind.SESSION and c.action in ROW_SESSION_ACTIONS
        ):
            return frozenset()
    return changes.session_ids


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
        # some sessions' rows (a reading recorded); None: a change set reloads the whole board
        self._rows_of: Callable[[Collection[int]], list[BoardRow]] | None = (
            None if source is not None else (lambda ids: board_rows(app, ids))
        )
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
        if not shows_on_board(changes):
            return
        ids = rows_changed(changes)
        shown = {r.session_id for r in self._rows}
        if ids and ids <= shown and self._rows_of is not None and not self.failing:
            self.load_rows(ids)
        else:
            self.load()

    def load_rows(self, session_ids: Collection[int]) -> bool:
        """Re-read only these sessions' rows (the key press to the row painted: ~3x less
        than the whole board at 75 rows); the whole board is read again at the next 5 s."""
        if self._rows_of is None:
            return self.load()
        rows_of = self._rows_of
        now = self.app.now()
        ok = self._query(now, lambda: self._merged(rows_of(session_ids), session_ids))
        self.updated.emit(now)
        return ok

    def _merged(self, fresh: list[BoardRow], asked: Collection[int]) -> list[BoardRow]:
        new = {r.session_id: r for r in fresh}
        old = {r.session_id: r for r in self._rows if r.session_id in new}
        if set(new) != set(asked) or any(_place(new[i]) != _place(old[i]) for i in new):
            return self._source()  # it left the board, or holds a room otherwise: all rows
        return [new.get(r.session_id, r) for r in self._rows]

    def _query(self, now: datetime, source: Callable[[], list[BoardRow]] | None = None) -> bool:
        whole = source is None
        try:
            rows = (source or self._source)()
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
        if whole:  # the next whole-board query is 5 s after the last one
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
