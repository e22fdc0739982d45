"""Validation of patient demographics and staff accounts.

Every validator takes what was typed, returns the cleaned value (trimmed,
Unicode NFC-normalised) and raises ValidationError naming the field, the value
and what is allowed. Dates are judged against an explicit ``today`` (never the
wall clock).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from kapdesk.domain.dates import calendar_date
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.text import first_surrogate, require_storable
from kapdesk.domain.vitals import validate_weight


@dataclass(frozen=True)
class Limits:
    mrn_max: int = 32
    name_max: int = 100
    notes_max: int = 2000
    oldest_years: int = 120
    adult_years: int = 18  # KAP is for adults; younger needs an explicit flag
    username_min: int = 3
    username_max: int = 32
    password_min: int = 10
    password_max: int = 1024


# Plausible-input limits for demographics and accounts (weight: vitals.PLAUSIBLE_RANGES).
LIMITS: Final = Limits()

_MRN = re.compile(r"[A-Za-z0-9-]+")
_USERNAME = re.compile(r"[a-z][a-z0-9._-]*")
# Besides letters and combining marks, names may hold these (O'Brien, Smith-Jones,
# St. John, "Ana Lima, MD" for staff).
_NAME_PUNCTUATION = frozenset(" -'’.")
_STAFF_NAME_PUNCTUATION = _NAME_PUNCTUATION | {","}


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PatientInput:
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    weight_kg: float | None
    allergies: str
    contraindication_notes: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, value, f"{field} must be text, got {value!r}.")
    return unicodedata.normalize("NFC", require_storable(field, value)).strip()


def validate_mrn(mrn: str) -> str:
    """Medical record number: letters, digits and dashes, at most 32; kept as typed."""
    text = _text("MRN", mrn)
    if not text:
        raise ValidationError("MRN", mrn, "MRN is required: letters, digits and dashes.")
    if len(text) > LIMITS.mrn_max:
        raise ValidationError(
            "MRN", text, f"MRN '{text}' is {len(text)} characters; at most {LIMITS.mrn_max}."
        )
    if not _MRN.fullmatch(text):
        raise ValidationError(
            "MRN", text, f"MRN '{text}' may only contain letters A-Z, digits and dashes."
        )
    return text


def mrn_taken_error(mrn: str) -> ValidationError:
    """The refusal of an MRN another patient of the clinic has (any case)."""
    return ValidationError("MRN", mrn, f"MRN '{mrn}' is already used by another patient.")


def _name(field: str, value: object, punctuation: frozenset[str]) -> str:
    text = " ".join(_text(field, value).split())  # collapse runs of blanks
    if not text:
        raise ValidationError(field, value, f"{field} is required.")
    if len(text) > LIMITS.name_max:
        raise ValidationError(
            field,
            text,
            f"{field} is {len(text)} characters long; at most {LIMITS.name_max} are allowed.",
        )
    for ch in text:
        if ch not in punctuation and unicodedata.category(ch)[0] not in "LM":
            raise ValidationError(
                field,
                text,
                f"{field} '{text}' contains '{ch}'; names hold letters, spaces, "
                "hyphens, apostrophes and full stops.",
            )
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise ValidationError(field, text, f"{field} '{text}' contains no letters.")
    return text


def validate_name(field: str, value: str) -> str:
    """A person's name (any script: 'Conceição Simões', 'Müller', "O'Brien"), max 100."""
    return _name(field, value, _NAME_PUNCTUATION)


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def validate_date_of_birth(dob: date | str, *, today: date, allow_minor: bool = False) -> date:
    """Not in the future, at most 120 years ago, and 18 or older unless ``allow_minor``."""
    field = "Date of birth"
    born = calendar_date(field, dob)
    today = calendar_date("Today", today)
    if born > today:
        raise ValidationError(
            field, born, f"{field} {born.isoformat()} is in the future (today is {today})."
        )
    if born < _years_before(today, LIMITS.oldest_years):
        raise ValidationError(
            field,
            born,
            f"{field} {born.isoformat()} is more than {LIMITS.oldest_years} years ago.",
        )
    age = _years_between(born, today)
    if age < LIMITS.adult_years and not allow_minor:
        raise ValidationError(
            field,
            born,
            f"{field} {born.isoformat()} makes the patient {age}; ketamine-assisted "
            f"psychotherapy is for adults ({LIMITS.adult_years} or older). Register a "
            "younger patient only with the under-18 exception set.",
        )
    return born


def validate_sex(sex: Sex | str) -> Sex:
    try:
        return Sex(str(sex).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Sex)
        raise ValidationError("Sex", sex, f"Sex '{sex}' is not one of {allowed}.") from None


def validate_notes(field: str, value: str | None) -> str:
    """Free text up to 2000 characters; None and blanks become ''."""
    text = "" if value is None else _text(field, value)
    if len(text) > LIMITS.notes_max:
        raise ValidationError(
            field,
            f"{len(text)} characters",
            f"{field} is {len(text)} characters long; at most {LIMITS.notes_max} are allowed.",
        )
    return text


def validate_patient(
    *,
    mrn: str,
    given_name: str,
    family_name: str,
    date_of_birth: date | str,
    sex: Sex | str,
    today: date,
    weight_kg: float | int | str | None = None,
    allergies: str | None = "",
    contraindication_notes: str | None = "",
    allow_minor: bool = False,
) -> PatientInput:
    """Validate a patient's demographics; fields are checked in form order.

    ``weight_kg`` is optional (None or blank: not recorded); when given it must
    be plausible (vitals.validate_weight, 25-350 kg). The weight used for mg/kg
    doses is the one recorded on the session day, not this one.
    """
    clean_mrn = validate_mrn(mrn)
    given = validate_name("Given name", given_name)
    family = validate_name("Family name", family_name)
    born = validate_date_of_birth(date_of_birth, today=today, allow_minor=allow_minor)
    clean_sex = validate_sex(sex)
    weight: float | None = None
    if not (weight_kg is None or (isinstance(weight_kg, str) and not weight_kg.strip())):
        weight = validate_weight(weight_kg)
    return PatientInput(
        mrn=clean_mrn,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=clean_sex,
        weight_kg=weight,
        allergies=validate_notes("Allergies", allergies),
        contraindication_notes=validate_notes("Contraindication notes", contraindication_notes),
    )


# ------------------------------------------------------------------ staff


def validate_username(username: str) -> str:
    """3-32 characters: a letter, then letters, digits, '.', '_' or '-'; returned lower-case.

    Usernames are case-insensitive: look users up with the value this returns.
    """
    text = _text("Username", username).lower()
    lo, hi = LIMITS.username_min, LIMITS.username_max
    if not lo <= len(text) <= hi:
        raise ValidationError(
            "Username",
            text,
            f"Username '{text}' has {len(text)} characters; it needs {lo}-{hi}.",
        )
    if not text.isascii() or not _USERNAME.fullmatch(text):
        raise ValidationError(
            "Username",
            text,
            f"Username '{text}' must start with a letter and hold only letters a-z, "
            "digits, '.', '_' or '-'.",
        )
    return text


def validate_password(password: str) -> str:
    """At least 10 characters (not all blank); returned unchanged, never trimmed.

    The error never carries the password itself, only its length.
    """
    if not isinstance(password, str):
        raise ValidationError("Password", "(hidden)", "Password must be text.")
    if first_surrogate(password) is not None:
        raise ValidationError(
            "Password",
            "(hidden)",
            "Password contains a character that cannot be stored; please retype it.",
        )
    n = len(password)
    if n < LIMITS.password_min or not password.strip():
        raise ValidationError(
            "Password",
            "(hidden)",
            f"Password must be at least {LIMITS.password_min} characters long "
            f"(not only spaces); this one has {n}.",
        )
    if n > LIMITS.password_max:
        raise ValidationError(
            "Password",
            "(hidden)",
            f"Password is {n} characters long; at most {LIMITS.password_max} are allowed.",
        )
    return password


def validate_full_name(full_name: str) -> str:
    """A staff member's name as shown on signatures ('Dr. Ana Lima, MD'), max 100."""
    return _name("Full name", full_name, _STAFF_NAME_PUNCTUATION)
