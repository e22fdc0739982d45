"""Patients: register, correct demographics, look up, search as you type, audit chart views.

Decisions a caller must know:

* MRNs are unique regardless of case ('mrn-1' clashes with 'MRN-1') and kept
  as typed; ``get_by_mrn`` is case-insensitive too.
* ``update`` re-validates the whole record with the changes applied; changes
  that alter nothing write nothing (no audit entry). Audit entries carry full
  before/after snapshots.
* Two workstations editing one patient: ``for_editing`` returns the details with their
  ``version``; ``update(..., version=...)`` over a change made since raises
  EditConflict (who, when, the details now) and writes nothing
  (``services.edit_versions``). Searches and ``get`` do not read the version.
* ``search(text)`` matches, ordered by family then given name (binary order):
  every word typed is the start of a word of the family or given name (case-
  and accent-insensitive: "conceicao" finds "Conceição", "strasse" finds
  "Straße", "oster" finds "Øster"), or the whole text is the start of the MRN,
  or the text is the date of birth as 1980-05-17, 17.05.1980 or 17/05/1980.
  Blank text lists the first ``limit`` patients.
* ``possible_duplicates(given, family, born)``: patients with the same name words (folded:
  case, accents, spacing and punctuation do not matter; given and family name may be
  swapped) and the same date of birth, to ask about before ``create``. ``create`` itself
  does not refuse them (two people can share a name and a birthday); the screen asks.
* Name words are matched in SQL on ``patients.search_key`` (the folded name
  words, revision 0003): ``LIKE '% word%'`` per word typed, one pass over a
  narrow column, no regular expression. Candidates are re-checked in Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import local_time
from kapdesk.domain.name_search import fold, name_key
from kapdesk.domain.patients import PatientInput, mrn_taken_error, validate_patient
from kapdesk.domain.permissions import Action
from kapdesk.i18n import N_
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.dtos import PatientInfo
from kapdesk.services.edit_versions import current_version, refuse_stale
from kapdesk.services.guard import audit_denials
from kapdesk.services.patient_lookup import patient_by_mrn
from kapdesk.services.recording import AuditRecord, audit_change, audit_row, snapshot
from kapdesk.services.row_info import patient_info
from kapdesk.services.rows import only_fields, stored
from kapdesk.storage.orm import Patient

EDITABLE_FIELDS: Final = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "weight_kg",
    "allergies",
    "contraindications",
)
DATE_FORMATS: Final = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def _get(s: Session, patient_id: int) -> Patient:
    return stored(s, Patient, patient_id)


def local_today(ctx: ServiceContext) -> date:
    """The clinic's date now (the date-of-birth rules are judged on it)."""
    return local_time(ctx.now(), ctx.tz).date()


def stored_values(clean: PatientInput) -> dict[str, Any]:
    """A validated patient as the patients row's column values."""
    return {
        "mrn": clean.mrn,
        "given_name": clean.given_name,
        "family_name": clean.family_name,
        "date_of_birth": clean.date_of_birth,
        "sex": clean.sex.value,
        "weight_kg": clean.weight_kg,
        "allergies": clean.allergies,
        "contraindications": clean.contraindication_notes,
    }


def check_mrn_free(s: Session, mrn: str, patient_id: int | None = None) -> None:
    """Refuse an MRN another patient has (any case); ``patient_id``: the one being edited."""
    query = select(Patient.id).where(func.lower(Patient.mrn) == mrn.lower())
    if patient_id is not None:
        query = query.where(Patient.id != patient_id)
    if s.scalar(query) is not None:
        raise mrn_taken_error(mrn)


def insert_patient(
    s: Session, ctx: ServiceContext, actor: Actor | None, values: dict[str, Any],
    *, console: str | None = None, mrn_checked: bool = False,
) -> Patient:  # fmt: skip
    """Store one validated patient (``stored_values``) and its ``patient.create`` entry, in
    the caller's transaction. ``actor`` None: a console user, named ``console``
    ('console:alice') in the entry. ``mrn_checked``: the caller refused the MRNs in use
    in this same transaction (an import, all its MRNs in one query)."""
    if not mrn_checked:
        check_mrn_free(s, values["mrn"])
    now = ctx.now()
    row = Patient(**values, created_at=now, updated_at=now)
    s.add(row)
    s.flush()
    record = AuditRecord.of_row("patient.create", row)
    if console is not None and record.after is not None:
        record.after["actor"] = console
    audit_change(s, ctx, actor, record)
    return row


@audit_denials
class PatientService(Service):
    # ------------------------------------------------------------ changes

    def _validated(self, values: dict[str, Any]) -> dict[str, Any]:
        clean = validate_patient(
            mrn=values["mrn"],
            given_name=values["given_name"],
            family_name=values["family_name"],
            date_of_birth=values["date_of_birth"],
            sex=values["sex"],
            today=local_today(self.ctx),
            weight_kg=values["weight_kg"],
            allergies=values["allergies"],
            contraindication_notes=values["contraindications"],
        )
        return stored_values(clean)

    @staticmethod
    def _check_mrn_free(s: Session, mrn: str, patient_id: int | None = None) -> None:
        check_mrn_free(s, mrn, patient_id)

    def create(
        self,
        actor: Actor,
        *,
        mrn: str,
        given_name: str,
        family_name: str,
        date_of_birth: date | str,
        sex: str,
        weight_kg: float | None = None,
        allergies: str = "",
        contraindications: str = "",
    ) -> PatientInfo:
        actor.require(Action.EDIT_PATIENT)
        values = self._validated(
            {
                "mrn": mrn,
                "given_name": given_name,
                "family_name": family_name,
                "date_of_birth": date_of_birth,
                "sex": sex,
                "weight_kg": weight_kg,
                "allergies": allergies,
                "contraindications": contraindications,
            }
        )
        with self.ctx.db.write() as s:
            return patient_info(insert_patient(s, self.ctx, actor, values))

    def update(
        self, actor: Actor, patient_id: int, *, version: int | None = None, **changes: Any
    ) -> PatientInfo:
        """Change any of EDITABLE_FIELDS; the whole record is re-validated. ``version``: what
        the editor's values were read at (``for_editing``), None: no check."""
        actor.require(Action.EDIT_PATIENT)
        only_fields(N_("Patient"), changes, EDITABLE_FIELDS, N_("editable"))
        with self.ctx.db.write() as s:
            row = _get(s, patient_id)
            current = {f: getattr(row, f) for f in EDITABLE_FIELDS}
            values = self._validated({**current, **changes})
            diff = {k: v for k, v in values.items() if current[k] != v}
            if not diff:
                return patient_info(row)
            refuse_stale(
                s, self.ctx, ("patient", patient_id), version,
                what=N_("this patient's details"), current=lambda v: patient_info(row, v),
            )  # fmt: skip
            if "mrn" in diff:
                self._check_mrn_free(s, values["mrn"], patient_id)
            before = snapshot(row)
            for key, value in diff.items():
                setattr(row, key, value)
            row.updated_at = self.ctx.now()
            audit_row(s, self.ctx, actor, "patient.update", row, before=before)
            return patient_info(row)

    def record_view(self, actor: Actor, patient_id: int) -> None:
        """Audit that ``actor`` opened the chart (admins may not view charts)."""
        actor.require(Action.VIEW_PATIENT)
        with self.ctx.db.write() as s:
            _get(s, patient_id)
            audit_change(s, self.ctx, actor, AuditRecord("patient.view", "patient", patient_id))

    # ------------------------------------------------------------ reads

    def get(self, patient_id: int) -> PatientInfo:
        with self.ctx.db.read() as s:
            return patient_info(_get(s, patient_id))

    def for_editing(self, patient_id: int) -> PatientInfo:
        """The details with the ``version`` an editor saves against (one snapshot)."""
        with self.ctx.db.read() as s:
            return patient_info(_get(s, patient_id), current_version(s, "patient", patient_id))

    def get_by_mrn(self, mrn: str) -> PatientInfo:
        with self.ctx.db.read() as s:
            return patient_info(patient_by_mrn(s, mrn))  # a Core row: the same columns

    def possible_duplicates(
        self, given_name: str, family_name: str, date_of_birth: date | str
    ) -> list[PatientInfo]:
        """Patients with this date of birth and these names (given and family name either
        way round), compared by their letters only (``name_key``: case, accents, spaces and
        punctuation do not count), by MRN."""
        born = (
            date_of_birth
            if isinstance(date_of_birth, date)
            else _parse_date(str(date_of_birth).strip())
        )
        given, family = name_key(given_name), name_key(family_name)
        if born is None or not (given or family):
            return []
        with self.ctx.db.read() as s:
            rows = s.scalars(
                select(Patient).where(Patient.date_of_birth == born).order_by(Patient.mrn)
            ).all()
            return [
                patient_info(r)
                for r in rows
                if (name_key(r.given_name), name_key(r.family_name))
                in {(given, family), (family, given)}
            ]

    def search(self, text: str, limit: int = 50) -> list[PatientInfo]:
        """Patients matching ``text`` as typed so far (see the module docstring)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        query = SearchQuery.parse(text)
        stmt = select(Patient).order_by(Patient.family_name, Patient.given_name, Patient.id)
        if not query.blank:
            stmt = stmt.where(query.where(server=self.ctx.db.is_server))
        found: list[PatientInfo] = []
        with self.ctx.db.read() as s:
            for row in _stream(s, stmt):
                if query.blank or query.matches(row):
                    found.append(patient_info(row))
                    if len(found) >= limit:
                        break
        return found


def _stream(s: Session, stmt: Any) -> Iterator[Patient]:
    yield from s.scalars(stmt.execution_options(yield_per=100))


# ------------------------------------------------------------------ search

_QUERY_SPLIT: Final = re.compile(r"[\s,;'’.\-]+")
_WORD_SPLIT: Final = re.compile(r"[\s'’.\-]+")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class SearchQuery:
    """What was typed, split into folded name tokens, an MRN prefix and a date."""

    def __init__(self, text: str, tokens: tuple[str, ...], born: date | None) -> None:
        self.text = text
        self.tokens = tokens
        self.born = born

    @classmethod
    def parse(cls, text: str) -> SearchQuery:
        clean = unicodedata.normalize("NFC", text if isinstance(text, str) else "").strip()
        tokens = tuple(t for t in _QUERY_SPLIT.split(fold(clean)) if t)
        # A name word starts with a letter and holds no NUL (PostgreSQL refuses one in a
        # parameter): tokens otherwise cannot match any name.
        if not all(any(c.isalpha() for c in t) and "\x00" not in t for t in tokens):
            tokens = ()
        return cls(clean, tokens, _parse_date(clean))

    @property
    def blank(self) -> bool:
        return not self.text

    def _token_condition(self, token: str) -> ColumnElement[bool]:
        # search_key is " word word ...": a word starting with the token follows a space.
        return Patient.search_key.like(f"% {_like_escape(token)}%", escape="\\")

    def where(self, *, server: bool = False) -> ColumnElement[bool]:
        """The SQL filter; ``server`` picks PostgreSQL's case-insensitive MRN prefix match."""
        options: list[ColumnElement[bool]] = []
        if self.tokens:
            options.append(and_(*(self._token_condition(t) for t in self.tokens)))
        if self.text.isascii() and "\x00" not in self.text:
            prefix = f"{_like_escape(self.text)}%"
            # SQLite's LIKE already ignores ASCII case (and SQLAlchemy's ilike() would wrap the
            # column in lower() there); PostgreSQL's LIKE does not, so the server gets ILIKE.
            mrn = Patient.mrn.ilike if server else Patient.mrn.like
            options.append(mrn(prefix, escape="\\"))
        if self.born is not None:
            options.append(Patient.date_of_birth == self.born)
        return or_(*options) if options else false()

    def matches(self, p: Patient) -> bool:
        if self.born is not None and p.date_of_birth == self.born:
            return True
        if self.text.isascii() and p.mrn.lower().startswith(self.text.lower()):
            return True
        if not self.tokens:
            return False
        words = _WORD_SPLIT.split(fold(p.family_name)) + _WORD_SPLIT.split(fold(p.given_name))
        return all(any(w.startswith(t) for w in words) for t in self.tokens)
