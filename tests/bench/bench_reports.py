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

Prints a table: metric, median, floor, ratio to the floor, target. Targets
(issue 6): session summary <= 150 ms, 20-session course summary <= 400 ms, in
process. ``run_all.py`` calls :func:`report_rows`.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for reports.clinic
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reportlab.pdfgen import canvas
from reports.clinic import T0, Clinic, Staff, build_course
from table import MIN_RUNS, Row, render, row, timed

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.reports.pdf import PDF
from kapdesk.reports.render_session import render_session_pdf
from kapdesk.services.context import ServiceContext
from kapdesk.services.reports import ReportService, page_count
from kapdesk.services.users import UserService, actor_of

TARGET_SESSION_MS = 150.0
TARGET_COURSE_MS = 400.0


@dataclass(frozen=True)
class Timing:
    first: float  # ms, the warm-up call
    samples: list[float]  # ms, wall-clock time of each timed run


def measure(fn: Callable[[], object], runs: int) -> Timing:
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    return Timing(first, timed(fn, runs, warmup=0))


def floor_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "kapdesk")
    c.showPage()
    c.save()
    return buf.getvalue()


def build(folder: Path) -> tuple[ServiceContext, Staff, int, int]:
    clock = FakeClock(T0)
    ctx = build_context(folder / "bench.sqlite", clock=clock)
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


def report_rows(runs: int) -> list[Row]:
    """Session summary (< 150 ms) and 20-session course summary (< 400 ms) vs a minimal PDF."""
    folder = Path(tempfile.mkdtemp(prefix="kapdesk-bench-"))
    try:
        ctx, staff, session_id, course_id = build(folder)
        service = ReportService(ctx, renderer=PDF)
        who = staff.clinician

        def session() -> bytes:
            return service.session_summary_pdf(who, session_id, demo=False)

        report = service.session_report(who, session_id, demo=False)

        def render_only() -> bytes:
            return render_session_pdf(report)

        def course() -> bytes:
            return service.course_summary_pdf(who, course_id, demo=False)

        t_session = measure(session, runs)
        t_render = measure(render_only, runs)
        t_course = measure(course, runs)
        t_floor = measure(floor_pdf, runs)
        session_pages, course_pages = page_count(session()), page_count(course())
        ctx.db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    floor = "a minimal one-page reportlab PDF (one line of text), in process"
    first = (
        f"first call (registers the fonts): session {t_session.first:.0f} ms, "
        f"course {t_course.first:.0f} ms"
    )
    return [
        row(f"PDF session summary, 40 readings ({session_pages} p.)", t_session.samples,
            t_floor.samples, floor, limit=TARGET_SESSION_MS, note=first),
        row("  of which layout only", t_render.samples, t_floor.samples, ""),
        row(f"PDF course summary, 20 sessions ({course_pages} p.)", t_course.samples,
            t_floor.samples, floor, limit=TARGET_COURSE_MS),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per metric (>= 5)")
    args = parser.parse_args(argv)
    rows = report_rows(max(MIN_RUNS, args.runs))
    print(render(rows))
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
