"""A course's PHQ-9 outcome worked out from its results (``course_outcome``: baseline,
acute-phase endpoint, follow-ups; see :mod:`kapdesk.services.instruments`), apart from
how they were read: the chart reads them through the ORM, the course summary printed from
the command line through Core rows.
"""

from __future__ import annotations

from datetime import date, tzinfo

from kapdesk.domain.clock import local_time
from kapdesk.domain.instruments import PHQ9, PHQ9_OUTCOME
from kapdesk.domain.outcomes import CourseEndpoint, EndpointRule, Scored, course_endpoint
from kapdesk.domain.protocol import Protocol
from kapdesk.services.dtos import CourseOutcomeInfo, FollowUpInfo, InstrumentInfo


def outcome_split(
    tz: tzinfo | None,
    started_on: date,
    protocol: Protocol | None,
    results: list[InstrumentInfo],
    extra: Scored | None = None,
) -> tuple[CourseEndpoint, list[InstrumentInfo], str]:
    """The course's PHQ-9 ``results`` (oldest first) split into baseline, endpoint and
    follow-ups by its pinned ``protocol``'s rule; ``extra``: one more result as if filed.
    Returns the split, the results it counts (none entered in error) and the protocol's
    label ('' when the pinned version is missing)."""
    results = [r for r in results if r.error is None]  # entered in error: no course score
    # A course whose pinned version is missing still shows its outcome, on the defaults.
    rule = (
        EndpointRule(protocol.acute_weeks, protocol.deterioration_rise)
        if protocol is not None
        else EndpointRule()
    )
    scored = [Scored(local_time(r.taken_at, tz).date(), r.total) for r in results]
    if extra is not None:
        scored.append(extra)
    split = course_endpoint(started_on, scored, rule, outcome_rule=PHQ9_OUTCOME)
    return split, results, protocol.label if protocol is not None else ""


def outcome_info(
    course_id: int, split: CourseEndpoint, results: list[InstrumentInfo], label: str
) -> CourseOutcomeInfo:
    """``InstrumentService.course_outcome`` from :func:`outcome_split`'s result."""
    rule = split.rule
    follow_ups = tuple(
        FollowUpInfo(results[f.index], f.label, f.deterioration, f.reason, f.summary, f.verdict)
        for f in split.follow_ups
    )
    return CourseOutcomeInfo(
        course_id=course_id,
        instrument=PHQ9.code,
        results=tuple(results),
        baseline=None if split.baseline is None else results[split.baseline],
        latest=None if split.endpoint is None else results[split.endpoint],
        outcome=split.outcome,
        item9_history=tuple((r.taken_at, r.answers[8]) for r in results),
        rule=PHQ9_OUTCOME.source,
        follow_ups=follow_ups,
        acute_weeks=rule.acute_weeks,
        acute_end=split.acute_end,
        endpoint_rule=rule.describe(),
        protocol_label=label,
    )
