"""The SQL passes of ``kapdesk check`` on a big clinic, in worker processes: the row replay's
(:func:`kapdesk.storage.audit_replay.pass_query`) and the signatures'
(:func:`kapdesk.storage.signed_sql.signature_queries`).

Each pass builds a text per row in SQLite (printf, replace, json_quote), allocating
several times per row, and threads of one process contend there (most likely on
SQLite's process-wide memory-statistics lock): two replay threads in one process took
longer together than one alone (big clinic: one thread 11 s, two 15 s at twice the
processor time). Two processes share nothing. Each keeps one read-only connection, with
a page cache big enough for the audit index pages its pieces look up (scattered: entity
ids compare as text), and reads the file through a memory map (no copy of each page
through a read() call: about a tenth less processor time).

The workers only run SQL that the main process built and hash texts: this module imports
nothing but the standard library and :mod:`kapdesk.storage.sqlite_file` (no SQLAlchemy),
so a spawned worker starts in ~0.06 s of processor time instead of ~0.8 s. Started by
``kapdesk check`` before anything else (:meth:`ReplayProcesses.early`), on Linux, they are
forked instead (:func:`start_method`; no interpreter to start: ~0.08 s less processor
time for the two on the 1/10 clinic): the process has then no other thread and no open
connection. Any later pool is spawned: forking a process whose other threads may hold
SQLite's or Python's locks is unsafe.
A worker turns SQLite's memory statistics off before it opens its connection
(:func:`without_memory_statistics`): the passes allocate several times per row, and each
allocation counted takes a process-wide lock (about a sixth of the replay's processor time).
SQLite only, unencrypted files only (an encrypted file is replayed on the main connection).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import sys
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kapdesk.storage.raw_read import read_transaction

PROCESS_MIN_BYTES = 128 * 1024 * 1024  # from this size on, the passes run in processes
PROCESS_WORKERS = 2
CACHE_KIB = 64 * 1024  # page cache of each worker connection (SQLite's default: 2 MiB)
MMAP_BYTES = 1 << 40  # the whole file (SQLite caps it at its compile-time limit)
WORKER_PRAGMAS = (f"PRAGMA cache_size = -{CACHE_KIB}", f"PRAGMA mmap_size = {MMAP_BYTES}")

Query = tuple[str, tuple[Any, ...]]

_connection: Any = None  # the worker process's one connection (a read transaction)


SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3_config() option: count memory in use (default on)


def without_memory_statistics() -> bool:
    """Stop this process's SQLite from counting the memory it allocates (which takes a lock
    around every allocation); only what ``sqlite3_memory_used()`` and ``sqlite3_status()``
    report changes. True if done. SQLite takes this setting only between
    ``sqlite3_shutdown()`` and ``sqlite3_initialize()``, which is allowed only while the
    process has no connection open: call it before the first. Where the library's
    functions cannot be reached (linked into the module, another platform) nothing
    changes."""
    try:
        import _sqlite3
        import ctypes

        library = ctypes.CDLL(_sqlite3.__file__)  # its symbols, and those of its libsqlite3
        shutdown, config = library.sqlite3_shutdown, library.sqlite3_config
        initialize = library.sqlite3_initialize
    except (ImportError, OSError, AttributeError, TypeError):
        return False
    if shutdown() != 0:
        return False
    done = config(ctypes.c_int(SQLITE_CONFIG_MEMSTATUS), ctypes.c_int(0)) == 0
    initialize()
    return bool(done)


def open_raw_connection(path: Path) -> Any:
    """A read-only sqlite3 connection for the SQL passes, inside one read transaction."""
    return read_transaction(path, WORKER_PRAGMAS)


def hashed_matches(rows: Iterable[Sequence[Any]]) -> set[int]:
    """Of (signature id, stored hash, rebuilt text) rows, the ids whose text has the hash."""
    return {
        int(sig_id)
        for sig_id, stored, payload in rows
        if payload is not None and hashlib.sha256(payload.encode()).hexdigest() == stored
    }


def _start_worker(path: str) -> None:
    """Open the worker's connection. Workers may start before the file is known to be an
    SQLite file (:meth:`ReplayProcesses.early`): one that cannot be opened leaves no
    connection, and every pass given to the worker then returns "could not run" (the main
    process judges those pieces itself, and says what is wrong with the file)."""
    global _connection
    without_memory_statistics()  # a fresh process: no connection open yet
    try:
        _connection = open_raw_connection(Path(path))
    except (sqlite3.Error, OSError):
        _connection = None


def _rows_in_worker(query: Query) -> list[tuple[Any, ...]] | None:
    """The rows of ``query``; None where SQLite cannot render a value (a BLOB in a text
    column): the caller then judges that piece in Python."""
    if _connection is None:
        return None
    try:
        return list(_connection.execute(*query))
    except sqlite3.DatabaseError:
        return None


def _matched_in_worker(queries: list[Query]) -> frozenset[int]:
    """The signatures the queries rebuild to their hash (a query that fails matches none:
    those are recomputed in Python)."""
    matched: set[int] = set()
    if _connection is None:
        return frozenset()
    for query in queries:
        try:
            matched |= hashed_matches(_connection.execute(*query))
        except sqlite3.DatabaseError:
            continue
    return frozenset(matched)


def start_method() -> str:
    """``fork`` where this process has no other thread, on Linux (where forking such a
    process is safe), else ``spawn``."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        if "fork" in multiprocessing.get_all_start_methods():
            return "fork"
    return "spawn"


def _ready() -> None:
    """Nothing: submitted once per worker so that each starts (and opens its connection)."""


class ReplayProcesses:
    """``workers`` processes running the SQL passes given to :meth:`rows` and :meth:`matched`."""

    @classmethod
    def early(cls, path: Path, key: str | None) -> ReplayProcesses | None:
        """The workers, started now, for a file big enough to be replayed in processes
        (``kapdesk check`` starts them first, before it imports SQLAlchemy or opens the file,
        so that their start-up overlaps its own, and forked where :func:`start_method`
        allows); None for an encrypted or small file."""
        try:
            big = key is None and path.is_file() and path.stat().st_size >= PROCESS_MIN_BYTES
        except OSError:
            return None
        if not big:
            return None
        method = start_method()
        if method == "fork":  # each worker then has it (without_memory_statistics): ~5 ms less
            import ctypes  # noqa: F401
        started = cls(path, PROCESS_WORKERS, method)
        for _ in range(PROCESS_WORKERS):  # the pool starts a worker per task it has no idle one for
            started._pool.submit(_ready)
        return started

    def __init__(self, path: Path, workers: int, start: str = "spawn") -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(start),
            initializer=_start_worker,
            initargs=(str(path),),
        )

    def rows(self, query: Query) -> Future[list[tuple[Any, ...]] | None]:
        """A replay piece's pass in SQL (:func:`kapdesk.storage.audit_replay.pass_query`)."""
        return self._pool.submit(_rows_in_worker, query)

    def matched(self, queries: list[Query]) -> Future[frozenset[int]]:
        """A piece of the signatures' pass (:func:`.signed_sql.signature_queries`)."""
        return self._pool.submit(_matched_in_worker, queries)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
