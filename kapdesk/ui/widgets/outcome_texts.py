"""The texts beside the outcome chart: the course outcome line, its follow-ups, the item-9
banner and the scoring rules of the results (kapdesk.ui.widgets.outcome_chart re-exports
them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from kapdesk.domain.instruments import shown_scoring_rule
from kapdesk.domain.text import counted
from kapdesk.i18n import _, formats
from kapdesk.ui.widgets.locale_words import day_text, in_english

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseOutcomeInfo, FollowUpInfo, InstrumentInfo


def _chart() -> Any:
    """OutcomeChart: its class's tr() gives the plurals here, in its context (as lupdate
    reads ``OutcomeChart.tr(...)``; typed Any, PySide6's stub knows tr() of an instance only).
    Imported when called: outcome_chart imports this module."""
    from kapdesk.ui.widgets.outcome_chart import OutcomeChart

    return OutcomeChart


def outcome_text(info: CourseOutcomeInfo) -> str:
    """The course outcome: baseline against the acute endpoint, then the follow-ups apart.

    'Course outcome (PHQ-9): baseline 20 (severe, 2026-03-02) → endpoint 9 (mild,
    2026-04-27, week 8) · change −55 % · response: yes · remission: no', and on a line of its
    own the follow-ups (:func:`follow_up_summary`; each one in the chart's follow-up list).
    """
    OutcomeChart = _chart()
    base, end, outcome, code = info.baseline, info.endpoint, info.outcome, info.instrument
    if base is None:
        none = QCoreApplication.translate(
            "OutcomeChart", "Course outcome: no {code} on this course yet."
        )
        return none.format(code=code)
    first = QCoreApplication.translate("OutcomeChart", "baseline {total} ({band}, {date})").format(
        total=base.total, band=_(base.band), date=day_text(base.taken_at)
    )
    if end is None or outcome is None:
        n = info.acute_weeks
        head = in_english(
            f"Course outcome ({code}): {first}; a later {code} within "
            f"{counted(n, 'week')} of the course start shows the change.",
            OutcomeChart.tr(
                "Course outcome ({code}): {first}; a later {code} within %n week(s) of the "
                "course start shows the change.",
                None,
                n,
            ).format(code=code, first=first),
        )
    else:
        pct = outcome.percent_change
        change = QCoreApplication.translate("OutcomeChart", "n/a")
        if pct is not None:
            change = formats.decimal(f"{pct:+.0f} %".replace("-", "−"))
        week = ""
        if info.acute_end is not None:
            start = info.acute_end - timedelta(days=7 * info.acute_weeks)
            weeks = (end.taken_at.astimezone().date() - start).days // 7
            week = QCoreApplication.translate("OutcomeChart", ", week {week}").format(week=weeks)
        yes, no = (
            QCoreApplication.translate("OutcomeChart", "yes"),
            QCoreApplication.translate("OutcomeChart", "no"),
        )
        head = QCoreApplication.translate(
            "OutcomeChart",
            "Course outcome ({code}): {first} → endpoint {total} ({band}, {date}{week}) · "
            "change {change} · response: {response} · remission: {remission}",
        ).format(
            code=code,
            first=first,
            total=end.total,
            band=_(end.band),
            date=day_text(end.taken_at),
            week=week,
            change=change,
            response=yes if outcome.response else no,
            remission=yes if outcome.remission else no,
        )
    follow = follow_up_summary(info)
    return f"{head}\n{follow}" if follow else head


def follow_up_summary(info: CourseOutcomeInfo) -> str:
    """The follow-ups in one line: a single one in full ('3-month follow-up: 19,
    deterioration (...) · 2026-07-27'); else how many, which showed deterioration, and the
    latest in full: '21 follow-ups after the acute phase, 2 with deterioration (2026-06-29,
    2026-09-21). Latest: 10-month follow-up: 8, no deterioration (...) · 2026-12-21'."""
    OutcomeChart = _chart()
    follows = info.follow_ups
    if not follows:
        return ""

    def taken(f: FollowUpInfo) -> str:
        return day_text(f.result.taken_at)

    latest = f"{follows[-1].summary} · {taken(follows[-1])}"
    if len(follows) == 1:
        return latest
    n = len(follows)
    head = in_english(
        f"{counted(n, 'follow-up')} after the acute phase",
        OutcomeChart.tr("%n follow-up(s) after the acute phase", None, n),
    )
    worse = [f for f in follows if f.deterioration]
    if worse and len(worse) <= 3:
        text = QCoreApplication.translate("OutcomeChart", ", {count} with deterioration ({dates})")
        head += text.format(count=len(worse), dates=", ".join(taken(f) for f in worse))
    elif worse:
        text = QCoreApplication.translate(
            "OutcomeChart", ", {count} with deterioration (the last {date})"
        )
        head += text.format(count=len(worse), date=taken(worse[-1]))
    elif any(f.deterioration is not None for f in follows):
        head += QCoreApplication.translate("OutcomeChart", ", none with deterioration")
    latest_text = QCoreApplication.translate("OutcomeChart", "{head}. Latest: {latest}")
    return latest_text.format(head=head, latest=latest)


def item9_banner_text(phq9: Sequence[InstrumentInfo]) -> str:
    """A banner sentence when the latest PHQ-9 (oldest first) has item 9 above 0, else ''."""
    if not phq9 or not phq9[-1].item9_flag:
        return ""
    latest = phq9[-1]
    return QCoreApplication.translate(
        "OutcomeChart",
        "Latest PHQ-9 ({date}): item 9 (thoughts of self-harm) answered {answer} – clinician "
        "follow-up required.",
    ).format(date=day_text(latest.taken_at), answer=latest.answers[8])


def scoring_rules_text(results: Sequence[InstrumentInfo]) -> str:
    """The scoring rules stored with ``results``, one per line ('' when there are none)."""
    rules = list(dict.fromkeys(r.scoring_rule for r in results if r.scoring_rule))
    scored = QCoreApplication.translate("OutcomeChart", "Scored with {rule}")
    lines = [scored.format(rule=shown_scoring_rule(rule)) for rule in rules]
    if any(not r.scoring_rule for r in results):
        lines.append(
            QCoreApplication.translate(
                "OutcomeChart",
                "Older results: scoring rule not stored (recorded before kapdesk kept it).",
            )
        )
    return "\n".join(lines)
