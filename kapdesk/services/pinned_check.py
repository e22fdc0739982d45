"""``kapdesk check`` on protocol versions: loaded files that change a version courses
already use, and courses whose pinned text is missing. Read through Core tables (no ORM
loaded: a check whose signatures all match never imports it); an ORM session runs the same
statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from kapdesk.domain.protocol import Protocol
from kapdesk.i18n import _
from kapdesk.services.pinned_version import PinnedProtocolMissing, resolve_pinned
from kapdesk.storage.tables import courses, protocol_versions

if TYPE_CHECKING:
    from kapdesk.storage.tables import Bind


def conflict_message(protocol: Protocol) -> str:
    return _(
        "{protocol} differs from the v{version} already used by courses; give the changed "
        "file a new version.",
        protocol=protocol.label,
        version=protocol.version,
    )


def version_problems(s: Bind, protocols: Mapping[str, Protocol]) -> list[str]:
    """For ``kapdesk check``: loaded files that change a version courses already use, and
    courses whose pinned text is missing (one sentence each)."""
    problems: list[str] = []
    versions = protocol_versions.c
    stored = {
        (r.protocol_id, r.version): r.sha256
        for r in s.execute(select(versions.protocol_id, versions.version, versions.sha256))
    }
    for proto in sorted(protocols.values(), key=lambda p: p.id):
        digest = stored.get((proto.id, proto.version))
        if digest is not None and digest != proto.sha256:
            problems.append(conflict_message(proto))
    pinned: dict[str, Protocol] = {}
    # Judged once per (hash, protocol, version): a big clinic has thousands of courses
    # on a handful of versions.
    verdicts: dict[tuple[str | None, str, str], str | None] = {}
    c = courses.c
    columns = (c.id, c.protocol_hash, c.protocol_id, c.protocol_version)
    for course in s.execute(select(*columns).order_by(c.id)):
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
