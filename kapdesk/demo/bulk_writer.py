"""Bulk rows for the big demo clinic: Core inserts in batches, each row with its audit entry.

:class:`BulkWriter` hands out ids (so children can point at parents before
anything is inserted), queues rows per table and inserts them with Core
``insert(Model)`` and lists of dicts, parents before children. Every
:meth:`BulkWriter.add` also queues the audit entry the service would have
written for that row: same action and entity names, ``after`` = the row's
columns as JSON, numbered, hashed and chained by the same
:class:`kapdesk.storage.audit.AuditAppender` that ``audit.append`` uses, so
``verify_chain`` accepts the result like any service-written log.

A queued row may still be changed until it is inserted, so nothing is
inserted behind the caller's back: :meth:`BulkWriter.maybe_flush` (call it
between records, to bound memory) and :meth:`BulkWriter.flush` insert what
is queued; :meth:`BulkWriter.commit` also commits. The caller owns the
connection and its transaction.

The log must predict every row (``kapdesk check`` replays it, see
:mod:`kapdesk.storage.audit_replay`), so: a row is completed with its column
defaults before its creation entry records it; a queued row changed after its
last entry gets one more entry when it is inserted (``session.transition``,
``note.update``, ...: the state a service would have recorded, at the row's
latest time); and an entry recording a whole row that is already inserted
(``course.end``) also writes those values to the row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Unpack

from sqlalchemy import Connection, func, insert, select, update

from kapdesk.domain.clock import ensure_utc
from kapdesk.storage import orm
from kapdesk.storage.audit import AuditAppender, EntryFields, audit_json
from kapdesk.storage.audit_replay import AUDITED
from kapdesk.storage.orm import AuditEntry, Base

# Parents before children, the audit log last.
TABLE_ORDER: Final[tuple[type[Base], ...]] = (
    orm.Patient, orm.Course, orm.DosingSession, orm.VitalReading, orm.HoldOverride, orm.Dose,
    orm.SideEffect, orm.Observation, orm.InstrumentResult, orm.Note, orm.Addendum, orm.Signature,
    AuditEntry,
)  # fmt: skip
Row = dict[str, Any]
# The entry a queued row changed after its last entry gets when it is inserted.
CATCH_UP_ACTIONS: Final = {
    "dosing_session": "session.transition",
    "note": "note.update",
    "side_effect": "side_effect.update",
}


class _DefaultContext:
    """What a callable column default reads: the row's other values."""

    def __init__(self, row: Row) -> None:
        self._row = row

    def get_current_parameters(self) -> Row:
        return self._row


def _complete(model: type[Base], row: Row) -> None:
    """Fill the columns ``row`` leaves out as an insert would (defaults, else None)."""
    for column in model.__table__.columns:
        if column.name in row:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            row[column.name] = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            row[column.name] = default.arg(_DefaultContext(row))
        else:
            row[column.name] = None


def _latest_time(row: Row, floor: datetime) -> datetime:
    times = [v for v in row.values() if isinstance(v, datetime)]
    return max([floor, *times])


def _table(model: type[Base]) -> str:
    return str(model.__tablename__)


class BulkWriter:
    def __init__(self, conn: Connection, *, flush_rows: int = 20_000) -> None:
        self.conn = conn
        self.flush_rows = flush_rows
        self.counts: Counter[str] = Counter()
        self._queued: dict[str, list[Row]] = {_table(m): [] for m in TABLE_ORDER}
        self._pending = 0
        self._next_id: dict[str, int] = {}
        # entity -> model: every table it writes (an entry may change a row inserted earlier)
        self._models: dict[str, type[Base]] = {
            spec.entity: m for m in TABLE_ORDER for spec in AUDITED if spec.table == _table(m)
        }
        # (entity, id) of a queued row -> (its last recorded state, user, time of that entry)
        self._recorded: dict[tuple[str, int], tuple[Row, int | None, datetime]] = {}
        self._queued_slots: set[tuple[str, int]] = set()
        for model in TABLE_ORDER[:-1]:  # audit ids come from the appender
            top = conn.execute(select(func.max(model.__table__.c.id))).scalar()
            self._next_id[_table(model)] = int(top or 0) + 1
        self._appender = AuditAppender.at_head(conn)

    def new_id(self, model: type[Base]) -> int:
        table = _table(model)
        value = self._next_id[table]
        self._next_id[table] = value + 1
        return value

    def add(
        self,
        model: type[Base],
        row: Row,
        *,
        at: datetime,
        user_id: int | None,
        action: str,
        entity: str,
        after: Mapping[str, Any] | None = None,
    ) -> int:
        """Queue ``row`` (its ``id`` is assigned if missing) and its creation entry.

        ``after``: what the service's entry held when the row was created, if the
        row queued here already carries later changes (default: the row itself).
        """
        if "id" not in row:
            row["id"] = self.new_id(model)
        _complete(model, row)
        if after is not None:
            after = {**{k: row[k] for k in row if k not in after}, **after}
        self._models[entity] = model
        self._queued_slots.add((entity, int(row["id"])))
        self._queued[_table(model)].append(row)
        self.counts[_table(model)] += 1
        self.audit(
            at=at,
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=row["id"],
            after=row if after is None else after,
        )
        return int(row["id"])

    def audit(self, **fields: Unpack[EntryFields]) -> None:
        """Queue an entry (one the services would have written) on the chain."""
        at = ensure_utc(fields["at"])
        self._track(fields, at)
        self._queued[_table(AuditEntry)].append(self._appender.entry(**fields))
        self.counts[_table(AuditEntry)] += 1
        self._pending += 2

    def _track(self, fields: EntryFields, at: datetime) -> None:
        """Remember the state an entry records of a row, to catch up on later changes."""
        entity, entity_id, after = fields["entity"], fields["entity_id"], fields.get("after")
        user_id = fields["user_id"]
        model = self._models.get(entity)
        if model is None or not isinstance(entity_id, int) or after is None:
            return
        columns = {c.name for c in model.__table__.columns}
        state = {k: v for k, v in after.items() if k in columns}
        slot = (entity, entity_id)
        if slot in self._recorded or state.get("id") == entity_id:
            previous = self._recorded.get(slot, ({}, user_id, at))[0]
            self._recorded[slot] = ({**previous, **state}, user_id, at)
        if state.get("id") == entity_id and slot not in self._queued_slots:
            # already inserted: the entry's values are the row's from now on
            values = {k: v for k, v in state.items() if k != "id"}
            self.conn.execute(update(model).where(model.__table__.c.id == entity_id), values)

    def _catch_up(self) -> None:
        """An entry for each queued row changed since its last entry (see the module doc)."""
        for entity, model in self._models.items():
            for row in self._queued[_table(model)]:
                slot = (entity, int(row["id"]))
                recorded = self._recorded.get(slot)
                if recorded is None:
                    continue
                state, user_id, at = recorded
                if audit_json(state) != audit_json(row):
                    self.audit(
                        at=_latest_time(row, at),
                        user_id=user_id,
                        action=CATCH_UP_ACTIONS.get(entity, f"{entity}.update"),
                        entity=entity,
                        entity_id=slot[1],
                        before=state,
                        after=dict(row),
                    )
        self._recorded.clear()
        self._queued_slots.clear()

    def maybe_flush(self) -> None:
        """Insert what is queued once it is ``flush_rows`` or more (call between records)."""
        if self._pending >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        self._catch_up()
        for model in TABLE_ORDER:
            rows = self._queued[_table(model)]
            if rows:
                self.conn.execute(insert(model), rows)
                rows.clear()
        self._pending = 0

    def commit(self) -> None:
        self.flush()
        self.conn.commit()
