"""Plain, frozen results that services hand to front ends (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kapdesk.domain.discharge_record import Criterion

if TYPE_CHECKING:  # annotations only: a course report judges no dose gate (domain.gates)
    from kapdesk.domain.alerts import ActiveAlert
    from kapdesk.domain.gates import DoseGate
    from kapdesk.domain.instruments import Outcome
    from kapdesk.domain.permissions import Role
    from kapdesk.domain.schedule import DueItem
    from kapdesk.domain.vitals import Assessment


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    must_change_password: bool
    locked_until: datetime | None
    failed_logins: int = 0  # wrong passwords in a row (reset by a sign-in or an unlock)
    language: str | None = None  # 'pt-PT', ...; None: the computer's language


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
class RecordedReading:
    """A stored reading with the protocol's assessment of it, for the screen to act on."""

    reading: ReadingInfo
    assessment: Assessment
    hold_active: bool  # dosing needs a prescriber's override (pre-dose readings only)

    @property
    def band(self) -> str:
        return self.assessment.band.value

    @property
    def summary(self) -> str:
        return self.assessment.summary

    @property
    def actions(self) -> tuple[str, ...]:
        """What the protocol says to do, most serious rule first."""
        return tuple(dict.fromkeys(h.action for h in self.assessment.fired))

    @property
    def recheck_after_min(self) -> int | None:
        return self.assessment.recheck_after_min

    @property
    def escalate(self) -> bool:
        return self.assessment.escalate


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


@dataclass(frozen=True)
class NoteInfo:
    id: int
    kind: str  # "session" | "integration"
    course_id: int
    dosing_session_id: int | None
    held_at: datetime
    sections: dict[str, str]
    body: str
    status: str
    author: str
    created_at: datetime
    updated_at: datetime
    author_id: int | None = None
    # The version an editor saves against (services.edit_versions); None: not read (lists).
    version: int | None = field(default=None, compare=False)


# One protocol criterion and whether it is met (computed ones say why): the domain's record.
DischargeCheck = Criterion


@dataclass(frozen=True)
class SessionDetail:
    session: SessionInfo
    patient: PatientInfo
    course: CourseInfo
    readings: tuple[ReadingInfo, ...]
    doses: tuple[DoseInfo, ...]
    overrides: tuple[OverrideInfo, ...]
    side_effects: tuple[SideEffectInfo, ...]
    observations: tuple[ObservationInfo, ...]
    notes: tuple[NoteInfo, ...]
    schedule: tuple[DueItem, ...]
    discharge_checks: tuple[DischargeCheck, ...] = field(default=())
    hold_active: bool = False
    route: str | None = None
    # What refuses the next dose (kapdesk.domain.gates), for a session that may still take
    # one (checked in to monitoring); None otherwise. gate.overrides: the overrides that
    # lifted a gate ("override recorded by ..." via gates.override_text).
    gate: DoseGate | None = None
    alerts: tuple[ActiveAlert, ...] = ()  # active alert/critical readings (domain.alerts)


@dataclass(frozen=True)
class BoardRow:
    """One row of the Today board."""

    session_id: int
    room: str
    patient_name: str
    mrn: str
    protocol_label: str
    state: str
    scheduled_at: datetime
    first_dose_at: datetime | None
    next_due: DueItem | None
    flags: tuple[str, ...]
    worst_band: str
    # issue 9: every reading of the schedule (rechecks included) for running sessions, so
    # the board can name the missed, the next and how many more (domain.schedule.attention)
    items: tuple[DueItem, ...] = ()
    alerts: tuple[ActiveAlert, ...] = ()  # active alert/critical readings, most serious first


@dataclass(frozen=True)
class SignatureInfo:
    """A signature as printed: name and role as they were at signing, time (aware UTC),
    meaning; ``entity`` is 'dosing_session', 'note' or 'addendum'."""

    id: int
    entity: str
    entity_id: int
    signer_id: int
    signer_name: str
    signer_role: str
    signed_at: datetime
    meaning: str
    method: str
    content_sha256: str


@dataclass(frozen=True)
class AddendumInfo:
    """Text appended to a signed session or note; ``corrected`` maps field -> corrected value."""

    id: int
    entity: str
    entity_id: int
    author_id: int
    author_name: str
    author_role: str
    created_at: datetime
    text: str
    corrected: dict[str, Any] | None
    signature: SignatureInfo | None = None


@dataclass(frozen=True)
class AuditRow:
    """One audit entry for the audit viewer; ``patient_*`` are None when no patient is
    concerned (or none can be derived, e.g. the record is gone)."""

    id: int
    at: datetime
    user_id: int | None
    user_name: str  # "" for entries made by no signed-in user (console, failed sign-in)
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    patient_id: int | None = None
    patient_name: str | None = None
    patient_mrn: str | None = None


@dataclass(frozen=True)
class BackupInfo:
    """One backup file made by BackupService (the time is in its name, UTC)."""

    path: Path
    taken_at: datetime
    reason: str  # "exit", "daily" (rolling, pruned to the last N) or "manual" (kept)
    size_bytes: int


@dataclass(frozen=True)
class RestoreInfo:
    db_path: Path
    restored_from: Path
    replaced_kept_at: Path | None  # the database as it was before, kept beside it
    upgraded_from: str | None  # the backup's older schema revision, if it was upgraded
