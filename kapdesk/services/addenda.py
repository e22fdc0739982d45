"""Addenda: corrections and late entries appended to a signed session or note.

Decisions a caller must know:

* ``add_addendum(actor, entity, entity_id, text, corrected=None)`` needs
  WRITE_ADDENDUM (nurse, therapist, clinician). ``entity`` is
  ``dosing_session`` or ``note``; the record must be locked already (signed,
  or a note made final): an unsigned record is corrected directly, so an
  addendum to it is refused with a ValidationError saying so.
* The original is never changed. ``text`` is required (kept as typed, up to
  20,000 characters); ``corrected`` optionally maps free-text field names
  ("Reading 10:32 systolic") to corrected values (text, number, yes/no or
  empty; at most 20).
* The author's name and role are copied as they are now (printed later even if
  the account changes). An addendum is signed like any record:
  ``SigningService.sign(actor, "addendum", id, password)`` by its author or a
  clinician; signing an addendum to correct a signed addendum is done with a
  further addendum on the same session or note.
* Audit: ``addendum.add`` on entity ``addendum``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.notes import NoteStatus
from kapdesk.domain.permissions import Action
from kapdesk.domain.signing import (
    ADDENDUM_TARGETS,
    SignedEntity,
    parse_entity,
    validate_addendum_text,
    validate_corrected,
)
from kapdesk.i18n import _
from kapdesk.services.context import Actor, Service
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row
from kapdesk.services.rows import stored
from kapdesk.services.screen_dtos import AddendumInfo
from kapdesk.services.signed_records import signature_of
from kapdesk.services.signing import signature_info
from kapdesk.storage.orm import Addendum, DosingSession, Note, Signature, User


def _addendum_info(a: Addendum, sig: Signature | None) -> AddendumInfo:
    return AddendumInfo(
        id=a.id,
        entity=a.entity,
        entity_id=a.entity_id,
        author_id=a.author_id,
        author_name=a.author_name,
        author_role=a.author_role,
        created_at=a.created_at,
        text=a.text,
        corrected=dict(a.corrected) if a.corrected is not None else None,
        signature=None if sig is None else signature_info(sig),
    )


def _require_locked(s: Session, kind: SignedEntity, entity_id: int) -> None:
    """NotFound for a missing record; ValidationError for one that can still be edited."""
    if kind is SignedEntity.DOSING_SESSION:
        stored(s, DosingSession, entity_id)
        final = False
    else:
        note = stored(s, Note, entity_id)
        final = note.status == NoteStatus.FINAL
    if not final and signature_of(s, kind, entity_id) is None:
        raise ValidationError(
            "Addendum",
            f"{kind.value} {entity_id}",
            _(
                "{record} {id} is not signed; correct it directly (addenda are for signed "
                "records).",
                record=_(kind.label),
                id=entity_id,
            ),
        )


@audit_denials
class AddendumService(Service):
    def add_addendum(
        self,
        actor: Actor,
        entity: SignedEntity | str,
        entity_id: int,
        text: str,
        corrected: dict[str, Any] | None = None,
    ) -> AddendumInfo:
        kind = parse_entity(entity, ADDENDUM_TARGETS)
        body = validate_addendum_text(text)
        values = validate_corrected(corrected)
        actor.require(Action.WRITE_ADDENDUM)
        with self.ctx.db.write() as s:
            _require_locked(s, kind, entity_id)
            author = stored(s, User, actor.user_id)
            row = Addendum(
                entity=kind.value,
                entity_id=entity_id,
                author_id=author.id,
                author_name=author.full_name,
                author_role=author.role,
                created_at=self.ctx.now(),
                text=body,
                corrected=values,
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "addendum.add", row)
            return _addendum_info(row, None)

    # ------------------------------------------------------------ reads

    def get(self, addendum_id: int) -> AddendumInfo:
        with self.ctx.db.read() as s:
            row = stored(s, Addendum, addendum_id)
            return _addendum_info(row, signature_of(s, SignedEntity.ADDENDUM, row.id))

    def list_for(self, entity: SignedEntity | str, entity_id: int) -> list[AddendumInfo]:
        """The record's addenda, oldest first, each with its signature (or None)."""
        kind = parse_entity(entity, ADDENDUM_TARGETS)
        with self.ctx.db.read() as s:
            found = s.scalars(
                select(Addendum)
                .where(Addendum.entity == kind.value, Addendum.entity_id == entity_id)
                .order_by(Addendum.created_at, Addendum.id)
            ).all()
            sigs = {
                sig.entity_id: sig
                for sig in s.scalars(
                    select(Signature).where(
                        Signature.entity == SignedEntity.ADDENDUM.value,
                        Signature.entity_id.in_([a.id for a in found]),
                    )
                )
            }
            return [_addendum_info(a, sigs.get(a.id)) for a in found]
