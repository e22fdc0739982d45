"""A course's endpoint and its follow-up: which PHQ-9 decides the course outcome.

The acute endpoint is the last result within the acute phase of the course
(``acute_weeks`` after its start, protocol data, default 8 weeks as in the
pilot study); results after it are *follow-up*: shown on their own and never
replacing the endpoint. A follow-up shows *deterioration* (CLINICAL.md) on loss
of response (the endpoint was a response, the follow-up is not) or a rise of
``deterioration_rise`` points or more from the endpoint (default 5, the usual
minimal clinically important change on PHQ-9).

Days are local calendar days. The acute phase includes its last day: with 8
weeks, a result on day 56 after the start is still the week-8 endpoint, one on
day 57 is follow-up.

A follow-up's label, reason and summary are ``Wording``: the cohort's CSV keeps them in
English, the screens and PDFs show them translated (``wording.shown``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.instruments import PHQ9_OUTCOME, Outcome, OutcomeRule, course_outcome
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _

DAYS_PER_MONTH = 30.4375  # an average calendar month, for "3-month follow-up"


@dataclass(frozen=True)
class EndpointRule:
    """From the course's protocol ([outcomes] in the protocol file)."""

    acute_weeks: int = 8
    deterioration_rise: int = 5

    def __post_init__(self) -> None:
        for name in ("acute_weeks", "deterioration_rise"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValidationError(
                    name,
                    value,
                    _("{name} {value} must be a whole number ≥ 1.", name=name, value=repr(value)),
                )

    def acute_end(self, started_on: date) -> date:
        """The last day of the acute phase (inclusive)."""
        return started_on + timedelta(days=7 * self.acute_weeks)

    def describe(self) -> str:
        """The rule in words, in the active language."""
        return _(
            "endpoint = last PHQ-9 within {weeks} weeks of the course start; later results are "
            "follow-up; deterioration = loss of response or a rise of ≥ {rise} points from the "
            "endpoint",
            weeks=self.acute_weeks,
            rise=self.deterioration_rise,
        )


@dataclass(frozen=True)
class Scored:
    """One result: the local day it was taken and its total."""

    taken_on: date
    total: int


@dataclass(frozen=True)
class FollowUp:
    index: int  # position of the result in the sequence given to course_endpoint
    taken_on: date
    total: int
    label: str  # "3-month follow-up", "week-10 follow-up" (a Wording)
    deterioration: bool | None  # None: there is no acute endpoint to compare with
    reason: str  # why (not) deterioration, one phrase (a Wording)

    @property
    def verdict(self) -> Wording:
        """'deterioration (rise of 10 points from the endpoint 9)', 'no deterioration (...)'."""
        if self.deterioration is None:
            return Wording("{reason}", reason=self.reason)
        if self.deterioration:
            return Wording(N_("deterioration ({reason})"), reason=self.reason)
        return Wording(N_("no deterioration ({reason})"), reason=self.reason)

    @property
    def summary(self) -> Wording:
        """'3-month follow-up: 19, deterioration (rise of 10 points from the endpoint 9)'."""
        return Wording(
            "{label}: {total}, {verdict}", label=self.label, total=self.total, verdict=self.verdict
        )


@dataclass(frozen=True)
class CourseEndpoint:
    rule: EndpointRule
    acute_end: date
    baseline: int | None  # index of the baseline result (the first one)
    endpoint: int | None  # index of the endpoint; None until a later result in the acute phase
    outcome: Outcome | None  # baseline against the endpoint
    follow_ups: tuple[FollowUp, ...]


@dataclass(frozen=True)
class AcuteSplit:
    """Indices into the results given to split_acute."""

    acute_end: date
    baseline: int | None  # the first result
    endpoint: int | None  # the last later result within the acute phase
    follow_ups: tuple[int, ...]  # later results after the acute phase, oldest first


def split_acute(started_on: date, days: Sequence[date], rule: EndpointRule) -> AcuteSplit:
    """Which result (by local day taken) is the baseline, the acute endpoint, a follow-up.

    Any instrument: course_endpoint judges PHQ-9 on it; reports place GAD-7 with it too.
    """
    acute_end = rule.acute_end(started_on)
    if not days:
        return AcuteSplit(acute_end, None, None, ())
    order = sorted(range(len(days)), key=lambda i: days[i])
    first, later = order[0], order[1:]
    if days[first] > acute_end:
        return AcuteSplit(acute_end, first, None, tuple(later))
    acute = [i for i in later if days[i] <= acute_end]
    return AcuteSplit(
        acute_end,
        first,
        acute[-1] if acute else None,
        tuple(i for i in later if days[i] > acute_end),
    )


def follow_up_label(taken_on: date, started_on: date, acute_end: date) -> Wording:
    """Months after the acute phase ('3-month follow-up'), or the course week under a month."""
    months = round((taken_on - acute_end).days / DAYS_PER_MONTH)
    if months >= 1:
        return Wording.later(lambda _, _n: _n("{n}-month follow-up", "{n}-month follow-up", months))
    return Wording(N_("week-{week} follow-up"), week=(taken_on - started_on).days // 7)


def _judge(
    baseline: int, endpoint: Outcome, total: int, rule: EndpointRule, outcome_rule: OutcomeRule
) -> tuple[bool, Wording]:
    later = course_outcome(baseline, total, rule=outcome_rule)
    lost = endpoint.response and not later.response
    rise, end = total - endpoint.latest_total, endpoint.latest_total
    reasons: list[Wording] = []
    if lost:
        reasons.append(Wording(N_("loss of response")))
    if rise >= rule.deterioration_rise:
        text = N_("rise of {rise} points from the endpoint {endpoint}")
        reasons.append(Wording(text, rise=rise, endpoint=end))
    if reasons:
        return True, Wording.joined("; ", reasons)
    if rise > 0:
        return False, Wording.later(
            lambda _, _n: _n(
                "{n} point above the endpoint {endpoint}",
                "{n} points above the endpoint {endpoint}",
                rise,
                endpoint=end,
            )
        )
    if rise < 0:
        return False, Wording.later(
            lambda _, _n: _n(
                "{n} point below the endpoint {endpoint}",
                "{n} points below the endpoint {endpoint}",
                -rise,
                endpoint=end,
            )
        )
    return False, Wording(N_("same as the endpoint {endpoint}"), endpoint=end)


def course_endpoint(
    started_on: date,
    results: Sequence[Scored],
    rule: EndpointRule,
    *,
    outcome_rule: OutcomeRule = PHQ9_OUTCOME,
) -> CourseEndpoint:
    """Split a course's results (oldest first) into baseline, acute endpoint and follow-ups."""
    split = split_acute(started_on, [r.taken_on for r in results], rule)
    acute_end, first, endpoint = split.acute_end, split.baseline, split.endpoint
    if first is None:
        return CourseEndpoint(rule, acute_end, None, None, None, ())
    base_total = results[first].total
    outcome = (
        course_outcome(base_total, results[endpoint].total, rule=outcome_rule)
        if endpoint is not None
        else course_outcome(base_total, base_total, rule=outcome_rule)  # validates the total
    )
    follow_ups: list[FollowUp] = []
    for i in split.follow_ups:
        r = results[i]
        if endpoint is None:
            verdict: bool | None = None
            reason = Wording(N_("no acute endpoint to compare with"))
        else:
            verdict, reason = _judge(base_total, outcome, r.total, rule, outcome_rule)
        label = follow_up_label(r.taken_on, started_on, acute_end)
        follow_ups.append(FollowUp(i, r.taken_on, r.total, label, verdict, reason))
    return CourseEndpoint(
        rule=rule,
        acute_end=acute_end,
        baseline=first,
        endpoint=endpoint,
        outcome=outcome if endpoint is not None else None,
        follow_ups=tuple(follow_ups),
    )
