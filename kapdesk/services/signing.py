"""Electronic signatures with password re-entry (21 CFR Part 11 style).

``SigningService(ctx).sign(actor, entity, entity_id, password, meaning)``:

* ``dosing_session`` - a clinician (SIGN_SESSION) signs a session that is
  discharged, cancelled or dose withheld. Its session note becomes final and
  carries the same signer and time.
* ``note`` - an integration note, signed by its author (a therapist) or a
  clinician (SIGN_INTEGRATION_NOTE); it must not be empty. It becomes final
  (``status``/``signed_at``/``signed_by``). A session note is signed with its
  session, not on its own.
* ``addendum`` - signed by its author or a clinician (WRITE_ADDENDUM).

Order of refusals: permission (PermissionDenied, audited ``denied.*``), then
the record (NotFound, IllegalTransition for a session still running,
RecordLocked when already signed, ValidationError), then the password: wrong
-> AuthenticationFailed("Wrong password."), audited ``sign.failed`` and counted
towards the lockout (see UserService.verify_reentry). Nothing else is written
on any refusal.

The signature stores signer name and role as they are at signing, the time,
the meaning, ``method = "password re-entry"`` and the SHA-256 of the record's
content (kapdesk.services.signed_records), computed from the rows as stored in
the same transaction. Audit: ``sign.signed`` on entity ``signature`` (after:
the signature row, including entity, id and hash: ``kapdesk check`` compares
against it), and ``note.sign`` for each note made final by it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.authorship import require_author_or_clinician
from kapdesk.domain.errors import IllegalTransition, ValidationError
from kapdesk.domain.notes import NoteKind, NoteStatus, is_blank, merged_sections
from kapdesk.domain.permissions import Action, Role, require
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.signing import (
    HASH_SCHEME,
    SIGNABLE_SESSION_STATES,
    SIGNATURE_METHOD,
    Meaning,
    SignedEntity,
    parse_entity,
    validate_meaning,
)
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row, snapshot
from kapdesk.services.row_info import user_names
from kapdesk.services.rows import stored
from kapdesk.services.screen_dtos import SignatureInfo
from kapdesk.services.signed_records import ensure_not_signed, record_hash, signature_of
from kapdesk.services.users import UserService
from kapdesk.storage.orm import Addendum, DosingSession, Note, Signature, User

_PERMISSION = {
    SignedEntity.DOSING_SESSION: Action.SIGN_SESSION,
    SignedEntity.NOTE: Action.SIGN_INTEGRATION_NOTE,
    SignedEntity.ADDENDUM: Action.WRITE_ADDENDUM,
}


def signature_info(sig: Signature) -> SignatureInfo:
    return SignatureInfo(
        id=sig.id,
        entity=sig.entity,
        entity_id=sig.entity_id,
        signer_id=sig.signer_id,
        signer_name=sig.signer_name,
        signer_role=sig.signer_role,
        signed_at=sig.signed_at,
        meaning=sig.meaning,
        method=sig.method,
        content_sha256=sig.content_sha256,
    )


def _author_or_clinician(
    s: Session, actor: Actor, author_id: int, what: str, action: Action
) -> None:
    """``what``: what the author may do, completing "may ..." ('sign addendum 4')."""
    names = user_names(s, [author_id])
    require_author_or_clinician(
        actor.role,
        actor.user_id,
        author_id,
        action,
        author=names[author_id] if author_id in names else Wording(N_("user #{id}"), id=author_id),
        what=what,
    )


def _session_notes(s: Session, session_id: int) -> list[Note]:
    return list(
        s.scalars(
            select(Note)
            .where(Note.dosing_session_id == session_id, Note.kind == NoteKind.SESSION.value)
            .order_by(Note.id)
        )
    )


@audit_denials
class SigningService(Service):
    def _check_signable(self, s: Session, actor: Actor, kind: SignedEntity, entity_id: int) -> None:
        """Refuse a record that does not exist, cannot be signed yet, or is signed already."""
        if kind is SignedEntity.DOSING_SESSION:
            ds = stored(s, DosingSession, entity_id)
            ensure_not_signed(s, kind, entity_id, self.ctx.tz)
            state = SessionState(ds.state)
            if state not in SIGNABLE_SESSION_STATES:
                raise IllegalTransition(
                    state.value,
                    "signed",
                    _(
                        "Session {id} is {state}; only a discharged, cancelled or "
                        "dose-withheld session can be signed.",
                        id=entity_id,
                        state=state.label,
                    ),
                )
        elif kind is SignedEntity.NOTE:
            note = stored(s, Note, entity_id)
            if note.kind != NoteKind.INTEGRATION:
                raise ValidationError(
                    "Note",
                    entity_id,
                    _(
                        "Note {id} is a session note; it is signed with its dosing session "
                        "#{session}.",
                        id=entity_id,
                        session=note.dosing_session_id,
                    ),
                )
            ensure_not_signed(s, kind, entity_id, self.ctx.tz)
            _author_or_clinician(
                s,
                actor,
                note.author_id,
                Wording(N_("sign integration note {id}"), id=entity_id),
                Action.SIGN_INTEGRATION_NOTE,
            )
            if is_blank(merged_sections(note.sections or {}, {}), note.body):
                raise ValidationError(
                    "Note",
                    entity_id,
                    _("Note {id} is empty; an empty note cannot be signed.", id=entity_id),
                )
        else:
            addendum = stored(s, Addendum, entity_id)
            ensure_not_signed(s, kind, entity_id, self.ctx.tz)
            _author_or_clinician(
                s,
                actor,
                addendum.author_id,
                Wording(N_("sign addendum {id}"), id=entity_id),
                Action.WRITE_ADDENDUM,
            )

    def _make_final(self, s: Session, actor: Actor, notes: list[Note]) -> None:
        now = self.ctx.now()
        for note in notes:
            before = snapshot(note)
            note.status = NoteStatus.FINAL.value
            if note.signed_at is None:  # a note signed before revision 0002 keeps its signer
                note.signed_at, note.signed_by = now, actor.user_id
            note.updated_at = now
            audit_row(s, self.ctx, actor, "note.sign", note, before=before)

    def sign(
        self,
        actor: Actor,
        entity: SignedEntity | str,
        entity_id: int,
        password: str,
        meaning: Meaning | str = Meaning.REVIEWED,
    ) -> SignatureInfo:
        """Sign the record after checking ``actor``'s password again; it is then locked."""
        kind = parse_entity(entity)
        attested = validate_meaning(meaning)
        actor.require(_PERMISSION[kind])
        with self.ctx.db.read() as s:
            self._check_signable(s, actor, kind, entity_id)
        UserService(self.ctx).verify_reentry(
            actor, password, failed_action="sign.failed", entity=kind.value, entity_id=entity_id
        )
        with self.ctx.db.write() as s:
            self._check_signable(s, actor, kind, entity_id)  # again, under the write lock
            signer = stored(s, User, actor.user_id)
            require(Role(signer.role), _PERMISSION[kind])  # the stored role, not only the Actor's
            if kind is SignedEntity.DOSING_SESSION:
                self._make_final(s, actor, _session_notes(s, entity_id))
            elif kind is SignedEntity.NOTE:
                note = s.get(Note, entity_id)
                assert note is not None
                self._make_final(s, actor, [note])
            s.flush()
            s.expire_all()  # hash what is stored, not what is in memory
            digest = record_hash(s, kind, entity_id, scheme=HASH_SCHEME)
            assert digest is not None
            sig = Signature(
                entity=kind.value,
                entity_id=entity_id,
                signer_id=signer.id,
                signer_name=signer.full_name,
                signer_role=signer.role,
                signed_at=self.ctx.now(),
                meaning=attested.value,
                content_sha256=digest,
                method=SIGNATURE_METHOD,
                hash_scheme=HASH_SCHEME,
            )
            s.add(sig)
            s.flush()
            audit_row(s, self.ctx, actor, "sign.signed", sig)
            return signature_info(sig)

    # ------------------------------------------------------------ reads

    def signature_for(self, entity: SignedEntity | str, entity_id: int) -> SignatureInfo | None:
        """The record's signature, or None while it is unsigned."""
        kind = parse_entity(entity)
        with self.ctx.db.read() as s:
            sig = signature_of(s, kind, entity_id)
            return None if sig is None else signature_info(sig)

    def is_signed(self, entity: SignedEntity | str, entity_id: int) -> bool:
        return self.signature_for(entity, entity_id) is not None
