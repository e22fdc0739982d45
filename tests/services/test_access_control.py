"""Access control: lockout, password policy and hashing, admin reset, refused actions audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select

from kapdesk.domain.access_policy import (
    LOGIN_POLICY,
    Argon2Parameters,
    LoginPolicy,
    after_failure,
    is_locked,
    meets_owasp_minimum,
)
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    AccountLocked,
    AuthenticationFailed,
    PermissionDenied,
    ValidationError,
)
from kapdesk.domain.permissions import Role
from kapdesk.services.addenda import AddendumService
from kapdesk.services.audit_log import AuditQueryService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.passwords import hash_password
from kapdesk.services.patients import PatientService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService
from kapdesk.storage.orm import User

from .conftest import PASSWORD, T0, insert_patient_and_course, table_counts
from .sessionkit import Kit, audit_probe
from .signkit import CHEAP, cheap_passwords, closed_session


def users(ctx: ServiceContext) -> UserService:
    return UserService(ctx, tz=UTC)


def _row(ctx: ServiceContext, user_id: int) -> User:
    with ctx.db.read() as s:
        row = s.get(User, user_id)
    assert row is not None
    return row


def _fail(ctx: ServiceContext, username: str = "nurse", times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationFailed) as caught:
            users(ctx).authenticate(username, "not the password")
        assert type(caught.value) is AuthenticationFailed  # not yet "locked"


# ---------------------------------------------------------------- policy as data


def test_the_policy_numbers() -> None:
    assert (LOGIN_POLICY.max_failed_attempts, LOGIN_POLICY.lockout) == (5, timedelta(minutes=15))
    assert after_failure(3, T0) == (4, None)
    assert after_failure(4, T0) == (5, T0 + timedelta(minutes=15))
    assert not is_locked(T0, T0)
    assert is_locked(T0 + timedelta(seconds=1), T0)
    with pytest.raises(ValueError, match="positive lockout"):
        LoginPolicy(5, timedelta(0))


def test_password_hashes_are_argon2id_at_least_owasps_minimum() -> None:
    params = extract_parameters(hash_password("correct horse battery"))
    assert params.type is Type.ID
    mine = Argon2Parameters(params.memory_cost, params.time_cost, params.parallelism)
    assert meets_owasp_minimum(mine)
    assert mine.memory_kib >= 19456
    assert mine.time_cost >= 2
    assert not meets_owasp_minimum(Argon2Parameters(19455, 2, 1))
    assert not meets_owasp_minimum(Argon2Parameters(65536, 0, 1))
    assert meets_owasp_minimum(Argon2Parameters(7168, 5, 1))


@pytest.mark.parametrize(("password", "ok"), [("123456789", False), ("1234567890", True)])
def test_passwords_need_ten_characters(
    ctx: ServiceContext, admin: Actor, password: str, ok: bool
) -> None:
    def add() -> object:
        return users(ctx).add_user(
            admin, username="newbie", full_name="New Bie", role=Role.NURSE, password=password
        )

    if ok:
        add()
    else:
        with pytest.raises(ValidationError, match="at least 10 characters"):
            add()


# ---------------------------------------------------------------- lockout


def test_five_wrong_passwords_in_a_row_lock_the_account_for_15_minutes(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor
) -> None:
    with audit_probe(ctx.db) as probe:
        _fail(ctx, times=4)
        assert _row(ctx, nurse.user_id).locked_until is None
        _fail(ctx)  # the fifth: still the plain message
    row = _row(ctx, nurse.user_id)
    assert row.failed_logins == 5
    assert row.locked_until == T0 + timedelta(minutes=15)
    assert probe.actions == ["auth.login_failed"] * 5 + ["auth.locked"]
    counts = [e.after_data["failed_logins"] for e in probe.entries[:5] if e.after_data]
    assert counts == [1, 2, 3, 4, 5]

    clock.advance(minutes=3)
    with audit_probe(ctx.db) as probe:
        with pytest.raises(AccountLocked) as right:
            users(ctx).authenticate("nurse", PASSWORD)
        with pytest.raises(AccountLocked) as wrong:
            users(ctx).authenticate("nurse", "not the password")
    assert str(right.value) == str(wrong.value)  # says nothing about the password
    assert "locked until 09:15" in str(right.value)
    assert right.value.until == T0 + timedelta(minutes=15)
    assert probe.actions == ["auth.login_locked", "auth.login_locked"]
    assert _row(ctx, nurse.user_id).failed_logins == 5  # attempts while locked do not extend it


def test_the_lock_runs_out_and_counting_starts_again(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor
) -> None:
    _fail(ctx, times=5)
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked):
        users(ctx).authenticate("nurse", PASSWORD)
    clock.advance(seconds=1)
    _fail(ctx, times=4)  # a fresh count: four more are not yet a lock
    assert _row(ctx, nurse.user_id).locked_until is None
    actor = users(ctx).authenticate("nurse", PASSWORD)
    assert actor.user_id == nurse.user_id
    assert _row(ctx, nurse.user_id).failed_logins == 0


def test_a_success_breaks_the_row(ctx: ServiceContext, nurse: Actor) -> None:
    _fail(ctx, times=4)
    users(ctx).authenticate("nurse", PASSWORD)
    _fail(ctx, times=4)
    assert _row(ctx, nurse.user_id).locked_until is None


def test_unknown_usernames_lock_nothing_and_are_audited(ctx: ServiceContext) -> None:
    with audit_probe(ctx.db) as probe:
        _fail(ctx, "nobody", times=6)
    assert probe.actions == ["auth.login_failed"] * 6
    with ctx.db.read() as s:
        assert all(u.failed_logins == 0 for u in s.scalars(select(User)))


def test_an_admin_unlocks(ctx: ServiceContext, nurse: Actor, admin: Actor) -> None:
    _fail(ctx, times=5)
    with audit_probe(ctx.db) as probe:
        info = users(ctx).unlock(admin, nurse.user_id)
    assert (info.locked_until, info.failed_logins) == (None, 0)
    assert probe.actions == ["user.unlock"]
    entry = probe.entries[0]  # the whole row before and after (issue 10)
    lock = ("failed_logins", "locked_until")
    assert entry.before_data is not None
    assert entry.after_data is not None
    assert [entry.before_data[k] for k in lock] == [5, "2026-03-02T09:15:00+00:00"]
    assert [entry.after_data[k] for k in lock] == [0, None]
    assert users(ctx).authenticate("nurse", PASSWORD).user_id == nurse.user_id
    with audit_probe(ctx.db) as probe:
        users(ctx).unlock(admin, nurse.user_id)  # nothing to clear
    assert probe.actions == []


def test_only_an_admin_unlocks(ctx: ServiceContext, nurse: Actor, clinician: Actor) -> None:
    _fail(ctx, times=5)
    with pytest.raises(PermissionDenied, match="clinician may not manage user accounts"):
        users(ctx).unlock(clinician, nurse.user_id)
    assert _row(ctx, nurse.user_id).locked_until is not None


def test_wrong_passwords_when_signing_count_towards_the_lock(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor, therapist: Actor
) -> None:
    cheap_passwords(ctx.db)
    sid = closed_session(Kit(ctx, clock, nurse), clinician, therapist)
    signing = SigningService(ctx)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed, match="Wrong password"):
            signing.sign(clinician, "dosing_session", sid, "not the password")
    with pytest.raises(AccountLocked):
        signing.sign(clinician, "dosing_session", sid, PASSWORD)
    with pytest.raises(AccountLocked):
        users(ctx).authenticate("clinician", PASSWORD)
    assert signing.signature_for("dosing_session", sid) is None


# ---------------------------------------------------------------- hashing and passwords


def test_a_weaker_hash_is_replaced_at_sign_in(ctx: ServiceContext, nurse: Actor) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    with ctx.db.write() as s:
        row = s.get(User, nurse.user_id)
        assert row is not None
        row.password_hash = weak
    with audit_probe(ctx.db) as probe:
        users(ctx).authenticate("nurse", PASSWORD)
    assert probe.actions == ["auth.login", "auth.rehashed"]
    stored = _row(ctx, nurse.user_id).password_hash
    assert stored != weak
    params = extract_parameters(stored)
    assert (params.time_cost, params.memory_cost) == (
        PasswordHasher().time_cost,
        PasswordHasher().memory_cost,
    )
    assert all("$argon2" not in (e.after or "") + (e.before or "") for e in probe.entries)
    with audit_probe(ctx.db) as probe:
        users(ctx).authenticate("nurse", PASSWORD)
    assert probe.actions == ["auth.login"]
    assert _row(ctx, nurse.user_id).password_hash == stored


def test_an_admin_reset_forces_a_change_at_next_sign_in(
    ctx: ServiceContext, nurse: Actor, admin: Actor
) -> None:
    _fail(ctx, times=5)
    temporary = "temporary pass 1"
    with audit_probe(ctx.db) as probe:
        info = users(ctx).reset_password(admin, nurse.user_id, temporary)
    assert info.must_change_password
    assert info.locked_until is None  # a reset also unlocks
    assert probe.actions == ["user.reset_password"]
    assert temporary not in (probe.entries[0].after or "")
    with pytest.raises(AuthenticationFailed):
        users(ctx).authenticate("nurse", PASSWORD)  # the old one is gone
    actor = users(ctx).authenticate("nurse", temporary)
    assert actor.must_change_password

    with pytest.raises(ValidationError, match="must differ"):
        users(ctx).change_password(actor, temporary, temporary)
    with pytest.raises(ValidationError, match="at least 10"):
        users(ctx).change_password(actor, temporary, "short")
    with audit_probe(ctx.db) as probe, pytest.raises(AuthenticationFailed, match="Wrong password"):
        users(ctx).change_password(actor, "not it at all", "brand new secret")
    assert probe.actions == ["user.change_password_failed"]

    changed = users(ctx).change_password(actor, temporary, "brand new secret")
    assert not changed.must_change_password
    again = users(ctx).authenticate("nurse", "brand new secret")
    assert not again.must_change_password
    with pytest.raises(AuthenticationFailed):
        users(ctx).authenticate("nurse", temporary)


def test_only_an_admin_resets_passwords(
    ctx: ServiceContext, nurse: Actor, clinician: Actor
) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied):
        users(ctx).reset_password(clinician, nurse.user_id, "temporary pass 1")
    assert table_counts(ctx.db) == before
    assert not _row(ctx, nurse.user_id).must_change_password


# ---------------------------------------------------------------- refused actions are audited


def _refusals(
    ctx: ServiceContext, clock: FakeClock, staff: dict[str, Actor]
) -> dict[str, tuple[Callable[[], object], str, str, str | None]]:
    """name -> (call, who, denied action, (entity, id)) for refusals across the services."""
    kit = Kit(ctx, clock, staff["nurse"])
    sid = kit.checked_in()
    patient, course = insert_patient_and_course(ctx.db, mrn="MRN-R")
    nurse, therapist, admin = staff["nurse"], staff["therapist"], staff["admin"]
    return {
        "vitals by admin": (
            lambda: kit.vitals.record(admin, sid, 120, 80), "admin", "record_vitals",
            f"dosing_session {sid}",
        ),
        "dose by therapist": (
            lambda: kit.doses.record(therapist, sid, medication="racemic ketamine", route="im",
                                     amount=0.5, unit="mg/kg", lot_number="L1"),
            "therapist", "record_dose", f"dosing_session {sid}",
        ),
        "checklist by therapist (nested call)": (
            lambda: kit.sessions.set_weight(therapist, sid, 70), "therapist",
            "complete_checklist", f"dosing_session {sid}",
        ),
        "observation by admin": (
            lambda: ObservationService(ctx).record_moaas(admin, sid, 4), "admin",
            "record_observation", f"dosing_session {sid}",
        ),
        "side effect by admin": (
            lambda: SideEffectService(ctx).record(admin, sid, "nausea", severity="mild"),
            "admin", "record_side_effect", f"dosing_session {sid}",
        ),
        "patient edit by therapist": (
            lambda: PatientService(ctx).update(therapist, patient, weight_kg=71), "therapist",
            "edit_patient", f"patient {patient}",
        ),
        "chart view by admin": (
            lambda: PatientService(ctx).record_view(admin, patient), "admin", "view_patient",
            f"patient {patient}",
        ),
        "course by nurse": (
            lambda: CourseService(ctx).start(nurse, patient, "kap-default"), "nurse",
            "manage_courses", f"patient {patient}",
        ),
        "integration note by nurse": (
            lambda: NoteService(ctx).create_integration_note(nurse, course), "nurse",
            "write_integration_note", f"course {course}",
        ),
        "PHQ-9 by admin": (
            lambda: InstrumentService(ctx).record(admin, patient, "PHQ-9", [0] * 9), "admin",
            "record_instrument", f"patient {patient}",
        ),
        "user by nurse": (
            lambda: UserService(ctx).add_user(nurse, username="eve1", full_name="Eve",
                                              role=Role.ADMIN, password="long enough 1"),
            "nurse", "manage_users", "permission None",
        ),
        "password reset by therapist": (
            lambda: UserService(ctx).reset_password(therapist, nurse.user_id, "secret pass 99"),
            "therapist", "manage_users", f"user {nurse.user_id}",
        ),
        "audit log by nurse": (
            lambda: AuditQueryService(ctx).query(nurse), "nurse", "view_audit", "permission None",
        ),
        "signing by nurse": (
            lambda: SigningService(ctx).sign(nurse, "dosing_session", sid, PASSWORD), "nurse",
            "sign_session", f"dosing_session {sid}",
        ),
        "addendum by admin": (
            lambda: AddendumService(ctx).add_addendum(admin, "dosing_session", sid, "x"),
            "admin", "write_addendum", f"dosing_session {sid}",
        ),
    }  # fmt: skip


REFUSALS = (
    "vitals by admin", "dose by therapist", "checklist by therapist (nested call)",
    "observation by admin", "side effect by admin", "patient edit by therapist",
    "chart view by admin", "course by nurse", "integration note by nurse", "PHQ-9 by admin",
    "user by nurse", "password reset by therapist", "audit log by nurse", "signing by nurse",
    "addendum by admin",
)  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_action_is_audited_and_changes_nothing_else(
    ctx: ServiceContext,
    clock: FakeClock,
    nurse: Actor,
    therapist: Actor,
    clinician: Actor,
    admin: Actor,
    case: str,
) -> None:
    staff = {"nurse": nurse, "therapist": therapist, "clinician": clinician, "admin": admin}
    call, who, action, target = _refusals(ctx, clock, staff)[case]
    before = table_counts(ctx.db, include_denials=True)
    with audit_probe(ctx.db) as probe, pytest.raises(PermissionDenied) as caught:
        call()
    after = table_counts(ctx.db, include_denials=True)
    assert after == {**before, "audit_log": before["audit_log"] + 1}
    assert probe.actions == [f"denied.{action}"]
    entry = probe.entries[0]
    assert entry.user_id == staff[who].user_id
    assert f"{entry.entity} {entry.entity_id}" == target
    assert entry.after_data is not None
    assert entry.after_data["message"] == str(caught.value)
    assert entry.after_data["role"] == who
    for secret in (PASSWORD, "secret pass 99", "long enough 1"):
        assert secret not in (entry.after or "")


def test_the_audit_viewer_shows_which_patient_a_refusal_concerned(
    ctx: ServiceContext, admin: Actor, clinician: Actor
) -> None:
    patient, _ = insert_patient_and_course(ctx.db, mrn="MRN-V")
    with pytest.raises(PermissionDenied):
        PatientService(ctx).record_view(admin, patient)
    rows = AuditQueryService(ctx).query(clinician, action_prefix="denied.")
    assert [(r.action, r.patient_id, r.user_name) for r in rows] == [
        ("denied.view_patient", patient, "Test Admin")
    ]


def test_a_refusal_is_raised_even_if_it_cannot_be_audited(
    ctx: ServiceContext, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.services import guard

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(guard, "audit_change", broken)
    patient, _ = insert_patient_and_course(ctx.db, mrn="MRN-X")
    with pytest.raises(PermissionDenied):
        PatientService(ctx).record_view(admin, patient)


def test_cheap_hashes_are_only_a_test_device() -> None:
    """The cheap hasher used to speed up signing tests is far below the policy floor."""
    params = extract_parameters(CHEAP.hash("x"))
    assert not meets_owasp_minimum(
        Argon2Parameters(params.memory_cost, params.time_cost, params.parallelism)
    )
