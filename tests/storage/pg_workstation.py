"""One workstation of the multi-workstation test, run in its own process (spawn).

It opens the clinic server with ``Database.open(ServerURL)`` as the application role and
records readings, session-note saves and doses through the real services. After each call
that returned (the service committed), one JSON line goes to its log file, flushed and
fsynced before the next call: the log is exactly what this workstation saw confirmed, even
if it is SIGKILLed a moment later.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Job:
    url: str  # the application role's URL, password included
    worker: int
    ops: int
    reading_session: int  # readings and its session note go here
    dose_sessions: tuple[int, ...]  # each gets one dose (ready: checklist and a reading done)
    actor: dict[str, Any] = field(default_factory=dict)  # Actor fields (role by value)
    log: str = ""
    start_at: float = 0.0  # time.time() to start at, so the writers overlap
    # Seconds to keep writing after start_at (0: exactly ``ops`` operations). With it, a
    # ServerUnreachable/DatabaseBusy is logged as a "failed" entry (the service's word:
    # not saved, or ``unknown`` whether saved) and the workstation carries on.
    duration: float = 0.0


def _log_line(out: Any, entry: dict[str, Any]) -> None:
    out.write(json.dumps({**entry, "t": time.time()}) + "\n")
    out.flush()
    os.fsync(out.fileno())


def run(job: Job) -> None:
    """Process entry point: do ``job.ops`` operations, log each confirmed one."""
    from kapdesk.domain.clock import SystemClock
    from kapdesk.domain.permissions import Role
    from kapdesk.services.context import Actor, ServiceContext
    from kapdesk.services.doses import DoseService
    from kapdesk.services.notes import NoteService
    from kapdesk.services.vitals import VitalsService
    from kapdesk.storage.db import Database
    from kapdesk.storage.errors import DatabaseBusy, ServerUnreachable
    from kapdesk.storage.server_url import parse_server_url

    actor = Actor(**{**job.actor, "role": Role(job.actor["role"])})
    db = Database.open(parse_server_url(job.url), clock=SystemClock())
    ctx = ServiceContext(db=db, clock=SystemClock())
    vitals, notes, doses = VitalsService(ctx), NoteService(ctx), DoseService(ctx)
    pending = list(job.dose_sessions)
    sid = job.reading_session
    with Path(job.log).open("a", encoding="utf-8") as out:
        _log_line(out, {"kind": "ready", "pid": os.getpid()})
        time.sleep(max(0.0, job.start_at - time.time()))
        i = -1
        while _more(job, i := i + 1):
            step = i % 4
            begun, what = time.time(), _what(step, pending, job.worker, i)
            try:
                if step == 3 and pending:
                    target = pending.pop(0)
                    dose = doses.record(
                        actor,
                        target,
                        medication="racemic ketamine",
                        route="im",
                        amount=0.5,
                        unit="mg/kg",
                        lot_number=f"LOT-{job.worker}-{i}",
                    )
                    _log_line(out, {"kind": "dose", "id": dose.id, "session": target, "t0": begun})
                elif step == 1:
                    body = f"Workstation {job.worker}, save {i}: calm, talking."
                    note = notes.save_session_note(actor, sid, body)
                    assert note is not None
                    _log_line(
                        out,
                        {"kind": "note", "id": note.id, "session": sid, "body": body, "t0": begun},
                    )
                else:
                    got = vitals.record(actor, sid, 110 + i % 15, 70 + i % 9, pulse=72, spo2=98)
                    _log_line(
                        out, {"kind": "reading", "id": got.reading.id, "session": sid, "t0": begun}
                    )
            except (ServerUnreachable, DatabaseBusy) as exc:
                if not job.duration:
                    _log_line(
                        out, {"kind": "error", "op": i, "error": f"{type(exc).__name__}: {exc}"}
                    )
                    raise
                unknown = getattr(exc, "unknown_outcome", False)
                _log_line(out, {**what, "kind": "failed", "unknown": unknown, "error": str(exc)})
                time.sleep(0.1)  # then on with the next operation, as a nurse would
            except Exception as exc:  # reported to the test, which fails on any
                _log_line(out, {"kind": "error", "op": i, "error": f"{type(exc).__name__}: {exc}"})
                raise
        _log_line(out, {"kind": "done"})
    db.close()


def _more(job: Job, i: int) -> bool:
    return time.time() < job.start_at + job.duration if job.duration else i < job.ops


def _what(step: int, pending: list[int], worker: int, i: int) -> dict[str, Any]:
    """What operation ``i`` is about to do (logged with a failure: the test then knows
    which row may or may not be there)."""
    if step == 3 and pending:
        return {"op": "dose", "session": pending[0]}
    if step == 1:
        return {"op": "note", "body": f"Workstation {worker}, save {i}: calm, talking."}
    return {"op": "reading"}


def read_log(path: Path) -> list[dict[str, Any]]:
    """The confirmed entries of a log; a last line cut off by a SIGKILL is not one."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return entries


if __name__ == "__main__":  # pragma: no cover - manual runs
    run(Job(**json.loads(sys.argv[1])))
