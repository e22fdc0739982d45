"""The statements of recording a reading, compiled before the first reading of the process.

SQLAlchemy compiles a statement the first time a process runs it (then it is cached on the
engine, or for the ORM's flush on the mapper): for ``VitalsService.record`` that is the
session query, the readings the band needs, the INSERT of the reading (Core) and of its audit
entry, the re-check of the actor, the UPDATE of the session's state: ~15 ms of CPU of the first
reading typed on the Today board (issue 13). :func:`warm_vitals` pays it while the sign-in
window waits for a password (``kapdesk.ui.preload``, beside ``warm_board`` and ``warm_chart``).

It writes nothing and takes no write lock. Its sessions are ``db.read()`` ones (read only in
the database as well: SQLite ``query_only``, PostgreSQL ``READ ONLY``). The reads run for ids
that match nothing (ids start at 1). The INSERTs and UPDATE are executed or flushed with a
listener on that session's connection that stops each statement after SQLAlchemy has
compiled it and before it is sent (:class:`_NotSent`), so the flush compiles exactly what
the real one compiles (the same columns, so the same cache key) and the database never sees
it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached

from kapdesk.domain.protocol import Phase, Protocol
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.vitals import previous_needed
from kapdesk.services.context import ServiceContext
from kapdesk.services.recording import _actor_at_head
from kapdesk.services.session_support import gate_rows
from kapdesk.services.vitals import (
    _INSERTED,
    _READINGS,
    _WITH_SESSION,
    _insert,
    _readings_query,
    _session_query,
    _values,
)
from kapdesk.storage.audit import GENESIS_HASH, AuditAppender
from kapdesk.storage.audit_with_row import NewRow, insert_entry
from kapdesk.storage.orm import DosingSession, VitalReading
from kapdesk.storage.tables import audit_log

__all__ = ["warm_vitals"]

_NONE = 0  # an id no row has (ids start at 1)
_LOG = audit_log  # the table audit.append inserts into: the same compiled statement
_NUMBERED = ("id", *_INSERTED)  # a server's reading: its id drawn before its INSERT


class _NotSent(Exception):
    """Raised by the listener in place of sending a statement SQLAlchemy has compiled."""


def warm_vitals(ctx: ServiceContext) -> None:
    """Compile what recording a reading runs, for every protocol the clinic can use."""
    protocols: list[Protocol] = [*ctx.pinned.values(), *ctx.protocols.values()]
    server = ctx.db.server is not None
    with ctx.db.read() as s:
        s.info["warm_now"] = ctx.now()
        if not server:  # (on a server it draws the reading's id: compiled, not sent, below)
            _the_session(s)
        # One statement per (phase, readings needed) the protocols ask for, beyond what
        # the session query reads.
        for phase, needed in {(p, previous_needed(x, p)) for x in protocols for p in Phase}:
            if needed <= _WITH_SESSION:
                continue
            query = _readings_query(phase, needed)
            if query is not None:
                s.execute(query, {"session_id": _NONE, "taken": ctx.now()}).all()
        gate_rows(s, _NONE)  # the pre-dose hold check after a reading
        s.get(DosingSession, _NONE)  # the session row the first reading of a phase moves
        s.execute(_actor_at_head(), {"user_id": _NONE}).first()  # a second audit entry's
        AuditAppender.at_head(s)  # the chain head (and SQLite's audit id counter)
    if server:
        _flush_unsent(ctx, _the_session, numbered=True)
        _flush_unsent(ctx, _reading_with_entry)
    else:
        _flush_unsent(ctx, _reading_row)
    _flush_unsent(ctx, _audit_row)
    _flush_unsent(ctx, _session_moved)


def _the_session(s: Session, *, numbered: bool = False) -> None:
    params = {"session_id": _NONE, "actor_user_id": _NONE, "taken": _now(s)}
    s.execute(_session_query(numbered), params).all()


def _reading(s: Session) -> VitalReading:
    return VitalReading(
        session_id=_NONE,
        taken_at=_now(s),
        systolic=120,
        diastolic=80,
        pulse=None,
        spo2=None,
        phase=Phase.PRE_DOSE.value,
        band="normal",
        rules=[],
        assessment="",
        protocol_label="",
        recorded_by=_NONE,
        recorded_at=_now(s),
    )


def _reading_row(s: Session) -> None:
    _insert(s, _reading(s))


def _entry(s: Session) -> dict[str, Any]:
    return AuditAppender(_NONE, GENESIS_HASH).entry(
        at=_now(s), user_id=_NONE, action="vitals.record", entity="vital_reading",
        entity_id=_NONE, before=None, after={},
    )  # fmt: skip


def _audit_row(s: Session) -> None:
    """The entry's INSERT as ``audit.append`` executes it (the same statement structure,
    so the same cache key)."""
    insert_entry(s.connection(), _LOG, _entry(s))


def _reading_with_entry(s: Session) -> None:
    """A server's reading and its entry in one statement, as ``VitalsService`` sends them."""
    row = _reading(s)
    row.id = _NONE
    insert_entry(s.connection(), _LOG, _entry(s), NewRow(_READINGS, _values(row, *_NUMBERED)))


def _session_moved(s: Session) -> None:
    """A session row as if loaded, its state then changed (the first reading of a phase)."""
    ds = DosingSession(id=_NONE, state=SessionState.CHECKED_IN.value)
    make_transient_to_detached(ds)
    s.add(ds)
    ds.state = SessionState.PRE_DOSE_VITALS.value


def _now(s: Session) -> Any:
    return s.info["warm_now"]


def _flush_unsent(ctx: ServiceContext, stage: Any, **kwargs: Any) -> None:
    """``stage(s, **kwargs)`` puts rows in a read session (or executes a statement); its
    flush is compiled and never sent."""
    with ctx.db.read() as s, _stopped_before_sending(s):
        s.info["warm_now"] = ctx.now()
        with suppress(_NotSent):
            stage(s, **kwargs)  # (the reading's Core INSERT is stopped here)
            s.flush()
        s.rollback()


@contextmanager
def _stopped_before_sending(s: Session) -> Iterator[None]:
    """Every statement ``s`` executes meanwhile is compiled, then stopped (nothing sent)."""
    conn = s.connection()

    def stop(*_args: object) -> None:
        raise _NotSent

    event.listen(conn, "before_cursor_execute", stop)
    try:
        yield
    finally:
        event.remove(conn, "before_cursor_execute", stop)
