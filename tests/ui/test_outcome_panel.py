"""The chart's outcome panel: the acute endpoint, follow-ups apart (summed up on one line
when there are several), stored scoring rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.instruments import PHQ9
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.widgets.outcome_chart import outcome_text

from .helpers_patients import actor_for, add_patient


def answers(total: int) -> list[int]:
    out = []
    for _ in range(9):
        out.append(min(3, total))
        total -= out[-1]
    return out


@pytest.fixture
def chart(qtbot: QtBot, app: AppContext, clock: FakeClock) -> PatientChart:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician)
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    start = clock.now()
    service = InstrumentService(app.ctx)
    for days, total in ((0, 20), (28, 14), (56, 9), (147, 19)):
        clock.set(start + timedelta(days=days))
        service.record(clinician, patient.id, "PHQ-9", answers(total), course_id=course.id)
    app.actor = clinician
    widget = PatientChart(app, patient.id)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_3_month_follow_up_is_shown_apart_and_never_replaces_the_week_8_response(
    chart: PatientChart,
) -> None:
    head, follow = chart.outcome.text().split("\n")
    assert head.startswith("Course outcome (PHQ-9): baseline 20 (severe, ")
    assert "→ endpoint 9 (mild, " in head
    assert ", week 8) · change −55 %" in head
    assert head.endswith("response: yes · remission: no")
    assert follow.startswith(
        "3-month follow-up: 19, deterioration (loss of response; rise of 10 points from the "
        "endpoint 9)"
    )
    plot = chart.outcome_chart
    assert plot.curve_data() == ([0.0, 4.0, 8.0], [20.0, 14.0, 9.0])
    xs, ys = plot.follow_up_points.getData()
    assert (list(xs), list(ys)) == ([21.0], [19.0])
    assert plot.acute_end_line.isVisible()
    assert plot.acute_end_line.value() == 8.0
    assert "week 8" in plot.acute_end_line.label.toPlainText()


def test_the_scoring_rule_stored_with_the_results_is_shown(chart: PatientChart) -> None:
    assert chart.scoring_rules.text() == f"Scored with {PHQ9.scoring_rule}"
    assert "PHQ-9 v1 (Kroenke 2001): 0-4 minimal" in chart.scoring_rules.text()


def test_the_course_line_names_the_pinned_protocol_version(chart: PatientChart) -> None:
    assert chart.course_info.text().startswith(
        "Protocol: kap-default v1.0 – Ketamine-assisted psychotherapy"
    )


def test_a_session_whose_pinned_protocol_is_missing_does_not_open(
    qtbot: QtBot, app: AppContext, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.sessionkit import Kit
    from sqlalchemy import update

    from kapdesk.storage.orm import Course
    from kapdesk.ui.errors import ErrorBox
    from kapdesk.ui.main_window import PAGE_SESSION, MainWindow

    nurse = actor_for(app, Role.NURSE)
    sid = Kit(app.ctx, clock, nurse).checked_in()
    with app.ctx.db.write() as s:
        s.execute(update(Course).values(protocol_hash=""))
    shown: list[str] = []
    monkeypatch.setattr(ErrorBox, "show", classmethod(lambda cls, p, t, text: shown.append(text)))
    app.actor = nurse
    window = MainWindow(app, resume=False)
    window.today.stop()
    window.alerts.stop()
    qtbot.addWidget(window)
    window.open_session(sid)
    assert window.current_page() != PAGE_SESSION
    [message] = shown
    assert message.startswith("Course #1 is pinned to kap-default v1.0, but no text of that")
    assert "restore a backup that holds kap-default v1.0" in message


def test_many_follow_ups_are_summed_up_on_one_line(app: AppContext, clock: FakeClock) -> None:
    """Two or more follow-ups: how many, which showed deterioration (their dates, up to
    three), and the latest in full; each one is in the chart's follow-up list."""
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician)
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    start = clock.now()
    service = InstrumentService(app.ctx)

    def summary() -> str:
        return outcome_text(service.course_outcome(course.id)).split("\n")[1]

    for days, total in ((0, 20), (56, 9), (84, 8)):
        clock.set(start + timedelta(days=days))
        service.record(clinician, patient.id, "PHQ-9", answers(total), course_id=course.id)
    clock.set(start + timedelta(days=112))
    service.record(clinician, patient.id, "PHQ-9", answers(7), course_id=course.id)
    assert summary() == (
        "2 follow-ups after the acute phase, none with deterioration. Latest: 2-month "
        f"follow-up: 7, no deterioration (2 points below the endpoint 9) · {clock.now():%Y-%m-%d}"
    )
    for weeks in (20, 24, 28, 32):
        clock.set(start + timedelta(weeks=weeks))
        service.record(clinician, patient.id, "PHQ-9", answers(16), course_id=course.id)
    last = f"{clock.now():%Y-%m-%d}"
    assert summary().startswith(
        f"6 follow-ups after the acute phase, 4 with deterioration (the last {last}). Latest: "
        "6-month follow-up: 16, deterioration (loss of response; rise of 7 points"
    )
