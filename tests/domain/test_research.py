"""Research export rules: formula neutralization, keyed pseudonyms and date offsets, capped
ages, and a data dictionary that names every column of every file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.research import (
    FORMULA_STARTS,
    PREFIXES,
    Pseudonymizer,
    age_in_years,
    moment_cell,
    neutralize,
    shown_age,
)
from kapdesk.domain.research_columns import FILES, dictionary_rows, kept

keys = st.binary(min_size=32, max_size=64)
ids = st.integers(min_value=1, max_value=2**63 - 1)


@given(st.text())
def test_a_neutralized_cell_never_starts_a_formula_and_keeps_its_text(cell: str) -> None:
    shown = neutralize(cell)
    assert not shown.startswith(FORMULA_STARTS)
    if cell.startswith(FORMULA_STARTS):
        assert shown == "'" + cell
    else:
        assert shown == cell


@given(st.sampled_from(FORMULA_STARTS), st.text())
def test_every_dangerous_start_is_quoted_and_survives_a_csv_round_trip(
    start: str, rest: str
) -> None:
    out = io.StringIO()
    csv.writer(out).writerow([neutralize(start + rest), "x"])
    [row] = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert row == ["'" + start + rest, "x"]


@pytest.mark.parametrize("cell", ["1+1", "a=b", "", "'=already", "Simões", "90+"])
def test_ordinary_cells_are_left_alone(cell: str) -> None:
    assert neutralize(cell) == cell


@given(keys, st.sampled_from(sorted(PREFIXES)), ids)
def test_a_pseudonym_is_the_same_for_the_same_key_and_never_shows_the_id(
    key: bytes, kind: str, record_id: int
) -> None:
    first = Pseudonymizer(key).pseudonym(kind, record_id)
    assert first == Pseudonymizer(key).pseudonym(kind, record_id)
    prefix, digits = first.split("-")
    assert prefix == PREFIXES[kind]
    assert len(digits) == 16
    assert int(digits, 16) >= 0


@given(keys, keys, ids)
def test_another_key_gives_another_pseudonym_and_offset(
    key: bytes, other: bytes, record_id: int
) -> None:
    if key == other:
        return
    a, b = Pseudonymizer(key), Pseudonymizer(other)
    assert a.pseudonym("patient", record_id) != b.pseudonym("patient", record_id)


@given(keys, st.lists(ids, min_size=2, max_size=50, unique=True))
def test_pseudonyms_of_different_records_differ(key: bytes, record_ids: list[int]) -> None:
    pseudo = Pseudonymizer(key)
    names = {pseudo.pseudonym("reading", i) for i in record_ids}
    assert len(names) == len(record_ids)
    assert pseudo.pseudonym("patient", record_ids[0]) != pseudo.pseudonym(
        "course", record_ids[0]
    ).replace("C-", "P-")


@given(keys, ids)
def test_a_patients_offset_is_whole_days_within_a_year_never_zero_and_stable(
    key: bytes, patient_id: int
) -> None:
    shift = Pseudonymizer(key).offset(patient_id)
    assert shift == Pseudonymizer(key).offset(patient_id)
    assert shift.seconds == shift.microseconds == 0
    assert 1 <= abs(shift.days) <= 365


def test_offsets_go_both_ways_and_spread_over_the_year() -> None:
    pseudo = Pseudonymizer(b"k" * 32)
    days = [pseudo.offset(i).days for i in range(1, 2001)]
    assert min(days) < -300
    assert max(days) > 300
    assert len(set(days)) > 500


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Pseudonymizer(b"short")


@pytest.mark.parametrize(
    ("born", "on", "years", "capped"),
    [
        (date(1980, 5, 17), date(2026, 5, 16), 45, "45"),
        (date(1980, 5, 17), date(2026, 5, 17), 46, "46"),
        (date(1936, 12, 4), date(2026, 12, 3), 89, "89"),
        (date(1936, 12, 4), date(2026, 12, 4), 90, "90+"),
        (date(1920, 2, 29), date(2026, 2, 28), 105, "90+"),
    ],
)
def test_ages_of_90_and_over_are_capped_only_when_asked(
    born: date, on: date, years: int, capped: str
) -> None:
    assert age_in_years(born, on) == years
    assert shown_age(years, capped=True) == capped
    assert shown_age(years, capped=False) == str(years)


def test_moments_are_written_in_utc_and_moved_by_the_shift() -> None:
    moment = datetime(2026, 3, 2, 9, 5, 7, 123456, tzinfo=UTC)
    assert moment_cell(moment) == "2026-03-02T09:05:07Z"
    assert moment_cell(moment, timedelta(days=-40)) == "2026-01-21T09:05:07Z"
    assert moment_cell(None) == ""


def test_the_dictionary_names_every_column_of_every_file_and_the_rules() -> None:
    rows = dictionary_rows()
    for name, columns in FILES.items():
        described = [r for r in rows if r[0] == name]
        assert [r[1] for r in described] == [c.name for c in columns]
        assert all(r[2] and r[4] and r[5] for r in described)  # type, meaning, --deidentify
        assert kept(columns, deidentify=False) == columns
    text = " ".join(" ".join(r) for r in rows)
    assert "= + - @" in text
    assert "neutralization" in text
    removed = {r[1] for r in rows if r[5].startswith("removed")}
    assert {"mrn", "family_name", "given_name", "date_of_birth", "allergies"} <= removed
    assert {"lot_number", "intervention", "goal", "room"} <= removed
