"""The users rows as audited data, and the bookkeeping of wrong passwords and lockouts
(used by UserService, services.users).

Every change to a users row is an audit entry on (``"user"``, id) whose ``after`` is the
whole row as stored (:func:`user_entry`); its actions are :data:`USER_ROW_ACTIONS`.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from kapdesk.domain.access_policy import LoginPolicy, after_failure, lock_ran_out
from kapdesk.domain.clock import shown_time
from kapdesk.domain.errors import AccountLocked, ValidationError
from kapdesk.domain.permissions import Role
from kapdesk.i18n import N_, _, _n, normalize, supported
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.passwords import hash_password
from kapdesk.services.recording import AuditRecord, audit_change, snapshot
from kapdesk.services.rows import stored
from kapdesk.services.screen_dtos import UserInfo
from kapdesk.storage.orm import User

WRONG_PASSWORD = N_("Wrong password.")  # shown as _(WRONG_PASSWORD)

# Every audit action that changes (or re-states) a users row: its ``after`` is the whole row.
USER_ROW_ACTIONS: frozenset[str] = frozenset(
    {
        "user.create_first_admin", "user.add", "user.add_console", "user.add_demo",
        "auth.login", "auth.login_failed", "auth.locked", "auth.login_locked",
        "auth.rehashed", "auth.wrong_password", "auth.failures_cleared",
        "user.unlock", "user.reset_password", "user.change_password",
        "user.change_password_failed", "ui.unlock_failed",
        "user.deactivate", "user.reactivate", "user.change_role", "user.change_language",
    }
)  # fmt: skip


def user_info(u: User) -> UserInfo:
    return UserInfo(
        id=u.id,
        username=u.username,
        full_name=u.full_name,
        role=Role(u.role),
        active=u.active,
        must_change_password=u.must_change_password,
        locked_until=u.locked_until,
        failed_logins=u.failed_logins,
        language=u.language,
    )


def actor_of(u: UserInfo) -> Actor:
    return Actor(
        user_id=u.id,
        username=u.username,
        full_name=u.full_name,
        role=u.role,
        must_change_password=u.must_change_password,
        language=u.language,
    )


LOCK_STATE = ("failed_logins", "locked_until")  # also on a failure recorded elsewhere


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when the name is unknown (the same cost as a known one)."""
    return hash_password("kapdesk: no such user")


def user_entry(
    s: Session,
    ctx: ServiceContext,
    actor: Actor | None,
    action: str,
    row: User,
    before: dict[str, Any] | None,
    *,
    recheck: bool = True,
) -> None:
    """The audit entry for a users row: ``after`` the whole row as it will be stored
    (from the command line also ``actor``: 'console:<OS user>', services.console)."""
    after = snapshot(row)
    if actor is None and action.endswith("_console"):
        from kapdesk.services.console import console_actor

        after["actor"] = console_actor()
    record = AuditRecord(action, "user", row.id, before=before, after=after)
    audit_change(s, ctx, actor, record, recheck_actor=recheck)


def language_setting(value: str | None) -> str | None:
    """The language tag to store for ``value`` ('pt_PT' -> 'pt-PT'); None or '' is None (the
    computer's language). A language kapdesk has no translation for: ValidationError."""
    if value is None or not value.strip():
        return None
    tag = normalize(value)
    if tag is None:
        raise ValidationError(
            "Language",
            value,
            _(
                "Language '{value}' is not one kapdesk speaks: choose one of {offered}, "
                "or none for the computer's language.",
                value=value,
                offered=", ".join(supported()),
            ),
        )
    return tag


def user_row(s: Session, user_id: int) -> User:
    """The users row, or NotFound."""
    return stored(s, User, user_id)


def locked_error(until: datetime, policy: LoginPolicy, tz: tzinfo | None) -> AccountLocked:
    """The refusal while locked; the time in ``tz`` (None: the computer's zone)."""
    return AccountLocked(
        until,
        _n(
            "This account is locked until {until} after {n} wrong password in a row. Try "
            "again then, or ask an administrator to unlock it.",
            "This account is locked until {until} after {n} wrong passwords in a row. Try "
            "again then, or ask an administrator to unlock it.",
            policy.max_failed_attempts,
            until=shown_time(until, tz, zone=True),
        ),
    )


def count_failure(
    s: Session,
    ctx: ServiceContext,
    policy: LoginPolicy,
    row: User,
    actor: Actor | None,
    action: str,
    target: tuple[str, int | None],
    details: dict[str, Any],
) -> None:
    """One more wrong password for ``row`` (inside a write): audited; locks at the limit.

    The users row's entry is ``action`` itself when the target is that user, else
    ``auth.wrong_password`` followed by ``action`` on the target with ``details``.
    """
    now = ctx.now()
    before = snapshot(row)
    if lock_ran_out(row.locked_until, now):
        row.failed_logins, row.locked_until = 0, None
    row.failed_logins, until = after_failure(row.failed_logins, now, policy)
    if until is not None:
        row.locked_until = until
    # Bookkeeping of a failure: written even when the failing user's sign-in no longer holds.
    if target == ("user", row.id):
        user_entry(s, ctx, actor, action, row, before, recheck=False)
    else:
        user_entry(s, ctx, actor, "auth.wrong_password", row, before, recheck=False)
        lock = {k: v for k, v in snapshot(row).items() if k in LOCK_STATE}
        after = {**details, "user_id": row.id, **lock}
        record = AuditRecord(action, *target, after=after)
        audit_change(s, ctx, actor, record, recheck_actor=False)
    if until is not None:
        user_entry(s, ctx, actor, "auth.locked", row, None, recheck=False)


def note_locked(
    s: Session,
    ctx: ServiceContext,
    actor: Actor,
    failed_action: str,
    target: tuple[str, int | None],
    row: User,
) -> None:
    """A password re-entered while locked: recorded (the row does not change)."""
    if target == ("user", row.id):
        user_entry(s, ctx, actor, failed_action, row, None, recheck=False)
        return
    after = {"user_id": row.id, "reason": "account locked"}
    record = AuditRecord(failed_action, *target, after=after)
    audit_change(s, ctx, actor, record, recheck_actor=False)
