"""FHIR R4 export: one patient as a transaction Bundle, or the whole clinic streamed as
resources (Bulk-Data NDJSON, one file per resource type, written by the caller).

Decisions a caller must know:

* The resources are built by :mod:`kapdesk.domain.fhir_resources` (codes, profiles,
  entered-in-error, what is left out); ids are stable per database: the namespace is the
  hash of the database's first audit entry, which a backup, a restore or a move to the
  clinic server keep, so a re-export updates the receiver's copies instead of adding.
* One read snapshot per export. The whole clinic is read :data:`BATCH` patients at a
  time and each batch let go before the next (memory does not grow with the clinic);
  Practitioners (the clinic's users) come first.
* Nothing is audited by reading: once the caller has written the file(s), it calls
  :meth:`FhirExportService.audit_console_export` (``export.fhir_console``, the console
  user as the actor, the number of resources per type; no names or MRNs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapdesk.domain.errors import NotFound
from kapdesk.domain.fhir_facts import UserFacts
from kapdesk.domain.fhir_resources import (
    Ids,
    Resource,
    patient_resources,
    practitioner,
    transaction_bundle,
    users_of,
)
from kapdesk.i18n import _
from kapdesk.services.console import audit_console
from kapdesk.services.context import Service
from kapdesk.services.fhir_load import load_records
from kapdesk.storage.orm import AuditEntry, Patient, User

BATCH = 100  # patients read at a time by the whole-clinic export


def _identity(s: Session) -> str:
    first = s.scalar(select(AuditEntry.hash).order_by(AuditEntry.id).limit(1))
    return first or "empty"


def _users(s: Session, wanted: set[int] | None = None) -> list[UserFacts]:
    query = select(User.id, User.username, User.full_name, User.role).order_by(User.id)
    if wanted is not None:
        query = query.where(User.id.in_(sorted(wanted)))
    return [UserFacts(*row) for row in s.execute(query)]


@dataclass(frozen=True)
class PatientBundle:
    bundle: Resource
    patient_id: int  # the database's id (for the audit entry)


class FhirExportService(Service):
    def patient_bundle(self, mrn: str) -> PatientBundle:
        """The patient with ``mrn`` (any case) and all of their records as a transaction
        Bundle (its Practitioners included); NotFound when no patient has it."""
        text = mrn.strip()
        with self.ctx.db.read() as s:
            row = s.scalar(select(Patient).where(func.lower(Patient.mrn) == text.lower()))
            if row is None:
                raise NotFound(_("There is no patient with MRN '{mrn}'.", mrn=text))
            ids = Ids(_identity(s), urn=True)
            (record,) = load_records(s, [row])
            resources = [practitioner(u, ids) for u in _users(s, users_of(record))]
            resources += patient_resources(record, ids)
        bundle = transaction_bundle(resources, ids.id("export-patient", record.patient.id))
        return PatientBundle(bundle, record.patient.id)

    @contextmanager
    def all_resources(self) -> Iterator[Iterator[Resource]]:
        """Every resource of the clinic, read lazily while the ``with`` block lasts;
        references as ``Type/id`` (NDJSON)."""
        with self.ctx.db.read() as s:
            yield self._stream(s)

    def _stream(self, s: Session) -> Iterator[Resource]:
        ids = Ids(_identity(s), urn=False)
        for user in _users(s):
            yield practitioner(user, ids)
        last = 0
        while True:
            query = select(Patient).where(Patient.id > last).order_by(Patient.id).limit(BATCH)
            batch = list(s.scalars(query))
            if not batch:
                return
            last = batch[-1].id
            records = load_records(s, batch)
            s.expunge_all()  # the batch's rows are let go
            for record in records:
                yield from patient_resources(record, ids)

    def audit_console_export(
        self, scope: str, counts: Counter[str], *, target: str, patient_id: int | None = None
    ) -> None:
        """``export.fhir_console``: what (one patient, by its id, or all), how many
        resources of each type, and where; the console user as the actor."""
        after: dict[str, Any] = {
            "format": "FHIR R4",
            "scope": scope,
            "resources": sum(counts.values()),
            "by_type": dict(sorted(counts.items())),
            "target": target,
        }
        entity, entity_id = (
            ("patient", patient_id) if patient_id is not None else ("database", None)
        )
        audit_console(
            self.ctx, "export.fhir_console", entity=entity, entity_id=entity_id, after=after
        )


def bundle_counts(bundle: Resource) -> Counter[str]:
    return Counter(str(e["resource"]["resourceType"]) for e in bundle.get("entry", []))
