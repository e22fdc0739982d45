"""Addenda: appended to signed records, never changing them; signed like any record."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    RecordLocked,
    ValidationError,
)
from kapdesk.domain.text import first_unstorable
from kapdesk.services.addenda import AddendumService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.integrity import verify_signatures
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signed_records import record_hash
from kapdesk.services.signing import SigningService
from kapdesk.storage.audit import verify_chain

from .conftest import PASSWORD, table_counts
from .sessionkit import Kit, audit_probe
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


def test_an_addendum_is_appended_and_the_original_stays_as_signed(
    kit: Kit, nurse: Actor, signed: int
) -> None:
    with kit.ctx.db.read() as s:
        hash_before = record_hash(s, "dosing_session", signed)
    kit.advance(minutes=40)
    svc = AddendumService(kit.ctx)
    with audit_probe(kit.ctx.db) as probe:
        add = svc.add_addendum(
            nurse, "dosing_session", signed, "Second BP was 128/80, not 138/80.",
            corrected={" Reading 2 systolic ": 128},
        )  # fmt: skip
    assert (add.entity, add.entity_id, add.author_id) == ("dosing_session", signed, nurse.user_id)
    assert (add.author_name, add.author_role) == ("Test Nurse", "nurse")
    assert add.created_at == kit.clock.now()
    assert add.corrected == {"Reading 2 systolic": 128}
    assert add.signature is None
    assert probe.actions == ["addendum.add"]
    assert probe.entities == [("addendum", str(add.id))]
    with kit.ctx.db.read() as s:
        assert record_hash(s, "dosing_session", signed) == hash_before
        assert verify_signatures(s).ok
    assert kit.sessions.detail(signed).readings[1].systolic == 131  # original readable
    assert svc.list_for("dosing_session", signed) == [add]
    assert svc.get(add.id) == add


def test_addenda_are_signed_by_their_author_or_a_clinician(
    kit: Kit, nurse: Actor, therapist: Actor, clinician: Actor, signed: int
) -> None:
    svc, signing = AddendumService(kit.ctx), SigningService(kit.ctx)
    first = svc.add_addendum(nurse, "dosing_session", signed, "Late entry: patient nauseous.")
    second = svc.add_addendum(nurse, "dosing_session", signed, "Ride home confirmed.")
    with pytest.raises(PermissionDenied, match=r"Only the author \(Test Nurse\) or a clinician"):
        signing.sign(therapist, "addendum", first.id, PASSWORD)
    own = signing.sign(nurse, "addendum", first.id, PASSWORD, meaning="Authored and signed")
    by_doc = signing.sign(clinician, "addendum", second.id, PASSWORD)
    listed = svc.list_for("dosing_session", signed)
    assert [a.signature for a in listed] == [own, by_doc]
    with pytest.raises(RecordLocked, match=f"Addendum {first.id} was signed by Test Nurse"):
        signing.sign(clinician, "addendum", first.id, PASSWORD)


def test_addenda_to_a_signed_integration_note(kit: Kit, therapist: Actor, clinician: Actor) -> None:
    note_id = integration_note(kit.ctx, therapist, kit.course(mrn="MRN-N"))
    with pytest.raises(ValidationError, match=f"Note {note_id} is not signed; correct it"):
        AddendumService(kit.ctx).add_addendum(therapist, "note", note_id, "More")
    SigningService(kit.ctx).sign(therapist, "note", note_id, PASSWORD)
    add = AddendumService(kit.ctx).add_addendum(clinician, "note", note_id, "Risk reviewed.")
    assert AddendumService(kit.ctx).list_for("note", note_id) == [add]
    assert NoteService(kit.ctx).get(note_id).sections["themes"] == "Grief, relief"


def test_a_final_but_unsigned_note_takes_addenda(kit: Kit, therapist: Actor) -> None:
    note_id = integration_note(kit.ctx, therapist, kit.course(mrn="MRN-F"))
    NoteService(kit.ctx).finalize(therapist, note_id)
    add = AddendumService(kit.ctx).add_addendum(therapist, "note", note_id, "Correction.")
    assert add.entity_id == note_id


BAD: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"text": "   "}, ValidationError, "Addendum text is required"),
    ({"text": "x" * 20_001}, ValidationError, "20001 characters long; at most 20000"),
    ({"entity": "addendum"}, ValidationError, "not one of dosing_session, note"),
    ({"entity": "patient"}, ValidationError, "Record kind 'patient'"),
    ({"entity_id": 999}, NotFound, "no dosing session #999"),
    ({"corrected": {"": 1}}, ValidationError, "Corrected field name"),
    ({"corrected": {"BP": [1, 2]}}, ValidationError, "must be text, a number"),
    ({"corrected": {"BP": float("nan")}}, ValidationError, "finite number"),
    ({"corrected": {f"f{i}": i for i in range(21)}}, ValidationError, "at most 20 fields"),
    ({"actor": "admin"}, PermissionDenied, "admin may not write an addendum"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD, ids=[m for _, _, m in BAD])
def test_invalid_addenda_write_nothing(
    kit: Kit,
    signed: int,
    change: dict[str, Any],
    error: type[Exception],
    message: str,
    request: pytest.FixtureRequest,
) -> None:
    args: dict[str, Any] = {
        "actor": "nurse",
        "entity": "dosing_session",
        "entity_id": signed,
        "text": "Late entry",
        "corrected": None,
        **change,
    }
    actor = request.getfixturevalue(args.pop("actor"))
    before = table_counts(kit.ctx.db)
    with pytest.raises(error, match=message):
        AddendumService(kit.ctx).add_addendum(actor, **args)
    assert table_counts(kit.ctx.db) == before


def test_an_unsigned_session_takes_no_addendum(
    kit: Kit, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    sid = closed_session(kit, clinician, therapist)
    before = table_counts(kit.ctx.db)
    with pytest.raises(ValidationError, match=f"Session {sid} is not signed; correct it directly"):
        AddendumService(kit.ctx).add_addendum(nurse, "dosing_session", sid, "x")
    assert table_counts(kit.ctx.db) == before


# ---------------------------------------------------------------- state machine


def test_sign_edit_addendum_sequences(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, therapist: Actor, clinician: Actor
) -> None:
    """Random sequences of sign / edit / addendum / sign-addendum on one session."""
    cheap_passwords(ctx.db)
    numbers = itertools.count()
    seen: set[str] = set()  # which outcomes the random runs reached
    staff = {"nurse": nurse, "therapist": therapist, "clinician": clinician}
    # The clinician's wrong passwords in a row: kept in the database across runs (the
    # fixture is shared), so counted here across runs too; 5 would lock the account.
    wrong = [0]

    class SigningMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            kit = Kit(ctx, clock, nurse)
            self.sid = closed_session(kit, clinician, therapist, mrn=f"SM-{next(numbers)}")
            self.signed_hash: str | None = None
            self.addenda: list[tuple[int, str, Actor, bool]] = []  # id, text, author, signed

        def _hash(self) -> str | None:
            with ctx.db.read() as s:
                return record_hash(s, "dosing_session", self.sid)

        @initialize(sign_first=st.booleans())
        def maybe_sign_at_once(self, sign_first: bool) -> None:
            if sign_first:
                self.sign_session()

        @rule()
        def sign_session(self) -> None:
            if self.signed_hash is None:
                SigningService(ctx).sign(clinician, "dosing_session", self.sid, PASSWORD)
                self.signed_hash = self._hash()
                wrong[0] = 0
            else:
                with pytest.raises(RecordLocked):
                    SigningService(ctx).sign(clinician, "dosing_session", self.sid, PASSWORD)

        @precondition(lambda self: wrong[0] < 4)
        @rule(who=st.sampled_from(["clinician", "nurse"]))
        def sign_session_badly(self, who: str) -> None:
            before = table_counts(ctx.db)
            if who == "nurse":
                with pytest.raises(PermissionDenied):
                    SigningService(ctx).sign(nurse, "dosing_session", self.sid, PASSWORD)
            elif self.signed_hash is not None:
                with pytest.raises(RecordLocked):
                    SigningService(ctx).sign(clinician, "dosing_session", self.sid, "wrong one!")
            else:
                with pytest.raises(AuthenticationFailed):
                    SigningService(ctx).sign(clinician, "dosing_session", self.sid, "wrong one!")
                wrong[0] += 1
            after = table_counts(ctx.db)
            assert {k: v for k, v in after.items() if k not in ("audit_log", "users")} == {
                k: v for k, v in before.items() if k not in ("audit_log", "users")
            }

        @rule(kind=st.sampled_from(["moaas", "note", "side_effect"]))
        def edit_session(self, kind: str) -> None:
            def change() -> object:
                if kind == "moaas":
                    return ObservationService(ctx).record_moaas(nurse, self.sid, 5)
                if kind == "note":
                    text = f"Edited {next(numbers)}"
                    return NoteService(ctx).save_session_note(therapist, self.sid, text)
                effects = SideEffectService(ctx)
                effect = effects.list_for_session(self.sid)[0]
                return effects.update(nurse, effect.id, intervention=f"rest {next(numbers)}")

            if self.signed_hash is None:
                change()
            else:
                with pytest.raises(RecordLocked):
                    change()
                seen.add("edit refused")

        @rule(author=st.sampled_from(["nurse", "therapist", "clinician"]), text=st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
        ).filter(str.strip))  # fmt: skip
        def add_addendum(self, author: str, text: str) -> None:
            svc = AddendumService(ctx)
            if self.signed_hash is None or first_unstorable(text) is not None:
                # unsigned record, or a control character (only tab, newline, CR allowed)
                with pytest.raises(ValidationError):
                    svc.add_addendum(staff[author], "dosing_session", self.sid, text)
                return
            add = svc.add_addendum(staff[author], "dosing_session", self.sid, text)
            self.addenda.append((add.id, text, staff[author], False))
            seen.add("addendum")

        @precondition(lambda self: bool(self.addenda))
        @rule(data=st.data(), signer=st.sampled_from(["nurse", "therapist", "clinician"]))
        def sign_addendum(self, data: st.DataObject, signer: str) -> None:
            i = data.draw(st.integers(0, len(self.addenda) - 1))
            add_id, text, author, is_signed = self.addenda[i]
            actor = staff[signer]
            svc = SigningService(ctx)
            if is_signed:
                with pytest.raises(RecordLocked):
                    svc.sign(actor, "addendum", add_id, PASSWORD)
            elif actor.user_id != author.user_id and signer != "clinician":
                with pytest.raises(PermissionDenied):
                    svc.sign(actor, "addendum", add_id, PASSWORD)
            else:
                svc.sign(actor, "addendum", add_id, PASSWORD)
                self.addenda[i] = (add_id, text, author, True)
                seen.add("addendum signed")
                if actor.user_id == clinician.user_id:
                    wrong[0] = 0

        @invariant()
        def original_unchanged_and_everything_verifies(self) -> None:
            if self.signed_hash is not None:
                assert self._hash() == self.signed_hash
            listed = AddendumService(ctx).list_for("dosing_session", self.sid)
            assert [(a.id, a.text, a.author_id, a.signature is not None) for a in listed] == [
                (i, t, who.user_id, signed) for i, t, who, signed in self.addenda
            ]
            with ctx.db.read() as s:
                assert verify_signatures(s).ok
                assert verify_chain(s).ok

    run_state_machine_as_test(
        SigningMachine,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            derandomize=True,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    assert seen == {"edit refused", "addendum", "addendum signed"}
