"""GUI benchmarks on the big clinic, each in a fresh child process (offscreen Qt).

    python tests/bench/bench_gui.py WHAT --db PATH --end ISO [--patient ID] [--runs N]

WHAT (each prints one JSON object on stdout):

* ``board`` / ``board-floor``: from signed in (database open, actor known) to
  the Today board painted: build the main window (its modules were imported
  while the login window waited, ``kapdesk.ui.run.preload_for_sign_in``, as the
  app does), show it, first paint of the board's table. Floor: a QMainWindow
  with a QTableWidget of the same number of rows of static text, shown and
  painted.
* ``search``: per keystroke, from the search text changing to the result model
  filled (``PatientList``: setText, then the search the 150 ms debounce timer
  would run), over several names typed letter by letter, ``runs`` times each.
  Floor: the bare SQL of a 50-row name-prefix query (sqlite3 module, same file).
* ``chart``: open a patient's chart (PatientsPage.open_patient: audit of the
  view, service reads, course selector, tables, PHQ-9 plot) until the plot is
  painted. The first open (pyqtgraph imported then) is reported apart; the
  median is of the later opens. Floor: a pyqtgraph PlotWidget with the same
  PHQ-9 points plus a QTableWidget with the same number of session rows,
  built, shown and painted.
* ``memory`` / ``memory-floor``: peak RSS (VmHWM) of the app after opening the
  chart with its plot; floor: a process that imports PySide6.QtWidgets and
  sqlalchemy, opens the file and shows a pyqtgraph PlotWidget.

Every child uses a FakeClock at the clinic's end time, so the board is the
build day's board. ``run_all.py`` drives these and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

SEARCHES = ("müll", "nguy", "simo", "oster", "smith", "o'br", "ji-w", "KAP-12", "1979-")


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _qapp() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["kapdesk-bench"])


def wait_painted(widget: Any, timeout_ms: int = 10_000) -> None:
    """Run the event loop until ``widget`` has received a paint event."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    loop = QEventLoop()
    seen: list[bool] = []

    class Filter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not seen:
                seen.append(True)
                QTimer.singleShot(0, loop.quit)
            return False

    f = Filter()
    widget.installEventFilter(f)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    widget.removeEventFilter(f)
    if not seen:
        raise RuntimeError(f"{type(widget).__name__} was not painted within {timeout_ms} ms")


def _app(db: Path, end: datetime) -> Any:
    """The AppContext of a signed-in clinician (no password check: it is not measured)."""
    from kapdesk.domain.clock import FakeClock
    from kapdesk.services.users import UserService, actor_of
    from kapdesk.ui.app_context import build_app_context

    app = build_app_context(db, demo=True, clock=FakeClock(end))
    users = {u.username: u for u in UserService(app.ctx).list_users()}
    app.actor = actor_of(users["clinician"])
    return app


def board(db: Path, end: datetime) -> dict[str, Any]:
    from kapdesk.ui.run import preload_for_sign_in

    qapp = _qapp()
    app = _app(db, end)
    preload_for_sign_in(app)  # as the app does while the login window waits for the password
    start = time.perf_counter()
    from kapdesk.ui.main_window import MainWindow

    window = MainWindow(app)
    window.show()
    wait_painted(window.today.table.viewport())
    ms = (time.perf_counter() - start) * 1000
    rows = window.today.model.rowCount()
    window.close()
    qapp.processEvents()
    return {"ms": ms, "rows": rows}


def board_floor(db: Path, end: datetime, rows: int) -> dict[str, Any]:
    from PySide6.QtWidgets import QMainWindow, QTableWidget, QTableWidgetItem

    qapp = _qapp()
    _app(db, end)
    start = time.perf_counter()
    window = QMainWindow()
    table = QTableWidget(rows, 8)
    for r in range(rows):
        for c in range(8):
            table.setItem(r, c, QTableWidgetItem(f"cell {r}:{c}"))
    window.setCentralWidget(table)
    window.resize(1280, 800)
    window.show()
    wait_painted(table.viewport())
    ms = (time.perf_counter() - start) * 1000
    window.close()
    qapp.processEvents()
    return {"ms": ms}


def search(db: Path, end: datetime, runs: int) -> dict[str, Any]:
    from kapdesk.ui.patient_list import RESULT_LIMIT, PatientList

    _qapp()
    app = _app(db, end)
    lst = PatientList(app)
    lst.resize(400, 700)
    lst.show()
    samples: list[float] = []
    slowest = ("", 0.0)
    for _ in range(runs + 1):  # the first round warms caches and is not kept
        kept: list[float] = []
        for word in SEARCHES:
            lst.search.clear()
            lst.run_search()
            for n in range(1, len(word) + 1):
                start = time.perf_counter()
                lst.search.setText(word[:n])
                lst.run_search()
                ms = (time.perf_counter() - start) * 1000
                kept.append(ms)
                if ms > slowest[1]:
                    slowest = (word[:n], ms)
        if _ > 0:
            samples += kept
    conn = sqlite3.connect(db)
    floor: list[float] = []
    query = (
        "SELECT id, mrn, family_name, given_name, date_of_birth FROM patients "
        "WHERE family_name LIKE ? ORDER BY family_name, given_name, id LIMIT ?"
    )
    for _ in range(runs + 1):
        for word in SEARCHES:
            for n in range(1, len(word) + 1):
                start = time.perf_counter()
                conn.execute(query, (word[:n] + "%", RESULT_LIMIT)).fetchall()
                floor.append((time.perf_counter() - start) * 1000)
    conn.close()
    keystrokes = sum(len(w) for w in SEARCHES)
    return {"samples": samples, "floor": floor[keystrokes:], "slowest": slowest}


def _long_patient(db: Path) -> tuple[int, int]:
    """The patient whose session count is closest to 100 (ties: lowest id)."""
    conn = sqlite3.connect(db)
    try:
        pid, n = conn.execute(
            "SELECT c.patient_id, count(*) n FROM dosing_sessions s "
            "JOIN courses c ON c.id = s.course_id GROUP BY c.patient_id "
            "ORDER BY abs(count(*) - 100), c.patient_id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return int(pid), int(n)


def chart(db: Path, end: datetime, runs: int) -> dict[str, Any]:
    from kapdesk.ui.patients_page import PatientsPage

    qapp = _qapp()
    app = _app(db, end)
    patient, sessions = _long_patient(db)
    page = PatientsPage(app)
    page.resize(1200, 760)
    page.show()
    wait_painted(page)
    times: list[float] = []
    for _ in range(runs + 1):
        old = page.chart
        if old is not None:  # open afresh (a second open of the same chart only refreshes)
            page.stack.removeWidget(old)
            old.deleteLater()
            page.chart = None
            qapp.processEvents()
        start = time.perf_counter()
        chart = page.open_patient(patient)
        wait_painted(chart.outcome_chart.plot.viewport())
        times.append((time.perf_counter() - start) * 1000)
        qapp.processEvents()
    points = len(chart.outcome_chart.curve.getData()[0])
    return {"first": times[0], "samples": times[1:], "sessions": sessions,
            "rows": chart.sessions_table.rowCount(), "points": points}  # fmt: skip


def chart_floor(db: Path, end: datetime, runs: int, rows: int, points: int) -> dict[str, Any]:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

    qapp = _qapp()
    _app(db, end)
    times: list[float] = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        top = QWidget()
        plot = pg.PlotWidget(background="#ffffff")
        plot.plot(list(range(points)), [(i * 7) % 27 for i in range(points)], symbol="o")
        table = QTableWidget(rows, 5)
        for r in range(rows):
            for c in range(5):
                table.setItem(r, c, QTableWidgetItem(f"cell {r}:{c}"))
        lay = QVBoxLayout(top)
        lay.addWidget(plot)
        lay.addWidget(table)
        top.resize(1200, 760)
        top.show()
        wait_painted(plot.viewport())
        times.append((time.perf_counter() - start) * 1000)
        top.close()
        qapp.processEvents()
    return {"samples": times[1:]}


def memory(db: Path, end: datetime) -> dict[str, Any]:
    from kapdesk.ui.main_window import MainWindow

    qapp = _qapp()
    app = _app(db, end)
    window = MainWindow(app)
    window.show()
    wait_painted(window.today.table.viewport())
    patient, _ = _long_patient(db)
    window.open_patient(patient)
    chart = window.patients_page.chart  # type: ignore[union-attr]
    wait_painted(chart.outcome_chart.plot.viewport())
    qapp.processEvents()
    return {"mb": _peak_rss_mb()}


def memory_floor(db: Path) -> dict[str, Any]:
    import pyqtgraph as pg
    import sqlalchemy

    qapp = _qapp()
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM patients").all()
    plot = pg.PlotWidget()
    plot.plot([1, 2, 3], [3, 1, 2])
    plot.show()
    wait_painted(plot.viewport())
    qapp.processEvents()
    return {"mb": _peak_rss_mb()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--end", type=datetime.fromisoformat)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--points", type=int, default=0)
    a = parser.parse_args()
    result = {
        "board": lambda: board(a.db, a.end),
        "board-floor": lambda: board_floor(a.db, a.end, a.rows),
        "search": lambda: search(a.db, a.end, a.runs),
        "chart": lambda: chart(a.db, a.end, a.runs),
        "chart-floor": lambda: chart_floor(a.db, a.end, a.runs, a.rows, a.points),
        "memory": lambda: memory(a.db, a.end),
        "memory-floor": lambda: memory_floor(a.db),
    }[a.what]()
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Qt/pyqtgraph teardown: nothing is measured after this


if __name__ == "__main__":
    raise SystemExit(main())
