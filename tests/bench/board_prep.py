"""Clinics whose Today board has a chosen number of rows, for the board benchmarks.

The big clinic's real day has 73-79 rows. Other sizes are made on copies, never on the
source file, and only through kapdesk's own services, so every row is a real board row:

* more rows (300): sessions scheduled today (``SessionService.schedule``) for patients of
  open courses who have none today, spread over the clinic day, each in a room of its own;
  those whose time has passed are checked in (``SessionService.check_in``: running rows
  with the pre-dose reading due), the others stay scheduled (due later, or late);
* fewer rows (5, 50): the big clinic cannot have fewer (its running sessions alone fill
  ~32 rows, and a session scheduled today stays on the board whatever its state), so they
  start from a small clinic of the same generator and build day (``bigdb.ensure_clinic``,
  200 / 300 patients: 6 / 7 rows, so "5" is 6) and are topped up the same way;
* a board with exactly one running session gets a second one checked in: the app would
  open that session at sign-in, not the board.

Prepared copies are cached in tests/bench/.cache, named after the source file and the row
count (``board-<source stem>-<rows>rows.sqlite``); a benchmark works on a copy of them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

CACHE = Path(__file__).resolve().with_name(".cache")
# Clinics of these sizes have 6 and 7 rows on the build day (and open courses enough).
SMALL_PATIENTS = {5: 200, 50: 300}
DAY_START_HOUR = 8
DAY_HOURS = 9  # extra sessions are spread from 08:00 over nine hours


def copy_file(source: Path, target: Path) -> Path:
    """A copy of ``source`` at ``target`` (no stale WAL/SHM beside it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_db(target)
    shutil.copyfile(source, target)
    return target


def remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


def board_count(db: Path, end: datetime, *, running: bool = False) -> int:
    """Rows on the Today board of ``db`` at ``end`` (the service's own query); ``running``:
    only the running sessions' rows."""
    from kapdesk.composition import build_context
    from kapdesk.domain.clock import FakeClock
    from kapdesk.domain.session_state import ACTIVE
    from kapdesk.services.board import today_board

    ctx = build_context(db, clock=FakeClock(end), create=False, migrate=False)  # reads only
    active = {s.value for s in ACTIVE}
    try:
        rows = today_board(ctx)
    finally:
        ctx.db.engine.dispose()
    return len([r for r in rows if r.state in active]) if running else len(rows)


def second_running(db: Path, end: datetime) -> None:
    """With exactly one running session the app opens it at sign-in instead of the board
    (MainWindow._resume_running_session): check in today's first scheduled session too."""
    from sqlalchemy import text

    from kapdesk.composition import build_context
    from kapdesk.domain.clock import FakeClock
    from kapdesk.services.sessions import SessionService
    from kapdesk.services.users import UserService, actor_of

    if board_count(db, end, running=True) != 1:
        return
    ctx = build_context(db, clock=FakeClock(end))
    try:
        nurse = actor_of({u.username: u for u in UserService(ctx).list_users()}["nurse"])
        day = end.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        with ctx.db.read() as s:
            first = s.execute(
                text("SELECT id FROM dosing_sessions WHERE state = 'scheduled' AND "
                     "scheduled_at >= :day ORDER BY scheduled_at, id LIMIT 1"),
                {"day": day.isoformat(sep=" ")},
            ).scalar_one()  # fmt: skip
        SessionService(ctx).check_in(nurse, int(first), room="Treatment room 0")
    finally:
        ctx.db.engine.dispose()


def _free_courses(ctx: object, day_start: datetime, need: int) -> list[int]:
    """Open courses (one per patient) of patients with no session today and none running."""
    from sqlalchemy import text

    query = text(
        "SELECT min(c.id) FROM courses c WHERE c.ended_on IS NULL AND c.patient_id NOT IN "
        "(SELECT c2.patient_id FROM dosing_sessions s JOIN courses c2 ON c2.id = s.course_id "
        " WHERE (s.scheduled_at >= :start AND s.scheduled_at < :end) OR s.state IN "
        " ('checked_in', 'pre_dose_vitals', 'dosed', 'monitoring')) "
        "GROUP BY c.patient_id ORDER BY c.patient_id LIMIT :need"
    )
    start = day_start.replace(tzinfo=None)
    bounds = {
        "start": start.isoformat(sep=" "),
        "end": (start + timedelta(days=1)).isoformat(sep=" "),
    }
    with ctx.db.read() as s:  # type: ignore[attr-defined]
        return [int(r[0]) for r in s.execute(query, {**bounds, "need": need})]


def top_up(db: Path, end: datetime, rows: int) -> int:
    """Schedule (and, when their time has passed, check in) sessions today through the
    services until the board of ``db`` at ``end`` has ``rows`` rows; the rows it has."""
    from kapdesk.composition import build_context
    from kapdesk.domain.clock import FakeClock
    from kapdesk.services.sessions import SessionService
    from kapdesk.services.users import UserService, actor_of

    have = board_count(db, end)
    need = rows - have
    if need <= 0:
        return have
    ctx = build_context(db, clock=FakeClock(end))
    try:
        users = {u.username: u for u in UserService(ctx).list_users()}
        clinician, nurse = actor_of(users["clinician"]), actor_of(users["nurse"])
        day_start = end.replace(hour=DAY_START_HOUR, minute=0, second=0, microsecond=0)
        courses = _free_courses(ctx, end.replace(hour=0, minute=0, second=0), need)
        if len(courses) < need:
            raise RuntimeError(f"{db.name}: only {len(courses)} free courses for {need} sessions")
        sessions = SessionService(ctx)
        step = timedelta(hours=DAY_HOURS) / need
        for i, course in enumerate(courses):
            at = day_start + step * i
            info = sessions.schedule(clinician, course, at, f"Treatment room {i + 1}")
            if at <= end - timedelta(minutes=5):
                sessions.check_in(nurse, info.id)
    finally:
        ctx.db.engine.dispose()
    return board_count(db, end)


def prepared(source: Path, end: datetime, rows: int, log=print) -> tuple[Path, int]:  # type: ignore[no-untyped-def]
    """A cached copy of ``source`` whose board has ``rows`` rows (at least: a source with
    more is used as it is); the path and its row count."""
    have = board_count(source, end)
    if have >= rows and board_count(source, end, running=True) != 1:
        return source, have
    target = CACHE / f"board-{source.stem}-{rows}rows.sqlite"
    if target.exists():
        return target, board_count(target, end)
    partial = CACHE / f"board-{source.stem}-{rows}rows.building.sqlite"
    log(f"preparing a {rows}-row board from {source.name} (cached) ...")
    copy_file(source, partial)
    got = top_up(partial, end, rows)
    second_running(partial, end)
    partial.replace(target)
    remove_db(partial)
    return target, got


def small_clinic(patients: int, log=print) -> Path:  # type: ignore[no-untyped-def]
    """A small clinic of the benchmarks' generator and build day (built once, cached)."""
    from bigdb import ensure_clinic

    return ensure_clinic(patients, 5, log=log).path


def board_clinics(
    big: Path,
    end: datetime,
    log: Callable[[str], object] = print,
    sizes: tuple[str, ...] = ("5", "50", "own", "300"),
) -> list[tuple[str, Path, int]]:
    """(size, file, actual rows) for each of ``sizes``: "5" and "50" from small clinics,
    "own" the big clinic's own day, "300" from the big clinic (each prepared once and
    cached; the sources are never written)."""
    out: list[tuple[str, Path, int]] = []
    for size in sizes:
        if size == "own":
            out.append((size, big, board_count(big, end)))
            continue
        rows = int(size)
        source = small_clinic(SMALL_PATIENTS[rows], log) if rows in SMALL_PATIENTS else big
        out.append((size, *prepared(source, end, rows, log)))
    return out
