from __future__ import annotations

import pytest
from sqlalchemy import select

from kapdesk.domain.errors import AuthenticationFailed, PermissionDenied, ValidationError
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.users import UserService
from kapdesk.storage.orm import AuditEntry, User

from .conftest import PASSWORD, table_counts


def test_login_with_right_password_returns_actor_and_audits(ctx: ServiceContext) -> None:
    actor = UserService(ctx).authenticate("Nurse", PASSWORD)
    assert actor.role is Role.NURSE
    with ctx.db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert last.action == "auth.login"
    assert last.user_id == actor.user_id


@pytest.mark.parametrize(
    ("username", "password"), [("nurse", "wrong password!"), ("nobody", PASSWORD)]
)
def test_login_failure_says_nothing_about_which_part(
    ctx: ServiceContext, username: str, password: str
) -> None:
    with pytest.raises(AuthenticationFailed) as exc:
        UserService(ctx).authenticate(username, password)
    assert str(exc.value) == "Unknown username or wrong password."
    with ctx.db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert last.action == "auth.login_failed"


def test_admin_adds_user_and_hash_never_in_audit(ctx: ServiceContext, admin: Actor) -> None:
    info = UserService(ctx).add_user(
        admin, username="mnoor", full_name="Mira Noor", role=Role.NURSE, password="long enough 1"
    )
    with ctx.db.read() as s:
        row = s.get(User, info.id)
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert row is not None
    assert row.password_hash.startswith("$argon2id$")
    assert entry is not None
    assert entry.action == "user.add"
    assert "$argon2" not in (entry.after or "")


def test_nurse_cannot_add_user_and_nothing_changes(ctx: ServiceContext, nurse: Actor) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied):
        UserService(ctx).add_user(
            nurse, username="x1", full_name="X", role=Role.ADMIN, password="long enough 1"
        )
    assert table_counts(ctx.db) == before


@pytest.mark.parametrize(
    ("username", "password"), [("nurse", "long enough 1"), ("newuser", "short")]
)
def test_duplicate_username_or_short_password_rejected(
    ctx: ServiceContext, admin: Actor, username: str, password: str
) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError):
        UserService(ctx).add_user(
            admin, username=username, full_name="Someone", role=Role.NURSE, password=password
        )
    assert table_counts(ctx.db) == before


def test_first_admin_only_on_empty_database(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        UserService(ctx).create_first_admin(
            username="boss", full_name="B", password="long enough 1"
        )
