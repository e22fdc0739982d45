"""How a console command's process ends (kapdesk.cli.run, behind ``python -m kapdesk`` and
the ``kapdesk`` command): at once after its work, without the interpreter's teardown, but
with its exit handlers run, its output complete and its exit status kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import sql

# Objects still alive at exit: the teardown would run __del__ and print "teardown".
PRELUDE = (
    "import atexit, sys\n"
    "class Noisy:\n"
    "    def __del__(self): sys.stderr.write('teardown\\n')\n"
    "kept = Noisy()\n"
    "atexit.register(lambda: sys.stderr.write('exit handler\\n'))\n"
    "sys.argv[0] = 'kapdesk'\n"
)

# run(), then on stderr the gc thresholds and how many collections ran after it began.
COUNT_COLLECTIONS = (
    "import gc\n"
    "from kapdesk.cli import run\n"
    "runs = []\n"
    "gc.callbacks.append(lambda phase, info: runs.append(info) if phase == 'stop' else None)\n"
    "atexit.register(lambda: sys.stderr.write(f'gc {gc.get_threshold()} {len(runs)}\\n'))\n"
    "run()"
)


def _kapdesk(
    *args: str | Path, entry: str = "from kapdesk.cli import run; run()"
) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + entry, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout, done.stderr


def test_a_command_ends_without_the_teardown_but_with_its_exit_handlers(demo_db: Path) -> None:
    code, out, err = _kapdesk("list", "sessions", "--json", "--db", demo_db)
    assert code == 0
    (count,) = sql(demo_db, "SELECT count(*) FROM dosing_sessions")[0]
    assert len(json.loads(out)) == count  # every byte reached the pipe
    assert "exit handler" in err
    assert "teardown" not in err


def test_a_failing_command_keeps_its_exit_status(tmp_path: Path) -> None:
    code, _, err = _kapdesk("list", "sessions", "--db", tmp_path / "missing.sqlite")
    assert code != 0
    assert err.startswith("kapdesk: No database at ")
    assert "exit handler" in err


def test_with_qt_loaded_the_interpreter_ends_as_usual(demo_db: Path) -> None:
    code, _, err = _kapdesk(
        "list",
        "patients",
        "--db",
        demo_db,
        entry="import PySide6.QtCore\n" + "from kapdesk.cli import run; run()",
    )
    assert code == 0
    assert "teardown" in err  # Qt's clean-up (and everything else's) runs


def test_python_dash_m_kapdesk_goes_through_run(demo_db: Path) -> None:
    code, _, err = _kapdesk(
        "list",
        "patients",
        "--db",
        demo_db,
        entry="import runpy; runpy.run_module('kapdesk', run_name='__main__')",
    )
    assert code == 0
    assert "teardown" not in err


def test_a_console_command_collects_garbage_less_often(demo_db: Path) -> None:
    show = "atexit.register(lambda: sys.stderr.write(f'gc {gc.get_threshold()}\\n'))\n"
    entry = "import gc\n" + show + "from kapdesk.cli import run; run()"
    _, _, err = _kapdesk("list", "patients", "--db", demo_db, entry=entry)
    assert "gc (50000, 20, 100)" in err
    _, _, err = _kapdesk("--help", entry=entry)  # the desktop app's arguments: untouched
    assert "gc (700, 10, 10)" in err


def test_a_report_does_not_stop_to_collect_garbage(demo_db: Path, tmp_path: Path) -> None:
    ((mrn,),) = sql(demo_db, "SELECT mrn FROM patients ORDER BY id LIMIT 1")
    code, _, err = _kapdesk(
        "report", "course", mrn, "--db", demo_db, "-o", tmp_path / "c.pdf", entry=COUNT_COLLECTIONS
    )
    assert code == 0, err
    assert "gc (2000000, 20, 100) 0" in err  # no collection after the command began


def test_a_check_does_not_stop_to_collect_garbage(demo_db: Path) -> None:
    """Importing SQLAlchemy alone made ~17 ms of collection on the main thread of a
    processor-bound check (it freed ~480 objects)."""
    code, out, err = _kapdesk("check", "--db", demo_db, entry=COUNT_COLLECTIONS)
    assert code == 0, err
    assert ": ok (" in out
    assert "gc (2000000, 20, 100) 0" in err  # no collection after the command began
