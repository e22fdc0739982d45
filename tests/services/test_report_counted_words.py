"""Issue 12 review: the course summary writes '1 week' and '+1 point', not '1 weeks' and
'+1 points' (kapdesk.domain.text.counted)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.report_data.course_outcome import outcome_part as _outcome

from .conftest import T0, insert_patient_and_course


def test_an_acute_phase_of_one_week_and_a_change_of_one_point(
    ctx: ServiceContext, clock: FakeClock, clinician: Actor
) -> None:
    patient_id, course_id = insert_patient_and_course(ctx.db)
    service = InstrumentService(ctx)
    service.record(clinician, patient_id, "PHQ-9", [1] * 9, course_id=course_id)
    only_baseline = replace(service.course_outcome(course_id), acute_weeks=1)
    _, lines = _outcome(only_baseline.results, (), T0.date(), only_baseline, UTC)
    assert "a later PHQ-9 within 1 week of the course start; 1 recorded." in lines[0]

    clock.advance(timedelta(days=3))
    service.record(clinician, patient_id, "PHQ-9", [1] * 8 + [2], course_id=course_id)
    outcome = replace(service.course_outcome(course_id), acute_weeks=1)
    table, _ = _outcome(outcome.results, (), T0.date(), outcome, UTC)
    assert table.columns[2] == "Endpoint (within 1 week)"
    assert table.rows[0][3].startswith("+1 point (")

    clock.advance(timedelta(days=14))  # after a one-week acute phase
    service.record(clinician, patient_id, "PHQ-9", [2] * 9, course_id=course_id)
    later = replace(service.course_outcome(course_id), acute_weeks=1)
    first, _, late = later.results
    table, _ = _outcome((first, late), (), T0.date(), later, UTC)
    assert table.rows[0][2] == "None within 1 week"
