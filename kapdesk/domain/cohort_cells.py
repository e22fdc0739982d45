"""The cohort table as text cells: the CSV's columns (one fact each) and the compact
columns the screen and the PDF show (kapdesk.domain.cohort).

The CSV is data: its column names and values (bands, yes/no, follow-up) stay English.
The screen's and the PDF's cells and headers (:func:`shown_cells`, :func:`shown_columns`)
are in the active language."""

from __future__ import annotations

from kapdesk.domain.cohort import CohortRow
from kapdesk.domain.text import half_up
from kapdesk.domain.wording import shown
from kapdesk.i18n import N_, _
from kapdesk.i18n import formats as locale_formats

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
    N_("Patient,\ncourse start"),
    N_("Sessions"),
    N_("Baseline"),
    N_("Endpoint"),
    N_("Change"),
    N_("Response /\nremission"),
    N_("SI baseline\n→ endpoint"),
    N_("Deteriorated\n≤ 3 months"),
    N_("Latest follow-up"),
    N_("Side effects /\nBP excursions"),
)


def shown_columns() -> tuple[str, ...]:
    """:data:`SHOWN_COLUMNS` in the active language."""
    return tuple(_(c) for c in SHOWN_COLUMNS)


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
    return _("no endpoint yet") if total is None else f"{total} {shown(band)}"


def _said(value: bool | None) -> str:
    """A yes/no cell on the screen: 'yes', 'no' in the active language, '–' for none."""
    return NONE if value is None else (_("yes") if value else _("no"))


def shown_cells(row: CohortRow) -> tuple[str, ...]:
    """The screen's and the PDF's cells of a row, in the active language."""
    f = row.facts
    who = f"{f.patient} ({f.mrn})" if f.mrn else f.patient
    si = f"{_said(row.si_baseline)} → {_said(row.si_endpoint)}"
    worse = _("not followed up") if row.deteriorated is None else _said(row.deteriorated)
    return (
        f"{who}, {locale_formats.medium_date(f.started_on)}",
        str(f.dosing_sessions),
        NONE if row.baseline is None else f"{row.baseline} {shown(row.baseline_band)}",
        NONE if row.baseline is None else _with_band(row.endpoint, row.endpoint_band),
        percent(row.percent_change) or NONE,
        f"{_said(row.response)} / {_said(row.remission)}",
        si,
        worse,
        shown(row.latest_follow_up) if row.latest_follow_up else _("none"),
        f"{f.side_effects} / {f.bp_excursions}",
    )
