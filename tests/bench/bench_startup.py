"""Benchmark: process start to the first kapdesk window painted, against a floor.

    .venv/bin/python tests/bench/bench_startup.py [--runs N] [--db PATH]

Both sides are whole processes started the same way, offscreen, alternately,
on the same database file:

* kapdesk: ``python -m kapdesk --db PATH --quit-after-paint`` (the login window
  on a database with users; it quits right after the first paint);
* floor: a script that imports PySide6.QtWidgets and sqlalchemy, opens the same
  database file and paints an empty QMainWindow.

Both start from bytecode, as an installed kapdesk does (pip writes the .pyc files at
install time, the PyInstaller bundle carries them): the kapdesk package is compiled
first and PYTHONDONTWRITEBYTECODE is dropped from the children's environment. A
developer shell that sets it would otherwise time the compiling of every kapdesk
module on every start.

Prints metric, median of N runs (default 7, at least 5), floor, ratio, target.
Without --db it builds a demo clinic in a temporary folder first. ``run_all.py``
calls :func:`startup_rows` on the big clinic.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import MIN_RUNS, Row, render, row

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
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def compile_package() -> None:
    """Writes the .pyc files of the kapdesk package being measured (as installing it does)."""
    import compileall

    import kapdesk

    package = Path(kapdesk.__file__).resolve().parent
    if not compileall.compile_dir(str(package), quiet=1):
        raise SystemExit(f"could not compile {package}")


def startup_rows(db: Path, runs: int, label: str = "") -> list[Row]:
    """Start-up to the login window painted vs the floor, alternately, ``runs`` times each."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    compile_package()
    app_cmd = [sys.executable, "-m", "kapdesk", "--db", str(db), "--quit-after-paint"]
    floor_cmd = [sys.executable, "-c", FLOOR, str(db)]
    _time(app_cmd, env)  # warm the file cache for both
    _time(floor_cmd, env)
    app_times: list[float] = []
    floor_times: list[float] = []
    for _ in range(runs):
        app_times.append(_time(app_cmd, env))
        floor_times.append(_time(floor_cmd, env))
    return [
        row(
            f"start-up to login window painted{label}",
            app_times,
            floor_times,
            "process running PySide6.QtWidgets + sqlalchemy, opening the same file, "
            "painting an empty QMainWindow",
            ratio_limit=TARGET_RATIO,
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    runs = max(MIN_RUNS, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "demo.sqlite"
            subprocess.run(
                [sys.executable, "-m", "kapdesk", "demo", "--db", str(db), "--patients", "12"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        print(render(startup_rows(db, runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
