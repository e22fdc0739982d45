"""The rows of each research CSV file, read as they are written (``yield_per``: a chunk of
rows in memory, never a table), in the column order of kapdesk.domain.research_columns.

A row is made with every column; :class:`Shape` turns ids into pseudonyms and moves
moments by the patient's offset when the export is de-identified, and the caller leaves
out the columns it removes. Records entered in error are not exported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kapdesk.domain.research import (
    Pseudonymizer,
    age_in_years,
    date_cell,
    moment_cell,
    shown_age,
)
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    InstrumentResult,
    Patient,
    SideEffect,
    VitalReading,
)

CHUNK = 2000  # rows fetched at a time
PSEUDONYMS_CACHED = 4096  # per kind: rows of one session follow each other
MAX_ITEMS = 9

Row = list[str]


@dataclass
class Shape:
    """How ids, moments and ages are written: as stored, or de-identified with ``pseudo``."""

    today: date
    pseudo: Pseudonymizer | None = None
    _ids: Callable[[str, int], str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pseudo = self.pseudo
        if pseudo is None:
            self._ids = lambda _kind, value: str(value)
        else:
            self._ids = lru_cache(maxsize=PSEUDONYMS_CACHED)(pseudo.pseudonym)

    @property
    def deidentified(self) -> bool:
        return self.pseudo is not None

    def id(self, kind: str, value: int | None) -> str:
        return "" if value is None else self._ids(kind, value)

    def shift(self, patient_id: int) -> timedelta | None:
        return None if self.pseudo is None else self.pseudo.offset(patient_id)

    def age(self, born: date, on: date) -> str:
        return shown_age(age_in_years(born, on), capped=self.deidentified)


def number(value: float | int | None) -> str:
    """A number as a cell: '' for None, whole floats without '.0', others in full."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _stream(s: Session, query: Select[*tuple[Any, ...]]) -> Iterator[Sequence[Any]]:
    yield from s.execute(query.execution_options(yield_per=CHUNK))


def patient_rows(s: Session, shape: Shape) -> Iterator[Row]:
    query = select(
        Patient.id,
        Patient.mrn,
        Patient.family_name,
        Patient.given_name,
        Patient.date_of_birth,
        Patient.sex,
        Patient.weight_kg,
        Patient.allergies,
        Patient.contraindications,
    ).order_by(Patient.id)
    for pid, mrn, family, given, born, sex, weight, allergies, contra in _stream(s, query):
        yield [
            shape.id("patient", pid),
            mrn,
            family,
            given,
            date_cell(born),
            shape.age(born, shape.today),
            sex,
            number(weight),
            allergies,
            contra,
        ]


def course_rows(s: Session, shape: Shape) -> Iterator[Row]:
    query = (
        select(
            Course.id,
            Course.patient_id,
            Course.protocol_id,
            Course.protocol_version,
            Course.started_on,
            Course.ended_on,
            Patient.date_of_birth,
            Course.goal,
        )
        .join(Patient, Course.patient_id == Patient.id)
        .order_by(Course.id)
    )
    for cid, pid, protocol, version, started, ended, born, goal in _stream(s, query):
        shift = shape.shift(pid)
        yield [
            shape.id("course", cid),
            shape.id("patient", pid),
            protocol,
            version,
            date_cell(started, shift),
            date_cell(ended, shift),
            shape.age(born, started),
            goal,
        ]


def session_rows(s: Session, shape: Shape) -> Iterator[Row]:
    d = DosingSession
    query = (
        select(
            d.id,
            d.course_id,
            Course.patient_id,
            d.scheduled_at,
            d.state,
            d.weight_kg,
            d.checked_in_at,
            d.first_dose_at,
            d.discharged_at,
            d.room,
            d.state_reason,
            d.discharge_reason,
        )
        .join(Course, d.course_id == Course.id)
        .order_by(d.id)
    )
    for sid, cid, pid, planned, state, weight, checked, dosed, left, *texts in _stream(s, query):
        shift = shape.shift(pid)
        yield [
            shape.id("session", sid),
            shape.id("course", cid),
            shape.id("patient", pid),
            moment_cell(planned, shift),
            state,
            number(weight),
            moment_cell(checked, shift),
            moment_cell(dosed, shift),
            moment_cell(left, shift),
            *(t or "" for t in texts),
        ]


def _of_sessions(query: Select[*tuple[Any, ...]], session_id: Any) -> Select[*tuple[Any, ...]]:
    return query.join(DosingSession, session_id == DosingSession.id).join(
        Course, DosingSession.course_id == Course.id
    )


def reading_rows(s: Session, shape: Shape) -> Iterator[Row]:
    v = VitalReading
    query = select(
        v.id,
        v.session_id,
        Course.patient_id,
        v.taken_at,
        v.phase,
        v.systolic,
        v.diastolic,
        v.pulse,
        v.spo2,
        v.band,
        v.rules,
        v.protocol_label,
    )
    query = _of_sessions(query, v.session_id).where(v.error_at.is_(None)).order_by(v.id)
    for rid, sid, pid, taken, phase, sys_, dia, pulse, spo2, band, rules, label in _stream(
        s, query
    ):
        yield [
            shape.id("reading", rid),
            shape.id("session", sid),
            shape.id("patient", pid),
            moment_cell(taken, shape.shift(pid)),
            phase,
            str(sys_),
            str(dia),
            number(pulse),
            number(spo2),
            band,
            ";".join(str(r) for r in rules or ()),
            label,
        ]


def dose_rows(s: Session, shape: Shape) -> Iterator[Row]:
    query = select(
        Dose.id,
        Dose.session_id,
        Course.patient_id,
        Dose.given_at,
        Dose.medication,
        Dose.route,
        Dose.amount,
        Dose.unit,
        Dose.mg,
        Dose.is_booster,
        Dose.over_limit,
        Dose.lot_number,
        Dose.confirmation_reason,
    )
    query = _of_sessions(query, Dose.session_id).where(Dose.error_at.is_(None)).order_by(Dose.id)
    for did, sid, pid, given, med, route, amount, unit, mg, boost, over, lot, why in _stream(
        s, query
    ):
        yield [
            shape.id("dose", did),
            shape.id("session", sid),
            shape.id("patient", pid),
            moment_cell(given, shape.shift(pid)),
            med,
            route,
            number(amount),
            unit,
            number(mg),
            flag(boost),
            flag(over),
            lot,
            why or "",
        ]


def side_effect_rows(s: Session, shape: Shape) -> Iterator[Row]:
    e = SideEffect
    query = select(
        e.id,
        e.session_id,
        Course.patient_id,
        e.effect_id,
        e.label,
        e.present,
        e.severity,
        e.onset_at,
        e.resolved_at,
        e.recorded_at,
        e.intervention,
    )
    query = _of_sessions(query, e.session_id).where(e.error_at.is_(None)).order_by(e.id)
    for eid, sid, pid, effect, label, present, severity, onset, resolved, at, what in _stream(
        s, query
    ):
        shift = shape.shift(pid)
        yield [
            shape.id("side_effect", eid),
            shape.id("session", sid),
            shape.id("patient", pid),
            effect,
            label,
            flag(present),
            severity or "",
            moment_cell(onset, shift),
            moment_cell(resolved, shift),
            moment_cell(at, shift),
            what,
        ]


def instrument_rows(s: Session, shape: Shape) -> Iterator[Row]:
    r = InstrumentResult
    query = (
        select(
            r.id,
            r.patient_id,
            r.course_id,
            r.session_id,
            r.instrument,
            r.taken_at,
            r.answers,
            r.total,
            r.band,
            r.item9_flag,
            r.scoring_rule,
        )
        .where(r.error_at.is_(None))
        .order_by(r.id)
    )
    for iid, pid, cid, sid, name, taken, answers, total, band, item9, rule in _stream(s, query):
        items = [str(a) for a in answers or ()][:MAX_ITEMS]
        yield [
            shape.id("instrument", iid),
            shape.id("patient", pid),
            shape.id("course", cid),
            shape.id("session", sid),
            name,
            moment_cell(taken, shape.shift(pid)),
            *items,
            *([""] * (MAX_ITEMS - len(items))),
            str(total),
            band,
            flag(item9),
            rule,
        ]


ROWS: dict[str, Callable[[Session, Shape], Iterator[Row]]] = {
    "patients.csv": patient_rows,
    "courses.csv": course_rows,
    "sessions.csv": session_rows,
    "readings.csv": reading_rows,
    "doses.csv": dose_rows,
    "side_effects.csv": side_effect_rows,
    "instruments.csv": instrument_rows,
}
