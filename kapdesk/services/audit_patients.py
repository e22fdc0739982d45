"""Which patient an audit entry concerns: as a SQL filter, and for a page of entries.

Audit entries name a record (``entity``, ``entity_id`` as text). These
entities lead to a patient: patient, course, dosing_session, vital_reading,
dose, hold_override, side_effect, observation, note, instrument_result, and
through their target, signature and addendum. Anything else (users, settings,
the audit log) concerns no patient.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, String, and_, cast, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kapdesk.storage.orm import (
    Addendum,
    AuditEntry,
    Course,
    Dose,
    DosingSession,
    HoldOverride,
    InstrumentResult,
    Note,
    Observation,
    SideEffect,
    Signature,
    VitalReading,
)

# Audit entity name -> (id column, session_id column) of what is recorded in a session.
SESSION_CHILDREN: Final[
    dict[str, tuple[InstrumentedAttribute[int], InstrumentedAttribute[int]]]
] = {
    "vital_reading": (VitalReading.id, VitalReading.session_id),
    "dose": (Dose.id, Dose.session_id),
    "hold_override": (HoldOverride.id, HoldOverride.session_id),
    "side_effect": (SideEffect.id, SideEffect.session_id),
    "observation": (Observation.id, Observation.session_id),
}

Key = tuple[str, str | None]


def _ids(column: InstrumentedAttribute[int], *where: ColumnElement[bool]) -> Select[Any]:
    return select(column).where(*where)


def _as_text(sub: Select[Any]) -> Select[Any]:
    col = sub.selected_columns[0]
    return sub.with_only_columns(cast(col, String))


def patient_condition(patient_id: int) -> ColumnElement[bool]:
    """SQL: the audit entry concerns ``patient_id`` (see the module docstring)."""
    courses = _ids(Course.id, Course.patient_id == patient_id)
    sessions = _ids(DosingSession.id, DosingSession.course_id.in_(courses))
    notes = _ids(Note.id, Note.course_id.in_(courses))
    addenda = _ids(
        Addendum.id,
        or_(
            and_(Addendum.entity == "dosing_session", Addendum.entity_id.in_(sessions)),
            and_(Addendum.entity == "note", Addendum.entity_id.in_(notes)),
        ),
    )
    signatures = _ids(
        Signature.id,
        or_(
            and_(Signature.entity == "dosing_session", Signature.entity_id.in_(sessions)),
            and_(Signature.entity == "note", Signature.entity_id.in_(notes)),
            and_(Signature.entity == "addendum", Signature.entity_id.in_(addenda)),
        ),
    )
    by_entity: dict[str, Select[Any]] = {
        "course": courses,
        "dosing_session": sessions,
        "note": notes,
        "addendum": addenda,
        "signature": signatures,
        "instrument_result": _ids(InstrumentResult.id, InstrumentResult.patient_id == patient_id),
    }
    for name, (id_col, session_col) in SESSION_CHILDREN.items():
        by_entity[name] = _ids(id_col, session_col.in_(sessions))
    clauses = [and_(AuditEntry.entity == "patient", AuditEntry.entity_id == str(patient_id))]
    clauses += [
        and_(AuditEntry.entity == name, AuditEntry.entity_id.in_(_as_text(sub)))
        for name, sub in by_entity.items()
    ]
    return or_(*clauses)


def _pairs(s: Session, stmt: Select[int, int]) -> dict[int, int]:
    return {int(a): int(b) for a, b in s.execute(stmt).all() if b is not None}


def _resolve(s: Session, wanted: dict[str, set[int]], depth: int = 0) -> dict[tuple[str, int], int]:
    """(entity, id) -> patient id, for every id of ``wanted`` that leads to a patient."""
    found: dict[tuple[str, int], int] = {}
    if depth > 2:
        return found
    for entity, ids in wanted.items():
        if not ids:
            continue
        if entity == "patient":
            got = {i: i for i in ids}
        elif entity == "course":
            got = _pairs(s, select(Course.id, Course.patient_id).where(Course.id.in_(ids)))
        elif entity == "dosing_session":
            got = _pairs(
                s,
                select(DosingSession.id, Course.patient_id)
                .join(Course, DosingSession.course_id == Course.id)
                .where(DosingSession.id.in_(ids)),
            )
        elif entity == "note":
            got = _pairs(
                s,
                select(Note.id, Course.patient_id)
                .join(Course, Note.course_id == Course.id)
                .where(Note.id.in_(ids)),
            )
        elif entity == "instrument_result":
            got = _pairs(
                s,
                select(InstrumentResult.id, InstrumentResult.patient_id).where(
                    InstrumentResult.id.in_(ids)
                ),
            )
        elif entity in SESSION_CHILDREN:
            id_col, session_col = SESSION_CHILDREN[entity]
            got = _pairs(
                s,
                select(id_col, Course.patient_id)
                .join(DosingSession, session_col == DosingSession.id)
                .join(Course, DosingSession.course_id == Course.id)
                .where(id_col.in_(ids)),
            )
        elif entity in ("signature", "addendum"):
            model2 = Signature if entity == "signature" else Addendum
            targets = s.execute(
                select(model2.id, model2.entity, model2.entity_id).where(model2.id.in_(ids))
            ).all()
            inner: dict[str, set[int]] = defaultdict(set)
            for _, t_entity, t_id in targets:
                inner[t_entity].add(int(t_id))
            resolved = _resolve(s, inner, depth + 1)
            got = {
                int(i): resolved[(t_entity, int(t_id))]
                for i, t_entity, t_id in targets
                if (t_entity, int(t_id)) in resolved
            }
        else:
            continue
        found.update({(entity, i): pid for i, pid in got.items()})
    return found


def patients_of(s: Session, keys: Iterable[Key]) -> dict[Key, int]:
    """The patient each (entity, entity_id) of a page of audit entries concerns, if any."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entity, entity_id in keys:
        if entity_id is not None and entity_id.isdigit():
            wanted[entity].add(int(entity_id))
    resolved = _resolve(s, wanted)
    return {(entity, str(i)): pid for (entity, i), pid in resolved.items()}
