"""Patient import: a clinic's patient list (CSV) checked, then stored all at once, audited.

Decisions a caller must know:

* The file is read by :func:`kapdesk.domain.patient_import.read_patients` (the patient
  form's validators, field by field; an MRN twice in the file refused); here the MRNs the
  clinic already has (any case) are refused too, with the patient form's message.
* ``check`` is the dry run: it writes nothing (no audit entry either) and returns the
  report: the rows that would be created, or every problem. Its ``notes`` name the rows
  with the name and date of birth of a patient of the clinic or of an earlier row under
  another MRN (the patient form's possible duplicates): they do not stop an import, as
  the form lets "create anyway", but the report shows them first.
* ``import_file`` (a signed-in user: EDIT_PATIENT, the roles that may add a patient) and
  ``import_from_console`` (`kapdesk import patients`, whoever can write the database, like
  `kapdesk user add`) check the file again inside one write transaction and store every
  patient or none: with any problem nothing is stored and the report lists them. Each
  patient gets the ``patient.create`` entry the patient form writes (from the console
  without a user, ``after["actor"]`` 'console:<OS user>'), then one ``patient.import`` /
  ``patient.import_console`` entry (entity ``database``) with the file's name, its
  SHA-256 and the number of patients; no names or MRNs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.patient_import import (
    ImportNote,
    ImportPlan,
    ImportProblem,
    ImportRow,
    KnownPatient,
    possible_duplicates,
    read_patients,
)
from kapdesk.domain.permissions import Action
from kapdesk.services.console import console_actor
from kapdesk.services.context import Actor, Service
from kapdesk.services.dtos import PatientInfo
from kapdesk.services.guard import audit_denials
from kapdesk.services.patients import insert_patient, local_today, stored_values
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.services.row_info import patient_info
from kapdesk.storage.orm import Patient

_IN_CHUNK = 500  # MRNs per IN (...) query


@dataclass(frozen=True)
class ImportReport:
    """What a patient list would create or did create. ``created``: the stored patients
    (empty for a dry run and whenever there are problems)."""

    file_name: str
    rows: tuple[ImportRow, ...]
    problems: tuple[ImportProblem, ...]
    notes: tuple[ImportNote, ...] = ()
    created: tuple[PatientInfo, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def stored(self) -> bool:
        return bool(self.created)


def _taken(s: Session, mrns: Iterable[str]) -> list[str]:
    """The MRNs of ``mrns`` the clinic already has (compared without case)."""
    wanted = sorted({m.lower() for m in mrns})
    found: list[str] = []
    for i in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[i : i + _IN_CHUNK]
        found += s.scalars(select(Patient.mrn).where(func.lower(Patient.mrn).in_(chunk))).all()
    return found


def _known(s: Session, rows: Iterable[ImportRow]) -> list[KnownPatient]:
    """The clinic's patients born on a day one of ``rows`` was born."""
    days = sorted({r.patient.date_of_birth for r in rows})
    found: list[KnownPatient] = []
    columns = (Patient.mrn, Patient.family_name, Patient.given_name, Patient.date_of_birth)
    for i in range(0, len(days), _IN_CHUNK):
        query = select(*columns).where(Patient.date_of_birth.in_(days[i : i + _IN_CHUNK]))
        found += [KnownPatient(*row) for row in s.execute(query.order_by(Patient.mrn))]
    return found


@audit_denials
class PatientImportService(Service):
    def _plan(self, s: Session, data: bytes) -> ImportPlan:
        plan = read_patients(data, today=local_today(self.ctx))
        return plan.refusing(lambda mrns: _taken(s, mrns)) if plan.rows else plan

    def check(self, data: bytes, file_name: str) -> ImportReport:
        """The dry run: what ``data`` would create, or its problems, and the rows that may
        be patients the clinic (or the file) has under another MRN; writes nothing."""
        with self.ctx.db.read() as s:
            plan = self._plan(s, data)
            notes = possible_duplicates(plan.rows, _known(s, plan.rows)) if plan.ok else ()
        return ImportReport(file_name, plan.rows, plan.problems, notes)

    def import_file(self, actor: Actor, data: bytes, file_name: str) -> ImportReport:
        """Store every patient of the file, or none when it has a problem (see module)."""
        actor.require(Action.EDIT_PATIENT)
        return self._import(actor, data, file_name, console=None)

    def import_from_console(self, data: bytes, file_name: str) -> ImportReport:
        """`kapdesk import patients`: as ``import_file``, by the console user."""
        return self._import(None, data, file_name, console=console_actor())

    def _import(
        self, actor: Actor | None, data: bytes, file_name: str, *, console: str | None
    ) -> ImportReport:
        with self.ctx.db.write() as s:
            plan = self._plan(s, data)  # again, under the write lock: what is stored now
            if not plan.ok:
                return ImportReport(file_name, plan.rows, plan.problems)
            notes = possible_duplicates(plan.rows, _known(s, plan.rows))
            rows = [  # the plan refused the MRNs in use, in this transaction
                insert_patient(
                    s, self.ctx, actor, stored_values(r.patient), console=console, mrn_checked=True
                )
                for r in plan.rows
            ]
            after: dict[str, Any] = {
                "file": file_name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "patients": len(rows),
                **({"actor": console} if console is not None else {}),
            }
            action = "patient.import" if console is None else "patient.import_console"
            audit_change(s, self.ctx, actor, AuditRecord(action, "database", after=after))
            created = tuple(patient_info(r) for r in rows)
        return ImportReport(file_name, plan.rows, (), notes, created)
