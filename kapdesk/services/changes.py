"""Typed change sets: what a committed write changed, so every screen showing it can refresh.

Like Anki's ``OpChanges``, but collected by construction instead of filled in by hand:
every audited write goes through :func:`kapdesk.services.recording.audit_change`, which
calls :func:`collect` with the entry it appended. The ``Change`` (entity kind, id, the
audited action, and the session and patient it belongs to) waits on the SQLAlchemy
session (``s.info``) and the whole ``ChangeSet`` is published on the context's
:class:`ChangeFeed` only after that transaction commits; a rollback discards it (a
rolled-back savepoint discards what was collected inside it).

Published in the thread that committed, before the service call returns. Front ends
subscribe with ``ctx.changes.subscribe(listener)``; the GUI turns change sets into one Qt
signal (``kapdesk.ui.change_bridge``). A change from another workstation arrives the
same way (``kapdesk.services.remote_changes``): on a server each change set is also
announced with NOTIFY inside the writing transaction (just before its commit); a change
seen only as "another process wrote" is :data:`EVERYTHING` (``everything=True``: every
``touches*`` is true, so every screen reloads what it shows).

Not published: denials (``denied.*``: nothing changed) and the entries that only record
that someone looked, printed, listed, exported, backed up or stepped away
(:data:`TRAIL_ONLY`): the audit trail grows, nothing a screen shows changes (a chart
that audits its own opening must not refresh itself for it).

Nothing here imports SQLAlchemy at module level: the GUI imports these types before sign-in.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, SessionTransaction

    from kapdesk.storage.orm import Base

_log = logging.getLogger(__name__)


class Kind(StrEnum):
    """Entity kinds as the audit log names them (``Change.kind`` compares equal to these)."""

    PATIENT = "patient"
    COURSE = "course"
    SESSION = "dosing_session"
    READING = "vital_reading"
    DOSE = "dose"
    HOLD_OVERRIDE = "hold_override"
    SIDE_EFFECT = "side_effect"
    OBSERVATION = "observation"
    INSTRUMENT_RESULT = "instrument_result"
    NOTE = "note"
    SIGNATURE = "signature"
    ADDENDUM = "addendum"
    ALERT_ACKNOWLEDGEMENT = "alert_acknowledgement"
    PROTOCOL_VERSION = "protocol_version"
    USER = "user"
    SETTING = "setting"
    DATABASE = "database"


# What a session's own rows are: a change of one of these belongs to one dosing session.
SESSION_KINDS: Final = frozenset(
    {
        Kind.SESSION,
        Kind.READING,
        Kind.DOSE,
        Kind.HOLD_OVERRIDE,
        Kind.SIDE_EFFECT,
        Kind.OBSERVATION,
        Kind.ALERT_ACKNOWLEDGEMENT,
    }
)

TRAIL_ONLY: Final = frozenset(
    {"patient.view", "ui.lock", "ui.unlock", "audit.export", "backup.create"}
)
TRAIL_ONLY_PREFIXES: Final = ("denied.", "report.", "list.", "backup.create_")


def is_trail_only(action: str) -> bool:
    """True for audit actions that change nothing a screen shows (not published)."""
    return action in TRAIL_ONLY or action.startswith(TRAIL_ONLY_PREFIXES)


@dataclass(frozen=True, slots=True)
class Change:
    """One audited write: ``kind`` and ``id`` of the entity, the ``action`` that changed it,
    and the dosing session and patient it belongs to (None when it belongs to none)."""

    kind: str
    id: int | str | None
    action: str
    _: KW_ONLY
    session_id: int | None = None
    patient_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Everything one committed transaction changed, in the order it was audited."""

    changes: tuple[Change, ...]
    _: KW_ONLY
    everything: bool = False  # "reload what is shown": what changed elsewhere is not known

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __bool__(self) -> bool:
        return self.everything or bool(self.changes)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(c.kind for c in self.changes)

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(c.action for c in self.changes)

    def touches(self, *kinds: str) -> bool:
        """True if any change is of one of ``kinds``."""
        return self.everything or any(c.kind in kinds for c in self.changes)

    def ids(self, kind: str) -> frozenset[int | str]:
        return frozenset(c.id for c in self.changes if c.kind == kind and c.id is not None)

    @property
    def session_ids(self) -> frozenset[int]:
        return frozenset(c.session_id for c in self.changes if c.session_id is not None)

    @property
    def patient_ids(self) -> frozenset[int]:
        return frozenset(c.patient_id for c in self.changes if c.patient_id is not None)

    def touches_session(self, session_id: int) -> bool:
        """Something of dosing session ``session_id`` changed (its row or one of its rows)."""
        return self.everything or session_id in self.session_ids

    def touches_patient(self, patient_id: int) -> bool:
        """Something of patient ``patient_id`` changed (the record, a course, a session...)."""
        return self.everything or patient_id in self.patient_ids


EVERYTHING: Final = ChangeSet((), everything=True)

Listener = Callable[[ChangeSet], None]
# Called in the writing transaction just before it commits, with what it changed.
Announcer = Callable[["Session", ChangeSet], None]


class ChangeFeed:
    """Tells every subscriber each committed ChangeSet (in the committing thread)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        # Names this feed's own announcements, so its remote listener skips them.
        self.origin = os.urandom(8).hex()
        self.announcers: list[Announcer] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; returns the call that removes it again."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changes: ChangeSet) -> None:
        """Tell every subscriber. The write has committed whatever a subscriber does: its
        error is logged, never raised into the service call that made the change."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception:
                _log.exception("a change-set subscriber failed (%s)", ", ".join(changes.actions))


# ---------------------------------------------------------------- collecting (services)

_PENDING: Final = "kapdesk.changes"


@dataclass(eq=False)
class _Pending:
    feed: ChangeFeed
    # (the transaction or savepoint the entry was written in, the change)
    entries: list[tuple[SessionTransaction, Change]] = field(default_factory=list)


Scope = tuple[int | None, int | None]  # (dosing session id, patient id) of a change


def collect(
    s: Session,
    feed: ChangeFeed,
    action: str,
    entity: str,
    entity_id: int | str | None,
    scope: Scope | None = None,
) -> None:
    """Note one audited write of ``s``'s transaction; published on ``feed`` at its commit.
    ``scope``: the entity's (session id, patient id) as the caller read them in this
    transaction (else looked up through ``s``)."""
    if is_trail_only(action):
        return
    _listen_once()
    pending = s.info.get(_PENDING)
    if pending is None:
        pending = s.info[_PENDING] = _Pending(feed)
    session_id, patient_id = _scope(s, entity, entity_id) if scope is None else scope
    change = Change(entity, entity_id, action, session_id=session_id, patient_id=patient_id)
    transaction = s.get_nested_transaction() or s.get_transaction()
    assert transaction is not None, "audit entries are written inside a transaction"
    pending.entries.append((transaction, change))


def _announce(s: Session) -> None:
    if s.in_nested_transaction():
        return
    pending: _Pending | None = s.info.get(_PENDING)
    if pending is None or not pending.entries:
        return
    from kapdesk.services.remote_changes import announce

    changes = ChangeSet(tuple(dict.fromkeys(change for _, change in pending.entries)))
    announce(s, pending.feed, changes)  # an error here rolls the write back


def _published(s: Session) -> None:
    if s.in_nested_transaction():
        return  # a savepoint was released: what it collected waits for the outer commit
    pending: _Pending | None = s.info.pop(_PENDING, None)
    if pending is None or not pending.entries:
        return
    changes = tuple(dict.fromkeys(change for _, change in pending.entries))
    pending.feed.publish(ChangeSet(changes))


def _discarded(s: Session, previous: SessionTransaction) -> None:
    pending: _Pending | None = s.info.get(_PENDING)
    if pending is None:
        return
    if previous.parent is None:  # the whole transaction rolled back
        s.info.pop(_PENDING, None)
        return
    pending.entries = [(t, c) for t, c in pending.entries if not _within(t, previous)]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


_listening = False
_listen_lock = threading.Lock()


def _listen_once() -> None:
    """Hook commit and rollback of every ORM session once (only sessions with something
    collected in ``info`` do anything)."""
    global _listening
    if _listening:
        return
    with _listen_lock:
        if _listening:
            return
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        event.listen(Session, "before_commit", _announce)
        event.listen(Session, "after_commit", _published)
        event.listen(Session, "after_soft_rollback", _discarded)
        _listening = True


# ---------------------------------------------------------------- scope


def _scope(s: Session, entity: str, entity_id: int | str | None) -> Scope:
    """(dosing session id, patient id) of the entity, read in the write's own session."""
    for _ in range(4):  # an addendum to an addendum to a note...
        if not isinstance(entity_id, int):
            return None, None
        if entity == Kind.PATIENT:
            return None, entity_id
        if entity == Kind.COURSE:
            return None, _course_patient(s, entity_id)
        if entity == Kind.SESSION:
            return entity_id, _session_patient(s, entity_id)
        row = _row(s, entity, entity_id)
        if row is None:
            return None, None
        target = getattr(row, "entity", None)
        if entity in (Kind.SIGNATURE, Kind.ADDENDUM) and isinstance(target, str):
            entity, entity_id = target, getattr(row, "entity_id", None)
            continue
        return _row_scope(s, row)
    return None, None


def _row_scope(s: Session, row: Base) -> Scope:
    session_id = getattr(row, "session_id", None) or getattr(row, "dosing_session_id", None)
    patient_id = getattr(row, "patient_id", None)
    course_id = getattr(row, "course_id", None)
    if patient_id is None and session_id is not None:
        patient_id = _session_patient(s, session_id)
    elif patient_id is None and course_id is not None:
        patient_id = _course_patient(s, course_id)
    return session_id, patient_id


def _row(s: Session, entity: str, entity_id: int) -> Base | None:
    model = _models().get(entity)
    return None if model is None else s.get(model, entity_id)  # identity map: mostly no SQL


def _course_patient(s: Session, course_id: int) -> int | None:
    from kapdesk.storage.orm import Course

    course = s.get(Course, course_id)
    return None if course is None else course.patient_id


def _session_patient(s: Session, session_id: int) -> int | None:
    from kapdesk.storage.orm import DosingSession

    ds = s.get(DosingSession, session_id)
    return None if ds is None else _course_patient(s, ds.course_id)


_MODELS: dict[str, type[Base]] = {}


def _models() -> dict[str, type[Base]]:
    if not _MODELS:
        from kapdesk.services.recording import AUDIT_ENTITY

        _MODELS.update({name: model for model, name in AUDIT_ENTITY.items()})
    return _MODELS
