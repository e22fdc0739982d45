"""Board, sign-in, login window and exit benchmarks of the app as users run it.

    .venv/bin/python tests/bench/bench_board.py --db BIG.sqlite [--end ISO] [--runs N]
                                                [--sizes 5,50,own,300] [--no-exit]

Every measurement runs in a fresh child process (board_child.py) on the real app
(bench_app.py: the app's QApplication with its stylesheet and icon, the clinic opened as
run_gui opens it, sign-in typed into the sign-in window, the main window with its
lock-screen stack shown as run_gui shows it). Boards of 5, 50, the big clinic's own day
(73-79) and 300 rows are real boards on cached copies (board_prep.py); a benchmark works on
a fresh copy of them, never on the source file.

Rows (medians of ``runs`` child processes; floors measured in the same run):

* sign-in to the Today board painted / accepting input (from the sign-in window accepted),
  cold (the first sign-in of the process) and warm (signed out and in again, as after a
  restore); floor: a QMainWindow of the same size with a same-size QTableWidget of static
  text, built, shown and painted, under the same QApplication (stylesheet, fonts);
* the per-second tick when the minute turns (countdowns change) until the table is
  repainted, and the tick that re-queries (rows 5 s old) as the longest stall of the GUI
  thread until the new rows are applied and repainted (the query itself runs on the board
  store's worker thread); floor: the time columns of the floor table rewritten and
  repainted;
* key press to the reading painted on the board / accepting input (Enter in the vitals
  dialog opened with V to the LAST paint after the board's table was repainted with the
  reading, e.g. the full repaint of the re-activated main window, and to the event loop
  idle after it); floor: the same INSERTs (reading + audit entry) and COMMIT through
  sqlite3 on the same file plus one cell repainted, to its last paint / idle; the service
  call alone as information;
* the sign-in window's longest stall after its first paint (the preload), and a clean
  exit's longest stall from closing the main window until run_gui has returned (exit
  backup; the time that took as information); floor: a bare event loop's longest gap.

``run_all.py`` calls :func:`board_rows` and :func:`exit_rows`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from board_prep import CACHE, board_clinics, copy_file, remove_db  # noqa: E402
from table import Row, render, row  # noqa: E402

TARGET_SIGN_IN_MS = 150.0  # at the clinic's own day (73 rows) and fewer
TARGET_SIGN_IN_300_MS = 300.0
TARGET_TICK_MS = 5.0  # at the clinic's own day
TARGET_READING_MS = 50.0
TARGET_LOGIN_STALL_MS = 50.0
TARGET_EXIT_STALL_MS = 200.0
WORK = CACHE / "board-work" / "work.sqlite"
EXIT_WORK = CACHE / "exit-work" / "work.sqlite"


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def child(what: str, db: Path, end: datetime, *extra: str) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / "board_child.py"), what, "--db", str(db),
           "--end", end.isoformat(), *extra]  # fmt: skip
    done = subprocess.run(cmd, env=dict(os.environ), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"board_child {what} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _all(results: list[dict[str, Any]], key: str) -> list[float]:
    """Every sample of ``key`` over the runs (a value or a list per run)."""
    out: list[float] = []
    for r in results:
        value = r[key]
        out += value if isinstance(value, list) else [value]
    return out


def _sign_in_rows(n: int, s: list[dict[str, Any]], f: list[dict[str, Any]]) -> list[Row]:
    limit = TARGET_SIGN_IN_300_MS if n > 100 else TARGET_SIGN_IN_MS
    floor_name = (f"a QMainWindow 1280x800 with a static {n}x7 QTableWidget built, shown and "
                  "painted (same QApplication, stylesheet, fonts)")  # fmt: skip
    idle_name = floor_name + ", until the event loop is idle"
    out = []
    for when in ("cold", "warm"):
        note = ("first sign-in in a fresh process" if when == "cold" else
                "signed out and in again in the same process (as after a restore)")  # fmt: skip
        out.append(row(f"sign-in to Today board painted, {when} ({n} rows)",
                       _all(s, f"{when}_painted"), _all(f, "painted"), floor_name,
                       limit=limit, note=note))  # fmt: skip
        out.append(row(f"sign-in to Today board accepting input, {when} ({n} rows)",
                       _all(s, f"{when}_idle"), _all(f, "idle"), idle_name, limit=limit,
                       note="a 0-ms timer started at the board's first paint fired"))  # fmt: skip
    return out


def _tick_rows(n: int, s: list[dict[str, Any]], f: list[dict[str, Any]], own: bool) -> list[Row]:
    repainted = sum(r["tick_minute_repainted"] for r in s)
    minute = _all(s, "tick_minute")
    plain = _all(s, "tick_plain")
    applied = _all(s, "requery_applied")
    floor_name = f"the two time columns of a static {n}-row QTableWidget rewritten and repainted"
    return [
        row(f"per-second board tick as the minute turns, until repainted ({n} rows)", minute,
            _all(f, "tick"), floor_name, limit=TARGET_TICK_MS if own else None,
            note=f"{repainted} of {len(minute)} repainted (the others changed no visible "
            f"cell); a second that changes nothing: median {sorted(plain)[len(plain) // 2]:.1f}"
            f" ms, slowest {max(plain):.1f} ms"),
        row(f"per-second board tick that re-queries (every 5 s): longest GUI stall ({n} rows)",
            _all(s, "tick_requery"), _all(f, "tick"), floor_name,
            note="the longest gap of a 2-ms timer from the tick until 50 ms after the new rows "
            "were applied (the query runs on the board store's worker thread; applied after a "
            f"median {sorted(applied)[len(applied) // 2]:.0f} ms)"),
    ]  # fmt: skip


def _median(s: list[dict[str, Any]], key: str) -> float:
    return sorted(_all(s, key))[len(s) // 2]


def _reading_rows(n: int, s: list[dict[str, Any]], f: list[dict[str, Any]]) -> list[Row]:
    floor_name = ("the same INSERTs (reading + audit entry) + COMMIT through sqlite3 on the "
                  "same file, synchronous=FULL, plus one cell of the floor table repainted, to "
                  "its last paint")  # fmt: skip
    then = (f"(the board reloaded after a median {_median(s, 'reading_loaded'):.0f} ms, its "
            f"table first painted after {_median(s, 'reading_first_paint'):.0f} ms; a median "
            f"{_median(s, 'reading_paints'):.0f} paint events)")  # fmt: skip
    limit = TARGET_READING_MS if n <= 100 else None
    return [
        row(f"key press (Enter) to the reading painted on the board, last paint ({n} rows)",
            _all(s, "reading"), _all(f, "reading"), floor_name, limit=limit,
            note="V on the board's row with a reading due, four values typed, Enter; to the "
            "last paint of the app after the board's table was repainted with the reading "
            f"(no paint for {_median(s, 'reading_quiet'):.0f} ms after, not counted) {then}"),
        row(f"key press (Enter) to the reading on the board, accepting input ({n} rows)",
            _all(s, "reading_idle"), _all(f, "reading_idle"),
            floor_name + ", until the event loop is idle", limit=limit,
            note="a 0-ms timer started at that last paint fired"),
    ]  # fmt: skip


def _size_rows(n: int, own: bool, s: list[dict[str, Any]], f: list[dict[str, Any]]) -> list[Row]:
    return [*_sign_in_rows(n, s, f), *_tick_rows(n, s, f, own), *_reading_rows(n, s, f)]


def _preload_text(s: list[dict[str, Any]]) -> str:
    done = [r["preload"] for r in s if r.get("preload") is not None]
    if len(done) < len(s):
        return f"{len(s) - len(done)} of {len(s)} runs: not done in 10 s or no preloader"
    return f"a median {sorted(done)[len(done) // 2]:.0f} ms"


def _login_rows(s: list[dict[str, Any]], f: list[dict[str, Any]], n: int) -> list[Row]:
    return [
        row(f"sign-in window: longest stall after its first paint (preload; {n}-row clinic)",
            _all(s, "login_stall"), _all(f, "stall"),
            "a bare event loop's longest gap over the same time (same QApplication)",
            limit=TARGET_LOGIN_STALL_MS,
            note="a 2-ms precise timer from the window's first paint until its preload was "
            f"done (after {_preload_text(s)}) + 1 s, before typing"),
        row("password check (Enter to the sign-in window accepted: argon2)",
            _all(s, "password"), None, "", note="information"),
    ]  # fmt: skip


def _fresh_session(source: Path, end: datetime) -> dict[str, Any]:
    """One sign-in child on a fresh copy (a run records a reading: the next would find
    the board changed)."""
    copy_file(source, WORK)
    return child("session", WORK, end)


def board_rows(
    big: Path, end: datetime, runs: int, *, sizes: tuple[str, ...] = ("5", "50", "own", "300")
) -> list[Row]:
    """The board rows at each size (see the module docstring); ``big`` is never written."""
    rows: list[Row] = []
    for size, source, n in board_clinics(big, end, log, sizes):
        own = size == "own"
        log(f"board, {n} rows: {runs} sign-ins ...")
        try:
            s = [_fresh_session(source, end) for _ in range(runs)]
            # the floor's INSERTs do not chain the audit log: after the app's runs
            f = [child("floor", WORK, end, "--rows", str(n)) for _ in range(runs)]
            rows += _size_rows(n, own, s, f)
            if own:
                rows += _login_rows(s, f, n)
                v = child("service", WORK, end)
                rows.append(row("VitalsService.record alone (the service call of a reading)",
                                v["service"], None, "", note="information; no GUI"))  # fmt: skip
        finally:
            remove_db(WORK)
    return rows


def exit_rows(big: Path, end: datetime, runs: int) -> list[Row]:
    """A clean exit of run_gui on a copy of ``big`` (its backups folder beside the copy,
    kept between runs as a clinic's is, removed at the end)."""
    log(f"clean exit: {runs + 1} runs of run_gui ...")
    copy_file(big, EXIT_WORK)
    try:
        results = [child("exit", EXIT_WORK, end) for _ in range(runs + 1)]
        floor = [child("floor", EXIT_WORK, end, "--rows", "5", "--ticks", "1") for _ in range(3)]
    finally:
        shutil.rmtree(EXIT_WORK.parent, ignore_errors=True)
    first, later = results[0], results[1:]
    n = first["rows"]
    return [
        row(f"clean exit: longest GUI stall, main window closed to run_gui done ({n} rows)",
            _all(later, "stall"), _all(floor, "stall"),
            "a bare event loop's longest gap (same QApplication)", limit=TARGET_EXIT_STALL_MS,
            note=f"the first exit backup of the copy (no earlier backup): {first['stall']:.0f}"
            " ms; median of the later exits (backups folder kept, as a clinic's is)"),
        row("clean exit: main window closed to the exit backup done (run_gui returned)",
            _all(later, "done"), None, "", unit="ms",
            note=f"information; first exit {first['done']:.0f} ms"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the big clinic (never written)")
    parser.add_argument("--end", type=datetime.fromisoformat,
                        default=datetime.fromisoformat("2026-03-04T11:00:00+00:00"))  # fmt: skip
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="5,50,own,300")
    parser.add_argument("--no-exit", action="store_true")
    a = parser.parse_args(argv)
    rows = board_rows(a.db, a.end, a.runs, sizes=tuple(a.sizes.split(",")))
    if not a.no_exit:
        rows += exit_rows(a.db, a.end, a.runs)
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
