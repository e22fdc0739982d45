"""The workstation screen lock: lock, unlock as the same user, or hand over to another.

Decisions a caller must know:

* ``lock(actor, reason)`` only writes the audit entry ``ui.lock`` (``reason``:
  ``"idle"`` or ``"manual"``); the front end covers the window itself and must
  do so even when this call fails (e.g. the database is busy).
* ``unlock(actor, password)`` re-checks the signed-in user's password with
  :meth:`UserService.verify_reentry`: a wrong one raises
  ``AuthenticationFailed("Wrong password.")``, is audited as
  ``ui.unlock_failed`` and counts towards the account lockout like any wrong
  password (an unattended locked screen must not allow guessing).
* ``handed_over(previous, actor)``: after ``UserService.authenticate`` signed
  someone else in from the lock screen (audited there as ``auth.login``), this
  records ``ui.unlock`` for the new user with whom the screen was locked for.
* ``idle_lock_after()``: the clinic setting ``idle_lock_minutes`` as a timedelta.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from kapdesk.services.context import Actor, Service
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.services.users import UserService
from kapdesk.storage.settings_store import get_setting

LockReason = Literal["idle", "manual"]
LOCK_REASONS: tuple[LockReason, ...] = ("idle", "manual")


@audit_denials
class WorkstationService(Service):
    def idle_lock_after(self) -> timedelta:
        with self.ctx.db.read() as s:
            return timedelta(minutes=int(get_setting(s, "idle_lock_minutes")))

    def lock(self, actor: Actor, reason: LockReason) -> None:
        if reason not in LOCK_REASONS:
            raise ValueError(f"lock reason {reason!r} is not one of {LOCK_REASONS}")
        with self.ctx.db.write() as s:
            record = AuditRecord("ui.lock", "user", actor.user_id, after={"reason": reason})
            audit_change(s, self.ctx, actor, record)

    def unlock(self, actor: Actor, password: str) -> None:
        """The same user comes back: their password again, else AuthenticationFailed."""
        UserService(self.ctx).verify_reentry(
            actor,
            password,
            failed_action="ui.unlock_failed",
            entity="user",
            entity_id=actor.user_id,
        )
        with self.ctx.db.write() as s:
            audit_change(
                s, self.ctx, actor, AuditRecord("ui.unlock", "user", actor.user_id, after={})
            )

    def handed_over(self, previous: Actor | None, actor: Actor) -> None:
        """``actor`` (already authenticated) takes over the screen locked for ``previous``."""
        after = {"locked_for": previous.user_id if previous else None}
        with self.ctx.db.write() as s:
            audit_change(
                s, self.ctx, actor, AuditRecord("ui.unlock", "user", actor.user_id, after=after)
            )
