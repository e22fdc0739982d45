"""Reading a patient list for import: every row checked with the patient form's validators,
every problem named by line, column and value; the file's form (BOM, CRLF, encoding, empty,
columns) said plainly."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.patient_import import (
    COLUMNS,
    MAX_FILE_BYTES,
    ImportProblem,
    KnownPatient,
    possible_duplicates,
    read_patients,
)
from kapdesk.domain.patients import (
    Sex,
    validate_date_of_birth,
    validate_mrn,
    validate_name,
    validate_sex,
)
from kapdesk.domain.vitals import validate_weight

TODAY = date(2026, 3, 2)
HEADER = "mrn,name,date_of_birth,sex,weight_kg,allergies,contraindications"
GOOD_ROW = 'K-1,"Simões, Conceição",1980-05-17,female,64.5,penicillin,'


def plan_of(*lines: str, sep: str = "\n") -> object:
    return read_patients(sep.join(lines).encode() + sep.encode(), today=TODAY)


def problems(*lines: str) -> list[tuple[int, str, str]]:
    plan = read_patients(("\n".join(lines) + "\n").encode(), today=TODAY)
    return [(p.line, p.column, p.message) for p in plan.problems]


def test_a_good_file_gives_cleaned_patients_by_line() -> None:
    plan = read_patients(
        f'{HEADER}\n{GOOD_ROW}\n\n"K-2","  Lima ,  Ana ",1975-01-30,Male,,,\n'.encode(),
        today=TODAY,
    )
    assert plan.ok
    assert plan.problems == ()
    [first, second] = plan.rows
    assert (first.line, first.display_name, first.patient.weight_kg) == (
        2,
        "Simões, Conceição",
        64.5,
    )
    assert first.patient.allergies == "penicillin"
    # a blank line is skipped, but counted: the next row is on line 4
    assert (second.line, second.display_name, second.patient.sex) == (4, "Lima, Ana", Sex.MALE)
    assert second.patient.weight_kg is None  # blank: not recorded, as in the patient form


def test_bom_crlf_any_column_order_and_case_and_no_optional_columns() -> None:
    text = '\ufeffSex,Weight_KG,date_of_birth,MRN,name\r\nfemale,70,1990-01-01,A-1,"Lee, Ann"\r\n'
    plan = read_patients(text.encode(), today=TODAY)
    assert plan.problems == ()
    [row] = plan.rows
    assert (row.patient.mrn, row.display_name, row.patient.allergies) == ("A-1", "Lee, Ann", "")


def test_semicolons_are_read_when_the_header_has_no_comma() -> None:
    plan = read_patients(
        b"mrn;name;date_of_birth;sex;weight_kg\nA-1;Lee, Ann;1990-01-01;female;70,5\n",
        today=TODAY,
    )
    assert plan.problems == ()
    assert plan.rows[0].patient.weight_kg == 70.5


def test_formula_looking_cells_are_stored_as_text() -> None:
    plan = read_patients(
        f'{HEADER}\nK-1,"Lee, Ann",1990-01-01,female,70,"=HYPERLINK(""x"")",+1-2\n'.encode(),
        today=TODAY,
    )
    assert plan.problems == ()
    assert plan.rows[0].patient.allergies == '=HYPERLINK("x")'
    assert plan.rows[0].patient.contraindication_notes == "+1-2"


def test_each_field_of_a_row_is_reported_with_the_domains_message() -> None:
    found = problems(HEADER, 'K 1,"Smith John",1980-02-30,x,20,,')
    assert [(line, column) for line, column, _ in found] == [
        (2, "mrn"),
        (2, "name"),
        (2, "date_of_birth"),
        (2, "sex"),
        (2, "weight_kg"),
    ]
    messages = [m for _, _, m in found]
    for validator, value, message in (
        (validate_mrn, "K 1", messages[0]),
        (lambda v: validate_date_of_birth(v, today=TODAY), "1980-02-30", messages[2]),
        (validate_sex, "x", messages[3]),
        (validate_weight, "20", messages[4]),
    ):
        with pytest.raises(ValidationError) as exc:
            validator(value)
        assert exc.value.message == message
    assert "'Family, Given'" in messages[1]


def test_a_very_long_cell_is_named_with_its_column_and_limit() -> None:
    """Longer than the csv module's own field limit (131,072 characters): the patient form's
    length message for that column, not a complaint about quotes."""
    found = problems(HEADER, f'K-1,"Smith, John",1980-02-03,male,70,{"a" * 200_000},')
    assert [(line, column) for line, column, _ in found] == [(2, "allergies")]
    assert "at most" in found[0][2]


def test_name_parts_use_the_name_validator() -> None:
    [(line, column, message)] = problems(HEADER, 'K-1,"R2D2, Ann",1980-01-01,female,70,,')
    with pytest.raises(ValidationError) as exc:
        validate_name("Family name", "R2D2")
    assert (line, column, message) == (2, "name", exc.value.message)
    [(_, _, empty)] = problems(HEADER, 'K-1,", Ann",1980-01-01,female,70,,')
    assert empty == "Family name is required."


def test_a_minor_is_refused_as_in_the_patient_form() -> None:
    [(_, column, message)] = problems(HEADER, 'K-1,"Lee, Ann",2015-01-01,female,40,,')
    assert column == "date_of_birth"
    assert "for adults" in message


def test_an_mrn_twice_in_the_file_is_refused_on_its_later_line_whatever_its_case() -> None:
    assert problems(HEADER, GOOD_ROW, 'k-1,"Lima, Ana",1975-01-30,female,60,,') == [
        (3, "mrn", "MRN 'k-1' is already on line 2 of this file; each patient once.")
    ]


def test_unknown_doubled_and_missing_columns_are_named() -> None:
    found = problems(
        "mrn,name,date_of_birth,sex,weight_kg,colour", 'K-1,"Lee, Ann",1990-01-01,f,70,blue'
    )
    assert found[0][:2] == (1, "")
    assert 'Column "colour" is not one kapdesk imports' in found[0][2]
    assert "the columns are " + ", ".join(COLUMNS) in found[0][2]
    assert [c for _, c, _ in found[1:]] == ["sex"]  # the rows are still checked
    [(line, _, missing)] = problems("mrn,name,sex", "K-1,x,f")
    assert line == 1
    assert "has no column date_of_birth, weight_kg" in missing
    [(_, _, twice)] = problems(HEADER + ",MRN", GOOD_ROW + ",K-1")
    assert twice == "Column 'mrn' appears twice."


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "The file is empty"),
        (b"\r\n \r\n", 1, "The file is empty"),
        (HEADER.encode() + b"\r\n", 1, "no patients"),
        (f"{HEADER}\n{GOOD_ROW}\n".encode().replace("õ".encode(), b"\xf5"), 2, "not UTF-8"),
        (f'{HEADER}\nK-1,"Lee, Ann,1990-01-01,female,70,,\n'.encode(), 2, "double quote"),
        (f'{HEADER}\nK-1,"Lee, Ann",1990-01-01,female\n'.encode(), 2, "has 4 cells"),
        (b"x" * (MAX_FILE_BYTES + 1), 1, "at most"),
    ],
)
def test_file_problems_are_one_plain_line(data: bytes, line: int, words: str) -> None:
    plan = read_patients(data, today=TODAY)
    assert plan.rows == ()
    [problem] = plan.problems
    assert problem.line == line
    assert words in problem.message


def test_a_problem_reads_with_its_line_column_and_value() -> None:
    problem = ImportProblem(4, "sex", "x" * 60, "Sex is wrong.")
    assert problem.text() == f'line 4, sex "{"x" * 37}...": Sex is wrong.'
    assert ImportProblem(1, "", "", "Empty.").text() == "line 1: Empty."


def test_possible_duplicates_in_the_clinic_and_in_the_file() -> None:
    plan = read_patients(
        f'{HEADER}\n{GOOD_ROW}\nK-2,"Conceicao, Simoes",1980-05-17,female,60,,\n'
        'K-3,"Lima, Ana",1975-01-30,female,60,,\n'.encode(),
        today=TODAY,
    )
    known = [KnownPatient("OLD-9", "Lima", "Ana", date(1975, 1, 30))]
    notes = possible_duplicates(plan.rows, known)
    assert [n.line for n in notes] == [3, 4]
    assert "Simões, Conceição, MRN K-1, is on line 2" in notes[0].message
    assert "Lima, Ana, MRN OLD-9, is in the clinic" in notes[1].message


# ------------------------------------------------------------------ random rows

GOOD = {
    "mrn": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}", fullmatch=True),
    "name": st.tuples(
        st.sampled_from(["Simões", "Lima", "O'Brien", "Nguyễn", "Smith-Jones"]),
        st.sampled_from(["Ana", "Conceição", "Thị Lan", "Jürgen"]),
    ).map(", ".join),
    "date_of_birth": st.dates(date(1910, 1, 1), date(2007, 1, 1)).map(date.isoformat),
    "sex": st.sampled_from([s.value for s in Sex] + ["Female", " MALE "]),
    "weight_kg": st.one_of(st.just(""), st.floats(25, 350).map(lambda w: f"{w:.1f}")),
    "allergies": st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=30
    ),
    "contraindications": st.sampled_from(["", "=1+1", "@SUM(A1)", 'says "no"\nsecond line']),
}
BAD = {
    "mrn": st.sampled_from(["", "K 1", "K_1", "x" * 33]),
    "name": st.sampled_from(["Lee Ann", "Lee, Ann, Jr", ", Ann", "R2D2, Ann", "Lee, "]),
    "date_of_birth": st.sampled_from(["1980-02-30", "17.05.1980", "2030-01-01", "2015-01-01"]),
    "sex": st.sampled_from(["x", "f", ""]),
    "weight_kg": st.sampled_from(["20", "351", "heavy", "nan"]),
    "allergies": st.just("x" * 2001),
    "contraindications": st.just("bad \x00 byte"),
}


@st.composite
def files(draw: st.DrawFn) -> tuple[bytes, list[dict[str, str]], dict[int, str]]:
    """A CSV of 1-8 rows with unique MRNs; some rows get one bad field: (bytes, rows,
    {line: bad column})."""
    n = draw(st.integers(1, 8))
    rows: list[dict[str, str]] = []
    bad: dict[int, str] = {}
    for i in range(n):
        row = {c: draw(GOOD[c]) for c in COLUMNS}
        row["mrn"] = f"{row['mrn'][:12]}-{i}"
        if draw(st.booleans()) and draw(st.booleans()):
            column = draw(st.sampled_from(COLUMNS))
            row[column] = draw(BAD[column])
            bad[i] = column
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(), rows, bad


@settings(max_examples=150, deadline=None)
@given(files())
def test_random_rows_valid_ones_read_and_each_bad_field_is_named(
    case: tuple[bytes, list[dict[str, str]], dict[int, str]],
) -> None:
    data, rows, bad = case
    plan = read_patients(data, today=TODAY)
    # A row's line: the header is line 1, a quoted line break adds a line.
    lines, line = [], 2
    for row in rows:
        lines.append(line)
        line += 1 + sum(v.count("\n") + v.count("\r") for v in row.values())
    expected = {(lines[i], column) for i, column in bad.items()}
    assert {(p.line, p.column) for p in plan.problems} == expected
    assert plan.ok == (not bad)
    assert [r.line for r in plan.rows] == [lines[i] for i in range(len(rows)) if i not in bad]
    for r in plan.rows:
        source = rows[lines.index(r.line)]
        assert r.patient.mrn == source["mrn"].strip()
        assert r.patient.date_of_birth.isoformat() == source["date_of_birth"]
