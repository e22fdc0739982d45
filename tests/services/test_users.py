from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import AuthenticationFailed, PermissionDenied, ValidationError
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.users import USER_ROW_ACTIONS, UserService, actor_of
from kapdesk.storage import audit
from kapdesk.storage.orm import AuditEntry, User

from .conftest import PASSWORD, table_counts
from .signkit import cheap_passwords


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


# ---------------------------------------------------------------- administration (issue 10)


def _row(ctx: ServiceContext, user_id: int) -> User:
    with ctx.db.read() as s:
        row = s.get(User, user_id)
        assert row is not None
        s.expunge(row)
        return row


def _entries(ctx: ServiceContext, user_id: int) -> list[AuditEntry]:
    with ctx.db.read() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id))
                .order_by(AuditEntry.id)
            )
        )


def _assert_entry_matches_row(ctx: ServiceContext, entry: AuditEntry, user_id: int) -> None:
    """``after`` is the whole stored row (the password hash redacted), as check replays it."""
    assert entry.after == audit.canonical_json(audit.row_snapshot(_row(ctx, user_id)))
    assert "$argon2" not in entry.after


def test_deactivate_and_reactivate_are_audited_with_the_whole_row(
    ctx: ServiceContext, admin: Actor, nurse: Actor
) -> None:
    users = UserService(ctx)
    info = users.deactivate(admin, nurse.user_id)
    assert not info.active
    assert not _row(ctx, nurse.user_id).active
    last = _entries(ctx, nurse.user_id)[-1]
    assert (last.action, last.user_id) == ("user.deactivate", admin.user_id)
    assert json.loads(last.before or "{}")["active"] is True
    _assert_entry_matches_row(ctx, last, nurse.user_id)
    with pytest.raises(AuthenticationFailed):
        users.authenticate("nurse", PASSWORD)

    info = users.reactivate(admin, nurse.user_id)
    assert info.active
    last = _entries(ctx, nurse.user_id)[-1]
    assert last.action == "user.reactivate"
    _assert_entry_matches_row(ctx, last, nurse.user_id)
    assert users.authenticate("nurse", PASSWORD).user_id == nurse.user_id

    before = table_counts(ctx.db)
    users.reactivate(admin, nurse.user_id)  # already active: nothing to write
    assert table_counts(ctx.db) == before


def test_change_role_is_audited_and_takes_effect_at_the_next_sign_in(
    ctx: ServiceContext, admin: Actor, nurse: Actor
) -> None:
    users = UserService(ctx)
    info = users.change_role(admin, nurse.user_id, Role.CLINICIAN)
    assert info.role is Role.CLINICIAN
    last = _entries(ctx, nurse.user_id)[-1]
    assert (last.action, last.user_id) == ("user.change_role", admin.user_id)
    assert (json.loads(last.before or "{}")["role"], json.loads(last.after or "{}")["role"]) == (
        "nurse", "clinician",
    )  # fmt: skip
    _assert_entry_matches_row(ctx, last, nurse.user_id)
    assert users.authenticate("nurse", PASSWORD).role is Role.CLINICIAN
    with pytest.raises(ValidationError, match="Role 'boss' is not known"):
        users.change_role(admin, nurse.user_id, "boss")


def test_only_an_admin_deactivates_or_changes_roles(
    ctx: ServiceContext, clinician: Actor, nurse: Actor
) -> None:
    users = UserService(ctx)
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied, match="clinician may not manage user accounts"):
        users.deactivate(clinician, nurse.user_id)
    with pytest.raises(PermissionDenied, match="clinician may not manage user accounts"):
        users.change_role(clinician, nurse.user_id, Role.CLINICIAN)
    assert table_counts(ctx.db) == before
    assert _row(ctx, nurse.user_id).active


def test_an_admin_cannot_remove_the_last_admin_or_themselves(
    ctx: ServiceContext, admin: Actor
) -> None:
    users = UserService(ctx)
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied, match="the last active administrator"):
        users.deactivate(admin, admin.user_id)
    with pytest.raises(PermissionDenied, match="the last active administrator"):
        users.change_role(admin, admin.user_id, Role.CLINICIAN)
    assert table_counts(ctx.db) == before

    other = users.add_user(
        admin, username="admin2", full_name="Second Admin", role=Role.ADMIN, password=PASSWORD
    )
    with pytest.raises(PermissionDenied, match="your own account"):
        users.deactivate(admin, admin.user_id)
    with pytest.raises(PermissionDenied, match="your own role"):
        users.change_role(admin, admin.user_id, Role.NURSE)
    second = actor_of(other)
    users.deactivate(second, admin.user_id)  # another administrator may
    assert not _row(ctx, admin.user_id).active
    with ctx.db.read() as s:
        denied = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("denied.%"))
        ).all()
    assert denied == ["denied.manage_users"] * 4


def test_adding_a_user_who_must_change_the_password_is_one_entry(
    ctx: ServiceContext, admin: Actor
) -> None:
    with ctx.db.read() as s:
        start = s.scalar(select(func.max(AuditEntry.id)))
    info = UserService(ctx).add_user(
        admin, username="mnoor", full_name="Mira Noor", role=Role.NURSE,
        password="long enough 1", must_change_password=True,
    )  # fmt: skip
    assert info.must_change_password
    with ctx.db.read() as s:
        new = s.scalars(select(AuditEntry).where(AuditEntry.id > start)).all()
    assert [e.action for e in new] == ["user.add"]
    assert json.loads(new[0].after or "{}")["must_change_password"] is True
    _assert_entry_matches_row(ctx, new[0], info.id)
    assert UserService(ctx).authenticate("mnoor", "long enough 1").must_change_password


def test_every_change_to_a_user_row_has_an_entry_holding_the_row(
    ctx: ServiceContext, admin: Actor, nurse: Actor, clock: FakeClock
) -> None:
    """Sign-ins, wrong passwords, a lock, unlock, reset and change: after each, the user's
    newest entry holds exactly the stored row (what `kapdesk check` replays)."""
    users = UserService(ctx)
    cheap_passwords(ctx.db)
    with ctx.db.read() as s:  # cheap_passwords wrote behind the services: start after it
        start = int(s.scalar(select(func.max(AuditEntry.id))) or 0)

    def newest_matches() -> None:
        _assert_entry_matches_row(ctx, _entries(ctx, nurse.user_id)[-1], nurse.user_id)

    users.authenticate("nurse", PASSWORD)
    newest_matches()
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            users.authenticate("nurse", "not the password")
        newest_matches()
    assert _row(ctx, nurse.user_id).locked_until is not None
    users.unlock(admin, nurse.user_id)
    newest_matches()
    users.reset_password(admin, nurse.user_id, "temporary pass 1")
    newest_matches()
    actor = users.authenticate("nurse", "temporary pass 1")
    with pytest.raises(AuthenticationFailed, match="Wrong password"):
        users.change_password(actor, "not it", "brand new secret")
    newest_matches()
    users.change_password(actor, "temporary pass 1", "brand new secret")
    newest_matches()
    with pytest.raises(AuthenticationFailed, match="Wrong password"):
        users.verify_reentry(
            actor, "not it", failed_action="sign.failed", entity="dosing_session", entity_id=7
        )
    newest_matches()
    users.verify_reentry(
        actor, "brand new secret", failed_action="sign.failed", entity="dosing_session",
        entity_id=7,
    )  # fmt: skip
    newest_matches()
    with ctx.db.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.id > start)).all()
    assert {e.action for e in entries if e.entity == "user"} <= USER_ROW_ACTIONS
    for e in entries:
        if e.entity == "user" and e.entity_id is not None:
            assert set(json.loads(e.after or "{}")) == set(audit.row_snapshot(_row(ctx, 1)))
    # the wrong re-entered signing password is still recorded on what was being signed
    assert [(e.action, e.entity) for e in entries if e.action == "sign.failed"] == [
        ("sign.failed", "dosing_session")
    ]
