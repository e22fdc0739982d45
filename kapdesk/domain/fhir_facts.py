"""The facts a FHIR R4 export is made of: plain values read from the database by
:mod:`kapdesk.services.fhir_export`, turned into resources by
:mod:`kapdesk.domain.fhir_resources`. ``error``: the record was marked entered in error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class UserFacts:
    id: int
    username: str
    full_name: str
    role: str


@dataclass(frozen=True)
class PatientFacts:
    id: int
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: str


@dataclass(frozen=True)
class CourseFacts:
    id: int
    patient_id: int
    protocol_id: str
    protocol_version: str
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class SessionFacts:
    id: int
    course_id: int
    state: str
    scheduled_at: datetime
    checked_in_at: datetime | None
    discharged_at: datetime | None


@dataclass(frozen=True)
class IntegrationFacts:
    """An integration session (its integration note, not an addendum)."""

    id: int
    course_id: int
    dosing_session_id: int | None
    held_at: datetime
    author_id: int
    status: str  # 'draft' | 'final'


@dataclass(frozen=True)
class ReadingFacts:
    id: int
    session_id: int
    taken_at: datetime
    systolic: int
    diastolic: int
    pulse: int | None
    spo2: int | None
    band: str
    recorded_by: int
    error: bool


@dataclass(frozen=True)
class DoseFacts:
    id: int
    session_id: int
    medication: str
    route: str
    amount: float
    unit: str
    mg: float
    given_at: datetime
    lot_number: str
    given_by: int
    is_booster: bool
    error: bool


@dataclass(frozen=True)
class SideEffectFacts:
    id: int
    session_id: int
    label: str
    severity: str | None
    onset_at: datetime | None
    resolved_at: datetime | None
    intervention: str
    recorded_by: int
    recorded_at: datetime
    error: bool
    present: bool = True  # False: recorded absent (a later entry supersedes an earlier one)


@dataclass(frozen=True)
class InstrumentFacts:
    id: int
    session_id: int | None
    instrument: str  # 'PHQ-9' | 'GAD-7'
    answers: tuple[int, ...]
    total: int
    band: str
    taken_at: datetime
    recorded_by: int
    error: bool


@dataclass(frozen=True)
class SignatureFacts:
    """A signature of a dosing session, a note or an addendum; ``encounter``: the session
    the signed record belongs to ('dosing_session' or 'integration', its id)."""

    id: int
    entity: str
    entity_id: int
    encounter: tuple[str, int] | None
    signer_id: int
    signed_at: datetime
    meaning: str
    content_sha256: str


@dataclass(frozen=True)
class PatientRecord:
    """Everything of one patient that is exported."""

    patient: PatientFacts
    courses: tuple[CourseFacts, ...] = ()
    sessions: tuple[SessionFacts, ...] = ()
    integrations: tuple[IntegrationFacts, ...] = ()
    readings: tuple[ReadingFacts, ...] = ()
    doses: tuple[DoseFacts, ...] = ()
    side_effects: tuple[SideEffectFacts, ...] = ()
    instruments: tuple[InstrumentFacts, ...] = field(default=())
    signatures: tuple[SignatureFacts, ...] = ()
