"""Plain, frozen results that services hand to front ends (never ORM objects): the records
every summary reads (patient, course, session, readings, doses, side effects,
observations, questionnaires and the course's outcome). What only particular screens and
tools are handed is in :mod:`kapdesk.services.screen_dtos`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kapdesk.domain.instruments import Outcome


@dataclass(frozen=True)
class PatientInfo:
    id: int
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: str
    weight_kg: float | None
    allergies: str
    contraindications: str
    # The version an editor saves against (services.edit_versions); None: not read (searches).
    version: int | None = field(default=None, compare=False)

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"


@dataclass(frozen=True)
class CourseInfo:
    id: int
    patient_id: int
    protocol_id: str
    protocol_version: str
    protocol_title: str
    started_on: date
    goal: str
    ended_on: date | None
    session_count: int = 0


@dataclass(frozen=True)
class SessionInfo:
    id: int
    course_id: int
    patient_id: int
    mrn: str
    patient_name: str
    protocol_id: str
    protocol_version: str
    scheduled_at: datetime
    room: str
    state: str
    weight_kg: float | None
    checklist: dict[str, Any]
    checked_in_at: datetime | None
    first_dose_at: datetime | None
    discharged_at: datetime | None
    discharge_criteria: dict[str, Any]
    discharge_reason: str | None
    state_reason: str | None
    # A second dosing session on one day: the confirming clinician's reason (else None).
    same_day_reason: str | None = None
    # The session's signature (SessionService's lists fill these; else None / "").
    signed_at: datetime | None = None
    signed_by: str = ""

    @property
    def protocol_label(self) -> str:
        return f"{self.protocol_id} v{self.protocol_version}"


@dataclass(frozen=True)
class ErrorMark:
    """An entry marked entered in error (kapdesk.domain.corrections): who, when (aware UTC),
    why. The entry is still shown (struck through) but counts for nothing."""

    by_name: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class ReadingInfo:
    id: int
    session_id: int
    taken_at: datetime
    systolic: int
    diastolic: int
    pulse: int | None
    spo2: int | None
    phase: str
    band: str
    rules: tuple[str, ...]
    assessment: str
    protocol_label: str
    recorded_by: str
    recorded_at: datetime
    minutes_from_dose: float | None
    error: ErrorMark | None = None  # entered in error: struck through, counts for nothing


@dataclass(frozen=True)
class DoseInfo:
    id: int
    session_id: int
    medication: str
    route: str
    amount: float
    unit: str
    mg: float
    given_at: datetime
    lot_number: str
    given_by: str
    is_booster: bool
    over_limit: bool
    confirmation_reason: str | None
    confirmed_by: str | None
    recorded_by: str
    warnings: tuple[str, ...] = ()  # acknowledged with the dose (checklist, small dose, gap)
    recorded_at: datetime | None = None  # when it was entered (later than given_at: late)
    error: ErrorMark | None = None  # entered in error: struck through, counts for nothing


@dataclass(frozen=True)
class OverrideInfo:
    id: int
    session_id: int
    reading_id: int | None
    prescriber_name: str
    reason: str
    recorded_by: str
    recorded_at: datetime
    kind: str = "reading"  # 'reading' (pre-dose hold, post-dose gate) or 'checklist'
    item_id: str | None = None  # the checklist item overridden (kind 'checklist')


@dataclass(frozen=True)
class SideEffectInfo:
    id: int
    session_id: int
    effect_id: str
    label: str
    present: bool
    severity: str | None
    onset_at: datetime | None
    intervention: str
    resolved_at: datetime | None
    recorded_by: str
    recorded_at: datetime
    error: ErrorMark | None = None  # entered in error: struck through, counts for nothing


@dataclass(frozen=True)
class ObservationInfo:
    id: int
    session_id: int
    kind: str  # "moaas" | "dissociation"
    score: int | None
    present: bool | None
    text: str
    observed_at: datetime
    recorded_by: str
    recorded_at: datetime | None = None  # when it was entered (later than observed_at: late)
    error: ErrorMark | None = None  # entered in error: struck through, counts for nothing


@dataclass(frozen=True)
class InstrumentInfo:
    id: int
    patient_id: int
    course_id: int | None
    session_id: int | None
    instrument: str
    answers: tuple[int, ...]
    total: int
    band: str
    item9_flag: bool
    taken_at: datetime
    recorded_by: str
    band_rule: str = ""  # provenance, e.g. "PHQ-9 10-14: moderate (Kroenke 2001)"
    follow_up: tuple[str, ...] = ()  # one sentence per item needing clinician follow-up
    max_total: int = 0
    # Stored with the result: "PHQ-9 v1 (Kroenke 2001): 0-4 minimal, ..." ('' if older).
    scoring_rule: str = ""
    error: ErrorMark | None = None  # entered in error: struck through, counts for nothing


@dataclass(frozen=True)
class FollowUpInfo:
    """A result after the acute phase of a course: shown apart, never the endpoint."""

    result: InstrumentInfo
    label: str  # "3-month follow-up"
    deterioration: bool | None  # None: no acute endpoint to compare with
    reason: str
    summary: str  # "3-month follow-up: 19, deterioration (loss of response; ...)"
    verdict: str = ""  # "deterioration (loss of response; ...)": the summary after the total


@dataclass(frozen=True)
class CourseOutcomeInfo:
    """PHQ-9 across a course: baseline, latest, response/remission and item 9 over time."""

    course_id: int
    instrument: str
    results: tuple[InstrumentInfo, ...]  # oldest first
    baseline: InstrumentInfo | None  # the course's first PHQ-9
    # The acute endpoint: the last PHQ-9 within the acute phase (a later one than baseline).
    latest: InstrumentInfo | None
    outcome: Outcome | None  # baseline against the endpoint; None until there is one
    item9_history: tuple[tuple[datetime, int], ...]  # (taken_at, item 9 answer)
    rule: str  # the response/remission definitions used
    follow_ups: tuple[FollowUpInfo, ...] = ()  # results after the acute phase, oldest first
    acute_weeks: int = 8
    acute_end: date | None = None  # last day of the acute phase (local date)
    endpoint_rule: str = ""  # endpoint, follow-up and deterioration definitions used
    protocol_label: str = ""  # the pinned protocol version that set the acute phase

    @property
    def endpoint(self) -> InstrumentInfo | None:
        return self.latest

    @property
    def item9_flagged(self) -> bool:
        """Item 9 was above 0 at any time in the course."""
        return any(value > 0 for _, value in self.item9_history)
