"""Command-line benchmarks: whole processes, started as a user starts them (issue 13).

    .venv/bin/python tests/bench/bench_cli.py --db BIG [--small SMALL] [--runs N]

* ``kapdesk report course MRN -o FILE`` for the patient with the most dosing sessions
  (the console script, the report of that patient's most recent course), wall time
  from the command line to the process's exit. Floor: a Python process that imports
  sqlalchemy and reportlab, opens the same file through sqlalchemy (one query),
  registers the report's regular font (DejaVu Sans, from the same package folder) and
  writes a one-page PDF with one line in it. Runs alternate, target < 400 ms. The note
  gives both sides' CPU time (user + system, medians) too: on a shared machine the wall
  time also counts the waits for a core. The app's cache folder (``KAPDESK_CACHE_DIR``:
  reportlab's parsed fonts, kapdesk.reports.font_cache) is the run's own: a timed run
  finds what the run before it left, as every report but a user's first does; each round
  also times a report with that folder emptied first (the first report after an install
  or a reportlab upgrade), given in the note. So is what no report process can go below
  as built: a Python process that only imports the libraries the report path stands on
  (sqlalchemy's Core, which the course summary is read and audited through without the
  ORM, and reportlab's platypus, which lays out pages that flow).
* ``kapdesk list sessions --json > FILE`` on the big clinic: the child's peak resident
  memory (``ru_maxrss`` of that one child, from ``os.wait4`` in a bare interpreter that
  starts it: see :func:`run_child`), against the same command
  on a clinic a tenth its size (``--small``). "Streams" is read as flat memory: the
  peak for ~10x the rows stays within 1.2x of the small one's. Its wall time is given
  as information, against a floor: a Python process that runs the same join with the
  sqlite3 module and writes the rows as a JSON array, one row at a time.

Every command writes to the database (the CLI audits reports and exports): run it on
a copy. Both the app and the floors start from bytecode (the package is compiled
first, as an install does). ``run_all.py`` calls :func:`cli_rows`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import compile_package
from table import MIN_RUNS, Row, render, row

from kapdesk.reports.font_cache import CACHE_ENV
from kapdesk.services.course_print import page_count

TARGET_REPORT_MS = 400.0
TARGET_STREAM_RATIO = 1.2

REPORT_FLOOR = r"""
import io, sys
from importlib.resources import files
import sqlalchemy
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
engine = sqlalchemy.create_engine("sqlite:///" + sys.argv[1])
with engine.connect() as c:
    c.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
font = (files("kapdesk.resources") / "fonts" / "DejaVuSans.ttf").read_bytes()
pdfmetrics.registerFont(TTFont("DejaVuSans", io.BytesIO(font)))
pdf = canvas.Canvas(sys.argv[2])
pdf.setFont("DejaVuSans", 11)
pdf.drawString(72, 720, "Course summary - Nguyễn, Thị Lan")
pdf.showPage()
pdf.save()
"""

LIBRARIES = "import sqlalchemy, reportlab.platypus"

LIST_FLOOR = r"""
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = conn.execute(
    "SELECT s.id, p.mrn, p.family_name, p.given_name, s.scheduled_at, s.state, "
    "c.protocol_id, c.protocol_version FROM dosing_sessions s "
    "JOIN courses c ON s.course_id = c.id JOIN patients p ON c.patient_id = p.id "
    "ORDER BY s.scheduled_at, s.id"
)
out = sys.stdout
out.write("[")
for n, (sid, mrn, family, given, at, state, pid, pver) in enumerate(rows):
    out.write((", " if n else "") + json.dumps({
        "id": sid, "mrn": mrn, "patient": f"{family}, {given}", "scheduled": at,
        "state": state, "protocol": f"{pid} v{pver}"}, ensure_ascii=False))
out.write("]\n")
"""


RUNNER = r"""
import os, subprocess, sys, time
out = subprocess.DEVNULL if sys.argv[1] == "-" else open(sys.argv[1], "wb")
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=out, stderr=subprocess.PIPE)
err = child.stderr.read()
_, status, usage = os.wait4(child.pid, 0)
ms = (time.perf_counter() - start) * 1000
code = os.waitstatus_to_exitcode(status)
if code:
    sys.stderr.write(err.decode(errors="replace"))
    sys.exit(code)
print(ms, usage.ru_maxrss, (usage.ru_utime + usage.ru_stime) * 1000)
"""


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def kapdesk_command() -> list[str]:
    """The console script installed beside this Python (``python -m kapdesk`` without one)."""
    script = Path(sys.executable).with_name("kapdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kapdesk"]


def run_child(cmd: list[str], stdout: Path | None = None) -> tuple[float, float]:
    """Wall milliseconds and peak RSS (MB) of one child process, which must succeed."""
    ms, mb, _ = run_child_usage(cmd, stdout)
    return ms, mb


def run_child_usage(
    cmd: list[str], stdout: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Wall milliseconds, peak RSS (MB) and CPU milliseconds (user + system) of one child
    process, which must succeed.

    Started by a small intermediate Python (``RUNNER``): Linux counts the memory of the
    process a child was forked from (this benchmark's, with kapdesk and reportlab loaded)
    in the child's ``ru_maxrss``; forked from a bare interpreter, that is ~10 MB."""
    runner = [sys.executable, "-S", "-c", RUNNER, str(stdout) if stdout else "-", *cmd]
    done = subprocess.run(runner, env=_env(env), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    ms, kb, cpu = done.stdout.split()
    return float(ms), int(kb) / 1024, float(cpu)  # Linux: kilobytes


def busiest_patient(db: Path) -> tuple[str, int, int]:
    """The MRN of the patient with the most dosing sessions (ties: lowest id), that count,
    and the number of sessions in the patient's most recent course (what is reported)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        pid, mrn, n = conn.execute(
            "SELECT p.id, p.mrn, count(*) n FROM dosing_sessions s "
            "JOIN courses c ON c.id = s.course_id JOIN patients p ON p.id = c.patient_id "
            "GROUP BY p.id ORDER BY n DESC, p.id LIMIT 1"
        ).fetchone()
        (in_course,) = conn.execute(
            "SELECT count(*) FROM dosing_sessions WHERE course_id = (SELECT id FROM courses "
            "WHERE patient_id = ? ORDER BY started_on DESC, id DESC LIMIT 1)",
            (pid,),
        ).fetchone()
    finally:
        conn.close()
    return str(mrn), int(n), int(in_course)


def report_rows(db: Path, runs: int) -> list[Row]:
    mrn, sessions, in_course = busiest_patient(db)
    with tempfile.TemporaryDirectory(prefix="kapdesk-bench-cli-") as tmp:
        out = Path(tmp) / "course.pdf"
        app = [*kapdesk_command(), "report", "course", mrn, "--db", str(db), "-o", str(out)]
        floor = [sys.executable, "-c", REPORT_FLOOR, str(db), str(Path(tmp) / "floor.pdf")]
        libraries = [sys.executable, "-c", LIBRARIES]
        # The app's own cache folder (the parsed fonts: kapdesk.reports.font_cache), never
        # the machine user's: the timed runs find what an earlier report left there, as a
        # user's report does; the first report after an install or a reportlab upgrade
        # finds nothing (runs with the folder emptied first, in the note).
        cache = Path(tmp) / "cache"
        env = {CACHE_ENV: str(cache)}
        run_child_usage(app, env=env)  # warm the file cache for both
        run_child(floor)
        app_ms: list[float] = []
        floor_ms: list[float] = []
        app_cpu: list[float] = []
        floor_cpu: list[float] = []
        no_cache_ms: list[float] = []
        no_cache_cpu: list[float] = []
        libs_ms: list[float] = []
        libs_cpu: list[float] = []
        for _ in range(runs):
            ms, _, cpu = run_child_usage(app, env=env)
            app_ms.append(ms)
            app_cpu.append(cpu)
            ms, _, cpu = run_child_usage(floor)
            floor_ms.append(ms)
            floor_cpu.append(cpu)
            shutil.rmtree(cache)
            ms, _, cpu = run_child_usage(app, env=env)  # writes the cache again
            no_cache_ms.append(ms)
            no_cache_cpu.append(cpu)
            ms, _, cpu = run_child_usage(libraries)
            libs_ms.append(ms)
            libs_cpu.append(cpu)
        pages = page_count(out.read_bytes())
    return [
        row(f"CLI: kapdesk report course, patient with the most sessions ({sessions})",
            app_ms, floor_ms,
            "python process: import sqlalchemy + reportlab, open the same file, register "
            "DejaVu Sans, write a one-page PDF", limit=TARGET_REPORT_MS,
            note=f"whole process from the console script; its most recent course: "
            f"{in_course} sessions, {pages} p.; each run writes an audit entry; CPU (user + "
            f"system): {_median(app_cpu):.0f} ms, floor {_median(floor_cpu):.0f} ms; with no "
            f"font cache yet (first report after an install or reportlab upgrade): "
            f"{_median(no_cache_ms):.0f} ms, CPU {_median(no_cache_cpu):.0f} ms; the libraries "
            f"the report path stands on, imported and nothing else ({LIBRARIES}): "
            f"{_median(libs_ms):.0f} ms, CPU {_median(libs_cpu):.0f} ms"),
    ]  # fmt: skip


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _session_count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM dosing_sessions").fetchone()[0])
    finally:
        conn.close()


def list_rows(big: Path, small: Path, runs: int) -> list[Row]:
    n_big, n_small = _session_count(big), _session_count(small)
    with tempfile.TemporaryDirectory(prefix="kapdesk-bench-cli-") as tmp:
        out = Path(tmp) / "sessions.json"
        cmd = [*kapdesk_command(), "list", "sessions", "--json", "--db"]
        floor = [sys.executable, "-c", LIST_FLOOR, str(big)]
        run_child([*cmd, str(big)], out)  # warm the file cache
        listed = len(json.loads(out.read_text(encoding="utf-8")))
        if listed != n_big:
            raise RuntimeError(f"kapdesk list sessions --json printed {listed} of {n_big}")
        big_runs = [run_child([*cmd, str(big)], out) for _ in range(runs)]
        small_runs = [run_child([*cmd, str(small)], out) for _ in range(runs)]
        floor_runs = [run_child(floor, out) for _ in range(runs)]
    return [
        row(f"CLI: kapdesk list sessions --json, peak RSS ({n_big:,} sessions)",
            [mb for _, mb in big_runs], [mb for _, mb in small_runs],
            f"the same command on the 1/10 clinic ({n_small:,} sessions)", unit="MB",
            ratio_limit=TARGET_STREAM_RATIO,
            note="streams = flat memory: ~10x the rows within 1.2x the peak; ru_maxrss of "
            "the child (os.wait4 in a bare interpreter that starts it), output to a file"),
        row(f"CLI: kapdesk list sessions --json, wall time ({n_big:,} sessions)",
            [ms for ms, _ in big_runs], [ms for ms, _ in floor_runs],
            "python process: the same join with sqlite3, each row written as JSON",
            note=f"{n_small:,} sessions (1/10 clinic): "
            f"{sorted(ms for ms, _ in small_runs)[len(small_runs) // 2]:.0f} ms"),
    ]  # fmt: skip


def cli_rows(big: Path, small: Path, runs: int) -> list[Row]:
    """Both CLI benchmarks; ``big`` and ``small`` are copies (the CLI writes audit entries)."""
    compile_package()
    return report_rows(big, runs) + list_rows(big, small, runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a copy of the big clinic")
    parser.add_argument("--small", type=Path, help="a copy of a clinic a tenth its size")
    parser.add_argument("--runs", type=int, default=MIN_RUNS)
    args = parser.parse_args(argv)
    runs = max(MIN_RUNS, args.runs)
    compile_package()
    rows = report_rows(args.db, runs)
    if args.small is not None:
        rows += list_rows(args.db, args.small, runs)
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
