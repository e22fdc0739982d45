"""Benchmark: how long printing takes, in process.

    .venv/bin/python tests/bench/bench_reports.py [--runs N]

Builds a fresh database through the real services (in a temporary folder), then
times, as the median of N runs (default 7, at least 5) after one warm-up run:

* the session summary of a long session (40 readings, ~17,000 characters of
  notes): ReportService.session_summary_pdf end to end (service reads, report
  assembly, layout, the audit entry);
* the same PDF laid out from an already assembled report (render only);
* the course summary of a 20-session course;
* the floor: a minimal one-page reportlab PDF (one canvas, one line of text),
  built in the same run on the same machine.

Prints a table: metric, median, floor, ratio to the floor, target. The issue's
target is a session summary under 150 ms in process; the course summary has
no target and is reported for information.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for reports.clinic

from reportlab.pdfgen import canvas
from reports.clinic import T0, Clinic, Staff, build_course

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.reports.render_session import render_session_pdf
from kapdesk.services.context import ServiceContext
from kapdesk.services.reports import ReportService, page_count
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage.db import Database

TARGET_SESSION_MS = 150.0


@dataclass(frozen=True)
class Timing:
    first: float  # ms, the warm-up call
    wall: float  # ms, median wall-clock time of the timed runs
    cpu: float  # ms, median CPU time of this process (steadier on a busy machine)


def measure(fn: Callable[[], object], runs: int) -> Timing:
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return Timing(first, statistics.median(wall), statistics.median(cpu))


def floor_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "kapdesk")
    c.showPage()
    c.save()
    return buf.getvalue()


def build(folder: Path) -> tuple[ServiceContext, Staff, int, int]:
    clock = FakeClock(T0)
    ctx = ServiceContext(db=Database.open(folder / "bench.sqlite", clock=clock), clock=clock)
    users = UserService(ctx)
    people = {}
    for role in (Role.NURSE, Role.THERAPIST, Role.CLINICIAN):
        info = users.add_user_from_console(
            username=role.value,
            full_name=f"Bench {role.value.title()}",
            role=role,
            password="correct horse battery",
        )
        people[role] = actor_of(info)
    staff = Staff(people[Role.NURSE], people[Role.THERAPIST], people[Role.CLINICIAN])
    clinic = Clinic(ctx, clock, staff)
    _, long_course = clinic.patient_and_course(mrn="KAP-LONG", given="Thị Lan", family="Nguyễn")
    session_id = clinic.long_session(long_course, T0, readings=40, paragraphs=20)
    clinic.at(T0 + timedelta(days=2))
    _, course_id = build_course(clinic, sessions=20)
    return ctx, staff, session_id, course_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per metric (>= 5)")
    args = parser.parse_args(argv)
    runs = max(5, args.runs)
    folder = Path(tempfile.mkdtemp(prefix="kapdesk-bench-"))
    try:
        t0 = time.perf_counter()
        ctx, staff, session_id, course_id = build(folder)
        print(f"built the data through the services in {time.perf_counter() - t0:.1f} s")
        service = ReportService(ctx)
        who = staff.clinician

        def session() -> bytes:
            return service.session_summary_pdf(who, session_id, demo=False)

        report = service.session_report(who, session_id, demo=False)

        def render() -> bytes:
            return render_session_pdf(report)

        def course() -> bytes:
            return service.course_summary_pdf(who, course_id, demo=False)

        t_session = measure(session, runs)
        t_render = measure(render, runs)
        t_course = measure(course, runs)
        t_floor = measure(floor_pdf, runs)
        session_pages, course_pages = page_count(session()), page_count(course())
        ctx.db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    rows = [
        (f"session summary, 40 readings ({session_pages} pages)", t_session,
         f"< {TARGET_SESSION_MS:.0f} ms"),
        ("  of which layout only (render_session_pdf)", t_render, ""),
        (f"course summary, 20 sessions ({course_pages} pages)", t_course, "(none)"),
        ("floor: minimal one-page reportlab PDF", t_floor, ""),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"\nmedian of {runs} runs after one warm-up, in process (cpu: this process only)\n")
    print(
        f"{'metric'.ljust(width)}  {'median':>10}  {'cpu':>10}  {'floor':>8}  {'ratio':>6}  target"
    )
    for name, t, target in rows:
        ratio = t.wall / t_floor.wall if t_floor.wall else float("nan")
        print(
            f"{name.ljust(width)}  {t.wall:7.1f} ms  {t.cpu:7.1f} ms  {t_floor.wall:5.2f} ms  "
            f"{ratio:5.0f}x  {target}"
        )
    print(
        f"\nfirst call (includes registering the fonts): session {t_session.first:.0f} ms, "
        f"course {t_course.first:.0f} ms"
    )
    ok = t_session.wall < TARGET_SESSION_MS
    print(f"session summary target {'met' if ok else 'MISSED'}: {t_session.wall:.1f} ms "
          f"(target < {TARGET_SESSION_MS:.0f} ms)")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
