"""Checking a backup file just made, as a restore would check it.

"Back up now" copies the database (often to a USB drive) and then reads the copy back:
``PRAGMA integrity_check``, foreign keys, the schema and the whole audit chain. The admin
is told that the copy verified, or what is wrong with it, before the drive is unplugged.
Read-only: nothing is written to the backup or audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kapdesk.services.context import ServiceContext
from kapdesk.storage.backup import verify_database


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    problems: tuple[str, ...]  # empty: the copy verified
    entries: int  # audit entries whose chain was checked

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_backup(ctx: ServiceContext, path: Path) -> BackupCheck:
    """Read the backup at ``path`` back (with the database's own key, if encrypted)."""
    report = verify_database(Path(path), key=ctx.db.key)
    entries = report.audit.entries_checked if report.audit is not None else 0
    return BackupCheck(Path(path), tuple(report.messages()), entries)
