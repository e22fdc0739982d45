"""The big clinic on the clinic server (issue 14): built there once, then patient search and
charts against it, measured as ``bench_gui`` measures them on the file (bench_pg.py).

The server database comes from the cached big clinic file (``bigdb.ensure_clinic``, or
``--big FILE``) by ``kapdesk migrate`` (``pg_clinics.ensure_server_clinic``: ~30 min the first
time, kept afterwards). Search and charts run on a copy of it (the app audits chart views):

* patient search per keystroke: ``pg_gui_child search`` (the app's own statements replayed
  through psycopg as the floor);
* charts: ``bench_gui.chart`` and ``bench_gui.chart_early`` on the server's main window,
  a new patient every open (the plan of ``bench_gui.chart_plan``), the floors from
  ``bench_gui``'s own ``chart-floor`` child (a pyqtgraph plot + a table of the same size:
  no database in it).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import bench_gui
from pg_clinics import connect, ensure_server_clinic, gui_child, working
from table import Row, row

Log = Callable[[str], object]


def _counts(db: str) -> dict[int, int]:
    with connect(db) as conn:
        found = conn.execute(
            "SELECT c.patient_id, count(*) FROM dosing_sessions s "
            "JOIN courses c ON c.id = s.course_id GROUP BY c.patient_id"
        ).fetchall()
    return {int(p): int(n) for p, n in found}


def big_rows(big: Path | None, end: datetime, runs: int, log: Log) -> list[Row]:
    if big is None:
        from bigdb import ensure_clinic

        big = ensure_clinic(5000, 5, log=log).path
    cached, note, built = ensure_server_clinic(big, log)
    took = re.search(r"built in (\d+) s", note)
    kept = "" if built else " (built in an earlier run, kept)"
    rows = [Row("the big clinic on the server (kapdesk migrate from the file, VACUUM ANALYZE)",
                float(took[1]) if took else 0.0, None, "", "s", 1, "", None,
                note=f"{cached}: {note}{kept}")]  # fmt: skip

    def child(what: str, db: str, *extra: str) -> Any:
        return gui_child(what, db, end, *extra)

    with working(cached, "kapdesk_bench_work_big") as db:
        patients = _patients(db)
        log("  patient search on the server ...")
        s = child("search", db, "--runs", str(runs))
        where = s["sql"].split("WHERE", 1)[-1].split("ORDER BY")[0].strip()
        rows.append(
            row(
                f"patient search per keystroke on the server ({patients:,} patients)",
                s["samples"],
                s["floor"],
                f"the app's own query (WHERE {' '.join(where.split())}), "
                "same parameters, psycopg on the same server, fetched until 50 rows",
                limit=bench_gui.TARGET_SEARCH_MS,
                note=f"{len(s['samples'])} keystrokes; slowest {s['slowest'][1]:.1f} ms "
                f"(typing {s['slowest'][0]!r})",
            )
        )
        log("  charts on the server ...")
        rows += _chart_rows(db, runs, child)
    return rows


def _patients(db: str) -> int:
    with connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM patients").fetchone()[0])


def _floor(specs: str) -> list[dict[str, float]]:
    """bench_gui's chart-floor child (no database: --db is not read)."""
    return bench_gui.child("chart-floor", Path("-"), None, "--specs", specs)  # type: ignore[no-any-return]


def _chart_rows(db: str, runs: int, child: Callable[..., Any]) -> list[Row]:
    counts = _counts(db)
    plan = bench_gui.chart_plan(counts, runs)
    cold, warm, largest, early = [], [], [], []
    f_cold, f_warm, f_largest, f_early = [], [], [], []
    for first, others, big, at_once in plan:
        got = child("chart", db, "--cold", str(first), "--largest", str(big),
                    "--warm", ",".join(map(str, others)))  # fmt: skip
        opens = [got["cold"], *got["warm"], got["largest"]]
        fl = _floor(",".join(f"{o['rows']}:{o['cols']}:{o['points']}" for o in opens))
        cold.append(got["cold"])
        warm += got["warm"]
        largest.append(got["largest"])
        f_cold.append(fl[0])
        f_warm += fl[1:-1]
        f_largest.append(fl[-1])
        e = child("chart-early", db, "--cold", str(at_once))["cold"]
        early.append(e)
        f_early.append(_floor(f"{e['rows']}:{e['cols']}:{e['points']}")[0])
    floor = ("a pyqtgraph PlotWidget with the same points + a QTableWidget of the same size, "
             "same stylesheet, built, shown, painted, idle (no database)")  # fmt: skip

    def chart_row(what: str, opens: list[dict[str, Any]], fl: list[dict[str, Any]],
                  limit: float, patients: list[int]) -> Row:  # fmt: skip
        ns = sorted(counts[p] for p in patients)
        span = f"{ns[0]}" if ns[0] == ns[-1] else f"{ns[0]}-{ns[-1]}"
        return row(f"{what}, {span} sessions, on the server",
                   [o["input"] for o in opens], [f["input"] for f in fl], floor, limit=limit,
                   note=f"end point: the page accepting input; plot painted at "
                   f"{statistics.median(o['painted'] for o in opens):.0f} ms; {len(opens)} "
                   "opens, a new patient each")  # fmt: skip

    ahead = sum(bool(c.get("built_ahead")) for c in cold)
    return [
        chart_row("first chart open, as soon as the Patients page is shown", early, f_early,
                  bench_gui.TARGET_CHART_COLD_MS, [p[3] for p in plan]),
        chart_row(f"first chart open, {bench_gui.PERSON_MS / 1000:g} s after the Patients page "
                  f"(built ahead in {ahead} of {len(cold)} processes)", cold, f_cold,
                  bench_gui.TARGET_CHART_COLD_MS, [p[0] for p in plan]),
        chart_row("chart open (warm), another patient each time", warm, f_warm,
                  bench_gui.TARGET_CHART_MS, [w for p in plan for w in p[1]]),
        chart_row("chart open (warm), the largest patients", largest, f_largest,
                  bench_gui.TARGET_CHART_MS, [p[2] for p in plan]),
    ]  # fmt: skip
