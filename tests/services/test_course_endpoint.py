"""PHQ-9 results keep their scoring rule; a course's outcome is judged at its acute endpoint."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.instruments import GAD7, PHQ9
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.instruments import InstrumentService
from kapdesk.storage.orm import InstrumentResult

from .conftest import T0, insert_patient_and_course
from .test_instruments import phq9


def test_each_result_stores_its_scoring_rule_and_version(
    ctx: ServiceContext, therapist: Actor
) -> None:
    patient_id, course_id = insert_patient_and_course(ctx.db)
    svc = InstrumentService(ctx)
    phq = svc.record(therapist, patient_id, "PHQ-9", phq9(12), course_id=course_id)
    gad = svc.record(therapist, patient_id, "GAD-7", [1] * 7, course_id=course_id)
    assert phq.scoring_rule == (
        "PHQ-9 v1 (Kroenke 2001): 0-4 minimal, 5-9 mild, 10-14 moderate, "
        "15-19 moderately severe, 20-27 severe"
    )
    assert gad.scoring_rule == (
        "GAD-7 v1 (Spitzer 2006): 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe"
    )
    with ctx.db.read() as s:
        rows = s.execute(select(InstrumentResult.instrument, InstrumentResult.scoring_rule))
        stored = {r.instrument: r.scoring_rule for r in rows}
    assert stored == {"PHQ-9": PHQ9.scoring_rule, "GAD-7": GAD7.scoring_rule}
    # what is shown is what was stored, not today's definition
    with ctx.db.write() as s:
        s.execute(update(InstrumentResult).values(scoring_rule="PHQ-9 v0 (older bands)"))
    [shown] = svc.history(patient_id, "PHQ-9")
    assert shown.scoring_rule == "PHQ-9 v0 (older bands)"


def test_a_follow_up_never_overwrites_the_week_8_response(
    ctx: ServiceContext, therapist: Actor, clock: FakeClock
) -> None:
    patient_id, course_id = insert_patient_and_course(ctx.db)  # started on T0's date
    svc = InstrumentService(ctx)
    for days, total in ((0, 20), (28, 14), (56, 9), (147, 19)):
        clock.set(T0 + timedelta(days=days))
        svc.record(therapist, patient_id, "PHQ-9", phq9(total), course_id=course_id)
    result = svc.course_outcome(course_id)
    assert result.baseline is not None
    assert result.baseline.total == 20
    assert result.endpoint is not None
    assert result.endpoint.total == 9
    assert result.outcome is not None
    assert (result.outcome.latest_total, result.outcome.response) == (9, True)
    assert result.acute_weeks == 8
    assert result.acute_end == T0.date() + timedelta(days=56)
    assert result.protocol_label == "kap-default v1.0"
    [follow] = result.follow_ups
    assert follow.result.total == 19
    assert follow.deterioration is True
    assert follow.summary == (
        "3-month follow-up: 19, deterioration (loss of response; rise of 10 points "
        "from the endpoint 9)"
    )
    assert len(result.results) == 4  # every result is still listed
