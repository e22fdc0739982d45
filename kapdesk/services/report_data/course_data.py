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
from datetime import tzinfo
from typing import TYPE_CHECKING

from kapdesk.domain.corrections import standing_entries as standing_results
from kapdesk.domain.discharge_record import discharged_against_criteria
from kapdesk.domain.instruments import GAD7, PHQ9, Instrument
from kapdesk.domain.protocol import Protocol
from kapdesk.domain.session_state import SessionState, state_label
from kapdesk.domain.side_effects import Severity
from kapdesk.i18n import _, _n
from kapdesk.i18n import formats as locale_formats
from kapdesk.services.dtos import (
    CourseInfo,
    CourseOutcomeInfo,
    InstrumentInfo,
    PatientInfo,
    ReadingInfo,
)
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.charts_data import trend_chart
from kapdesk.services.report_data.course_outcome import (
    ACUTE,
    item9_table,
    outcome_part,
    phase,
    results_table,
)
from kapdesk.services.report_data.header import page_header
from kapdesk.services.report_data.marks import counting
from kapdesk.services.report_data.model import CourseReport, PrintContext, Table, TrendChart
from kapdesk.services.report_data.words import sex_label

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
            dose += _n(" ({n} dose)", " ({n} doses)", len(d.doses))
        worst = _worst(d.readings)
        max_bp = f"{worst.systolic}/{worst.diastolic}" if worst else fmt.NONE_TEXT
        if worst and worst.band != "normal":
            max_bp += f" ({fmt.band_word(worst.band)})"
        worst_band = max(
            (r.band for r in d.readings), key=lambda b: _BAND_RANK.get(b, 0), default="normal"
        )
        if s.state == SessionState.DISCHARGED:
            end = fmt.hm(s.discharged_at, tz)
            if discharged_against_criteria(s.discharge_criteria, s.discharge_reason):
                end += _(" against criteria")
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
        (
            _("No."),
            _("Date"),
            _("Protocol"),
            _("Route"),
            _("Dose mg"),
            _("Max BP"),
            _("Side effects"),
            _("Ended"),
        ),
        tuple(rows),
        caption=_(
            "Max BP: the reading with the highest systolic pressure in the session; "
            "side effects: how many were present; ended: the discharge time, or the session's "
            "state."
        ),
        empty_text=_("No dosing sessions in this course."),
        row_marks=tuple(marks),
    )


_BAND_RANK = {"normal": 0, "elevated": 1, "alert": 2, "critical": 3}


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
                f"{rid}: {rules[rid].describe().shown()}" if rid in rules else rid
                for rid in r.rules
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
        (
            _("Session"),
            _("Time"),
            _("Min"),
            _("BP"),
            _("Pulse"),
            "SpO2",
            _("Class"),
            _("Rule fired"),
        ),
        tuple(rows),
        caption=_("Every reading outside the protocol's normal range, in every session."),
        empty_text=_("No reading outside the normal range in this course."),
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
            labels[e.effect_id] = _(e.label)
            if e.intervention:
                treated[e.effect_id] += 1
            sev = e.severity or ""
            if _SEVERITY_RANK.get(sev, 0) > _SEVERITY_RANK.get(worst.get(e.effect_id, ""), 0):
                worst[e.effect_id] = sev
    n = len(dosed)
    rows = tuple(
        (
            labels[eid],
            _("{count} of {n}", count=count, n=n),
            f"{count * 100 / n:.0f} %",
            fmt.severity_label(worst.get(eid)),
            str(treated[eid]),
        )
        for eid, count in sorted(counts.items(), key=lambda kv: (-kv[1], labels[kv[0]]))
    )
    return Table(
        (_("Effect"), _("Sessions"), _("Share"), _("Most severe"), _("Treated")),
        rows,
        caption=_n(
            "Out of {n} session in which a dose was given.",
            "Out of {n} sessions in which a dose was given.",
            n,
        ),
        empty_text=_("No side effects recorded in this course."),
    )


def _facts(
    course: CourseInfo,
    patient: PatientInfo,
    details: Sequence[CourseSession],
    protocol: Protocol | None,
) -> tuple[tuple[str, str], ...]:
    states = Counter(state_label(d.session.state) for d in details)
    breakdown = ", ".join(f"{n} {label}" for label, n in states.items())
    title = f" – {_(course.protocol_title)}" if course.protocol_title else ""
    pinned = (
        _(" (pinned at the course start; SHA-256 {fingerprint})", fingerprint=protocol.fingerprint)
        if protocol is not None and protocol.sha256
        else _(" (pinned text missing from this database)")
    )
    ended = locale_formats.long_date(course.ended_on) if course.ended_on else _("Ongoing")
    patient_text = f"{patient.family_name}, {patient.given_name} · {sex_label(patient.sex)}"
    return (
        (_("Patient"), patient_text),
        (_("Course"), _("#{id}", id=course.id)),
        (_("Protocol"), f"{course.protocol_id} v{course.protocol_version}{title}{pinned}"),
        (_("Started"), locale_formats.long_date(course.started_on)),
        (_("Ended"), ended),
        (_("Goal"), course.goal or fmt.NONE_TEXT),
        (_("Sessions"), f"{len(details)}" + (f" ({breakdown})" if breakdown else "")),
        (_("Allergies"), patient.allergies or _("None recorded")),
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
        _("Treatment course summary"),
        patient,
        pc,
        _(
            "Course #{id} · {protocol} v{version}",
            id=course.id,
            protocol=course.protocol_id,
            version=course.protocol_version,
        ),
    )
    trends: list[TrendChart] = []
    instruments: tuple[tuple[Instrument, Sequence[InstrumentInfo]], ...] = (
        (PHQ9, phq),
        (GAD7, gad),
    )
    for instrument, results in instruments:
        acute = [r for r in results if phase(r, course.started_on, outcome, tz) == ACUTE]
        later = [r for r in results if phase(r, course.started_on, outcome, tz) != ACUTE]
        chart = trend_chart(
            instrument, acute, course.started_on, tz, follow_ups=later, acute_end=outcome.acute_end
        )
        if chart is not None:
            trends.append(chart)
    outcome_table, outcome_lines = outcome_part(phq, gad, course.started_on, outcome, tz)
    item9, item9_note = item9_table(outcome, tz)
    moments = [d.session.scheduled_at for d in details] or [pc.printed_at]
    zones = " / ".join(dict.fromkeys(fmt.zone_name(m, tz) for m in moments))
    return CourseReport(
        header=header,
        time_note=_("Dates and times are local: {zones}.", zones=zones),
        facts=_facts(course, patient, details, protocol),
        sessions=_sessions(details, tz),
        trends=tuple(trends),
        trend_note="" if trends else _("No PHQ-9 or GAD-7 recorded in this course: no trend."),
        outcome=outcome_table,
        outcome_lines=outcome_lines,
        results=results_table(*listed, course.started_on, outcome, tz),
        item9=item9,
        item9_note=item9_note,
        excursions=_excursions(details, protocol, tz),
        side_effects=_effect_frequencies(details),
    )
