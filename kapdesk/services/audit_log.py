"""Reading the audit trail: filter, show before/after, export to CSV.

Decisions a caller must know:

* Both calls need VIEW_AUDIT (admin and clinician); refusals are audited.
* Filters combine with AND: ``patient_id`` (every entry about the patient,
  their courses, sessions and everything recorded in them, notes,
  questionnaires, signatures and addenda, refused actions aimed at them),
  ``user_id`` (who acted), ``since`` (inclusive) / ``until`` (exclusive) as
  timezone-aware datetimes, ``action_prefix`` ("sign" matches "sign.signed"
  and "sign.failed"; "sign.failed" only itself).
* Rows come newest first; ``limit`` 1-5000, ``offset`` for paging.
* A reader who may not open charts (an admin) gets clinical free text replaced by a
  marker that still shows whether the field changed (kapdesk.services.audit_text);
  the CSV export likewise.
* ``AuditRow.patient_*`` is filled whenever the entry's record leads to a
  patient; ``user_name`` is "" for entries made without a signed-in user, except
  command-line entries: "console:<OS user>" (kapdesk.services.console).
* ``export_csv(actor, path, **filters)`` writes every matching entry (no limit),
  oldest first, UTF-8 with a BOM (Excel opens it), columns :data:`CSV_COLUMNS`;
  before/after as JSON. Cells a spreadsheet would run as a formula (starting
  with = + - @) are prefixed with an apostrophe. The file appears only if the
  export's own audit entry (``audit.export``: path, rows, filters) is written.
  Returns the number of entries written.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import ensure_utc
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.i18n import N_, _
from kapdesk.services.audit_patients import patient_condition, patients_of
from kapdesk.services.audit_text import readable_by
from kapdesk.services.context import Actor, Service
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.services.screen_dtos import AuditRow
from kapdesk.storage.audit import canonical_json
from kapdesk.storage.orm import AuditEntry, Patient, User

MAX_LIMIT: Final = 5000
EXPORT_CHUNK: Final = 2000
CSV_COLUMNS: Final = (
    "id", "at_utc", "user_id", "user", "action", "entity", "entity_id",
    "patient_id", "patient", "mrn", "before", "after",
)  # fmt: skip
_DAY_HM: Final = "%Y-%m-%d %H:%M"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_SIDECARS: Final = ("-wal", "-shm", "-journal")


def _aware(field: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            field,
            value,
            _(
                "{field} {value} needs a date, a time and a time zone.",
                field=_(field),
                value=repr(value),
            ),
        )
    return ensure_utc(value)


def _console_name(after: object) -> str:
    """'console:alice' for a command-line entry (services.console), else ''."""
    actor = after.get("actor") if isinstance(after, dict) else None
    return actor if isinstance(actor, str) and actor.startswith("console:") else ""


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@audit_denials
class AuditQueryService(Service):
    def _conditions(
        self,
        *,
        patient_id: int | None = None,
        user_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        action_prefix: str | None = None,
    ) -> tuple[list[ColumnElement[bool]], dict[str, Any]]:
        """SQL conditions for the filters (validated), and the filters as given (for audit)."""
        start, end = _aware(N_("Since"), since), _aware(N_("Until"), until)
        if start is not None and end is not None and start > end:
            raise ValidationError(
                "Until",
                until,
                _(
                    "Until ({until}) is before since ({since}).",
                    until=self.ctx.shown(end, _DAY_HM, zone=True),
                    since=self.ctx.shown(start, _DAY_HM),
                ),
            )
        for field, value in ((N_("Patient"), patient_id), (N_("User"), user_id)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValidationError(
                    field,
                    value,
                    _(
                        "{field} must be a record number, got {value}.",
                        field=_(field),
                        value=repr(value),
                    ),
                )
        conds: list[ColumnElement[bool]] = []
        if patient_id is not None:
            conds.append(patient_condition(patient_id))
        if user_id is not None:
            conds.append(AuditEntry.user_id == user_id)
        if start is not None:
            conds.append(AuditEntry.at >= start)
        if end is not None:
            conds.append(AuditEntry.at < end)
        if action_prefix is not None:
            prefix = str(action_prefix).strip()
            if prefix:
                # Case ignored on both stores: SQLite's LIKE does that, PostgreSQL needs ILIKE.
                match = AuditEntry.action.ilike if self.ctx.db.is_server else AuditEntry.action.like
                like = match(_like_prefix(prefix), escape="\\")
                conds.append(or_(AuditEntry.action == prefix, like))
        given = {
            "patient_id": patient_id,
            "user_id": user_id,
            "since": start,
            "until": end,
            "action_prefix": action_prefix,
        }
        return conds, {k: v for k, v in given.items() if v is not None}

    def _rows(self, s: Session, entries: Sequence[AuditEntry]) -> list[AuditRow]:
        user_ids = {e.user_id for e in entries if e.user_id is not None}
        users = (
            dict(s.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())
            if user_ids
            else {}
        )
        concerned = patients_of(s, [(e.entity, e.entity_id) for e in entries])
        wanted = set(concerned.values())
        found = s.scalars(select(Patient).where(Patient.id.in_(wanted))) if wanted else ()
        patients = {p.id: p for p in found}
        out: list[AuditRow] = []
        for e in entries:
            pid = concerned.get((e.entity, e.entity_id))
            p = patients.get(pid) if pid is not None else None
            out.append(
                AuditRow(
                    id=e.id,
                    at=e.at,
                    user_id=e.user_id,
                    user_name=users.get(e.user_id, "")
                    if e.user_id is not None
                    else _console_name(e.after_data),
                    action=e.action,
                    entity=e.entity,
                    entity_id=e.entity_id,
                    before=e.before_data,
                    after=e.after_data,
                    patient_id=pid,
                    patient_name=f"{p.family_name}, {p.given_name}" if p else None,
                    patient_mrn=p.mrn if p else None,
                )
            )
        return out

    def query(
        self,
        actor: Actor,
        *,
        patient_id: int | None = None,
        user_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        action_prefix: str | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> list[AuditRow]:
        """Matching entries, newest first."""
        actor.require(Action.VIEW_AUDIT)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(
                "Limit",
                limit,
                _(
                    "Limit {limit} is outside the allowed range 1-{most}.",
                    limit=repr(limit),
                    most=MAX_LIMIT,
                ),
            )
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValidationError(
                "Offset", offset, _("Offset {offset} must be 0 or more.", offset=repr(offset))
            )
        conds, _given = self._conditions(
            patient_id=patient_id,
            user_id=user_id,
            since=since,
            until=until,
            action_prefix=action_prefix,
        )
        with self.ctx.db.read() as s:
            entries = s.scalars(
                select(AuditEntry)
                .where(true_if_empty(conds))
                .order_by(AuditEntry.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            return list(readable_by(actor, self._rows(s, entries)))

    def _all(self, conds: list[ColumnElement[bool]]) -> Iterator[AuditRow]:
        """Every matching entry, oldest first, in chunks (one snapshot)."""
        with self.ctx.db.read() as s:
            last = 0
            while True:
                entries = s.scalars(
                    select(AuditEntry)
                    .where(true_if_empty(conds), AuditEntry.id > last)
                    .order_by(AuditEntry.id)
                    .limit(EXPORT_CHUNK)
                ).all()
                if not entries:
                    return
                yield from self._rows(s, entries)
                last = entries[-1].id

    def export_csv(
        self,
        actor: Actor,
        path: Path | str,
        *,
        patient_id: int | None = None,
        user_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        action_prefix: str | None = None,
    ) -> int:
        """Write the matching entries to ``path`` as CSV; audited ``audit.export``."""
        actor.require(Action.VIEW_AUDIT)
        conds, given = self._conditions(
            patient_id=patient_id,
            user_id=user_id,
            since=since,
            until=until,
            action_prefix=action_prefix,
        )
        target = Path(path).expanduser().absolute()
        if target.is_dir():
            raise ValidationError(
                "File", str(path), _("{path} is a folder; give a file name.", path=target)
            )
        # On a clinic server there is no database file the export could overwrite.
        database = None if self.ctx.db.is_server else self.ctx.db.path.resolve()
        if database is not None and target.resolve() in {
            database,
            *(database.with_name(database.name + x) for x in _SIDECARS),
        }:
            raise ValidationError(
                "File",
                str(path),
                _("{path} is the database itself; choose another file name.", path=target),
            )
        partial = target.with_name(f".{target.name}.partial")
        count = 0
        try:
            with partial.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(CSV_COLUMNS)
                # a file outlives the screen: its markers are English in every language
                for row in readable_by(actor, self._all(conds), say=str):
                    writer.writerow(_safe_cell(v) for v in _csv_values(row))
                    count += 1
                fh.flush()
                os.fsync(fh.fileno())
            replaced = False
            try:
                with self.ctx.db.write() as s:
                    after = {"path": str(target), "rows": count, "filters": given}
                    audit_change(
                        s, self.ctx, actor, AuditRecord("audit.export", "audit_log", after=after)
                    )
                    os.replace(partial, target)
                    replaced = True
            except BaseException:
                if replaced:  # the audit entry did not commit: no unaudited export is left
                    target.unlink(missing_ok=True)
                raise
        finally:
            partial.unlink(missing_ok=True)
        return count


def true_if_empty(conds: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """AND of the conditions (no condition: everything)."""
    return and_(*conds) if conds else ~false()


def _csv_values(row: AuditRow) -> tuple[object, ...]:
    def js(data: dict[str, Any] | None) -> str:
        return "" if data is None else canonical_json(data)

    return (
        row.id,
        row.at.isoformat(),
        "" if row.user_id is None else row.user_id,
        row.user_name,
        row.action,
        row.entity,
        row.entity_id or "",
        "" if row.patient_id is None else row.patient_id,
        row.patient_name or "",
        row.patient_mrn or "",
        js(row.before),
        js(row.after),
    )
