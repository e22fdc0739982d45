"""Change-to-feed latency between two workstations (issue 14, live updates).

    .venv/bin/python tests/bench/bench_notify.py [--readings N] [--store sqlite|postgresql|both]

Two ServiceContexts on one clinic (two connection pools, as two workstations; one
process, two threads, so both ends read the same ``perf_counter``). Workstation A records
readings through the services, one at a time; workstation B runs the live-updates
listener (``RemoteChanges``, as a main window does). Per reading: from the moment A's
own feed publishes it (just after its commit) to the moment B's feed
publishes it; median and p99. On PostgreSQL that is NOTIFY -> LISTEN; on a file it is the
``PRAGMA data_version`` poll (every 0.5 s: expect ~0.25 s median, < 0.5 s p99 plus the
audit read). Also: A's time per reading with B listening and without (blocks of 10, alternated in
the same run; the NOTIFY inside the write is paid either way on a server).

PostgreSQL comes from ``KAPDESK_TEST_PG_URL`` (a throwaway database is made and dropped).
Wall-clock figures on a shared machine are noisy: read the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def _clinic(store: str) -> Iterator[object]:
    if store == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield Path(tmp) / "bench.sqlite"
        return
    from tests.pg_support import pg_skip_reason, throwaway_database

    reason = pg_skip_reason()
    if reason is not None:
        raise SystemExit(reason)
    with throwaway_database() as url:
        yield url


def run(store: str, readings: int) -> dict[str, float]:
    from services.sessionkit import Kit

    from kapdesk.composition import build_context
    from kapdesk.domain.clock import FakeClock
    from kapdesk.domain.permissions import Role
    from kapdesk.services.changes import ChangeSet, Kind
    from kapdesk.services.remote_changes import RemoteChanges
    from kapdesk.services.users import UserService, actor_of
    from kapdesk.storage import change_feed

    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with _clinic(store) as where:
        a = build_context(where, clock=clock)  # type: ignore[arg-type]
        UserService(a).add_user_from_console(
            username="nurse", full_name="Bench Nurse", role=Role.NURSE, password="bench pw 123"
        )
        nurse = actor_of(UserService(a).list_users()[0])
        b = build_context(where, clock=clock, create=False)  # type: ignore[arg-type]
        kit = Kit(a, clock, nurse)
        sid = kit.dosed(room="1")

        arrived: list[float] = []
        committed: list[float] = []
        cond = threading.Condition()

        def heard(changes: ChangeSet) -> None:
            if changes.touches(Kind.READING):
                with cond:
                    arrived.append(time.perf_counter())
                    cond.notify_all()

        def published(changes: ChangeSet) -> None:  # A's own feed: just after its commit
            if changes.touches(Kind.READING):
                committed.append(time.perf_counter())

        a.changes.subscribe(published)
        b.changes.subscribe(heard)
        latencies: list[float] = []
        took: dict[bool, list[float]] = {False: [], True: []}
        # Blocks of 10 readings, alternately with and without B listening (A/B in one run).
        for block in range(2 * max(1, readings // 10)):
            listening = block % 2 == 1
            remote = RemoteChanges(b) if listening else None
            if remote is not None:
                remote.start()
                worker = remote.worker
                if isinstance(worker, change_feed.ServerListener):
                    while worker.backend_pid is None:
                        time.sleep(0.01)
            for i in range(10):
                with cond:
                    seen = len(arrived)
                t0 = time.perf_counter()
                kit.vitals.record(nurse, sid, 118 + i % 5, 76, pulse=72, spo2=97)
                took[listening].append(time.perf_counter() - t0)
                if remote is not None:
                    with cond:
                        if not cond.wait_for(lambda n=seen: len(arrived) > n, timeout=5.0):
                            raise SystemExit("a reading was never heard by the other workstation")
                        latencies.append(arrived[seen] - committed[-1])
                # The same pauses with and without: readings spread over the file's poll.
                time.sleep(change_feed.POLL_S * ((i % 7) / 7) if store == "sqlite" else 0.02)
            if remote is not None:
                remote.stop()
        a.db.close()
        b.db.close()
    return {
        "latency_median_ms": statistics.median(latencies) * 1000,
        "latency_p99_ms": _pct(latencies, 0.99) * 1000,
        "record_median_ms": statistics.median(took[True]) * 1000,
        "record_alone_median_ms": statistics.median(took[False]) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=200)
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    stores = ("postgresql", "sqlite") if args.store == "both" else (args.store,)
    for store in stores:
        r = run(store, args.readings)
        print(
            f"{store:10} change->other feed median {r['latency_median_ms']:7.1f} ms  "
            f"p99 {r['latency_p99_ms']:7.1f} ms (target p99 <= 1000 ms) | recording a "
            f"reading {r['record_median_ms']:.1f} ms (listener on), "
            f"{r['record_alone_median_ms']:.1f} ms (none); n={args.readings}"
        )


if __name__ == "__main__":
    main()
