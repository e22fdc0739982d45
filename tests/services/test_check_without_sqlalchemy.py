"""``kapdesk check`` of a file where it finds nothing never loads SQLAlchemy (its import was
~0.13 s of processor time of every check, on two processors where the check is
processor-bound): small and big files, with and without an anchor. What it finds is still
judged through SQLAlchemy and the ORM, on the same read transaction."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kapdesk.storage.raw_read import NotOneRow, RawConnection

from .test_signature_tamper_kinds import (  # noqa: F401 (fixture)
    SIGNED_SESSION,
    Clinic,
    _one,
    _sql,
    clinic,
)

# The check as the command line runs it, in a fresh interpreter; then what it imported.
# BIG: every file replayed in worker processes, as a big clinic's is.
BIG = (
    "import kapdesk.services.database_check as dc, kapdesk.storage.replay_processes as rp; "
    "dc.PROCESS_MIN_BYTES = rp.PROCESS_MIN_BYTES = 0; "
)
PROBE = (
    "import sys; {setup}from kapdesk.cli import main; "
    "code = main(['check', '--db', sys.argv[1]]); "
    "print('orm' if 'sqlalchemy.orm' in sys.modules else "
    "'sqlalchemy' if 'sqlalchemy' in sys.modules else 'none', code)"
)


def _probe(path: Path, *, big: bool = False) -> str:
    code = PROBE.format(setup=BIG if big else "")
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def _copy(clinic: Clinic, tmp_path: Path) -> Path:  # noqa: F811
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    return path


def _anchor(path: Path) -> None:
    """A backup, which writes the anchor a check then relies on."""
    done = subprocess.run(
        [sys.executable, "-m", "kapdesk", "backup", "--db", str(path), "-o",
         str(path.parent / "backups" / "copy.sqlite")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("big", [False, True], ids=["threads", "processes"])
@pytest.mark.parametrize("anchored", [False, True], ids=["no-anchor", "anchor"])
def test_a_clean_check_loads_no_sqlalchemy(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    big: bool,
    anchored: bool,
) -> None:
    path = _copy(clinic, tmp_path)
    if anchored:
        _anchor(path)
    out = _probe(path, big=big)
    assert f"{clinic.signatures} signed records match their signatures" in out, out
    assert ("as vouched for by the anchor" in out) == anchored, out
    assert out.splitlines()[-1] == "none 0", out


@pytest.mark.parametrize("big", [False, True], ids=["threads", "processes"])
def test_a_changed_signed_record_is_judged_through_the_orm(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    big: bool,
) -> None:
    path = _copy(clinic, tmp_path)
    reading = _one(
        path, f"SELECT min(id) FROM vital_readings WHERE session_id IN ({SIGNED_SESSION})"
    )
    session = _one(path, f"SELECT session_id FROM vital_readings WHERE id = {reading}")
    _sql(path, f"UPDATE vital_readings SET pulse = pulse + 1 WHERE id = {reading}")
    out = _probe(path, big=big)
    assert f"(dosing_session {session}): content changed since signing" in out, out
    assert f"vital_reading {reading}: changed behind the app" in out, out
    assert out.splitlines()[-1] == "orm 1", out


def test_a_removed_signature_is_named(clinic: Clinic, tmp_path: Path) -> None:  # noqa: F811
    """Judged from the ``sign.signed`` entries read without SQLAlchemy, then its row."""
    path = _copy(clinic, tmp_path)
    _sql(
        path,
        "DROP TRIGGER IF EXISTS signatures_no_delete",
        "DELETE FROM signatures WHERE id = (SELECT max(id) FROM signatures)",
    )
    out = _probe(path)
    assert "is missing: a signature was removed" in out, out
    assert out.splitlines()[-1].endswith(" 1"), out


def test_raw_connection_reads_one_snapshot_and_lends_it_to_sqlalchemy(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.execute("INSERT INTO t VALUES (1)")
    raw = RawConnection(path)  # the -wal file is there: not opened immutable
    try:
        assert raw.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1  # snapshot taken
        writer.execute("INSERT INTO t VALUES (2)")
        assert raw.exec_driver_sql("SELECT count(*) FROM t").one() == (1,)
        typed = raw.sqlalchemy()
        assert typed.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1  # same snapshot
        assert raw.sqlalchemy() is typed
        assert raw.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1  # still open
        with pytest.raises(sqlite3.OperationalError):  # read-only
            raw.exec_driver_sql("INSERT INTO t VALUES (3)")
    finally:
        raw.close()
        writer.close()
    with RawConnection(path) as again:
        assert again.exec_driver_sql("SELECT x FROM t ORDER BY x").all() == [(1,), (2,)]
        assert again.exec_driver_sql("SELECT x FROM t WHERE x > ?", (5,)).first() is None
        assert again.exec_driver_sql("SELECT x FROM t WHERE x = :x", {"x": 2}).scalar() == 2
        with pytest.raises(NotOneRow):
            again.exec_driver_sql("SELECT x FROM t").one()
        with pytest.raises(NotOneRow):
            again.exec_driver_sql("SELECT x FROM t WHERE x > 5").one()
