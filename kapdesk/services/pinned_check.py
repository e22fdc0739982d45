"""``kapdesk check`` on protocol versions: loaded files that change a version courses
already use, and courses whose pinned text is missing. Read as plain SQL on the check's
own connection (:class:`kapdesk.storage.raw_read.RawConnection`: a check that finds nothing
never imports SQLAlchemy), else through Core tables (an ORM session runs the same
statements: the clinic server's check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kapdesk.domain.protocol import Protocol
from kapdesk.i18n import _
from kapdesk.services.pinned_version import PinnedProtocolMissing, resolve_pinned
from kapdesk.storage.raw_read import RawConnection

if TYPE_CHECKING:
    from kapdesk.storage.tables import Bind


class _Course(NamedTuple):
    id: int
    protocol_hash: str
    protocol_id: str
    protocol_version: str


_VERSIONS_SQL = "SELECT protocol_id, version, sha256 FROM protocol_versions"
_COURSES_SQL = "SELECT id, protocol_hash, protocol_id, protocol_version FROM courses ORDER BY id"


def conflict_message(protocol: Protocol) -> str:
    return _(
        "{protocol} differs from the v{version} already used by courses; give the changed "
        "file a new version.",
        protocol=protocol.label,
        version=protocol.version,
    )


def _versions(s: Bind | RawConnection) -> Iterable[Any]:
    if isinstance(s, RawConnection):  # kapdesk check, without SQLAlchemy
        return s.exec_driver_sql(_VERSIONS_SQL)
    from sqlalchemy import select

    from kapdesk.storage.tables import protocol_versions

    v = protocol_versions.c
    return s.execute(select(v.protocol_id, v.version, v.sha256))


def _courses(s: Bind | RawConnection) -> Iterable[Any]:
    if isinstance(s, RawConnection):
        return (_Course(*row) for row in s.exec_driver_sql(_COURSES_SQL))
    from sqlalchemy import select

    from kapdesk.storage.tables import courses

    c = courses.c
    return s.execute(
        select(c.id, c.protocol_hash, c.protocol_id, c.protocol_version).order_by(c.id)
    )


def version_problems(s: Bind | RawConnection, protocols: Mapping[str, Protocol]) -> list[str]:
    """For ``kapdesk check``: loaded files that change a version courses already use, and
    courses whose pinned text is missing (one sentence each)."""
    problems: list[str] = []
    stored = {(r[0], r[1]): r[2] for r in _versions(s)}
    for proto in sorted(protocols.values(), key=lambda p: p.id):
        digest = stored.get((proto.id, proto.version))
        if digest is not None and digest != proto.sha256:
            problems.append(conflict_message(proto))
    pinned: dict[str, Protocol] = {}
    # Judged once per (hash, protocol, version): a big clinic has thousands of courses
    # on a handful of versions.
    verdicts: dict[tuple[str | None, str, str], str | None] = {}
    for course in _courses(s):
        combo = (course.protocol_hash, course.protocol_id, course.protocol_version)
        if combo not in verdicts:
            try:
                resolve_pinned(s, pinned, course)
                verdicts[combo] = None
            except PinnedProtocolMissing as exc:
                verdicts[combo] = exc.why
        why = verdicts[combo]
        if why is not None:
            missing = PinnedProtocolMissing(course.id, *combo[1:], why)
            problems.append(str(missing))
    return problems


def version_problems_at(path: Path, *, key: str | None = None) -> list[str]:
    """:func:`version_problems` of the database file at ``path`` against the shipped
    protocols, never writing to it (``kapdesk check``)."""
    from kapdesk.domain.protocol import builtin_protocols
    from kapdesk.storage.engine import create_readonly_engine

    engine = create_readonly_engine(Path(path), key=key)
    try:
        with engine.connect() as conn, conn.begin():
            return version_problems(conn, builtin_protocols())
    finally:
        engine.dispose()
