"""The audit trail: append-only and hash-chained.

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

import dataclasses
import enum
import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePath
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Final, NotRequired, TypedDict, Unpack
from uuid import UUID

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    inspect,
    literal_column,
    select,
    text,
    type_coerce,
)

from kapdesk.domain.clock import ensure_utc
from kapdesk.storage.audit_with_row import NewRow, insert_entry
from kapdesk.storage.change_feed import note_appended
from kapdesk.storage.tables import audit_log as _TABLE
from kapdesk.storage.write_retry import wrote

if TYPE_CHECKING:  # the chain is read and appended to without the ORM too (tables)
    from sqlalchemy.orm import Session

    from kapdesk.storage.orm import AuditEntry

GENESIS_HASH = "0" * 64
REDACTED_COLUMNS = frozenset({"password_hash"})
REDACTED = "[redacted]"
_ONE = literal_column("1", Integer)  # a LIMIT written into the statement (head_query)


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: datetimes as ISO-8601 UTC, dates ISO, enums by value,
    Decimal as a string, sets sorted; anything else unknown raises ``TypeError``."""
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot store {value} in the audit log")
        return value
    if isinstance(value, datetime):
        return ensure_utc(value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal | UUID | PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((to_jsonable(v) for v in value), key=canonical_json)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot store a {type(value).__name__} in the audit log")


def canonical_json(value: Any) -> str:
    """The one serialisation the hashes are computed over."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def secret_digest(value: object) -> str:
    """What the log keeps of a secret column (a password hash): ``sha256:<hex>`` of it.

    The stored argon2 hash (salt included) never reaches the log, yet ``kapdesk check``
    can tell that the column was changed behind the app's back.
    """
    if value is None:
        return REDACTED
    return "sha256:" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()


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


def entry_hash(
    *,
    entry_id: int,
    at: str,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: str | None,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of one entry.

    ``at`` is its ISO-8601 UTC text; ``before``/``after`` the stored JSON text.
    """
    payload = {
        "id": entry_id,
        "at": at,
        "user_id": user_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    return _payload_hash(payload)


def _payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


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


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries_checked: int
    first_broken_id: int | None = None
    problem: str | None = None
    # The last entry checked (id, hash), and the entry the check started after (0: genesis).
    head: tuple[int, str] | None = field(default=None, compare=False)
    started_after: int = field(default=0, compare=False)


def _iso_utc(raw: object) -> str:
    # Parsed from the stored text, not through the ORM type: an unparseable
    # forged value is then a finding of verify_chain rather than a crash.
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, str) and "\x00" not in raw:  # fromisoformat() may stop at a NUL
        moment = datetime.fromisoformat(raw)
    else:
        raise ValueError(f"unexpected timestamp {raw!r}")
    if moment.tzinfo is None:  # SQLite holds UTC wall time
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


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


def sql_iso_utc(column: str) -> str:
    """SQLite expression: a stored UTC timestamp ('YYYY-MM-DD HH:MM:SS.ffffff') as Python's
    ``isoformat()`` of the aware datetime. Exact for what kapdesk writes; anything else
    comes out different, and the caller then checks that value in Python."""
    return f"replace(replace({column} || '+00:00', '.000000+', '+'), ' ', 'T')"


# The canonical payload of entry_hash(), built by SQLite in C with one printf() per entry
# (json_quote escapes like json.dumps for everything kapdesk writes). An entry whose text
# differs from what Python would build only costs a second, exact look: never a false
# finding. Actions and entity names are identifiers, quoted as they are. printf()'s %s stops
# at a NUL, so a column printed with it that holds one (a forged tail the app would read)
# gets no SQL text (None): the exact look runs (json_quote escapes a NUL; prev_hash is
# compared in Python); so does a time that is not a text (|| would read a BLOB as text).
_CANONICAL_SQL = (
    "SELECT id, CASE WHEN instr(action, char(0)) OR instr(entity, char(0)) "
    "OR instr(at, char(0)) OR typeof(at) != 'text' OR typeof(user_id) = 'text' THEN NULL ELSE "
    'printf(\'{"action":"%s","after":%s,"at":"%s","before":%s,'
    '"entity":"%s","entity_id":%s,"id":%s,"prev_hash":"%s","user_id":%s}\', '
    "action, json_quote(after), " + sql_iso_utc("at") + ", json_quote(before), entity, "
    "json_quote(entity_id), id, prev_hash, coalesce(user_id, 'null')) END, prev_hash, hash"
    " FROM audit_log WHERE id > :after ORDER BY id LIMIT :limit"
)


def _is_sqlite(bind: Session | Connection) -> bool:
    dialect = bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect
    return dialect.name == "sqlite"


def _core_connection(bind: Session | Connection) -> Connection:
    return bind if isinstance(bind, Connection) else bind.connection()


def _payload(row: Any) -> dict[str, Any]:
    """The entry_hash() payload of a row of :data:`_COLUMNS`."""
    try:
        at = _iso_utc(row.at)
    except ValueError:
        at = f"unreadable:{row.at!r}"
    return {
        "id": row.id,
        "at": at,
        "user_id": row.user_id,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "before": row.before,
        "after": row.after,
        "prev_hash": row.prev_hash,
    }


def _payload_text(row: Any) -> str | None:
    try:
        return canonical_json(_payload(row))
    except (TypeError, ValueError):  # a forged value that is not JSON-able: look again
        return None


def _exact_hash(bind: Session | Connection, entry_id: int) -> str:
    row = bind.execute(select(*_COLUMNS).where(_TABLE.c.id == entry_id)).one()
    return _payload_hash(_payload(row))


def _chunks(
    bind: Session | Connection, start: int, chunk_size: int
) -> Iterator[list[tuple[int, str | None, str, str]]]:
    """(id, canonical payload text or None, prev_hash, hash) in id order, in chunks."""
    conn = _core_connection(bind) if _is_sqlite(bind) else None
    after = start
    while True:
        if conn is not None:  # plain driver SQL: no per-row type processing
            rows = [
                tuple(r)
                for r in conn.exec_driver_sql(_CANONICAL_SQL, {"after": after, "limit": chunk_size})
            ]
        else:  # other databases: the same payload text, built in Python
            rows = [
                (r.id, _payload_text(r), r.prev_hash, r.hash)
                for r in bind.execute(
                    select(*_COLUMNS).where(_TABLE.c.id > after).order_by(_TABLE.c.id)
                    .limit(chunk_size)
                )
            ]  # fmt: skip
        if rows:
            yield rows
            after = rows[-1][0]
        if len(rows) < chunk_size:
            return


def verify_chain(
    bind: Session | Connection,
    *,
    chunk_size: int = 20000,
    start: tuple[int, str] | None = None,
) -> ChainReport:
    """Check every entry's hash and link, in id order, stopping at the first break.

    ``start``: (id, hash) of an entry already verified (an anchor): only the entries
    after it are re-hashed, the first of them must link to it. Reads in keyset-paginated
    chunks, so time is linear and memory constant in the number of entries. Call it
    inside one transaction (``db.read()``) for a consistent view.
    """
    checked = 0
    prev_id, prev_hash = start if start else (0, GENESIS_HASH)
    begin = prev_id
    sha256 = hashlib.sha256
    for rows in _chunks(bind, prev_id, chunk_size):
        for entry_id, payload, stored_prev, stored_hash in rows:
            if entry_id != prev_id + 1:
                missing = (
                    f"entry {prev_id + 1}"
                    if entry_id == prev_id + 2
                    else f"entries {prev_id + 1}-{entry_id - 1}"
                )
                return ChainReport(
                    False, checked, entry_id, f"{missing} missing before entry {entry_id}",
                    (prev_id, prev_hash), begin,
                )  # fmt: skip
            if stored_prev != prev_hash:
                return ChainReport(
                    False, checked, entry_id,
                    f"entry {entry_id} does not link to entry {prev_id}: an entry was "
                    "removed, inserted or reordered",
                    (prev_id, prev_hash), begin,
                )  # fmt: skip
            if (
                payload is None or sha256(payload.encode("utf-8")).hexdigest() != stored_hash
            ) and _exact_hash(bind, entry_id) != stored_hash:
                return ChainReport(
                    False, checked, entry_id,
                    f"entry {entry_id} was altered after it was written (its hash does not match)",
                    (prev_id, prev_hash), begin,
                )  # fmt: skip
            checked += 1
            prev_id, prev_hash = entry_id, stored_hash
    head = (prev_id, prev_hash) if prev_id else None
    counter = _sqlite_sequence(bind)
    if counter is not None and counter > prev_id:
        return ChainReport(
            False, checked, prev_id + 1,
            f"entries after {prev_id} were removed (the audit id counter is at {counter})",
            head, begin,
        )  # fmt: skip
    if counter is not None and counter < prev_id:
        return ChainReport(
            False, checked, prev_id,
            f"the audit id counter (sqlite_sequence) was lowered to {counter} below the last "
            f"entry {prev_id}: it never goes down by itself",
            head, begin,
        )  # fmt: skip
    if counter is None and prev_id and _is_sqlite(bind):
        return ChainReport(
            False, checked, prev_id,
            "the audit id counter (sqlite_sequence row for audit_log) was deleted",
            head, begin,
        )  # fmt: skip
    return ChainReport(True, checked, head=head, started_after=begin)


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


def _sqlite_sequence(bind: Session | Connection) -> int | None:
    """SQLite's AUTOINCREMENT high-water mark for audit_log: reveals a truncated tail."""
    if not _is_sqlite(bind):
        return None
    has_sequence = bind.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    ).scalar()
    if not has_sequence:
        return None
    value = bind.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")).scalar()
    return None if value is None else int(value)
