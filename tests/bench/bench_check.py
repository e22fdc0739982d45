"""``kapdesk check`` against ``PRAGMA integrity_check`` on the same file, in one run (issue 10).

    .venv/bin/python tests/bench/bench_check.py [--tenth | --db PATH] [--runs N] [--no-full]

``kapdesk check`` does everything (integrity and foreign keys, schema objects and
triggers, the audit chain and its anchors, every audited row replayed against its
audit trail, signatures, pinned protocols) as a fresh process, the way a user runs it
(each row says how many signatures it verified: the benchmark clinic signs nearly every
finished session, its integration notes and some addenda):

* by default, as on a clinic that backs up: the chain re-hashed from the newest
  verified anchor (written here once, like a backup does), every row replayed;
* ``--full``: every entry re-hashed too.

The floor is ``PRAGMA integrity_check`` alone on the same file (sqlite3 module); the
target is check <= 2 x floor. Runs are interleaved so a busy machine slows all alike.
The clinic file is reached through a symlink in a temporary folder, so the anchor file
(``backups/<stem>.anchors``) is written there, not beside the cached clinic.
"""

from __future__ import annotations

import argparse
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bigdb import ensure_clinic  # noqa: E402
from table import MIN_RUNS, Row, render, row  # noqa: E402

from kapdesk.storage.anchor import BACKUP_FOLDER, anchor_file, write_anchor  # noqa: E402

TARGET_RATIO = 2.0


SIGNED = re.compile(
    r"ok \((\d+) signed records match their signatures(?: \((\d+) as vouched for by the anchor)?"
)


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _own_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _check_seconds(
    path: Path,
    *extra: str,
    signed: list[tuple[int, int]] | None = None,
    cpu: list[float] | None = None,
) -> float:
    """Seconds for one ``kapdesk check``; appends to ``signed`` how many signatures it
    found matching and how many of them the anchor vouched for (from its output), to
    ``cpu`` its processor seconds (user + system, its worker processes included: the
    machine may be shared, this is what it did)."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kapdesk", "check", "--db", str(path), *extra],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if cpu is not None:
        cpu.append(_children_cpu() - cpu_before)
    if done.returncode != 0:
        raise RuntimeError(f"kapdesk check failed on {path}: {done.stdout}{done.stderr}")
    found = SIGNED.search(done.stdout)
    if signed is not None:
        signed.append((int(found.group(1)), int(found.group(2) or 0)) if found else (0, 0))
    return seconds


def _integrity_seconds(path: Path, cpu: list[float] | None = None) -> float:
    cpu_before = _own_cpu()
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    seconds = time.perf_counter() - start
    if cpu is not None:
        cpu.append(_own_cpu() - cpu_before)
    return seconds


def check_rows(
    path: Path, entries: int, runs: int, label: str, with_full: bool = True
) -> list[Row]:
    size_mb = path.stat().st_size / 1e6
    with tempfile.TemporaryDirectory(prefix="kapdesk-bench-check-") as tmp:
        linked = Path(tmp) / path.name
        linked.symlink_to(path)
        started = time.perf_counter()
        write_anchor(
            linked,
            [anchor_file(Path(tmp) / BACKUP_FOLDER, linked)],
            reason="bench",
            now=datetime.now(UTC),
        )
        anchoring = time.perf_counter() - started
        floor: list[float] = []
        default: list[float] = []
        full_runs: list[float] = []
        signed: list[tuple[int, int]] = []
        floor_cpu: list[float] = []
        check_cpu: list[float] = []
        for _ in range(runs):
            floor.append(_integrity_seconds(path, floor_cpu))
            default.append(_check_seconds(linked, signed=signed, cpu=check_cpu))
            if with_full:
                full_runs.append(_check_seconds(linked, "--full"))
    verified, vouched = max(signed, default=(0, 0))
    what = f"{label} ({entries:,} audit entries, {verified:,} signatures, {size_mb:,.0f} MB)"
    floor_name = "PRAGMA integrity_check alone on the same file (sqlite3 module)"
    rows = [
        row(f"kapdesk check, {what}", default, floor, floor_name, unit="s",
            ratio_limit=TARGET_RATIO,
            note="chain re-hashed after the newest verified anchor; every row replayed; "
            f"{vouched:,} signatures vouched for by that anchor, {verified - vouched:,} "
            "rebuilt; anchoring (once, at a backup: the chain re-hashed and every signature "
            f"rebuilt) took {anchoring:.1f} s; processor time "
            f"(median, user + system, workers included) {statistics.median(check_cpu):.1f} s, "
            f"the floor's {statistics.median(floor_cpu):.1f} s"),
    ]  # fmt: skip
    if with_full:
        every = "every audit entry re-hashed and every signature rebuilt"
        rows.append(row(f"kapdesk check --full, {what}", full_runs, floor, floor_name, unit="s",
                        note=every))  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=MIN_RUNS)
    parser.add_argument("--tenth", action="store_true", help="the 1/10 clinic only")
    parser.add_argument("--db", type=lambda p: Path(p).resolve(), help="measure this file instead")
    parser.add_argument("--no-full", action="store_true", help="leave out check --full")
    args = parser.parse_args(argv)
    if args.db is not None:
        with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
            (entries,) = conn.execute("SELECT count(*) FROM audit_log").fetchone()
        rows = check_rows(args.db, entries, max(1, args.runs), args.db.name, not args.no_full)
        print(render(rows))
        return 0
    sizes = [(500, 5, "1/10 clinic")] if args.tenth else [(500, 5, "1/10 clinic"),
                                                          (5000, 5, "big clinic")]  # fmt: skip
    rows: list[Row] = []
    for patients, years, label in sizes:
        clinic = ensure_clinic(patients, years, log=lambda line: print(line, file=sys.stderr))
        rows += check_rows(
            clinic.path, clinic.counts["audit"], max(1, args.runs), label, not args.no_full
        )
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
