"""The worker processes of ``kapdesk check``'s SQL passes (kapdesk.storage.replay_processes)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# In a fresh interpreter, as in a spawned worker: open the worker's connection, run a
# query that allocates, print how much memory SQLite counts in use.
_WORKER = """
import ctypes, sys, _sqlite3
from kapdesk.storage import replay_processes as r
if sys.argv[2] == "worker":
    r._start_worker(sys.argv[1])
    connection = r._connection
else:
    connection = r.open_raw_connection(__import__("pathlib").Path(sys.argv[1]))
rows = connection.execute("SELECT printf('%s-%s', x, group_concat(x)) FROM t GROUP BY x % 7")
assert len(list(rows)) == 7
used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
used.restype = ctypes.c_int64
print(used())
"""


def _memory_counted(path: Path, how: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, str(path), how], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.skipif(sys.platform != "linux", reason="the library is reached through ctypes")
def test_a_worker_runs_its_passes_without_sqlites_memory_statistics(tmp_path: Path) -> None:
    """Counting every allocation takes a process-wide lock (about a sixth of the replay's
    processor time): a worker turns the count off before opening its connection, so SQLite
    reports no memory in use while it works; a connection opened otherwise is counted."""
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2000)])
    conn.close()
    assert _memory_counted(path, "plain") > 0
    assert _memory_counted(path, "worker") == 0


_START = """
import threading, time
from kapdesk.storage.replay_processes import start_method
print(start_method())
threading.Thread(target=time.sleep, args=(0.5,), daemon=True).start()
print(start_method())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_workers_are_forked_only_while_the_process_has_no_other_thread() -> None:
    done = subprocess.run([sys.executable, "-c", _START], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["fork", "spawn"]


# kapdesk check as the command line runs it, on a file taken as big (its SQL passes in the
# early workers): which start method the workers got, and what the check printed
_CHECK = """
import sys
from kapdesk.services import database_check
from kapdesk.storage import replay_processes
replay_processes.PROCESS_MIN_BYTES = database_check.PROCESS_MIN_BYTES = 0
methods = []
real = replay_processes.start_method
replay_processes.start_method = lambda: methods.append(real()) or methods[-1]
from kapdesk.cli import main
code = main(["check", "--db", sys.argv[1]])
print("methods", methods)
sys.exit(code)
"""


def test_the_command_lines_check_forks_its_early_workers_and_checks_clean(
    tmp_path: Path,
) -> None:
    from datetime import date

    from kapdesk.demo import build_demo_clinic

    path = tmp_path / "clinic.sqlite"
    build_demo_clinic(path, seed=3, patients=3, today=date(2026, 3, 4))
    done = subprocess.run([sys.executable, "-c", _CHECK, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    expected = "fork" if sys.platform.startswith("linux") else "spawn"
    assert f"methods ['{expected}']" in done.stdout
    assert "rows agree with their audit trail" in done.stdout
