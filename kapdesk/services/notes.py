"""Session notes and integration notes, written by autosaving editors.

Decisions a caller must know:

* Each dosing session has at most one note of kind "session";
  ``save_session_note`` creates or replaces its body. Saving the same body
  again writes nothing and audits nothing; saving an empty body when there is
  no note yet returns None (nothing to keep). Anyone allowed to write session
  notes may edit it; the first writer stays its author.
* An integration note belongs to a course and may follow up one of its dosing
  sessions (not a cancelled one, and not held before that session's first
  dose). It starts as an empty draft with the template's four sections
  (``template()``); ``update_integration_note`` takes any subset of the section
  keys and/or the free-text body, and writes only when something changed. Only
  its author or a clinician may edit it.
* ``finalize`` makes a note final; a final note refuses every edit with
  RecordLocked (corrections will be addenda). Signing with a password comes
  later and will fill ``signed_at``/``signed_by``.
* Note text is stored exactly as typed (no trimming), up to 20,000 characters
  per section or body.
* Two workstations editing one note: ``get`` and every save return the note's
  ``version``; an editor passes the version its text was read at (``version=``;
  ``NO_RECORD`` for a session that had no note yet) and a save over a change made
  since raises EditConflict (who, when, their text) and writes nothing
  (``services.edit_versions``). Saving what is stored already is no conflict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from kapdesk.domain.authorship import require_author_or_clinician
from kapdesk.domain.errors import RecordLocked, ValidationError
from kapdesk.domain.notes import (
    INTEGRATION_SECTIONS,
    NoteKind,
    NoteSection,
    NoteStatus,
    empty_sections,
    is_blank,
    merged_sections,
    validate_sections,
    validate_text,
)
from kapdesk.domain.permissions import Action
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.edit_versions import current_version, refuse_stale
from kapdesk.services.given_input import (
    given_time,
)
from kapdesk.services.guard import audit_denials
from kapdesk.services.observations import CLOSED_STATES
from kapdesk.services.recording import audit_row, snapshot
from kapdesk.services.row_info import user_names
from kapdesk.services.rows import stored
from kapdesk.services.screen_dtos import NoteInfo
from kapdesk.services.session_support import load
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.storage.orm import Course, DosingSession, Note

_DAY_HM = "%Y-%m-%d %H:%M"
# A note's kind as a sentence names it: "Note #4 is a session note, ...".
_KIND_NAMES = {"session": N_("session note"), "integration": N_("integration note")}


def note_info(n: Note, names: dict[int, str], version: int | None = None) -> NoteInfo:
    stored = n.sections or {}
    if n.kind == NoteKind.INTEGRATION:
        sections = merged_sections(stored, {})  # every template section, in order
    else:
        sections = {str(k): str(v) for k, v in stored.items()}
    return NoteInfo(
        id=n.id,
        kind=n.kind,
        course_id=n.course_id,
        dosing_session_id=n.dosing_session_id,
        held_at=n.held_at,
        sections=sections,
        body=n.body,
        status=n.status,
        author=names.get(n.author_id, ""),
        created_at=n.created_at,
        updated_at=n.updated_at,
        author_id=n.author_id,
        version=version,
    )


def _info(s: Session, n: Note, version: int | None = None) -> NoteInfo:
    return note_info(n, user_names(s, [n.author_id]), version)


def _versioned(s: Session, n: Note) -> NoteInfo:
    """The note with its version as it is now (after this transaction's own change)."""
    return _info(s, n, current_version(s, "note", n.id))


def _refuse_stale(s: Session, ctx: ServiceContext, n: Note, version: int | None) -> None:
    refuse_stale(
        s, ctx, ("note", n.id), version, what=N_("this note"), current=lambda v: _info(s, n, v)
    )


def _get(s: Session, note_id: int) -> Note:
    return stored(s, Note, note_id)


def _refuse_final(n: Note) -> None:
    if n.status == NoteStatus.FINAL:
        raise RecordLocked(
            _(
                "Note #{id} is final and cannot be changed; add an addendum to correct it.",
                id=n.id,
            )
        )


def _require_editor(actor: Actor, n: Note, names: dict[int, str]) -> None:
    require_author_or_clinician(
        actor.role,
        actor.user_id,
        n.author_id,
        Action.WRITE_INTEGRATION_NOTE,
        author=names[n.author_id]
        if n.author_id in names
        else Wording(N_("user #{id}"), id=n.author_id),
        what=Wording(N_("change integration note #{id}"), id=n.id),
    )


@audit_denials
class NoteService(Service):
    @staticmethod
    def template() -> tuple[NoteSection, ...]:
        """The integration-note sections (key, label, prompt), in display order."""
        return INTEGRATION_SECTIONS

    # ------------------------------------------------------------ session notes

    def save_session_note(
        self, actor: Actor, session_id: int, body: str, *, version: int | None = None
    ) -> NoteInfo | None:
        """Create or replace the session's note; ``version``: what the editor's text was read
        at (``NO_RECORD``: there was no note), None: no check (see the module docstring)."""
        actor.require(Action.WRITE_SESSION_NOTE)
        text = validate_text(N_("Session note"), body)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            row = s.scalar(
                select(Note).where(
                    Note.dosing_session_id == session_id, Note.kind == NoteKind.SESSION.value
                )
            )
            if row is None:
                if not text:
                    return None
                ds = loaded.session
                row = Note(
                    kind=NoteKind.SESSION.value,
                    course_id=ds.course_id,
                    dosing_session_id=ds.id,
                    held_at=ds.first_dose_at or ds.checked_in_at or ds.scheduled_at,
                    sections={},
                    body=text,
                    status=NoteStatus.DRAFT.value,
                    author_id=actor.user_id,
                    created_at=self.ctx.now(),
                    updated_at=self.ctx.now(),
                )
                s.add(row)
                s.flush()
                audit_row(s, self.ctx, actor, "note.create", row)
                return _versioned(s, row)
            _refuse_final(row)
            if row.body == text:
                return _versioned(s, row)
            # Also when two workstations create the first note: the second finds the row.
            _refuse_stale(s, self.ctx, row, version)
            before = snapshot(row)
            row.body = text
            row.updated_at = self.ctx.now()
            audit_row(s, self.ctx, actor, "note.update", row, before=before)
            return _versioned(s, row)

    # ------------------------------------------------------------ integration notes

    def create_integration_note(
        self,
        actor: Actor,
        course_id: int,
        *,
        follows_session_id: int | None = None,
        held_at: datetime | None = None,
    ) -> NoteInfo:
        actor.require(Action.WRITE_INTEGRATION_NOTE)
        now = self.ctx.now()
        moment = given_time(N_("Held at"), held_at, now, self.ctx.tz)
        with self.ctx.db.write() as s:
            stored(s, Course, course_id)
            if follows_session_id is not None:
                self._check_followed(s, course_id, follows_session_id, moment)
            row = Note(
                kind=NoteKind.INTEGRATION.value,
                course_id=course_id,
                dosing_session_id=follows_session_id,
                held_at=moment,
                sections=empty_sections(),
                body="",
                status=NoteStatus.DRAFT.value,
                author_id=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "note.create", row)
            return _info(s, row)

    def _check_followed(self, s: Session, course_id: int, session_id: int, held: datetime) -> None:
        ds = stored(s, DosingSession, session_id)
        if ds.course_id != course_id:
            raise ValidationError(
                "Follows session",
                session_id,
                _(
                    "Dosing session #{session} belongs to course #{actual}, not to course "
                    "#{given}.",
                    session=session_id,
                    actual=ds.course_id,
                    given=course_id,
                ),
            )
        state = load(s, self.ctx, session_id).state
        if state in CLOSED_STATES:
            raise ValidationError(
                "Follows session",
                session_id,
                _(
                    "Dosing session #{session} is {state}; an integration note can only follow "
                    "a session that took place.",
                    session=session_id,
                    state=state.label,
                ),
            )
        if ds.first_dose_at is not None and held < ds.first_dose_at:
            raise ValidationError(
                "Held at",
                held,
                _(
                    "Held at {held} is before the first dose of session #{session} ({first}).",
                    held=self.ctx.shown(held, _DAY_HM, zone=True),
                    session=session_id,
                    first=self.ctx.shown(ds.first_dose_at, _DAY_HM),
                ),
            )

    def update_integration_note(
        self,
        actor: Actor,
        note_id: int,
        *,
        sections: dict[str, str] | None = None,
        body: str | None = None,
        version: int | None = None,
    ) -> NoteInfo:
        """Change sections and/or the free text; ``version``: what the editor's text was read
        at, None: no check (see the module docstring)."""
        actor.require(Action.WRITE_INTEGRATION_NOTE)
        changes = {} if sections is None else validate_sections(sections)
        text = None if body is None else validate_text(N_("Note text"), body)
        with self.ctx.db.write() as s:
            row = _get(s, note_id)
            if row.kind != NoteKind.INTEGRATION:
                raise ValidationError(
                    "Note",
                    note_id,
                    _(
                        "Note #{id} is a {kind}, not an integration note.",
                        id=note_id,
                        kind=_(_KIND_NAMES[row.kind])
                        if row.kind in _KIND_NAMES
                        else f"{row.kind} note",
                    ),
                )
            ensure_not_signed(s, "note", note_id, self.ctx.tz)
            _refuse_final(row)
            _require_editor(actor, row, user_names(s, [row.author_id]))
            new_sections = merged_sections(row.sections or {}, changes)
            new_body = row.body if text is None else text
            if new_sections == merged_sections(row.sections or {}, {}) and new_body == row.body:
                return _versioned(s, row)
            _refuse_stale(s, self.ctx, row, version)
            before = snapshot(row)
            row.sections = new_sections
            row.body = new_body
            row.updated_at = self.ctx.now()
            audit_row(s, self.ctx, actor, "note.update", row, before=before)
            return _versioned(s, row)

    def finalize(self, actor: Actor, note_id: int) -> NoteInfo:
        """Make a draft final (integration: its author or a clinician; session: a clinician)."""
        with self.ctx.db.read() as s:
            kind = _get(s, note_id).kind
        is_integration = kind == NoteKind.INTEGRATION
        actor.require(Action.SIGN_INTEGRATION_NOTE if is_integration else Action.SIGN_SESSION)
        with self.ctx.db.write() as s:
            row = _get(s, note_id)
            ensure_not_signed(s, "note", note_id, self.ctx.tz)
            _refuse_final(row)
            if is_integration:
                _require_editor(actor, row, user_names(s, [row.author_id]))
            if is_blank(merged_sections(row.sections or {}, {}), row.body):
                raise ValidationError(
                    "Note",
                    note_id,
                    _("Note #{id} is empty; an empty note cannot be final.", id=note_id),
                )
            before = snapshot(row)
            row.status = NoteStatus.FINAL.value
            row.updated_at = self.ctx.now()
            audit_row(s, self.ctx, actor, "note.finalize", row, before=before)
            return _info(s, row)

    # ------------------------------------------------------------ reads

    def get(self, note_id: int) -> NoteInfo:
        """The note with its ``version`` (text and version from one snapshot)."""
        with self.ctx.db.read() as s:
            return _versioned(s, _get(s, note_id))

    def _list(
        self, s: Session, condition: ColumnElement[bool], *, session_first: bool = False
    ) -> list[NoteInfo]:
        order: list[Any] = [Note.held_at, Note.id]
        if session_first:
            order.insert(0, case((Note.kind == NoteKind.SESSION.value, 0), else_=1))
        rows = s.scalars(select(Note).where(condition).order_by(*order)).all()
        names = user_names(s, (r.author_id for r in rows))
        return [note_info(r, names) for r in rows]

    def list_for_course(self, course_id: int) -> list[NoteInfo]:
        """Every note of the course, by the time the session was held."""
        with self.ctx.db.read() as s:
            stored(s, Course, course_id)
            return self._list(s, Note.course_id == course_id)

    def list_for_session(self, session_id: int) -> list[NoteInfo]:
        """The session's own note first, then the integration notes that follow it up."""
        with self.ctx.db.read() as s:
            stored(s, DosingSession, session_id)
            return self._list(s, Note.dosing_session_id == session_id, session_first=True)
