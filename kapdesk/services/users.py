"""Staff accounts: first administrator, adding users, signing in."""

from __future__ import annotations

from sqlalchemy import func, select

from kapdesk.domain.errors import AuthenticationFailed, ValidationError
from kapdesk.domain.patients import validate_full_name, validate_password, validate_username
from kapdesk.domain.permissions import Action, Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.dtos import UserInfo
from kapdesk.services.passwords import hash_password, needs_rehash, verify_password
from kapdesk.services.recording import audit_change, snapshot
from kapdesk.storage.orm import User

_SECRET_FIELDS = ("password_hash",)


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
    )


def actor_of(u: UserInfo) -> Actor:
    return Actor(user_id=u.id, username=u.username, full_name=u.full_name, role=u.role)


class UserService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

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

    def authenticate(self, username: str, password: str) -> Actor:
        """Sign in; the message never says whether the name or the password was wrong."""
        with self.ctx.db.read() as s:
            user = s.scalar(
                select(User).where(func.lower(User.username) == username.strip().lower())
            )
        ok = user is not None and user.active and verify_password(user.password_hash, password)
        with self.ctx.db.write() as s:
            if user is None or not ok:
                audit_change(
                    s,
                    self.ctx,
                    None,
                    "auth.login_failed",
                    "user",
                    user.id if user else None,
                    after={"username": username.strip()[:64]},
                )
                failure = True
            else:
                row = s.get(User, user.id)
                assert row is not None
                row.failed_logins = 0
                if needs_rehash(row.password_hash):
                    row.password_hash = hash_password(password)
                actor = actor_of(_info(row))
                audit_change(s, self.ctx, actor, "auth.login", "user", row.id)
                failure = False
        if failure:
            raise AuthenticationFailed()
        return actor
