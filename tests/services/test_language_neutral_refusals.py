"""What a refusal writes to the audit log, and what the audit log's CSV export holds, do
not depend on the language of the person refused or exporting (the screen alone speaks it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import PermissionDenied
from kapdesk.domain.permissions import Role
from kapdesk.domain.wording import shown_error
from kapdesk.i18n import use_language
from kapdesk.services.audit_log import AuditQueryService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.notes import NoteService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService, actor_of

from .sessionkit import Kit, audit_probe
from .test_notes import setup  # noqa: F401  (the course a note is written in)


def _other_therapist(ctx: ServiceContext) -> Actor:
    return actor_of(
        UserService(ctx).add_user_from_console(
            username="therapist2",
            full_name="Other Therapist",
            role=Role.THERAPIST,
            password="long enough 1",
        )
    )


def _refusal(ctx: ServiceContext, language: str, call: Callable[[], object]) -> tuple[str, str]:
    """(the audit entry's message, the sentence shown) of a refused ``call``."""
    with use_language(language), audit_probe(ctx.db) as probe:
        with pytest.raises(PermissionDenied) as refused:
            call()
        shown = shown_error(refused.value)
    return str(probe.entries[0].after_data["message"]), shown


def test_a_refused_note_change_and_signature_are_audited_in_english(
    ctx: ServiceContext,
    therapist: Actor,
    setup: dict[str, Any],  # noqa: F811
) -> None:
    other = _other_therapist(ctx)
    notes = NoteService(ctx)
    note = notes.create_integration_note(therapist, setup["course"])
    notes.update_integration_note(therapist, note.id, body="something")
    change = lambda: notes.update_integration_note(other, note.id, body="x")  # noqa: E731
    sign = lambda: SigningService(ctx).sign(other, "note", note.id, "long enough 1")  # noqa: E731
    for call, english in (
        (change, f"may change integration note #{note.id}."),
        (sign, f"may sign integration note {note.id}."),
    ):
        kept_en, shown_en = _refusal(ctx, "en", call)
        kept_pt, shown_pt = _refusal(ctx, "pt-PT", call)
        assert kept_pt == kept_en == shown_en
        assert kept_en.endswith(english)
        assert "nota de integração" in shown_pt


def test_the_audit_csv_export_is_the_same_in_every_language(
    ctx: ServiceContext,
    clock: FakeClock,
    nurse: Actor,
    clinician: Actor,
    admin: Actor,
    tmp_path: Path,
) -> None:
    kit = Kit(ctx, clock, nurse)
    sid = kit.ready(bp=(150, 92))
    kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Baseline is usually high")
    exported = {}
    for language in ("en", "pt-PT"):
        out = tmp_path / f"{language}.csv"
        with use_language(language):
            AuditQueryService(ctx).export_csv(admin, out, action_prefix="session.override_hold")
        exported[language] = out.read_bytes()
    assert exported["pt-PT"] == exported["en"]
    assert b"(clinical text hidden)" in exported["en"]
