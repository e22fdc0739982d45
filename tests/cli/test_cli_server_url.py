"""--db and KAPDESK_DB take a file path or a clinic server's postgresql:// URL.

A bad URL is one line naming where it came from and the value (password hidden) and what
is allowed; what only a file can do refuses a URL clearly; demo, list and report work on
a server (a throwaway database on the test server, skipped without one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.conftest import Run, assert_one_line_error
from tests.pg_support import _connect, pg_skip_reason, throwaway_database

SECRET = "s3cret-pw"
URL = f"postgresql://app:{SECRET}@127.0.0.1:9/kapdesk"  # nothing listens: never reached


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (f"postgresql://app:{SECRET}@db/kapdesk?sslmode=verfy-full", "sslmode 'verfy-full'"),
        (f"postgresql://app:{SECRET}@db/", "names no database"),
        (f"postgresql://app:{SECRET}@db/kapdesk?sslmod=require", "'sslmod' is not supported"),
        ("sqlite:///clinic.sqlite", "must start with postgresql://"),
    ],
)
def test_a_bad_url_is_one_line_naming_it_without_its_password(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, why: str
) -> None:
    monkeypatch.chdir(tmp_path)
    line = assert_one_line_error(run("list", "patients", "--db", value), code=2)
    assert line.startswith("kapdesk: --db: The database URL ")
    assert why in line
    assert "Allowed: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE" in line
    assert SECRET not in line
    monkeypatch.setenv("KAPDESK_DB", value)
    line = assert_one_line_error(run("list", "patients"), code=2)
    assert line.startswith("kapdesk: KAPDESK_DB: The database URL ")
    assert SECRET not in line
    assert list(tmp_path.iterdir()) == []  # no folder made for a URL


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["check", "--seal", "18532-3fa9c2d1e0b4"], "kapdesk check --seal"),
        (["encrypt"], "kapdesk encrypt"),
        (["demo", "--reset"], "kapdesk demo --reset"),
    ],
)
def test_what_only_a_file_can_do_refuses_a_server_before_connecting(
    run: Run, argv: list[str], command: str
) -> None:
    line = assert_one_line_error(run(*argv, "--db", URL), code=2)
    assert f"{command} is not yet supported for a clinic server" in line
    assert "postgresql://app:***@127.0.0.1:9/kapdesk" in line
    assert SECRET not in line


def test_restore_onto_a_server_is_refused(run: Run, tmp_path: Path) -> None:
    backup = tmp_path / "some.bak"
    backup.write_bytes(b"x")
    line = assert_one_line_error(run("restore", backup, "--db", URL), code=2)
    assert "kapdesk restore is not yet supported for a clinic server" in line
    assert backup.read_bytes() == b"x"


def test_encrypted_is_for_files_only(run: Run) -> None:
    line = assert_one_line_error(run("list", "patients", "--db", URL, "--encrypted"), code=2)
    assert "--encrypted is for a database file" in line
    assert "sslmode=verify-full" in line
    assert SECRET not in line


def test_an_unreachable_server_is_one_line_without_its_password(run: Run) -> None:
    line = assert_one_line_error(run("list", "patients", "--db", URL + "?connect_timeout=2"))
    assert "127.0.0.1" in line
    assert SECRET not in line


@pytest.fixture
def server_db() -> Iterator[str]:
    """The URL (as text, password included) of a new, empty database on the test server."""
    reason = pg_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    with throwaway_database() as server:
        yield server.url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_demo_list_and_report_work_on_a_server(
    run: Run, server_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = run("demo", "--db", server_db, "--patients", "2", "--seed", "3")
    assert made.code == 0, made.err
    assert made.out.startswith("Demo clinic written to postgresql://")
    assert ":***@" in made.out
    assert server_db not in made.out
    assert "2 patients" in made.out

    again = assert_one_line_error(run("demo", "--db", server_db, "--patients", "2"))
    assert "already holds a kapdesk clinic" in again

    patients = run("list", "patients", "--db", server_db, "--json")
    assert patients.code == 0, patients.err
    assert len(json.loads(patients.out)) == 2

    monkeypatch.setenv("KAPDESK_DB", server_db)  # the same through the environment
    sessions = run("list", "sessions", "--json")
    assert sessions.code == 0, sessions.err
    rows = json.loads(sessions.out)
    assert rows

    out = tmp_path / "session.pdf"
    report = run("report", "session", str(rows[0]["id"]), "-o", out)
    assert report.code == 0, report.err
    assert report.out.startswith(f"Wrote {out} (")
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert rows[0]["mrn"] in text

    course = tmp_path / "course.pdf"  # read in one snapshot (services.course_summary_reads)
    report = run("report", "course", rows[0]["mrn"], "-o", course)
    assert report.code == 0, report.err
    assert report.out.startswith(f"Wrote {course} (")
    text = "".join(page.extract_text() for page in PdfReader(course).pages)
    assert "Treatment course summary" in text
    assert rows[0]["mrn"] in text
    # Audited through a Core connection under the server's write lock: the chain holds.
    check = run("check")
    assert check.code == 0, check.out + check.err
    with _connect(server_db) as conn:
        last = conn.execute(
            "SELECT action, entity, user_id FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert last == ("report.course_console", "course", None)


def test_an_empty_server_database_is_not_listed_as_a_clinic(run: Run, server_db: str) -> None:
    line = assert_one_line_error(run("list", "patients", "--db", server_db))
    assert SECRET not in line
    assert "kapdesk_t_" in line  # names the database


def test_an_unreachable_server_tells_a_command_to_run_again(run: Run) -> None:
    url = f"postgresql://app:{SECRET}@127.0.0.1:1/kapdesk?connect_timeout=2"
    line = assert_one_line_error(run("list", "patients", "--db", url), code=1)
    assert "cannot be reached" in line
    assert line.endswith("Run the command again once the server answers.")
    assert "reconnects" not in line
    assert SECRET not in line
