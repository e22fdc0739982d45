"""Reading a clinic's patient list (CSV) for import: every row checked, every problem named.

The file is UTF-8 text (a byte-order mark is allowed) with a header row naming the
columns, in any order and any case: ``mrn``, ``name`` ("Family, Given"),
``date_of_birth`` (YYYY-MM-DD), ``sex``, ``weight_kg`` (the column is required, a blank
cell means not recorded, as in the patient form), and optionally ``allergies`` and
``contraindications``. Lines may end in CRLF or LF; cells are separated by commas, or by
semicolons when the header holds semicolons and no comma (a spreadsheet saved in a
locale with decimal commas). A cell is text, never a formula: ``=SUM(A1)`` in allergies
is stored as those characters.

Each row is checked with the validators of the patient form (kapdesk.domain.patients),
field by field, so one row can have several problems; an MRN twice in the file (case does
not matter, as for MRNs in the clinic) is refused on its later lines. Nothing here knows
the clinic: the service refuses MRNs the clinic already has (:meth:`ImportPlan.refusing`).
A :class:`ImportProblem` names the line (as a text editor numbers it; a row whose quoted
cell spans lines is named by its first line), the column, the value and a sentence saying
what is allowed. Blank lines are skipped. The sentences are in the active language; the
column names are the file's and stay as written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.name_search import name_key
from kapdesk.domain.patients import (
    PatientInput,
    mrn_taken_error,
    validate_date_of_birth,
    validate_mrn,
    validate_name,
    validate_notes,
    validate_patient,
    validate_sex,
)
from kapdesk.domain.text import shown_safely
from kapdesk.domain.vitals import validate_weight
from kapdesk.domain.wording import grouped
from kapdesk.i18n import N_, _, _n
from kapdesk.i18n import formats as locale_formats

REQUIRED_COLUMNS: Final = ("mrn", "name", "date_of_birth", "sex", "weight_kg")
OPTIONAL_COLUMNS: Final = ("allergies", "contraindications")
COLUMNS: Final = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_FILE_BYTES: Final = 20 * 1024 * 1024  # ~150,000 patients; anything bigger is a wrong file
SHOWN_VALUE_MAX: Final = 40
HEADER_LINE: Final = 1


@dataclass(frozen=True)
class ImportProblem:
    """Why a line cannot be imported. ``column``: the CSV column ('' for the whole line
    or file); ``value``: the cell as read."""

    line: int
    column: str
    value: str
    message: str

    def text(self) -> str:
        """'line 4, date_of_birth "1980-02-30": Date of birth ... (YYYY-MM-DD).'"""
        if not self.column:
            return _("line {line}: {message}", line=self.line, message=self.message)
        return _(
            "line {line}, {column} {value}: {message}",
            line=self.line,
            column=self.column,
            value=shown_value(self.value),
            message=self.message,
        )


@dataclass(frozen=True)
class ImportRow:
    """A row that is valid as a patient: its line and the cleaned values."""

    line: int
    patient: PatientInput

    @property
    def display_name(self) -> str:
        return f"{self.patient.family_name}, {self.patient.given_name}"


@dataclass(frozen=True)
class ImportPlan:
    """What a file would create (``rows``) and what is wrong with it (``problems``).
    Only a plan without problems may be imported, and then all of its rows."""

    rows: tuple[ImportRow, ...] = ()
    problems: tuple[ImportProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def refusing(self, taken: Callable[[Iterable[str]], Iterable[str]]) -> ImportPlan:
        """This plan with the rows whose MRN ``taken`` says the clinic has (it is given
        every MRN and answers those in use, any case) turned into problems."""
        used = {m.lower() for m in taken([r.patient.mrn for r in self.rows])}
        if not used:
            return self
        kept = tuple(r for r in self.rows if r.patient.mrn.lower() not in used)
        refused = [
            _problem(r.line, "mrn", r.patient.mrn, mrn_taken_error(r.patient.mrn))
            for r in self.rows
            if r.patient.mrn.lower() in used
        ]
        return replace(self, rows=kept, problems=by_line([*self.problems, *refused]))

    def summary(self) -> str:
        """'3 patients, no problems' / '2 problems (nothing can be imported)'."""
        if self.problems:
            return _n(
                "{n} problem: nothing can be imported",
                "{n} problems: nothing can be imported",
                len(self.problems),
            )
        return _n("{n} patient, no problems", "{n} patients, no problems", len(self.rows))


@dataclass(frozen=True)
class ImportNote:
    """Something to look at before importing that does not stop it (a possible duplicate)."""

    line: int
    message: str

    def text(self) -> str:
        return _("line {line}: {message}", line=self.line, message=self.message)


@dataclass(frozen=True)
class KnownPatient:
    """A patient of the clinic, as the duplicate check compares it."""

    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date


def _person(family: str, given: str, born: date) -> tuple[date, tuple[str, ...]]:
    """Same name (letters only; given and family either way round) and date of birth: the
    patient form's possible-duplicate rule (PatientService.possible_duplicates)."""
    return born, tuple(sorted((name_key(family), name_key(given))))


def possible_duplicates(
    rows: Iterable[ImportRow], known: Iterable[KnownPatient]
) -> tuple[ImportNote, ...]:
    """A note for each row with the name and date of birth of a patient of the clinic, or
    of an earlier row, under another MRN: two people may share both, so it is not refused,
    but the patient form asks about it and so does the import's report."""
    seen: dict[tuple[date, tuple[str, ...]], str] = {}
    for k in known:
        key = _person(k.family_name, k.given_name, k.date_of_birth)
        seen.setdefault(
            key,
            _(
                "{family}, {given}, MRN {mrn}, is in the clinic",
                family=k.family_name,
                given=k.given_name,
                mrn=k.mrn,
            ),
        )
    notes: list[ImportNote] = []
    for r in rows:
        p = r.patient
        key = _person(p.family_name, p.given_name, p.date_of_birth)
        if key in seen:
            notes.append(
                ImportNote(
                    r.line,
                    _(
                        "Possible duplicate: {who} with the same name and date of birth "
                        "({born}); {mrn} would be a new patient.",
                        who=seen[key],
                        born=locale_formats.medium_date(p.date_of_birth),
                        mrn=p.mrn,
                    ),
                )
            )
        else:
            seen[key] = _(
                "{name}, MRN {mrn}, is on line {line}", name=r.display_name, mrn=p.mrn, line=r.line
            )
    return tuple(notes)


def by_line(problems: Iterable[ImportProblem]) -> tuple[ImportProblem, ...]:
    """Problems by line; those of one line in the order of the form's fields."""
    return tuple(sorted(problems, key=lambda p: p.line))


class _BadCsv(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def shown_value(value: str) -> str:
    """A cell as a problem line shows it: quoted, escapes for what cannot be printed, cut."""
    text = shown_safely(value).replace("\n", "\\n").replace("\r", "\\r")
    if len(text) > SHOWN_VALUE_MAX:
        text = text[: SHOWN_VALUE_MAX - 3] + "..."
    return f'"{text}"'


def _problem(line: int, column: str, value: str, error: ValidationError) -> ImportProblem:
    return ImportProblem(line, column, value, error.message)


def _file_problem(message: str, line: int = HEADER_LINE) -> ImportPlan:
    return ImportPlan(problems=(ImportProblem(line, "", "", message),))


def decode(data: bytes) -> str | ImportPlan:
    """The file's text (without a byte-order mark), or a plan holding the one problem."""
    if len(data) > MAX_FILE_BYTES:
        return _file_problem(
            _(
                "The file is {size} bytes; a patient list may be at most {limit} bytes. Is it "
                "the right file?",
                size=grouped(len(data)),
                limit=grouped(MAX_FILE_BYTES),
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hexadecimal = f"{data[exc.start]:02X}"
        return _file_problem(
            _(
                "The file is not UTF-8 text: byte 0x{byte} on this line is not UTF-8 (an "
                "older encoding such as Windows-1252 or Latin-1?). Save the file as 'CSV "
                "UTF-8' and import it again.",
                byte=hexadecimal,
            ),
            line,
        )
    if not text.strip():
        return _file_problem(
            _(
                "The file is empty: it needs a header row naming the columns ({columns}) and "
                "one row per patient.",
                columns=", ".join(REQUIRED_COLUMNS),
            )
        )
    return text


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if ";" in header and "," not in header else ","


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; csv.Error is raised with the line it is on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    previous = 0
    # a cell as long as the file may be: its column's own length rule then names it (the
    # csv module's limit, 131,072 characters, was reported as a quoting problem)
    limit = csv.field_size_limit(max(MAX_FILE_BYTES, csv.field_size_limit()))
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _BadCsv(previous + 1, str(exc)) from None
            start, previous = previous + 1, reader.line_num
            if any(c.strip() for c in cells):
                yield start, cells
    finally:
        csv.field_size_limit(limit)


def _header(cells: list[str]) -> tuple[dict[str, int], list[ImportProblem]]:
    """Column name -> position (its first), and the problems of the header; rows cannot be
    read when a required column is missing (the caller stops), they can with an unknown
    or a doubled column (still refused)."""
    names = [c.strip().lower() for c in cells]
    problems: list[ImportProblem] = []
    allowed = ", ".join(COLUMNS)
    for i, name in enumerate(names):
        if name not in COLUMNS:
            message = _(
                "Column {column} is not one kapdesk imports; the columns are {allowed}. Rename "
                "or remove it.",
                column=shown_value(cells[i]),
                allowed=allowed,
            )
            problems.append(ImportProblem(HEADER_LINE, "", cells[i], message))
        elif name in names[:i]:
            message = _("Column '{column}' appears twice.", column=name)
            problems.append(ImportProblem(HEADER_LINE, "", cells[i], message))
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        message = _(
            "The header row has no column {missing}; it needs {required} (and may have "
            "{optional}).",
            missing=", ".join(missing),
            required=", ".join(REQUIRED_COLUMNS),
            optional=", ".join(OPTIONAL_COLUMNS),
        )
        problems.append(ImportProblem(HEADER_LINE, "", "", message))
    columns: dict[str, int] = {}
    for i, name in enumerate(names):
        columns.setdefault(name, i)
    return columns, problems


def split_name(value: str) -> tuple[str, str]:
    """'Simões, Conceição' -> ('Simões', 'Conceição'); the parts are validated later."""
    if value.count(",") != 1:
        raise ValidationError(
            "Name",
            value,
            _(
                "Name {value} must be written 'Family, Given': the family name, one comma, the "
                "given name.",
                value=shown_value(value),
            ),
        )
    family, given = value.split(",")
    return family, given


def _field_checks(today: date) -> tuple[tuple[str, Callable[[str], object]], ...]:
    """Each column's check: the patient form's validators, one column at a time."""

    def name(value: str) -> None:
        family, given = split_name(value)
        validate_name(N_("Family name"), family)
        validate_name(N_("Given name"), given)

    return (
        ("mrn", validate_mrn),
        ("name", name),
        ("date_of_birth", lambda v: validate_date_of_birth(v, today=today)),
        ("sex", validate_sex),
        ("weight_kg", lambda v: validate_weight(v) if v.strip() else None),
        ("allergies", lambda v: validate_notes(N_("Allergies"), v)),
        ("contraindications", lambda v: validate_notes(N_("Contraindication notes"), v)),
    )


def _row(
    line: int, cells: Mapping[str, str], today: date
) -> tuple[ImportRow | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []
    for column, check in _field_checks(today):
        try:
            check(cells[column])
        except ValidationError as exc:
            problems.append(_problem(line, column, cells[column], exc))
    if problems:
        return None, problems
    family, given = split_name(cells["name"])
    try:  # the whole record as the patient form's service validates it
        patient = validate_patient(
            mrn=cells["mrn"], given_name=given, family_name=family,
            date_of_birth=cells["date_of_birth"], sex=cells["sex"], today=today,
            weight_kg=cells["weight_kg"], allergies=cells["allergies"],
            contraindication_notes=cells["contraindications"],
        )  # fmt: skip
    except ValidationError as exc:  # a rule of the record as a whole
        return None, [ImportProblem(line, "", "", exc.message)]
    return ImportRow(line, patient), []


def _cell_count_problem(line: int, got: int, want: int) -> ImportProblem:
    return ImportProblem(
        line,
        "",
        "",
        _(
            "This line has {cells} but the header names {columns}; a cell holding a comma or a "
            "line break must be in double quotes.",
            cells=_n("{n} cell", "{n} cells", got),
            columns=_n("{n} column", "{n} columns", want),
        ),
    )


def read_patients(data: bytes, *, today: date) -> ImportPlan:
    """Check a patient list (the module docstring): the rows it would create, or its
    problems. ``today``: the clinic's date, for the date-of-birth rules."""
    text = decode(data)
    if isinstance(text, ImportPlan):
        return text
    records = _records(text)
    rows: list[ImportRow] = []
    first_line: dict[str, int] = {}
    try:
        header_cells = next(records, None)
        if header_cells is None:
            return _file_problem(_("The file is empty."))
        columns, problems = _header(header_cells[1])
        if any(c not in columns for c in REQUIRED_COLUMNS):
            return ImportPlan(problems=tuple(problems))
        for line, cells in records:
            if len(cells) != len(header_cells[1]):
                problems.append(_cell_count_problem(line, len(cells), len(header_cells[1])))
                continue
            values = {c: (cells[columns[c]] if c in columns else "") for c in COLUMNS}
            row, found = _row(line, values, today)
            problems.extend(found)
            if row is None:
                continue
            key = row.patient.mrn.lower()
            if key in first_line:
                message = _(
                    "MRN '{mrn}' is already on line {line} of this file; each patient once.",
                    mrn=row.patient.mrn,
                    line=first_line[key],
                )
                problems.append(ImportProblem(line, "mrn", values["mrn"], message))
                continue
            first_line[key] = line
            rows.append(row)
    except _BadCsv as exc:
        return _file_problem(
            _(
                "The file cannot be read as CSV from here on ({error}): a cell that opens a "
                "double quote must close it, and a double quote inside a cell is written twice "
                '("").',
                error=exc,
            ),
            exc.line,
        )
    if not rows and not problems:
        return _file_problem(_("The file has a header row but no patients."))
    return ImportPlan(rows=tuple(rows), problems=by_line(problems))
