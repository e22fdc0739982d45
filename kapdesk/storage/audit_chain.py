"""The audit trail's hashes and their verification, without SQLAlchemy: what every entry's
hash is computed over (:func:`entry_hash`, :func:`canonical_json`), and :func:`verify_chain`,
which ``kapdesk check`` runs on a plain read-only SQLite connection (anything with
``exec_driver_sql``: :class:`kapdesk.storage.raw_read.RawConnection`) or through
SQLAlchemy (a Connection or a Session, on SQLite or PostgreSQL). :mod:`kapdesk.storage.audit`
appends entries and re-exports these names.
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
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from kapdesk.domain.clock import ensure_utc

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from kapdesk.storage.raw_read import RawConnection

    Bind = Session | Connection | RawConnection

GENESIS_HASH = "0" * 64
REDACTED_COLUMNS = frozenset({"password_hash"})
REDACTED = "[redacted]"


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


def _is_sqlite(bind: Bind) -> bool:
    dialect = bind.get_bind().dialect if hasattr(bind, "get_bind") else bind.dialect
    return dialect.name == "sqlite"


def _core_connection(bind: Bind) -> Connection | RawConnection:
    """A Session's connection; a connection as it is."""
    if hasattr(bind, "get_bind"):
        return cast("Session", bind).connection()
    return bind


_ENTRY_SQL = (
    "SELECT id, at, user_id, action, entity, entity_id, before, after, prev_hash, hash "
    "FROM audit_log WHERE id = ?"
)
_ENTRY_FIELDS = (
    *("id", "at", "user_id", "action", "entity", "entity_id"),
    *("before", "after", "prev_hash", "hash"),
)


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


def _exact_hash(bind: Bind, entry_id: int) -> str:
    if _is_sqlite(bind):  # the stored values as they are (at: its text)
        found = _core_connection(bind).exec_driver_sql(_ENTRY_SQL, (entry_id,)).one()
        row: Any = SimpleNamespace(**dict(zip(_ENTRY_FIELDS, found, strict=True)))
    else:
        from sqlalchemy import select

        from kapdesk.storage.audit import _COLUMNS
        from kapdesk.storage.tables import audit_log

        typed = cast("Session | Connection", bind)
        row = typed.execute(select(*_COLUMNS).where(audit_log.c.id == entry_id)).one()
    return _payload_hash(_payload(row))


def _chunks(
    bind: Bind, start: int, chunk_size: int
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
            from sqlalchemy import select

            from kapdesk.storage.audit import _COLUMNS
            from kapdesk.storage.tables import audit_log as log

            typed = cast("Session | Connection", bind)
            rows = [
                (r.id, _payload_text(r), r.prev_hash, r.hash)
                for r in typed.execute(
                    select(*_COLUMNS).where(log.c.id > after).order_by(log.c.id).limit(chunk_size)
                )
            ]
        if rows:
            yield rows
            after = rows[-1][0]
        if len(rows) < chunk_size:
            return


def verify_chain(
    bind: Bind,
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


def _sqlite_sequence(bind: Bind) -> int | None:
    """SQLite's AUTOINCREMENT high-water mark for audit_log: reveals a truncated tail."""
    if not _is_sqlite(bind):
        return None
    conn = _core_connection(bind)
    has_sequence = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
    ).scalar()
    if not has_sequence:
        return None
    value = conn.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"
    ).scalar()
    return None if value is None else int(value)
