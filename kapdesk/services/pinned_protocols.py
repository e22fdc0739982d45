"""The protocol versions pinned in the database, for Help > About.

A course is judged for ever with the exact protocol text it started on (stored in
``protocol_versions``); this lists those versions with how many courses use each, so a
support call can tell which versions a clinic's records depend on. No patient data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from kapdesk.services.context import ServiceContext
from kapdesk.storage.orm import Course, ProtocolVersion


@dataclass(frozen=True)
class PinnedProtocol:
    protocol_id: str
    version: str
    sha256: str
    courses: int


def pinned_protocols(ctx: ServiceContext) -> list[PinnedProtocol]:
    """Every pinned version, by protocol id and version."""
    with ctx.db.read() as s:
        counts: dict[tuple[str, str], int] = {
            (pid, version): int(n)
            for pid, version, n in s.execute(
                select(Course.protocol_id, Course.protocol_version, func.count(Course.id)).group_by(
                    Course.protocol_id, Course.protocol_version
                )
            )
        }
        rows = s.execute(
            select(
                ProtocolVersion.protocol_id, ProtocolVersion.version, ProtocolVersion.sha256
            ).order_by(ProtocolVersion.protocol_id, ProtocolVersion.version)
        ).all()
    return [PinnedProtocol(p, v, h, counts.get((p, v), 0)) for p, v, h in rows]
