"""Staff accounts: first administrator, adding users, signing in, lockout and passwords.

Decisions a caller must know:

* ``authenticate(username, password) -> Actor``. A wrong name or password
  raises AuthenticationFailed, never saying which. After
  ``LOGIN_POLICY.max_failed_attempts`` (5) wrong passwords in a row the account
  locks for ``LOGIN_POLICY.lockout`` (15 min): any sign-in meanwhile raises
  :class:`AccountLocked` (a subclass of AuthenticationFailed; ``until`` is aware
  UTC; the message gives local HH:MM and the zone, in ``tz``, default the clock's) without
  looking at the password, so it never tells whether the password was right.
  When a lock has run out, the count starts again.
* The Actor returned carries ``must_change_password``: True after an
  administrator's ``reset_password``. The front end must then have the user
  choose a new one with ``change_password`` before anything else.
* Re-entering the password to sign (``verify_reentry``) or to change it counts
  towards the same lockout and is refused the same way while locked.
* A stored hash made with weaker argon2 parameters than the current hasher's is
  replaced on the next successful sign-in.
* Administration (MANAGE_USERS): ``add_user`` (optionally ``must_change_password``: one
  entry), ``deactivate`` / ``reactivate``, ``change_role``, ``unlock``, ``reset_password``.
  Nobody deactivates or changes the role of their own account, nor of the last active
  administrator (PermissionDenied, audited). A deactivated or re-roled user's open sign-in
  is refused at its next write (``services.recording``) and must sign in again.
* ``set_language(actor, user_id, language)``: the language the user works in from their
  next sign-in ('pt-PT'; None: the computer's), set by the user themself or by an
  administrator (``user.change_language``); a language kapdesk lacks is a ValidationError
  on "Language" naming the languages it speaks.
* Users are audited data: every change to a ``users`` row is an entry on
  (``"user"``, id) whose ``after`` is the whole row as stored (``row_snapshot``: the
  password hash is ``audit.REDACTED``), ``before`` the row before when it existed. Those
  actions are :data:`USER_ROW_ACTIONS`: ``auth.login``, ``auth.login_failed``,
  ``auth.locked``, ``auth.login_locked`` (an attempt during a lock), ``auth.rehashed``
  (the stored hash was upgraded at sign-in), ``auth.wrong_password`` (a wrong re-entered
  password counted on the account; the caller's own failure action, e.g. ``sign.failed``,
  is written on what was being signed), ``auth.failures_cleared``, ``user.unlock``,
  ``user.reset_password``, ``user.change_password``, ``user.change_password_failed``,
  ``user.change_language``, ``ui.unlock_failed`` and the creations. A failed sign-in for
  an unknown name is ``auth.login_failed`` on (``"user"``, None) with the name typed.
  Password hashes never reach the log.
"""

from __future__ import annotations

import hashlib
from datetime import tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.access_policy import (
    LOGIN_POLICY,
    LoginPolicy,
    is_locked,
)
from kapdesk.domain.errors import (
    AuthenticationFailed,
    ValidationError,
)
from kapdesk.domain.patients import validate_full_name, validate_password, validate_username
from kapdesk.domain.permissions import Action, Role, parse_role
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.guard import audit_denials
from kapdesk.services.passwords import hash_password, needs_rehash, verify_password
from kapdesk.services.recording import AuditRecord, audit_change, sign_in_problem, snapshot
from kapdesk.services.screen_dtos import UserInfo
from kapdesk.services.user_records import (
    USER_ROW_ACTIONS,
    WRONG_PASSWORD,
    actor_of,
    count_failure,
    dummy_hash,
    language_setting,
    locked_error,
    note_locked,
    user_entry,
    user_info,
    user_row,
)
from kapdesk.services.wording import denied
from kapdesk.storage.orm import User

__all__ = ["USER_ROW_ACTIONS", "WRONG_PASSWORD", "UserService", "actor_of"]

# Admin actions that could take away an account or a role: what they change, for the refusal.
# What removing would take from oneself: "You cannot change your own account; ...".
_REMOVING = {
    "user.deactivate": N_("You cannot change your own account; another administrator must."),
    "user.change_role": N_("You cannot change your own role; another administrator must."),
}


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
        # The lockout message's time: in ``tz``, else the clock's zone (domain.clock).
        self.tz = tz if tz is not None else ctx.tz

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
        must_change_password: bool = False,
        salt: bytes | None = None,
    ) -> UserInfo:
        username = validate_username(username)
        full_name = validate_full_name(full_name)
        role = parse_role(role) if isinstance(role, str) else role
        if check_password:
            validate_password(password)
        hashed = hash_password(password, salt=salt)  # slow: outside the write lock
        with self.ctx.db.write() as s:
            if s.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
                raise ValidationError(
                    "Username", username, _("Username '{name}' is already taken.", name=username)
                )
            user = User(
                username=username,
                full_name=full_name,
                role=role.value,
                password_hash=hashed,
                active=True,
                must_change_password=bool(must_change_password),
                failed_logins=0,
                created_at=self.ctx.now(),
            )
            s.add(user)
            s.flush()
            user_entry(s, self.ctx, actor, action, user, None)
            return user_info(user)

    def create_first_admin(self, *, username: str, full_name: str, password: str) -> UserInfo:
        """Only possible while the database has no users at all."""
        if self.has_users():
            raise ValidationError(
                "Username", username, _("An administrator already exists; sign in instead.")
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
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        role: Role,
        password: str,
        must_change_password: bool = False,
    ) -> UserInfo:
        """A new account; ``must_change_password``: the person chooses their own at the
        first sign-in (one ``user.add`` entry, not an add and a reset)."""
        actor.require(Action.MANAGE_USERS)
        return self._insert(
            actor,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            action="user.add",
            must_change_password=must_change_password,
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
        self,
        *,
        username: str,
        full_name: str,
        role: Role,
        password: str,
        actor: Actor | None = None,
        action: str = "user.add_demo",
    ) -> UserInfo:
        """Demo clinic only (kapdesk.demo): like the console path, but without the
        password-length rule, so the documented demo password 'demo' works. Never use it for a
        real clinic's accounts; audited as ``user.add_demo`` so such accounts stand out.
        (The benchmark clinic, kapdesk.demo.bulk with ``demo=False``, passes the actions of a
        real clinic's accounts instead: ``user.create_first_admin``, then ``user.add`` by
        ``actor``, so that it is not a demo database.)

        The salt comes from the username, so one seed builds the same hashes, hence the same
        audit trail (whose user entries hold a digest of the hash); the password is public."""
        return self._insert(
            actor,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            action=action,
            check_password=False,
            salt=hashlib.sha256(f"kapdesk demo account {username}".encode()).digest()[:16],
        )

    def list_users(self) -> list[UserInfo]:
        with self.ctx.db.read() as s:
            return [user_info(u) for u in s.scalars(select(User).order_by(User.username))]

    def get(self, user_id: int) -> UserInfo:
        with self.ctx.db.read() as s:
            return user_info(user_row(s, user_id))

    # ------------------------------------------------------------ signing in

    def authenticate(self, username: str, password: str) -> Actor:
        """Sign in; the message never says whether the name or the password was wrong."""
        name = username.strip() if isinstance(username, str) else ""
        with self.ctx.db.read() as s:
            user = s.scalar(select(User).where(func.lower(User.username) == name.lower()))
        if user is not None and is_locked(user.locked_until, self.ctx.now()):
            assert user.locked_until is not None
            with self.ctx.db.write() as s:
                user_entry(s, self.ctx, None, "auth.login_locked", user_row(s, user.id), None)
            raise locked_error(user.locked_until, self.policy, self.tz)
        # An unknown name costs the same hashing time as a known one (no timing hint).
        stored = user.password_hash if user is not None else dummy_hash()
        ok = verify_password(stored, password) and user is not None
        error: AuthenticationFailed | None = None
        actor: Actor | None = None
        with self.ctx.db.write() as s:
            row = None if user is None else s.get(User, user.id)
            if row is None:
                after = {"username": name[:64]}
                record = AuditRecord("auth.login_failed", "user", after=after)
                audit_change(s, self.ctx, None, record)
                error = AuthenticationFailed()
            elif is_locked(row.locked_until, self.ctx.now()):  # locked since we looked
                assert row.locked_until is not None
                user_entry(s, self.ctx, None, "auth.login_locked", row, None)
                error = locked_error(row.locked_until, self.policy, self.tz)
            elif not ok or not row.active:  # active as stored now, inside the write
                count_failure(
                    s, self.ctx, self.policy, row, None, "auth.login_failed", ("user", row.id), {}
                )
                error = AuthenticationFailed()
            else:
                before = snapshot(row)
                row.failed_logins, row.locked_until = 0, None
                actor = actor_of(user_info(row))
                user_entry(s, self.ctx, actor, "auth.login", row, before)
                if needs_rehash(row.password_hash):
                    before = snapshot(row)
                    row.password_hash = hash_password(password)
                    user_entry(s, self.ctx, actor, "auth.rehashed", row, before)
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
        """Check the signed-in user's password again (to sign, to change it, to unlock).

        A sign-in that no longer holds (account deactivated, removed or given another role
        since): SignInRevoked, before the password is looked at. Locked: AccountLocked.
        Wrong: AuthenticationFailed("Wrong password."), audited as ``failed_action`` on
        (entity, entity_id) and counted towards the lockout.
        """
        attempted = failed_action.removesuffix(".failed").removesuffix("_failed")
        with self.ctx.db.read() as s:
            problem = sign_in_problem(s, self.ctx, actor, attempted)
            user = s.get(User, actor.user_id)
        if problem is not None and problem.reason != "locked":
            raise problem
        assert user is not None
        target = (entity, entity_id)
        if is_locked(user.locked_until, self.ctx.now()):
            assert user.locked_until is not None
            self._refused_while_locked(actor, failed_action, target)
            raise locked_error(user.locked_until, self.policy, self.tz)
        ok = verify_password(user.password_hash, password)
        error: AuthenticationFailed | None = None
        with self.ctx.db.write() as s:
            row = user_row(s, actor.user_id)
            if is_locked(row.locked_until, self.ctx.now()):
                assert row.locked_until is not None
                note_locked(s, self.ctx, actor, failed_action, target, row)
                error = locked_error(row.locked_until, self.policy, self.tz)
            elif not ok:
                details = {"reason": "wrong password"}
                count_failure(s, self.ctx, self.policy, row, actor, failed_action, target, details)
                error = AuthenticationFailed(_(WRONG_PASSWORD))
            elif row.failed_logins or row.locked_until is not None:
                before = snapshot(row)
                row.failed_logins, row.locked_until = 0, None
                user_entry(s, self.ctx, actor, "auth.failures_cleared", row, before)
        if error is not None:
            raise error

    def _refused_while_locked(
        self, actor: Actor, failed_action: str, target: tuple[str, int | None]
    ) -> None:
        with self.ctx.db.write() as s:
            note_locked(s, self.ctx, actor, failed_action, target, user_row(s, actor.user_id))

    # ------------------------------------------------------------ administration

    def _admin_change(
        self, actor: Actor, user_id: int, action: str, change: dict[str, Any]
    ) -> UserInfo:
        """Set ``change`` on the user (one audited entry); nothing to change writes nothing."""
        actor.require(Action.MANAGE_USERS)
        with self.ctx.db.write() as s:
            row = user_row(s, user_id)
            if all(getattr(row, k) == v for k, v in change.items()):
                return user_info(row)
            if action in _REMOVING:
                self._may_remove(s, actor, row, _REMOVING[action])
            before = snapshot(row)
            for key, value in change.items():
                setattr(row, key, value)
            user_entry(s, self.ctx, actor, action, row, before)
            return user_info(row)

    @staticmethod
    def _may_remove(s: Session, actor: Actor, row: User, refusal: str) -> None:
        """Never the last active administrator, nor one's own account or role (``refusal``:
        what to say then)."""
        if row.role == Role.ADMIN.value and row.active:
            others = s.scalar(
                select(func.count(User.id)).where(
                    User.role == Role.ADMIN.value, User.active.is_(True), User.id != row.id
                )
            )
            if not others:
                raise denied(
                    actor.role.value,
                    Action.MANAGE_USERS.value,
                    lambda say: say(
                        N_(
                            "{name} ({username}) is the last active administrator: make another "
                            "administrator first."
                        ),
                        name=row.full_name,
                        username=row.username,
                    ),
                )
        if row.id == actor.user_id:
            raise denied(actor.role.value, Action.MANAGE_USERS.value, lambda say: say(refusal))

    def deactivate(self, actor: Actor, user_id: int) -> UserInfo:
        """The user can no longer sign in; an open sign-in is refused at its next write."""
        return self._admin_change(actor, user_id, "user.deactivate", {"active": False})

    def reactivate(self, actor: Actor, user_id: int) -> UserInfo:
        return self._admin_change(actor, user_id, "user.reactivate", {"active": True})

    def change_role(self, actor: Actor, user_id: int, role: Role | str) -> UserInfo:
        """A new role from the user's next sign-in (an open sign-in is refused at its next
        write)."""
        actor.require(Action.MANAGE_USERS)
        new = role if isinstance(role, Role) else parse_role(role)
        return self._admin_change(actor, user_id, "user.change_role", {"role": new.value})

    def unlock(self, actor: Actor, user_id: int) -> UserInfo:
        """Clear a lockout (and the failure count) now; nothing to clear writes nothing."""
        return self._admin_change(
            actor, user_id, "user.unlock", {"failed_logins": 0, "locked_until": None}
        )

    def reset_password(self, actor: Actor, user_id: int, temporary_password: str) -> UserInfo:
        """Set a temporary password the user must change at the next sign-in; also unlocks."""
        actor.require(Action.MANAGE_USERS)
        validate_password(temporary_password)
        hashed = hash_password(temporary_password)
        with self.ctx.db.write() as s:
            row = user_row(s, user_id)
            before = snapshot(row)
            row.password_hash = hashed
            row.must_change_password = True
            row.failed_logins, row.locked_until = 0, None
            user_entry(s, self.ctx, actor, "user.reset_password", row, before)
            return user_info(row)

    def change_password(self, actor: Actor, old_password: str, new_password: str) -> UserInfo:
        """The signed-in user replaces their own password (clears must_change_password)."""
        validate_password(new_password)
        if new_password == old_password:
            raise ValidationError(
                "New password",
                "(hidden)",
                _("The new password must differ from the current one."),
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
            row = user_row(s, actor.user_id)
            before = snapshot(row)
            row.password_hash = hashed
            row.must_change_password = False
            user_entry(s, self.ctx, actor, "user.change_password", row, before)
            return user_info(row)

    # ------------------------------------------------------------ preferences

    def set_language(self, actor: Actor, user_id: int, language: str | None) -> UserInfo:
        """The language ``user_id`` works in from their next sign-in (None: the computer's).
        Their own: anyone; someone else's: an administrator. Unchanged: nothing written."""
        if user_id != actor.user_id:
            actor.require(Action.MANAGE_USERS)
        tag = language_setting(language)
        with self.ctx.db.write() as s:
            row = user_row(s, user_id)
            if row.language == tag:
                return user_info(row)
            before = snapshot(row)
            row.language = tag
            user_entry(s, self.ctx, actor, "user.change_language", row, before)
            return user_info(row)
