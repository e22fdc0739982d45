"""The audit trail: append-only and hash-chained (the hashes and :func:`verify_chain`
live in :mod:`kapdesk.storage.audit_chain`, without SQLAlchemy; re-exported here).

Every change made through services calls :func:`append` inside the change's
own ``db.write()`` transaction, so the entry exists if and only if the change
does. Entry ``n`` stores ``prev_hash`` = hash of entry ``n-1`` (64 zeros for
the first) and ``hash`` = SHA-256 over a canonical JSON serialisation of all
its fields (id, at, user_id, action, entity, entity_id, before, after,
prev_hash). ``write()`` serialises writers (SQLite ``BEGIN IMMEDIATE``, PostgreSQL one
advisory transaction lock), so two entries can never claim the same predecessor. The hash
does not depend on the database: the same entries hash the same on SQLite and PostgreSQL.

:func:`verify_chain` walks the log in id order (in chunks, constant memory)
and finds the first entry that was edited, removed, inserted or reordered.
Triggers (migration 0001) also reject UPDATE and DELETE outright (and TRUNCATE on
PostgreSQL). What no hash chain without an outside anchor can catch: a forger who
rewrites the whole chain from some point on, or appends well-formed entries at the end.

``before``/``after`` take dicts of JSON-able values: build them with
:func:`row_snapshot` (an ORM row's columns) or :func:`to_jsonable`.
Naive datetimes are refused. Columns named in :data:`REDACTED_COLUMNS`
(password hashes) are never copied into the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Final, NotRequired, TypedDict, Unpack

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    inspect,
    literal_column,
    select,
    type_coerce,
)

from kapdesk.domain.clock import ensure_utc
from kapdesk.storage.audit_chain import GENESIS_HASH as GENESIS_HASH
from kapdesk.storage.audit_chain import REDACTED as REDACTED
from kapdesk.storage.audit_chain import REDACTED_COLUMNS as REDACTED_COLUMNS
from kapdesk.storage.audit_chain import ChainReport as ChainReport
from kapdesk.storage.audit_chain import _payload_hash, _sqlite_sequence
from kapdesk.storage.audit_chain import canonical_json as canonical_json
from kapdesk.storage.audit_chain import entry_hash as entry_hash
from kapdesk.storage.audit_chain import secret_digest as secret_digest
from kapdesk.storage.audit_chain import sql_iso_utc as sql_iso_utc
from kapdesk.storage.audit_chain import to_jsonable as to_jsonable
from kapdesk.storage.audit_chain import verify_chain as verify_chain
from kapdesk.storage.audit_with_row import NewRow, insert_entry
from kapdesk.storage.change_feed import note_appended
from kapdesk.storage.tables import audit_log as _TABLE
from kapdesk.storage.write_retry import wrote

if TYPE_CHECKING:  # the chain is read and appended to without the ORM too (tables)
    from sqlalchemy.orm import Session

    from kapdesk.storage.orm import AuditEntry

_ONE = literal_column("1", Integer)  # a LIMIT written into the statement (head_query)


def row_snapshot(obj: object) -> dict[str, Any]:
    """The column values of a loaded ORM object as a JSON-able dict (for before/after).

    Secret columns (:data:`REDACTED_COLUMNS`) are recorded as :func:`secret_digest`.
    """
    mapper = inspect(obj).mapper
    return {
        attr.key: secret_digest(getattr(obj, attr.key))
        if attr.key in REDACTED_COLUMNS
        else to_jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
    }


def _plain(value: Any) -> Any:
    """``to_jsonable`` short-cut for the common column values (plain scalars, UTC times)."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is datetime and value.tzinfo is UTC:
        return value.isoformat()
    return to_jsonable(value)


def audit_json(data: Mapping[str, Any] | None) -> str | None:
    """The stored text of ``before``/``after``: ``canonical_json(to_jsonable(data))``."""
    if data is None:
        return None
    return canonical_json(
        {k if type(k) is str else str(to_jsonable(k)): _plain(v) for k, v in data.items()}
    )


class EntryFields(TypedDict):
    """What a caller says about one entry (the appender adds id, link and hash)."""

    at: datetime  # aware; stored as UTC
    user_id: int | None
    action: str
    entity: str
    entity_id: int | str | None
    before: NotRequired[Mapping[str, Any] | None]  # JSON-able values (row_snapshot)
    after: NotRequired[Mapping[str, Any] | None]


class AuditAppender:
    """The one place an entry's id, link and hash are made, from a chain head read once.

    :func:`append` uses one per entry; the bulk demo writer (kapdesk.demo.bulk_writer) one
    for a whole build, queuing the column values it returns for Core inserts. Whoever uses
    it holds the write transaction throughout, so nobody else appends meanwhile.
    """

    def __init__(self, next_id: int, prev_hash: str) -> None:
        self.next_id = next_id
        self.prev_hash = prev_hash

    @classmethod
    def at_head(
        cls, bind: Session | Connection, head: tuple[int, str] | EllipsisType | None = ...
    ) -> AuditAppender:
        """At the chain's head; ``head``: as the caller read it in this write transaction
        (``chain_head``), else read now."""
        if head is ...:
            head = chain_head(bind)
        # On SQLite the id comes from the AUTOINCREMENT counter, never max(id)+1: entries
        # deleted from the end leave a gap that the next ordinary write cannot hide. On
        # PostgreSQL it is the head's id + 1 (the id column's own sequence is not used: a
        # sequence does not roll back, so a failed write would leave a false gap); there
        # the triggers and the application role's privileges keep the tail from going.
        next_id = max(head[0] if head else 0, _sqlite_sequence(bind) or 0) + 1
        return cls(next_id, head[1] if head else GENESIS_HASH)

    def entry(self, **fields: Unpack[EntryFields]) -> dict[str, Any]:
        """The next entry's column values (``at`` aware UTC); the head moves on to it."""
        at, key = ensure_utc(fields["at"]), fields["entity_id"]
        values: dict[str, Any] = {
            "id": self.next_id,
            "at": at,
            "user_id": fields["user_id"],
            "action": fields["action"],
            "entity": fields["entity"],
            "entity_id": None if key is None else str(key),
            "before": audit_json(fields.get("before")),
            "after": audit_json(fields.get("after")),
            "prev_hash": self.prev_hash,
        }
        values["hash"] = _payload_hash({**values, "at": at.isoformat()})  # as entry_hash
        self.next_id += 1
        self.prev_hash = values["hash"]
        return values


APPENDED: Final = "kapdesk_audit_appended"  # Session.info: append() ran in this session


def append(
    session: Session,
    head: tuple[int, str] | EllipsisType | None = ...,
    *,
    row: NewRow | None = None,
    **fields: Unpack[EntryFields],
) -> AuditEntry:
    """Add one entry to the log in ``session``'s transaction (call it inside ``db.write()``).

    Pending changes are flushed first, so new rows already have their ids. ``head``: the
    chain's head as the caller read it in this transaction with :func:`head_query`, with
    no entry appended since (else it is read here). ``row``: a new row inserted with the
    entry (:mod:`.audit_with_row`). Returns the entry as stored (not in ``session``).
    """
    session.flush()  # the caller's pending rows first: the entry names their ids
    values = AuditAppender.at_head(session, head).entry(**fields)
    # A Core INSERT, not an ORM flush of the entry (~0.2 ms of CPU less per write); what the
    # flush did besides is done here: the session is marked as having written rows
    # (write_retry) and the entry is noted for the file watcher (change_feed).
    insert_entry(session.connection(), _TABLE, values, row)
    session.info[APPENDED] = True  # read by services.recording: a head read before is stale
    wrote(session)
    note_appended(session, values["id"], values["action"])
    from kapdesk.storage.orm import AuditEntry

    return AuditEntry(**values)  # (not in the session: the database holds it)


_COLUMNS = (
    _TABLE.c.id,
    type_coerce(_TABLE.c.at, String).label("at"),
    _TABLE.c.user_id,
    _TABLE.c.action,
    _TABLE.c.entity,
    _TABLE.c.entity_id,
    _TABLE.c.before,
    _TABLE.c.after,
    _TABLE.c.prev_hash,
    _TABLE.c.hash,
)


def head_query() -> Select[int, str]:
    """The statement :func:`chain_head` runs (id, hash of the newest entry), for a caller
    that folds it into a statement of its own (as a subquery) to save a round trip.
    ``LIMIT 1`` is written, not bound: PostgreSQL estimates a bound LIMIT as a tenth of the
    log, and then plans a prepared statement holding the head anew at every run."""
    return select(_TABLE.c.id, _TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(_ONE)


def chain_head(bind: Session | Connection) -> tuple[int, str] | None:
    """(id, hash) of the newest entry, or None for an empty log."""
    last = bind.execute(head_query()).first()
    return None if last is None else (int(last[0]), str(last[1]))
