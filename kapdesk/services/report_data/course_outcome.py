"""The questionnaire parts of a course summary (pure): baseline against the acute
endpoint with the change, response and remission with the rules used, follow-ups on
their own lines (never replacing the endpoint), every PHQ-9 / GAD-7 result with the
scoring rule stored with it, and PHQ-9 item 9 over the course. The items' and answers'
wording comes from kapdesk.domain.instruments (words.instrument_wording)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from kapdesk.domain.instruments import FREQUENCY_LABELS
from kapdesk.domain.outcomes import AcuteSplit, EndpointRule, follow_up_label, split_acute
from kapdesk.domain.wording import shown
from kapdesk.i18n import N_, _, _n
from kapdesk.services.dtos import CourseOutcomeInfo, InstrumentInfo
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.marks import ERROR, note
from kapdesk.services.report_data.model import Table
from kapdesk.services.report_data.words import instrument_wording


def _local_day(r: InstrumentInfo, tz: tzinfo | None) -> date:
    return r.taken_at.astimezone(tz).date()


def _split(
    results: Sequence[InstrumentInfo],
    started_on: date,
    outcome: CourseOutcomeInfo,
    tz: tzinfo | None,
) -> AcuteSplit:
    """Baseline, acute endpoint and follow-ups of one instrument's results (domain.outcomes)."""
    rule = EndpointRule(acute_weeks=outcome.acute_weeks)
    return split_acute(started_on, [_local_day(r, tz) for r in results], rule)


def phase(
    r: InstrumentInfo, started_on: date, outcome: CourseOutcomeInfo, tz: tzinfo | None
) -> str:
    """'acute' within the acute phase, else the follow-up label (domain.outcomes); a code
    the report compares (``ACUTE``), printed through :func:`_phase_text`."""
    acute_end = EndpointRule(acute_weeks=outcome.acute_weeks).acute_end(started_on)
    day = _local_day(r, tz)
    return ACUTE if day <= acute_end else follow_up_label(day, started_on, acute_end)


ACUTE = "acute"


def _phase_text(value: str) -> str:
    return _("acute") if value == ACUTE else shown(value)


def _weeks(n: int) -> str:
    return _n("{n} week", "{n} weeks", n)


def outcome_part(
    phq: Sequence[InstrumentInfo],
    gad: Sequence[InstrumentInfo],
    started_on: date,
    outcome: CourseOutcomeInfo,
    tz: tzinfo | None,
) -> tuple[Table, tuple[str, ...]]:
    rows = []
    weeks = _weeks(outcome.acute_weeks)
    for code, results in (("PHQ-9", phq), ("GAD-7", gad)):
        if not results:
            rows.append((code, _("Not recorded"), fmt.NONE_TEXT, fmt.NONE_TEXT))
            continue
        b = _result_text(results[0], tz)
        if len(results) < 2:
            rows.append((code, b, _("Only one result"), fmt.NONE_TEXT))
            continue
        end = _split(results, started_on, outcome, tz).endpoint
        last = None if end is None else results[end]
        if last is None:
            rows.append((code, b, _("None within {weeks}", weeks=weeks), fmt.NONE_TEXT))
            continue
        change = last.total - results[0].total
        pct = None if results[0].total == 0 else change * 100 / results[0].total
        change_text = _n(
            "{change} point ({percent})",
            "{change} points ({percent})",
            abs(change),
            change=fmt.signed(change),
            percent=fmt.percent(pct),
        )
        rows.append((code, b, _result_text(last, tz), change_text))
    table = Table(
        (
            _("Instrument"),
            _("Baseline"),
            _("Endpoint (within {weeks})", weeks=weeks),
            _("Change"),
        ),
        tuple(rows),
        caption=_(
            "Endpoint: the last result within the acute phase of the course; later "
            "results are follow-up and never replace it."
        ),
    )
    return table, _outcome_lines(outcome, weeks, tz)


def _result_text(r: InstrumentInfo, tz: tzinfo | None) -> str:
    """'13 (moderate) on 2026-08-07'."""
    return _(
        "{total} ({band}) on {day}", total=r.total, band=_(r.band), day=fmt.day(r.taken_at, tz)
    )


def _outcome_lines(outcome: CourseOutcomeInfo, weeks: str, tz: tzinfo | None) -> tuple[str, ...]:
    """Response, remission, follow-ups and the definitions, each a 'Head – text' line."""
    o = outcome.outcome
    if o is None:
        lines: tuple[str, ...] = (
            _(
                "Response and remission need a baseline and a later PHQ-9 within "
                "{weeks} of the course start; {n} recorded.",
                weeks=weeks,
                n=len(outcome.results),
            ),
        )
    else:
        lines = (
            _(
                "Response: {answer} – PHQ-9 {baseline} → {latest} ({change}) at the endpoint.",
                answer=_("YES") if o.response else _("NO"),
                baseline=o.baseline_total,
                latest=o.latest_total,
                change=fmt.percent(o.percent_change),
            ),
            _(
                "Remission: {answer} – endpoint PHQ-9 {latest}.",
                answer=_("YES") if o.remission else _("NO"),
                latest=o.latest_total,
            ),
        )
        if o.percent_change is None:
            lines += (o.note,)
    for f in outcome.follow_ups:
        day = fmt.day(f.result.taken_at, tz)
        lines += (_("Follow-up – {summary}; on {day}.", summary=shown(f.summary), day=day),)
    if outcome.results and not outcome.follow_ups and outcome.acute_end is not None:
        lines += (
            _(
                "Follow-up – none recorded after the acute phase (ends {day}).",
                day=fmt.day(outcome.acute_end),
            ),
        )
    source = f" ({outcome.protocol_label})" if outcome.protocol_label else ""
    lines += (
        _(
            "Definitions: {rule}; {endpoint_rule}{source}.",
            rule=shown(outcome.rule),
            endpoint_rule=outcome.endpoint_rule,
            source=source,
        ),
    )
    return lines


NO_RULE_TEXT = N_("not stored")


def results_table(
    phq: Sequence[InstrumentInfo],
    gad: Sequence[InstrumentInfo],
    started_on: date,
    outcome: CourseOutcomeInfo,
    tz: tzinfo | None,
) -> Table:
    merged = sorted([*phq, *gad], key=lambda r: (r.taken_at, r.instrument))
    rows = tuple(
        (
            fmt.day(r.taken_at, tz),
            r.instrument,
            f"{r.total} / {r.max_total or '?'}",
            _(r.band),
            _phase_text(phase(r, started_on, outcome, tz)),
            r.scoring_rule.partition(":")[0] or _(NO_RULE_TEXT),
            r.recorded_by,
        )
        for r in merged
    )
    rules = list(dict.fromkeys(r.scoring_rule for r in merged if r.scoring_rule))
    caption = (
        _("Scoring rules stored with the results: {rules}.", rules="; ".join(rules))
        if rules
        else ""
    )
    if any(not r.scoring_rule for r in merged):
        caption += _(
            " '{not_stored}': recorded before kapdesk kept the scoring rule with each result.",
            not_stored=_(NO_RULE_TEXT),
        )
    return Table(
        (
            _("Date"),
            _("Instrument"),
            _("Total"),
            _("Severity"),
            _("Phase"),
            _("Scoring rule"),
            _("Recorded by"),
        ),
        rows,
        caption=caption.strip(),
        empty_text=_("No PHQ-9 or GAD-7 recorded in this course."),
        row_marks=tuple(ERROR if r.error else "" for r in merged),
        row_notes=tuple(note(r.error, tz, r.taken_at) for r in merged),
    )


def item9_table(outcome: CourseOutcomeInfo, tz: tzinfo | None) -> tuple[Table, str]:
    rows = []
    marks = []
    for taken, value in outcome.item9_history:
        label = (
            instrument_wording(FREQUENCY_LABELS[value])
            if 0 <= value < len(FREQUENCY_LABELS)
            else str(value)
        )
        flag = _("Needs clinician follow-up") if value > 0 else _("No")
        rows.append((fmt.day(taken, tz), f"{value} – {label}", flag))
        marks.append("bad" if value > 0 else "")
    table = Table(
        (_("Date"), _("Item 9 answer"), _("Flag")),
        tuple(rows),
        empty_text=_("No PHQ-9 recorded in this course."),
        row_marks=tuple(marks),
    )
    if not rows:
        note = ""
    elif outcome.item9_flagged:
        note = _(
            "PHQ-9 item 9 (thoughts that you would be better off dead or of hurting yourself) "
            "was above 0 at least once in this course."
        )
    else:
        note = _("PHQ-9 item 9 was 0 at every PHQ-9 of this course.")
    return table, note
