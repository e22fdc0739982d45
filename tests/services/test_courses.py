from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import KapdeskError, NotFound, PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import MAX_DAYS_AHEAD, CourseService
from kapdesk.services.patients import PatientService

from .conftest import T0, insert_patient_and_course
from .test_observations import audit_since, insert_session, last_audit, refused


@pytest.fixture
def patient_id(ctx: ServiceContext, nurse: Actor) -> int:
    return (
        PatientService(ctx)
        .create(
            nurse,
            mrn="C-1",
            given_name="Ana",
            family_name="Lima",
            date_of_birth=date(1980, 1, 1),
            sex="female",
        )
        .id
    )


def local_today(clock: FakeClock) -> date:
    return clock.now().astimezone().date()


def test_start_stores_protocol_version_and_audits(
    ctx: ServiceContext, clinician: Actor, patient_id: int, clock: FakeClock
) -> None:
    start = last_audit(ctx.db)
    info = CourseService(ctx).start(clinician, patient_id, "spravato-rems", goal="Remission")
    assert (info.protocol_id, info.protocol_version, info.goal) == (
        "spravato-rems",
        "1.0",
        "Remission",
    )
    assert info.protocol_title == ctx.protocols["spravato-rems"].title
    assert info.started_on == local_today(clock)
    assert info.ended_on is None
    assert info.session_count == 0
    # the first course on a protocol version stores (pins) its text first
    pinned, entry = audit_since(ctx.db, start)
    assert (pinned.action, pinned.entity) == ("protocol.pin", "protocol_version")
    assert (entry.action, entry.entity, entry.entity_id, entry.user_id) == (
        "course.start",
        "course",
        str(info.id),
        clinician.user_id,
    )
    assert CourseService(ctx).get(info.id) == info


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("nurse", PermissionDenied, "nurse may not start or change a treatment course"),
        ("therapist", PermissionDenied, "therapist may not"),
        ("unknown_protocol", ValidationError, "Protocol 'ketamine-max' is not known"),
        ("too_far_ahead", ValidationError, f"more than {MAX_DAYS_AHEAD} days ahead"),
        ("before_birth", ValidationError, "before the patient's date of birth"),
        ("not_a_date", ValidationError, "is not a date"),
        ("goal_too_long", ValidationError, "at most 2000"),
        ("missing_patient", NotFound, "#999"),
        ("second_open_course", ValidationError, "already has an open course"),
    ],
)
def test_refused_start_leaves_no_trace(
    ctx: ServiceContext,
    request: pytest.FixtureRequest,
    clinician: Actor,
    patient_id: int,
    clock: FakeClock,
    case: str,
    error: type[KapdeskError],
    message: str,
) -> None:
    svc = CourseService(ctx)
    if case == "second_open_course":
        svc.start(clinician, patient_id, "kap-default")
    today = local_today(clock)
    calls: dict[str, Callable[[], object]] = {
        "nurse": lambda: svc.start(request.getfixturevalue("nurse"), patient_id, "kap-default"),
        "therapist": lambda: svc.start(
            request.getfixturevalue("therapist"), patient_id, "kap-default"
        ),
        "unknown_protocol": lambda: svc.start(clinician, patient_id, "ketamine-max"),
        "too_far_ahead": lambda: svc.start(
            clinician, patient_id, "kap-default", today + timedelta(days=MAX_DAYS_AHEAD + 1)
        ),
        "before_birth": lambda: svc.start(clinician, patient_id, "kap-default", date(1979, 12, 31)),
        "not_a_date": lambda: svc.start(clinician, patient_id, "kap-default", "next week"),
        "goal_too_long": lambda: svc.start(clinician, patient_id, "kap-default", goal="g" * 2001),
        "missing_patient": lambda: svc.start(clinician, 999, "kap-default"),
        "second_open_course": lambda: svc.start(clinician, patient_id, "iv-infusion"),
    }
    err = refused(ctx.db, error, calls[case])
    assert message in str(err)


def test_start_accepts_iso_text_and_the_last_allowed_day(
    ctx: ServiceContext, clinician: Actor, patient_id: int, clock: FakeClock
) -> None:
    svc = CourseService(ctx)
    last = local_today(clock) + timedelta(days=MAX_DAYS_AHEAD)
    course = svc.start(clinician, patient_id, "kap-default", last.isoformat())
    assert course.started_on == last


def test_end_then_start_next_course_and_list(
    ctx: ServiceContext, clinician: Actor, nurse: Actor, patient_id: int, clock: FakeClock
) -> None:
    svc = CourseService(ctx)
    first = svc.start(clinician, patient_id, "kap-default", date(2025, 9, 1))
    insert_session(ctx.db, first.id, nurse.user_id, state="discharged")
    insert_session(ctx.db, first.id, nurse.user_id, state="cancelled", first_dose_at=None)
    start = last_audit(ctx.db)
    ended = svc.end(clinician, first.id, date(2025, 11, 1), reason="course completed")
    assert ended.ended_on == date(2025, 11, 1)
    assert ended.session_count == 2
    [entry] = audit_since(ctx.db, start)
    assert entry.action == "course.end"
    assert entry.before_data is not None
    assert entry.before_data["ended_on"] is None
    assert entry.after_data is not None
    assert entry.after_data["end_reason"] == "course completed"
    second = svc.start(clinician, patient_id, "sublingual-kap")
    listed = svc.list_for_patient(patient_id)
    assert [(c.id, c.session_count) for c in listed] == [(first.id, 2), (second.id, 0)]
    with pytest.raises(NotFound):
        svc.list_for_patient(999)
    with pytest.raises(NotFound):
        svc.get(999)


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("before_start", ValidationError, "before the course started"),
        ("future", ValidationError, "in the future"),
        ("already_ended", ValidationError, "already ended"),
        ("unfinished_session", ValidationError, "not finished (in monitoring)"),
        ("nurse", PermissionDenied, "nurse may not"),
        ("missing", NotFound, "#999"),
        ("reason_too_long", ValidationError, "at most 2000"),
    ],
)
def test_refused_end_leaves_no_trace(
    ctx: ServiceContext,
    clinician: Actor,
    nurse: Actor,
    clock: FakeClock,
    case: str,
    error: type[KapdeskError],
    message: str,
) -> None:
    _, course_id = insert_patient_and_course(ctx.db)  # started T0's date
    svc = CourseService(ctx)
    today = local_today(clock)
    if case == "already_ended":
        svc.end(clinician, course_id, today)
    if case == "unfinished_session":
        insert_session(ctx.db, course_id, nurse.user_id, state="monitoring")
    calls: dict[str, Callable[[], object]] = {
        "before_start": lambda: svc.end(clinician, course_id, T0.date() - timedelta(days=1)),
        "future": lambda: svc.end(clinician, course_id, today + timedelta(days=1)),
        "already_ended": lambda: svc.end(clinician, course_id, today),
        "unfinished_session": lambda: svc.end(clinician, course_id, today),
        "nurse": lambda: svc.end(nurse, course_id, today),
        "missing": lambda: svc.end(clinician, 999, today),
        "reason_too_long": lambda: svc.end(clinician, course_id, today, "r" * 2001),
    }
    err = refused(ctx.db, error, calls[case])
    assert message in str(err)
