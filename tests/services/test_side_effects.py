from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    IllegalTransition,
    KapdeskError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.side_effects import SideEffectService

from .conftest import T0, insert_patient_and_course, table_counts
from .test_observations import audit_since, insert_session, last_audit, refused


@pytest.fixture
def session_id(ctx: ServiceContext, nurse: Actor, clock: FakeClock) -> int:
    _, course_id = insert_patient_and_course(ctx.db)
    clock.advance(minutes=40)
    return insert_session(ctx.db, course_id, nurse.user_id)


def test_present_effect_is_stored_with_catalogue_label_and_audited(
    ctx: ServiceContext, nurse: Actor, session_id: int
) -> None:
    start = last_audit(ctx.db)
    info = SideEffectService(ctx).record(
        nurse,
        session_id,
        "nausea",
        severity=2,
        onset_at=T0 + timedelta(minutes=15),
        intervention=" ondansetron 4 mg SL ",
    )
    assert (info.label, info.present, info.severity) == ("Nausea", True, "moderate")
    assert info.intervention == "ondansetron 4 mg SL"
    assert info.resolved_at is None
    assert info.recorded_by == nurse.full_name
    [entry] = audit_since(ctx.db, start)
    assert (entry.action, entry.entity, entry.entity_id) == (
        "side_effect.record",
        "side_effect",
        str(info.id),
    )
    assert entry.after_data is not None
    assert entry.after_data["severity"] == "moderate"


def test_onset_defaults_to_now_and_absent_has_no_details(
    ctx: ServiceContext, therapist: Actor, session_id: int, clock: FakeClock
) -> None:
    svc = SideEffectService(ctx)
    present = svc.record(therapist, session_id, "headache", severity="mild")
    assert present.onset_at == clock.now()
    absent = svc.record(therapist, session_id, "vomiting", present=False)
    assert (absent.present, absent.severity, absent.onset_at) == (False, None, None)


def test_list_shows_latest_state_of_each_effect_in_catalogue_order(
    ctx: ServiceContext, nurse: Actor, session_id: int, clock: FakeClock
) -> None:
    svc = SideEffectService(ctx)
    svc.record(nurse, session_id, "nausea", present=False)
    svc.record(nurse, session_id, "headache", severity=1)
    clock.advance(minutes=10)
    latest = svc.record(nurse, session_id, "nausea", severity="severe")
    listed = svc.list_for_session(session_id)
    assert [(e.effect_id, e.present) for e in listed] == [("nausea", True), ("headache", True)]
    assert listed[0].id == latest.id
    assert len(svc.list_for_session(session_id, latest_only=False)) == 3


def test_route_specific_effect_depends_on_first_dose_route(
    ctx: ServiceContext, nurse: Actor
) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    nasal = insert_session(ctx.db, course_id, nurse.user_id, route="intranasal")
    im = insert_session(ctx.db, course_id, nurse.user_id, route="im")
    svc = SideEffectService(ctx)
    assert svc.record(nurse, nasal, "nasal_discomfort", severity=1).label == "Nasal discomfort"
    err = refused(
        ctx.db, ValidationError, lambda: svc.record(nurse, im, "nasal_discomfort", severity=1)
    )
    assert "im route" in str(err)


def test_single_route_protocol_needs_no_dose_but_several_routes_do(
    ctx: ServiceContext, nurse: Actor
) -> None:
    _, spravato = insert_patient_and_course(ctx.db, mrn="S-1", protocol_id="spravato-rems")
    _, kap = insert_patient_and_course(ctx.db, mrn="S-2")
    no_dose_sprav = insert_session(ctx.db, spravato, nurse.user_id, state="checked_in", route=None)
    no_dose_kap = insert_session(ctx.db, kap, nurse.user_id, state="checked_in", route=None)
    svc = SideEffectService(ctx)
    assert svc.record(nurse, no_dose_sprav, "nasal_discomfort", severity=1).present
    err = refused(
        ctx.db, IllegalTransition, lambda: svc.record(nurse, no_dose_kap, "nausea", severity=1)
    )
    assert "record the first dose" in str(err)


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("no_such_effect", {"severity": 1}, "not in the kap-default v1.0 catalogue"),
    ("nausea", {}, "Severity is required"),
    ("nausea", {"severity": 5}, "1-4"),
    ("nausea", {"severity": "awful"}, "not one of"),
    ("nausea", {"severity": 1, "onset_at": T0 + timedelta(minutes=46)}, "in the future"),
    ("nausea", {"severity": 1, "onset_at": datetime(2026, 3, 2, 9, 10)}, "no time zone"),
    (
        "nausea",
        {"severity": 1, "onset_at": T0 + timedelta(minutes=20), "resolved_at": T0},
        "before the onset",
    ),
    ("nausea", {"severity": 1, "intervention": "x" * 1001}, "at most 1000"),
    ("nausea", {"present": False, "severity": 1}, "absent has no severity"),
    ("nausea", {"present": False, "intervention": "rest"}, "absent has no intervention"),
    ("nausea", {"present": "yes", "severity": 1}, "yes or no"),
]


@pytest.mark.parametrize(("effect", "kwargs", "message"), INVALID)
def test_invalid_side_effects_leave_no_trace(
    ctx: ServiceContext,
    nurse: Actor,
    session_id: int,
    effect: str,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    err = refused(
        ctx.db,
        ValidationError,
        lambda: SideEffectService(ctx).record(nurse, session_id, effect, **kwargs),
    )
    assert message in str(err)


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("admin", PermissionDenied),
        ("cancelled", IllegalTransition),
        ("missing_session", NotFound),
    ],
)
def test_refused_record_leaves_no_trace(
    ctx: ServiceContext, nurse: Actor, admin: Actor, case: str, error: type[KapdeskError]
) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    ok = insert_session(ctx.db, course_id, nurse.user_id)
    cancelled = insert_session(ctx.db, course_id, nurse.user_id, state="cancelled", route=None)
    svc = SideEffectService(ctx)
    calls: dict[str, Callable[[], object]] = {
        "admin": lambda: svc.record(admin, ok, "nausea", severity=1),
        "cancelled": lambda: svc.record(nurse, cancelled, "nausea", severity=1),
        "missing_session": lambda: svc.record(nurse, 999, "nausea", severity=1),
    }
    refused(ctx.db, error, calls[case])


# ------------------------------------------------------------------ update


def test_resolve_and_change_severity_are_audited_before_after(
    ctx: ServiceContext, nurse: Actor, clinician: Actor, session_id: int, clock: FakeClock
) -> None:
    svc = SideEffectService(ctx)
    info = svc.record(nurse, session_id, "nausea", severity=1, onset_at=T0 + timedelta(minutes=10))
    clock.advance(minutes=5)
    start = last_audit(ctx.db)
    worse = svc.update(clinician, info.id, severity="moderate", intervention="ondansetron 4 mg")
    resolved = svc.resolve(nurse, info.id)
    assert (worse.severity, worse.intervention) == ("moderate", "ondansetron 4 mg")
    assert resolved.resolved_at == clock.now()
    first, second = audit_since(ctx.db, start)
    assert first.action == second.action == "side_effect.update"
    assert first.before_data is not None
    assert first.after_data is not None
    assert (first.before_data["severity"], first.after_data["severity"]) == ("mild", "moderate")
    assert second.before_data is not None
    assert second.before_data["resolved_at"] is None
    assert second.after_data is not None
    assert second.after_data["resolved_at"] is not None
    assert resolved.recorded_by == nurse.full_name  # the original recorder stays


def test_update_changing_nothing_writes_nothing(
    ctx: ServiceContext, nurse: Actor, session_id: int
) -> None:
    svc = SideEffectService(ctx)
    info = svc.record(nurse, session_id, "nausea", severity=2, intervention="rest")
    before = table_counts(ctx.db)
    assert svc.update(nurse, info.id, severity=2, intervention=" rest ") == info
    assert table_counts(ctx.db) == before


def test_update_to_absent_clears_details(
    ctx: ServiceContext, nurse: Actor, session_id: int
) -> None:
    svc = SideEffectService(ctx)
    info = svc.record(nurse, session_id, "nausea", severity=2, intervention="rest")
    cleared = svc.update(nurse, info.id, present=False)
    assert (cleared.present, cleared.severity, cleared.onset_at, cleared.intervention) == (
        False,
        None,
        None,
        "",
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"resolved_at": T0}, ValidationError),  # before the onset
        ({"severity": 0}, ValidationError),
        ({"effect_id": "headache"}, ValidationError),  # not changeable
        ({"severity": 3, "actor": "admin"}, PermissionDenied),
        ({"severity": 3, "id": 999}, NotFound),
    ],
)
def test_refused_updates_leave_no_trace(
    ctx: ServiceContext,
    nurse: Actor,
    admin: Actor,
    session_id: int,
    changes: dict[str, Any],
    error: type[KapdeskError],
) -> None:
    svc = SideEffectService(ctx)
    info = svc.record(nurse, session_id, "nausea", severity=1, onset_at=T0 + timedelta(minutes=10))
    changes = dict(changes)  # the parameter's dict is shared by both stores' runs
    actor = admin if changes.pop("actor", None) == "admin" else nurse
    target = changes.pop("id", info.id)
    refused(ctx.db, error, lambda: svc.update(actor, target, **changes))
    assert svc.list_for_session(session_id) == [info]
