"""Signed records: what a signature covers, and the lock every changing service checks.

* :func:`ensure_not_signed` - call it inside the write transaction of any use
  case that changes a session, anything recorded in it, or a note; a signed
  record raises RecordLocked ("Session 12 was signed by Dr X on ...; add an
  addendum instead.").
* :func:`record_content` / :func:`record_hash` - the canonical content of a
  signed record as stored *now*, and its SHA-256 (scheme in
  :mod:`kapdesk.domain.signing`). A dosing session covers the session row, its
  course's patient (scheme 2: and pinned protocol), and every reading, dose,
  hold override, side effect, observation, alert acknowledgement (scheme 2)
  and session note recorded in it (scheme 3: with their entered-in-error
  marks). A note or an addendum covers its own row (a note also its course's
  patient).

Content is always read back from the database (not from objects in memory),
so the hash computed at signing equals the one ``kapdesk check`` recomputes.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kapdesk.domain.errors import RecordLocked
from kapdesk.domain.signing import (
    HASH_SCHEME,
    SignedEntity,
    content_sha256,
    locked_message,
    pick,
    rows,
)
from kapdesk.storage.audit import row_snapshot
from kapdesk.storage.orm import (
    Addendum,
    AlertAcknowledgement,
    Base,
    Course,
    Dose,
    DosingSession,
    HoldOverride,
    Note,
    Observation,
    SideEffect,
    Signature,
    VitalReading,
)

# What a dosing-session signature covers besides the session row (table, model).
SESSION_PARTS: tuple[tuple[str, type[Base], InstrumentedAttribute[int]], ...] = (
    ("vital_readings", VitalReading, VitalReading.session_id),
    ("doses", Dose, Dose.session_id),
    ("hold_overrides", HoldOverride, HoldOverride.session_id),
    ("side_effects", SideEffect, SideEffect.session_id),
    ("observations", Observation, Observation.session_id),
    ("alert_acknowledgements", AlertAcknowledgement, AlertAcknowledgement.session_id),
)
# Parts that a scheme before this number does not cover.
SESSION_PARTS_SINCE: dict[str, int] = {"alert_acknowledgements": 2}


def signature_of(s: Session, entity: SignedEntity | str, entity_id: int) -> Signature | None:
    return s.scalar(
        select(Signature).where(
            Signature.entity == SignedEntity(entity).value, Signature.entity_id == entity_id
        )
    )


def ensure_not_signed(
    s: Session, entity: SignedEntity | str, entity_id: int, tz: tzinfo | None = None
) -> None:
    """RecordLocked when the record has a signature; call before changing it or its parts.
    The message gives the signing time in ``tz`` (the clock's zone)."""
    sig = signature_of(s, entity, entity_id)
    if sig is not None:
        raise RecordLocked(
            locked_message(SignedEntity(entity), entity_id, sig.signer_name, sig.signed_at, tz)
        )


def _snap(table: str, obj: object, scheme: int) -> dict[str, Any]:
    return pick(table, row_snapshot(obj), scheme=scheme)


def _course(s: Session, course_id: int, scheme: int) -> dict[str, Any] | None:
    course = s.get(Course, course_id)
    return None if course is None else _snap("courses", course, scheme)


def _session_content(s: Session, session_id: int, scheme: int) -> dict[str, Any] | None:
    ds = s.get(DosingSession, session_id)
    if ds is None:
        return None
    content: dict[str, Any] = {
        "dosing_session": _snap("dosing_sessions", ds, scheme),
        "course": _course(s, ds.course_id, scheme),
    }
    for table, model, session_column in SESSION_PARTS:
        if scheme < SESSION_PARTS_SINCE.get(table, 1):
            continue
        found = s.scalars(select(model).where(session_column == session_id))
        content[table] = rows(table, (row_snapshot(r) for r in found), scheme=scheme)
    notes = s.scalars(
        select(Note).where(Note.dosing_session_id == session_id, Note.kind == "session")
    )
    content["session_notes"] = rows("notes", (row_snapshot(n) for n in notes), scheme=scheme)
    return content


def record_content(
    s: Session, entity: SignedEntity | str, entity_id: int, *, scheme: int = HASH_SCHEME
) -> dict[str, Any] | None:
    """The record's signed content as stored now, or None when the record does not exist."""
    kind = SignedEntity(entity)
    if kind is SignedEntity.DOSING_SESSION:
        return _session_content(s, entity_id, scheme)
    if kind is SignedEntity.NOTE:
        note = s.get(Note, entity_id)
        if note is None:
            return None
        return {
            "note": _snap("notes", note, scheme),
            "course": _course(s, note.course_id, scheme),
        }
    addendum = s.get(Addendum, entity_id)
    return None if addendum is None else {"addendum": _snap("addenda", addendum, scheme)}


def record_hash(
    s: Session, entity: SignedEntity | str, entity_id: int, *, scheme: int = HASH_SCHEME
) -> str | None:
    """SHA-256 of the record's content under ``scheme`` (default: the one new signatures
    use), or None when it does not exist."""
    content = record_content(s, entity, entity_id, scheme=scheme)
    return None if content is None else content_sha256(entity, entity_id, content, scheme=scheme)
