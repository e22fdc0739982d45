"""``kapdesk check``'s row replay in threads of its own process, each on its own read-only
connection (a small file's; a big file's SQL passes run in worker processes instead:
:mod:`kapdesk.storage.replay_processes`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Empty, SimpleQueue

from kapdesk.storage.audit_replay import Part, ReplayReport, replay_part
from kapdesk.storage.raw_read import RawConnection
from kapdesk.storage.replay_processes import WORKER_PRAGMAS


def open_worker_connection(path: Path) -> RawConnection:
    """A read-only connection for replay pieces (an unencrypted file's), inside one read
    transaction."""
    return RawConnection(path, pragmas=WORKER_PRAGMAS)


def replay_worker(path: Path, queue: SimpleQueue[Part]) -> list[ReplayReport]:
    """Replay pieces from ``queue`` until it is empty, on one connection."""
    reports: list[ReplayReport] = []
    conn = open_worker_connection(path)
    try:
        while True:
            try:
                part = queue.get_nowait()
            except Empty:
                return reports
            reports.append(replay_part(conn, part))
    finally:
        conn.close()


def replay_in_threads(
    path: Path, pool: ThreadPoolExecutor, pieces: list[Part], workers: int
) -> Callable[[], list[ReplayReport]]:
    """Replay ``pieces`` in ``workers`` threads of ``pool``, each on one connection."""
    queue: SimpleQueue[Part] = SimpleQueue()
    for piece in pieces:
        queue.put(piece)
    started = [pool.submit(replay_worker, path, queue) for _ in range(workers)]
    return lambda: [report for worker in started for report in worker.result()]
