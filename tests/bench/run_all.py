"""Every kapdesk benchmark, one command, one table (issues 6 and 13).

    .venv/bin/python tests/bench/run_all.py [--runs N] [--skip-check] [--big FILE --small FILE]

Builds the big clinic (5,000 patients, 5 years: ~100,000 sessions, ~1,000,000
readings) and a tenth of it once into tests/bench/.cache (``bigdb.ensure_clinic``:
reused while the generator and schema are unchanged), or takes the given files
(``--big``/``--small``: never written, copied first), then works on copies (the app
audits chart views, prints and CLI runs) and prints, for every metric: the median of N
runs (default 5, at least 5), the floor measured in the same run on the same machine
and files, their ratio and the target.

What a user feels is measured with the app as users run it (``bench_app``: the app's
own QApplication with its stylesheet and icon, the clinic opened as ``run_gui`` opens
it, not as a demo, sign-in typed into the real sign-in window, the main window with its
lock-screen stack), offscreen, each GUI measurement in fresh processes, with two end
points where it matters: the finished screen painted, and the event loop idle after it
(accepting input). Rows, in order:

* the big clinic's generator (when built in this run or cached);
* start-up to the login window painted (``bench_startup``);
* sign-in (cold and warm), the login window's stalls, the Today board at 5, 50, the
  clinic's own day and 300 rows, its per-second repaint, a reading recorded by key press
  (``bench_board.board_rows``, on copies it makes of the big clinic);
* patient search per keystroke against the app's own SQL (``bench_gui``);
* charts (``bench_gui``): the first one in a process, twice: opened as soon as the
  Patients page is painted and idle (before the chart warm-up's start delay,
  ``chart_warmup.WARM_AFTER_MS`` = 1 s after the page is built, is over: the whole chart
  built at the open), and opened ``bench_gui.PERSON_MS`` = 2 s after the page is shown
  (the empty chart built ahead while idle: the open mostly fills it; the note says in how
  many processes it was ready); later ones (warm, a new patient each time) and the
  largest patients, and the app's peak memory;
* the GUI print preview of a session summary, cold and warm (``bench_print``);
* PDFs in process on the big clinic (``bench_reports``);
* recording a reading through the service, as information (``bench_data``);
* the CLI: ``report course`` for the busiest patient, ``list sessions --json``'s peak
  memory against a tenth of the clinic (streaming) and wall time (``bench_cli``);
* a clean exit: the longest GUI stall until run_gui is done, and the exit backup
  (``bench_board.exit_rows``);
* on a clinic server, when ``KAPDESK_BENCH_PG_URL`` or ``KAPDESK_TEST_PG_URL`` names one
  (else a line under the table says they were skipped and why): a reading recorded, the
  board refreshed with four writers, change to screen, and the big clinic moved to the
  server (once, kept) with patient search and charts on it (``bench_pg``);
* unless ``--skip-check``: ``kapdesk check`` on (the copies of) the tenth and the big
  clinic, with what the benchmarks above added to them (``bench_check``; several minutes).

A benchmark that fails is printed as a FAILED row (its traceback on stderr) and the
others still run. Exit code 0 whether or not targets are met, 1 if a benchmark failed
(``--strict``: also if a target is missed).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # tests/ (reports.clinic for the PDF benchmark)

from bench_board import board_rows, exit_rows  # noqa: E402
from bench_check import check_rows  # noqa: E402
from bench_cli import cli_rows  # noqa: E402
from bench_data import vitals_rows  # noqa: E402
from bench_gui import chart_rows, search_rows  # noqa: E402
from bench_pg import run_all_rows as server_rows  # noqa: E402
from bench_pg import skipped as server_skipped  # noqa: E402
from bench_print import print_rows  # noqa: E402
from bench_reports import big_report_rows  # noqa: E402
from bench_startup import startup_rows  # noqa: E402
from bigdb import CACHE, ensure_clinic  # noqa: E402
from table import MIN_RUNS, Row, render  # noqa: E402

BIG = (5000, 5)
TENTH = (500, 5)
BUILD_DAY_END = "2026-03-04T11:00:00+00:00"  # the clinic's "now" on its build day


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Source:
    """A clinic file to benchmark on (copied first), what it holds and its "now"."""

    path: Path
    end: datetime
    counts: dict[str, int]
    generator: Row | None  # the generator row, when it was built by ensure_clinic


def _counts(path: Path) -> dict[str, int]:
    tables = {"patients": "patients", "sessions": "dosing_sessions", "readings":
              "vital_readings", "doses": "doses", "audit": "audit_log"}  # fmt: skip
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {k: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                for k, t in tables.items()}  # fmt: skip
    finally:
        conn.close()


def source(given: Path | None, size: tuple[int, int]) -> Source:
    if given is not None:
        return Source(given, datetime.fromisoformat(BUILD_DAY_END), _counts(given), None)
    clinic = ensure_clinic(*size, log=log)
    c = clinic.counts
    generator = Row(
        f"clinic generator ({clinic.patients:,} patients, {clinic.years} years)",
        clinic.build_seconds, None, "", "s", 1, "", None,
        note=f"{clinic.size_mb:,.0f} MB; {c['sessions']:,} sessions, {c['readings']:,} "
        f"readings, {c['doses']:,} doses, {c['audit']:,} audit entries"
        + ("; built in an earlier run (cached)" if clinic.reused else ""),
    )  # fmt: skip
    return Source(clinic.path, clinic.end, c, generator)


def copy_of(path: Path, name: str) -> Path:
    """A fresh copy in the cache folder (reflinked where the file system can)."""
    target = CACHE / name
    for old in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        old.unlink(missing_ok=True)
    CACHE.mkdir(exist_ok=True)
    subprocess.run(["cp", "--reflink=auto", str(path), str(target)], check=True)
    return target


def section(rows: list[Row], name: str, make: Callable[[], list[Row]]) -> None:
    """Add ``make()``'s rows; a benchmark that fails is a MISSED row naming the error (its
    traceback on stderr), and the others still run."""
    log(f"{name} ...")
    started = time.perf_counter()
    try:
        rows += make()
    except Exception as exc:  # any failure is reported; the table is still printed
        traceback.print_exc()
        error = str(exc).strip().splitlines()
        rows.append(Row(f"{name}: FAILED", 0.0, None, "", "ms", 0, "runs to the end", False,
                        note=f"{type(exc).__name__}: {error[0] if error else ''}"))  # fmt: skip
    log(f"  {name}: {time.perf_counter() - started:.0f} s")


def measure(big: Source, small: Source, runs: int, skip_check: bool) -> list[Row]:
    work = copy_of(big.path, "run-all-big.sqlite")
    small_work = copy_of(small.path, "run-all-tenth.sqlite")
    end = big.end
    rows: list[Row] = [r for r in (big.generator,) if r is not None]
    section(rows, "start-up", lambda: startup_rows(work, runs, label=" (big clinic)"))
    # bench_board works on copies of its own, never on big.path
    section(rows, "sign-in, login window, Today board, key press",
            lambda: board_rows(big.path, end, runs))  # fmt: skip
    section(rows, "patient search",
            lambda: search_rows(work, end, big.counts["patients"], runs))  # fmt: skip
    section(rows, "patient charts and memory", lambda: chart_rows(work, end, runs))
    section(rows, "GUI print preview", lambda: print_rows(work, end, runs))
    section(rows, "PDFs in process", lambda: big_report_rows(work, end, max(runs, 7)))
    section(rows, "recording a reading (service)", lambda: vitals_rows(work, end, max(runs, 20)))
    section(rows, "command line", lambda: cli_rows(work, small_work, runs))
    section(rows, "clean exit", lambda: exit_rows(big.path, end, runs))
    section(rows, "clinic server (PostgreSQL)", lambda: server_rows(big.path, runs))
    if not skip_check:
        section(
            rows,
            "kapdesk check, 1/10 clinic",
            lambda: check_rows(small_work, _counts(small_work)["audit"], runs, "1/10 clinic"),
        )
        section(rows, "kapdesk check, big clinic",
                lambda: check_rows(work, _counts(work)["audit"], runs, "big clinic"))  # fmt: skip
    for path in (work, small_work):
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help="runs per metric (>= 5)")
    parser.add_argument("--skip-check", action="store_true", help="skip kapdesk check (~minutes)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--big", type=Path, help="a prebuilt big clinic (build day 2026-03-04)")
    parser.add_argument("--small", type=Path, help="a prebuilt clinic a tenth its size")
    args = parser.parse_args(argv)
    runs = max(MIN_RUNS, args.runs)
    started = time.perf_counter()
    small = source(args.small, TENTH)
    big = source(args.big, BIG)
    rows = measure(big, small, runs, args.skip_check)
    c = big.counts
    where = f"{args.big}" if args.big else "the cached big clinic"
    print(
        f"kapdesk benchmarks: {platform.node()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; median of {runs} "
        f"runs unless said; took {time.perf_counter() - started:.0f} s\n"
        f"on {where}: {c['patients']:,} patients, {c['sessions']:,} sessions, "
        f"{c['audit']:,} audit entries (copies; the 1/10 clinic: {small.counts['sessions']:,} "
        "sessions)\n"
    )
    print(render(rows))
    if (server := server_skipped()) is not None:
        print(f"\n{server}")
    missed = [r.metric for r in rows if r.ok is False]
    print(f"\n{'targets missed: ' + '; '.join(missed) if missed else 'every target met'}")
    failed = any(r.metric.endswith(": FAILED") for r in rows)
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
