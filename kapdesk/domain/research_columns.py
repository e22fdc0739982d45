"""The files and columns of ``kapdesk export csv``, and the data dictionary written with them.

Each file's columns are listed in the order they are written. ``deidentified`` says what
``--deidentify`` does to the column: ``kept``, ``pseudonym`` (keyed hash, joins across
files), ``shifted`` (moved by the patient's secret offset), ``age capped`` or ``removed``
(the column is left out of the file).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kapdesk.domain.dose_units import DoseUnit
from kapdesk.domain.patients import Sex
from kapdesk.domain.protocol_model import Band, Phase, Route
from kapdesk.domain.session_state import SessionState

KEPT = "kept"
PSEUDONYM = "pseudonym: keyed HMAC-SHA256 of the id; the same in every file and every export made with the clinic's key"  # noqa: E501
SHIFTED = "shifted by the patient's secret offset (whole days, 1-365 earlier or later, the same for all of that patient's rows: intervals are kept; a shifted date may lie in the future)"  # noqa: E501
REMOVED = "removed (the column is not in the file)"
CAPPED = "kept, but 90 and over is written 90+"

DICTIONARY_FILE = "data_dictionary.csv"
DICTIONARY_HEADER = ("file", "column", "type", "unit", "meaning", "with --deidentify")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer, decimal, text, boolean, date, datetime, pseudonym
    unit: str
    meaning: str
    deidentified: str = KEPT

    @property
    def removed(self) -> bool:
        return self.deidentified == REMOVED


def _id(name: str, what: str) -> Column:
    return Column(name, "integer", "", f"the {what}'s id in the clinic database", PSEUDONYM)


def _one_of(values: type[StrEnum]) -> str:
    return "one of: " + ", ".join(v.value for v in values)


_WHEN = "UTC, ISO 8601 (YYYY-MM-DDTHH:MM:SSZ)"
_BY = "by the patient's id"


PATIENTS = (
    _id("patient_id", "patient"),
    Column("mrn", "text", "", "medical record number", REMOVED),
    Column("family_name", "text", "", "family name", REMOVED),
    Column("given_name", "text", "", "given name(s)", REMOVED),
    Column("date_of_birth", "date", "", "date of birth (YYYY-MM-DD)", REMOVED),
    Column("age", "integer", "years", "age in completed years on the export day", CAPPED),
    Column("sex", "text", "", f"sex as recorded, {_one_of(Sex)}"),
    Column("weight_kg", "decimal", "kg", "weight on the patient record (empty: not recorded)"),
    Column("allergies", "text", "", "allergies, free text", REMOVED),
    Column("contraindications", "text", "", "contraindications, free text", REMOVED),
)
COURSES = (
    _id("course_id", "course"),
    _id("patient_id", "patient"),
    Column("protocol_id", "text", "", "protocol the course follows, e.g. kap-default"),
    Column("protocol_version", "text", "", "version of that protocol pinned to the course"),
    Column("started_on", "date", "", "first day of the course (YYYY-MM-DD)", SHIFTED),
    Column("ended_on", "date", "", "last day of the course (empty: still running)", SHIFTED),
    Column("age_at_start", "integer", "years", "the patient's age on started_on", CAPPED),
    Column("goal", "text", "", "treatment goal, free text", REMOVED),
)
SESSIONS = (
    _id("session_id", "dosing session"),
    _id("course_id", "course"),
    _id("patient_id", "patient"),
    Column("scheduled_at", "datetime", "", f"when the session was planned, {_WHEN}", SHIFTED),
    Column("state", "text", "", f"the session's state, {_one_of(SessionState)}"),
    Column("weight_kg", "decimal", "kg", "weight taken for the session (empty: none)"),
    Column("checked_in_at", "datetime", "", f"check-in, {_WHEN}", SHIFTED),
    Column("first_dose_at", "datetime", "", f"first dose given, {_WHEN}", SHIFTED),
    Column("discharged_at", "datetime", "", f"discharge, {_WHEN}", SHIFTED),
    Column("room", "text", "", "room name, free text", REMOVED),
    Column("state_reason", "text", "", "why cancelled or withheld, free text", REMOVED),
    Column(
        "discharge_reason",
        "text",
        "",
        "why unmet discharge criteria were accepted, free text",
        REMOVED,
    ),
)
READINGS = (
    _id("reading_id", "vital-sign reading"),
    _id("session_id", "dosing session"),
    _id("patient_id", "patient"),
    Column("taken_at", "datetime", "", f"when the reading was taken, {_WHEN}", SHIFTED),
    Column("phase", "text", "", f"phase of the session, {_one_of(Phase)}"),
    Column("systolic", "integer", "mmHg", "systolic blood pressure"),
    Column("diastolic", "integer", "mmHg", "diastolic blood pressure"),
    Column("pulse", "integer", "/min", "heart rate (empty: not taken)"),
    Column("spo2", "integer", "%", "oxygen saturation by pulse oximetry (empty: not taken)"),
    Column("band", "text", "", f"the protocol's judgement, {_one_of(Band)}"),
    Column("rules", "text", "", "ids of the protocol rules that fired, separated by ';'"),
    Column("protocol", "text", "", "protocol and version that judged the reading"),
)
DOSES = (
    _id("dose_id", "dose"),
    _id("session_id", "dosing session"),
    _id("patient_id", "patient"),
    Column("given_at", "datetime", "", f"when the dose was given, {_WHEN}", SHIFTED),
    Column("medication", "text", "", "medication as stored, e.g. racemic ketamine, esketamine"),
    Column("route", "text", "", f"route, {_one_of(Route)}"),
    Column("amount", "decimal", "see unit", "the dose as entered, in unit"),
    Column("unit", "text", "", f"the unit of amount, {_one_of(DoseUnit)} (28 mg nasal devices)"),
    Column("mg", "decimal", "mg", "the dose in milligrams"),
    Column("is_booster", "boolean", "", "true for a booster dose after the first"),
    Column("over_limit", "boolean", "", "true when above the protocol's maximum (confirmed)"),
    Column("lot_number", "text", "", "lot number, free text", REMOVED),
    Column(
        "confirmation_reason",
        "text",
        "",
        "why a dose over the maximum was given, free text",
        REMOVED,
    ),
)
SIDE_EFFECTS = (
    _id("side_effect_id", "side-effect record"),
    _id("session_id", "dosing session"),
    _id("patient_id", "patient"),
    Column("effect_id", "text", "", "the effect's id in the protocol's catalogue"),
    Column("label", "text", "", "the effect's name in the catalogue"),
    Column("present", "boolean", "", "true: observed; false: checked and absent"),
    Column(
        "severity",
        "text",
        "",
        "mild, moderate, severe or life_threatening (CTCAE grades 1-4; empty when absent)",
    ),
    Column("onset_at", "datetime", "", f"onset, {_WHEN}", SHIFTED),
    Column("resolved_at", "datetime", "", f"resolved, {_WHEN} (empty: not recorded)", SHIFTED),
    Column("recorded_at", "datetime", "", f"when it was recorded, {_WHEN}", SHIFTED),
    Column("intervention", "text", "", "intervention given, free text", REMOVED),
)
INSTRUMENTS = (
    _id("instrument_result_id", "questionnaire result"),
    _id("patient_id", "patient"),
    Column("course_id", "integer", "", "the course's id (empty: none)", PSEUDONYM),
    Column("session_id", "integer", "", "the dosing session's id (empty: none)", PSEUDONYM),
    Column("instrument", "text", "", "PHQ-9 or GAD-7"),
    Column("taken_at", "datetime", "", f"when it was answered, {_WHEN}", SHIFTED),
    *(
        Column(
            f"item_{n}",
            "integer",
            "points 0-3",
            f"answer to item {n} (empty: GAD-7 has 7 items)" if n > 7 else f"answer to item {n}",
        )
        for n in range(1, 10)
    ),
    Column("total", "integer", "points", "total score (PHQ-9 0-27, GAD-7 0-21)"),
    Column("band", "text", "", "severity band of the total"),
    Column("item9_flag", "boolean", "", "PHQ-9 item 9 (thoughts of self-harm) answered above 0"),
    Column("scoring_rule", "text", "", "the scoring rule (instrument, version, bands) applied"),
)

FILES: dict[str, tuple[Column, ...]] = {
    "patients.csv": PATIENTS,
    "courses.csv": COURSES,
    "sessions.csv": SESSIONS,
    "readings.csv": READINGS,
    "doses.csv": DOSES,
    "side_effects.csv": SIDE_EFFECTS,
    "instruments.csv": INSTRUMENTS,
}

_ALL = "(all files)"
GENERAL = (
    (
        _ALL,
        "(file)",
        "",
        "",
        "UTF-8 CSV, comma-separated, a header row, one row per record, "
        "ordered by the record's id in the database; records entered in error are left out",
        KEPT,
    ),
    (
        _ALL,
        "(any cell)",
        "",
        "",
        "a cell starting with = + - @, a tab or a carriage return is "
        "written with a ' before it (formula neutralization, so a spreadsheet shows it as text "
        "and never runs it); remove that one ' to get the stored text",
        KEPT,
    ),
    (
        _ALL,
        "(ids)",
        "",
        "",
        "*_id columns join the files: patient_id of every file is "
        "patient_id of patients.csv, and so on",
        "pseudonyms replace the ids and join the "
        "files the same way; the key stays in the clinic's database and is never exported",
    ),
    (
        _ALL,
        "(names and MRN)",
        "",
        "",
        "the columns that name or identify a patient",
        "never present: mrn, names, date "
        "of birth and free text are removed; dates shifted per patient; ages 90 and over "
        "written 90+",
    ),
)


def kept(columns: tuple[Column, ...], *, deidentify: bool) -> tuple[Column, ...]:
    """The columns written: all of them, or those --deidentify does not remove."""
    return tuple(c for c in columns if not (deidentify and c.removed))


def dictionary_rows() -> list[tuple[str, ...]]:
    """Every file's every column (including those --deidentify removes), then the rules
    that hold for all files."""
    rows: list[tuple[str, ...]] = []
    for name, columns in FILES.items():
        for c in columns:
            kind = "pseudonym (text)" if c.deidentified == PSEUDONYM else ""
            typed = f"{c.type}; with --deidentify {kind}" if kind else c.type
            rows.append((name, c.name, typed, c.unit, c.meaning, c.deidentified))
    rows.extend(GENERAL)
    return rows
