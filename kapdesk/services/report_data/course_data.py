"""Assemble a CourseReport from service dtos (pure: no reportlab, no database).

The course summary covers every dosing session of one treatment course: a
sessions table, PHQ-9 / GAD-7 trends with severity bands, baseline against the
acute endpoint (the last result within the protocol's acute phase) with %
change, response and remission (with the rules used), follow-up results on
their own lines (never replacing the endpoint), every result with the scoring
rule stored with it, PHQ-9 item 9 over time, BP excursions across sessions and
side-effect frequencies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, tzinfo
from typing import TYPE_CHECKING

from kapdesk.domain.corrections import standing_entries as standing_results
from kapdesk.domain.discharge import discharged_against_criteria
from kapdesk.domain.instruments import FREQUENCY_LABELS, GAD7, PHQ9, Instrument
from kapdesk.domain.outcomes import AcuteSplit, EndpointRule, follow_up_label, split_acute
from kapdesk.domain.protocol import Protocol
from kapdesk.domain.session_state import SessionState, state_label
from kapdesk.domain.side_effects import Severity
from kapdesk.domain.text import counted
from kapdesk.services.dtos import (
    CourseInfo,
    CourseOutcomeInfo,
    InstrumentInfo,
    PatientInfo,
    ReadingInfo,
)
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.charts_data import trend_chart
from kapdesk.services.report_data.header import page_header
from kapdesk.services.report_data.marks import ERROR, counting, note
from kapdesk.services.report_data.model import CourseReport, PrintContext, Table, TrendChart

if TYPE_CHECKING:
    from kapdesk.services.report_sessions import CourseSession

__all__ = ["CourseReport", "build_course_report"]

_SEVERITY_RANK = {s.value: s.grade for s in Severity}


def _worst(readings: Sequence[ReadingInfo]) -> ReadingInfo | None:
    if not readings:
        return None
    return max(readings, key=lambda r: (r.systolic, r.diastolic))


def _present_effects(d: CourseSession) -> list[str]:
    latest = {e.effect_id: e for e in d.side_effects}
    return [e.effect_id for e in latest.values() if e.present]


def _sessions(details: Sequence[CourseSession], tz: tzinfo | None) -> Table:
    rows = []
    marks = []
    for i, d in enumerate(details, start=1):
        s = d.session
        when = s.first_dose_at or s.checked_in_at or s.scheduled_at
        total = sum(x.mg for x in d.doses)
        dose = fmt.number(total) if d.doses else fmt.NONE_TEXT
        if len(d.doses) > 1:
            dose += f" ({len(d.doses)} doses)"
        worst = _worst(d.readings)
        max_bp = f"{worst.systolic}/{worst.diastolic}" if worst else fmt.NONE_TEXT
        if worst and worst.band != "normal":
            max_bp += f" ({worst.band})"
        worst_band = max(
            (r.band for r in d.readings), key=lambda b: _BAND_RANK.get(b, 0), default="normal"
        )
        if s.state == SessionState.DISCHARGED:
            end = fmt.hm(s.discharged_at, tz)
            if discharged_against_criteria(s.discharge_criteria, s.discharge_reason):
                end += " against criteria"
        else:
            end = state_label(s.state)
        rows.append(
            (
                str(i),
                fmt.day(when, tz),
                f"{s.protocol_id} v{s.protocol_version}",
                fmt.route_label(d.route) if d.doses else fmt.NONE_TEXT,
                dose,
                max_bp,
                str(len(_present_effects(d))),
                end,
            )
        )
        marks.append("" if worst_band == "normal" else worst_band)
    return Table(
        ("No.", "Date", "Protocol", "Route", "Dose mg", "Max BP", "Side effects", "Ended"),
        tuple(rows),
        caption="Max BP: the reading with the highest systolic pressure in the session; "
        "side effects: how many were present; ended: the discharge time, or the session's "
        "state.",
        empty_text="No dosing sessions in this course.",
        row_marks=tuple(marks),
    )


_BAND_RANK = {"normal": 0, "elevated": 1, "alert": 2, "critical": 3}


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


def _phase(
    r: InstrumentInfo, started_on: date, outcome: CourseOutcomeInfo, tz: tzinfo | None
) -> str:
    """'acute' within the acute phase, else the follow-up label (domain.outcomes)."""
    acute_end = EndpointRule(acute_weeks=outcome.acute_weeks).acute_end(started_on)
    day = _local_day(r, tz)
    return "acute" if day <= acute_end else follow_up_label(day, started_on, acute_end)


def _outcome(
    phq: Sequence[InstrumentInfo],
    gad: Sequence[InstrumentInfo],
    started_on: date,
    outcome: CourseOutcomeInfo,
    tz: tzinfo | None,
) -> tuple[Table, tuple[str, ...]]:
    rows = []
    weeks = counted(outcome.acute_weeks, "week")
    for code, results in (("PHQ-9", phq), ("GAD-7", gad)):
        if not results:
            rows.append((code, "Not recorded", fmt.NONE_TEXT, fmt.NONE_TEXT))
            continue
        base = results[0]
        b = f"{base.total} ({base.band}) on {fmt.day(base.taken_at, tz)}"
        if len(results) < 2:
            rows.append((code, b, "Only one result", fmt.NONE_TEXT))
            continue
        end = _split(results, started_on, outcome, tz).endpoint
        last = None if end is None else results[end]
        if last is None:
            rows.append((code, b, f"None within {weeks}", fmt.NONE_TEXT))
            continue
        change = last.total - base.total
        pct = None if base.total == 0 else change * 100 / base.total
        points = "point" if abs(change) == 1 else "points"
        rows.append(
            (
                code,
                b,
                f"{last.total} ({last.band}) on {fmt.day(last.taken_at, tz)}",
                f"{fmt.signed(change)} {points} ({fmt.percent(pct)})",
            )
        )
    table = Table(
        ("Instrument", "Baseline", f"Endpoint (within {weeks})", "Change"),
        tuple(rows),
        caption="Endpoint: the last result within the acute phase of the course; later "
        "results are follow-up and never replace it.",
    )
    o = outcome.outcome
    if o is None:
        n = len(outcome.results)
        lines: tuple[str, ...] = (
            "Response and remission need a baseline and a later PHQ-9 within "
            f"{weeks} of the course start; {n} recorded.",
        )
    else:
        pct_text = fmt.percent(o.percent_change)
        lines = (
            f"Response: {'YES' if o.response else 'NO'} – PHQ-9 {o.baseline_total} → "
            f"{o.latest_total} ({pct_text}) at the endpoint.",
            f"Remission: {'YES' if o.remission else 'NO'} – endpoint PHQ-9 {o.latest_total}.",
        )
        if o.percent_change is None:
            lines += (o.note,)
    for f in outcome.follow_ups:
        lines += (f"Follow-up – {f.summary}; on {fmt.day(f.result.taken_at, tz)}.",)
    if outcome.results and not outcome.follow_ups and outcome.acute_end is not None:
        lines += (
            f"Follow-up – none recorded after the acute phase "
            f"(ends {outcome.acute_end.isoformat()}).",
        )
    source = f" ({outcome.protocol_label})" if outcome.protocol_label else ""
    lines += (f"Definitions: {outcome.rule}; {outcome.endpoint_rule}{source}.",)
    return table, lines


NO_RULE_TEXT = "not stored"


def _results(
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
            r.band,
            _phase(r, started_on, outcome, tz),
            r.scoring_rule.partition(":")[0] or NO_RULE_TEXT,
            r.recorded_by,
        )
        for r in merged
    )
    rules = list(dict.fromkeys(r.scoring_rule for r in merged if r.scoring_rule))
    caption = "Scoring rules stored with the results: " + "; ".join(rules) + "." if rules else ""
    if any(not r.scoring_rule for r in merged):
        caption += (
            f" '{NO_RULE_TEXT}': recorded before kapdesk kept the scoring rule with each result."
        )
    return Table(
        ("Date", "Instrument", "Total", "Severity", "Phase", "Scoring rule", "Recorded by"),
        rows,
        caption=caption.strip(),
        empty_text="No PHQ-9 or GAD-7 recorded in this course.",
        row_marks=tuple(ERROR if r.error else "" for r in merged),
        row_notes=tuple(note(r.error, tz, r.taken_at) for r in merged),
    )


def _item9(outcome: CourseOutcomeInfo, tz: tzinfo | None) -> tuple[Table, str]:
    rows = []
    marks = []
    for taken, value in outcome.item9_history:
        label = FREQUENCY_LABELS[value] if 0 <= value < len(FREQUENCY_LABELS) else str(value)
        flag = "Needs clinician follow-up" if value > 0 else "No"
        rows.append((fmt.day(taken, tz), f"{value} – {label}", flag))
        marks.append("bad" if value > 0 else "")
    table = Table(
        ("Date", "Item 9 answer", "Flag"),
        tuple(rows),
        empty_text="No PHQ-9 recorded in this course.",
        row_marks=tuple(marks),
    )
    if not rows:
        note = ""
    elif outcome.item9_flagged:
        note = (
            "PHQ-9 item 9 (thoughts that you would be better off dead or of hurting yourself) "
            "was above 0 at least once in this course."
        )
    else:
        note = "PHQ-9 item 9 was 0 at every PHQ-9 of this course."
    return table, note


def _excursions(
    details: Sequence[CourseSession], protocol: Protocol | None, tz: tzinfo | None
) -> Table:
    rules = {r.id: r for r in protocol.vital_rules} if protocol else {}
    rows = []
    marks = []
    for i, d in enumerate(details, start=1):
        for r in d.readings:
            if r.band == "normal":
                continue
            fired = "; ".join(
                f"{rid}: {rules[rid].describe()}" if rid in rules else rid for rid in r.rules
            )
            rows.append(
                (
                    f"{i} · {fmt.day(r.taken_at, tz)}",
                    fmt.hm(r.taken_at, tz),
                    fmt.minutes_text(r.minutes_from_dose),
                    f"{r.systolic}/{r.diastolic}",
                    fmt.NONE_TEXT if r.pulse is None else str(r.pulse),
                    fmt.NONE_TEXT if r.spo2 is None else str(r.spo2),
                    fmt.band_label(r.band),
                    fired or fmt.NONE_TEXT,
                )
            )
            marks.append(r.band)
    return Table(
        ("Session", "Time", "Min", "BP", "Pulse", "SpO2", "Class", "Rule fired"),
        tuple(rows),
        caption="Every reading outside the protocol's normal range, in every session.",
        empty_text="No reading outside the normal range in this course.",
        row_marks=tuple(marks),
    )


def _effect_frequencies(details: Sequence[CourseSession]) -> Table:
    dosed = [d for d in details if d.doses]
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    worst: dict[str, str] = {}
    treated: Counter[str] = Counter()
    for d in dosed:
        latest = {e.effect_id: e for e in d.side_effects}
        for e in latest.values():
            if not e.present:
                continue
            counts[e.effect_id] += 1
            labels[e.effect_id] = e.label
            if e.intervention:
                treated[e.effect_id] += 1
            sev = e.severity or ""
            if _SEVERITY_RANK.get(sev, 0) > _SEVERITY_RANK.get(worst.get(e.effect_id, ""), 0):
                worst[e.effect_id] = sev
    n = len(dosed)
    rows = tuple(
        (
            labels[eid],
            f"{count} of {n}",
            f"{count * 100 / n:.0f} %",
            fmt.severity_label(worst.get(eid)),
            str(treated[eid]),
        )
        for eid, count in sorted(counts.items(), key=lambda kv: (-kv[1], labels[kv[0]]))
    )
    return Table(
        ("Effect", "Sessions", "Share", "Most severe", "Treated"),
        rows,
        caption=f"Out of {counted(n, 'session')} in which a dose was given.",
        empty_text="No side effects recorded in this course.",
    )


def _facts(
    course: CourseInfo,
    patient: PatientInfo,
    details: Sequence[CourseSession],
    protocol: Protocol | None,
) -> tuple[tuple[str, str], ...]:
    states = Counter(state_label(d.session.state) for d in details)
    breakdown = ", ".join(f"{n} {label}" for label, n in states.items())
    title = f" – {course.protocol_title}" if course.protocol_title else ""
    pinned = (
        f" (pinned at the course start; SHA-256 {protocol.fingerprint})"
        if protocol is not None and protocol.sha256
        else " (pinned text missing from this database)"
    )
    return (
        ("Patient", f"{patient.family_name}, {patient.given_name} · {patient.sex}"),
        ("Course", f"#{course.id}"),
        ("Protocol", f"{course.protocol_id} v{course.protocol_version}{title}{pinned}"),
        ("Started", course.started_on.isoformat()),
        ("Ended", course.ended_on.isoformat() if course.ended_on else "Ongoing"),
        ("Goal", course.goal or fmt.NONE_TEXT),
        ("Sessions", f"{len(details)}" + (f" ({breakdown})" if breakdown else "")),
        ("Allergies", patient.allergies or "None recorded"),
    )


def build_course_report(
    course: CourseInfo,
    patient: PatientInfo,
    details: Sequence[CourseSession],
    phq: Sequence[InstrumentInfo],
    gad: Sequence[InstrumentInfo],
    outcome: CourseOutcomeInfo,
    protocol: Protocol | None,
    pc: PrintContext,
) -> CourseReport:
    tz = pc.tz
    # Entries entered in error count for nothing; the results table lists them struck through.
    details = [counting(d) for d in details]
    listed = (phq, gad)
    phq, gad = standing_results(phq), standing_results(gad)
    header = page_header(
        "Treatment course summary",
        patient,
        pc,
        f"Course #{course.id} · {course.protocol_id} v{course.protocol_version}",
    )
    trends: list[TrendChart] = []
    instruments: tuple[tuple[Instrument, Sequence[InstrumentInfo]], ...] = (
        (PHQ9, phq),
        (GAD7, gad),
    )
    for instrument, results in instruments:
        acute = [r for r in results if _phase(r, course.started_on, outcome, tz) == "acute"]
        later = [r for r in results if _phase(r, course.started_on, outcome, tz) != "acute"]
        chart = trend_chart(
            instrument, acute, course.started_on, tz, follow_ups=later, acute_end=outcome.acute_end
        )
        if chart is not None:
            trends.append(chart)
    outcome_table, outcome_lines = _outcome(phq, gad, course.started_on, outcome, tz)
    item9, item9_note = _item9(outcome, tz)
    moments = [d.session.scheduled_at for d in details] or [pc.printed_at]
    zones = " / ".join(dict.fromkeys(fmt.zone_name(m, tz) for m in moments))
    return CourseReport(
        header=header,
        time_note=f"Dates and times are local: {zones}.",
        facts=_facts(course, patient, details, protocol),
        sessions=_sessions(details, tz),
        trends=tuple(trends),
        trend_note="" if trends else "No PHQ-9 or GAD-7 recorded in this course: no trend.",
        outcome=outcome_table,
        outcome_lines=outcome_lines,
        results=_results(*listed, course.started_on, outcome, tz),
        item9=item9,
        item9_note=item9_note,
        excursions=_excursions(details, protocol, tz),
        side_effects=_effect_frequencies(details),
    )
