"""What a printed session summary holds, beyond what every summary does
(:mod:`kapdesk.services.report_data.model`): its BP chart, discharge, notes and
signatures. Plain, display-ready dataclasses, as in that module; apart from it so that a
course summary does not make them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kapdesk.i18n import _
from kapdesk.services.report_data.model import PageHeader, Series, Table


@dataclass(frozen=True)
class Threshold:
    value: float
    label: str  # 'SBP > 180'
    series: str  # which series it applies to: 'systolic' | 'diastolic' | 'pulse'
    band: str
    x_from: float | None = None  # None: the whole chart
    x_to: float | None = None
    band_text: str = ""  # the band as printed: 'alert'
    where: str = ""  # the rule's phase as printed: 'post-dose'


@dataclass(frozen=True)
class Window:
    x_from: float
    x_to: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str


@dataclass(frozen=True)
class BpChart:
    """Systolic / diastolic / pulse against minutes from the first dose."""

    series: tuple[Series, ...]
    thresholds: tuple[Threshold, ...]
    windows: tuple[Window, ...]
    doses: tuple[Marker, ...]
    caption: str


@dataclass(frozen=True)
class NoteBlock:
    title: str
    meta: str  # 'Test Therapist · draft · last changed 2026-03-02 11:40'
    parts: tuple[tuple[str, str], ...]  # (heading or "", text)


@dataclass(frozen=True)
class Signature:
    what: str  # 'Session #12', 'Addendum #3'
    name: str  # as at signing
    role: str
    signed_at: str  # with zone
    meaning: str  # 'Reviewed and signed'
    method: str = ""  # 'password re-entry'
    content_sha256: str = ""

    @property
    def line(self) -> str:
        """'Reviewed and signed by Dr. A (clinician) on 2026-03-02 14:00 CET (UTC+01:00)'."""
        return _(
            "{meaning} by {name} ({role}) on {when}",
            meaning=self.meaning,
            name=self.name,
            role=self.role,
            when=self.signed_at,
        )


@dataclass(frozen=True)
class Discharge:
    status: str  # one sentence: discharged at / not discharged / cancelled ...
    checks: Table
    reason: str = ""  # why unmet criteria were accepted
    against_criteria: bool = False  # discharged with criteria unmet: shown amber, not green


@dataclass(frozen=True)
class SessionReport:
    header: PageHeader
    banner: str  # '' or e.g. 'Cancelled before dosing: patient unwell.'
    time_note: str  # 'Times are local (CET, UTC+01:00); minutes count from the first dose.'
    facts: tuple[tuple[str, str], ...]
    staff: Table
    checklist: Table
    vitals: Table
    chart: BpChart | None
    chart_note: str  # why there is no chart, when there is none
    schedule: Table
    doses: Table
    overrides: Table  # pre-dose hold, booster gate and checklist overrides
    acknowledged_alerts: Table
    side_effects: Table
    absent_effects: str  # 'Checked and absent: Nausea, Headache.'
    observations: Table
    discharge: Discharge
    notes: tuple[NoteBlock, ...]
    signatures: tuple[Signature, ...]
    not_signed: str  # shown when there is no signature
    addenda: tuple[NoteBlock, ...] = ()
