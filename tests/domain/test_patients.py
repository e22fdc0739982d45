from __future__ import annotations

import string
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.patients import (
    Sex,
    validate_date_of_birth,
    validate_full_name,
    validate_mrn,
    validate_name,
    validate_password,
    validate_patient,
    validate_username,
)

TODAY = date(2026, 3, 2)


def patient(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "mrn": "K-1001",
        "given_name": "Conceição",
        "family_name": "Simões",
        "date_of_birth": date(1980, 5, 17),
        "sex": "female",
        "today": TODAY,
    }
    base.update(overrides)
    return base


def field_of(**overrides: Any) -> str:
    with pytest.raises(ValidationError) as info:
        validate_patient(**patient(**overrides))
    return info.value.field


def test_a_valid_patient() -> None:
    p = validate_patient(
        **patient(
            mrn="  K-1001 ",
            weight_kg="72,5",
            allergies=" penicillin ",
            contraindication_notes=None,
        )
    )
    assert p.mrn == "K-1001"
    assert p.full_name == "Conceição Simões"
    assert p.date_of_birth == date(1980, 5, 17)
    assert p.sex is Sex.FEMALE
    assert p.weight_kg == 72.5
    assert p.allergies == "penicillin"
    assert p.contraindication_notes == ""


# ------------------------------------------------------------------- MRN


@pytest.mark.parametrize("mrn", ["A", "12345", "abc-DEF-9", "X" * 32])
def test_valid_mrns(mrn: str) -> None:
    assert validate_mrn(f" {mrn}\t") == mrn


@pytest.mark.parametrize(
    ("mrn", "fragment"),
    [
        ("", "MRN is required"),
        ("   ", "MRN is required"),
        ("X" * 33, "at most 32"),
        ("K 1001", "may only contain"),
        ("K_1001", "may only contain"),
        ("Kä-1", "may only contain"),
        ("K/1", "may only contain"),
    ],
)
def test_invalid_mrns(mrn: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment) as info:
        validate_mrn(mrn)
    assert info.value.field == "MRN"


@given(st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=32))
def test_any_mrn_of_allowed_characters_is_accepted(mrn: str) -> None:
    assert validate_mrn(mrn) == mrn


@given(st.text(min_size=1, max_size=40))
def test_mrn_validator_accepts_exactly_the_allowed_shape(mrn: str) -> None:
    text = mrn.strip()
    allowed = set(string.ascii_letters + string.digits + "-")
    ok = 0 < len(text) <= 32 and set(text) <= allowed
    if ok:
        assert validate_mrn(mrn) == text
    else:
        with pytest.raises(ValidationError):
            validate_mrn(mrn)


# ----------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    ["Conceição Simões", "Müller", "O'Brien", "Smith-Jones", "Zoë", "李", "Ólafsdóttir", "N’Dour"],
)
def test_names_in_any_script(name: str) -> None:
    assert validate_name("Family name", name) == name


def test_names_are_trimmed_collapsed_and_nfc_normalised() -> None:
    decomposed = "Conceic\u0327a\u0303o"  # c + combining cedilla, a + combining tilde
    assert validate_name("Given name", f"  {decomposed}   Maria ") == "Conceição Maria"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "is required"),
        ("   ", "is required"),
        ("x" * 101, "at most 100"),
        ("R2D2", "contains '2'"),
        ("Ana <script>", "contains '<'"),
        ("--", "contains no letters"),
    ],
)
def test_invalid_names(name: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment) as info:
        validate_name("Given name", name)
    assert info.value.field == "Given name"


def test_name_of_exactly_100_letters() -> None:
    assert validate_name("Given name", "x" * 100) == "x" * 100


def test_patient_names_fields() -> None:
    assert field_of(given_name="") == "Given name"
    assert field_of(family_name="J0nes") == "Family name"


# --------------------------------------------------------- date of birth


def test_dob_today_is_in_the_past_not_future_but_is_a_minor() -> None:
    with pytest.raises(ValidationError, match="makes the patient 0"):
        validate_date_of_birth(TODAY, today=TODAY)
    assert validate_date_of_birth(TODAY, today=TODAY, allow_minor=True) == TODAY


def test_dob_in_the_future_is_refused_even_for_minors() -> None:
    with pytest.raises(ValidationError, match="is in the future"):
        validate_date_of_birth(date(2026, 3, 3), today=TODAY, allow_minor=True)


def test_eighteenth_birthday_boundary() -> None:
    assert validate_date_of_birth(date(2008, 3, 2), today=TODAY) == date(2008, 3, 2)
    with pytest.raises(ValidationError) as info:
        validate_date_of_birth(date(2008, 3, 3), today=TODAY)
    assert info.value.field == "Date of birth"
    assert info.value.message == (
        "Date of birth 2008-03-03 makes the patient 17; ketamine-assisted psychotherapy is "
        "for adults (18 or older). Register a younger patient only with the under-18 "
        "exception set."
    )


def test_leap_day_birthday_turns_18_on_1_march() -> None:
    born = date(2008, 2, 29)
    with pytest.raises(ValidationError):
        validate_date_of_birth(born, today=date(2026, 2, 28))
    assert validate_date_of_birth(born, today=date(2026, 3, 1)) == born


def test_120_years_boundary() -> None:
    assert validate_date_of_birth(date(1906, 3, 2), today=TODAY) == date(1906, 3, 2)
    with pytest.raises(ValidationError, match="more than 120 years ago"):
        validate_date_of_birth(date(1906, 3, 1), today=TODAY)


def test_120_years_from_a_leap_day() -> None:
    # 29 Feb 2028 minus 120 years is 29 Feb 1908 (a leap year); 2029-02-28 -> 1909-02-28.
    assert validate_date_of_birth(date(1908, 2, 29), today=date(2028, 2, 29))
    with pytest.raises(ValidationError):
        validate_date_of_birth(date(1909, 2, 27), today=date(2029, 2, 28))


def test_dob_as_iso_text() -> None:
    assert validate_date_of_birth("1980-05-17", today=TODAY) == date(1980, 5, 17)
    with pytest.raises(ValidationError, match="is not a date"):
        validate_date_of_birth("17/05/1980", today=TODAY)


@given(st.dates(min_value=date(1850, 1, 1), max_value=date(2100, 1, 1)))
def test_dob_rules_for_any_date(born: date) -> None:
    age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
    ok = born <= TODAY and born >= date(1906, 3, 2) and age >= 18
    if ok:
        assert validate_date_of_birth(born, today=TODAY) == born
    else:
        with pytest.raises(ValidationError) as info:
            validate_date_of_birth(born, today=TODAY)
        assert info.value.field == "Date of birth"


# ------------------------------------------------------------- sex, weight


@pytest.mark.parametrize(("text", "sex"), [("Female", Sex.FEMALE), (" other ", Sex.OTHER)])
def test_sex(text: str, sex: Sex) -> None:
    assert validate_patient(**patient(sex=text)).sex is sex


def test_unknown_sex_is_refused() -> None:
    assert field_of(sex="f") == "Sex"


@pytest.mark.parametrize(
    ("weight", "expected"), [(None, None), ("", None), (25, 25.0), (350, 350.0)]
)
def test_weight_optional_and_in_range(weight: object, expected: float | None) -> None:
    assert validate_patient(**patient(weight_kg=weight)).weight_kg == expected


@pytest.mark.parametrize("weight", [24.9, 350.1, "heavy", True])
def test_weight_outside_plausible_range(weight: object) -> None:
    assert field_of(weight_kg=weight) == "Weight"


# ----------------------------------------------------------------- notes


def test_notes_up_to_2000_characters() -> None:
    ok = validate_patient(**patient(allergies="a" * 2000, contraindication_notes="b" * 2000))
    assert len(ok.allergies) == 2000
    with pytest.raises(ValidationError) as info:
        validate_patient(**patient(contraindication_notes="b" * 2001))
    assert info.value.field == "Contraindication notes"
    assert "2001 characters long; at most 2000" in info.value.message
    assert field_of(allergies="a" * 2001) == "Allergies"


# ----------------------------------------------------------------- staff


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("nurse", "nurse"), (" Ana.Lima ", "ana.lima"), ("dr_x-1", "dr_x-1"), ("abc", "abc")],
)
def test_valid_usernames(typed: str, stored: str) -> None:
    assert validate_username(typed) == stored


@pytest.mark.parametrize("bad", ["", "ab", "x" * 33, "1nurse", "ana lima", "josé", "a@b"])
def test_invalid_usernames(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_username(bad)
    assert info.value.field == "Username"


def test_password_minimum_length_is_ten_and_says_so() -> None:
    assert validate_password("0123456789") == "0123456789"
    with pytest.raises(ValidationError) as info:
        validate_password("012345678")
    assert info.value.message == (
        "Password must be at least 10 characters long (not only spaces); this one has 9."
    )
    assert info.value.value == "(hidden)"


def test_password_is_not_trimmed_but_blank_is_refused() -> None:
    assert validate_password("  secret-pw  ") == "  secret-pw  "
    with pytest.raises(ValidationError):
        validate_password(" " * 12)


@given(st.text(max_size=30))
def test_password_errors_never_carry_the_password(password: str) -> None:
    if len(password) >= 10 and password.strip():
        assert validate_password(password) == password
    else:
        with pytest.raises(ValidationError) as info:
            validate_password(password)
        assert info.value.field == "Password"
        assert info.value.value == "(hidden)"


@pytest.mark.parametrize("name", ["Dr. Ana Lima, MD", "Jürgen Müller", "Siobhán O'Neill"])
def test_valid_full_names(name: str) -> None:
    assert validate_full_name(name) == name


@pytest.mark.parametrize("bad", ["", "   ", "Nurse #1", "y" * 101])
def test_invalid_full_names(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_full_name(bad)
    assert info.value.field == "Full name"
