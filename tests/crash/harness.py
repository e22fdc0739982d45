"""The crash-safety harness: SIGKILL a writer at random moments, then check nothing was lost.

Each *lane* is one database and one fork server (``writer.py serve``). A trial
starts a writer, lets it run, kills it with SIGKILL, waits for it to be gone,
then reopens the database the way the app does (``Database.open``) and checks:

* ``PRAGMA integrity_check`` is ``ok`` and ``foreign_key_check`` is empty;
* every reading id the writer printed (= committed) is in ``vital_readings``;
* no partial records: the set of reading ids equals the set of ``vitals.record``
  audit entries for ``vital_reading``, and every dosing session has its
  ``session.schedule`` entry (and no entry names a missing session);
* the audit hash chain verifies from the first entry to the last.

Kill moments: half the trials kill after a random delay of 0-200 ms after the
writer reported ready (landing in session set-up, a transaction, a commit or
between them); the other half right after a random number (1-25) of printed
ids, i.e. while the next reading is being written.

A lane keeps appending to one database rather than starting each trial from
a fresh copy: each reopen must then cope with everything every earlier crash
left behind (hot WAL recovery, a growing file, an audit chain that must link
across every crash boundary), and no time goes into copying. Two lanes run
side by side, one per core.

Run it alone for the figures: ``python tests/crash/harness.py [KILLS]``.
"""

from __future__ import annotations

import os
import random
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from kapdesk.storage.audit import verify_chain
from kapdesk.storage.backup import backup_database
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry, DosingSession, VitalReading

WRITER = Path(__file__).with_name("writer.py")
START_TIMEOUT = 60.0  # a writer that is not ready by then (a loaded CI box) fails the run
MAX_DELAY_S = 0.2
MAX_COUNT = 25


@dataclass
class Figures:
    kills: int = 0
    readings_confirmed: int = 0  # printed by a writer before it was killed
    readings_in_database: int = 0  # at the end (includes committed-but-unprinted ones)
    rows_lost: int = 0  # confirmed but missing after reopen: must stay 0
    partial_records: int = 0  # readings without audit entry or the reverse: must stay 0
    killed_before_first_reading: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        self.kills += other.kills
        self.readings_confirmed += other.readings_confirmed
        self.readings_in_database += other.readings_in_database
        self.rows_lost += other.rows_lost
        self.partial_records += other.partial_records
        self.killed_before_first_reading += other.killed_before_first_reading
        self.problems += other.problems


class _Lines:
    """Lines from a pipe, with deadlines (no thread per pipe)."""

    def __init__(self, stream: object) -> None:
        self.fd = stream.fileno()  # type: ignore[attr-defined]
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.fd, selectors.EVENT_READ)

    def next(self, deadline: float) -> str | None:
        """The next line, or None when the deadline passes first."""
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise RuntimeError("the fork server closed its output")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()


def prepare_template(folder: Path) -> Path:
    template = folder / "template.sqlite"
    subprocess.run([sys.executable, str(WRITER), "prepare", str(template)], check=True)
    return template


@dataclass(frozen=True)
class Check:
    readings: set[int]
    partial_records: int
    problems: list[str]


def check_database(path: Path, confirmed: set[int]) -> Check:
    """Reopen as the app does and check it; ``problems`` empty means all is well."""
    problems: list[str] = []
    with Database.open(path, create=False) as db:
        with db.engine.connect() as conn:
            integrity = list(conn.exec_driver_sql("PRAGMA integrity_check").scalars())
            if integrity != ["ok"]:
                problems.append(f"integrity_check: {integrity[:3]}")
            if conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                problems.append("foreign_key_check found broken references")
        with db.read() as s:
            readings = set(s.scalars(select(VitalReading.id)))
            audited = _audited_ids(s, "vital_reading", "vitals.record")
            sessions = set(s.scalars(select(DosingSession.id)))
            scheduled = _audited_ids(s, "dosing_session", "session.schedule")
            chain = verify_chain(s)
    if lost := confirmed - readings:
        problems.append(f"{len(lost)} confirmed readings lost: {sorted(lost)[:5]}")
    partial = len(readings ^ audited) + len(sessions ^ scheduled)
    if readings != audited:
        problems.append(
            f"readings without audit {sorted(readings - audited)[:5]}, "
            f"audit without reading {sorted(audited - readings)[:5]}"
        )
    if sessions != scheduled:
        problems.append(f"sessions vs session.schedule entries differ: {sessions ^ scheduled}")
    if not chain.ok:
        problems.append(f"audit chain: {chain.problem}")
    return Check(readings, partial, problems)


def _audited_ids(s: object, entity: str, action: str) -> set[int]:
    query = select(AuditEntry.entity_id).where(
        AuditEntry.entity == entity, AuditEntry.action == action
    )
    return {int(x) for x in s.scalars(query)}  # type: ignore[attr-defined]


def run_lane(db_path: Path, kills: int, seed: int) -> Figures:
    figures = Figures()
    rng = random.Random(seed)
    confirmed: set[int] = set()
    server = subprocess.Popen(
        [sys.executable, str(WRITER), "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    lines = _Lines(server.stdout)
    try:
        for trial in range(kills):
            server.stdin.write(f"{db_path} {seed * 100_000 + trial}\n".encode())
            printed = _one_kill(lines, rng)
            confirmed |= printed
            figures.kills += 1
            figures.readings_confirmed += len(printed)
            figures.killed_before_first_reading += not printed
            check = check_database(db_path, confirmed)
            figures.readings_in_database = len(check.readings)
            figures.rows_lost = len(confirmed - check.readings)
            figures.partial_records = check.partial_records
            if check.problems:
                figures.problems += [f"{db_path.name} trial {trial}: {p}" for p in check.problems]
                break
    finally:
        server.stdin.close()
        server.wait(timeout=30)
        errors = server.stderr.read().decode() if server.stderr else ""
        if errors.strip():
            figures.problems.append(f"writer errors: {errors[-2000:]}")
    return figures


def _one_kill(lines: _Lines, rng: random.Random) -> set[int]:
    """Start one writer (already requested), kill it, return the reading ids it printed."""
    printed: set[int] = set()
    line = lines.next(time.monotonic() + START_TIMEOUT)
    if line is None or not line.startswith("ready "):
        raise RuntimeError(f"writer did not start: {line!r}")
    pid = int(line.split()[1])
    if rng.random() < 0.5:
        deadline, wanted = time.monotonic() + rng.uniform(0, MAX_DELAY_S), None
    else:
        deadline, wanted = time.monotonic() + START_TIMEOUT, rng.randint(1, MAX_COUNT)
    while wanted is None or len(printed) < wanted:
        line = lines.next(deadline)
        if line is None:
            break
        if line.startswith("reading "):
            printed.add(int(line.split()[1]))
        elif line.startswith("exited "):
            raise RuntimeError(f"writer ended before it was killed: {line}")
    os.kill(pid, signal.SIGKILL)
    while True:  # lines written before it died still count: they were committed
        line = lines.next(time.monotonic() + START_TIMEOUT)
        if line is None:
            raise RuntimeError("the killed writer was never reaped")
        if line.startswith("reading "):
            printed.add(int(line.split()[1]))
        elif line.startswith("exited "):
            if line.split()[2] != str(-signal.SIGKILL):
                raise RuntimeError(f"writer did not die by SIGKILL: {line}")
            return printed


def run(kills: int, folder: Path, lanes: int = 2, seed: int = 20260302) -> tuple[Figures, float]:
    """``kills`` trials spread over ``lanes`` databases; the figures and the wall time."""
    start = time.monotonic()
    template = prepare_template(folder)
    paths = []
    for n in range(lanes):
        paths.append(folder / f"lane{n}.sqlite")
        backup_database(template, paths[-1])
    results: list[Figures] = [Figures() for _ in paths]

    def lane(n: int) -> None:
        share = kills // lanes + (n < kills % lanes)
        try:
            results[n] = run_lane(paths[n], share, seed + n)
        except Exception as exc:  # reported with the figures, never swallowed
            results[n].problems.append(f"lane {n}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=lane, args=(n,)) for n in range(lanes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = Figures()
    for r in results:
        total.add(r)
    return total, time.monotonic() - start


if __name__ == "__main__":
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    scratch = Path(tempfile.mkdtemp(prefix="kapdesk-crash-"))
    try:
        figures, seconds = run(wanted, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{figures} in {seconds:.1f} s")
    sys.exit(1 if figures.problems or figures.rows_lost else 0)
