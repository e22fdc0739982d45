"""The clinic's own cohort table: one row per course, and the cohort's summary.

Every clinical definition is the domain's own, reused, never restated:

* baseline, acute endpoint and follow-ups: :func:`kapdesk.domain.outcomes.course_endpoint`
  (endpoint = the last PHQ-9 within the course's acute phase, default 8 weeks);
* response (PHQ-9 fell >= 50 % from baseline) and remission (PHQ-9 < 5):
  :func:`kapdesk.domain.instruments.course_outcome`;
* deterioration at a follow-up: loss of response, or a rise of ``deterioration_rise``
  points or more from the endpoint (default 5), judged by ``course_endpoint``.

Added here, for the cohort only:

* *suicidal ideation* = PHQ-9 item 9 > 0 (at baseline, at the endpoint); its *remission*
  = item 9 back to 0 at the endpoint, counted among the courses that had it at baseline
  and have an endpoint;
* *followed up* = a course with an endpoint and at least one follow-up up to and
  including the 3-month follow-up (months after the acute phase, rounded as the chart's
  follow-up labels are: up to 3½ months after it ends); *deteriorated within 3 months*
  = one of those follow-ups shows deterioration;
* median (IQR): the median and the quartiles of the inclusive method (the quartiles of
  the values themselves, as spreadsheets' QUARTILE computes them).

The screen's and the PDF's words (:func:`definitions`, the summary's lines, the filter)
are in the active language; a row's values (bands, follow-up) stay English for the CSV.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.instruments import PHQ9
from kapdesk.domain.outcomes import DAYS_PER_MONTH, CourseEndpoint, FollowUp
from kapdesk.domain.text import half_up
from kapdesk.i18n import N_, _
from kapdesk.i18n import formats as locale_formats

FOLLOW_UP_MONTHS = 3
STATUSES = ("open", "ended")

_DEFINITIONS = (
    N_(
        "Baseline = the course's first PHQ-9. Endpoint = its last PHQ-9 within the acute "
        "phase (the protocol's acute weeks, default 8, from the course start); later results "
        "are follow-ups and never replace it."
    ),
    N_(
        "Response = PHQ-9 fell by 50 % or more from baseline; remission = PHQ-9 below 5 at "
        "the endpoint."
    ),
    N_(
        "Suicidal ideation (SI) = PHQ-9 item 9 above 0; SI remission = item 9 back to 0 at "
        "the endpoint, among the courses with SI at baseline."
    ),
    N_(
        "Deterioration within {months} months = a follow-up up to the {months}-month "
        "follow-up shows loss of response (it is no longer 50 % below baseline) or a rise of 5 "
        "points or more from the endpoint (the protocol's deterioration rise; 5 = the usual "
        "minimal clinically important change on PHQ-9); counted among the courses followed "
        "up in that time."
    ),
    N_(
        "Median (IQR): median and inclusive quartiles. BP excursions = readings outside the "
        "protocol's normal range; side effects = effects present, once per session."
    ),
)
# In English, as written under the table (definitions() in the active language).
DEFINITIONS = tuple(d.format(months=FOLLOW_UP_MONTHS) for d in _DEFINITIONS)


def definitions() -> tuple[str, ...]:
    """The definitions under the cohort table, in the active language."""
    return tuple(_(d, months=FOLLOW_UP_MONTHS) for d in _DEFINITIONS)


@dataclass(frozen=True)
class CohortFilter:
    """Which courses: protocol ids (any when empty), course start from/to (inclusive),
    status 'open' (not ended) or 'ended' (any when None)."""

    protocols: tuple[str, ...] = ()
    started_from: date | None = None
    started_to: date | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValidationError(
                "Status",
                self.status,
                _("Status {status} is not one of: open, ended.", status=repr(self.status)),
            )
        start, end = self.started_from, self.started_to
        if start is not None and end is not None and start > end:
            raise ValidationError(
                "Started from",
                start,
                _(
                    "Started from {start} is after started to {end}.",
                    start=locale_formats.medium_date(start),
                    end=locale_formats.medium_date(end),
                ),
            )

    def admits(self, protocol_id: str, started_on: date, ended_on: date | None) -> bool:
        if self.protocols and protocol_id not in self.protocols:
            return False
        if self.started_from is not None and started_on < self.started_from:
            return False
        if self.started_to is not None and started_on > self.started_to:
            return False
        if self.status == "open":
            return ended_on is None
        if self.status == "ended":
            return ended_on is not None
        return True

    def describe(self) -> str:
        """'every protocol; started any day to today; open and ended courses'."""
        if self.protocols:
            which = _("protocol {ids}", ids=", ".join(self.protocols))
        else:
            which = _("every protocol")
        start, end = _day(self.started_from, "any day"), _day(self.started_to, "today")
        when = _("started {start} to {end}", start=start, end=end)
        status = {"open": _("open courses"), "ended": _("ended courses")}
        courses = status.get(self.status or "", _("open and ended courses"))
        return "; ".join([which, when, courses])


def _day(value: date | None, default: str) -> str:
    """The date, or ``default`` ('any day', 'today') in the active language."""
    return _(default) if value is None else locale_formats.medium_date(value)


_DAY_DEFAULTS = (N_("any day"), N_("today"))  # what _day says for no date


@dataclass(frozen=True)
class Phq9Point:
    taken_on: date
    total: int
    item9: int


@dataclass(frozen=True)
class CourseFacts:
    """What the service loads for one course (``phq9`` in the order ``split`` indexes)."""

    course_id: int
    course: str  # the course's number as text, or its research pseudonym
    patient: str  # 'Family, Given' or a pseudonym
    mrn: str  # '' when de-identified
    protocol_id: str
    started_on: date
    ended_on: date | None
    dosing_sessions: int
    side_effects: int
    bp_excursions: int
    phq9: tuple[Phq9Point, ...]


@dataclass(frozen=True)
class CohortRow:
    facts: CourseFacts
    baseline: int | None
    baseline_band: str
    endpoint: int | None
    endpoint_band: str
    percent_change: float | None
    response: bool | None  # None: no endpoint yet
    remission: bool | None
    si_baseline: bool | None
    si_endpoint: bool | None
    latest_follow_up: str  # '' when none
    followed_up: bool  # a follow-up within FOLLOW_UP_MONTHS, with an endpoint to judge it
    deteriorated: bool | None  # None unless followed_up
    trajectory: tuple[tuple[float, int], ...]  # acute phase: (weeks since course start, PHQ-9)
    follow_up_points: tuple[tuple[float, int], ...]  # after it, never joined to the line


def band(total: int | None) -> str:
    return "" if total is None else PHQ9.band_for(total).label


def within_window(f: FollowUp, acute_end: date) -> bool:
    """A follow-up up to the 3-month one (months after the acute phase, rounded)."""
    return round((f.taken_on - acute_end).days / DAYS_PER_MONTH) <= FOLLOW_UP_MONTHS


def cohort_row(facts: CourseFacts, split: CourseEndpoint) -> CohortRow:
    """One course's row from its loaded facts and its endpoint split."""
    pts = facts.phq9
    base = None if split.baseline is None else pts[split.baseline]
    end = None if split.endpoint is None else pts[split.endpoint]
    outcome = split.outcome
    window = [f for f in split.follow_ups if within_window(f, split.acute_end)]
    followed = end is not None and bool(window)
    latest = max(split.follow_ups, key=lambda f: f.taken_on, default=None)
    later = {f.index for f in split.follow_ups}

    def weeks(p: Phq9Point) -> tuple[float, int]:
        return ((p.taken_on - facts.started_on).days / 7, p.total)

    trajectory = tuple(sorted(weeks(p) for i, p in enumerate(pts) if i not in later))
    follow_up_points = tuple(sorted(weeks(pts[i]) for i in later))
    return CohortRow(
        facts=facts,
        baseline=None if base is None else base.total,
        baseline_band=band(None if base is None else base.total),
        endpoint=None if end is None else end.total,
        endpoint_band=band(None if end is None else end.total),
        percent_change=None if outcome is None else outcome.percent_change,
        response=None if outcome is None else outcome.response,
        remission=None if outcome is None else outcome.remission,
        si_baseline=None if base is None else base.item9 > 0,
        si_endpoint=None if end is None else end.item9 > 0,
        latest_follow_up="" if latest is None else latest.summary,
        followed_up=followed,
        deteriorated=any(f.deterioration for f in window) if followed else None,
        trajectory=trajectory,
        follow_up_points=follow_up_points,
    )


@dataclass(frozen=True)
class MedianIqr:
    median: float
    q1: float
    q3: float

    @property
    def band(self) -> str:
        return median_band(self.median)

    def text(self) -> str:
        """'9.5 (7–12), mild–moderate' in the active language ('9,5 (7–12), ligeira–...')."""
        band = "–".join(_(b) for b in self.band.split("–"))
        return f"{_num(self.median)} ({_num(self.q1)}–{_num(self.q3)}), {band}"


def _num(value: float) -> str:
    return locale_formats.decimal(half_up(value, 1).removesuffix(".0"))


def median_iqr(values: Sequence[int]) -> MedianIqr | None:
    """Median and inclusive quartiles; None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return MedianIqr(float(values[0]), float(values[0]), float(values[0]))
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return MedianIqr(float(q2), float(q1), float(q3))


def median_band(value: float) -> str:
    """The PHQ-9 band of a median; a median between two bands (9.5) names both."""
    low, high = band(math.floor(value)), band(math.ceil(value))
    return low if low == high else f"{low}–{high}"


@dataclass(frozen=True)
class Ratio:
    count: int
    of: int

    def text(self) -> str:
        if self.of == 0:
            return _("none to count (0 of 0)")
        percent = half_up(self.count * 100 / self.of)
        return _("{count} of {of} ({percent} %)", count=self.count, of=self.of, percent=percent)


@dataclass(frozen=True)
class CohortSummary:
    n: int
    with_endpoint: int
    baseline: MedianIqr | None
    endpoint: MedianIqr | None
    response: Ratio
    remission: Ratio
    si_remission: Ratio  # among courses with SI at baseline and an endpoint
    deterioration: Ratio  # among courses followed up within FOLLOW_UP_MONTHS

    def lines(self) -> tuple[str, ...]:
        def mi(value: MedianIqr | None) -> str:
            return _("no result") if value is None else value.text()

        return (
            _("Courses: {n} ({ended} with an endpoint)", n=self.n, ended=self.with_endpoint),
            _("Baseline PHQ-9, median (IQR): {value}", value=mi(self.baseline)),
            _("Endpoint PHQ-9, median (IQR): {value}", value=mi(self.endpoint)),
            _("Response: {value}", value=self.response.text()),
            _("Remission: {value}", value=self.remission.text()),
            _(
                "SI remission (of those with SI at baseline): {value}",
                value=self.si_remission.text(),
            ),
            _(
                "Deteriorated within {months} months (of those followed up): {value}",
                months=FOLLOW_UP_MONTHS,
                value=self.deterioration.text(),
            ),
        )


def summarize(rows: Sequence[CohortRow]) -> CohortSummary:
    ended = [r for r in rows if r.endpoint is not None]
    si = [r for r in ended if r.si_baseline]
    followed = [r for r in rows if r.followed_up]
    return CohortSummary(
        n=len(rows),
        with_endpoint=len(ended),
        baseline=median_iqr([r.baseline for r in rows if r.baseline is not None]),
        endpoint=median_iqr([r.endpoint for r in ended if r.endpoint is not None]),
        response=Ratio(sum(1 for r in ended if r.response), len(ended)),
        remission=Ratio(sum(1 for r in ended if r.remission), len(ended)),
        si_remission=Ratio(sum(1 for r in si if not r.si_endpoint), len(si)),
        deterioration=Ratio(sum(1 for r in followed if r.deteriorated), len(followed)),
    )


def median_trajectory(rows: Sequence[CohortRow]) -> tuple[tuple[int, float], ...]:
    """(week, median PHQ-9) of the acute phase over the courses with a result in that week
    (rounded weeks since the course start; a course's last result of the week)."""
    weekly: dict[int, list[int]] = {}
    for r in rows:
        per_course: dict[int, int] = {}
        for weeks, total in r.trajectory:
            per_course[round(weeks)] = total
        for week, total in per_course.items():
            weekly.setdefault(week, []).append(total)
    return tuple((w, float(statistics.median(v))) for w, v in sorted(weekly.items()))


@dataclass(frozen=True)
class CohortTable:
    """What the screen, the CSV and the PDF show."""

    filters: CohortFilter
    deidentified: bool
    rows: tuple[CohortRow, ...]
    summary: CohortSummary
    made_on: date
