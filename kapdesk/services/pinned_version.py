"""The exact protocol version a course is pinned to (:mod:`kapdesk.services.protocol_store`
pins it when the course starts), read through Core tables: the course summary printed
from the command line finds it without loading the ORM, and an ORM session runs the same
statements; ``kapdesk check`` reads it as plain SQL on its own connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Protocol as Structural

from kapdesk.domain.errors import KapdeskError, NotFound
from kapdesk.domain.protocol import Protocol, load_protocol_text
from kapdesk.i18n import N_, _
from kapdesk.storage.raw_read import RawConnection

if TYPE_CHECKING:
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.tables import Bind


NOT_PINNED_TEXT = N_("the stored text does not match the course's pinned hash")


class PinnedProtocolMissing(NotFound):
    """The protocol version a course is pinned to is not in this database."""

    def __init__(self, course_id: int, protocol_id: str, version: str, why: str) -> None:
        self.course_id = course_id
        self.protocol_id = protocol_id
        self.version = version
        self.why = why
        super().__init__(
            _(
                "Course #{course} is pinned to {protocol} v{version}, but {why}, so its "
                "sessions cannot be opened: kapdesk judges a course only with the protocol "
                "version it started on. Ask your kapdesk administrator to restore a backup "
                "that holds {protocol} v{version}, or end this course and start a new one on "
                "a current version.",
                course=course_id,
                protocol=protocol_id,
                version=version,
                why=why,
            )
        )


class PinnedCourse(Structural):
    """What finding a course's pinned protocol reads of it: a Course, or its columns."""

    @property
    def id(self) -> int: ...
    @property
    def protocol_id(self) -> str: ...
    @property
    def protocol_version(self) -> str: ...
    @property
    def protocol_hash(self) -> str: ...


def _missing(course: PinnedCourse, why: str) -> PinnedProtocolMissing:
    return PinnedProtocolMissing(course.id, course.protocol_id, course.protocol_version, why)


def course_protocol(s: Bind, ctx: ServiceContext, course: PinnedCourse) -> Protocol:
    """The exact protocol version ``course`` is pinned to, or PinnedProtocolMissing."""
    return resolve_pinned(s, ctx.pinned, course)


def resolve_pinned(
    s: Bind | RawConnection, pinned: dict[str, Protocol], course: PinnedCourse
) -> Protocol:
    digest = course.protocol_hash
    if not digest:
        raise _missing(
            course,
            _(
                "no text of that version was stored when the course started (it began before "
                "kapdesk kept protocol versions)"
            ),
        )
    parsed = pinned.get(digest)
    if parsed is None:
        # Always the stored text, even when a loaded file has the same hash: what judged the
        # course's first session is what the database holds, not an object built in memory.
        row = _stored_text(s, digest)
        if row is None:
            raise _missing(course, _("this database holds no protocol text with its hash"))
        try:
            parsed = load_protocol_text(row[0], row[1])
        except KapdeskError as exc:
            raise _missing(
                course, _("its stored text no longer loads ({problem})", problem=exc)
            ) from None
        if parsed.sha256 != digest:
            raise _missing(course, _(NOT_PINNED_TEXT))
        pinned[digest] = parsed
    # Checked for every course, cached text or not: a course whose protocol or version
    # was changed keeps a hash that names another version.
    if (parsed.id, parsed.version) != (course.protocol_id, course.protocol_version):
        raise _missing(course, _(NOT_PINNED_TEXT))
    return parsed


def _stored_text(s: Bind | RawConnection, digest: str) -> tuple[str, str] | None:
    """(source text, source name) of the stored version whose hash is ``digest``."""
    if isinstance(s, RawConnection):  # kapdesk check, without SQLAlchemy
        sql = "SELECT source_text, source_name FROM protocol_versions WHERE sha256 = ?"
        return s.exec_driver_sql(sql, (digest,)).first()
    from sqlalchemy import select

    from kapdesk.storage.tables import protocol_versions

    versions = protocol_versions.c
    row = s.execute(
        select(versions.source_text, versions.source_name).where(versions.sha256 == digest)
    ).first()
    return None if row is None else (row.source_text, row.source_name)


def find_course_protocol(s: Bind, ctx: ServiceContext, course: PinnedCourse) -> Protocol | None:
    """Like course_protocol, but None when the pinned version is missing (board, reports)."""
    try:
        return course_protocol(s, ctx, course)
    except PinnedProtocolMissing:
        return None


def cached_course_protocol(ctx: ServiceContext, course: PinnedCourse) -> Protocol | None:
    """The pinned protocol when already parsed on this context (no query), else None."""
    return ctx.pinned.get(course.protocol_hash)
