"""A lone surrogate (e.g. "\\ud800", from a broken paste) in any free text is a
ValidationError naming the field, never a crash when the text is encoded for SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.notes import validate_text
from kapdesk.domain.patients import validate_mrn
from kapdesk.domain.permissions import Role
from kapdesk.domain.text import require_storable
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService

from .conftest import PASSWORD, insert_patient_and_course, table_counts
from .test_observations import insert_session

LONE = "\ud800"


@pytest.mark.parametrize("text", [LONE, f"calm{LONE}", f"{LONE}x", "\udfff", "a\udc80b"])
def test_a_lone_surrogate_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        require_storable("Reason", text)
    assert exc.value.field == "Reason"
    assert "Reason" in str(exc.value)
    str(exc.value).encode("utf-8")  # the message itself can be shown and logged


@pytest.mark.parametrize("text", ["", "Nguyễn", "😀 emoji", "tab\tand\nnewline"])
def test_ordinary_text_passes_unchanged(text: str) -> None:
    assert require_storable("Reason", text) == text


def test_domain_validators_refuse_a_lone_surrogate() -> None:
    with pytest.raises(ValidationError) as note:
        validate_text("Session note", f"calm{LONE}")
    assert note.value.field == "Session note"
    with pytest.raises(ValidationError) as mrn:
        validate_mrn(f"A{LONE}")
    assert mrn.value.field == "MRN"


def test_session_note_with_a_lone_surrogate(
    ctx: ServiceContext, therapist: Actor, nurse: Actor, clock: FakeClock
) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    sid = insert_session(ctx.db, course_id, nurse.user_id, state="discharged")
    clock.advance(timedelta(days=1))
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as exc:
        NoteService(ctx).save_session_note(therapist, sid, f"Calm {LONE} throughout")
    assert "note" in exc.value.field.lower()
    assert table_counts(ctx.db) == before


def test_a_reason_with_a_lone_surrogate(ctx: ServiceContext, nurse: Actor) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    sid = insert_session(ctx.db, course_id, nurse.user_id, state="scheduled")
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as exc:
        SessionService(ctx).cancel(nurse, sid, f"Patient ill {LONE}")
    assert exc.value.field == "Reason"
    assert table_counts(ctx.db) == before


def test_patient_names_with_a_lone_surrogate(ctx: ServiceContext, nurse: Actor) -> None:
    before = table_counts(ctx.db)
    for field, kwargs in [
        ("Given name", {"given_name": f"Ann{LONE}"}),
        ("Family name", {"family_name": f"Lee{LONE}"}),
        ("Allergies", {"allergies": f"penicillin {LONE}"}),
    ]:
        values = {
            "mrn": "MRN-77",
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": "1980-01-01",
            "sex": "female",
            **kwargs,
        }
        with pytest.raises(ValidationError) as exc:
            PatientService(ctx).create(nurse, **values)  # type: ignore[arg-type]
        assert exc.value.field == field
    assert table_counts(ctx.db) == before


def test_console_user_with_a_lone_surrogate(ctx: ServiceContext) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as exc:
        UserService(ctx).add_user_from_console(
            username="newnurse", full_name=f"New {LONE} Nurse", role=Role.NURSE, password=PASSWORD
        )
    assert "name" in exc.value.field.lower()
    assert table_counts(ctx.db) == before


def test_any_service_text_the_domain_does_not_check_is_refused_by_field(
    ctx: ServiceContext, nurse: Actor
) -> None:
    """The safety net in @audit_denials: text reaching SQLite unchecked still becomes a
    ValidationError naming the argument (here a mapping key), and nothing is kept."""
    from kapdesk.services.guard import audit_denials
    from kapdesk.services.recording import AuditRecord, audit_change

    @audit_denials
    class Unchecked:
        def __init__(self, ctx: ServiceContext) -> None:
            self.ctx = ctx

        def remark(self, actor: Actor, details: dict[str, str]) -> None:
            with self.ctx.db.write() as s:
                audit_change(
                    s, self.ctx, actor, AuditRecord("test.remark", "patient", after=details)
                )

        def console_remark(self, why_given: str) -> None:
            with self.ctx.db.write() as s:
                record = AuditRecord(
                    "test.remark", "patient", before={"w": 1}, after={"w": why_given}
                )
                audit_change(s, self.ctx, None, record)

        def secret(self, password: str) -> None:
            password.encode("utf-8")

    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as keyed:
        Unchecked(ctx).remark(nurse, {"reason_given": f"x{LONE}"})
    assert keyed.value.field == "Reason given"
    with pytest.raises(ValidationError) as plain:
        Unchecked(ctx).console_remark(f"{LONE}")
    assert plain.value.field == "Why given"
    with pytest.raises(ValidationError) as hidden:
        Unchecked(ctx).secret(f"pw{LONE}")
    assert (hidden.value.field, hidden.value.value) == ("Password", "(hidden)")
    assert table_counts(ctx.db) == before


def test_a_nul_in_allergies_is_refused_and_nothing_saved(ctx: ServiceContext, nurse: Actor) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as exc:
        PatientService(ctx).create(
            nurse,
            mrn="NUL-1",
            given_name="Ann",
            family_name="Nul",
            date_of_birth="1980-01-01",
            sex="female",
            allergies="penicillin\x00 (pasted)",
        )
    assert exc.value.field == "Allergies"
    assert "U+0000" in str(exc.value)
    assert "\x00" not in str(exc.value)
    assert table_counts(ctx.db) == before


def test_a_nul_in_a_reason_is_refused_before_anything_runs(
    ctx: ServiceContext, nurse: Actor
) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    sid = insert_session(ctx.db, course_id, nurse.user_id, state="scheduled")
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as exc:
        SessionService(ctx).cancel(nurse, sid, "Patient ill\x00")
    assert exc.value.field == "Reason"
    assert "only tab, newline and carriage return are allowed" in str(exc.value)
    assert table_counts(ctx.db) == before
