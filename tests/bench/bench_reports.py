"""Benchmark: how long printing takes, in process, on the big clinic (issue 13).

    .venv/bin/python tests/bench/bench_reports.py --db COPY_OF_BIG [--runs N] [--small-demo]

On a copy of the big clinic (the services audit every report), opened through the
composition root with a clinician signed in, as the median of N runs (default 7, at
least 5) after one warm-up call that registers the fonts (reported apart):

* the session summary of a long session (the most vital-sign readings, then the most
  note text; another such session on every run): what the GUI's print does without
  the GUI (``ReportService.is_demo_database``, then ``session_summary_pdf``: service
  reads, report assembly, layout, the audit entry);
* the same PDF laid out from an already assembled report (render only);
* the course summary of the largest course (the most sessions; another of the
  largest courses on every run), with the same demo check;
* the floor: a one-page reportlab PDF with the report's regular font (DejaVu Sans,
  registered once) and one line of text, in the same run on the same machine.

``--small-demo`` adds the older rows on a fresh demo database built through the
services (a 40-reading session with ~17,000 characters of notes, a 20-session
course): bigger documents than any on the big clinic. Targets (issue 6): session
summary <= 150 ms, course summary <= 400 ms, in process. ``run_all.py`` calls
:func:`big_report_rows`; the GUI preview is ``bench_print.py``.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for reports.clinic
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_print import long_sessions
from reportlab.pdfgen import canvas
from reports.clinic import T0, Clinic, Staff, build_course
from table import MIN_RUNS, Row, render, row, timed

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.reports.fonts import FONTS, register_fonts
from kapdesk.reports.pdf import PDF
from kapdesk.reports.render_session import render_session_pdf
from kapdesk.services.context import ServiceContext
from kapdesk.services.course_print import page_count
from kapdesk.services.reports import ReportService
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
    """One page, one line, in the report's regular font (registered once per process)."""
    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(FONTS.regular, 11)
    c.drawString(72, 720, "Session summary - Nguyễn, Thị Lan - 2026-03-02")
    c.showPage()
    c.save()
    return buf.getvalue()


def ms_of(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def over(fn: Callable[[int], object], items: list[int]) -> Timing:
    """``fn`` on each item once: the first call apart, the others as the samples."""
    times = [ms_of(lambda: fn(item)) for item in items]  # noqa: B023
    return Timing(times[0], times[1:])


def largest_courses(db: Path, n: int) -> list[tuple[int, int]]:
    """The ``n`` courses with the most dosing sessions: (course id, sessions)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT course_id, count(*) n FROM dosing_sessions GROUP BY course_id "
            "ORDER BY n DESC, course_id LIMIT ?",
            (n,),
        ).fetchall()
    finally:
        conn.close()
    return [(int(c), int(k)) for c, k in found]


def big_report_rows(db: Path, end: datetime, runs: int, label: str = "big clinic") -> list[Row]:
    """On a copy of the big clinic: session summaries of long sessions and course summaries
    of the largest courses, a different one each run, each with the demo check the GUI runs."""
    sessions = long_sessions(db, runs + 1)
    courses = largest_courses(db, runs + 1)
    ctx = build_context(db, clock=FakeClock(end), create=False)
    try:
        service = ReportService(ctx, renderer=PDF)
        who = actor_of(next(u for u in UserService(ctx).list_users() if u.username == "clinician"))

        def session(session_id: int) -> bytes:
            demo = service.is_demo_database()  # what the GUI's print asks first
            return service.session_summary_pdf(who, session_id, demo=demo)

        def course(course_id: int) -> bytes:
            demo = service.is_demo_database()
            return service.course_summary_pdf(who, course_id, demo=demo)

        demo = service.is_demo_database()
        whole: list[float] = []
        layouts: list[float] = []
        for session_id, _, _ in sessions:  # each session: the whole print, then layout only
            whole.append(ms_of(lambda: session(session_id)))  # noqa: B023 (called right here)
            report = service.session_report(who, session_id, demo=demo)
            layouts.append(ms_of(lambda: render_session_pdf(report)))  # noqa: B023
        t_session = Timing(whole[0], whole[1:])
        t_render = Timing(layouts[0], layouts[1:])
        t_course = over(course, [c for c, _ in courses])
        t_demo = timed(service.is_demo_database, runs)
        t_floor = measure(floor_pdf, runs)
        pages = (page_count(session(sessions[0][0])), page_count(course(courses[0][0])))
    finally:
        ctx.db.close()
    floor = "a one-page reportlab PDF (DejaVu Sans, one line of text), in process"
    readings = sorted({s[1] for s in sessions})
    mark = "demo-marked (DEMO watermark)" if demo else "not demo"
    return [
        row(f"PDF session summary, {label}, {readings[0]}-{readings[-1]} readings "
            f"({pages[0]} p.)", t_session.samples, t_floor.samples, floor,
            limit=TARGET_SESSION_MS,
            note=f"a different long session each run; the clinic is {mark}, its check took "
            f"{sorted(t_demo)[len(t_demo) // 2]:.1f} ms (median); first call (fonts "
            f"registered) {t_session.first:.0f} ms"),
        row("  of which layout only", t_render.samples, t_floor.samples, ""),
        row(f"PDF course summary, {label}, largest courses ({courses[0][1]} sessions, "
            f"{pages[1]} p.)", t_course.samples, t_floor.samples, floor,
            limit=TARGET_COURSE_MS, note="a different one of the largest courses each run"),
    ]  # fmt: skip


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
    """On a fresh demo database built through the services: a 40-reading session summary
    (< 150 ms) and a 20-session course summary (< 400 ms) vs a minimal PDF."""
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
        row(f"PDF session summary, small demo, 40 readings ({session_pages} p.)", t_session.samples,
            t_floor.samples, floor, limit=TARGET_SESSION_MS, note=first),
        row("  of which layout only", t_render.samples, t_floor.samples, ""),
        row(f"PDF course summary, small demo, 20 sessions ({course_pages} p.)", t_course.samples,
            t_floor.samples, floor, limit=TARGET_COURSE_MS),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a copy of the big clinic (it is written to)")
    parser.add_argument("--end", type=datetime.fromisoformat, default=datetime.fromisoformat(
        "2026-03-04T11:00:00+00:00"), help="the clinic's now (default: its build day)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=7, help="timed runs per metric (>= 5)")
    parser.add_argument("--small-demo", action="store_true", help="also the small-demo rows")
    args = parser.parse_args(argv)
    runs = max(MIN_RUNS, args.runs)
    rows = big_report_rows(args.db, args.end, runs) if args.db is not None else []
    if args.small_demo or args.db is None:
        rows += report_rows(runs)
    print(render(rows))
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
