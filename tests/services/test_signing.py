"""Signing with password re-entry: what is signed, who may sign, the lock, the hash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    AuthenticationFailed,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    RecordLocked,
    ValidationError,
)
from kapdesk.domain.permissions import Role
from kapdesk.domain.signing import HASH_SCHEME, SIGNED_FIELDS, Meaning, content_sha256
from kapdesk.services import signing as signing_service
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.integrity import verify_signatures
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signed_records import record_content, record_hash
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService
from kapdesk.storage.orm import AuditEntry, Base, Note, SideEffect, Signature, User

from .conftest import PASSWORD, table_counts
from .sessionkit import YES_TO_ALL, Kit, audit_probe
from .signkit import cheap_passwords, closed_session, integration_note


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    cheap_passwords(ctx.db)
    return Kit(ctx, clock, nurse)


@pytest.fixture
def signed(kit: Kit, clinician: Actor, therapist: Actor) -> int:
    sid = closed_session(kit, clinician, therapist)
    SigningService(kit.ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    return sid


# ---------------------------------------------------------------- signing a session


def test_signing_a_session_stores_who_when_what_and_the_hash(
    kit: Kit, clinician: Actor, therapist: Actor
) -> None:
    sid = closed_session(kit, clinician, therapist)
    kit.advance(minutes=30)
    with audit_probe(kit.ctx.db) as probe:
        sig = SigningService(kit.ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    assert (sig.entity, sig.entity_id, sig.signer_id) == ("dosing_session", sid, clinician.user_id)
    assert (sig.signer_name, sig.signer_role) == ("Test Clinician", "clinician")
    assert sig.signed_at == kit.clock.now()
    assert (sig.meaning, sig.method) == ("Reviewed and signed", "password re-entry")
    with kit.ctx.db.read() as s:
        assert sig.content_sha256 == record_hash(s, "dosing_session", sid)
        note = s.scalar(select(Note).where(Note.dosing_session_id == sid))
        assert note is not None
        assert (note.status, note.signed_by, note.signed_at) == (
            "final",
            clinician.user_id,
            kit.clock.now(),
        )
        assert verify_signatures(s).ok
    assert probe.actions == ["note.sign", "sign.signed"]
    assert probe.entities[-1] == ("signature", str(sig.id))
    after = probe.entries[-1].after_data
    assert after is not None
    assert after["content_sha256"] == sig.content_sha256
    assert SigningService(kit.ctx).signature_for("dosing_session", sid) == sig
    assert SigningService(kit.ctx).is_signed("dosing_session", sid)


@pytest.mark.parametrize("state", ["cancelled", "dose_withheld"])
def test_cancelled_and_withheld_sessions_can_be_signed(
    kit: Kit, clinician: Actor, state: str
) -> None:
    if state == "cancelled":
        sid = kit.scheduled()
        kit.sessions.cancel(kit.nurse, sid, "Patient unwell")
    else:
        sid = kit.ready()
        kit.sessions.withhold_dose(kit.nurse, sid, "BP stays high")
    sig = SigningService(kit.ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    assert sig.entity_id == sid


def test_a_running_session_cannot_be_signed(kit: Kit, clinician: Actor) -> None:
    sid = kit.dosed()
    before = table_counts(kit.ctx.db, include_denials=True)
    with pytest.raises(IllegalTransition, match=f"Session {sid} is dosed; only a discharged"):
        SigningService(kit.ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    assert table_counts(kit.ctx.db, include_denials=True) == before


@pytest.mark.parametrize("role", ["nurse", "therapist", "admin"])
def test_only_a_clinician_signs_a_session_and_refusals_are_audited(
    kit: Kit, clinician: Actor, therapist: Actor, role: str, request: pytest.FixtureRequest
) -> None:
    sid = closed_session(kit, clinician, therapist)
    actor: Actor = request.getfixturevalue(role)
    before = table_counts(kit.ctx.db, include_denials=True)
    with audit_probe(kit.ctx.db) as probe, pytest.raises(PermissionDenied, match="may not sign"):
        SigningService(kit.ctx).sign(actor, "dosing_session", sid, PASSWORD)
    assert probe.actions == ["denied.sign_session"]
    assert probe.entities == [("dosing_session", str(sid))]
    assert probe.entries[0].user_id == actor.user_id
    after = table_counts(kit.ctx.db, include_denials=True)
    assert after == {**before, "audit_log": before["audit_log"] + 1}


def test_a_wrong_password_signs_nothing_and_is_audited(
    kit: Kit, clinician: Actor, therapist: Actor
) -> None:
    sid = closed_session(kit, clinician, therapist)
    before = table_counts(kit.ctx.db)
    with (
        audit_probe(kit.ctx.db) as probe,
        pytest.raises(AuthenticationFailed, match=r"^Wrong password\.$"),
    ):
        SigningService(kit.ctx).sign(clinician, "dosing_session", sid, PASSWORD + "x")
    # the wrong password counted on the account (its whole row), then the failure itself
    assert probe.actions == ["auth.wrong_password", "sign.failed"]
    assert probe.entities == [("user", str(clinician.user_id)), ("dosing_session", str(sid))]
    assert all("correct horse" not in (e.after or "") for e in probe.entries)
    assert table_counts(kit.ctx.db) == {**before, "audit_log": before["audit_log"] + 2}
    assert SigningService(kit.ctx).signature_for("dosing_session", sid) is None
    with kit.ctx.db.read() as s:
        note = s.scalar(select(Note).where(Note.dosing_session_id == sid))
        user = s.get(User, clinician.user_id)
    assert note is not None
    assert note.status == "draft"
    assert user is not None
    assert user.failed_logins == 1  # counts towards the lockout


def test_a_signed_session_cannot_be_signed_again(kit: Kit, clinician: Actor, signed: int) -> None:
    before = table_counts(kit.ctx.db)
    with pytest.raises(RecordLocked, match=f"Session {signed} was signed by Test Clinician"):
        SigningService(kit.ctx).sign(clinician, "dosing_session", signed, PASSWORD)
    assert table_counts(kit.ctx.db) == before


def test_unknown_records_and_meanings_are_refused(kit: Kit, clinician: Actor) -> None:
    svc = SigningService(kit.ctx)
    with pytest.raises(NotFound, match="no dosing session #999"):
        svc.sign(clinician, "dosing_session", 999, PASSWORD)
    with pytest.raises(ValidationError, match="Record kind 'patient' is not one of"):
        svc.sign(clinician, "patient", 1, PASSWORD)
    with pytest.raises(ValidationError, match="meaning 'OK' is not one of"):
        svc.sign(clinician, "dosing_session", 1, PASSWORD, meaning="OK")


# ---------------------------------------------------------------- the lock


def _changes(
    kit: Kit, therapist: Actor, clinician: Actor, sid: int
) -> dict[str, Callable[[], object]]:
    ctx, nurse = kit.ctx, kit.nurse
    with ctx.db.read() as s:
        effect_id = s.scalar(select(SideEffect.id).where(SideEffect.session_id == sid))
    assert effect_id is not None
    obs, effects, notes = ObservationService(ctx), SideEffectService(ctx), NoteService(ctx)
    return {
        "reading": lambda: kit.vitals.record(nurse, sid, 120, 80),
        "dose": lambda: kit.dose(sid),
        "moaas": lambda: obs.record_moaas(nurse, sid, 5),
        "dissociation": lambda: obs.record_dissociation(therapist, sid, False),
        "side_effect": lambda: effects.record(nurse, sid, "headache", severity="mild"),
        "side_effect_update": lambda: effects.update(nurse, effect_id, intervention="water"),
        "side_effect_resolve": lambda: effects.resolve(nurse, effect_id),
        "session_note": lambda: notes.save_session_note(therapist, sid, "Changed afterwards"),
        "discharge_answers": lambda: kit.sessions.record_discharge_answers(
            clinician, sid, {"escort": True}
        ),
        "discharge": lambda: kit.sessions.discharge(clinician, sid, unmet_reason="again"),
        "cancel": lambda: kit.sessions.cancel(nurse, sid, "late"),
        "withhold": lambda: kit.sessions.withhold_dose(nurse, sid, "late"),
        "check_in": lambda: kit.sessions.check_in(nurse, sid),
        "checklist": lambda: kit.sessions.record_checklist(nurse, sid, YES_TO_ALL),
        "override": lambda: kit.sessions.override_hold(clinician, sid, "Dr. Lima", "ok"),
    }


CHANGES = (
    "reading", "dose", "moaas", "dissociation", "side_effect", "side_effect_update",
    "side_effect_resolve", "session_note", "discharge_answers", "discharge", "cancel",
    "withhold", "check_in", "checklist", "override",
)  # fmt: skip


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_a_signed_session_is_refused(
    kit: Kit, therapist: Actor, clinician: Actor, signed: int, change: str
) -> None:
    call = _changes(kit, therapist, clinician, signed)[change]
    with kit.ctx.db.read() as s:
        hash_before = record_hash(s, "dosing_session", signed)
    before = table_counts(kit.ctx.db, include_denials=True)
    with pytest.raises(RecordLocked) as caught:
        call()
    assert str(caught.value) == (
        f"Session {signed} was signed by Test Clinician on 2026-03-02 "
        f"{kit.clock.now():%H:%M} UTC; add an addendum instead."
    )
    assert table_counts(kit.ctx.db, include_denials=True) == before
    with kit.ctx.db.read() as s:
        assert record_hash(s, "dosing_session", signed) == hash_before


def test_the_same_changes_are_not_locked_before_signing(
    kit: Kit, therapist: Actor, clinician: Actor
) -> None:
    """The lock comes from the signature: an unsigned discharged session still takes these."""
    sid = closed_session(kit, clinician, therapist)
    calls = _changes(kit, therapist, clinician, sid)
    for name in ("moaas", "dissociation", "side_effect", "side_effect_resolve", "session_note"):
        calls[name]()


# ---------------------------------------------------------------- integration notes


@pytest.fixture
def note_id(kit: Kit, therapist: Actor) -> int:
    return integration_note(kit.ctx, therapist, kit.course(mrn="MRN-N"))


def test_the_author_signs_an_integration_note_which_becomes_final(
    kit: Kit, therapist: Actor, note_id: int
) -> None:
    sig = SigningService(kit.ctx).sign(
        therapist, "note", note_id, PASSWORD, meaning=Meaning.AUTHORED
    )
    assert (sig.signer_role, sig.meaning) == ("therapist", "Authored and signed")
    info = NoteService(kit.ctx).get(note_id)
    assert info.status == "final"
    with pytest.raises(RecordLocked, match=f"Note {note_id} was signed by Test Therapist"):
        NoteService(kit.ctx).update_integration_note(therapist, note_id, body="more")
    with pytest.raises(RecordLocked, match=f"Note {note_id} was signed"):
        NoteService(kit.ctx).finalize(therapist, note_id)


def test_a_clinician_may_sign_anothers_note_a_therapist_may_not(
    kit: Kit, ctx: ServiceContext, clinician: Actor, therapist: Actor, admin: Actor, note_id: int
) -> None:
    other = UserService(ctx).add_user(
        admin, username="tia2", full_name="Tia Two", role=Role.THERAPIST, password=PASSWORD
    )
    cheap_passwords(ctx.db)
    other_actor = Actor(other.id, other.username, other.full_name, other.role)
    with audit_probe(ctx.db) as probe, pytest.raises(PermissionDenied, match="Only the author"):
        SigningService(ctx).sign(other_actor, "note", note_id, PASSWORD)
    assert probe.actions == ["denied.sign_integration_note"]
    assert probe.entities == [("note", str(note_id))]
    assert SigningService(ctx).sign(clinician, "note", note_id, PASSWORD).signer_id == (
        clinician.user_id
    )


def test_empty_notes_and_session_notes_are_not_signed_as_notes(
    kit: Kit, therapist: Actor, clinician: Actor
) -> None:
    empty = NoteService(kit.ctx).create_integration_note(therapist, kit.course(mrn="MRN-E"))
    with pytest.raises(ValidationError, match="empty; an empty note cannot be signed"):
        SigningService(kit.ctx).sign(therapist, "note", empty.id, PASSWORD)
    sid = closed_session(kit, clinician, therapist)
    session_note = NoteService(kit.ctx).list_for_session(sid)[0]
    with pytest.raises(ValidationError, match=f"signed with its dosing session #{sid}"):
        SigningService(kit.ctx).sign(clinician, "note", session_note.id, PASSWORD)


# ---------------------------------------------------------------- the hash


def test_the_hash_is_bound_to_the_record_kind_and_id() -> None:
    content = {"dosing_session": {"id": 12, "room": "2"}, "readings": []}
    reordered = {"readings": [], "dosing_session": {"room": "2", "id": 12}}
    digest = content_sha256("dosing_session", 12, content)
    assert digest == content_sha256("dosing_session", 12, reordered)
    assert digest != content_sha256("dosing_session", 13, content)
    assert digest != content_sha256("note", 12, content)
    assert len(digest) == 64


def test_the_hash_covers_every_part_of_a_session(
    kit: Kit, clinician: Actor, therapist: Actor
) -> None:
    sid = closed_session(kit, clinician, therapist)
    with kit.ctx.db.read() as s:
        content = record_content(s, "dosing_session", sid)
    assert content is not None
    for part in ("vital_readings", "doses", "side_effects", "observations", "session_notes"):
        assert content[part], part
    assert content["course"]["patient_id"] == 1
    assert len(content["vital_readings"]) == 2
    assert [o["kind"] for o in content["observations"]] == ["moaas", "dissociation"]


def test_signed_fields_name_every_column_of_the_signed_tables() -> None:
    """A new column must be a deliberate choice (a new hash scheme), not silently unsigned."""
    for table, fields in SIGNED_FIELDS.items():
        columns = set(Base.metadata.tables[table].columns.keys())
        if table == "courses":
            assert set(fields) == columns - {"goal", "ended_on", "started_on", "created_at"}
            continue
        assert set(fields) == columns, table


def test_scheme_1_signatures_still_verify_and_scheme_2_covers_the_new_parts(
    kit: Kit, ctx: ServiceContext, clinician: Actor, therapist: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A signature made before revision 0004 (scheme 1) keeps verifying; scheme 2 also covers
    the pinned protocol, override kinds, dose warnings and alert acknowledgements."""
    old_sid = closed_session(kit, clinician, therapist)
    monkeypatch.setattr(signing_service, "HASH_SCHEME", 1)
    SigningService(ctx).sign(clinician, "dosing_session", old_sid, PASSWORD)
    monkeypatch.undo()
    new_sid = closed_session(kit, clinician, therapist, mrn="MRN-2")
    SigningService(ctx).sign(clinician, "dosing_session", new_sid, PASSWORD)
    with ctx.db.read() as s:
        schemes = {x.entity_id: x.hash_scheme for x in s.scalars(select(Signature))}
        report = verify_signatures(s)
        content = record_content(s, "dosing_session", new_sid)
        old = record_content(s, "dosing_session", old_sid, scheme=1)
    assert schemes == {old_sid: 1, new_sid: HASH_SCHEME}
    assert HASH_SCHEME >= 2  # scheme 3 (revision 0005): tests/services/test_corrections_signing
    assert (report.ok, report.checked) == (True, 2)
    assert content is not None
    assert old is not None
    assert "alert_acknowledgements" in content
    assert "alert_acknowledgements" not in old
    assert {"protocol_id", "protocol_version", "protocol_hash"} <= set(content["course"])
    assert {"kind", "item_id"} <= set(SIGNED_FIELDS["hold_overrides"])
    assert "warnings" in SIGNED_FIELDS["doses"]
    with ctx.db.write() as s:  # behind the app: a dose's acknowledged warnings are changed
        s.execute(text("UPDATE doses SET warnings = '[\"x\"]' WHERE session_id = :i"),
                  {"i": new_sid})  # fmt: skip
    with ctx.db.read() as s:
        problems = verify_signatures(s).problems
    assert len(problems) == 1
    assert f"dosing_session {new_sid}" in problems[0].message


def test_signatures_and_audit_survive_time_and_match(
    kit: Kit, ctx: ServiceContext, clinician: Actor, signed: int
) -> None:
    kit.clock.advance(timedelta(days=400))
    with ctx.db.read() as s:
        report = verify_signatures(s)
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "sign.signed")).all()
        sigs = s.scalars(select(Signature)).all()
    assert report.ok
    assert report.checked == 1
    assert [e.entity_id for e in entries] == [str(x.id) for x in sigs]


def test_the_stored_role_decides_not_a_forged_actor(
    kit: Kit, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    sid = closed_session(kit, clinician, therapist)
    forged = Actor(nurse.user_id, nurse.username, nurse.full_name, Role.CLINICIAN)
    with pytest.raises(PermissionDenied, match="Your role is now nurse: sign in again"):
        SigningService(kit.ctx).sign(forged, "dosing_session", sid, PASSWORD)
    assert SigningService(kit.ctx).signature_for("dosing_session", sid) is None
