"""The one way services write the audit trail, inside the change's own transaction.

An entry is an :class:`AuditRecord` (action, entity, entity id; ``before``/``after`` by
keyword) given to :func:`audit_change`; a write to one stored row is
``audit_row(s, ctx, actor, "note.update", row, before=before)``: the entity is the row's
table's audit name and ``after`` the row as it is now.

Every entry written for an ``Actor`` first re-reads that user's stored row in the same
write transaction (:func:`recheck_actor`). A sign-in stops working the moment its account
changes: when the stored user is missing, inactive, locked, or has another role than the
``Actor`` claims, :class:`SignInRevoked` (a PermissionDenied) is raised from inside the
``db.write()`` block, so the whole change rolls back and ``@audit_denials`` records the
refusal as ``denied.<attempted action>``. Since ``write()`` is ``BEGIN IMMEDIATE`` (on a
server the advisory write lock), a deactivation either committed before this check (and is
seen) or after the change. To save a round trip the re-read rides on another statement:
the one reading the audit chain's head, or (:class:`ReadAtStart`, recording a reading) the
use case's first statement, which runs under the same lock.

``recheck_actor=False`` is only for entries that must be written for a user whose sign-in
is no longer valid: sign-in bookkeeping (wrong passwords, lockout) and the denial entries.
A service with an effect outside the database (a backup file) calls
:func:`require_valid_sign_in` before it starts.
"""

from __future__ import annotations

import functools
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from types import EllipsisType
from typing import Any, NamedTuple, cast

from sqlalchemy import Row, Select, Table, bindparam, select, true
from sqlalchemy.orm import Session

from kapdesk.domain.access_policy import is_locked
from kapdesk.domain.errors import SignInRevoked
from kapdesk.domain.permissions import ROLE_LABELS, Role
from kapdesk.i18n import N_, _
from kapdesk.services.changes import Scope, collect
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.wording import Say, keep_english, plain
from kapdesk.storage import audit
from kapdesk.storage.audit_with_row import NewRow
from kapdesk.storage.audited import AUDITED
from kapdesk.storage.orm import AuditEntry, Base, User


def _role_label(stored: str, say: Say) -> str:
    try:
        return say(ROLE_LABELS[Role(stored)])
    except ValueError:
        return repr(stored)


def sign_in_problem(
    s: Session, ctx: ServiceContext, actor: Actor, action: str = "write"
) -> SignInRevoked | None:
    """Why ``actor``'s sign-in no longer holds, as read in ``s``'s transaction; None if it does."""
    row = s.execute(
        select(User.active, User.role, User.locked_until).where(User.id == actor.user_id)
    ).first()
    return _problem(row, ctx, actor, action)


def _problem(
    row: Row[*tuple[Any, ...]] | _Account | None, ctx: ServiceContext, actor: Actor, action: str
) -> SignInRevoked | None:
    """:func:`sign_in_problem` for the user's stored (active, role, locked_until)."""
    claimed = actor.role.value
    if row is None:
        reason, message = "missing", N_("Your account no longer exists: sign in again.")
    elif not row.active:
        reason, message = "deactivated", N_("Your account was deactivated: sign in again.")
    elif row.role != claimed:
        reason, message = "role_changed", N_("Your role is now {role}: sign in again.")
    elif is_locked(row.locked_until, ctx.now()):
        reason = "locked"
        message = N_("Your account is locked: sign in again once it is unlocked.")
    else:
        return None
    role = "" if row is None else row.role
    shown, english = (say(message, role=_role_label(role, say)) for say in (_, plain))
    return keep_english(SignInRevoked(claimed, action, reason, shown), english)


@functools.cache
def _actor_at_head() -> Select[bool, str, datetime | None, int, str]:
    """The user's (active, role, locked_until) and the chain head's (id, hash), bound to
    ``user_id``; built once."""
    head = audit.head_query().subquery()
    return (
        select(User.active, User.role, User.locked_until, head.c.id, head.c.hash)
        .select_from(User)
        .outerjoin(head, true())
        .where(User.id == bindparam("user_id"))
    )


class _Account(NamedTuple):
    active: bool
    role: str
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class ReadAtStart:
    """The actor's stored account and the audit chain's head as a use case's first statement
    read them (:func:`with_actor_and_head`), under the write lock: its first audit entry then
    re-checks the actor on them instead of reading them again (one round trip less)."""

    account: _Account | None  # None: no such user
    head: tuple[int, str] | None  # None: an empty log

    @classmethod
    def of(cls, row: Row[*tuple[Any, ...]]) -> ReadAtStart:
        m = row._mapping
        account = None
        if m["actor_role"] is not None:  # the outer join found the user
            account = _Account(m["actor_active"], m["actor_role"], m["actor_locked_until"])
        head = None if m["head_id"] is None else (int(m["head_id"]), str(m["head_hash"]))
        return cls(account, head)


_USERS = cast(Table, User.__table__)  # (Core columns: the query stays a Core one)


def with_actor_and_head(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """``query`` (one row) with the actor's stored account (bound to ``actor_user_id``) and
    the audit chain's head as extra columns, for :meth:`ReadAtStart.of`."""
    head, users = audit.head_query().subquery(), _USERS.c
    return (
        query.add_columns(
            users.active.label("actor_active"),
            users.role.label("actor_role"),
            users.locked_until.label("actor_locked_until"),
            head.c.id.label("head_id"),
            head.c.hash.label("head_hash"),
        )
        .outerjoin(_USERS, users.id == bindparam("actor_user_id"))
        .outerjoin(head, true())
    )


def _recheck_at_head(
    s: Session, ctx: ServiceContext, actor: Actor, action: str
) -> tuple[int, str] | None:
    """:func:`recheck_actor`, with the audit chain's head (``audit.chain_head``) read in the
    same statement: one round trip to a server instead of two."""
    row = s.execute(_actor_at_head(), {"user_id": actor.user_id}).first()
    problem = _problem(row, ctx, actor, action)
    if problem is not None:
        raise problem
    assert row is not None
    return None if row.id is None else (int(row.id), str(row.hash))


def recheck_actor(s: Session, ctx: ServiceContext, actor: Actor, action: str = "write") -> None:
    """Raise SignInRevoked (inside the caller's transaction) unless ``actor`` still holds."""
    problem = sign_in_problem(s, ctx, actor, action)
    if problem is not None:
        raise problem


def require_valid_sign_in(ctx: ServiceContext, actor: Actor, action: str) -> None:
    """The same check in a read of its own, before work done outside the database."""
    with ctx.db.read() as s:
        recheck_actor(s, ctx, actor, action)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What one audit entry says: the action, the entity it is about, the values around it."""

    action: str
    entity: str
    entity_id: int | str | None = None
    _: KW_ONLY
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    @classmethod
    def of_row(cls, action: str, row: Base, *, before: dict[str, Any] | None = None) -> AuditRecord:
        """An entry about one stored ``row`` (flushed, so it has its id): ``after`` is the row
        as it is now."""
        row_id = getattr(row, "id", None)
        if row_id is None:
            raise ValueError(f"{type(row).__name__} has no id yet: flush before auditing it")
        entity = AUDIT_ENTITY[type(row)]
        return cls(action, entity, row_id, before=before, after=snapshot(row))


# The entity name each audited model's rows are recorded under (the audit replay's list).
_ENTITY_OF_TABLE: dict[str, str] = {spec.table: spec.entity for spec in AUDITED}
AUDIT_ENTITY: dict[type[Base], str] = {
    m.class_: _ENTITY_OF_TABLE[m.local_table.name]
    for m in Base.registry.mappers
    if isinstance(m.local_table, Table) and m.local_table.name in _ENTITY_OF_TABLE
}


def audit_change(
    s: Session,
    ctx: ServiceContext,
    actor: Actor | None,
    record: AuditRecord,
    *,
    recheck_actor: bool = True,
    read: ReadAtStart | None = None,
    row: NewRow | None = None,
    scope: Scope | None = None,
) -> None:
    """Append one audit entry; flushes first so new rows have their ids.

    With an ``actor`` (and ``recheck_actor``), refuses with SignInRevoked when that user's
    stored account no longer matches the sign-in: the caller's whole transaction rolls back.
    ``read``: the account and chain head as this transaction's first statement read them;
    used only while the session holds no audit entry (else both are read again). ``row``:
    the new row the entry is about, not yet stored, inserted with the entry (``audit.append``).
    ``scope``: the entity's (session id, patient id) for the change set, when the caller
    has them (else looked up through ``s``: :func:`~kapdesk.services.changes.collect`).
    """
    head: tuple[int, str] | EllipsisType | None = ...  # not read yet: append() reads it
    if actor is not None and recheck_actor:
        with s.no_autoflush:  # before the flush: a removed user must not fail as a foreign key
            if any(isinstance(o, AuditEntry) for o in s.new):  # (append() flushes its own)
                _recheck(s, ctx, actor, record.action)
            elif read is not None and not _has_entries(s):  # nothing appended since the read
                problem = _problem(read.account, ctx, actor, record.action)
                if problem is not None:
                    raise problem
                head = read.head
            else:  # the flush below appends no entry: the head read now stays the head
                head = _recheck_at_head(s, ctx, actor, record.action)
    s.flush()
    audit.append(
        s,
        head,
        at=ctx.now(),
        user_id=actor.user_id if actor else None,
        action=record.action,
        entity=record.entity,
        entity_id=record.entity_id,
        before=record.before,
        after=record.after,
        row=row,
    )
    # What screens refresh from, published once the transaction commits (services.changes).
    collect(s, ctx.changes, record.action, record.entity, record.entity_id, scope)


def audit_row(
    s: Session,
    ctx: ServiceContext,
    actor: Actor | None,
    action: str,
    row: Base,
    *,
    before: dict[str, Any] | None = None,
    read: ReadAtStart | None = None,
    new: NewRow | None = None,
    scope: Scope | None = None,
) -> None:
    """:func:`audit_change` for a write to one stored row: ``after`` is the row as it is now.
    ``new``: ``row`` is new, its id given, and is inserted with the entry (on a server in
    the same statement). ``scope``: as :func:`audit_change`."""
    record = AuditRecord.of_row(action, row, before=before)
    audit_change(s, ctx, actor, record, read=read, row=new, scope=scope)


def _has_entries(s: Session) -> bool:
    """Whether ``s`` appended an audit entry (or holds one it loaded): a head read before
    it is stale. The flag, not only the identity map, which keeps objects weakly."""
    if s.info.get(audit.APPENDED):
        return True
    return any(isinstance(o, AuditEntry) for o in s.identity_map.values())


_recheck = recheck_actor  # audit_change's keyword of the same name hides the function


def snapshot(obj: object) -> dict[str, Any]:
    """JSON-able column values of an ORM row, for before/after."""
    return audit.row_snapshot(obj)
