from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    IllegalTransition,
    KapdeskError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.observations import ObservationService
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry, Dose, DosingSession

from .conftest import T0, insert_patient_and_course, table_counts

# ---------------------------------------------------------------- helpers shared by
# the side-effect, instrument and note tests (imported from here).


def insert_session(
    db: Database,
    course_id: int,
    user_id: int,
    *,
    state: str = "monitoring",
    first_dose_at: datetime | None = T0,
    route: str | None = "im",
) -> int:
    """A dosing session written directly (the session services are tested elsewhere)."""
    with db.write() as s:
        ds = DosingSession(
            course_id=course_id,
            scheduled_at=T0 - timedelta(minutes=30),
            room="1",
            state=state,
            weight_kg=70.0,
            checklist={},
            checked_in_at=T0 - timedelta(minutes=20),
            first_dose_at=first_dose_at,
            discharge_criteria={},
            created_at=T0 - timedelta(days=1),
            created_by=user_id,
        )
        s.add(ds)
        s.flush()
        if route is not None and first_dose_at is not None:
            s.add(
                Dose(
                    session_id=ds.id,
                    medication="ketamine",
                    route=route,
                    amount=0.5,
                    unit="mg/kg",
                    mg=35.0,
                    given_at=first_dose_at,
                    lot_number="L1",
                    given_by=user_id,
                    recorded_by=user_id,
                    recorded_at=first_dose_at,
                )
            )
        return ds.id


def last_audit(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.max(AuditEntry.id))) or 0)


def audit_since(db: Database, start: int) -> list[AuditEntry]:
    with db.read() as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id))
        )


def refused(db: Database, error: type[KapdeskError], call: Callable[[], object]) -> KapdeskError:
    """Run ``call``, expect ``error``, and check that nothing at all was written."""
    before = table_counts(db)
    with pytest.raises(error) as exc:
        call()
    assert table_counts(db) == before
    return exc.value


# ---------------------------------------------------------------- tests


@pytest.fixture
def session_id(ctx: ServiceContext, nurse: Actor) -> int:
    _, course_id = insert_patient_and_course(ctx.db)
    return insert_session(ctx.db, course_id, nurse.user_id)


def test_moaas_is_stored_and_audited(
    ctx: ServiceContext, therapist: Actor, session_id: int, clock: FakeClock
) -> None:
    clock.advance(minutes=20)
    start = last_audit(ctx.db)
    info = ObservationService(ctx).record_moaas(therapist, session_id, 3)
    assert (info.kind, info.score, info.present, info.observed_at) == (
        "moaas",
        3,
        None,
        clock.now(),
    )
    assert info.recorded_by == therapist.full_name
    [entry] = audit_since(ctx.db, start)
    assert (entry.action, entry.entity, entry.entity_id) == (
        "observation.moaas",
        "observation",
        str(info.id),
    )
    assert entry.after_data is not None
    assert entry.after_data["score"] == 3


def test_dissociation_with_text_and_listing_in_time_order(
    ctx: ServiceContext, nurse: Actor, session_id: int, clock: FakeClock
) -> None:
    svc = ObservationService(ctx)
    clock.advance(minutes=30)
    later = svc.record_dissociation(nurse, session_id, True, "  felt far away  ")
    earlier = svc.record_moaas(nurse, session_id, 5, observed_at=T0 + timedelta(minutes=5))
    assert later.text == "felt far away"
    assert later.present is True
    assert [o.id for o in svc.list_for_session(session_id)] == [earlier.id, later.id]
    assert svc.record_dissociation(nurse, session_id, False).present is False


@pytest.mark.parametrize("score", [-1, 6, 2.5, True, "3", None])
def test_invalid_moaas_leaves_no_trace(
    ctx: ServiceContext, nurse: Actor, session_id: int, score: object
) -> None:
    err = refused(
        ctx.db,
        ValidationError,
        lambda: ObservationService(ctx).record_moaas(nurse, session_id, score),  # type: ignore[arg-type]
    )
    assert "MOAA/S" in str(err)
    assert "0-5" in str(err)


@pytest.mark.parametrize(
    "observed_at",
    [
        T0 + timedelta(minutes=6),  # in the future
        T0 + timedelta(minutes=1, seconds=1),  # beyond the current minute
        T0 - timedelta(minutes=21),  # before check-in (T0 - 20 min)
        datetime(1, 1, 1, tzinfo=UTC),  # absurd
        datetime(2026, 3, 2, 9, 0),  # naive
    ],
)
def test_bad_observation_time_leaves_no_trace(
    ctx: ServiceContext, nurse: Actor, session_id: int, observed_at: datetime
) -> None:
    err = refused(
        ctx.db,
        ValidationError,
        lambda: ObservationService(ctx).record_moaas(nurse, session_id, 4, observed_at),
    )
    assert isinstance(err, ValidationError)
    assert err.field == "Observed at"


def test_time_just_inside_tolerance_is_accepted(
    ctx: ServiceContext, nurse: Actor, session_id: int
) -> None:
    moment = T0 + timedelta(minutes=1)  # the current minute: stored as the clock's time
    assert ObservationService(ctx).record_moaas(nurse, session_id, 4, moment).observed_at == T0
    past = (T0 - timedelta(minutes=10)).astimezone(timezone(timedelta(hours=-5)))
    stored = ObservationService(ctx).record_moaas(nurse, session_id, 4, past)
    assert stored.observed_at == T0 - timedelta(minutes=10)


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("admin", PermissionDenied),
        ("cancelled", IllegalTransition),
        ("dose_withheld", IllegalTransition),
        ("missing", NotFound),
        ("dissociation_not_bool", ValidationError),
        ("dissociation_text_too_long", ValidationError),
    ],
)
def test_refused_observations_leave_no_trace(
    ctx: ServiceContext, nurse: Actor, admin: Actor, case: str, error: type[KapdeskError]
) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    state = case if case in ("cancelled", "dose_withheld") else "monitoring"
    sid = insert_session(ctx.db, course_id, nurse.user_id, state=state, first_dose_at=None)
    svc = ObservationService(ctx)
    calls: dict[str, Callable[[], object]] = {
        "admin": lambda: svc.record_moaas(admin, sid, 5),
        "cancelled": lambda: svc.record_moaas(nurse, sid, 5),
        "dose_withheld": lambda: svc.record_dissociation(nurse, sid, True),
        "missing": lambda: svc.record_moaas(nurse, 999, 5),
        "dissociation_not_bool": lambda: svc.record_dissociation(nurse, sid, "yes"),  # type: ignore[arg-type]
        "dissociation_text_too_long": lambda: svc.record_dissociation(nurse, sid, True, "x" * 2001),
    }
    refused(ctx.db, error, calls[case])


def test_baseline_moaas_before_dosing_is_allowed(ctx: ServiceContext, nurse: Actor) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    sid = insert_session(ctx.db, course_id, nurse.user_id, state="checked_in", first_dose_at=None)
    assert ObservationService(ctx).record_moaas(nurse, sid, 5).score == 5


def test_list_for_missing_session_is_not_found(ctx: ServiceContext) -> None:
    with pytest.raises(NotFound, match="#77"):
        ObservationService(ctx).list_for_session(77)
