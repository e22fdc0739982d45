"""``kapdesk check`` of a file whose signatures all match never loads the ORM (its import
and mapper set-up are ~0.13 s of processor time of every check); a signature judged in
Python still gets its record rebuilt through it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .test_signature_tamper_kinds import (  # noqa: F401 (fixture)
    SIGNED_SESSION,
    Clinic,
    _one,
    _sql,
    clinic,
)

# The check as the command line runs it, in a fresh interpreter; then what it imported.
PROBE = (
    "import sys; from kapdesk.cli import main; code = main(['check', '--db', sys.argv[1]]); "
    "print('orm loaded' if 'sqlalchemy.orm' in sys.modules else 'no orm', code)"
)


def _probe(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_a_clean_check_loads_no_orm(clinic: Clinic, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    out = _probe(path)
    assert "signed records match their signatures" in out, out
    assert out.splitlines()[-1] == "no orm 0", out


def test_a_changed_signed_record_is_judged_through_the_orm(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    reading = _one(
        path, f"SELECT min(id) FROM vital_readings WHERE session_id IN ({SIGNED_SESSION})"
    )
    session = _one(path, f"SELECT session_id FROM vital_readings WHERE id = {reading}")
    _sql(path, f"UPDATE vital_readings SET pulse = pulse + 1 WHERE id = {reading}")
    out = _probe(path)
    assert f"(dosing_session {session}): content changed since signing" in out, out
    assert out.splitlines()[-1] == "orm loaded 1", out
