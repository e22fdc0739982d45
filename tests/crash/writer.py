"""The process the crash harness kills: records vital signs through the real services.

Usage (run as a script; it imports only ``kapdesk``)::

    python tests/crash/writer.py prepare DB          # a clinic: nurse, patient, course
    python tests/crash/writer.py write DB SEED       # one writer, until killed
    python tests/crash/writer.py serve               # a fork server, for the harness

``write`` opens the database as the app does, prints ``ready PID``, cancels the
session a killed writer left running, schedules and checks in a new dosing
session (``session ID``), then records readings
one by one, each its own transaction (``VitalsService.record``), printing
``reading ID`` only after the commit returned. Each line is one ``write(2)``
of a few bytes, so a SIGKILL can never leave half a line: a printed id is a
promise that the reading was committed.

``serve`` imports everything once, then for each ``DB SEED`` line on stdin
forks a ``write`` child (its lines go to the same stdout), waits for it and
prints ``exited PID CODE`` (CODE -9 for SIGKILL). Forking from a warm process
makes a trial cost milliseconds instead of a Python start-up (~0.6 s), so 200
kills fit in the time budget; the child is still a separate process that dies
by SIGKILL with its files, locks and half-done transaction.
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from pathlib import Path

from kapdesk.composition import build_context
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.db import Database

MAX_READINGS = 2000  # a writer whose parent is gone stops by itself
PASSWORD = "crash harness password"


def emit(line: str) -> None:
    os.write(1, (line + "\n").encode())  # one unbuffered write: never half a line


def prepare(path: Path) -> None:
    """A clinic with a nurse, a clinician, one patient and an open course (all audited)."""
    with Database.open(path) as db:
        ctx = ServiceContext(db=db)
        users = UserService(ctx)
        nurse, clinician = (
            actor_of(
                users.add_user_from_console(
                    username=role.value,
                    full_name=f"Crash {role.value}",
                    role=role,
                    password=PASSWORD,
                )
            )
            for role in (Role.NURSE, Role.CLINICIAN)
        )
        patient = PatientService(ctx).create(
            nurse,
            mrn="CRASH-1",
            given_name="Ada",
            family_name="Okafor",
            date_of_birth="1980-05-17",
            sex="female",
            weight_kg=70.0,
        )
        CourseService(ctx).start(clinician, patient.id, "kap-default")


def _nurse(ctx: ServiceContext) -> Actor:
    for info in UserService(ctx).list_users():
        if info.role is Role.NURSE:
            return actor_of(info)
    raise SystemExit("no nurse in the crash clinic")


def write(path: Path, seed: int) -> None:
    rng = random.Random(seed)
    ctx = build_context(path, create=False)
    nurse = _nurse(ctx)
    course_id = (
        CourseService(ctx).list_for_patient(PatientService(ctx).get_by_mrn("CRASH-1").id)[0].id
    )
    emit(f"ready {os.getpid()}")
    sessions = SessionService(ctx)
    # The killed writer's session is still running; check-in refuses a patient who is in
    # two running sessions at once, so the previous one is cancelled first.
    for running in sessions.sessions_for_course(course_id):
        if running.state in ("checked_in", "pre_dose_vitals"):
            sessions.cancel(nurse, running.id, "Writer killed by the crash harness")
    sid = sessions.schedule(nurse, course_id, ctx.now(), f"Room {seed % 7 + 1}").id
    emit(f"session {sid}")
    sessions.check_in(nurse, sid)
    vitals = VitalsService(ctx)
    for _ in range(MAX_READINGS):
        recorded = vitals.record(
            nurse,
            sid,
            systolic=rng.randint(105, 150),
            diastolic=rng.randint(62, 92),
            pulse=rng.randint(55, 100),
            spo2=rng.randint(95, 100),
        )
        emit(f"reading {recorded.reading.id}")


def serve() -> None:
    for line in sys.stdin:
        db_text, seed_text = line.split()
        pid = os.fork()
        if pid == 0:  # the writer
            code = 0
            try:
                write(Path(db_text), int(seed_text))
            except BaseException:
                traceback.print_exc()
                code = 3
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        emit(f"exited {pid} {code}")


def main(argv: list[str]) -> int:
    match argv:
        case ["prepare", db]:
            prepare(Path(db))
        case ["write", db, seed]:
            write(Path(db), int(seed))
        case ["serve"]:
            serve()
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
