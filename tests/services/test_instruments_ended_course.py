"""A PHQ-9 filed under a course that has ended: only by an explicit choice, never silently."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService

from .conftest import T0, insert_patient_and_course, table_counts
from .test_instruments import phq9


@pytest.fixture
def ended(
    ctx: ServiceContext, clock: FakeClock, therapist: Actor, clinician: Actor
) -> tuple[int, int]:
    """A course with a baseline PHQ-9 of 20 and a week-4 PHQ-9 of 8, ended on day 28."""
    patient_id, course_id = insert_patient_and_course(ctx.db)
    service = InstrumentService(ctx)
    service.record(therapist, patient_id, "PHQ-9", phq9(20), course_id=course_id, taken_at=T0)
    clock.set(T0 + timedelta(weeks=4))
    service.record(therapist, patient_id, "PHQ-9", phq9(8), course_id=course_id)
    CourseService(ctx).end(clinician, course_id, (T0 + timedelta(weeks=4)).date(), "completed")
    return patient_id, course_id


def test_recording_under_an_ended_course_without_saying_so_is_refused(
    ctx: ServiceContext, clock: FakeClock, therapist: Actor, ended: tuple[int, int]
) -> None:
    patient_id, course_id = ended
    clock.set(T0 + timedelta(weeks=6))
    service = InstrumentService(ctx)
    before = service.course_outcome(course_id)
    counts = table_counts(ctx.db)
    with pytest.raises(ValidationError) as err:
        service.record(therapist, patient_id, "PHQ-9", phq9(18), course_id=course_id)
    assert err.value.field == "Course"
    assert "ended on 2026-03-30" in err.value.message
    assert "after_course_end" not in err.value.message  # words for a person, not a keyword
    assert table_counts(ctx.db) == counts
    assert service.course_outcome(course_id).outcome == before.outcome


def test_an_explicit_choice_files_it_under_the_ended_course(
    ctx: ServiceContext, clock: FakeClock, therapist: Actor, ended: tuple[int, int]
) -> None:
    patient_id, course_id = ended
    clock.set(T0 + timedelta(weeks=20))
    info = InstrumentService(ctx).record(
        therapist, patient_id, "PHQ-9", phq9(18), course_id=course_id, after_course_end=True
    )
    assert info.course_id == course_id
    outcome = InstrumentService(ctx).course_outcome(course_id)
    assert [f.result.id for f in outcome.follow_ups] == [info.id]
    assert outcome.latest is not None
    assert outcome.latest.total == 8


def test_filing_effect_after_the_acute_phase_is_a_follow_up(
    ctx: ServiceContext, clock: FakeClock, ended: tuple[int, int]
) -> None:
    _, course_id = ended
    clock.set(T0 + timedelta(weeks=20))
    effect = InstrumentService(ctx).filing_effect(course_id, "PHQ-9", 18, clock.now())
    assert effect.ended_on == (T0 + timedelta(weeks=4)).date()
    assert not effect.changes_outcome
    assert "follow-up" in effect.text
    assert "apart from the acute endpoint" in effect.text
    assert "stays PHQ-9 20 → 8" in effect.text


def test_filing_effect_within_the_acute_phase_names_the_changed_outcome(
    ctx: ServiceContext, clock: FakeClock, ended: tuple[int, int]
) -> None:
    _, course_id = ended
    clock.set(T0 + timedelta(weeks=6))
    effect = InstrumentService(ctx).filing_effect(course_id, "PHQ-9", 18, clock.now())
    assert effect.changes_outcome
    assert "would become the course's endpoint" in effect.text
    assert "PHQ-9 20 → 8" in effect.text
    assert "PHQ-9 20 → 18" in effect.text


def test_a_gad7_never_changes_the_outcome(
    ctx: ServiceContext, clock: FakeClock, ended: tuple[int, int]
) -> None:
    _, course_id = ended
    clock.set(T0 + timedelta(weeks=6))
    effect = InstrumentService(ctx).filing_effect(course_id, "GAD-7", 12, clock.now())
    assert not effect.changes_outcome
    assert "does not change the course outcome" in effect.text


def test_an_open_course_needs_no_choice(
    ctx: ServiceContext, therapist: Actor, clock: FakeClock
) -> None:
    patient_id, course_id = insert_patient_and_course(ctx.db)
    info = InstrumentService(ctx).record(
        therapist, patient_id, "PHQ-9", phq9(12), course_id=course_id
    )
    assert info.course_id == course_id
