"""Pinned protocol versions: a course is judged with the exact protocol text it started on.

Decisions a caller must know:

* Starting a course stores the protocol's exact file text in ``protocol_versions``
  (once per id + version) and its SHA-256 in ``courses.protocol_hash``
  (:func:`pin`). A file that keeps an id + version already stored but whose text
  differs is refused: "kap-default v1.0 differs from the v1.0 already used by
  courses; give the changed file a new version."
* Every use case that judges a course's sessions resolves the protocol through
  ``course_protocol`` (``ServiceContext.course_protocol``): the stored text, parsed once
  per hash and cached on the context, never "whatever file is loaded now". The clinic
  may ship v1.1; courses on v1.0 stay on v1.0.
* A course whose pinned text is missing (an empty hash: started before kapdesk
  stored versions, on a version no longer shipped; or a missing row) cannot have
  its sessions opened: ``PinnedProtocolMissing`` says which protocol and version and
  what to do. Reports and the board degrade instead (``find_course_protocol`` returns
  None) so the record stays readable. Those three live in
  :mod:`kapdesk.services.pinned_version` (read without the ORM).
* :func:`kapdesk.services.pinned_check.version_problems` lists both kinds of problem for
  ``kapdesk check``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.errors import KapdeskError, NotFound, ValidationError
from kapdesk.domain.protocol import Protocol, load_protocol_text, protocol_hash
from kapdesk.i18n import _
from kapdesk.services.pinned_check import conflict_message
from kapdesk.services.pinned_version import (
    PinnedProtocolMissing,
    course_protocol,
)
from kapdesk.services.rows import stored
from kapdesk.storage.orm import Course, DosingSession, ProtocolVersion

if TYPE_CHECKING:
    from kapdesk.services.context import ServiceContext


def pin(s: Session, protocol: Protocol, now: datetime) -> tuple[str, ProtocolVersion | None]:
    """Store ``protocol``'s text (once per id + version): its SHA-256 and the new row, if any.

    ValidationError when the same id + version is stored with a different text.
    """
    if not protocol.text or protocol_hash(protocol.text) != protocol.sha256:
        raise ValidationError(
            "Protocol",
            protocol.label,
            _(
                "{protocol} was not loaded from a protocol file, so its exact text cannot be "
                "pinned to a course; load it with load_protocol_text or from its file.",
                protocol=protocol.label,
            ),
        )
    stored = s.scalar(
        select(ProtocolVersion).where(
            ProtocolVersion.protocol_id == protocol.id,
            ProtocolVersion.version == protocol.version,
        )
    )
    if stored is not None:
        if stored.sha256 != protocol.sha256:
            raise ValidationError("Protocol", protocol.label, conflict_message(protocol))
        return stored.sha256, None
    row = ProtocolVersion(
        protocol_id=protocol.id,
        version=protocol.version,
        sha256=protocol.sha256,
        source_text=protocol.text,
        source_name=protocol.file or f"{protocol.id}.toml",
        stored_at=now,
    )
    s.add(row)
    s.flush()
    return protocol.sha256, row


def warm_protocols(ctx: ServiceContext) -> int:
    """Parse the shipped presets and every stored protocol version ahead of need (the app
    does this while the sign-in window waits for a password, so the first board does not
    parse TOML). A stored text that no longer loads is left for ``course_protocol`` to
    report. Returns the number of stored versions now parsed."""
    len(ctx.protocols)
    with ctx.db.read() as s:
        rows = s.execute(
            select(ProtocolVersion.sha256, ProtocolVersion.source_text, ProtocolVersion.source_name)
        ).all()
    for digest, text, name in rows:
        if digest in ctx.pinned:
            continue
        try:
            parsed = load_protocol_text(text, name)
        except KapdeskError:
            continue
        if parsed.sha256 == digest:
            ctx.pinned[digest] = parsed
    return len(ctx.pinned)


def protocol_of_course(ctx: ServiceContext, course_id: int) -> Protocol:
    with ctx.db.read() as s:
        course = stored(s, Course, course_id)
        return course_protocol(s, ctx, course)


def protocol_of_session(ctx: ServiceContext, session_id: int) -> Protocol:
    """The pinned protocol of a dosing session's course (for screens that show its rules)."""
    with ctx.db.read() as s:
        course = s.scalar(
            select(Course)
            .join(DosingSession, DosingSession.course_id == Course.id)
            .where(DosingSession.id == session_id)
        )
        if course is None:
            raise NotFound(_("There is no dosing session #{id}.", id=session_id))
        return course_protocol(s, ctx, course)


def protocol_of_course_or_none(ctx: ServiceContext, course_id: int) -> Protocol | None:
    """The course's pinned protocol, or None when it is missing (reports stay printable)."""
    try:
        return protocol_of_course(ctx, course_id)
    except PinnedProtocolMissing:
        return None
