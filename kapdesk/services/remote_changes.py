"""Changes committed by another workstation (another process) published on this one's
:class:`~kapdesk.services.changes.ChangeFeed`, as the same ChangeSets its own writes give.

* Clinic server: every committed change set is announced by :func:`announce` (called by
  ``services.changes`` in the writing transaction, just before its commit) as a small JSON
  payload: the feed's ``origin`` and each change's kind, id, action, session and patient;
  one too big for a NOTIFY says only "something changed" (:data:`EVERYTHING`).
  :class:`RemoteChanges` listens (``storage.change_feed.ServerListener``), skips its own
  feed's announcements (already published in-process) and publishes the others; after a
  reconnection it publishes :data:`EVERYTHING` (what was sent meanwhile is lost).
* File: :class:`RemoteChanges` watches the file (``storage.change_feed.FileWatcher``);
  audit entries committed by another connection that are not this feed's own (their ids
  noted before each of its commits) and change what a screen shows publish
  :data:`EVERYTHING`: reload what is shown.

Listeners are told in the listener's thread (the GUI's bridge queues them to its thread).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from kapdesk.services.changes import EVERYTHING, Change, ChangeFeed, ChangeSet, is_trail_only
from kapdesk.storage import change_feed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kapdesk.services.context import ServiceContext

_log = logging.getLogger(__name__)


def encode(changes: ChangeSet, origin: str) -> str:
    """The NOTIFY payload of ``changes`` (under PostgreSQL's limit)."""
    if not changes.everything:
        rows = [[c.kind, c.id, c.action, c.session_id, c.patient_id] for c in changes]
        text = json.dumps({"o": origin, "c": rows}, separators=(",", ":"))
        if len(text.encode()) < change_feed.PAYLOAD_LIMIT:
            return text
    return json.dumps({"o": origin, "all": 1}, separators=(",", ":"))


def decode(payload: str) -> tuple[str | None, ChangeSet]:
    """(origin, change set) of a payload; one it cannot read means "something changed"."""
    try:
        data = json.loads(payload)
        origin = data["o"]
        if data.get("all"):
            return origin, EVERYTHING
        changes = tuple(_change(row) for row in data["c"])
    except (ValueError, KeyError, TypeError) as exc:
        _log.warning("unreadable change announcement (%s): reloading", exc)
        return None, EVERYTHING
    return origin, ChangeSet(changes)


def _change(row: list[Any]) -> Change:
    kind, key, action, session_id, patient_id = row
    if not (isinstance(kind, str) and isinstance(action, str)):
        raise TypeError("kind and action are texts")
    if key is not None and not isinstance(key, int | str):
        raise TypeError("an id is a number or a text")
    for scope in (session_id, patient_id):
        if scope is not None and not isinstance(scope, int):
            raise TypeError("a session or patient id is a number")
    return Change(kind, key, action, session_id=session_id, patient_id=patient_id)


def announce(s: Session, feed: ChangeFeed, changes: ChangeSet) -> None:
    """In the writing transaction, before its commit: on a server, NOTIFY ``changes``; then
    the feed's own announcers (a file watcher noting its own entries)."""
    if s.get_bind().dialect.name == "postgresql":
        change_feed.notify(s, encode(changes, feed.origin))
    for hook in list(feed.announcers):
        hook(s, changes)


class RemoteChanges:
    """Publishes on ``ctx.changes`` what other processes commit, from :meth:`start` until
    :meth:`stop`."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._feed = ctx.changes
        self._engine = ctx.db.engine
        self._server = ctx.db.is_server
        self._worker: change_feed.ServerListener | change_feed.FileWatcher | None = None
        self._own: set[tuple[int, str]] = set()  # file: this feed's audit entries, not seen yet
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def worker(self) -> change_feed.ServerListener | change_feed.FileWatcher | None:
        return self._worker

    def start(self) -> None:
        if self._worker is not None:
            return
        if self._server:
            self._worker = change_feed.ServerListener(
                self._engine, self._on_payload, self._on_connected
            )
        else:
            change_feed.track_appended_audit()
            self._feed.announcers.append(self._note_own)
            self._worker = change_feed.FileWatcher(self._engine, self._on_entries)
        self._worker.start()

    def stop(self) -> None:
        """Stop listening (window closed, signed out, database restored, exit)."""
        self._stopped = True
        if self._note_own in self._feed.announcers:
            self._feed.announcers.remove(self._note_own)
        if self._worker is not None:
            # The listener ends within its poll by itself, its connection with it: the
            # window closing need not wait for it. A file's watcher is joined (at once),
            # so nothing holds the file when a restore replaces it.
            self._worker.stop(0.0 if self._server else 2.0)

    def _publish(self, changes: ChangeSet) -> None:
        if not self._stopped:
            self._feed.publish(changes)

    # ------------------------------------------------------------ server
    def _on_payload(self, payload: str) -> None:
        origin, changes = decode(payload)
        if origin != self._feed.origin:
            self._publish(changes)

    def _on_connected(self, first: bool) -> None:
        if not first:  # announcements sent while disconnected are lost: reload
            self._publish(EVERYTHING)

    # ------------------------------------------------------------ file
    def _note_own(self, s: Session, _changes: ChangeSet) -> None:
        # Before the commit: the watcher cannot see these entries before they are noted.
        entries = change_feed.appended_audit_entries(s)
        with self._lock:
            self._own.update(entries)

    def _on_entries(self, entries: list[tuple[int, str]]) -> None:
        with self._lock:
            own = self._own
            foreign = [e for e in entries if e not in own and not is_trail_only(e[1])]
            own.difference_update(entries)
        if foreign:
            self._publish(EVERYTHING)
