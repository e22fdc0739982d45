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
  fall due with time alone. With ``background`` (the main window's store) the timer's
  re-query runs on a worker thread (its own database session: ``Database.read`` opens one
  per call) and the GUI thread only applies the rows when they arrive (40 ms at 79 rows,
  105 ms at 300 rows of the GUI thread otherwise, every 5 s). Every query started moves a
  generation counter on: a background result that arrives after a newer query was started
  (a change set's, on the GUI thread) is dropped, never shown over the newer rows, and the
  next tick asks again. ``tick()`` called directly still queries at once;
* when a view asks (``load``).

A change set's load stays on the GUI thread and at once: an alert reading shows the moment
it is committed, as before.

When the query fails (database busy, disk error, a bug) ``failing_since`` is set and
``health_changed(True)`` is emitted until a load succeeds again (``health_changed(False)``);
the last rows stay. An unexpected error is logged once per failure, never a dialog. A
background query that has not come back after ``STUCK_AFTER`` (a hung server, a cut
network: it raises nothing) counts as a failure too, until rows arrive.

``stop()`` (sign-out, exit) never waits for a query in flight: its rows are dropped when
they come. A restore asks ``drop_background()``, which waits a moment and says whether the
worker is still reading (the restore is then refused).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from kapdesk.domain.errors import KapdeskError
from kapdesk.services.changes import SESSION_KINDS, ChangeSet, Kind
from kapdesk.ui import switch_interval
from kapdesk.ui.models.board import RUNNING_STATES

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import BoardRow
    from kapdesk.ui.app_context import AppContext

REQUERY_EVERY: Final = timedelta(seconds=5)
STUCK_AFTER: Final = 2 * REQUERY_EVERY  # a background query this old: alerts are not updating
RESTORE_WAIT_S: Final = 2.0  # how long a restore waits for a query in flight
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


class BoardQueryStuck(KapdeskError):
    """The background board query has not come back (the database does not answer)."""

    def __init__(self) -> None:
        text = QCoreApplication.translate(
            "BoardStore",
            "The board query has not come back for {seconds} s "
            "(the database does not answer); the rows shown may be old.",
        )
        super().__init__(text.format(seconds=int(STUCK_AFTER.total_seconds())))


class BoardNotUpdating(KapdeskError):
    """The board query failed for an unexpected reason (logged); said plainly."""

    def __init__(self) -> None:
        super().__init__(
            QCoreApplication.translate(
                "BoardStore",
                "The board could not be read (details in the log); trying again every second.",
            )
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
    # (generation, now, rows or None, error or None): emitted by the worker thread,
    # delivered on the GUI thread (queued)
    _arrived = Signal(int, object, object, object)

    def __init__(
        self,
        app: AppContext,
        parent: QObject | None = None,
        *,
        source: Callable[[], list[BoardRow]] | None = None,
        interval_ms: int = 1000,
        background: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        # the timer's re-query on a worker thread (default: with the service's query)
        self.background = source is None if background is None else background
        self._generation = 0  # moves on with every query started (GUI thread or worker)
        self._pending: Future[None] | None = None  # the worker's query in flight
        self._pending_since: datetime | None = None  # app clock when it was started
        self._worker: ThreadPoolExecutor | None = None
        self.background_queries = 0  # started on the worker
        self.dropped = 0  # background results dropped: a newer query had started
        self.worker_threads: set[int] = set()  # thread ids the worker's queries ran on
        self._arrived.connect(self._apply_background, Qt.ConnectionType.QueuedConnection)
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
        self.timer.timeout.connect(self._timer_tick)
        self.timer.start()

    @property
    def rows(self) -> list[BoardRow]:
        return list(self._rows)

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    @property
    def querying(self) -> bool:
        """A background query is in flight."""
        return self._pending is not None

    def stop(self) -> None:
        """Stop the clock without waiting: a background query in flight has its rows dropped
        when they come (a hung read must not freeze sign-out or exit)."""
        self.timer.stop()
        self._generation += 1
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker = None
        if self._pending is not None and self._pending.cancelled():  # never ran: no result
            self._pending = self._pending_since = None

    def drop_background(self, timeout: float | None = None) -> bool:
        """Drop the rows of a background query in flight and wait up to ``timeout`` s
        (default ``RESTORE_WAIT_S``) for it to finish reading (a restore replaces the file
        next); False: still reading."""
        self._generation += 1
        return self.wait_background(timeout)

    def wait_background(self, timeout: float | None = None) -> bool:
        """Block up to ``timeout`` s (default ``RESTORE_WAIT_S``) until the background query
        in flight (if any) has finished reading (its rows are applied, or dropped, when the
        event loop delivers them); False if it is still reading."""
        pending = self._pending
        if pending is None:
            return True
        try:
            pending.exception(RESTORE_WAIT_S if timeout is None else timeout)
        except concurrent.futures.TimeoutError:
            return False
        return True

    def _stale(self, now: datetime) -> bool:
        return self.queried_at is None or abs(now - self.queried_at) >= REQUERY_EVERY

    def tick(self) -> None:
        """Re-query now when the rows are stale (or the last query failed), then tell the
        views."""
        now = self.app.now()
        if self._stale(now) or self.failing:
            self._query(now)
        self.updated.emit(now)

    def _timer_tick(self) -> None:
        """The timer's second: with ``background`` the re-query goes to the worker thread
        and the views tick on the rows they have; the new rows follow when read."""
        if not self.background:
            self.tick()
            return
        now = self.app.now()
        if self._pending is None:
            if self._stale(now) or self.failing:
                self._start_background(now)
        elif self._pending_since is not None and abs(now - self._pending_since) >= STUCK_AFTER:
            self._failed(now, BoardQueryStuck())  # until its rows (or a GUI-thread load) come
        self.updated.emit(now)

    def _start_background(self, now: datetime) -> None:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="board-query")
        self._generation += 1
        generation, source, arrived = self._generation, self._source, self._arrived

        def read() -> None:
            self.worker_threads.add(threading.get_ident())
            rows: list[BoardRow] | None = None
            error: BaseException | None = None
            # Building the rows is Python (the ORM) holding the GIL: hand it back to the GUI
            # thread every 1 ms instead of every 5 ms while it runs.
            switch_interval.begin()
            try:
                rows = source()
            except Exception as exc:  # judged on the GUI thread, as a query there would be
                error = exc
            finally:
                switch_interval.end()
            with contextlib.suppress(RuntimeError):  # the store was deleted (window closed)
                arrived.emit(generation, now, rows, error)

        self.background_queries += 1
        self._pending_since = now
        self._pending = self._worker.submit(read)

    def _apply_background(
        self,
        generation: int,
        now: datetime,
        rows: list[BoardRow] | None,
        error: BaseException | None,
    ) -> None:
        self._pending = None
        self._pending_since = None
        if generation != self._generation:
            self.dropped += 1  # a newer query started since: its rows are the newer
            return
        if error is not None:
            self._judged_failure(now, error)
        elif rows is not None:
            self._accepted(rows, now, whole=True)
        self.updated.emit(self.app.now())

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
        self._generation += 1  # a background result started before this one is older
        try:
            rows = (source or self._source)()
        except Exception as exc:
            self._judged_failure(now, exc)
            return False
        self._accepted(rows, now, whole=source is None)
        return True

    def _judged_failure(self, now: datetime, exc: BaseException) -> None:
        if isinstance(exc, KapdeskError):
            self._failed(now, exc)
            return
        if self.failing_since is None:  # a bug must not stop the alerts silently
            from kapdesk.logs import log_unexpected

            log_unexpected(exc, "the board query")
        self._failed(now, BoardNotUpdating())

    def _accepted(self, rows: list[BoardRow], now: datetime, *, whole: bool) -> None:
        self._rows = rows
        if whole:  # the next whole-board query is 5 s after the last one
            self.queried_at = now
        self.loads += 1
        self.error = None
        if self.failing_since is not None:
            self.failing_since = None
            _log.info("board query works again")
            self.health_changed.emit(False)

    def _failed(self, now: datetime, error: KapdeskError) -> None:
        self.error = error
        if self.failing_since is None:
            self.failing_since = now
            _log.warning("board query failed; alerts are not updating")
            self.health_changed.emit(True)
