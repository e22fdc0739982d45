"""`kapdesk cohort --db PATH [...] -o FILE.pdf|FILE.csv`: the table written, audited with the
OS user (filters, format, courses; no patient), identifying unless --deidentify."""

from __future__ import annotations

import csv
import getpass
import json
from pathlib import Path

import pytest

from kapdesk.domain.cohort_cells import CSV_COLUMNS

from .conftest import Run, assert_one_line_error, sql


@pytest.fixture(autouse=True)
def os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")


def test_csv_identifying_then_deidentified_audited(run: Run, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cohort.csv"
    result = run("cohort", "--db", demo_db, "--protocol", "kap-default", "-o", out)
    assert result.code == 0, result.err
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == CSV_COLUMNS
    courses = sql(demo_db, "SELECT count(*) FROM courses WHERE protocol_id = 'kap-default'")
    assert len(rows) - 1 == courses[0][0]
    assert all(len(r) == len(CSV_COLUMNS) for r in rows)  # a cell for every column
    table = list(csv.DictReader(out.open(encoding="utf-8")))
    assert all(r["side_effects"].isdigit() and r["bp_excursions"].isdigit() for r in table)
    assert f"({courses[0][0]} courses, identifying: names and MRNs)" in result.out
    mrns = {m for (m,) in sql(demo_db, "SELECT mrn FROM patients")}
    assert {r[2] for r in rows[1:]} <= mrns
    [(action, after)] = sql(demo_db, "SELECT action, after FROM audit_log ORDER BY id DESC LIMIT 1")
    assert action == "export.cohort"
    details = json.loads(after)
    assert details["actor"] == "console:alice"
    assert details["filters"]["protocols"] == ["kap-default"]
    assert (details["format"], details["deidentified"]) == ("csv", False)

    anon = tmp_path / "anon.csv"
    assert run("cohort", "--db", demo_db, "--deidentify", "-o", anon).code == 0
    text = anon.read_text(encoding="utf-8")
    for mrn, family in sql(demo_db, "SELECT mrn, family_name FROM patients"):
        assert mrn not in text
        assert family not in text


def test_pdf_is_written(run: Run, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cohort.pdf"
    result = run("cohort", "--db", demo_db, "--status", "open", "-o", out)
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"%PDF")


def test_bad_output_or_dates_are_one_line_errors(run: Run, demo_db: Path, tmp_path: Path) -> None:
    assert_one_line_error(run("cohort", "--db", demo_db, "-o", tmp_path / "c.txt"))
    bad = run("cohort", "--db", demo_db, "--from", "2026-13-01", "-o", tmp_path / "c.csv")
    assert_one_line_error(bad)
    late = run(
        "cohort", "--db", demo_db, "--from", "2026-05-01", "--to", "2026-01-01",
        "-o", tmp_path / "c.csv",
    )  # fmt: skip
    assert "is after --to" in assert_one_line_error(late)
    assert not (tmp_path / "c.csv").exists()


def test_an_unknown_protocol_is_named(run: Run, demo_db: Path, tmp_path: Path) -> None:
    """A typo must not give an empty cohort that looks like an answer."""
    bad = run("cohort", "--db", demo_db, "--protocol", "kap_default", "-o", tmp_path / "c.csv")
    message = assert_one_line_error(bad)
    assert "kap_default" in message  # the value given
    assert "kap-default" in message  # what is allowed
    assert not (tmp_path / "c.csv").exists()


def test_deidentified_output_takes_no_start_dates(run: Run, demo_db: Path, tmp_path: Path) -> None:
    """Its dates are shifted per patient: rows filtered on the real dates would show dates
    outside the stated range, and the range would narrow each patient's secret shift."""
    bad = run(
        "cohort", "--db", demo_db, "--deidentify", "--from", "2026-01-01",
        "-o", tmp_path / "c.csv",
    )  # fmt: skip
    assert "--deidentify" in assert_one_line_error(bad)
    assert not (tmp_path / "c.csv").exists()


def test_deidentified_rows_are_in_pseudonym_order(run: Run, demo_db: Path, tmp_path: Path) -> None:
    """Not in the order of the real start dates (it would give the chronology away and let
    the rows be matched with an identifying table line by line)."""
    out = tmp_path / "anon.csv"
    assert run("cohort", "--db", demo_db, "--deidentify", "-o", out).code == 0
    courses = [r["course"] for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert len(courses) > 3
    assert courses == sorted(courses)
