"""`kapdesk report session|course`: the file it writes, its audit entry, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kapdesk.cli import main
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry

from .clinic import T0
from .conftest import Setup
from .pdftext import document


@pytest.fixture
def clinic_file(setup: Setup) -> tuple[Path, int]:
    pid, course_id = setup.clinic.patient_and_course()
    sid = setup.clinic.simple_session(course_id, pid, T0, phq9=(15, 1))
    setup.close()
    return setup.path, sid


def _console_audit(path: Path) -> list[AuditEntry]:
    with Database.open(path, create=False) as db, db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("report.%_console"))))


def test_report_session_writes_the_pdf_and_audits_it(
    clinic_file: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, sid = clinic_file
    out = tmp_path / "summary.pdf"
    code = main(["report", "session", str(sid), "--db", str(path), "-o", str(out),
                 "--tz", "Europe/Berlin"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    assert printed.out.strip() == f"Wrote {out} (2 pages)."
    text = document(out.read_bytes())
    assert "Simões, Conceição" in text
    assert "Printed by command line (no signed-in user)" in text
    assert "first dose 10:05" in text  # Berlin time
    assert not list(tmp_path.glob("*.part"))
    (entry,) = _console_audit(path)
    assert entry.action == "report.session_console"
    assert entry.user_id is None
    assert (entry.entity, entry.entity_id) == ("dosing_session", str(sid))


def test_report_course_by_mrn(
    clinic_file: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = clinic_file
    out = tmp_path / "course.pdf"
    assert main(["report", "course", "KAP-0042", "--db", str(path), "-o", str(out)]) == 0
    text = document(out.read_bytes())
    assert "Treatment course summary" in text
    assert "Needs clinician follow-up" in text
    assert [e.action for e in _console_audit(path)] == ["report.course_console"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["session", "999"], "kapdesk: There is no dosing session #999."),
        (["course", "NOPE-1"], "kapdesk: There is no patient with MRN 'NOPE-1'."),
    ],
)
def test_unknown_id_or_mrn_is_one_line_and_exit_1(
    clinic_file: tuple[Path, int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    path, _ = clinic_file
    out = tmp_path / "x.pdf"
    assert main(["report", *args, "--db", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [message]
    assert not out.exists()
    assert _console_audit(path) == []


def test_unwritable_output_is_refused_before_any_work(
    clinic_file: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, sid = clinic_file
    missing = tmp_path / "no-such-folder" / "x.pdf"
    assert main(["report", "session", str(sid), "--db", str(path), "-o", str(missing)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"kapdesk: -o {missing}: cannot write there: the folder {missing.parent} does not exist."
    ]
    assert main(["report", "session", str(sid), "--db", str(path), "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"kapdesk: -o {tmp_path}: that is a folder; give a file name such as summary.pdf."
    ]
    assert _console_audit(path) == []


def test_missing_database_and_bad_zone(
    clinic_file: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, sid = clinic_file
    out = str(tmp_path / "x.pdf")
    nowhere = tmp_path / "none.sqlite"
    assert main(["report", "session", str(sid), "--db", str(nowhere), "-o", out]) == 1
    assert capsys.readouterr().err.splitlines() == [f"kapdesk: No database at {nowhere}."]
    assert main(["report", "session", str(sid), "--db", str(path), "-o", out,
                 "--tz", "Mars/Olympus"]) == 1  # fmt: skip
    assert capsys.readouterr().err.splitlines() == [
        "kapdesk: --tz 'Mars/Olympus' is not a time zone name (e.g. Europe/Berlin)."
    ]


def test_session_id_must_be_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "session", "abc", "-o", "x.pdf"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "invalid int value: 'abc'" in line
