"""Four workstations write for ~30 s against one clinic server while a board listens.

Extends test_pg_concurrency (same workstation processes, same read-back of the store):
four spawned workstation processes record readings, session-note saves and doses for
:data:`DURATION` seconds, a fifth is SIGKILLed part-way through its writes, and this
process listens as a board does (the real ``RemoteChanges`` / ``ServerListener`` on a
``Database`` of its own, told on its ChangeFeed). With KAPDESK_TEST_PG_RESTART=1 (set by
``.ci/run``) and the right to do it, the server itself is restarted mid-run.

Then, read back from the server:

* every entry a workstation saw confirmed is there, the chain is one valid chain, nothing
  half-written (test_pg_concurrency's checks); an operation the service reported as failed
  is absent, except one it said it cannot tell whether it was saved (``unknown_outcome``):
  only those may be there;
* every confirmed change was heard by the listener by its id, or (restart) it was
  committed while the listener was away and a "reload what is shown" came after it;
* the workstations and the listener reconnected by themselves and carried on (confirmed
  writes after the restart; the listener's reloads counted: one per reconnection);
* the p99 of the time from a write's start to the listener hearing it is printed (only a
  generous bound is asserted: speed lives in tests/bench/bench_notify.py).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kapdesk.domain.clock import SystemClock
from kapdesk.services.changes import ChangeSet, Kind
from kapdesk.services.context import ServiceContext
from kapdesk.services.remote_changes import RemoteChanges
from kapdesk.storage.db import Database
from kapdesk.storage.orm import Dose, Note, VitalReading
from kapdesk.storage.server_init import initialise_server

from .pg_server_kit import APP_PASSWORD, FreshDatabase, fresh_database
from .pg_workstation import Job, read_log, run
from .test_pg_concurrency import _check_chain, _jobs, _wait_for

__all__ = ["fresh_database"]

pytestmark = pytest.mark.slow

DURATION = 30.0  # seconds of writing
START_IN = 6.0  # seconds: every process imported and connected by then
RESTART_AT = 12.0  # seconds after the start
KILL_AFTER = 12  # confirmed readings of the fifth workstation before its SIGKILL
RESTART_ENV = "KAPDESK_TEST_PG_RESTART"
KINDS = {"reading": Kind.READING, "dose": Kind.DOSE, "note": Kind.NOTE}


class Board:
    """What a board's feed was told: each change (kind, id) with when, and the reloads."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, str, float]] = []
        self.reloads: list[float] = []
        self._lock = threading.Lock()

    def told(self, changes: ChangeSet) -> None:
        now = time.time()
        with self._lock:
            if changes.everything:
                self.reloads.append(now)
            self.heard.extend((str(c.kind), str(c.id), now) for c in changes)


def _restart_command() -> list[str] | str:
    """The command restarting the test server, or why it is not restarted here."""
    if os.environ.get(RESTART_ENV) != "1":
        return f"server restart part skipped: {RESTART_ENV}=1 is not set"
    if os.geteuid() != 0:
        return "server restart part skipped: not root (pg_ctlcluster needs it)"
    if shutil.which("pg_lsclusters") is None:
        return "server restart part skipped: no pg_lsclusters (Debian's postgresql-common)"
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    port = _test_port()
    for line in out.stdout.splitlines():
        ver, name, cport, status, *_ = line.split()
        if cport == port and status == "online":
            return ["pg_ctlcluster", ver, name, "restart"]
    return f"server restart part skipped: no online local cluster on port {port}"


def _test_port() -> str:
    url = os.environ.get("KAPDESK_TEST_PG_URL", "")
    m = re.search(r"@[^/:]*:(\d+)/", url)
    return m.group(1) if m else "5432"


def _run_workstations(
    fresh: FreshDatabase, logs: Path, restart: list[str] | str
) -> tuple[list[Job], Job, Board, Any, tuple[float, float] | None]:
    initialise_server(fresh.owner, fresh.app_role, lambda: APP_PASSWORD)
    jobs, killed = _jobs(fresh, logs)
    start = time.time() + START_IN
    jobs = [replace(j, start_at=start, duration=DURATION) for j in jobs]
    killed = replace(killed, start_at=start, duration=DURATION)
    board, db = Board(), Database.open(fresh.app, clock=SystemClock())
    ctx = ServiceContext(db=db, clock=SystemClock())
    ctx.changes.subscribe(board.told)
    remote = RemoteChanges(ctx)
    remote.start()
    spawn = multiprocessing.get_context("spawn")
    procs = [spawn.Process(target=run, args=(job,)) for job in [*jobs, killed]]
    for p in procs:
        p.start()
    window = None
    try:
        _wait_for(Path(killed.log), "reading", KILL_AFTER, timeout=60)
        assert procs[-1].pid is not None
        os.kill(procs[-1].pid, signal.SIGKILL)
        if isinstance(restart, list):
            time.sleep(max(0.0, start + RESTART_AT - time.time()))
            began = time.time()
            subprocess.run(restart, check=True, capture_output=True, timeout=60)
            window = (began, time.time())
        for p in procs:
            p.join(timeout=DURATION + 90)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        listener = remote.worker
        time.sleep(1.0)  # the last announcements on their way
        remote.stop()
        if listener is not None:
            listener.stop(5.0)  # its connection closed before the database is dropped
        db.close()
    assert procs[-1].exitcode == -signal.SIGKILL
    for p in procs[:-1]:
        assert p.exitcode == 0
    return jobs, killed, board, listener, window


def test_four_workstations_a_killed_one_a_board_and_a_server_restart(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    restart = _restart_command()
    jobs, killed, board, listener, window = _run_workstations(fresh_database, tmp_path, restart)
    logs = {job.worker: read_log(Path(job.log)) for job in [*jobs, killed]}
    for job in jobs:
        errors = [e for e in logs[job.worker] if e["kind"] == "error"]
        assert not errors, errors
        assert logs[job.worker][-1]["kind"] == "done"
    failed = [e for log in logs.values() for e in log if e["kind"] == "failed"]
    if window is None:
        assert failed == []  # without a restart nothing may fail
    else:
        # Every workstation wrote again after the restart: its pool reconnected by itself.
        for job in jobs:
            assert any(e["kind"] == "reading" and e["t0"] > window[1] for e in logs[job.worker])
    _check_chain(fresh_database)
    _check_rows(fresh_database, jobs, killed, logs)
    latencies = _check_heard(board, logs, window)
    _check_reconnected(board, listener, window)
    p99 = _percentile(latencies, 0.99)
    confirmed = sum(e["kind"] in KINDS for log in logs.values() for e in log)
    print(
        f"\nworkstations: {confirmed} confirmed writes in {DURATION:.0f} s, {len(failed)} "
        f"failed ({sum(e['unknown'] for e in failed)} of unknown outcome); "
        f"listener heard {len(latencies)} by id, {len(board.reloads)} reload(s); "
        f"write start -> heard: median {_percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms"
        + ("" if window is None else f"; server restart took {window[1] - window[0]:.1f} s")
        + ("" if isinstance(restart, list) else f"; {restart}")
    )
    for e in failed:
        print(f"  failed {e['op']} (unknown outcome: {e['unknown']}): {e['error'][:160]}")
    assert p99 < 5.0
    if not isinstance(restart, list):
        pytest.skip(f"{restart} (the rest of this test ran and passed)")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _check_rows(
    fresh: FreshDatabase, jobs: list[Job], killed: Job, logs: dict[int, list[dict[str, Any]]]
) -> None:
    with Database.open(fresh.app) as db, db.read() as s:
        readings = dict(s.execute(select(VitalReading.id, VitalReading.session_id)).all())
        doses = dict(s.execute(select(Dose.id, Dose.session_id)).all())
        notes = {n.dosing_session_id: n.body for n in s.scalars(select(Note))}
    for job in [*jobs, killed]:
        log = logs[job.worker]
        fails = [e for e in log if e["kind"] == "failed"]
        mine = {e["id"] for e in log if e["kind"] == "reading"}
        assert all(readings.get(i) == job.reading_session for i in mine)
        stored = {i for i, sid in readings.items() if sid == job.reading_session}
        # the session's own setup reading, then the unconfirmed: at most those the service
        # could not tell about (+ the one in flight when the fifth was killed)
        extra = sorted(stored - mine)[1:]
        maybe = sum(e["op"] == "reading" and e["unknown"] for e in fails)
        assert len(extra) <= maybe + (1 if job is killed else 0), (extra, fails)
        dosed = {e["session"]: e["id"] for e in log if e["kind"] == "dose"}
        for target in job.dose_sessions:
            got = {i for i, sid in doses.items() if sid == target}
            if target in dosed:
                assert got == {dosed[target]}
            elif any(e["op"] == "dose" and e["session"] == target and e["unknown"] for e in fails):
                assert len(got) <= 1
            elif job is not killed:
                assert got == set(), (target, fails)
        saves = [e["body"] for e in log if e["kind"] == "note"]
        maybe_bodies = {e["body"] for e in fails if e["op"] == "note" and e["unknown"]}
        body = notes[job.reading_session]
        if body != saves[-1]:
            later = [b for b in maybe_bodies if _save_no(b) > _save_no(saves[-1])]
            assert body in later or (job is killed and _save_no(body) > _save_no(saves[-1]))


def _save_no(body: str) -> int:
    return int(body.split("save ")[1].split(":")[0])


def _check_heard(
    board: Board, logs: dict[int, list[dict[str, Any]]], window: tuple[float, float] | None
) -> list[float]:
    """Every confirmed change heard by id (or, missed during the restart, a reload after
    it); the time from each write's start to hearing it."""
    heard_at: dict[tuple[str, str], list[float]] = {}
    for kind, ident, at in board.heard:
        heard_at.setdefault((kind, ident), []).append(at)
    latencies: list[float] = []
    missed: list[dict[str, Any]] = []
    for log in logs.values():
        for e in log:
            if e["kind"] not in KINDS:
                continue
            # a note is saved again and again under one id: heard after this save began
            key = (str(KINDS[e["kind"]]), str(e["id"]))
            heard = [t for t in heard_at.get(key, []) if t >= e["t0"]]
            if heard:
                latencies.append(heard[0] - e["t0"])
            elif window is None or not any(r >= e["t0"] for r in board.reloads):
                missed.append(e)
    assert missed == [], f"{len(missed)} confirmed changes never heard: {missed[:5]}"
    return latencies


def _check_reconnected(board: Board, listener: Any, window: tuple[float, float] | None) -> None:
    """The listener connected once, plus once after each loss, and each reconnection
    published one reload (none without a restart)."""
    assert listener is not None
    assert len(board.reloads) == listener.connections - 1
    if window is None:
        assert board.reloads == []
    else:
        assert listener.connections >= 2
        assert any(r >= window[0] for r in board.reloads)
        # heard by id again after it reconnected
        assert any(at > max(board.reloads) for _k, _i, at in board.heard)
