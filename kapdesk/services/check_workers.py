"""What ``kapdesk check`` starts before it imports SQLAlchemy: a big file's replay workers
(:meth:`kapdesk.storage.replay_processes.ReplayProcesses.early`) and an unencrypted file's
``integrity_check`` (:class:`kapdesk.storage.early_integrity.EarlyIntegrity`); the command
line reaches storage only through services. Imports nothing but the standard library and
those modules."""

from __future__ import annotations

from pathlib import Path

from kapdesk.storage.early_integrity import EarlyIntegrity
from kapdesk.storage.replay_processes import ReplayProcesses

__all__ = ["EarlyIntegrity", "ReplayProcesses", "start_check_workers", "start_integrity_check"]


def start_check_workers(path: Path, key: str | None) -> ReplayProcesses | None:
    """Workers for a file big enough to be replayed in processes, started now; None for a
    small or encrypted file. Hand them to :func:`kapdesk.services.database_check.run_check`,
    which uses them or closes them."""
    return ReplayProcesses.early(path, key)


def start_integrity_check(path: Path, key: str | None) -> EarlyIntegrity | None:
    """``integrity_check`` of an unencrypted file, started now in a thread; None for an
    encrypted file or one that is not there. Hand it to
    :func:`kapdesk.services.database_check.run_check`, which uses it or stops it."""
    return EarlyIntegrity(path) if key is None and path.is_file() else None
