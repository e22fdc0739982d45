"""The tables of a session summary (pure): vitals, readings due, doses, overrides,
side effects and observations, as display-ready rows. An entry entered in error is
listed where it was, struck through, with who marked it, when and why (report_data.marks);
totals leave it out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo

from kapdesk.domain.corrections import standing_entries as standing_results
from kapdesk.domain.instruments import MOAAS_LEVELS
from kapdesk.domain.protocol import Anchor, Protocol
from kapdesk.domain.schedule import DueItem, ItemStatus
from kapdesk.domain.wording import shown
from kapdesk.i18n import N_, _, _n
from kapdesk.services.alerts import AcknowledgementInfo
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.marks import ERROR, not_counted, note
from kapdesk.services.report_data.model import Table
from kapdesk.services.screen_dtos import SessionDetail


def _rule_text(rule_ids: Iterable[str], protocol: Protocol | None) -> str:
    rules = {r.id: r for r in protocol.vital_rules} if protocol else {}
    parts = []
    for rid in rule_ids:
        rule = rules.get(rid)
        parts.append(f"{rid}: {rule.describe().shown()}" if rule else rid)
    return "; ".join(parts)


def vitals_table(d: SessionDetail, protocol: Protocol | None, tz: tzinfo | None) -> Table:
    rows = []
    marks = []
    notes = []
    course_label = f"{d.session.protocol_id} v{d.session.protocol_version}"
    for r in d.readings:
        rule = _rule_text(r.rules, protocol)
        if "– escalate" in r.assessment:
            rule += _(" – escalate")
        if r.protocol_label and r.protocol_label != course_label:
            rule += f" ({r.protocol_label})"
        rows.append(
            (
                fmt.hm(r.taken_at, tz),
                fmt.minutes_text(r.minutes_from_dose),
                f"{r.systolic}/{r.diastolic}",
                fmt.NONE_TEXT if r.pulse is None else str(r.pulse),
                fmt.NONE_TEXT if r.spo2 is None else f"{r.spo2}",
                _("pre-dose") if r.phase == "pre_dose" else _("post-dose"),
                fmt.band_label(r.band),
                rule or fmt.NONE_TEXT,
                r.recorded_by,
            )
        )
        marks.append(ERROR if r.error else "" if r.band == "normal" else r.band)
        notes.append(note(r.error, tz, r.taken_at))
    marked = len(d.readings) - len(standing_results(d.readings))
    return Table(
        (
            _("Time"),
            _("Min"),
            _("BP mmHg"),
            _("Pulse"),
            "SpO₂",
            _("Phase"),
            _("Class"),
            _("Rule fired"),
            _("By"),
        ),
        tuple(rows),
        caption=(
            _(
                "Classified under {protocol}. Min = minutes from the first dose; pulse in beats "
                "per minute; SpO₂ in %.",
                protocol=course_label,
            )
            + not_counted(marked, "reading")
        ),
        empty_text=_("No vital signs recorded."),
        row_marks=tuple(marks),
        row_notes=tuple(notes),
    )


_STATUS = {
    ItemStatus.UPCOMING: N_("Upcoming"),
    ItemStatus.DUE: N_("Due now"),
    ItemStatus.OVERDUE: N_("Overdue"),
    ItemStatus.MISSED: N_("Missed"),
}


def schedule_table(d: SessionDetail, tz: tzinfo | None) -> Table:
    first = d.session.first_dose_at
    rows = []
    marks = []
    for item in d.schedule:
        rows.append(
            (
                shown(item.label),
                _window_text(item, first, tz),
                _due_status(item),
                _satisfied_text(item, first, tz),
            )
        )
        status = rows[-1][2]
        marks.append(
            "bad"
            if status in (_("Missed"), _("Overdue"))
            else "elevated"
            if status == _("Late")
            else ""
        )
    missed = [shown(i.label) for i in d.schedule if i.status is ItemStatus.MISSED]
    caption = (
        _("Readings missed: {n} – {labels}.", n=len(missed), labels=", ".join(missed))
        if missed
        else ""
    )
    return Table(
        (_("Reading due"), _("Window"), _("Status"), _("Taken")),
        tuple(rows),
        caption=caption,
        empty_text=_("No readings were due (no dose given)."),
        row_marks=tuple(marks),
    )


def _due_status(item: DueItem) -> str:
    if item.status is ItemStatus.DONE:
        return _("On time") if item.on_time is not False else _("Late")
    return _(_STATUS[item.status]) if item.status in _STATUS else item.status.value


def _window_text(item: DueItem, first: datetime | None, tz: tzinfo | None) -> str:
    if item.anchor is Anchor.PRE_DOSE or first is None:
        if item.opens_at is None:
            return _("Before the first dose")
        return _("Before the first dose (from {time})", time=fmt.hm(item.opens_at, tz))
    start = fmt.minutes_text(fmt.minutes_between(first, item.opens_at))
    if item.closes_at is None:
        return _(
            "From {start} min ({time}) until discharge", start=start, time=fmt.hm(item.opens_at, tz)
        )
    end = fmt.minutes_text(fmt.minutes_between(first, item.closes_at))
    if item.opens_at is not None and item.closes_at < item.opens_at:
        # A before-discharge window closes at discharge: an early discharge came first.
        return _(
            "From {start} min ({opens}); discharged at {end} min ({closes}), before it opened",
            start=start,
            opens=fmt.hm(item.opens_at, tz),
            end=end,
            closes=fmt.hm(item.closes_at, tz),
        )
    return _(
        "{start} to {end} min ({opens}{dash}{closes})",
        start=start,
        end=end,
        opens=fmt.hm(item.opens_at, tz),
        dash=fmt.DASH,
        closes=fmt.hm(item.closes_at, tz),
    )


def _satisfied_text(item: DueItem, first: datetime | None, tz: tzinfo | None) -> str:
    if item.satisfied_by is None:
        return fmt.NONE_TEXT
    minutes = fmt.minutes_between(first, item.satisfied_by)
    if first is None or (minutes is not None and minutes < 0):
        return fmt.hm(item.satisfied_by, tz)
    return f"{fmt.hm(item.satisfied_by, tz)} ({fmt.minutes_text(minutes)} min)"


def doses_table(d: SessionDetail, tz: tzinfo | None) -> Table:
    first = d.session.first_dose_at
    rows = []
    marks = []
    notes = []
    for x in d.doses:
        entered = f"{fmt.number(x.amount, 3)} {fmt.unit_label(x.unit, x.amount)}"
        if x.over_limit:
            who = x.confirmed_by or fmt.NONE_TEXT
            over = _(
                "Over the maximum: confirmed by {who}. Reason: {reason}",
                who=who,
                reason=x.confirmation_reason or "—",
            )
        else:
            over = _("Within the maximum")
        if x.warnings:
            over += _(". Acknowledged: ") + " ".join(shown(w) for w in x.warnings)
        rows.append(
            (
                fmt.hm(x.given_at, tz),
                fmt.minutes_text(fmt.minutes_between(first, x.given_at)),
                _(x.medication),
                fmt.route_label(x.route),
                entered,
                fmt.mg(x.mg),
                x.lot_number,
                x.given_by,
                _("Booster") if x.is_booster else _("First dose"),
                over,
            )
        )
        marks.append(
            ERROR if x.error else "alert" if x.over_limit else "elevated" if x.warnings else ""
        )
        notes.append(note(x.error, tz, x.given_at))
    given = standing_results(d.doses)
    total = sum(x.mg for x in given)
    caption = (
        _n(
            "Total {total} in {n} dose.",
            "Total {total} in {n} doses.",
            len(given),
            total=fmt.mg(total),
        )
        if given
        else ""
    )
    caption += not_counted(len(d.doses) - len(given), "dose")
    return Table(
        (
            _("Time"),
            _("Min"),
            _("Medication"),
            _("Route"),
            _("Entered"),
            "mg",
            _("Lot"),
            _("Given by"),
            _("Dose"),
            _("Max"),
        ),
        tuple(rows),
        caption=caption.strip(),
        empty_text=_("No dose was given."),
        row_marks=tuple(marks),
        row_notes=tuple(notes),
    )


def overrides_table(d: SessionDetail, protocol: Protocol | None, tz: tzinfo | None) -> Table:
    """Every override of a dose gate: the pre-dose hold, the booster gate after a post-dose
    alert, a blocking checklist item; who recorded it, when, the prescriber and reason."""
    by_id = {r.id: r for r in d.readings}
    items = {c.id: c.shown_label() for c in protocol.checklist} if protocol else {}
    rows = []
    for o in d.overrides:
        if o.kind == "checklist":
            label = items.get(o.item_id or "", o.item_id or fmt.NONE_TEXT)
            answer = d.session.checklist.get(o.item_id or "")
            gate = _("Checklist: {item}", item=label)
            what = (
                _("Not answered")
                if answer is None
                else _("Answered {answer}", answer=fmt.yes_no(answer).lower())
            )
        else:
            r = by_id.get(o.reading_id) if o.reading_id is not None else None
            pre_dose = r is None or r.phase == "pre_dose"
            gate = _("Pre-dose hold") if pre_dose else _("Booster gate")
            what = (
                _(
                    "BP {systolic}/{diastolic} at {time} ({band})",
                    systolic=r.systolic,
                    diastolic=r.diastolic,
                    time=fmt.hm(r.taken_at, tz),
                    band=fmt.band_word(r.band),
                )
                if r
                else fmt.NONE_TEXT
            )
        rows.append(
            (fmt.hm(o.recorded_at, tz), gate, o.prescriber_name, o.reason, what, o.recorded_by)
        )
    return Table(
        (_("Time"), _("Gate"), _("Prescriber"), _("Reason"), _("Overrode"), _("Recorded by")),
        tuple(rows),
        empty_text=_("No hold, dose gate or checklist item was overridden."),
    )


def acknowledged_alerts_table(
    d: SessionDetail, acknowledgements: Sequence[AcknowledgementInfo], tz: tzinfo | None
) -> Table:
    """Alert and critical readings a clinician acknowledged: who, when, which reading."""
    by_id = {r.id: r for r in d.readings}
    rows = []
    marks = []
    for a in sorted(acknowledgements, key=lambda a: (a.acknowledged_at, a.id)):
        r = by_id.get(a.reading_id)
        if r is None:
            reading, band = _("Reading #{id}", id=a.reading_id), ""
        else:
            reading = _(
                "BP {systolic}/{diastolic} at {time} ({minutes} min), {band}",
                systolic=r.systolic,
                diastolic=r.diastolic,
                time=fmt.hm(r.taken_at, tz),
                minutes=fmt.minutes_text(r.minutes_from_dose),
                band=fmt.band_word(r.band),
            )
            band = r.band
        rows.append(
            (fmt.hm(a.acknowledged_at, tz), reading, a.acknowledged_by, a.note or fmt.NONE_TEXT)
        )
        marks.append(band if band in ("alert", "critical") else "")
    return Table(
        (_("Acknowledged"), _("Reading"), _("By"), _("Note")),
        tuple(rows),
        empty_text=_("No alert was acknowledged."),
        row_marks=tuple(marks),
    )


def side_effects_table(d: SessionDetail, tz: tzinfo | None) -> tuple[Table, str]:
    first = d.session.first_dose_at
    # dtos come oldest first; an entry entered in error is listed struck through
    latest = {e.effect_id: e for e in standing_results(d.side_effects)}
    present = [e for e in latest.values() if e.present]
    present += [e for e in d.side_effects if e.error is not None]
    absent = [_(e.label) for e in latest.values() if not e.present]
    rows = []
    marks = []
    notes = []
    for e in sorted(present, key=lambda e: (e.onset_at or e.recorded_at, e.id)):
        onset = fmt.hm(e.onset_at, tz)
        if e.onset_at is not None and first is not None:
            onset += f" ({fmt.minutes_text(fmt.minutes_between(first, e.onset_at))} min)"
        rows.append(
            (
                _(e.label),
                fmt.severity_label(e.severity),
                onset,
                e.intervention or _("None"),
                fmt.hm(e.resolved_at, tz) if e.resolved_at else _("Not resolved"),
                e.recorded_by,
            )
        )
        severe = e.severity in ("severe", "life_threatening")
        marks.append(ERROR if e.error else "alert" if severe else "")
        notes.append(note(e.error, tz, e.recorded_at))
    absent_text = _("Checked and absent: {effects}.", effects=", ".join(absent)) if absent else ""
    table = Table(
        (
            _("Effect"),
            _("Severity"),
            _("Onset"),
            _("Intervention"),
            _("Resolved"),
            _("Recorded by"),
        ),
        tuple(rows),
        empty_text=_("No side effects present.") if absent else _("No side effects recorded."),
        row_marks=tuple(marks),
        row_notes=tuple(notes),
        caption=not_counted(sum(1 for e in d.side_effects if e.error), "side effect").strip(),
    )
    return table, absent_text


def observations_table(d: SessionDetail, tz: tzinfo | None) -> Table:
    first = d.session.first_dose_at
    rows = []
    marks = []
    notes = []
    for o in d.observations:
        if o.kind == "moaas":
            what = "MOAA/S"
            level = MOAAS_LEVELS.get(o.score or 0, "")
            value = f"{o.score} – {_(level) if level else ''}" if o.score is not None else ""
        else:
            what = _("Dissociation")
            value = _("Present") if o.present else _("Absent")
            if o.text:
                value += f": {o.text}"
        rows.append(
            (
                fmt.hm(o.observed_at, tz),
                fmt.minutes_text(fmt.minutes_between(first, o.observed_at)),
                what,
                value,
                o.recorded_by,
            )
        )
        marks.append(ERROR if o.error else "")
        notes.append(note(o.error, tz, o.observed_at))
    return Table(
        (_("Time"), _("Min"), _("Observation"), _("Finding"), _("Recorded by")),
        tuple(rows),
        empty_text=_("No sedation or dissociation observations recorded."),
        row_marks=tuple(marks),
        row_notes=tuple(notes),
    )
