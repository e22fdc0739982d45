"""Patient import through the service: the dry run writes nothing; an import stores every
patient with the patient form's audit entry and one entry for the import, or nothing at all
when any row has a problem; MRNs the clinic has are refused; only roles that may add a
patient import. Runs on a SQLite file and on a PostgreSQL server (tests/services/conftest)."""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import itertools
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kapdesk.domain.errors import PermissionDenied
from kapdesk.domain.patient_import import COLUMNS
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.patient_import import PatientImportService
from kapdesk.services.patients import PatientService
from kapdesk.storage.orm import AuditEntry, Patient

from .conftest import table_counts

HEADER = ",".join(COLUMNS)


def csv_of(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def good_rows(n: int, prefix: str = "IMP") -> list[str]:
    return [
        f'{prefix}-{i:03d},"Family{chr(65 + i % 26)}, Given",1980-01-{1 + i % 28:02d},female,'
        f"{60 + i % 30},penicillin,"
        for i in range(n)
    ]


def entries_after(ctx: ServiceContext, start: int) -> list[AuditEntry]:
    with ctx.db.read() as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id))
        )


def last_entry(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.max(AuditEntry.id))) or 0)


def stored_mrns(ctx: ServiceContext) -> list[str]:
    with ctx.db.read() as s:
        return sorted(s.scalars(select(Patient.mrn)))


def test_dry_run_reports_the_rows_and_writes_nothing(ctx: ServiceContext) -> None:
    before = table_counts(ctx.db)
    report = PatientImportService(ctx).check(csv_of(*good_rows(3)), "clinic.csv")
    assert report.ok
    assert [r.patient.mrn for r in report.rows] == ["IMP-000", "IMP-001", "IMP-002"]
    assert [r.line for r in report.rows] == [2, 3, 4]
    assert report.created == ()
    assert table_counts(ctx.db) == before


def test_import_stores_every_patient_with_its_create_entry_and_one_import_entry(
    ctx: ServiceContext, nurse: Actor
) -> None:
    data = csv_of(*good_rows(3), 'IMP-X,"Simões, Conceição",1970-12-31,male,,"=1+1",asthma')
    start = last_entry(ctx)
    report = PatientImportService(ctx).import_file(nurse, data, "clinic.csv")
    assert len(report.created) == 4
    assert stored_mrns(ctx) == ["IMP-000", "IMP-001", "IMP-002", "IMP-X"]
    last = PatientService(ctx).get_by_mrn("imp-x")
    assert (last.family_name, last.given_name, last.sex, last.weight_kg) == (
        "Simões",
        "Conceição",
        "male",
        None,
    )
    assert (last.allergies, last.contraindications) == ("=1+1", "asthma")
    entries = entries_after(ctx, start)
    assert [e.action for e in entries] == ["patient.create"] * 4 + ["patient.import"]
    assert {e.user_id for e in entries} == {nurse.user_id}
    assert [e.entity_id for e in entries[:4]] == [str(p.id) for p in report.created]
    assert entries[0].after_data is not None
    assert entries[0].after_data["mrn"] == "IMP-000"
    summary = entries[-1]
    assert summary.entity == "database"
    assert summary.after_data == {
        "file": "clinic.csv",
        "sha256": hashlib.sha256(data).hexdigest(),
        "patients": 4,
    }


def test_one_bad_row_among_many_stores_nothing(ctx: ServiceContext, clinician: Actor) -> None:
    rows = good_rows(60)
    rows[41] = rows[41].replace("1980-01-", "1980-13-")  # line 43: no 13th month
    before = table_counts(ctx.db)
    report = PatientImportService(ctx).import_file(clinician, csv_of(*rows), "big.csv")
    assert report.created == ()
    [problem] = report.problems
    assert (problem.line, problem.column) == (43, "date_of_birth")
    assert problem.value.startswith("1980-13-")
    assert "is not a date (YYYY-MM-DD)" in problem.message
    assert table_counts(ctx.db) == before


def test_an_mrn_the_clinic_has_is_refused_in_any_case(ctx: ServiceContext, nurse: Actor) -> None:
    PatientService(ctx).create(
        nurse, mrn="IMP-001", given_name="Ana", family_name="Lima",
        date_of_birth=date(1975, 1, 30), sex="female",
    )  # fmt: skip
    before = table_counts(ctx.db)
    data = csv_of(*good_rows(3, prefix="imp"))
    service = PatientImportService(ctx)
    for report in (service.check(data, "a.csv"), service.import_file(nurse, data, "a.csv")):
        assert [(p.line, p.column, p.message) for p in report.problems] == [
            (3, "mrn", "MRN 'imp-001' is already used by another patient.")
        ]
    assert table_counts(ctx.db) == before


def test_possible_duplicates_are_noted_not_refused(ctx: ServiceContext, nurse: Actor) -> None:
    PatientService(ctx).create(
        nurse, mrn="OLD-1", given_name="Conceição", family_name="Simões",
        date_of_birth=date(1980, 5, 17), sex="female",
    )  # fmt: skip
    data = csv_of('NEW-1,"Simoes, Conceicao",1980-05-17,female,,,')
    report = PatientImportService(ctx).check(data, "a.csv")
    assert report.ok
    [note] = report.notes
    assert note.line == 2
    assert "MRN OLD-1, is in the clinic" in note.message
    assert len(PatientImportService(ctx).import_file(nurse, data, "a.csv").created) == 1


@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_roles_that_may_not_add_patients_may_not_import(
    ctx: ServiceContext, request: pytest.FixtureRequest, role: str
) -> None:
    actor: Actor = request.getfixturevalue(role)
    start = last_entry(ctx)
    with pytest.raises(PermissionDenied):
        PatientImportService(ctx).import_file(actor, csv_of(*good_rows(2)), "a.csv")
    assert stored_mrns(ctx) == []
    assert [e.action for e in entries_after(ctx, start)] == ["denied.edit_patient"]


def test_console_import_names_the_os_user(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")
    start = last_entry(ctx)
    report = PatientImportService(ctx).import_from_console(csv_of(*good_rows(2)), "a.csv")
    assert len(report.created) == 2
    entries = entries_after(ctx, start)
    assert [e.action for e in entries] == ["patient.create"] * 2 + ["patient.import_console"]
    assert {e.user_id for e in entries} == {None}
    assert all(e.after_data and e.after_data["actor"] == "console:alice" for e in entries)


def test_a_file_problem_stores_nothing(ctx: ServiceContext, nurse: Actor) -> None:
    before = table_counts(ctx.db)
    report = PatientImportService(ctx).import_file(nurse, b"\xff\xfem\x00r\x00n\x00", "u16.csv")
    [problem] = report.problems
    assert "not UTF-8" in problem.message
    assert table_counts(ctx.db) == before


# ------------------------------------------------------------------ random files

_files = itertools.count()
VALID = {
    "name": st.sampled_from(["Lima, Ana", "O'Brien, Pat", "Nguyễn, Thị Lan", "Øster, Åse"]),
    "date_of_birth": st.dates(date(1920, 1, 1), date(2000, 1, 1)).map(date.isoformat),
    "sex": st.sampled_from(["female", "male", "other", "unknown"]),
    "weight_kg": st.sampled_from(["", "25", "70.5", "350"]),
    "allergies": st.sampled_from(["", "=cmd|' /C calc'!A0", "latex, penicillin"]),
    "contraindications": st.sampled_from(["", "+44 line\nbreak"]),
}
INVALID = {
    "name": "Lee Ann",
    "date_of_birth": "1980-02-30",
    "sex": "f",
    "weight_kg": "24.9",
    "allergies": "x" * 2001,
    "contraindications": "\x07",
}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.fixed_dictionaries(VALID), min_size=1, max_size=6),
    spoil=st.one_of(st.none(), st.tuples(st.integers(0, 5), st.sampled_from(sorted(INVALID)))),
)
def test_random_files_import_whole_or_not_at_all(
    ctx: ServiceContext, nurse: Actor, rows: list[dict[str, str]], spoil: Any
) -> None:
    batch = next(_files)
    for i, row in enumerate(rows):
        row["mrn"] = f"R{batch}-{i}"
    if spoil is not None:
        index, column = spoil[0] % len(rows), spoil[1]
        rows[index][column] = INVALID[column]
    out = io.StringIO()
    csv.DictWriter(out, COLUMNS, lineterminator="\r\n").writeheader()
    csv.DictWriter(out, COLUMNS, lineterminator="\r\n").writerows(rows)
    before = table_counts(ctx.db)
    report = PatientImportService(ctx).import_file(nurse, out.getvalue().encode(), "r.csv")
    with ctx.db.read() as s:
        mine = set(s.scalars(select(Patient.mrn).where(Patient.mrn.like(f"R{batch}-%"))))
    if spoil is None:
        assert report.problems == ()
        assert mine == {r["mrn"] for r in rows}
    else:
        assert [p.column for p in report.problems] == [spoil[1]]
        assert report.problems[0].line >= 2 + index
        assert mine == set()
        assert table_counts(ctx.db) == before
