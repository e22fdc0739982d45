"""Benchmark: process start to the first kapdesk window painted, against a floor.

    .venv/bin/python tests/bench/bench_startup.py [--runs N] [--db PATH]

Both sides are whole processes started the same way, offscreen, alternately,
on the same database file:

* kapdesk: ``python -m kapdesk --db PATH --quit-after-paint`` (the login window
  on a database with users; it quits right after the first paint);
* floor: a script that imports PySide6.QtWidgets and sqlalchemy, opens the same
  database file and paints an empty QMainWindow.

Prints metric, median of N runs (default 7, at least 5), floor, ratio, target.
Without --db it builds a demo clinic in a temporary folder first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.3

FLOOR = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import sqlalchemy
engine = sqlalchemy.create_engine("sqlite:///" + sys.argv[1])
with engine.connect() as c:
    c.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.resize(640, 480)
w.show()
w.repaint()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    runs = max(5, args.runs)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "demo.sqlite"
            subprocess.run(
                [sys.executable, "-m", "kapdesk", "demo", "--db", str(db), "--patients", "12"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        app_cmd = [sys.executable, "-m", "kapdesk", "--db", str(db), "--quit-after-paint"]
        floor_cmd = [sys.executable, "-c", FLOOR, str(db)]
        _time(app_cmd, env)  # warm the file cache for both
        _time(floor_cmd, env)
        app_times: list[float] = []
        floor_times: list[float] = []
        for _ in range(runs):
            app_times.append(_time(app_cmd, env))
            floor_times.append(_time(floor_cmd, env))
    app_med = statistics.median(app_times)
    floor_med = statistics.median(floor_times)
    ratio = app_med / floor_med
    print(f"{'metric':<34} {'median':>9} {'floor':>9} {'ratio':>6}  target")
    print(
        f"{'start-up to login window painted':<34} {app_med * 1000:>7.0f}ms "
        f"{floor_med * 1000:>7.0f}ms {ratio:>6.2f}  <= {TARGET_RATIO}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
