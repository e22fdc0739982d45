"""The records of a few patients at a time, read for the FHIR export as plain facts
(:mod:`kapdesk.domain.fhir_facts`): a handful of IN (...) queries per batch of patients,
whatever the number of sessions, so an export of the whole clinic reads in batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kapdesk.domain.fhir_facts import (
    CourseFacts,
    DoseFacts,
    InstrumentFacts,
    IntegrationFacts,
    PatientFacts,
    PatientRecord,
    ReadingFacts,
    SessionFacts,
    SideEffectFacts,
    SignatureFacts,
)
from kapdesk.storage.orm import (
    Addendum,
    Course,
    Dose,
    DosingSession,
    InstrumentResult,
    Note,
    Patient,
    SideEffect,
    Signature,
    VitalReading,
)

_IN_CHUNK = 500
T = TypeVar("T")


def _rows(
    s: Session, model: type[T], column: InstrumentedAttribute[Any], keys: Iterable[Any]
) -> list[T]:
    wanted = sorted(set(keys))
    found: list[T] = []
    for i in range(0, len(wanted), _IN_CHUNK):
        query = select(model).where(column.in_(wanted[i : i + _IN_CHUNK]))
        found += s.scalars(query.order_by(model.id)).all()  # type: ignore[attr-defined]
    return found


def _patient(p: Patient) -> PatientFacts:
    return PatientFacts(p.id, p.mrn, p.family_name, p.given_name, p.date_of_birth, p.sex)


def _course(c: Course) -> CourseFacts:
    return CourseFacts(
        c.id, c.patient_id, c.protocol_id, c.protocol_version, c.started_on, c.ended_on
    )


def _session(d: DosingSession) -> SessionFacts:
    return SessionFacts(
        d.id, d.course_id, d.state, d.scheduled_at, d.checked_in_at, d.discharged_at
    )


def _reading(r: VitalReading) -> ReadingFacts:
    return ReadingFacts(
        r.id, r.session_id, r.taken_at, r.systolic, r.diastolic, r.pulse, r.spo2, r.band,
        r.recorded_by, r.error_at is not None,
    )  # fmt: skip


def _dose(d: Dose) -> DoseFacts:
    return DoseFacts(
        d.id, d.session_id, d.medication, d.route, d.amount, d.unit, d.mg, d.given_at,
        d.lot_number, d.given_by, d.is_booster, d.error_at is not None,
    )  # fmt: skip


def _side_effect(e: SideEffect) -> SideEffectFacts:
    return SideEffectFacts(
        e.id, e.session_id, e.label, e.severity, e.onset_at, e.resolved_at, e.intervention,
        e.recorded_by, e.recorded_at, e.error_at is not None, e.present,
    )  # fmt: skip


def _instrument(i: InstrumentResult) -> InstrumentFacts:
    answers = tuple(int(a) for a in i.answers)
    return InstrumentFacts(
        i.id, i.session_id, i.instrument, answers, i.total, i.band, i.taken_at, i.recorded_by,
        i.error_at is not None,
    )  # fmt: skip


class _Where:
    """The encounter a signed record belongs to: ('dosing_session' | 'integration', id)."""

    def __init__(self, notes: Sequence[Note], addenda: Sequence[Addendum]) -> None:
        self.notes = {n.id: n for n in notes}
        self.addenda = {a.id: a for a in addenda}

    def note(self, note_id: int) -> tuple[str, int] | None:
        note = self.notes.get(note_id)
        seen: set[int] = set()
        while note is not None and note.addendum_of is not None and note.id not in seen:
            seen.add(note.id)
            note = self.notes.get(note.addendum_of)
        if note is None:
            return None
        if note.kind == "integration":
            return ("integration", note.id)
        sid = note.dosing_session_id
        return None if sid is None else ("dosing_session", sid)

    def of(self, entity: str, entity_id: int) -> tuple[str, int] | None:
        if entity == "dosing_session":
            return ("dosing_session", entity_id)
        if entity == "note":
            return self.note(entity_id)
        addendum = self.addenda.get(entity_id)
        return None if addendum is None else self.of(addendum.entity, addendum.entity_id)


def _signatures(
    s: Session, session_ids: list[int], notes: Sequence[Note]
) -> tuple[SignatureFacts, ...]:
    note_ids = [n.id for n in notes]
    addenda = [
        a
        for a in _rows(s, Addendum, Addendum.entity_id, session_ids + note_ids)
        if (a.entity == "dosing_session" and a.entity_id in set(session_ids))
        or (a.entity == "note" and a.entity_id in set(note_ids))
    ]
    where = _Where(notes, addenda)
    wanted = {("dosing_session", i) for i in session_ids} | {("note", i) for i in note_ids}
    wanted |= {("addendum", a.id) for a in addenda}
    ids = [i for _, i in wanted]
    found = [
        g
        for g in _rows(s, Signature, Signature.entity_id, ids)
        if (g.entity, g.entity_id) in wanted
    ]
    return tuple(
        SignatureFacts(
            g.id,
            g.entity,
            g.entity_id,
            where.of(g.entity, g.entity_id),
            g.signer_id,
            g.signed_at,
            g.meaning,
            g.content_sha256,
        )
        for g in found
    )


def _grouped(items: Iterable[T], key: Callable[[T], int]) -> dict[int, list[T]]:
    groups: dict[int, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def load_records(s: Session, patients: Sequence[Patient]) -> list[PatientRecord]:
    """The exported records of ``patients`` (one batch), in their order."""
    pids = [p.id for p in patients]
    courses = _rows(s, Course, Course.patient_id, pids)
    course_patient = {c.id: c.patient_id for c in courses}
    sessions = _rows(s, DosingSession, DosingSession.course_id, course_patient)
    session_patient = {d.id: course_patient[d.course_id] for d in sessions}
    sids = list(session_patient)
    notes = _rows(s, Note, Note.course_id, course_patient)
    readings = _grouped(
        (_reading(r) for r in _rows(s, VitalReading, VitalReading.session_id, sids)),
        lambda r: session_patient[r.session_id],
    )
    doses = _grouped(
        (_dose(d) for d in _rows(s, Dose, Dose.session_id, sids)),
        lambda d: session_patient[d.session_id],
    )
    effects = _grouped(
        (_side_effect(e) for e in _rows(s, SideEffect, SideEffect.session_id, sids)),
        lambda e: session_patient[e.session_id],
    )
    instruments = _grouped(
        _rows(s, InstrumentResult, InstrumentResult.patient_id, pids), lambda i: i.patient_id
    )
    notes_of = _grouped(notes, lambda n: course_patient[n.course_id])
    records = []
    for p in patients:
        mine = [d for d in sessions if session_patient[d.id] == p.id]
        my_notes = notes_of.get(p.id, [])
        integrations = tuple(
            IntegrationFacts(
                n.id, n.course_id, n.dosing_session_id, n.held_at, n.author_id, n.status
            )
            for n in my_notes
            if n.kind == "integration" and n.addendum_of is None
        )
        records.append(
            PatientRecord(
                patient=_patient(p),
                courses=tuple(_course(c) for c in courses if c.patient_id == p.id),
                sessions=tuple(_session(d) for d in mine),
                integrations=integrations,
                readings=tuple(readings.get(p.id, [])),
                doses=tuple(doses.get(p.id, [])),
                side_effects=tuple(effects.get(p.id, [])),
                instruments=tuple(_instrument(i) for i in instruments.get(p.id, [])),
                signatures=_signatures(s, [d.id for d in mine], my_notes),
            )
        )
    return records
