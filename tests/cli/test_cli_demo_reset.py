"""`kapdesk demo --db PATH --reset`: a demo clinic rebuilt around today, safely.

Real files throughout: the demo template of conftest is built for DEMO_DAY (in the past),
a real clinic is made through the composition root and the users service.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from kapdesk.composition import build_context
from kapdesk.demo.plan import local_time
from kapdesk.demo.rebuild import read_demo
from kapdesk.domain.permissions import Role
from kapdesk.services.patients import PatientService
from kapdesk.services.settings import SettingsService
from kapdesk.services.users import UserService
from kapdesk.storage.backup import verify_database
from kapdesk.storage.sqlite_file import sidecars
from tests.cli.conftest import DEMO_DAY, DEMO_PATIENTS, Run, assert_one_line_error, sql


def _sessions_on(path: Path, day: date) -> int:
    start, end = local_time(day, time(0)), local_time(day + timedelta(days=1), time(0))
    fmt = "%Y-%m-%d %H:%M:%S"
    (count,) = sql(
        path,
        "SELECT count(*) FROM dosing_sessions WHERE scheduled_at >= "
        f"'{start.astimezone(UTC):{fmt}}' AND scheduled_at < '{end.astimezone(UTC):{fmt}}'",
    )[0]
    return int(count)


def _real_clinic(path: Path, name: str = "Lakeside Demo Clinic") -> Path:
    """A real clinic (first admin made as on first run) that even calls itself a demo."""
    ctx = build_context(path)
    try:
        users = UserService(ctx)
        users.create_first_admin(username="ana", full_name="Ana Real", password="a-long-password")
        admin = users.authenticate("ana", "a-long-password")
        SettingsService(ctx).update(admin, clinic_name=name)
    finally:
        ctx.db.close()
    return path


def test_without_reset_an_existing_demo_says_how_to_rebuild_it(run: Run, demo_db: Path) -> None:
    before = demo_db.read_bytes()
    line = assert_one_line_error(run("demo", "--db", demo_db), code=1)
    assert "already exists" in line
    assert f"kapdesk demo --db {demo_db} --reset" in line
    assert demo_db.read_bytes() == before


def test_reset_rebuilds_the_demo_around_today(run: Run, demo_db: Path) -> None:
    today = datetime.now().astimezone().date()
    assert _sessions_on(demo_db, DEMO_DAY) > 0
    assert read_demo(demo_db).day == DEMO_DAY
    result = run("demo", "--db", demo_db, "--reset", "--patients", "2")
    assert result.code == 0, result.err
    assert result.err == ""
    first, second = result.out.strip().splitlines()
    assert first.startswith(f"Demo clinic written to {demo_db}: 4 users, 2 patients")
    kept = demo_db.with_name("clinic.before-reset.sqlite")
    assert second == (
        f"It replaces the demo clinic made for {DEMO_DAY.isoformat()}, kept as {kept}."
    )
    assert read_demo(demo_db).day == today
    assert _sessions_on(demo_db, today) > 0  # the board of today is alive again
    assert _sessions_on(demo_db, DEMO_DAY) == 0  # nothing left of the old demo's day
    assert sql(demo_db, "SELECT count(*) FROM patients")[0][0] == 2
    assert verify_database(demo_db).ok
    names = sorted(p.name for p in demo_db.parent.iterdir())
    assert names == ["clinic.before-reset.sqlite", demo_db.name]  # no build leftovers
    assert read_demo(kept).day == DEMO_DAY  # the previous demo, whole
    assert verify_database(kept).ok


def test_reset_refuses_a_real_clinic_and_leaves_it_byte_identical(run: Run, tmp_path: Path) -> None:
    clinic = _real_clinic(tmp_path / "clinic.sqlite")
    assert not any(p.exists() for p in sidecars(clinic))
    before = clinic.read_bytes()
    line = assert_one_line_error(run("demo", "--db", clinic, "--reset"), code=1)
    assert f"{clinic} is not a demo clinic" in line
    assert "real clinic" in line
    assert "nothing was changed" in line
    assert clinic.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic.sqlite"]


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"my notes, not a database", "it is not an SQLite file"), (b"", "it is empty")],
)
def test_reset_refuses_any_other_file(run: Run, tmp_path: Path, content: bytes, why: str) -> None:
    other = tmp_path / "other.sqlite"
    other.write_bytes(content)
    line = assert_one_line_error(run("demo", "--db", other, "--reset"), code=1)
    assert "is not a demo clinic" in line
    assert why in line
    assert other.read_bytes() == content


HOLD_OPEN = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM patients").fetchall()
print("open", flush=True)
sys.stdin.readline()
"""


def test_reset_refuses_while_another_program_has_the_demo_open(run: Run, demo_db: Path) -> None:
    before = demo_db.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(demo_db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        line = assert_one_line_error(run("demo", "--db", demo_db, "--reset", "--patients", "1"))
        assert "is open in another program" in line
        assert "Nothing was changed" in line
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    assert demo_db.read_bytes() == before
    assert read_demo(demo_db).day == DEMO_DAY


def test_reset_refuses_while_a_kapdesk_window_has_the_demo_open(
    run: Run, demo_db: Path, qapp: object
) -> None:
    from kapdesk.ui.single_instance import InstanceServer

    server = InstanceServer(demo_db)
    assert server.listen()
    try:
        line = assert_one_line_error(run("demo", "--db", demo_db, "--reset", "--patients", "1"))
    finally:
        server.close()
    assert f"{demo_db} is open in kapdesk" in line
    assert "Nothing was changed" in line
    assert read_demo(demo_db).day == DEMO_DAY
    assert not (demo_db.parent / "clinic.building.sqlite").exists()


def test_reset_of_a_missing_file_makes_a_new_demo(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite"
    result = run("demo", "--db", path, "--reset", "--patients", "1")
    assert result.code == 0, result.err
    assert result.out.startswith(f"Demo clinic written to {path}: 4 users, 1 patients")
    assert read_demo(path).day == datetime.now().astimezone().date()


def test_reset_rebuilds_a_big_demo_clinic_in_bulk(run: Run, tmp_path: Path) -> None:
    from kapdesk.demo import build_big_clinic

    path = tmp_path / "big.sqlite"
    build_big_clinic(path, patients=3, years=1, today=DEMO_DAY)
    assert read_demo(path).day == DEMO_DAY  # its entries are stored in batches, not in order
    result = run("demo", "--db", path, "--reset", "--patients", "3", "--years", "1")
    assert result.code == 0, result.err
    assert result.out.startswith(f"Big demo clinic written to {path} in ")
    assert read_demo(path).day == datetime.now().astimezone().date()
    assert verify_database(path).ok


def test_reset_of_an_encrypted_demo_keeps_it_encrypted_with_its_passphrase(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.storage.encryption import has_sqlite_header

    key = "a long enough passphrase for the demo"
    monkeypatch.setenv("KAPDESK_DB_KEY", key)
    path = tmp_path / "secret.sqlite"
    assert run("demo", "--db", path, "--encrypted", "--patients", "1").code == 0
    result = run("demo", "--db", path, "--encrypted", "--reset", "--patients", "1")
    assert result.code == 0, result.err
    assert not has_sqlite_header(path)  # still encrypted
    assert read_demo(path, key).day == datetime.now().astimezone().date()
    plain = assert_one_line_error(run("demo", "--db", path, "--reset", "--patients", "1"))
    assert f"{path} is encrypted" in plain  # without --encrypted: refused, not rebuilt plain


def _use_for_real(path: Path, *, account: bool, patient: bool) -> None:
    """What someone who took the demo file for their clinic does: a real clinician account
    (at the console) and a real patient (signed in, as in the app)."""
    ctx = build_context(path, create=False)
    try:
        users = UserService(ctx)
        if account:
            users.add_user_from_console(
                username="realdoc", full_name="Real Doctor", role=Role.CLINICIAN,
                password="a real long password",
            )  # fmt: skip
        name, password = ("realdoc", "a real long password") if account else ("clinician", "demo")
        doc = users.authenticate(name, password)
        if patient:
            PatientService(ctx).create(
                doc, mrn="REAL-001", given_name="Real", family_name="Person",
                date_of_birth=date(1970, 1, 1), sex="female",
            )  # fmt: skip
    finally:
        ctx.db.close()


@pytest.mark.parametrize(
    ("account", "patient", "added"),
    [
        (True, True, "1 account and 1 patient"),
        (False, True, "1 patient"),
        (True, False, "1 account"),
    ],
)
def test_reset_refuses_a_demo_someone_started_using_for_real(
    run: Run, demo_db: Path, account: bool, patient: bool, added: str
) -> None:
    _use_for_real(demo_db, account=account, patient=patient)
    before = demo_db.read_bytes()
    line = assert_one_line_error(run("demo", "--db", demo_db, "--reset", "--patients", "1"), code=1)
    assert line == (
        f"kapdesk: {demo_db} has {added} added since it was built ({DEMO_DAY.isoformat()}): "
        "it is not reset, and nothing was changed. Copy what you need, or rebuild into a new "
        "file with kapdesk demo --db NEWPATH"
    )
    assert demo_db.read_bytes() == before
    assert sorted(p.name for p in demo_db.parent.iterdir()) == [demo_db.name]
    if patient:
        assert sql(demo_db, "SELECT count(*) FROM patients WHERE mrn = 'REAL-001'")[0][0] == 1


def test_trying_the_demo_does_not_stop_a_reset_and_the_previous_copy_is_replaced(
    run: Run, demo_db: Path
) -> None:
    """Signing in as a demo account and recording on its patients is what a demo is for."""
    ctx = build_context(demo_db, create=False)
    try:
        users = UserService(ctx)
        clinician = users.authenticate("clinician", "demo")
        patient = PatientService(ctx).search("")[0]
        PatientService(ctx).update(clinician, patient.id, allergies="latex")
    finally:
        ctx.db.close()
    kept = demo_db.with_name("clinic.before-reset.sqlite")
    kept.write_bytes(b"an older copy")
    result = run("demo", "--db", demo_db, "--reset", "--patients", "1")
    assert result.code == 0, result.err
    assert result.out.strip().splitlines()[-1].endswith(f", kept as {kept}.")
    assert read_demo(kept).day == DEMO_DAY  # the older copy was replaced by this one
    assert sql(kept, "SELECT count(*) FROM patients WHERE allergies = 'latex'")[0][0] == 1
    assert read_demo(demo_db).day == datetime.now().astimezone().date()


CRASH_AFTER_WRITE = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint=0")
conn.execute("UPDATE patients SET allergies = 'written before a crash'")
os._exit(0)  # never closed: the change lives only in the -wal file
"""


def test_the_kept_copy_holds_what_was_only_in_the_write_ahead_log(run: Run, demo_db: Path) -> None:
    sql(demo_db, "PRAGMA journal_mode=WAL")
    subprocess.run([sys.executable, "-c", CRASH_AFTER_WRITE, str(demo_db)], check=True)
    assert sidecars(demo_db)[0].stat().st_size > 0
    result = run("demo", "--db", demo_db, "--reset", "--patients", "1")
    assert result.code == 0, result.err
    kept = demo_db.with_name("clinic.before-reset.sqlite")
    changed = "SELECT count(*) FROM patients WHERE allergies = 'written before a crash'"
    assert sql(kept, changed)[0][0] == DEMO_PATIENTS
    assert sql(demo_db, changed)[0][0] == 0


@pytest.mark.parametrize("end", [time(0, 0), time(0, 7)])
@pytest.mark.parametrize("big", [False, True], ids=["small", "big"])
def test_a_demo_built_just_after_midnight_is_dated_the_day_it_was_built_for(
    tmp_path: Path, big: bool, end: time
) -> None:
    """Its history (a session in monitoring, entries minutes before "now") reaches back into
    yesterday; the demo is still today's, so the app does not offer to rebuild it again."""
    from kapdesk.demo import build_big_clinic, build_demo_clinic

    path = tmp_path / "midnight.sqlite"
    if big:
        build_big_clinic(path, patients=3, years=1, today=DEMO_DAY, end_time=end)
    else:
        build_demo_clinic(path, patients=3, today=DEMO_DAY, end_time=end)
    assert read_demo(path).day == DEMO_DAY
