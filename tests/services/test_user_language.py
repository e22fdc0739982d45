"""The language a user works in: set by themself or an administrator, audited with the
whole row, refused when kapdesk does not speak it, carried by the Actor of the next
sign-in, and replayed by ``kapdesk check`` (both stores)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.users import USER_ROW_ACTIONS, UserService
from kapdesk.storage import audit
from kapdesk.storage.orm import AuditEntry, User

from .conftest import PASSWORD, table_counts


def _language(ctx: ServiceContext, user_id: int) -> str | None:
    with ctx.db.read() as s:
        return s.scalar(select(User.language).where(User.id == user_id))


def _last_entry(ctx: ServiceContext, user_id: int) -> AuditEntry:
    with ctx.db.read() as s:
        entry = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id))
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        s.expunge(entry)
        return entry


def _replay_ok(ctx: ServiceContext) -> bool:
    """What ``kapdesk check`` judges of the rows: every row agrees with its audit trail."""
    with ctx.db.read() as s:
        conn = s.connection()
        if conn.dialect.name == "sqlite":
            from kapdesk.storage.audit_replay import replay

            report = replay(conn)
        else:
            from kapdesk.storage.server_replay import replay_server

            report = replay_server(conn)
    assert report.ok, report.messages()
    return report.ok


def test_a_user_sets_their_own_language_and_it_is_audited(
    ctx: ServiceContext, nurse: Actor
) -> None:
    users = UserService(ctx)
    assert _language(ctx, nurse.user_id) is None  # every account starts on the computer's
    info = users.set_language(nurse, nurse.user_id, "pt_PT")
    assert info.language == "pt-PT"  # stored as the tag kapdesk names it
    assert _language(ctx, nurse.user_id) == "pt-PT"
    entry = _last_entry(ctx, nurse.user_id)
    assert (entry.action, entry.user_id) == ("user.change_language", nurse.user_id)
    assert "user.change_language" in USER_ROW_ACTIONS
    assert json.loads(entry.before or "{}")["language"] is None
    with ctx.db.read() as s:
        row = s.get(User, nurse.user_id)
        assert entry.after == audit.canonical_json(audit.row_snapshot(row))
    assert _replay_ok(ctx)
    assert users.authenticate("nurse", PASSWORD).language == "pt-PT"

    users.set_language(nurse, nurse.user_id, None)  # back to the computer's language
    assert _language(ctx, nurse.user_id) is None
    assert json.loads(_last_entry(ctx, nurse.user_id).after or "{}")["language"] is None
    assert users.authenticate("nurse", PASSWORD).language is None
    assert _replay_ok(ctx)


def test_an_unchanged_language_writes_nothing(ctx: ServiceContext, nurse: Actor) -> None:
    users = UserService(ctx)
    users.set_language(nurse, nurse.user_id, "en")
    before = table_counts(ctx.db)
    assert users.set_language(nurse, nurse.user_id, "en").language == "en"
    assert table_counts(ctx.db) == before


def test_an_admin_sets_anyone_s_language_but_a_nurse_only_her_own(
    ctx: ServiceContext, admin: Actor, nurse: Actor, therapist: Actor
) -> None:
    users = UserService(ctx)
    users.set_language(admin, therapist.user_id, "pt-PT")
    assert _language(ctx, therapist.user_id) == "pt-PT"
    entry = _last_entry(ctx, therapist.user_id)
    assert (entry.action, entry.user_id) == ("user.change_language", admin.user_id)

    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied):
        users.set_language(nurse, therapist.user_id, "en")
    assert table_counts(ctx.db) == before
    assert _language(ctx, therapist.user_id) == "pt-PT"
    with ctx.db.read() as s:
        denied = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("denied.%"))
        ).all()
    assert denied == ["denied.manage_users"]
    assert _replay_ok(ctx)


@pytest.mark.parametrize("value", ["de", "klingon", "pt_BR", "C"])
def test_a_language_kapdesk_does_not_speak_is_refused_by_name(
    ctx: ServiceContext, nurse: Actor, value: str
) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as caught:
        UserService(ctx).set_language(nurse, nurse.user_id, value)
    assert caught.value.field == "Language"
    assert caught.value.value == value
    assert str(caught.value) == (
        f"Language '{value}' is not one kapdesk speaks: choose one of en, pt-PT, "
        "or none for the computer's language."
    )
    assert table_counts(ctx.db) == before
