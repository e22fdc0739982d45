"""Every kapdesk benchmark, one command, one table (issue 6).

    .venv/bin/python tests/bench/run_all.py [--runs N] [--skip-check]

Builds the big clinic (5,000 patients, 5 years: ~100,000 sessions, ~1,000,000
readings) and a tenth of it once into tests/bench/.cache (reused while the
generator and schema are unchanged), copies the big one for the benchmarks
that write, then prints, for every metric: the median of N runs (default 5,
at least 5), the floor measured in the same run on the same machine and
files, their ratio and the target. Timings of GUI steps run offscreen in
fresh processes (bench_gui.py). Exit code 0 whether or not targets are met
(``--strict``: 1 if one is missed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # tests/ (reports.clinic for the PDF benchmark)

from bench_check import check_rows  # noqa: E402
from bench_data import vitals_rows  # noqa: E402
from bench_reports import report_rows  # noqa: E402
from bench_startup import startup_rows  # noqa: E402
from bigdb import Clinic, ensure_clinic, working_copy  # noqa: E402
from table import MIN_RUNS, Row, render, row  # noqa: E402

BIG = (5000, 5)
TENTH = (500, 5)
TARGET_BOARD_MS = 200.0
TARGET_SEARCH_MS = 20.0
TARGET_CHART_MS = 150.0
TARGET_MEMORY_MB = 250.0


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def child(what: str, work: Path, clinic: Clinic, *extra: str) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, str(HERE / "bench_gui.py"), what, "--db", str(work),
           "--end", clinic.end.isoformat(), *extra]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench_gui {what} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def gui_rows(work: Path, clinic: Clinic, runs: int) -> list[Row]:
    log("Today board after sign-in ...")
    boards = [child("board", work, clinic) for _ in range(runs + 1)][1:]
    n_rows = boards[0]["rows"]
    floors = [child("board-floor", work, clinic, "--rows", str(n_rows)) for _ in range(runs + 1)]
    board = row(
        f"after sign-in to Today board painted ({n_rows} rows)",
        [b["ms"] for b in boards], [f["ms"] for f in floors[1:]],
        f"fresh process, same set-up: a QMainWindow with a static {n_rows}-row QTableWidget "
        "shown and painted", limit=TARGET_BOARD_MS,
    )  # fmt: skip
    log("patient search as you type ...")
    s = child("search", work, clinic, "--runs", str(runs))
    search = row(
        f"patient search per keystroke ({clinic.counts['patients']:,} patients)",
        s["samples"], s["floor"],
        "bare SQL of a 50-row family-name prefix query, sqlite3 module, same file",
        limit=TARGET_SEARCH_MS,
        note=f"{len(s['samples'])} keystrokes; slowest {s['slowest'][1]:.1f} ms "
        f"(typing {s['slowest'][0]!r})",
    )  # fmt: skip
    log("opening a patient chart ...")
    c = child("chart", work, clinic, "--runs", str(runs))
    cf = child("chart-floor", work, clinic, "--runs", str(runs), "--rows", str(c["rows"]),
               "--points", str(c["points"]))  # fmt: skip
    chart = row(
        f"open a patient chart, {c['sessions']} sessions + PHQ-9 plot",
        c["samples"], cf["samples"],
        f"a pyqtgraph PlotWidget of {c['points']} points + a {c['rows']}-row QTableWidget, "
        "built, shown and painted", limit=TARGET_CHART_MS,
        note=f"first open in a process {c['first']:.0f} ms (imports pyqtgraph); median of "
        "later opens",
    )  # fmt: skip
    log("peak memory ...")
    mem = [child("memory", work, clinic)["mb"] for _ in range(runs)]
    mem_floor = [child("memory-floor", work, clinic)["mb"] for _ in range(runs)]
    memory = row(
        "peak RSS: app, big clinic, chart + plot open", mem, mem_floor,
        "process with PySide6.QtWidgets + sqlalchemy + the file open + a pyqtgraph plot shown",
        unit="MB", limit=TARGET_MEMORY_MB,
    )  # fmt: skip
    return [board, search, chart, memory]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help="runs per metric (>= 5)")
    parser.add_argument("--skip-check", action="store_true", help="skip kapdesk check (~minutes)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    runs = max(MIN_RUNS, args.runs)
    started = time.perf_counter()
    tenth = ensure_clinic(*TENTH, log=log)
    big = ensure_clinic(*BIG, log=log)
    work = working_copy(big)
    c = big.counts
    rows: list[Row] = [
        Row(f"big clinic generator ({big.patients:,} patients, {big.years} years)",
            big.build_seconds, None, "", "s", 1, "", None,
            note=f"{big.size_mb:,.0f} MB; {c['sessions']:,} sessions, {c['readings']:,} "
            f"readings, {c['doses']:,} doses, {c['audit']:,} audit entries"
            + ("; built in an earlier run (cached)" if big.reused else "")),
    ]  # fmt: skip
    log("start-up ...")
    rows += startup_rows(work, runs, label=" (big clinic)")
    rows += gui_rows(work, big, runs)
    log("recording readings ...")
    rows += vitals_rows(work, big.end, max(runs, 20))
    if not args.skip_check:
        log("kapdesk check vs integrity_check (1/10 and big) ...")
        rows += check_rows(tenth.path, tenth.counts["audit"], runs, "1/10 clinic")
        rows += check_rows(big.path, c["audit"], runs, "big clinic")
    log("PDFs ...")
    rows += report_rows(runs)
    print(
        f"kapdesk benchmarks: {platform.node()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; median of {runs} "
        f"runs unless said; took {time.perf_counter() - started:.0f} s\n"
    )
    print(render(rows))
    missed = [r.metric for r in rows if r.ok is False]
    print(f"\n{'targets missed: ' + '; '.join(missed) if missed else 'every target met'}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
