"""Every kapdesk command through kapdesk.cli.main, as a user at a terminal would run it."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kapdesk.composition import build_context
from kapdesk.domain.permissions import Role
from kapdesk.services.users import UserService
from kapdesk.storage.backup import verify_database
from kapdesk.storage.db import Database

from .conftest import DEMO_PATIENTS, Run, assert_one_line_error, dump, sql

PATIENT_KEYS = {"mrn", "name", "date_of_birth"}
SESSION_KEYS = {"id", "mrn", "patient", "scheduled", "state", "protocol"}


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def usernames(path: Path) -> list[str]:
    return [u for (u,) in sql(path, "SELECT username FROM users ORDER BY username")]


# ---------------------------------------------------------------- demo


def test_demo_creates_a_clinic_and_says_what_is_in_it(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "new" / "demo.sqlite"
    result = run("demo", "--db", path, "--patients", "2", "--seed", "3")
    assert result.code == 0
    assert result.err == ""
    assert result.out.startswith(f"Demo clinic written to {path}: 4 users, 2 patients")
    assert len(result.out.strip().splitlines()) == 1
    assert '"demo"' in result.out
    assert verify_database(path).ok


def test_demo_refuses_to_overwrite_a_database(run: Run, demo_db: Path) -> None:
    before = demo_db.read_bytes()
    line = assert_one_line_error(run("demo", "--db", demo_db), code=1)
    assert "already exists" in line
    assert demo_db.read_bytes() == before


def test_demo_refuses_any_existing_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not mine to overwrite")
    assert "already exists" in assert_one_line_error(run("demo", "--db", path))
    assert path.read_text() == "not mine to overwrite"


def test_demo_is_deterministic_for_a_seed(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo ends at the minute it is built: freeze that minute for all three.
    import kapdesk.demo.small as demo_module

    class Frozen:
        def now(self) -> datetime:
            return datetime(2026, 3, 2, 14, 30, tzinfo=UTC)

    monkeypatch.setattr(demo_module, "SystemClock", Frozen)
    paths = [tmp_path / f"{n}.sqlite" for n in ("a", "b", "c")]
    for path, seed in zip(paths, ("9", "9", "10"), strict=True):
        assert run("demo", "--db", path, "--seed", seed, "--patients", "3").code == 0
    assert dump(paths[0]) == dump(paths[1])  # before listing: each `list` is audited (now)
    listings = [
        [run("list", what, "--db", p, *flag).out for what in ("patients", "sessions")
         for flag in ((), ("--json",))]
        for p in paths
    ]  # fmt: skip
    assert listings[0] == listings[1]
    assert listings[0] != listings[2]
    assert json.loads(listings[0][1])  # not vacuously equal


# ---------------------------------------------------------------- check


def test_check_on_the_demo_is_ok(run: Run, demo_db: Path) -> None:
    result = run("check", "--db", demo_db)
    assert result.code == 0
    assert result.err == ""
    first, *more = result.out.strip().splitlines()
    assert first.startswith(f"{demo_db}: ok (integrity, foreign keys, schema ")
    (entries,) = sql(demo_db, "SELECT count(*) FROM audit_log")[0]
    assert first.endswith(f"audit trail of {entries} entries intact)")
    assert all(line.startswith(f"{demo_db}: ok") for line in more)


def test_check_finds_an_edited_audit_row(run: Run, demo_db: Path) -> None:
    sql(
        demo_db,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET after = replace(after, '\"systolic\":', '\"systolic\":1') "
        "WHERE id = (SELECT min(id) FROM audit_log WHERE action = 'vitals.record')",
    )
    (edited,) = sql(demo_db, "SELECT min(id) FROM audit_log WHERE action = 'vitals.record'")[0]
    result = run("check", "--db", demo_db)
    assert result.code == 1
    assert f"entry {edited} was altered" in result.out
    assert "Traceback" not in result.out + result.err


def test_check_finds_a_deleted_audit_row(run: Run, demo_db: Path) -> None:
    sql(demo_db, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 20")
    result = run("check", "--db", demo_db)
    assert result.code == 1
    assert "entry 20 missing before entry 21" in result.out


def test_check_finds_rows_cut_off_the_end_of_the_audit_trail(run: Run, demo_db: Path) -> None:
    (last,) = sql(demo_db, "SELECT max(id) FROM audit_log")[0]
    sql(demo_db, "DROP TRIGGER audit_log_no_delete", f"DELETE FROM audit_log WHERE id > {last - 3}")
    result = run("check", "--db", demo_db)
    assert result.code == 1
    assert "were removed" in result.out


def test_check_prints_each_problem_on_its_own_line(run: Run, demo_db: Path) -> None:
    sql(
        demo_db,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET action = 'nothing.happened' WHERE id = 7",
        "UPDATE vital_readings SET session_id = 99999 WHERE id = 1",
    )
    result = run("check", "--db", demo_db)
    assert result.code == 1
    lines = result.out.strip().splitlines()
    assert all(line.startswith(f"{demo_db}: ") for line in lines)
    assert sum("foreign key: vital_readings row 1 " in line for line in lines) == 1
    assert sum("entry 7 was altered" in line for line in lines) == 1
    assert not any(": ok" in line for line in lines)


def test_check_on_a_file_that_is_not_kapdesks(run: Run, tmp_path: Path) -> None:
    text = tmp_path / "letter.txt"
    text.write_text("Dear clinic,")
    other = tmp_path / "other.sqlite"
    sql(other, "CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    for path in (text, other):
        result = run("check", "--db", path)
        assert result.code == 1
        assert "is not a kapdesk database" in result.out
    assert text.read_text() == "Dear clinic,"


def test_check_on_a_missing_file(run: Run, tmp_path: Path) -> None:
    line = assert_one_line_error(run("check", "--db", tmp_path / "gone.sqlite"), code=1)
    assert "No database at" in line
    assert not (tmp_path / "gone.sqlite").exists()


# ---------------------------------------------------------------- list


def test_list_patients_as_a_table(run: Run, demo_db: Path) -> None:
    result = run("list", "patients", "--db", demo_db)
    assert result.code == 0
    header, *rows = result.out.strip().splitlines()
    assert header.split() == ["mrn", "name", "date_of_birth"]
    assert len(rows) == DEMO_PATIENTS
    names = {n for (n,) in sql(demo_db, "SELECT family_name || ', ' || given_name FROM patients")}
    assert all(any(name in row for row in rows) for name in names)
    assert any(not row.isascii() for row in rows)


def test_list_sessions_as_a_table(run: Run, demo_db: Path) -> None:
    result = run("list", "sessions", "--db", demo_db)
    header, *rows = result.out.strip().splitlines()
    assert header.split() == ["id", "mrn", "patient", "scheduled", "state", "protocol"]
    (count,) = sql(demo_db, "SELECT count(*) FROM dosing_sessions")[0]
    assert len(rows) == count


def test_list_patients_json_has_exactly_the_documented_keys(run: Run, demo_db: Path) -> None:
    result = run("list", "patients", "--db", demo_db, "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert len(data) == DEMO_PATIENTS
    for item in data:
        assert set(item) == PATIENT_KEYS
        datetime.strptime(item["date_of_birth"], "%Y-%m-%d")
    mrns = {m for (m,) in sql(demo_db, "SELECT mrn FROM patients")}
    assert {item["mrn"] for item in data} == mrns


def test_list_sessions_json_has_exactly_the_documented_keys(run: Run, demo_db: Path) -> None:
    data = json.loads(run("list", "sessions", "--db", demo_db, "--json").out)
    (count,) = sql(demo_db, "SELECT count(*) FROM dosing_sessions")[0]
    assert len(data) == count
    for item in data:
        assert set(item) == SESSION_KEYS
        assert isinstance(item["id"], int)
        assert datetime.fromisoformat(item["scheduled"]).tzinfo is not None
        assert item["protocol"].endswith(" v1.0")
    assert [i["scheduled"] for i in data] == sorted(i["scheduled"] for i in data)
    assert {"scheduled", "pre_dose_vitals", "monitoring", "discharged"} <= {
        i["state"] for i in data
    }


def test_list_on_an_empty_clinic(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    Database.open(path).close()
    assert run("list", "patients", "--db", path).out.strip() == "No patients."
    assert json.loads(run("list", "sessions", "--db", path, "--json").out) == []


# ---------------------------------------------------------------- user add


def test_user_add_reads_the_password_from_stdin(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, "a long enough password\n")
    result = run(
        "user", "add", "mnoor", "--role", "nurse", "--full-name", "Mira Noor",
        "--db", demo_db, "--password-stdin",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.strip() == "Added nurse mnoor (Mira Noor)."
    ctx = build_context(demo_db, create=False)
    try:
        actor = UserService(ctx).authenticate("mnoor", "a long enough password")
    finally:
        ctx.db.close()
    assert actor.role is Role.NURSE
    (action,) = sql(demo_db, "SELECT action FROM audit_log WHERE action LIKE 'user.%' "
                    "ORDER BY id DESC LIMIT 1")[0]  # fmt: skip
    assert action == "user.add_console"


@pytest.mark.parametrize(
    ("argv", "stdin_text", "expected"),
    [
        (["--role", "wizard"], "a long enough password\n", "nurse, therapist, clinician, admin"),
        (["--role", "nurse"], "short\n", "at least 10 characters"),
        (["--role", "nurse"], "", "no password on standard input"),
    ],
    ids=["bad-role", "short-password", "no-password"],
)
def test_user_add_refusals_change_nothing(
    run: Run,
    demo_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin_text: str,
    expected: str,
) -> None:
    stdin(monkeypatch, stdin_text)
    before = dump(demo_db)
    result = run("user", "add", "newbie", "--full-name", "New Bie", "--db", demo_db,
                 "--password-stdin", *argv)  # fmt: skip
    assert expected in assert_one_line_error(result)
    assert dump(demo_db) == before


def test_user_add_refuses_a_taken_username(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, "a long enough password\n")
    result = run("user", "add", "Nurse", "--role", "nurse", "--full-name", "Second Nurse",
                 "--db", demo_db, "--password-stdin")  # fmt: skip
    assert "already taken" in assert_one_line_error(result)
    assert usernames(demo_db) == ["admin", "clinician", "nurse", "therapist"]


def test_user_add_without_a_terminal_asks_for_password_stdin(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, "")
    result = run("user", "add", "ab1", "--role", "admin", "--full-name", "A B", "--db", demo_db)
    assert "--password-stdin" in assert_one_line_error(result)


# ---------------------------------------------------------------- backup / restore


def test_backup_then_restore_brings_the_clinic_back(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "backups" / "monday.sqlite"
    original = dump(demo_db)
    result = run("backup", "--db", demo_db, "-o", copy)
    assert result.code == 0
    assert result.out.strip() == f"Backed up {demo_db} to {copy}."
    assert verify_database(copy).ok
    assert dump(copy) == original  # the backup's own audit entry follows it in the database

    stdin(monkeypatch, "a long enough password\n")
    assert run("user", "add", "late1", "--role", "therapist", "--full-name", "Late Comer",
               "--db", demo_db, "--password-stdin").code == 0  # fmt: skip
    assert "late1" in usernames(demo_db)

    result = run("restore", copy, "--db", demo_db)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Restored {demo_db} from {copy}.")
    kept = Path(result.out.split("The replaced file is kept at ", 1)[1].strip().rstrip("."))
    restored = dump(demo_db)
    audit_log, restored_audit = original.pop("audit_log"), restored.pop("audit_log")
    del original["sqlite_sequence"], restored["sqlite_sequence"]
    assert restored == original
    assert restored_audit[: len(audit_log)] == audit_log
    assert [e[3] for e in restored_audit[len(audit_log) :]] == ["backup.restore_console"]
    assert "late1" not in usernames(demo_db)
    assert "late1" in usernames(kept)
    assert run("check", "--db", demo_db).code == 0


def test_backup_never_overwrites(run: Run, demo_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken.sqlite"
    target.write_text("keep me")
    assert "already exists" in assert_one_line_error(run("backup", "--db", demo_db, "-o", target))
    assert target.read_text() == "keep me"


def test_restore_refuses_a_backup_that_is_not_a_kapdesk_database(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    bogus = tmp_path / "backup.sqlite"
    bogus.write_text("not a database")
    before = demo_db.read_bytes()
    line = assert_one_line_error(run("restore", bogus, "--db", demo_db))
    assert "cannot be restored" in line
    assert demo_db.read_bytes() == before


# ---------------------------------------------------------------- KAPDESK_DB


def test_kapdesk_db_is_used_when_no_db_is_given(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAPDESK_DB", str(demo_db))
    result = run("check")
    assert result.code == 0
    assert result.out.startswith(f"{demo_db}: ok")
    assert len(json.loads(run("list", "patients", "--json").out)) == DEMO_PATIENTS
    stdin(monkeypatch, "a long enough password\n")
    assert run("user", "add", "envy", "--role", "nurse", "--full-name", "En Vy",
               "--password-stdin").code == 0  # fmt: skip
    assert "envy" in usernames(demo_db)
    copy = tmp_path / "env-backup.sqlite"
    assert run("backup", "-o", copy).code == 0
    assert "envy" in usernames(copy)


def test_db_option_beats_kapdesk_db(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAPDESK_DB", str(tmp_path / "elsewhere.sqlite"))
    assert run("check", "--db", demo_db).code == 0
    assert "No database at" in assert_one_line_error(run("check"))
    assert str(tmp_path / "elsewhere.sqlite") in assert_one_line_error(run("check"))


def test_help_is_not_an_error(run: Run) -> None:
    result = run("list", "--help")
    assert result.code == 0
    assert result.out.startswith("usage: kapdesk list")
    assert result.err == ""


def test_db_given_before_the_command_is_not_ignored(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAPDESK_DB", str(tmp_path / "default.sqlite"))
    result = run("--db", demo_db, "check")
    assert result.code == 0, result.err
    assert result.out.startswith(f"{demo_db}: ok")
    copy = tmp_path / "copy.sqlite"
    before = dump(demo_db)
    assert run("--db", demo_db, "backup", "-o", copy).code == 0
    assert dump(copy) == before
    assert not (tmp_path / "default.sqlite").exists()
