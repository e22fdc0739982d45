"""Staff accounts: first administrator, adding users, signing in, lockout and passwords.

Decisions a caller must know:

* ``authenticate(username, password) -> Actor``. A wrong name or password
  raises AuthenticationFailed, never saying which. After
  ``LOGIN_POLICY.max_failed_attempts`` (5) wrong passwords in a row the account
  locks for ``LOGIN_POLICY.lockout`` (15 min): any sign-in meanwhile raises
  :class:`AccountLocked` (a subclass of AuthenticationFailed; ``until`` is aware
  UTC, the message gives HH:MM in ``tz``, default the computer's zone) without
  looking at the password, so it never tells whether the password was right.
  When a lock has run out, the count starts again.
* The Actor returned carries ``must_change_password``: True after an
  administrator's ``reset_password``. The front end must then have the user
  choose a new one with ``change_password`` before anything else.
* Re-entering the password to sign (``verify_reentry``) or to change it counts
  towards the same lockout and is refused the same way while locked.
* A stored hash made with weaker argon2 parameters than the current hasher's is
  replaced on the next successful sign-in.
* Audit actions: ``auth.login`` (after: rehashed, must_change_password),
  ``auth.login_failed`` (each failure, before/after count), ``auth.locked`` (the
  failure that locks), ``auth.login_locked`` (an attempt during a lock),
  ``user.unlock``, ``user.reset_password``, ``user.change_password`` and the
  caller's failure action for a wrong re-entered password (``sign.failed``,
  ``user.change_password_failed``). Password hashes never reach the log.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.access_policy import (
    LOGIN_POLICY,
    LoginPolicy,
    after_failure,
    is_locked,
    lock_ran_out,
)
from kapdesk.domain.errors import AccountLocked, AuthenticationFailed, NotFound, ValidationError
from kapdesk.domain.patients import validate_full_name, validate_password, validate_username
from kapdesk.domain.permissions import Action, Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.dtos import UserInfo
from kapdesk.services.guard import audit_denials
from kapdesk.services.passwords import hash_password, needs_rehash, verify_password
from kapdesk.services.recording import audit_change, snapshot
from kapdesk.storage.orm import User

_SECRET_FIELDS = ("password_hash",)
WRONG_PASSWORD = "Wrong password."


def _public(snap: dict[str, object]) -> dict[str, object]:
    """Audit snapshots never carry password hashes."""
    return {k: ("(changed)" if k in _SECRET_FIELDS else v) for k, v in snap.items()}


def _info(u: User) -> UserInfo:
    return UserInfo(
        id=u.id,
        username=u.username,
        full_name=u.full_name,
        role=Role(u.role),
        active=u.active,
        must_change_password=u.must_change_password,
        locked_until=u.locked_until,
        failed_logins=u.failed_logins,
    )


def actor_of(u: UserInfo) -> Actor:
    return Actor(
        user_id=u.id,
        username=u.username,
        full_name=u.full_name,
        role=u.role,
        must_change_password=u.must_change_password,
    )


@functools.cache
def _dummy_hash() -> str:
    return hash_password("kapdesk: no such user")


def _lock_state(u: User) -> dict[str, Any]:
    return {"failed_logins": u.failed_logins, "locked_until": u.locked_until}


@audit_denials
class UserService:
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        policy: LoginPolicy = LOGIN_POLICY,
        tz: tzinfo | None = None,
    ) -> None:
        self.ctx = ctx
        self.policy = policy
        self.tz = tz  # for the HH:MM in the lockout message; None: the computer's zone

    def has_users(self) -> bool:
        with self.ctx.db.read() as s:
            return bool(s.scalar(select(func.count(User.id))))

    def _insert(
        self,
        actor: Actor | None,
        *,
        username: str,
        full_name: str,
        role: Role,
        password: str,
        action: str,
        check_password: bool = True,
    ) -> UserInfo:
        username = validate_username(username)
        full_name = validate_full_name(full_name)
        if check_password:
            validate_password(password)
        hashed = hash_password(password)  # slow: outside the write lock
        with self.ctx.db.write() as s:
            if s.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
                raise ValidationError(
                    "Username", username, f"Username '{username}' is already taken."
                )
            user = User(
                username=username,
                full_name=full_name,
                role=role.value,
                password_hash=hashed,
                active=True,
                must_change_password=False,
                failed_logins=0,
                created_at=self.ctx.now(),
            )
            s.add(user)
            s.flush()
            audit_change(s, self.ctx, actor, action, "user", user.id, after=_public(snapshot(user)))
            return _info(user)

    def create_first_admin(self, *, username: str, full_name: str, password: str) -> UserInfo:
        """Only possible while the database has no users at all."""
        if self.has_users():
            raise ValidationError(
                "Username", username, "An administrator already exists; sign in instead."
            )
        return self._insert(
            None,
            username=username,
            full_name=full_name,
            role=Role.ADMIN,
            password=password,
            action="user.create_first_admin",
        )

    def add_user(
        self, actor: Actor, *, username: str, full_name: str, role: Role, password: str
    ) -> UserInfo:
        actor.require(Action.MANAGE_USERS)
        return self._insert(
            actor,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            action="user.add",
        )

    def add_user_from_console(
        self, *, username: str, full_name: str, role: Role, password: str
    ) -> UserInfo:
        """`kapdesk user add`: whoever can write the database file at the console."""
        return self._insert(
            None,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            action="user.add_console",
        )

    def _add_demo_user(
        self, *, username: str, full_name: str, role: Role, password: str
    ) -> UserInfo:
        """Demo clinic only (kapdesk.services.demo): like the console path, but without the
        password-length rule, so the documented demo password 'demo' works. Never use it for a
        real clinic's accounts; audited as ``user.add_demo`` so such accounts stand out."""
        return self._insert(
            None,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            action="user.add_demo",
            check_password=False,
        )

    def list_users(self) -> list[UserInfo]:
        with self.ctx.db.read() as s:
            return [_info(u) for u in s.scalars(select(User).order_by(User.username))]

    def get(self, user_id: int) -> UserInfo:
        with self.ctx.db.read() as s:
            return _info(self._row(s, user_id))

    # ------------------------------------------------------------ signing in

    def _locked(self, until: datetime) -> AccountLocked:
        local = until.astimezone(self.tz)
        return AccountLocked(
            until,
            f"This account is locked until {local:%H:%M} after "
            f"{self.policy.max_failed_attempts} wrong passwords in a row. Try again then, "
            "or ask an administrator to unlock it.",
        )

    def _audit_alone(
        self,
        actor: Actor | None,
        action: str,
        entity: str,
        entity_id: int | None,
        after: dict[str, Any],
    ) -> None:
        with self.ctx.db.write() as s:
            audit_change(s, self.ctx, actor, action, entity, entity_id, after=after)

    def _count_failure(
        self,
        s: Session,
        row: User,
        actor: Actor | None,
        action: str,
        target: tuple[str, int | None],
        details: dict[str, Any],
    ) -> None:
        """One more wrong password for ``row`` (inside a write): audited; locks at the limit."""
        now = self.ctx.now()
        if lock_ran_out(row.locked_until, now):
            row.failed_logins, row.locked_until = 0, None
        before = _lock_state(row)
        row.failed_logins, until = after_failure(row.failed_logins, now, self.policy)
        if until is not None:
            row.locked_until = until
        audit_change(
            s, self.ctx, actor, action, target[0], target[1],
            before=before, after={**details, "user_id": row.id, **_lock_state(row)},
        )  # fmt: skip
        if until is not None:
            audit_change(s, self.ctx, actor, "auth.locked", "user", row.id, after=_lock_state(row))

    def authenticate(self, username: str, password: str) -> Actor:
        """Sign in; the message never says whether the name or the password was wrong."""
        name = username.strip() if isinstance(username, str) else ""
        with self.ctx.db.read() as s:
            user = s.scalar(select(User).where(func.lower(User.username) == name.lower()))
        attempt = {"username": name[:64]}
        if user is not None and is_locked(user.locked_until, self.ctx.now()):
            assert user.locked_until is not None
            self._audit_alone(None, "auth.login_locked", "user", user.id, attempt)
            raise self._locked(user.locked_until)
        # An unknown name costs the same hashing time as a known one (no timing hint).
        stored = user.password_hash if user is not None else _dummy_hash()
        ok = verify_password(stored, password) and user is not None and user.active
        error: AuthenticationFailed | None = None
        actor: Actor | None = None
        with self.ctx.db.write() as s:
            row = None if user is None else s.get(User, user.id)
            if row is None:
                audit_change(s, self.ctx, None, "auth.login_failed", "user", None, after=attempt)
                error = AuthenticationFailed()
            elif is_locked(row.locked_until, self.ctx.now()):  # locked since we looked
                assert row.locked_until is not None
                audit_change(s, self.ctx, None, "auth.login_locked", "user", row.id, after=attempt)
                error = self._locked(row.locked_until)
            elif not ok:
                self._count_failure(s, row, None, "auth.login_failed", ("user", row.id), attempt)
                error = AuthenticationFailed()
            else:
                before = _lock_state(row)
                row.failed_logins, row.locked_until = 0, None
                rehashed = needs_rehash(row.password_hash)
                if rehashed:
                    row.password_hash = hash_password(password)
                actor = actor_of(_info(row))
                audit_change(
                    s, self.ctx, actor, "auth.login", "user", row.id, before=before,
                    after={**_lock_state(row), "rehashed": rehashed,
                           "must_change_password": row.must_change_password},
                )  # fmt: skip
        if error is not None:
            raise error
        assert actor is not None
        return actor

    def verify_reentry(
        self,
        actor: Actor,
        password: str,
        *,
        failed_action: str,
        entity: str,
        entity_id: int | None,
    ) -> None:
        """Check the signed-in user's password again (to sign, to change it).

        Wrong: AuthenticationFailed("Wrong password."), audited as ``failed_action``
        on (entity, entity_id) and counted towards the lockout. Locked: AccountLocked.
        """
        with self.ctx.db.read() as s:
            user = s.get(User, actor.user_id)
        target = {"user_id": actor.user_id}
        if user is None or not user.active:
            self._audit_alone(
                actor, failed_action, entity, entity_id, {**target, "reason": "no active account"}
            )
            raise AuthenticationFailed(WRONG_PASSWORD)
        if is_locked(user.locked_until, self.ctx.now()):
            assert user.locked_until is not None
            self._audit_alone(
                actor, failed_action, entity, entity_id, {**target, "reason": "account locked"}
            )
            raise self._locked(user.locked_until)
        ok = verify_password(user.password_hash, password)
        error: AuthenticationFailed | None = None
        with self.ctx.db.write() as s:
            row = s.get(User, actor.user_id)
            assert row is not None
            if is_locked(row.locked_until, self.ctx.now()):
                assert row.locked_until is not None
                after = {**target, "reason": "account locked"}
                audit_change(s, self.ctx, actor, failed_action, entity, entity_id, after=after)
                error = self._locked(row.locked_until)
            elif not ok:
                details = {"reason": "wrong password"}
                self._count_failure(s, row, actor, failed_action, (entity, entity_id), details)
                error = AuthenticationFailed(WRONG_PASSWORD)
            elif row.failed_logins or row.locked_until is not None:
                before = _lock_state(row)
                row.failed_logins, row.locked_until = 0, None
                audit_change(
                    s, self.ctx, actor, "auth.failures_cleared", "user", row.id,
                    before=before, after=_lock_state(row),
                )  # fmt: skip
        if error is not None:
            raise error

    # ------------------------------------------------------------ administration

    @staticmethod
    def _row(s: Session, user_id: int) -> User:
        row = s.get(User, user_id)
        if row is None:
            raise NotFound(f"There is no user #{user_id}.")
        return row

    def unlock(self, actor: Actor, user_id: int) -> UserInfo:
        """Clear a lockout (and the failure count) now; nothing to clear writes nothing."""
        actor.require(Action.MANAGE_USERS)
        with self.ctx.db.write() as s:
            row = self._row(s, user_id)
            if row.failed_logins == 0 and row.locked_until is None:
                return _info(row)
            before = _lock_state(row)
            row.failed_logins, row.locked_until = 0, None
            audit_change(
                s, self.ctx, actor, "user.unlock", "user", row.id,
                before=before, after=_lock_state(row),
            )  # fmt: skip
            return _info(row)

    def reset_password(self, actor: Actor, user_id: int, temporary_password: str) -> UserInfo:
        """Set a temporary password the user must change at the next sign-in; also unlocks."""
        actor.require(Action.MANAGE_USERS)
        validate_password(temporary_password)
        hashed = hash_password(temporary_password)
        with self.ctx.db.write() as s:
            row = self._row(s, user_id)
            before = _public(snapshot(row))
            row.password_hash = hashed
            row.must_change_password = True
            row.failed_logins, row.locked_until = 0, None
            audit_change(
                s, self.ctx, actor, "user.reset_password", "user", row.id,
                before=before, after=_public(snapshot(row)),
            )  # fmt: skip
            return _info(row)

    def change_password(self, actor: Actor, old_password: str, new_password: str) -> UserInfo:
        """The signed-in user replaces their own password (clears must_change_password)."""
        validate_password(new_password)
        if new_password == old_password:
            raise ValidationError(
                "New password", "(hidden)", "The new password must differ from the current one."
            )
        self.verify_reentry(
            actor,
            old_password,
            failed_action="user.change_password_failed",
            entity="user",
            entity_id=actor.user_id,
        )
        hashed = hash_password(new_password)
        with self.ctx.db.write() as s:
            row = self._row(s, actor.user_id)
            before = _public(snapshot(row))
            row.password_hash = hashed
            row.must_change_password = False
            audit_change(
                s, self.ctx, actor, "user.change_password", "user", row.id,
                before=before, after=_public(snapshot(row)),
            )  # fmt: skip
            return _info(row)
