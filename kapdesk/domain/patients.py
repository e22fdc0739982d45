"""Validation of patient demographics and staff accounts.

Every validator takes what was typed, returns the cleaned value (trimmed,
Unicode NFC-normalised) and raises ValidationError naming the field, the value
and what is allowed. Dates are judged against an explicit ``today`` (never the
wall clock). The sentence is in the active language; ``field`` stays the English name
a form matches.
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
from kapdesk.domain.text import first_surrogate, require_storable, too_long
from kapdesk.domain.vitals import validate_weight
from kapdesk.domain.wording import field_name
from kapdesk.i18n import N_, _
from kapdesk.i18n import formats as locale_formats


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

    @property
    def label(self) -> str:
        """'female' in the active language ('feminino')."""
        return _(_SEX_LABELS[self])


_SEX_LABELS = {
    Sex.FEMALE: N_("female"),
    Sex.MALE: N_("male"),
    Sex.OTHER: N_("other"),
    Sex.UNKNOWN: N_("unknown"),
}


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
        raise ValidationError(
            field,
            value,
            _("{field} must be text, got {value}.", field=field_name(field), value=repr(value)),
        )
    return unicodedata.normalize("NFC", require_storable(field, value)).strip()


def validate_mrn(mrn: str) -> str:
    """Medical record number: letters, digits and dashes, at most 32; kept as typed."""
    text = _text(N_("MRN"), mrn)
    if not text:
        raise ValidationError("MRN", mrn, _("MRN is required: letters, digits and dashes."))
    if len(text) > LIMITS.mrn_max:
        raise ValidationError(
            "MRN",
            text,
            _(
                "MRN '{mrn}' is {length} characters; at most {limit}.",
                mrn=text,
                length=len(text),
                limit=LIMITS.mrn_max,
            ),
        )
    if not _MRN.fullmatch(text):
        raise ValidationError(
            "MRN", text, _("MRN '{mrn}' may only contain letters A-Z, digits and dashes.", mrn=text)
        )
    return text


def mrn_taken_error(mrn: str) -> ValidationError:
    """The refusal of an MRN another patient of the clinic has (any case)."""
    return ValidationError(
        "MRN", mrn, _("MRN '{mrn}' is already used by another patient.", mrn=mrn)
    )


def _name(field: str, value: object, punctuation: frozenset[str]) -> str:
    text = " ".join(_text(field, value).split())  # collapse runs of blanks
    name = field_name(field)
    if not text:
        raise ValidationError(field, value, _("{field} is required.", field=name))
    if len(text) > LIMITS.name_max:
        raise ValidationError(field, text, too_long(field, len(text), LIMITS.name_max))
    for ch in text:
        if ch not in punctuation and unicodedata.category(ch)[0] not in "LM":
            raise ValidationError(
                field,
                text,
                _(
                    "{field} '{value}' contains '{character}'; names hold letters, spaces, "
                    "hyphens, apostrophes and full stops.",
                    field=name,
                    value=text,
                    character=ch,
                ),
            )
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise ValidationError(
            field, text, _("{field} '{value}' contains no letters.", field=name, value=text)
        )
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
    field = N_("Date of birth")
    born = calendar_date(field, dob)
    today = calendar_date(N_("Today"), today)
    name, day = field_name(field), locale_formats.medium_date
    if born > today:
        raise ValidationError(
            field,
            born,
            _(
                "{field} {day} is in the future (today is {today}).",
                field=name,
                day=day(born),
                today=day(today),
            ),
        )
    if born < _years_before(today, LIMITS.oldest_years):
        raise ValidationError(
            field,
            born,
            _(
                "{field} {day} is more than {years} years ago.",
                field=name,
                day=day(born),
                years=LIMITS.oldest_years,
            ),
        )
    age = _years_between(born, today)
    if age < LIMITS.adult_years and not allow_minor:
        raise ValidationError(
            field,
            born,
            _(
                "{field} {day} makes the patient {age}; ketamine-assisted psychotherapy is for "
                "adults ({adult} or older). Register a younger patient only with the under-18 "
                "exception set.",
                field=name,
                day=day(born),
                age=age,
                adult=LIMITS.adult_years,
            ),
        )
    return born


def validate_sex(sex: Sex | str) -> Sex:
    try:
        return Sex(str(sex).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Sex)
        raise ValidationError(
            "Sex", sex, _("Sex '{sex}' is not one of {allowed}.", sex=sex, allowed=allowed)
        ) from None


def validate_notes(field: str, value: str | None) -> str:
    """Free text up to 2000 characters; None and blanks become ''."""
    text = "" if value is None else _text(field, value)
    if len(text) > LIMITS.notes_max:
        raise ValidationError(
            field, f"{len(text)} characters", too_long(field, len(text), LIMITS.notes_max)
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
    given = validate_name(N_("Given name"), given_name)
    family = validate_name(N_("Family name"), family_name)
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
        allergies=validate_notes(N_("Allergies"), allergies),
        contraindication_notes=validate_notes(N_("Contraindication notes"), contraindication_notes),
    )


# ------------------------------------------------------------------ staff


def validate_username(username: str) -> str:
    """3-32 characters: a letter, then letters, digits, '.', '_' or '-'; returned lower-case.

    Usernames are case-insensitive: look users up with the value this returns.
    """
    text = _text(N_("Username"), username).lower()
    lo, hi = LIMITS.username_min, LIMITS.username_max
    if not lo <= len(text) <= hi:
        raise ValidationError(
            "Username",
            text,
            _(
                "Username '{username}' has {length} characters; it needs {low}-{high}.",
                username=text,
                length=len(text),
                low=lo,
                high=hi,
            ),
        )
    if not text.isascii() or not _USERNAME.fullmatch(text):
        raise ValidationError(
            "Username",
            text,
            _(
                "Username '{username}' must start with a letter and hold only letters a-z, "
                "digits, '.', '_' or '-'.",
                username=text,
            ),
        )
    return text


def validate_password(password: str) -> str:
    """At least 10 characters (not all blank); returned unchanged, never trimmed.

    The error never carries the password itself, only its length.
    """
    if not isinstance(password, str):
        raise ValidationError("Password", "(hidden)", _("Password must be text."))
    if first_surrogate(password) is not None:
        raise ValidationError(
            "Password",
            "(hidden)",
            _("Password contains a character that cannot be stored; please retype it."),
        )
    n = len(password)
    if n < LIMITS.password_min or not password.strip():
        raise ValidationError(
            "Password",
            "(hidden)",
            _(
                "Password must be at least {minimum} characters long (not only spaces); this "
                "one has {length}.",
                minimum=LIMITS.password_min,
                length=n,
            ),
        )
    if n > LIMITS.password_max:
        raise ValidationError(
            "Password", "(hidden)", too_long(N_("Password"), n, LIMITS.password_max)
        )
    return password


def validate_full_name(full_name: str, field: str = N_("Full name")) -> str:
    """A staff member's name as shown on signatures ('Dr. Ana Lima, MD'), max 100;
    ``field`` names it in a refusal (English, e.g. "Prescriber name", marked N_)."""
    return _name(field, full_name, _STAFF_NAME_PUNCTUATION)
