"""The replay workers of ``kapdesk check``, started before the command imports SQLAlchemy
(:meth:`kapdesk.storage.replay_processes.ReplayProcesses.early`): the command line reaches
storage only through services. Imports nothing but the standard library and that module."""

from __future__ import annotations

from pathlib import Path

from kapdesk.storage.replay_processes import ReplayProcesses

__all__ = ["ReplayProcesses", "start_check_workers"]


def start_check_workers(path: Path, key: str | None) -> ReplayProcesses | None:
    """Workers for a file big enough to be replayed in processes, started now; None for a
    small or encrypted file. Hand them to :func:`kapdesk.services.database_check.run_check`,
    which uses them or closes them."""
    return ReplayProcesses.early(path, key)
