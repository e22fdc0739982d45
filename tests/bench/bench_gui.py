"""GUI benchmarks on the big clinic, each in a fresh child process (offscreen Qt).

    python tests/bench/bench_gui.py WHAT --db PATH --end ISO [options]

Every child runs the app as users run it (``bench_app``): the app's own QApplication
(stylesheet and icon), the clinic opened as ``run_gui`` opens it (not as a demo), a
clinician signed in through the real sign-in window and the main window shown as
``run_gui`` shows it, its Today board painted and the event loop idle, before anything
is timed.
Each child prints one JSON object on stdout:

* ``search``: on the Patients page of the main window, per keystroke: from the
  search text changing to the result table filled (``PatientList``: setText, then
  the search the 150 ms debounce timer would run), names typed letter by letter,
  ``runs`` rounds after one untimed round. Floor: the app's OWN query, caught as it
  runs (SQLAlchemy ``before_cursor_execute``: the ``LIKE '% x%'`` scan of
  ``patients.search_key``, or the MRN / date forms), run again with the sqlite3
  module on the same file with the same parameters, its rows fetched 100 at a time
  until 50 (what the app's ``yield_per`` stream consumes).
* ``chart --cold ID --warm ID,ID --largest ID``: open patient charts from the
  Patients page (``patient_opened``, what Enter in the list emits): the first chart
  of the process (the first plot, tables and chart widgets of the process; the
  sign-in preload imported pyqtgraph and the chart modules), ``PERSON_MS`` (2 s) after
  the Patients page was shown (a person clicks Patients, types a name and presses Enter).
  The app builds the empty chart ahead while idle (ui/chart_warmup.py: it starts
  ``WARM_AFTER_MS``, 1 s, after the Patients page is built, one part an event-loop turn),
  so this open usually finds the chart built and only fills it; the result says whether
  it was built ahead. Then other patients (warm; a new patient on every open, never the
  same one again), then the largest patient. Two end points per open: the PHQ-9 plot
  painted, and the page accepting input (the event loop idle again). Also the peak RSS
  (VmHWM) right after the first open.
* ``chart-early --cold ID``: the first chart of the process opened as soon as the
  Patients page is painted and the event loop idle (a person double-clicking a listed
  patient at once), before the warm-up's start delay is over: the open builds the whole
  chart (nothing built ahead yet); the result says how long after the page was shown it
  was opened and whether the warm-up had begun.
* ``chart-floor --specs ROWS:COLS:POINTS,...``: per spec, a pyqtgraph PlotWidget of
  POINTS points plus a QTableWidget of ROWS x COLS cells, under the same stylesheet,
  built, shown, painted, idle; pyqtgraph is imported first, untimed (the app's sign-in
  preload imported it before any chart), and the first spec is the first plot and table
  of the process.
* ``memory-floor``: peak RSS of a process that imports PySide6.QtWidgets and
  sqlalchemy, opens the file and shows a pyqtgraph PlotWidget.

Every child uses a FakeClock at the clinic's end time. :func:`search_rows` and
:func:`chart_rows` drive the children and build the rows ``run_all.py`` prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app import (
    PaintWatch,
    now_ms,
    open_clinic,
    peak_rss_mb,
    real_qapp,
    run_loop_for,
    run_until,
    sign_in,
    wait_idle,
    wait_painted,
)
from table import Row, row

SEARCHES = ("müll", "nguy", "simo", "oster", "smith", "o'br", "ji-w", "KAP-12", "1979-")
WARM_OPENS = 3  # warm chart opens per process, each of another ~100-session patient
# From the Patients page shown to the first chart opened (a person's pause), longer than the
# warm-up's start delay (chart_warmup.WARM_AFTER_MS): that row measures a chart built ahead;
# ``chart-early`` measures the first open before the warm-up began.
PERSON_MS = 2000
TARGET_SEARCH_MS = 20.0
TARGET_CHART_COLD_MS = 300.0
TARGET_CHART_MS = 150.0
TARGET_MEMORY_MB = 250.0


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _main_window(db: Path, end: datetime) -> Any:
    """The real app: signed in as a clinician through the sign-in window, the main window
    shown as run_gui shows it, its Today board painted and the event loop idle after."""
    real_qapp()
    window, _ = sign_in(open_clinic(db, end))
    return window


def _until_painted(widget: Any, start: float, what: str) -> tuple[float, float]:
    """Milliseconds from ``start`` (now_ms) to ``widget`` painted and to the loop idle after;
    ``widget`` must not have been painted yet (its paint comes from the event loop)."""
    watch = PaintWatch(widget)
    run_until(lambda: watch.done, 30_000, what)
    painted = (watch.painted_ms or 0.0) - start
    return painted, max(painted, (watch.idle_ms or 0.0) - start)  # two 0-ms timers: any order


def _patients_page(window: Any) -> Any:
    from kapdesk.ui.main_window import PAGE_PATIENTS

    window.show_page(PAGE_PATIENTS)
    page = window.patients_page
    wait_painted(page.list.table.viewport())
    wait_idle()
    return page


# ---------------------------------------------------------------- search


def search(db: Path, end: datetime, runs: int) -> dict[str, Any]:
    from sqlalchemy import event

    from kapdesk.ui.patient_list import RESULT_LIMIT

    window = _main_window(db, end)
    lst = _patients_page(window).list
    caught: list[tuple[str, tuple[Any, ...]]] = []

    def catch(_conn: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: Any) -> None:
        if "FROM patients" in statement:
            caught.append((statement, tuple(params)))

    event.listen(window.app.ctx.db.engine, "before_cursor_execute", catch)
    samples: list[float] = []
    queries: list[tuple[str, tuple[Any, ...]]] = []
    slowest = ("", 0.0)
    for round_ in range(runs + 1):  # the first round warms caches and is not kept
        for word in SEARCHES:
            lst.search.clear()
            lst.run_search()
            for n in range(1, len(word) + 1):
                caught.clear()
                start = time.perf_counter()
                lst.search.setText(word[:n])
                lst.run_search()
                ms = _ms(start)
                if len(caught) != 1:
                    raise RuntimeError(f"{len(caught)} patient queries for {word[:n]!r}")
                if round_:
                    samples.append(ms)
                    queries.append(caught[0])
                    slowest = max(slowest, (word[:n], ms), key=lambda s: s[1])
    event.remove(window.app.ctx.db.engine, "before_cursor_execute", catch)
    return {"samples": samples, "floor": _search_floor(db, queries, RESULT_LIMIT),
            "slowest": slowest, "sql": queries[0][0]}  # fmt: skip


def _search_floor(db: Path, queries: list[tuple[str, tuple[Any, ...]]], limit: int) -> list[float]:
    """The app's own statements, run with sqlite3 on the same file, ``limit`` rows fetched
    100 at a time (as the app's yield_per stream); one untimed round first."""
    conn = sqlite3.connect(db)
    try:
        keystrokes = sum(len(w) for w in SEARCHES)
        out: list[float] = []
        for statement, params in queries[:keystrokes] + queries:
            start = time.perf_counter()
            cur = conn.execute(statement, params)
            got = 0
            while got < limit:
                batch = cur.fetchmany(100)
                if not batch:
                    break
                got += len(batch)
            cur.close()
            out.append(_ms(start))
    finally:
        conn.close()
    return out[keystrokes:]


# ---------------------------------------------------------------- charts


def _open_chart(page: Any, patient: int) -> dict[str, Any]:
    start = now_ms()
    page.list.patient_opened.emit(patient)  # what Enter or a double-click in the list emits
    chart = page.chart
    if chart is None or chart.patient_id != patient:
        raise RuntimeError(f"the chart of patient {patient} did not open")
    painted, idle = _until_painted(chart.outcome_chart.plot.viewport(), start, "chart plot")
    table = chart.sessions_table
    points = len(chart.outcome_chart.curve_data()[0])
    return {"painted": painted, "input": idle, "rows": table.rowCount(),
            "cols": table.columnCount(), "points": points}  # fmt: skip


def chart(db: Path, end: datetime, cold: int, warm: list[int], largest: int) -> dict[str, Any]:
    page = _patients_page(_main_window(db, end))
    run_loop_for(PERSON_MS)
    warmup = getattr(page, "warmup", None)  # None: a checkout without it (A/B runs)
    built_ahead = warmup is not None and warmup.done  # else the open builds what is left
    first = _open_chart(page, cold)
    first["built_ahead"] = built_ahead
    mb = peak_rss_mb()
    later = [_open_chart(page, p) for p in warm]
    return {"cold": first, "mb": mb, "warm": later, "largest": _open_chart(page, largest)}


def chart_early(db: Path, end: datetime, first: int) -> dict[str, Any]:
    """The first chart of the process opened as soon as the Patients page is painted and
    idle: nothing of it built ahead yet (unless the page took longer than the warm-up's
    start delay to show, which the result says)."""
    window = _main_window(db, end)
    shown = now_ms()
    page = _patients_page(window)
    warmup = getattr(page, "warmup", None)
    begun = warmup is not None and bool(warmup.ran)  # a part already built ahead
    after = now_ms() - shown
    opened = _open_chart(page, first)
    return {"cold": {**opened, "after_ms": after, "warmup_begun": begun}}


def chart_floor(specs: list[tuple[int, int, int]]) -> list[dict[str, float]]:
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

    real_qapp()
    import pyqtgraph as pg  # untimed: the app's sign-in preload imported it before any chart

    out: list[dict[str, float]] = []
    for rows, cols, points in specs:
        start = now_ms()
        top = QWidget()
        plot = pg.PlotWidget(background="#ffffff")
        plot.plot([i / 2 for i in range(points)], [(i * 7) % 27 for i in range(points)],
                  symbol="o")  # fmt: skip
        table = QTableWidget(rows, cols)
        for r in range(rows):
            for c in range(cols):
                table.setItem(r, c, QTableWidgetItem(f"cell {r}:{c}"))
        lay = QVBoxLayout(top)
        lay.addWidget(plot)
        lay.addWidget(table)
        top.resize(1200, 760)
        top.show()
        painted, idle = _until_painted(plot.viewport(), start, "floor plot")
        out.append({"painted": painted, "input": idle})
        top.close()
        top.deleteLater()
        wait_idle()
    return out


def memory_floor(db: Path) -> dict[str, Any]:
    import pyqtgraph as pg
    import sqlalchemy

    real_qapp()
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM patients").all()
    plot = pg.PlotWidget()
    plot.plot([1, 2, 3], [3, 1, 2])
    plot.show()
    wait_painted(plot.viewport())
    wait_idle()
    return {"mb": peak_rss_mb()}


# ---------------------------------------------------------------- the parent's side


def child(what: str, db: Path, end: datetime | None, *extra: str) -> Any:
    """Run one benchmark child of this script; its JSON result."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, str(Path(__file__).resolve()), what, "--db", str(db), *extra]
    if end is not None:
        cmd += ["--end", end.isoformat()]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench_gui {what} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def search_rows(work: Path, end: datetime, patients: int, runs: int) -> list[Row]:
    s = child("search", work, end, "--runs", str(runs))
    where = s["sql"].split("WHERE", 1)[-1].split("ORDER BY")[0].strip()
    return [
        row(f"patient search per keystroke ({patients:,} patients)", s["samples"], s["floor"],
            f"the app's own query (WHERE {where}), same parameters, sqlite3 on the same "
            "file, fetched until 50 rows", limit=TARGET_SEARCH_MS,
            note=f"{len(s['samples'])} keystrokes; slowest {s['slowest'][1]:.1f} ms "
            f"(typing {s['slowest'][0]!r})"),
    ]  # fmt: skip


def session_counts(db: Path) -> dict[int, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT c.patient_id, count(*) FROM dosing_sessions s "
            "JOIN courses c ON c.id = s.course_id GROUP BY c.patient_id"
        ).fetchall()
    finally:
        conn.close()
    return {int(p): int(n) for p, n in found}


def chart_plan(counts: dict[int, int], runs: int) -> list[tuple[int, list[int], int, int]]:
    """Per run: for the ``chart`` process a first patient, WARM_OPENS warm ones (all ~100
    sessions, each used once in the whole benchmark) and one of the patients with the most
    sessions; for the ``chart-early`` process another ~100-session first patient."""
    most = sorted(counts, key=lambda p: (-counts[p], p))[:runs]
    near = [p for p in sorted(counts, key=lambda p: (abs(counts[p] - 100), p)) if p not in most]
    per = 1 + WARM_OPENS
    early = near[runs * per :]
    return [(near[i * per], near[i * per + 1 : (i + 1) * per], most[i], early[i])
            for i in range(runs)]  # fmt: skip


def _spans(counts: dict[int, int], patients: list[int]) -> str:
    ns = sorted(counts[p] for p in patients)
    return f"{ns[0]}" if ns[0] == ns[-1] else f"{ns[0]}-{ns[-1]}"


def _median(opens: list[dict[str, Any]], key: str) -> float:
    return statistics.median(o[key] for o in opens)


def chart_rows(work: Path, end: datetime, runs: int) -> list[Row]:
    counts = session_counts(work)
    plan = chart_plan(counts, runs)
    cold, warm, largest, mem, floors, early, f_early = [], [], [], [], [], [], []
    for first, others, big, at_once in plan:
        got = child("chart", work, end, "--cold", str(first), "--largest", str(big),
                    "--warm", ",".join(map(str, others)))  # fmt: skip
        cold.append(got["cold"])
        warm += got["warm"]
        largest.append(got["largest"])
        mem.append(got["mb"])
        opens = [got["cold"], *got["warm"], got["largest"]]
        specs = ",".join(f"{o['rows']}:{o['cols']}:{o['points']}" for o in opens)
        floors.append(child("chart-floor", work, None, "--specs", specs))
        got = child("chart-early", work, end, "--cold", str(at_once))["cold"]
        early.append(got)
        spec = f"{got['rows']}:{got['cols']}:{got['points']}"
        f_early.append(child("chart-floor", work, None, "--specs", spec)[0])
    f_cold = [f[0] for f in floors]
    f_warm = [x for f in floors for x in f[1:-1]]
    f_largest = [f[-1] for f in floors]
    mem_floor = [child("memory-floor", work, None)["mb"] for _ in range(runs)]
    floor = ("a pyqtgraph PlotWidget with the same points + a QTableWidget of the same "
             "size, same stylesheet, built, shown, painted, idle")  # fmt: skip

    def chart_row(what: str, opens: list[dict[str, Any]], fl: list[dict[str, Any]],
                  limit: float, extra: str = "", more: str = "") -> Row:  # fmt: skip
        rows = sorted(o["rows"] for o in opens)
        return row(what, [o["input"] for o in opens], [f["input"] for f in fl], floor + extra,
                   limit=limit,
                   note=f"end point: the page accepting input; plot painted at "
                   f"{_median(opens, 'painted'):.0f} ms (floor {_median(fl, 'painted'):.0f} "
                   f"ms); {len(opens)} opens, a new patient each; {rows[0]}-{rows[-1]} rows in "
                   f"the sessions table{more}")  # fmt: skip

    ahead = sum(bool(c.get("built_ahead")) for c in cold)
    cold_more = (
        f"; opened {PERSON_MS} ms after the Patients page was shown: the empty chart was "
        f"built ahead while idle (ui/chart_warmup.py) in {ahead} of {len(cold)} processes "
        "(else what was left was built at the open), so this open mostly fills it"
    )
    begun = sum(bool(e.get("warmup_begun")) for e in early)
    early_more = (
        f"; opened {_median(early, 'after_ms'):.0f} ms (median) after the Patients page was "
        "shown, once painted and idle: the whole chart built at the open; the warm-up had "
        f"begun before it in {begun} of {len(early)} processes"
    )
    first_floor = ("; the first plot and table in a fresh process (pyqtgraph imported "
                   "before, untimed, as the sign-in preload does)")  # fmt: skip

    n_cold = _spans(counts, [c for c, *_ in plan])
    n_warm = _spans(counts, [p for _, w, *_ in plan for p in w])
    n_largest = _spans(counts, [b for _, _, b, _ in plan])
    n_early = _spans(counts, [e for *_, e in plan])
    return [
        chart_row(f"first chart open in a process, as soon as the Patients page is shown "
                  f"(nothing built ahead yet), {n_early} sessions", early, f_early,
                  TARGET_CHART_COLD_MS, first_floor, early_more),
        chart_row(f"first chart open in a process, {PERSON_MS / 1000:g} s after the Patients "
                  f"page is shown (chart built ahead while idle), {n_cold} sessions", cold,
                  f_cold, TARGET_CHART_COLD_MS, first_floor, cold_more),
        chart_row(f"chart open (warm), another patient each time, {n_warm} sessions", warm,
                  f_warm, TARGET_CHART_MS),
        chart_row(f"chart open (warm), the largest patients, {n_largest} sessions", largest,
                  f_largest, TARGET_CHART_MS),
        row("peak RSS: app, big clinic, board + first chart open", mem, mem_floor,
            "process with PySide6.QtWidgets + sqlalchemy + the file open + a pyqtgraph plot "
            "shown", unit="MB", limit=TARGET_MEMORY_MB),
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--end", type=datetime.fromisoformat)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", type=int)
    parser.add_argument("--largest", type=int)
    parser.add_argument("--warm", type=lambda v: [int(x) for x in v.split(",") if x], default=[])
    parser.add_argument("--specs", default="")
    a = parser.parse_args()
    specs = [tuple(int(x) for x in s.split(":")) for s in a.specs.split(",") if s]
    result = {
        "search": lambda: search(a.db, a.end, a.runs),
        "chart": lambda: chart(a.db, a.end, a.cold, a.warm, a.largest),
        "chart-early": lambda: chart_early(a.db, a.end, a.cold),
        "chart-floor": lambda: chart_floor(specs),  # type: ignore[arg-type]
        "memory-floor": lambda: memory_floor(a.db),
    }[a.what]()
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Qt/pyqtgraph teardown: nothing is measured after this


if __name__ == "__main__":
    raise SystemExit(main())
