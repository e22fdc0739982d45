"""The audit trail: append-only and hash-chained.

Every change made through services calls :func:`append` inside the change's
own ``db.write()`` transaction, so the entry exists if and only if the change
does. Entry ``n`` stores ``prev_hash`` = hash of entry ``n-1`` (64 zeros for
the first) and ``hash`` = SHA-256 over a canonical JSON serialisation of all
its fields (id, at, user_id, action, entity, entity_id, before, after,
prev_hash). ``BEGIN IMMEDIATE`` in ``write()`` serialises writers, so two
entries can never claim the same predecessor.

:func:`verify_chain` walks the log in id order (in chunks, constant memory)
and finds the first entry that was edited, removed, inserted or reordered.
SQLite triggers (migration 0001) also reject UPDATE and DELETE outright. What
no hash chain without an outside anchor can catch: a forger who rewrites the
whole chain from some point on, or appends well-formed entries at the end.

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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, String, inspect, select, text, type_coerce
from sqlalchemy.orm import Session

from kapdesk.domain.clock import ensure_utc
from kapdesk.storage.orm import AuditEntry

GENESIS_HASH = "0" * 64
REDACTED_COLUMNS = frozenset({"password_hash"})
REDACTED = "[redacted]"
_TABLE = AuditEntry.__table__


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


def row_snapshot(obj: object) -> dict[str, Any]:
    """The column values of a loaded ORM object as a JSON-able dict (for before/after)."""
    mapper = inspect(obj).mapper
    return {
        attr.key: REDACTED if attr.key in REDACTED_COLUMNS else to_jsonable(getattr(obj, attr.key))
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
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def _json_text(data: Mapping[str, Any] | None) -> str | None:
    return None if data is None else canonical_json(to_jsonable(data))


def append(
    session: Session,
    *,
    at: datetime,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> AuditEntry:
    """Add one entry to the log in ``session``'s transaction (call it inside ``db.write()``).

    Pending changes are flushed first, so new rows already have their ids.
    Returns the flushed entry.
    """
    at = ensure_utc(at)
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    entity_key = None if entity_id is None else str(entity_id)
    before_text, after_text = _json_text(before), _json_text(after)
    entry = AuditEntry(
        id=entry_id,
        at=at,
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=entity_key,
        before=before_text,
        after=after_text,
        prev_hash=prev_hash,
        hash=entry_hash(
            entry_id=entry_id,
            at=at.isoformat(),
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=entity_key,
            before=before_text,
            after=after_text,
            prev_hash=prev_hash,
        ),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries_checked: int
    first_broken_id: int | None = None
    problem: str | None = None


def _iso_utc(raw: object) -> str:
    # Parsed from the stored text, not through the ORM type: an unparseable
    # forged value is then a finding of verify_chain rather than a crash.
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, str):
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


def verify_chain(bind: Session | Connection, *, chunk_size: int = 5000) -> ChainReport:
    """Check every entry's hash and link, in id order, stopping at the first break.

    Reads in keyset-paginated chunks, so time is linear and memory constant in
    the number of entries. Call it inside one transaction (``db.read()``) for
    a consistent view.
    """
    checked = 0
    prev_id = 0
    prev_hash = GENESIS_HASH
    while True:
        rows = bind.execute(
            select(*_COLUMNS).where(_TABLE.c.id > prev_id).order_by(_TABLE.c.id).limit(chunk_size)
        ).all()
        for row in rows:
            if row.id != prev_id + 1:
                missing = (
                    f"entry {prev_id + 1}"
                    if row.id == prev_id + 2
                    else f"entries {prev_id + 1}-{row.id - 1}"
                )
                return ChainReport(
                    False, checked, row.id, f"{missing} missing before entry {row.id}"
                )
            if row.prev_hash != prev_hash:
                return ChainReport(
                    False,
                    checked,
                    row.id,
                    f"entry {row.id} does not link to entry {prev_id}: an entry was "
                    "removed, inserted or reordered",
                )
            try:
                at = _iso_utc(row.at)
            except ValueError:
                at = f"unreadable:{row.at!r}"
            expected = entry_hash(
                entry_id=row.id,
                at=at,
                user_id=row.user_id,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                before=row.before,
                after=row.after,
                prev_hash=row.prev_hash,
            )
            if row.hash != expected:
                return ChainReport(
                    False,
                    checked,
                    row.id,
                    f"entry {row.id} was altered after it was written (its hash does not match)",
                )
            checked += 1
            prev_id, prev_hash = row.id, row.hash
        if len(rows) < chunk_size:
            break
    counter = _sqlite_sequence(bind)
    if counter is not None and counter > prev_id:
        return ChainReport(
            False,
            checked,
            prev_id + 1,
            f"entries after {prev_id} were removed (the audit id counter is at {counter})",
        )
    return ChainReport(True, checked)


def _sqlite_sequence(bind: Session | Connection) -> int | None:
    """SQLite's AUTOINCREMENT high-water mark for audit_log: reveals a truncated tail."""
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    if dialect.name != "sqlite":
        return None
    has_sequence = bind.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    ).scalar()
    if not has_sequence:
        return None
    value = bind.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")).scalar()
    return None if value is None else int(value)
