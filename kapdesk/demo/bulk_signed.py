"""Signatures, addenda and entered-in-error marks of the big demo clinic (kapdesk.demo.bulk).

:class:`Signer` writes into a :class:`~kapdesk.demo.bulk_writer.BulkWriter` what
``SigningService.sign``, ``AddendumService.add_addendum`` and
``CorrectionsService.mark_entered_in_error`` write: the same rows and the same audit
entries (``note.sign`` for each note a signature makes final, then ``sign.signed``;
``addendum.add``; ``entry.entered_in_error``), compared byte for byte in
tests/services/test_bulk_signing.py. A signature's content hash is computed from the rows
as queued, with the functions ``kapdesk check`` recomputes it with
(:mod:`kapdesk.domain.signing`), so the caller passes every row the record covers in its
final state.

:class:`Paperwork` decides what the clinic signs, and when (see the proportions below): a
clinician signs nearly every finished session within a day (its session note becomes final
with it), a therapist signs nearly every integration note of theirs, a few signed records
get an addendum (most of them signed by their author), and a few sessions hold a reading
typed wrongly and marked entered in error before the session was signed (the services
refuse a mark in a signed session). What is left unsigned stays a draft.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from kapdesk.demo import data
from kapdesk.demo.bulk_writer import BulkWriter, Row
from kapdesk.demo.plan import local_time, minutes
from kapdesk.domain.notes import NoteStatus, empty_sections, merged_sections
from kapdesk.domain.signing import (
    HASH_SCHEME,
    SIGNATURE_METHOD,
    Meaning,
    SignedEntity,
    content_sha256,
    pick,
    rows,
)
from kapdesk.services.context import Actor
from kapdesk.services.signed_records import SESSION_PARTS
from kapdesk.storage import orm
from kapdesk.storage.audit import to_jsonable

# Proportions (of finished sessions, of integration notes written, of signed records).
SESSION_SIGNED: Final = 0.97
NOTE_SIGNED: Final = 0.95
SESSION_ADDENDUM: Final = 0.03
NOTE_ADDENDUM: Final = 0.03
ADDENDUM_SIGNED: Final = 0.7
READING_IN_ERROR: Final = 0.001  # per post-dose reading: ~1 % of sessions have one
ERROR_REASON: Final = "Typed on the wrong line: the pulse belongs to the previous reading."
MARK_ACTION: Final = "entry.entered_in_error"  # kapdesk.services.corrections.ACTION


@dataclass
class SessionRows:
    """Every row a session's signature covers, as queued (``parts``: table -> rows)."""

    course: Row
    session: Row
    parts: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    notes: list[Row] = field(default_factory=list)  # the session note(s)


def _signed(table: str, row: Row) -> dict[str, Any]:
    return pick(table, to_jsonable(row), scheme=HASH_SCHEME)


def session_content(record: SessionRows) -> dict[str, Any]:
    """``signed_records.record_content`` of the session, from the queued rows."""
    content: dict[str, Any] = {
        "dosing_session": _signed("dosing_sessions", record.session),
        "course": _signed("courses", record.course),
    }
    for table, _model, _column in SESSION_PARTS:
        found = (to_jsonable(r) for r in record.parts.get(table, ()))
        content[table] = rows(table, found, scheme=HASH_SCHEME)
    notes = (to_jsonable(n) for n in record.notes)
    content["session_notes"] = rows("notes", notes, scheme=HASH_SCHEME)
    return content


class Signer:
    """The services' signing, addendum and entered-in-error writes, on queued rows."""

    def __init__(self, w: BulkWriter) -> None:
        self.w = w

    def sign_session(
        self, record: SessionRows, signer: Actor, at: datetime, meaning: Meaning = Meaning.REVIEWED
    ) -> Row:
        for note in record.notes:
            self._make_final(note, signer, at)
        digest = content_sha256(
            SignedEntity.DOSING_SESSION, record.session["id"], session_content(record)
        )
        return self._signature(SignedEntity.DOSING_SESSION, record.session["id"], digest,
                               signer, at, meaning)  # fmt: skip

    def sign_note(
        self, note: Row, course: Row, signer: Actor, at: datetime,
        meaning: Meaning = Meaning.AUTHORED,
    ) -> Row:  # fmt: skip
        """An integration note (the caller checks that it is not empty)."""
        self._make_final(note, signer, at)
        content = {"note": _signed("notes", note), "course": _signed("courses", course)}
        digest = content_sha256(SignedEntity.NOTE, note["id"], content)
        return self._signature(SignedEntity.NOTE, note["id"], digest, signer, at, meaning)

    def add_addendum(
        self, kind: SignedEntity, entity_id: int, author: Actor, at: datetime, text: str,
        corrected: dict[str, Any] | None = None,
    ) -> Row:  # fmt: skip
        row: Row = {
            "entity": kind.value, "entity_id": entity_id, "author_id": author.user_id,
            "author_name": author.full_name, "author_role": author.role.value,
            "created_at": at, "text": text, "corrected": corrected or None,
        }  # fmt: skip
        self.w.add(orm.Addendum, row, at=at, user_id=author.user_id, action="addendum.add",
                   entity="addendum")  # fmt: skip
        return row

    def sign_addendum(
        self, addendum: Row, signer: Actor, at: datetime, meaning: Meaning = Meaning.AUTHORED
    ) -> Row:
        content = {"addendum": _signed("addenda", addendum)}
        digest = content_sha256(SignedEntity.ADDENDUM, addendum["id"], content)
        return self._signature(SignedEntity.ADDENDUM, addendum["id"], digest, signer, at,
                               meaning)  # fmt: skip

    def mark_in_error(self, entity: str, row: Row, by: Actor, at: datetime, reason: str) -> None:
        """A reading, side effect or observation (not a first dose: that moves the session)."""
        before = dict(row)
        row.update(error_at=at, error_by=by.user_id, error_reason=reason)
        self.w.audit(at=at, user_id=by.user_id, action=MARK_ACTION, entity=entity,
                     entity_id=row["id"], before=before, after=dict(row))  # fmt: skip

    def _make_final(self, note: Row, signer: Actor, at: datetime) -> None:
        before = dict(note)
        note["status"] = NoteStatus.FINAL.value
        if note["signed_at"] is None:
            note["signed_at"], note["signed_by"] = at, signer.user_id
        note["updated_at"] = at
        self.w.audit(at=at, user_id=signer.user_id, action="note.sign", entity="note",
                     entity_id=note["id"], before=before, after=dict(note))  # fmt: skip

    def _signature(
        self, kind: SignedEntity, entity_id: int, digest: str, signer: Actor, at: datetime,
        meaning: Meaning,
    ) -> Row:  # fmt: skip
        row: Row = {
            "entity": kind.value, "entity_id": entity_id, "signer_id": signer.user_id,
            "signer_name": signer.full_name, "signer_role": signer.role.value,
            "signed_at": at, "meaning": meaning.value, "content_sha256": digest,
            "method": SIGNATURE_METHOD, "hash_scheme": HASH_SCHEME,
        }  # fmt: skip
        self.w.add(orm.Signature, row, at=at, user_id=signer.user_id, action="sign.signed",
                   entity="signature")  # fmt: skip
        return row


@dataclass
class Paperwork:
    """Session notes, integration notes and what the clinic signs (module docstring)."""

    w: BulkWriter
    clinicians: tuple[Actor, ...]
    end: datetime  # the build's "now": nothing is written after it
    defer: Callable[[date, Callable[[], None]], None]

    def __post_init__(self) -> None:
        self.signer = Signer(self.w)

    def session_note(self, record: SessionRows, author: Actor, at: datetime, body: str) -> None:
        if at > self.end:
            return
        s = record.session
        row: Row = {
            "kind": "session", "course_id": s["course_id"], "dosing_session_id": s["id"],
            "held_at": s["first_dose_at"] or s["checked_in_at"] or s["scheduled_at"],
            "sections": {}, "body": body, "status": NoteStatus.DRAFT.value,
            "author_id": author.user_id, "signed_at": None, "signed_by": None,
            "addendum_of": None, "created_at": at, "updated_at": at,
        }  # fmt: skip
        self.w.add(orm.Note, row, at=at, user_id=author.user_id, action="note.create",
                   entity="note")  # fmt: skip
        record.notes.append(row)

    def session_done(self, r: random.Random, record: SessionRows, nurse: Actor,
                     done: datetime) -> None:  # fmt: skip
        """A finished session (discharged or dose withheld): signed within a day, mostly."""
        at = done + minutes(r.randint(30, 22 * 60))
        if r.random() >= SESSION_SIGNED or at > self.end:
            return
        clinician = r.choice(self.clinicians)
        self.signer.sign_session(record, clinician, at)
        if r.random() < SESSION_ADDENDUM:
            author = nurse if r.random() < 0.7 else clinician
            text = r.choice(data.SESSION_ADDENDA)
            self._addendum(r, SignedEntity.DOSING_SESSION, record.session["id"], author, at, text)

    def _addendum(self, r: random.Random, kind: SignedEntity, entity_id: int, author: Actor,
                  signed: datetime, text: str) -> None:  # fmt: skip
        day = signed.astimezone().date() + timedelta(days=r.randint(1, 4))
        at = local_time(day, r.choice(data.NOTE_TIMES)) + minutes(r.randint(0, 50))
        if at > self.end:
            return
        row = self.signer.add_addendum(kind, entity_id, author, at, text)
        if r.random() < ADDENDUM_SIGNED and at + minutes(5) <= self.end:
            self.signer.sign_addendum(row, author, at + minutes(5))

    def misread(self, r: random.Random, next_at: datetime | None, at: datetime) -> bool:
        """Whether to type a wrong reading at ``at`` (marked a minute later, before the next)."""
        room = next_at is None or next_at - at > minutes(3)
        return room and r.random() < READING_IN_ERROR and at + minutes(1) <= self.end

    def mark_misread(self, reading: Row, nurse: Actor, at: datetime) -> None:
        self.signer.mark_in_error("vital_reading", reading, nurse, at, ERROR_REASON)

    def integration_note(
        self, r: random.Random, course: Row, session_id: int, therapist: Actor, held: datetime,
        sections: dict[str, str],
    ) -> None:  # fmt: skip
        """Written by the therapist 50-60 minutes into the meeting; signed by them mostly."""
        signs = r.random() < NOTE_SIGNED
        signed = held + minutes(70 + r.choice((0, 0, 0, 90, 24 * 60, 48 * 60)))
        addendum = r.random() < NOTE_ADDENDUM
        text, rng = r.choice(data.NOTE_ADDENDA), random.Random(r.random())

        def write() -> None:
            if held + minutes(60) > self.end:
                return
            at = held + minutes(50)
            row: Row = {
                "kind": "integration", "course_id": course["id"],
                "dosing_session_id": session_id, "held_at": held,
                "sections": empty_sections(), "body": "", "status": NoteStatus.DRAFT.value,
                "author_id": therapist.user_id, "signed_at": None, "signed_by": None,
                "addendum_of": None, "created_at": at, "updated_at": at,
            }  # fmt: skip
            self.w.add(orm.Note, row, at=at, user_id=therapist.user_id, action="note.create",
                       entity="note")  # fmt: skip
            before = dict(row)
            merged = merged_sections(before["sections"], sections)
            row.update(sections=merged, updated_at=held + minutes(60))
            self.w.audit(
                at=held + minutes(60), user_id=therapist.user_id, action="note.update",
                entity="note", entity_id=row["id"], before=before, after=dict(row),
            )  # fmt: skip
            if not signs or signed > self.end:
                return
            self.signer.sign_note(row, course, therapist, signed)
            if addendum:
                self._addendum(rng, SignedEntity.NOTE, row["id"], therapist, signed, text)

        self.defer(held.astimezone().date(), write)
