"""A workstation recording readings on a clinic server, for the server benchmarks.

    python tests/bench/pg_writer.py --db NAME --clock FILE --end ISO --sessions 3,7,9
                                    [--pause-ms 250] [--nurse nurse]

Opens the clinic as the app does (``build_context`` on the server URL, the admin URL of
``pg_clinics`` with the database NAME), prints ``ready``, waits for a line on stdin, then
records readings through ``VitalsService.record`` (validation, classification, the audit
entry of the chain, the change announced by NOTIFY, COMMIT), one session after the other,
``--pause-ms`` apart, until stdin says ``stop`` (or closes). Per reading it prints one JSON
line: ``{"id": reading id, "s": session id, "t": ms}`` where ``t`` is ``time.perf_counter()``
in ms (CLOCK_MONOTONIC: comparable between processes on this machine) when its own feed
published the change, just after the commit. A refused reading (the session left the
running states) prints ``{"refused": session id, "why": text}`` and that session is dropped.

Its clock is :class:`SharedClock`: the clinic day ``--end`` plus an offset the board's
process writes to ``--clock``, so all processes agree on the clinic's "now".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))


class SharedClock:
    """``base`` plus the offset (seconds) stored in ``path``; :meth:`move_to` sets it."""

    tz = None  # read in the computer's zone, as the app's clock is

    def __init__(self, path: Path, base: datetime) -> None:
        self.path = path
        self.base = base.astimezone(UTC)

    def offset(self) -> float:
        try:
            return float(self.path.read_text() or 0.0)
        except (OSError, ValueError):
            return 0.0

    def now(self) -> datetime:
        return self.base + timedelta(seconds=self.offset())

    def move_to(self, offset_s: float) -> None:
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}")
        tmp.write_text(repr(offset_s))
        os.replace(tmp, self.path)  # readers see the old or the new value, never half


def _say(obj: object) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run(db: str, clock: SharedClock, sessions: list[int], pause_s: float, nurse: str) -> None:
    from pg_clinics import server_url

    from kapdesk.composition import build_context
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.services.changes import ChangeSet, Kind
    from kapdesk.services.users import UserService, actor_of
    from kapdesk.services.vitals import VitalsService

    ctx = build_context(server_url(db), clock=clock, create=False)
    actor = actor_of({u.username: u for u in UserService(ctx).list_users()}[nurse])
    vitals = VitalsService(ctx)
    published: list[tuple[float, list[tuple[int, int]]]] = []

    def on_commit(changes: ChangeSet) -> None:  # the own feed: just after the commit
        t = time.perf_counter() * 1000
        ids = [(int(c.id), int(c.session_id or 0)) for c in changes if c.kind == Kind.READING]
        if ids:
            published.append((t, ids))

    ctx.changes.subscribe(on_commit)
    stop = threading.Event()
    _say("ready")
    sys.stdin.readline()  # go

    def watch_stdin() -> None:
        sys.stdin.readline()  # "stop" or EOF
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    live = list(sessions)
    n = 0
    while live and not stop.is_set():
        sid = live[n % len(live)]
        systolic = 112 + n % 17  # within limits: a nurse's routine reading, no alert
        try:
            vitals.record(actor, sid, systolic, 74 + n % 9, 64 + n % 13, 96 + n % 3)
        except KapdeskError as exc:
            _say({"refused": sid, "why": str(exc)})
            live.remove(sid)
            continue
        for t, ids in published:
            for rid, s in ids:
                _say({"id": rid, "s": s, "t": t})
        published.clear()
        n += 1
        stop.wait(pause_s)
    ctx.db.close()
    _say({"done": n})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--clock", type=Path, required=True)
    parser.add_argument("--end", type=datetime.fromisoformat, required=True)
    parser.add_argument("--sessions", type=lambda v: [int(x) for x in v.split(",") if x])
    parser.add_argument("--pause-ms", type=float, default=250.0)
    parser.add_argument("--nurse", default="nurse")
    a = parser.parse_args()
    run(a.db, SharedClock(a.clock, a.end), a.sessions, a.pause_ms / 1000, a.nurse)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
