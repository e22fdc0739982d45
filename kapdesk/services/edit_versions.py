"""Versions of the records two workstations may edit at once: session notes, integration
notes and patient details (no clobbered text).

A record's version is the id of the newest audit entry that changed it (its ``entity`` and
``entity_id``; entries that change nothing a screen shows do not count: a chart opened, a
refused attempt, a report printed, see ``services.changes.is_trail_only``). Every change is
audited in its own transaction (``services.recording``), so the version needs no column of
its own, grows with every change, cannot be set by hand without breaking the audit chain,
and says who changed the record and when. :data:`NO_RECORD` is the version of a record that
does not exist yet (the first note of a dosing session) or has no audit entry.

An editor keeps the version its text was read at (``NoteInfo.version``,
``PatientInfo.version``) and passes it to the save. The save compares it with the current
version inside its write transaction, after the write lock is held (SQLite ``BEGIN
IMMEDIATE``; on a server the advisory write lock, then READ COMMITTED statements that see
every change committed before it), so no other save can slip in between the check and the
write. A different version, when the save would change what is stored, raises
:class:`~kapdesk.domain.errors.EditConflict` with who changed the record, when, and the
record as it is now; nothing is written. A save that would store exactly what is stored
already is no conflict: nothing would be lost.

A refused save is not audited: it changed nothing and showed the user nothing they may not
read anyway, like any other refused input (a ValidationError). What the user then does is
audited as usual: a save over the other text is an ordinary update whose ``before`` keeps
their text in the trail.

``version=None`` (the default of the save use cases) skips the check: for writers that do
not edit a copy read earlier (the demo clinic, scripts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from kapdesk.domain import timetext
from kapdesk.domain.clock import ensure_utc, local_time
from kapdesk.domain.errors import NO_RECORD, EditConflict
from kapdesk.i18n import N_, _
from kapdesk.services.changes import TRAIL_ONLY, TRAIL_ONLY_PREFIXES
from kapdesk.services.context import ServiceContext
from kapdesk.services.row_info import user_names
from kapdesk.storage.orm import AuditEntry

__all__ = ["NO_RECORD", "LastChange", "current_version", "last_change", "refuse_stale"]

SOMEONE: Final = N_("Someone")  # a change made without a signed-in user (command line)


@dataclass(frozen=True, slots=True)
class LastChange:
    """The newest audit entry that changed a record: its id is the record's version."""

    version: int
    user_id: int | None
    at: datetime


def _changed(entity: str, entity_id: int) -> ColumnElement[bool]:
    return and_(
        AuditEntry.entity == entity,
        AuditEntry.entity_id == str(entity_id),
        AuditEntry.action.not_in(sorted(TRAIL_ONLY)),
        *(~AuditEntry.action.startswith(p, autoescape=True) for p in TRAIL_ONLY_PREFIXES),
    )


def last_change(s: Session, entity: str, entity_id: int) -> LastChange | None:
    """The newest change of the record (uses ``ix_audit_log_entity_entity_id``)."""
    row = s.execute(
        select(AuditEntry.id, AuditEntry.user_id, AuditEntry.at)
        .where(_changed(entity, entity_id))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return LastChange(int(row.id), row.user_id, ensure_utc(row.at))


def current_version(s: Session, entity: str, entity_id: int) -> int:
    change = last_change(s, entity, entity_id)
    return NO_RECORD if change is None else change.version


def _when(ctx: ServiceContext, at: datetime) -> str:
    """'10:42' on the local day of ``ctx.now()``, else '2026-03-02 10:42'."""
    same_day = local_time(at, ctx.tz).date() == local_time(ctx.now(), ctx.tz).date()
    return timetext.clock(at, ctx.tz) if same_day else timetext.day_clock(at, ctx.tz)


def refuse_stale(
    s: Session,
    ctx: ServiceContext,
    where: tuple[str, int],
    base: int | None,
    *,
    what: str,
    current: Callable[[int], Any],
) -> None:
    """Raise EditConflict when ``base`` (the version the caller's copy was read at) is not
    the record's version now; None skips the check.

    ``where`` is the audit entity and id, ``what`` the record as a sentence names it ("this
    note"), ``current(version)`` the record as stored now, for the conflict to carry. Call
    it inside the write transaction, once it is known that the save would change something.
    """
    if base is None:
        return
    entity, entity_id = where
    change = last_change(s, entity, entity_id)
    version = NO_RECORD if change is None else change.version
    if version == base:
        return
    who, at, when = _(SOMEONE), None, _("an unknown time")
    if change is not None:
        at = change.at
        when = _when(ctx, at)
        if change.user_id is not None:
            who = user_names(s, [change.user_id]).get(change.user_id) or _(SOMEONE)
    raise EditConflict(
        _(
            "{who} changed {what} at {when} while you were editing; nothing was saved.",
            who=who,
            what=_(what),
            when=when,
        ),
        changed_by=who,
        changed_at=at,
        changed_at_text=when,
        version=version,
        current=current(version),
    )
