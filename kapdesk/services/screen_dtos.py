"""Plain, frozen results for particular screens and tools (never ORM objects): the session
screen's detail, the Today board's rows, signatures and addenda, users, the audit log's
rows, backups. The records every summary reads (patient, course, session, readings,
doses, questionnaires) are in :mod:`kapdesk.services.dtos`: a printed course summary
makes only those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kapdesk.domain.discharge_record import Criterion

if TYPE_CHECKING:  # annotations only: a course report judges no dose gate (domain.gates)
    from kapdesk.domain.alerts import ActiveAlert
    from kapdesk.domain.gates import DoseGate
    from kapdesk.domain.permissions import Role
    from kapdesk.domain.schedule import DueItem
    from kapdesk.domain.vitals import Assessment
    from kapdesk.services.dtos import (
        CourseInfo,
        DoseInfo,
        ObservationInfo,
        OverrideInfo,
        PatientInfo,
        ReadingInfo,
        SessionInfo,
        SideEffectInfo,
    )


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
