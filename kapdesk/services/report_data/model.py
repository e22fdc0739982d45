"""What a printed summary holds: plain, display-ready dataclasses (no reportlab, no I/O).

``session_data`` and ``course_data`` (beside this module) fill these from
service dtos; the renderers lay them out. Table rows are tuples of strings as
they are printed (times already in local time), so tests can assert the
document's values without parsing a PDF, and the GUI can show the same rows. What only a
session summary holds is in ``session_model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo


@dataclass(frozen=True)
class PrintContext:
    """Who prints, where, when: the same for every page of a document."""

    clinic_name: str
    printed_by: str
    printed_at: datetime  # aware
    demo: bool = False
    tz: tzinfo | None = None  # None: the computer's local zone
    seal: str = ""  # the audit chain head when printed (kapdesk.storage.anchor.seal)


@dataclass(frozen=True)
class PageHeader:
    title: str
    clinic_name: str
    patient_name: str
    mrn: str
    date_of_birth: date
    printed_by: str
    printed_at: str  # '2026-03-02 10:15 CET (UTC+01:00)'
    demo: bool
    subtitle: str = ""  # e.g. 'Session #12 · 2026-03-02'
    seal: str = ""  # record seal printed in the footer, e.g. '18532-3fa9c2d1e0b4'


@dataclass(frozen=True)
class Table:
    """A printed table: header row plus body rows, all text."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    empty_text: str = "None recorded."
    # Per-row emphasis the renderer may show in colour: "" | elevated | alert | critical | bad;
    # "error": entered in error, printed struck through (report_data.marks).
    row_marks: tuple[str, ...] = ()
    # Per-row line printed under the row across the table ("" for none): why a row is
    # struck through ("Entered in error by ... at HH:MM: ...").
    row_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[float, float], ...]  # (x, y)
    kind: str  # 'systolic' | 'diastolic' | 'pulse' | 'phq9' | 'gad7'


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    """One instrument's totals over a course, on its own scale with severity bands."""

    instrument: str
    series: Series  # x: days since the course started
    bands: tuple[Band, ...]
    y_max: float
    start: date
    caption: str
    # Results after the acute phase (x, y): drawn apart, never joined to the course's line.
    follow_ups: tuple[tuple[float, float], ...] = ()
    acute_end: float | None = None  # day of the course the acute phase ends (endpoint)


@dataclass(frozen=True)
class CourseReport:
    header: PageHeader
    time_note: str
    facts: tuple[tuple[str, str], ...]
    sessions: Table
    trends: tuple[TrendChart, ...]
    trend_note: str
    outcome: Table  # baseline vs latest per instrument
    outcome_lines: tuple[str, ...]  # response / remission sentences with the rule
    results: Table  # every PHQ-9 / GAD-7 with band
    item9: Table
    item9_note: str
    excursions: Table
    side_effects: Table
    notes: tuple[str, ...] = field(default=())
