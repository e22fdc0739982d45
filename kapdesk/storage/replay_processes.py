"""The audit replay of a big clinic in worker processes (``kapdesk check``), and the SQL
pass of its signatures (:mod:`kapdesk.storage.signed_sql`, the same kind of work).

The replay builds a text per row in SQLite (printf, replace, json_quote), allocating
several times per row, and threads of one process contend there (most likely on
SQLite's process-wide memory-statistics lock): two replay threads in one process took
longer together than one alone (big clinic: one thread 11 s, two 15 s at twice the
processor time). Two processes share nothing and took 7 s. Each keeps one read-only
connection, with a page cache big enough for the audit index pages its pieces look up
(scattered: entity ids compare as text).

Processes are started fresh (``spawn``): forking a process whose other threads hold
SQLite's locks is unsafe. Starting one costs a Python start-up and the storage imports
(~0.5 s, beside integrity_check), which is why small files replay in threads.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kapdesk.storage.audit_replay import Part, ReplayReport, replay_part
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.signed_sql import SignaturePiece, SqlMatch, match_signatures

CACHE_KIB = 64 * 1024  # page cache of each replay connection (SQLite's default: 2 MiB)

_connection: Any = None  # the worker process's one connection (a read transaction)


def open_worker_connection(path: Path) -> Any:
    """A read-only connection for replay pieces, inside one read transaction."""
    connection = create_readonly_engine(path).connect()
    connection.begin()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
    return connection


def _start_worker(path: str) -> None:
    global _connection
    _connection = open_worker_connection(Path(path))


def _replay_in_worker(part: Part) -> ReplayReport:
    return replay_part(_connection, part)


def _match_in_worker(piece: SignaturePiece) -> SqlMatch:
    return match_signatures(_connection, piece)


class ReplayProcesses:
    """``workers`` processes replaying the pieces given to :meth:`submit`."""

    def __init__(self, path: Path, workers: int) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(path),),
        )

    def submit(self, pieces: list[Part]) -> list[Future[ReplayReport]]:
        return [self._pool.submit(_replay_in_worker, piece) for piece in pieces]

    def submit_signatures(self, pieces: list[SignaturePiece]) -> list[Future[SqlMatch]]:
        """The SQL pass of the signatures (:mod:`kapdesk.storage.signed_sql`), in pieces."""
        return [self._pool.submit(_match_in_worker, piece) for piece in pieces]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
