"""The cohort table as text cells: the CSV's columns (one fact each) and the compact
columns the screen and the PDF show (kapdesk.domain.cohort)."""

from __future__ import annotations

from kapdesk.domain.cohort import CohortRow
from kapdesk.domain.text import half_up

NONE = "–"

CSV_COLUMNS = (
    "course",  # the course's number, or its research pseudonym
    "patient",
    "mrn",
    "protocol",
    "course_start",
    "course_end",
    "dosing_sessions",
    "baseline_phq9",
    "baseline_band",
    "endpoint_phq9",
    "endpoint_band",
    "percent_change",
    "response",
    "remission",
    "si_baseline",
    "si_endpoint",
    "latest_follow_up",
    "followed_up_3_months",
    "deteriorated_3_months",
    "side_effects",
    "bp_excursions",
)

# A line break where a narrow screen column may wrap its header (a space in the PDF).
SHOWN_COLUMNS = (
    "Patient,\ncourse start",
    "Sessions",
    "Baseline",
    "Endpoint",
    "Change",
    "Response /\nremission",
    "SI baseline\n→ endpoint",
    "Deteriorated\n≤ 3 months",
    "Latest follow-up",
    "Side effects /\nBP excursions",
)


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


def percent(value: float | None) -> str:
    if value is None:
        return ""
    shown = half_up(value)
    return f"{shown if shown.startswith('-') or shown == '0' else '+' + shown} %"


def csv_cells(row: CohortRow) -> tuple[str, ...]:
    f = row.facts
    return (
        f.course,
        f.patient,
        f.mrn,
        f.protocol_id,
        f.started_on.isoformat(),
        "" if f.ended_on is None else f.ended_on.isoformat(),
        str(f.dosing_sessions),
        _int(row.baseline),
        row.baseline_band,
        _int(row.endpoint),
        row.endpoint_band,
        "" if row.percent_change is None else half_up(row.percent_change, 1),
        _flag(row.response),
        _flag(row.remission),
        _flag(row.si_baseline),
        _flag(row.si_endpoint),
        row.latest_follow_up,
        _flag(row.followed_up),
        _flag(row.deteriorated),
        str(f.side_effects),
        str(f.bp_excursions),
    )


def _with_band(total: int | None, band: str) -> str:
    return "no endpoint yet" if total is None else f"{total} {band}"


def shown_cells(row: CohortRow) -> tuple[str, ...]:
    f = row.facts
    who = f"{f.patient} ({f.mrn})" if f.mrn else f.patient
    si = f"{_flag(row.si_baseline) or NONE} → {_flag(row.si_endpoint) or NONE}"
    worse = "not followed up" if row.deteriorated is None else _flag(row.deteriorated)
    return (
        f"{who}, {f.started_on.isoformat()}",
        str(f.dosing_sessions),
        NONE if row.baseline is None else f"{row.baseline} {row.baseline_band}",
        NONE if row.baseline is None else _with_band(row.endpoint, row.endpoint_band),
        percent(row.percent_change) or NONE,
        f"{_flag(row.response) or NONE} / {_flag(row.remission) or NONE}",
        si,
        worse,
        row.latest_follow_up or "none",
        f"{f.side_effects} / {f.bp_excursions}",
    )
