"""Benchmark: how long the interface stops responding after the login window paints, and
during a clean exit (the exit backup), in the app as users run it (``run_gui``).

    .venv/bin/python tests/bench/bench_login_exit.py --db COPY.sqlite [--runs N] [--code DIR]

Each run is a whole process: ``run_gui`` on a copy of a clinic (it writes the exit
backup beside it, in ``backups/``, removed after each run), with a 2 ms QTimer on the GUI
thread started before the app. The figures are the longest gap between two of its ticks:

* login: from the login window's first paint (its paintEvent notes it) for 6 s, the
  preload included, then the window is cancelled; ``floor``: the same without the
  preload (what the machine's load alone costs the GUI thread, same window, same run).
  Also the preload's longest GUI step (one event-loop turn of kapdesk.ui.preload), by
  wall time and by the GUI thread's CPU time (``time.thread_time``: what the step itself
  costs, without the waits a loaded machine adds), and which step it was (stderr);
* exit: the person signs in (admin / ``--password``), the main window is closed after
  1 s, and from that moment until ``run_gui`` returns (the exit backup included); also
  the time from the close until the backup file exists (renamed from ``.partial``).

``--code DIR`` runs another checkout's ``kapdesk`` (e.g. an older commit unpacked with
``git archive``) for a before/after comparison in the same session. Prints medians and
maxima over the runs. Wall-clock on a shared 2-core machine: compare in one session.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

DRIVER = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from kapdesk.ui.run import _qapplication, run_gui

db, mode, password = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
if mode == "floor":  # the same login window, nothing loaded after its paint
    from kapdesk.ui import preload
    preload.Preloader.start = lambda self: None
    mode = "login"
qapp = _qapplication()
steps = []  # (wall ms, GUI-thread CPU ms, step) of each preload step (login mode)
if mode == "login":
    from kapdesk.ui import preload

    def timed_step(self, step, _run=preload.Preloader._run_step):
        wall, cpu = time.perf_counter(), time.thread_time()
        again = _run(self, step)
        name = getattr(step, "__qualname__", repr(step))
        for cell in getattr(step, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, (str, int)):
                name += f"[{value}]"  # which module, or which piece of pyqtgraph
        steps.append(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000,
                      name.replace("<locals>.", "")))
        return again

    preload.Preloader._run_step = timed_step
ticks = []
state = {"paint": None, "closed": None, "backup_at": None, "dialog": None}
folder = db.parent / "backups"

from kapdesk.ui.login import LoginDialog

def painted(self, event):  # the login window's first paint, whenever it comes
    if state["paint"] is None:
        state["paint"] = time.perf_counter()
    return QDialog.paintEvent(self, event)

LoginDialog.paintEvent = painted

def tick():
    now = time.perf_counter()
    ticks.append(now)
    modal = QApplication.activeModalWidget()
    if state["dialog"] is None and modal is not None and type(modal).__name__ == "LoginDialog":
        state["dialog"] = modal
        state["seen"] = now
        if mode == "exit":
            modal.username.edit.setText("admin")
            modal.password.edit.setText(password)
            QTimer.singleShot(100, modal.buttons.accepted.emit)
    start = state["paint"] or state.get("seen")
    if mode == "login" and start and now - start > 6 and state["dialog"].isVisible():
        state["dialog"].reject()
    if mode == "exit" and state["closed"] is None:
        window = next((w for w in QApplication.topLevelWidgets()
                       if type(w).__name__ == "MainWindow" and w.isVisible()), None)
        if window is not None:
            state.setdefault("shown", now)
            if now - state["shown"] > 1:
                state["closed"] = time.perf_counter()
                window.close()
    if state["closed"] and state["backup_at"] is None and folder.is_dir():
        if any(p.name.endswith("-exit.bak") for p in folder.iterdir()):
            state["backup_at"] = now

timer = QTimer()
timer.setInterval(2)
timer.timeout.connect(tick)
timer.start()
code = run_gui(db, demo=False)
end = time.perf_counter()
ticks.append(end)

def longest(after):  # the gap that spans ``after`` counts from ``after`` on
    gaps = [b - max(a, after) for a, b in zip(ticks, ticks[1:]) if b > after]
    return max(gaps) * 1000 if gaps else None

if mode == "login":
    start = state["paint"] or state["seen"]
    if steps:
        wall, cpu = max(steps), max(steps, key=lambda s: s[1])
        print(f"{len(steps)} preload steps; longest by wall {wall[0]:.1f} ms ({wall[2]}, "
              f"CPU {wall[1]:.1f}); by CPU {cpu[1]:.1f} ms ({cpu[2]})", file=sys.stderr)
        print(json.dumps({"login_stall_ms": longest(start), "longest_step_ms": wall[0],
                          "longest_step_cpu_ms": cpu[1]}))
    else:
        print(json.dumps({"login_stall_ms": longest(start)}))
else:
    print(json.dumps({
        "exit_stall_ms": longest(state["closed"]),
        "backup_s": (state["backup_at"] - state["closed"]) if state["backup_at"] else None,
        "exit_total_s": end - state["closed"],
    }))
    gaps = sorted(((b - max(a, state["closed"]), a - state["closed"])
                   for a, b in zip(ticks, ticks[1:]) if b > state["closed"]), reverse=True)[:5]
    print("top gaps (s, at s after close):", [(round(g, 3), round(t, 3)) for g, t in gaps],
          file=sys.stderr)
"""


def run_once(db: Path, mode: str, password: str, code: Path | None) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: from bytecode
    if code is not None:
        env["PYTHONPATH"] = str(code)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(db), mode, password],
        env=env,
        cwd=db.parent,  # not this checkout: ``-c`` puts the working folder first on sys.path
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    # The backups go; the anchors of the audit chain stay, as in a clinic (without them
    # each backup re-hashes the whole chain: a minute at big-clinic size).
    for made in (db.parent / "backups").glob("*.bak*"):
        made.unlink()
    if os.environ.get("BENCH_VERBOSE"):
        print(done.stderr[-2000:], file=sys.stderr)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a COPY of a clinic")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--password", default="demo")
    parser.add_argument("--code", type=Path, default=None, help="another checkout's root")
    parser.add_argument("--only", choices=("login", "floor", "exit"), default=None)
    args = parser.parse_args()
    modes = [args.only] if args.only else ["login", "exit"]
    for mode in modes:
        if mode == "exit" and not list((args.db.parent / "backups").glob("*.anchors")):
            run_once(args.db, mode, args.password, args.code)  # the first anchor: not counted
        results = [run_once(args.db, mode, args.password, args.code) for _ in range(args.runs)]
        for key in results[0]:
            values = [r[key] for r in results if r[key] is not None]
            if values:
                print(
                    f"{key:20} median {statistics.median(values):8.1f}  "
                    f"max {max(values):8.1f}  ({', '.join(f'{v:.1f}' for v in values)})"
                )


if __name__ == "__main__":
    main()
