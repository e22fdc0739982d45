from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import KapdeskError, NotFound, PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.instruments import InstrumentService

from .conftest import T0, insert_patient_and_course
from .test_observations import audit_since, insert_session, last_audit, refused


def phq9(total: int, item9: int = 0) -> list[int]:
    """Nine answers (0-3) adding up to ``total`` with item 9 = ``item9``."""
    answers = [0] * 8 + [item9]
    rest = total - item9
    for i in range(8):
        answers[i] = min(3, rest)
        rest -= answers[i]
    assert rest == 0
    assert sum(answers) == total
    return answers


@pytest.fixture
def course(ctx: ServiceContext) -> tuple[int, int]:
    return insert_patient_and_course(ctx.db)


def test_phq9_is_scored_flagged_and_audited(
    ctx: ServiceContext, therapist: Actor, course: tuple[int, int]
) -> None:
    patient_id, course_id = course
    start = last_audit(ctx.db)
    info = InstrumentService(ctx).record(
        therapist, patient_id, "phq9", phq9(16, item9=1), course_id=course_id
    )
    assert (info.instrument, info.total, info.band, info.max_total) == (
        "PHQ-9",
        16,
        "moderately severe",
        27,
    )
    assert info.item9_flag
    assert "item 9" in info.follow_up[0]
    assert info.band_rule == "PHQ-9 15-19: moderately severe (Kroenke 2001)"
    assert info.recorded_by == therapist.full_name
    assert info.taken_at == T0
    [entry] = audit_since(ctx.db, start)
    assert (entry.action, entry.entity, entry.entity_id) == (
        "instrument.record",
        "instrument_result",
        str(info.id),
    )
    assert entry.after_data is not None
    assert entry.after_data["answers"] == list(info.answers)


def test_gad7_and_course_taken_from_the_session(
    ctx: ServiceContext, nurse: Actor, course: tuple[int, int]
) -> None:
    patient_id, course_id = course
    sid = insert_session(ctx.db, course_id, nurse.user_id)
    info = InstrumentService(ctx).record(nurse, patient_id, "gad-7", [1] * 7, session_id=sid)
    assert (info.instrument, info.total, info.band, info.item9_flag) == ("GAD-7", 7, "mild", False)
    assert (info.course_id, info.session_id) == (course_id, sid)


@pytest.mark.parametrize(
    "case",
    [
        "eight_answers",
        "answer_4",
        "bool_answer",
        "unknown_instrument",
        "future",
        "other_patients_course",
        "session_of_other_course",
        "missing_patient",
        "missing_course",
        "admin",
    ],
)
def test_refused_results_leave_no_trace(
    ctx: ServiceContext, nurse: Actor, admin: Actor, course: tuple[int, int], case: str
) -> None:
    patient_id, course_id = course
    other_patient, other_course = insert_patient_and_course(ctx.db, mrn="MRN-2")
    other_session = insert_session(ctx.db, other_course, nurse.user_id)
    svc = InstrumentService(ctx)
    good = phq9(10)
    calls: dict[str, tuple[type[KapdeskError], Callable[[], object]]] = {
        "eight_answers": (
            ValidationError,
            lambda: svc.record(nurse, patient_id, "PHQ-9", good[:8]),
        ),
        "answer_4": (
            ValidationError,
            lambda: svc.record(nurse, patient_id, "PHQ-9", [4, *good[1:]]),
        ),
        "bool_answer": (
            ValidationError,
            lambda: svc.record(nurse, patient_id, "PHQ-9", [True, *good[1:]]),
        ),
        "unknown_instrument": (ValidationError, lambda: svc.record(nurse, patient_id, "BDI", good)),
        "future": (
            ValidationError,
            lambda: svc.record(nurse, patient_id, "PHQ-9", good, taken_at=T0 + timedelta(hours=1)),
        ),
        "other_patients_course": (
            ValidationError,
            lambda: svc.record(nurse, patient_id, "PHQ-9", good, course_id=other_course),
        ),
        "session_of_other_course": (
            ValidationError,
            lambda: svc.record(
                nurse, other_patient, "PHQ-9", good, course_id=course_id, session_id=other_session
            ),
        ),
        "missing_patient": (NotFound, lambda: svc.record(nurse, 999, "PHQ-9", good)),
        "missing_course": (
            NotFound,
            lambda: svc.record(nurse, patient_id, "PHQ-9", good, course_id=99),
        ),
        "admin": (PermissionDenied, lambda: svc.record(admin, patient_id, "PHQ-9", good)),
    }
    error, call = calls[case]
    refused(ctx.db, error, call)


def test_history_is_oldest_first_per_instrument_and_course(
    ctx: ServiceContext, therapist: Actor, course: tuple[int, int], clock: FakeClock
) -> None:
    patient_id, course_id = course
    svc = InstrumentService(ctx)
    clock.advance(timedelta(days=14))
    late = svc.record(therapist, patient_id, "PHQ-9", phq9(8), course_id=course_id)
    early = svc.record(therapist, patient_id, "PHQ-9", phq9(18), taken_at=T0, course_id=course_id)
    loose = svc.record(therapist, patient_id, "PHQ-9", phq9(12), taken_at=T0 + timedelta(days=1))
    svc.record(therapist, patient_id, "GAD-7", [2] * 7)
    assert [r.id for r in svc.history(patient_id)] == [early.id, loose.id, late.id]
    assert [r.id for r in svc.history(patient_id, "phq-9", course_id)] == [early.id, late.id]
    assert [r.total for r in svc.history(patient_id, "GAD-7")] == [14]
    with pytest.raises(NotFound):
        svc.history(999)


@pytest.mark.parametrize(
    ("totals", "response", "remission", "percent"),
    [
        ((20, 15, 9), True, False, -55.0),  # responder
        ((20, 12), False, False, -40.0),  # non-responder
        ((20, 4), True, True, -80.0),  # remission
        ((20, 10), True, False, -50.0),  # exactly 50 %: response
        ((8, 11), False, False, 37.5),  # worse
        ((0, 3), False, True, None),  # baseline 0: no percent change
    ],
)
def test_course_outcome(
    ctx: ServiceContext,
    therapist: Actor,
    course: tuple[int, int],
    clock: FakeClock,
    totals: tuple[int, ...],
    response: bool,
    remission: bool,
    percent: float | None,
) -> None:
    patient_id, course_id = course
    svc = InstrumentService(ctx)
    for total in totals:
        svc.record(therapist, patient_id, "PHQ-9", phq9(total), course_id=course_id)
        clock.advance(timedelta(days=7))
    result = svc.course_outcome(course_id)
    assert result.baseline is not None
    assert result.baseline.total == totals[0]
    assert result.latest is not None
    assert result.latest.total == totals[-1]
    assert result.outcome is not None
    assert (result.outcome.response, result.outcome.remission) == (response, remission)
    assert result.outcome.percent_change == percent
    assert len(result.results) == len(totals)
    assert "50 %" in result.rule


def test_course_outcome_before_two_results_and_item9_history(
    ctx: ServiceContext, therapist: Actor, course: tuple[int, int], clock: FakeClock
) -> None:
    patient_id, course_id = course
    svc = InstrumentService(ctx)
    empty = svc.course_outcome(course_id)
    assert (empty.baseline, empty.latest, empty.outcome, empty.item9_history) == (
        None,
        None,
        None,
        (),
    )
    svc.record(therapist, patient_id, "PHQ-9", phq9(22, item9=2), course_id=course_id)
    one = svc.course_outcome(course_id)
    assert one.baseline is not None
    assert one.latest is None
    assert one.outcome is None
    clock.advance(timedelta(days=7))
    svc.record(therapist, patient_id, "PHQ-9", phq9(14, item9=1), course_id=course_id)
    svc.record(therapist, patient_id, "GAD-7", [3] * 7, course_id=course_id)  # not PHQ-9
    clock.advance(timedelta(days=7))
    svc.record(therapist, patient_id, "PHQ-9", phq9(6, item9=0), course_id=course_id)
    result = svc.course_outcome(course_id)
    assert [v for _, v in result.item9_history] == [2, 1, 0]
    assert [t for t, _ in result.item9_history] == [
        T0,
        T0 + timedelta(days=7),
        T0 + timedelta(days=14),
    ]
    assert result.item9_flagged
    assert result.latest is not None
    assert not result.latest.item9_flag
    with pytest.raises(NotFound):
        svc.course_outcome(999)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=st.lists(st.integers(-2, 5), min_size=7, max_size=10))
def test_any_answers_are_stored_only_when_valid(
    ctx: ServiceContext, nurse: Actor, course: tuple[int, int], answers: list[int]
) -> None:
    patient_id, _ = course
    valid = len(answers) == 9 and all(0 <= a <= 3 for a in answers)
    svc = InstrumentService(ctx)
    if valid:
        info = svc.record(nurse, patient_id, "PHQ-9", answers)
        assert info.total == sum(answers)
        assert info.item9_flag == (answers[8] > 0)
    else:
        refused(ctx.db, ValidationError, lambda: svc.record(nurse, patient_id, "PHQ-9", answers))
