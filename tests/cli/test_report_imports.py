"""What a ``kapdesk report`` process imports: only what printing a report needs.

Every module a console command imports is paid for on each run (``kapdesk report course``
is timed as a whole process in tests/bench/bench_cli.py). The desktop toolkit, the charting
library, the migration tool, the password hasher, the PDF viewer and the services only the
session report or other commands use stay out of a course report on a file that is at the
head revision, and neither do the ORM and the mapped classes: a course summary is read
and audited through Core statements."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import sql

# Written at exit (the exit handlers still run, see test_process_exit.py): every module loaded.
SHOW_MODULES = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules))))\n"
    "sys.argv[0] = 'kapdesk'\n"
    "from kapdesk.cli import run; run()\n"
)

# babel: the dates and decimals of another language than English (the tests speak English)
NEVER = ("PySide6", "pyqtgraph", "alembic", "pypdfium2", "kapdesk.ui", "urllib.request", "babel")
NOT_FOR_A_COURSE = (
    # Read, drawn and audited through Core statements (services.course_print): declaring
    # the mapped classes and importing the ORM cost ~80 ms of the process.
    "sqlalchemy.orm",
    "kapdesk.storage.orm",
    "kapdesk.services.recording",  # the ORM's audit path, for signed-in users
    "kapdesk.services.reports",  # ReportService: the session report's, and the app's
    "argon2",  # the session report's signatures import it, through the user service
    "kapdesk.services.addenda",
    "kapdesk.services.signing",
    "kapdesk.services.users",
    "kapdesk.services.passwords",
    "kapdesk.services.sessions",
    "kapdesk.services.alerts",
    "kapdesk.storage.encrypt_file",
    "kapdesk.reports.render_session",
    "kapdesk.services.report_data.session_model",  # what only a session summary holds
    "kapdesk.services.report_data.bp_chart_data",
    "kapdesk.services.screen_dtos",  # the session screen's, the board's, signing's, ...
    "kapdesk.domain.cohort",  # the cohort table and its statistics (kapdesk cohort)
    "statistics",
    "kapdesk.domain.gates",  # the dose gates: a printed course judges none
    "kapdesk.domain.check_in",
    "kapdesk.storage.audit_replay",  # kapdesk check's replay: writing one entry needs none
    "kapdesk.domain.discharge",  # judging the criteria: a course prints what was stored
    "kapdesk.domain.schedule",  # the readings due in a session
    "kapdesk.domain.alerts",
    "kapdesk.domain.backup_retention",  # which backups are kept: reading a setting needs none
)


def _modules_of(*args: str | Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", SHOW_MODULES, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote " in done.stdout
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("MODULES ")]
    return set(line.split()[1:])


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def test_a_course_report_imports_only_what_it_prints_with(demo_db: Path, tmp_path: Path) -> None:
    ((mrn,),) = sql(demo_db, "SELECT mrn FROM patients ORDER BY id LIMIT 1")
    modules = _modules_of("report", "course", mrn, "--db", demo_db, "-o", tmp_path / "c.pdf")
    assert "reportlab.platypus" in modules  # it did print
    assert _loaded(modules, NEVER) == []
    assert _loaded(modules, NOT_FOR_A_COURSE) == []


def test_a_session_report_leaves_out_the_desktop_and_the_tools(
    demo_db: Path, tmp_path: Path
) -> None:
    ((sid,),) = sql(demo_db, "SELECT min(id) FROM dosing_sessions")
    modules = _modules_of("report", "session", str(sid), "--db", demo_db, "-o", tmp_path / "s.pdf")
    assert "kapdesk.reports.render_session" in modules
    assert _loaded(modules, NEVER) == []
