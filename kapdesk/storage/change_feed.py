"""How a write made by another process reaches this one: the storage half.

* On a clinic server (PostgreSQL): :func:`notify` sends a payload on :data:`CHANNEL`
  inside the writing transaction, so the server delivers it only if that transaction
  commits (a rolled-back write announces nothing). :class:`ServerListener` holds one
  connection of its own with ``LISTEN`` in a background thread, hands each payload to a
  callback, and reconnects by itself when the connection is lost; it says when it
  (re)connected, since notifications sent while it was away are gone.
* On a file (SQLite): :class:`FileWatcher` reads ``PRAGMA data_version`` on a connection
  of its own every half second (it changes when any other connection committed) and then
  the audit entries appended since it last looked (their ids and actions), so the caller
  can tell another process's writes from this process's own (:func:`appended_audit_entries`).

What the payload means, and what a change set is, is the services' business
(:mod:`kapdesk.services.remote_changes`); nothing here knows about change sets.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

_log = logging.getLogger(__name__)

CHANNEL: Final = "kapdesk_changes"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
PAYLOAD_LIMIT: Final = 7900
POLL_S: Final = 0.5  # how often the file watcher looks, and the listener checks for stop
KEEPALIVE_S: Final = 10.0  # a quiet listener asks the server this often whether it is there
RETRY_S: Final = (0.2, 0.5, 1.0, 2.0)  # waits between reconnection attempts, then the last

_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
_MAX_AUDIT_ID = "SELECT coalesce(max(id), 0) FROM audit_log"
_AUDIT_SINCE = "SELECT id, action FROM audit_log WHERE id > ? ORDER BY id"


def notify(s: Session, payload: str) -> None:
    """Announce ``payload`` on :data:`CHANNEL` in ``s``'s transaction (delivered on commit).

    On a kapdesk server engine the NOTIFY is sent with the COMMIT itself (one round trip
    less, ``pg_engine.notify_at_commit``); on any other engine it is executed now."""
    if len(payload.encode()) >= PAYLOAD_LIMIT:
        raise ValueError(f"a NOTIFY payload must stay under {PAYLOAD_LIMIT} bytes")
    from kapdesk.storage.pg_engine import notify_at_commit

    if not notify_at_commit(s.connection(), CHANNEL, payload):
        s.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})


_APPENDED: Final = "kapdesk.audit_appended"
_tracking = False
_tracking_lock = threading.Lock()


def track_appended_audit() -> None:
    """From now on, note in each session the audit entries it inserts (once per process;
    until then a flush costs nothing more)."""
    global _tracking
    with _tracking_lock:
        if _tracking:
            return
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        event.listen(Session, "after_flush", _note_inserted)
        _tracking = True


def _note_inserted(s: Session, _context: object) -> None:
    from kapdesk.storage.orm import AuditEntry

    # After the INSERTs, before the flush is finalized: ``s.new`` still holds what it added
    # (the identity map only weakly: an entry nobody keeps may be gone by the commit).
    entries = [(o.id, o.action) for o in s.new if isinstance(o, AuditEntry)]
    if entries:
        s.info.setdefault(_APPENDED, []).extend(entries)


def note_appended(s: Session, entry_id: int, action: str) -> None:
    """Note an audit entry ``s`` inserted with a Core statement (no flush sees it), as
    :func:`_note_inserted` does for the ORM's, once :func:`track_appended_audit` ran."""
    if _tracking:
        s.info.setdefault(_APPENDED, []).append((entry_id, action))


def appended_audit_entries(s: Session) -> list[tuple[int, str]]:
    """(id, action) of the audit entries ``s`` inserted since :func:`track_appended_audit`
    (taken: a second call returns only newer ones). A savepoint rolled back after its
    entries were flushed leaves them listed: call it just before the commit."""
    appended: list[tuple[int, str]] = s.info.pop(_APPENDED, [])
    return appended


def _own_connection(engine: Engine) -> Any:
    """A DBAPI connection taken out of ``engine``'s pool for good (same settings, keys,
    TLS as the app's other connections); the caller closes it."""
    record = engine.raw_connection()
    raw = record.driver_connection
    assert raw is not None
    record.detach()
    return raw


class _Worker:
    """A daemon thread that runs until :meth:`stop`."""

    name = "kapdesk-change-feed"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread (it notices within :data:`POLL_S`)."""
        self._stop.set()
        if self._thread is None:
            self._never_ran()
        elif self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _never_ran(self) -> None:
        """Release what was taken for a thread that was never started."""

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        raise NotImplementedError


class ServerListener(_Worker):
    """``LISTEN`` on :data:`CHANNEL` in a background thread.

    ``on_payload(text)`` gets every notification, in the listener's thread;
    ``on_connected(first)`` is called each time the connection is up and listening
    (``first`` False after a lost connection or a failed attempt: whatever was sent
    meanwhile was missed).
    """

    name = "kapdesk-server-listener"

    def __init__(
        self,
        engine: Engine,
        on_payload: Callable[[str], None],
        on_connected: Callable[[bool], None],
    ) -> None:
        super().__init__()
        self._engine = engine
        self._on_payload = on_payload
        self._on_connected = on_connected
        self.connections = 0  # how many times it connected (tests, the log)
        self.backend_pid: int | None = None  # the server process of its current connection

    def _connect(self) -> Any:
        conn = _own_connection(self._engine)
        conn.rollback()  # the pool's liveness check may have begun a transaction
        conn.autocommit = True
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _run(self) -> None:
        failures, missed = 0, False
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except Exception as exc:  # server down, network cut: try again shortly
                _log.info("change listener: cannot connect (%s)", " ".join(str(exc).split()))
                self._stop.wait(RETRY_S[min(failures, len(RETRY_S) - 1)])
                failures, missed = failures + 1, True
                continue
            failures = 0
            self.connections += 1
            self.backend_pid = conn.info.backend_pid
            try:
                self._on_connected(not missed)
                missed = True  # from now on, a new connection follows a lost one
                self._listen(conn)
            except Exception as exc:
                _log.info("change listener: connection lost (%s)", " ".join(str(exc).split()))
            finally:
                self.backend_pid = None
                with contextlib.suppress(Exception):  # already gone
                    conn.close()

    def _listen(self, conn: Any) -> None:
        quiet = 0.0
        while not self._stop.is_set():
            got = False
            for n in conn.notifies(timeout=POLL_S):
                got = True
                self._on_payload(n.payload)
                if self._stop.is_set():
                    return
            quiet = 0.0 if got else quiet + POLL_S
            if quiet >= KEEPALIVE_S:  # a cut network shows only when something is sent
                conn.execute("SELECT 1")
                quiet = 0.0


class FileWatcher(_Worker):
    """Polls ``PRAGMA data_version`` of a SQLite file on a connection of its own.

    ``on_entries(entries)`` gets the (id, action) of the audit entries committed since the
    last look, in the watcher's thread, whenever any other connection (of this process
    or another) committed.
    """

    name = "kapdesk-file-watcher"

    def __init__(
        self,
        engine: Engine,
        on_entries: Callable[[list[tuple[int, str]]], None],
        *,
        interval: float = POLL_S,
    ) -> None:
        super().__init__()
        self._conn = _own_connection(engine)
        self._conn.execute("PRAGMA query_only = 1")
        self._on_entries = on_entries
        self._interval = interval
        self._version = self._data_version()
        self.last_id: int = self._conn.execute(_MAX_AUDIT_ID).fetchone()[0]
        self.looks = 0

    def _never_ran(self) -> None:
        self._conn.close()

    def _data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                try:
                    self._look()
                except Exception as exc:  # busy, I/O error: look again next time
                    _log.info("file watcher: %s", " ".join(str(exc).split()))
        finally:
            self._conn.close()

    def _look(self) -> None:
        self.looks += 1
        version = self._data_version()
        if version == self._version:
            return
        self._version = version
        entries = [(int(i), str(a)) for i, a in self._conn.execute(_AUDIT_SINCE, (self.last_id,))]
        if entries:
            self.last_id = entries[-1][0]
            self._on_entries(entries)
