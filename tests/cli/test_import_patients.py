"""`kapdesk import patients FILE.csv --db PATH [--dry-run]`: the report on stdout, problems by
line, one line on stderr and exit 1 when nothing was imported, audited with the OS user."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from .conftest import Run, assert_one_line_error, dump, sql

HEADER = "mrn,name,date_of_birth,sex,weight_kg,allergies,contraindications"
GOOD = [
    'IMP-001,"Simões, Conceição",1980-05-17,female,64.5,penicillin,',
    'IMP-002,"Nguyễn, Thị Lan",1992-11-03,female,,,',
    'IMP-003,"O\'Brien, Patrick",1968-02-29,male,88.2,"=cmd|calc",hypertension',
]


@pytest.fixture(autouse=True)
def os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")


def write_csv(tmp_path: Path, *rows: str, name: str = "clinic.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode())
    return path


def patients(db: Path) -> list[str]:
    return [m for (m,) in sql(db, "SELECT mrn FROM patients WHERE mrn LIKE 'IMP-%' ORDER BY mrn")]


def test_dry_run_prints_what_would_be_created_and_changes_nothing(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    before = dump(demo_db)
    result = run("import", "patients", write_csv(tmp_path, *GOOD), "--db", demo_db, "--dry-run")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "clinic.csv: 3 patients would be created (dry run: nothing was stored)."
    assert lines[1].split() == [
        "line", "mrn", "name", "date_of_birth", "sex", "weight_kg", "allergies",
    ]  # fmt: skip
    assert lines[2].split() == ["2", "IMP-001", "Simões,", "Conceição", "1980-05-17", "female",
                                "64.5", "penicillin"]  # fmt: skip
    assert "=cmd|calc" in lines[4]
    assert result.err == ""
    assert dump(demo_db) == before


def test_import_stores_them_audited_and_the_check_still_passes(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    [(start,)] = sql(demo_db, "SELECT max(id) FROM audit_log")
    result = run("import", "patients", write_csv(tmp_path, *GOOD), "--db", demo_db)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "Imported 3 patients from clinic.csv."
    assert patients(demo_db) == ["IMP-001", "IMP-002", "IMP-003"]
    entries = sql(
        demo_db, f"SELECT action, user_id, after FROM audit_log WHERE id > {start} ORDER BY id"
    )
    assert [(a, u) for a, u, _ in entries] == [("patient.create", None)] * 3 + [
        ("patient.import_console", None)
    ]
    assert {json.loads(after)["actor"] for _, _, after in entries} == {"console:alice"}
    summary = json.loads(entries[-1][2])
    assert (summary["file"], summary["patients"]) == ("clinic.csv", 3)
    check = run("check", "--db", demo_db)
    assert check.code == 0, check.out
    listed = run("list", "patients", "--db", demo_db)
    assert "Nguyễn, Thị Lan" in listed.out


def test_a_file_with_one_bad_row_imports_nothing_and_lists_every_problem(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    before = dump(demo_db)
    bad = 'IMP-004,"Lee Ann",1980-02-30,f,20,,'
    result = run("import", "patients", write_csv(tmp_path, *GOOD, bad, GOOD[0]), "--db", demo_db)
    error = assert_one_line_error(result, code=1)
    assert error == (
        "kapdesk: nothing was imported: 5 problems in clinic.csv (listed above); correct the "
        "file and run the command again."
    )
    assert result.out.splitlines() == [
        "clinic.csv: 5 problems:",
        '  line 5, name "Lee Ann": Name "Lee Ann" must be written \'Family, Given\': the family '
        "name, one comma, the given name.",
        "  line 5, date_of_birth \"1980-02-30\": Date of birth '1980-02-30' is not a date "
        "(YYYY-MM-DD).",
        "  line 5, sex \"f\": Sex 'f' is not one of female, male, other, unknown.",
        '  line 5, weight_kg "20": Weight 20 kg is outside the allowed range 25-350 kg.',
        "  line 6, mrn \"IMP-001\": MRN 'IMP-001' is already on line 2 of this file; each "
        "patient once.",
    ]
    assert dump(demo_db) == before


def test_an_mrn_already_in_the_clinic_is_refused(run: Run, demo_db: Path, tmp_path: Path) -> None:
    [(mrn,)] = sql(demo_db, "SELECT mrn FROM patients ORDER BY id LIMIT 1")
    path = write_csv(tmp_path, f'{mrn.lower()},"Lima, Ana",1975-01-30,female,60,,')
    result = run("import", "patients", path, "--db", demo_db, "--dry-run")
    assert result.code == 1
    assert f"MRN '{mrn.lower()}' is already used by another patient." in result.out


LATIN_1 = 'mrn,name,date_of_birth,sex,weight_kg\nK-1,"Gon\xe7alves, Ana",1980-01-01,female,60\n'


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "line 1: The file is empty"),
        (b"mrn,name\nK-1,x\n", "has no column date_of_birth, sex, weight_kg"),
        (LATIN_1.encode("latin-1"), "line 2: The file is not UTF-8 text"),
    ],
)
def test_file_problems_are_named_without_a_traceback(
    run: Run, demo_db: Path, tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    result = run("import", "patients", path, "--db", demo_db)
    assert_one_line_error(result, code=1)
    assert words in result.out


def test_a_missing_file_is_one_line(run: Run, demo_db: Path, tmp_path: Path) -> None:
    before = dump(demo_db)
    result = run("import", "patients", tmp_path / "nope.csv", "--db", demo_db)
    assert assert_one_line_error(result, code=1) == f"kapdesk: No file at {tmp_path / 'nope.csv'}."
    assert dump(demo_db) == before


def test_import_needs_a_kind(run: Run, demo_db: Path) -> None:
    result = run("import", "--db", demo_db)
    assert_one_line_error(result, code=2)
