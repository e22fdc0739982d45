"""The actor is re-checked inside every write: a sign-in stops working the moment the stored
account is deactivated, locked or given another role (issue 10).

``test_every_actor_method_refuses_a_deactivated_user`` walks every public service method that
takes an ``actor`` (found by introspecting ``kapdesk.services``): each one, called by a user
deactivated after signing in, raises ``SignInRevoked``, writes nothing but the ``denied.*``
entry, and succeeds once the account is active again (so the refusal is the recheck's, not a
bad call). A method added without a case here fails the walk.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import kapdesk.services
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.cohort import CohortFilter
from kapdesk.domain.errors import AuthenticationFailed, PermissionDenied, SignInRevoked
from kapdesk.domain.permissions import Role
from kapdesk.reports.pdf import PDF
from kapdesk.services.addenda import AddendumService
from kapdesk.services.alerts import AlertService
from kapdesk.services.audit_log import AuditQueryService
from kapdesk.services.backups import BackupService
from kapdesk.services.cohort import CohortService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.corrections import CorrectionsService
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.patient_import import PatientImportService
from kapdesk.services.patients import PatientService
from kapdesk.services.reports import ReportService
from kapdesk.services.settings import SettingsService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.services.workstation import WorkstationService
from kapdesk.storage.orm import AuditEntry, User

from .conftest import PASSWORD, insert_patient_and_course, table_counts
from .sessionkit import YES_TO_ALL, Kit, audit_probe
from .signkit import cheap_passwords, closed_session, integration_note

IMPORT_CSV = b'mrn,name,date_of_birth,sex,weight_kg\nIMP-1,"Lovelace, Ada",1980-05-17,female,70\n'
STAFF_YES = {"alert_oriented": True, "steady": True, "ride_home_present": True}


@dataclass
class World:
    ctx: ServiceContext
    clock: FakeClock
    staff: dict[Role, Actor]
    tmp: Path

    @property
    def kit(self) -> Kit:
        return Kit(self.ctx, self.clock, self.staff[Role.NURSE])

    @property
    def nurse(self) -> Actor:
        return self.staff[Role.NURSE]

    @property
    def clinician(self) -> Actor:
        return self.staff[Role.CLINICIAN]

    @property
    def therapist(self) -> Actor:
        return self.staff[Role.THERAPIST]

    @property
    def admin(self) -> Actor:
        return self.staff[Role.ADMIN]

    def patient(self, mrn: str = "MRN-9") -> int:
        return insert_patient_and_course(self.ctx.db, mrn=mrn)[0]

    def course(self, mrn: str = "MRN-9") -> int:
        return insert_patient_and_course(self.ctx.db, mrn=mrn)[1]

    def signed_session(self) -> int:
        sid = closed_session(self.kit, self.clinician, self.therapist)
        SigningService(self.ctx).sign(self.clinician, "dosing_session", sid, PASSWORD)
        return sid

    def alert(self) -> tuple[int, int]:
        sid = self.kit.dosed()
        self.kit.advance(minutes=22)
        return sid, self.kit.vitals.record(self.nurse, sid, 212, 126).reading.id

    def held(self) -> int:
        sid = self.kit.checked_in()
        self.kit.sessions.record_checklist(self.nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
        self.kit.vitals.record(self.nurse, sid, 150, 96)
        return sid

    def side_effect(self) -> int:
        sid = self.kit.dosed()
        return SideEffectService(self.ctx).record(self.nurse, sid, "nausea", severity="mild").id

    def backup(self) -> Path:
        return BackupService(self.ctx, self.tmp / "backups").back_up_now(self.admin).path


# A case: (who acts, set-up -> the call made by that actor). The set-up runs while everyone
# is active; the call runs after the acting user was deactivated, then again once reactivated.
Call = Callable[[Actor], object]
Case = tuple[Role, Callable[[World], Call]]

N, T, C, A = Role.NURSE, Role.THERAPIST, Role.CLINICIAN, Role.ADMIN


def _addendum(w: World) -> Call:
    sid = w.signed_session()
    return lambda a: AddendumService(w.ctx).add_addendum(a, "dosing_session", sid, "Late entry.")


def _acknowledge(w: World) -> Call:
    sid, reading = w.alert()
    return lambda a: AlertService(w.ctx).acknowledge(a, sid, reading, "Seen")


def _mark_in_error(w: World) -> Call:
    sid = w.kit.ready()
    [reading] = w.kit.vitals.readings(sid)
    return lambda a: CorrectionsService(w.ctx).mark_entered_in_error(
        a, "reading", reading.id, "Wrong patient"
    )


def _restore(w: World) -> Call:
    path = w.backup()
    return lambda a: BackupService(w.ctx, w.tmp / "backups").restore(a, path)


def _dose(w: World) -> Call:
    sid = w.kit.ready()
    return lambda a: w.kit.dose(sid, actor=a)


def _discharge(w: World) -> Call:
    sid = w.kit.dosed()
    w.kit.advance(minutes=25)
    w.kit.vitals.record(w.nurse, sid, 126, 80, pulse=76, spo2=98)
    w.kit.sessions.record_discharge_answers(w.nurse, sid, STAFF_YES)
    return lambda a: w.kit.sessions.discharge(a, sid, unmet_reason="Reviewed")


def _sign(w: World) -> Call:
    sid = closed_session(w.kit, w.clinician, w.therapist)
    return lambda a: SigningService(w.ctx).sign(a, "dosing_session", sid, PASSWORD)


def _note_update(w: World) -> Call:
    note = NoteService(w.ctx).create_integration_note(w.therapist, w.course())
    svc = NoteService(w.ctx)
    return lambda a: svc.update_integration_note(a, note.id, sections={"themes": "Relief"})


def _finalize(w: World) -> Call:
    note = integration_note(w.ctx, w.therapist, w.course())
    return lambda a: NoteService(w.ctx).finalize(a, note)


def _other(w: World, username: str = "other") -> int:
    return (
        UserService(w.ctx)
        .add_user_from_console(
            username=username, full_name="Other Person", role=Role.NURSE, password=PASSWORD
        )
        .id
    )


def _locked_other(w: World) -> Call:
    uid = _other(w)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            UserService(w.ctx).authenticate("other", "not the password")
    return lambda a: UserService(w.ctx).unlock(a, uid)


def _unlock_screen(w: World) -> Call:
    return lambda a: WorkstationService(w.ctx).unlock(a, PASSWORD)


def _change_password(w: World) -> Call:
    state = {"old": PASSWORD}

    def call(a: Actor) -> object:
        new = state["old"] + " new"
        info = UserService(w.ctx).change_password(a, state["old"], new)
        state["old"] = new
        return info

    return call


def _set_language(w: World) -> Call:
    """Each call changes the language (Portuguese, then the computer's again): a write."""
    state: dict[str, str | None] = {"next": "pt-PT"}

    def call(a: Actor) -> object:
        info = UserService(w.ctx).set_language(a, a.user_id, state["next"])
        state["next"] = None if state["next"] else "pt-PT"
        return info

    return call


CASES: dict[str, Case] = {
    "AddendumService.add_addendum": (N, _addendum),
    "AlertService.acknowledge": (C, _acknowledge),
    "AuditQueryService.export_csv": (
        A, lambda w: lambda a: AuditQueryService(w.ctx).export_csv(a, w.tmp / "audit.csv"),
    ),
    "BackupService.back_up_now": (
        A, lambda w: lambda a: BackupService(w.ctx, w.tmp / "backups").back_up_now(a),
    ),
    "BackupService.restore": (A, _restore),
    "CorrectionsService.mark_entered_in_error": (C, _mark_in_error),
    "CourseService.start": (
        C, lambda w: (lambda p: lambda a: CourseService(w.ctx).start(a, p, "kap-default"))(
            PatientService(w.ctx).create(
                w.nurse, mrn="NEW-1", given_name="Ada", family_name="Lovelace",
                date_of_birth="1980-05-17", sex="female", weight_kg=70,
            ).id
        ),
    ),
    "CourseService.end": (
        C, lambda w: (lambda c: lambda a: CourseService(w.ctx).end(a, c, w.clock.now().date()))(
            w.course()
        ),
    ),
    "DoseService.record": (N, _dose),
    "InstrumentService.record": (
        N, lambda w: (lambda p: lambda a: InstrumentService(w.ctx).record(
            a, p, "PHQ-9", [1] * 9))(w.patient()),
    ),
    "NoteService.save_session_note": (
        T, lambda w: (lambda sid: lambda a: NoteService(w.ctx).save_session_note(
            a, sid, "Calm."))(w.kit.checked_in()),
    ),
    "NoteService.create_integration_note": (
        T, lambda w: (lambda c: lambda a: NoteService(w.ctx).create_integration_note(a, c))(
            w.course()
        ),
    ),
    "NoteService.update_integration_note": (T, _note_update),
    "NoteService.finalize": (T, _finalize),
    "ObservationService.record_moaas": (
        N, lambda w: (lambda sid: lambda a: ObservationService(w.ctx).record_moaas(a, sid, 4))(
            w.kit.dosed()
        ),
    ),
    "ObservationService.record_dissociation": (
        N, lambda w: (lambda sid: lambda a: ObservationService(w.ctx).record_dissociation(
            a, sid, True, "floating"))(w.kit.dosed()),
    ),
    "PatientService.create": (
        N, lambda w: lambda a: PatientService(w.ctx).create(
            a, mrn=f"NEW-{w.clock.now():%H%M%S%f}", given_name="Ada", family_name="Lovelace",
            date_of_birth="1980-05-17", sex="female", weight_kg=70,
        ),
    ),
    "CohortService.table": (
        C, lambda w: lambda a: CohortService(w.ctx).table(a, CohortFilter()),
    ),
    "PatientImportService.import_file": (
        N, lambda w: lambda a: PatientImportService(w.ctx).import_file(
            a, IMPORT_CSV, "clinic.csv"),
    ),
    "PatientService.update": (
        N, lambda w: (lambda p: lambda a: PatientService(w.ctx).update(
            a, p, weight_kg=71.5))(w.patient()),
    ),
    "PatientService.record_view": (
        N, lambda w: (lambda p: lambda a: PatientService(w.ctx).record_view(a, p))(w.patient()),
    ),
    "ReportService.session_summary_pdf": (
        C, lambda w: (lambda sid: lambda a: ReportService(w.ctx, renderer=PDF).session_summary_pdf(
            a, sid, demo=False))(w.kit.dosed()),
    ),
    "ReportService.course_summary_pdf": (
        C, lambda w: (lambda c: lambda a: ReportService(w.ctx, renderer=PDF).course_summary_pdf(
            a, c, demo=False))(w.course()),
    ),
    "SessionService.schedule": (
        N, lambda w: (lambda c: lambda a: w.kit.sessions.schedule(
            a, c, w.clock.now() + timedelta(days=1), "Room 3"))(w.course()),
    ),
    "SessionService.check_in": (
        N, lambda w: (lambda sid: lambda a: w.kit.sessions.check_in(a, sid))(w.kit.scheduled()),
    ),
    "SessionService.cancel": (
        N, lambda w: (lambda sid: lambda a: w.kit.sessions.cancel(a, sid, "Unwell"))(
            w.kit.scheduled()
        ),
    ),
    "SessionService.withhold_dose": (
        N, lambda w: (lambda sid: lambda a: w.kit.sessions.withhold_dose(a, sid, "BP"))(
            w.kit.ready()
        ),
    ),
    "SessionService.record_checklist": (
        N, lambda w: (lambda sid: lambda a: w.kit.sessions.record_checklist(
            a, sid, {**YES_TO_ALL, "weight_kg": 70.0}))(w.kit.checked_in()),
    ),
    "SessionService.set_weight": (
        N, lambda w: (lambda sid: lambda a: w.kit.sessions.set_weight(a, sid, 71))(
            w.kit.checked_in()
        ),
    ),
    "SessionService.override_hold": (
        C, lambda w: (lambda sid: lambda a: w.kit.sessions.override_hold(
            a, sid, "Dr. Ana Lima", "Baseline"))(w.held()),
    ),
    "SessionService.record_discharge_answers": (
        N, lambda w: (lambda sid: lambda a: w.kit.sessions.record_discharge_answers(
            a, sid, STAFF_YES))(w.kit.dosed()),
    ),
    "SessionService.discharge": (C, _discharge),
    "SideEffectService.record": (
        N, lambda w: (lambda sid: lambda a: SideEffectService(w.ctx).record(
            a, sid, "nausea", severity="mild"))(w.kit.dosed()),
    ),
    "SideEffectService.update": (
        N, lambda w: (lambda se: lambda a: SideEffectService(w.ctx).update(
            a, se, intervention="Ginger tea"))(w.side_effect()),
    ),
    "SideEffectService.resolve": (
        N, lambda w: (lambda se: lambda a: SideEffectService(w.ctx).resolve(a, se))(
            w.side_effect()
        ),
    ),
    "SigningService.sign": (C, _sign),
    "UserService.add_user": (
        A, lambda w: lambda a: UserService(w.ctx).add_user(
            a, username=f"new{w.clock.now():%H%M%S%f}", full_name="New Person",
            role=Role.NURSE, password=PASSWORD,
        ),
    ),
    "UserService.verify_reentry": (
        N, lambda w: lambda a: UserService(w.ctx).verify_reentry(
            a, PASSWORD, failed_action="sign.failed", entity="user", entity_id=a.user_id,
        ),
    ),
    "UserService.unlock": (A, _locked_other),
    "UserService.reset_password": (
        A, lambda w: (lambda u: lambda a: UserService(w.ctx).reset_password(
            a, u, "temporary pass 1"))(_other(w)),
    ),
    "UserService.change_password": (N, _change_password),
    "UserService.set_language": (N, _set_language),
    "UserService.deactivate": (
        A, lambda w: (lambda u: lambda a: UserService(w.ctx).deactivate(a, u))(_other(w)),
    ),
    "UserService.reactivate": (
        A, lambda w: (lambda u: (
            UserService(w.ctx).deactivate(w.admin, u),
            lambda a: UserService(w.ctx).reactivate(a, u),
        )[1])(_other(w)),
    ),
    "SettingsService.update": (
        A, lambda w: lambda a: SettingsService(w.ctx).update(a, clinic_name="Clínica do Rio"),
    ),
    "UserService.change_role": (
        A, lambda w: (lambda u: lambda a: UserService(w.ctx).change_role(
            a, u, Role.THERAPIST))(_other(w)),
    ),
    "VitalsService.record": (
        N, lambda w: (lambda sid: lambda a: VitalsService(w.ctx).record(a, sid, 124, 80))(
            w.kit.checked_in()
        ),
    ),
    "WorkstationService.lock": (
        N, lambda w: lambda a: WorkstationService(w.ctx).lock(a, "manual"),
    ),
    "WorkstationService.unlock": (N, _unlock_screen),
    "WorkstationService.handed_over": (
        N, lambda w: lambda a: WorkstationService(w.ctx).handed_over(w.clinician, a),
    ),
}  # fmt: skip

# Methods that take an actor but write nothing at all (so there is nothing to refuse).
READ_ONLY: dict[str, str] = {
    "AuditQueryService.query": "reads the audit log; writes nothing",
    "HandoverService.today": "reads the day's handover lists; writes nothing",
    "ReportService.session_report": "builds the report to show; printing it is audited",
    "ReportService.course_report": "builds the report to show; printing it is audited",
}
# Methods that write nothing when they succeed (so the control call leaves no entry).
SILENT_ON_SUCCESS = {"UserService.verify_reentry"}


def actor_methods() -> set[str]:
    """``Class.method`` for every public method of kapdesk.services taking an ``actor``."""
    found: set[str] = set()
    for info in pkgutil.iter_modules(kapdesk.services.__path__):
        module = importlib.import_module(f"kapdesk.services.{info.name}")
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            for name, member in vars(cls).items():
                if name.startswith("_") or not inspect.isfunction(member):
                    continue
                if "actor" in inspect.signature(member).parameters:
                    found.add(f"{cls.__name__}.{name}")
    return found


def test_every_actor_method_is_classified() -> None:
    found = actor_methods()
    missing = sorted(found - CASES.keys() - READ_ONLY.keys())
    assert not missing, f"add a case to tests/services/test_actor_recheck.py for {missing}"
    assert not (CASES.keys() | READ_ONLY.keys()) - found, "cases for methods that are gone"


@pytest.fixture
def world(ctx: ServiceContext, clock: FakeClock, tmp_path: Path) -> World:
    cheap_passwords(ctx.db)
    staff = {info.role: actor_of(info) for info in UserService(ctx).list_users()}
    return World(ctx, clock, staff, tmp_path)


def second_admin(w: World) -> Actor:
    """Another administrator to act on ``w.admin`` (nobody may deactivate themselves)."""
    users = UserService(w.ctx)
    for info in users.list_users():
        if info.username == "admin2":
            return actor_of(info)
    return actor_of(
        users.add_user_from_console(
            username="admin2", full_name="Second Admin", role=Role.ADMIN, password=PASSWORD
        )
    )


def files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*") if p.is_file() and not p.name.startswith("clinic.")}


@pytest.mark.parametrize("method", sorted(CASES))
def test_every_actor_method_refuses_a_deactivated_user(world: World, method: str) -> None:
    role, setup = CASES[method]
    actor = world.staff[role]
    call = setup(world)
    admin = second_admin(world) if role is Role.ADMIN else world.admin
    UserService(world.ctx).deactivate(admin, actor.user_id)
    before = table_counts(world.ctx.db, include_denials=True)
    files = files_under(world.tmp)

    with audit_probe(world.ctx.db) as probe, pytest.raises(SignInRevoked) as refused:
        call(actor)

    assert str(refused.value) == "Your account was deactivated: sign in again."
    after = table_counts(world.ctx.db, include_denials=True)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {"audit_log": 1}
    assert [(e.action, e.user_id) for e in probe.entries] == [
        (f"denied.{refused.value.action}", actor.user_id)
    ]
    assert files_under(world.tmp) == files  # no backup, export or restore happened

    # The same call by the same sign-in works again once the account is active.
    UserService(world.ctx).reactivate(admin, actor.user_id)
    call(actor)
    with world.ctx.db.read() as s:  # (a restore replaced the log: look at its newest entry)
        newest = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    if method in SILENT_ON_SUCCESS:
        assert newest.action == "user.reactivate"
    else:
        assert (newest.user_id, newest.action.startswith("denied.")) == (actor.user_id, False)


def _demote(w: World, actor: Actor, role: Role) -> None:
    UserService(w.ctx).change_role(w.admin, actor.user_id, role)


def test_a_demoted_clinician_cannot_override_a_hold(world: World) -> None:
    sid = world.held()
    _demote(world, world.clinician, Role.NURSE)
    before = table_counts(world.ctx.db)
    with pytest.raises(SignInRevoked, match=r"^Your role is now nurse: sign in again\.$"):
        world.kit.sessions.override_hold(world.clinician, sid, "Dr. Ana Lima", "Baseline")
    assert table_counts(world.ctx.db) == before
    with world.ctx.db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.action, last.user_id, last.entity, last.entity_id) == (
        "denied.session.override_hold", world.clinician.user_id, "dosing_session", str(sid),
    )  # fmt: skip
    # Signed in again, as a nurse now: the ordinary permission refusal.
    again = UserService(world.ctx).authenticate("clinician", PASSWORD)
    assert again.role is Role.NURSE
    with pytest.raises(PermissionDenied, match="A nurse may not override a pre-dose hold"):
        world.kit.sessions.override_hold(again, sid, "Dr. Ana Lima", "Baseline")


def test_a_demoted_clinician_cannot_sign(world: World) -> None:
    sid = closed_session(world.kit, world.clinician, world.therapist)
    _demote(world, world.clinician, Role.THERAPIST)
    before = table_counts(world.ctx.db)
    with pytest.raises(SignInRevoked, match=r"^Your role is now therapist: sign in again\.$"):
        SigningService(world.ctx).sign(world.clinician, "dosing_session", sid, PASSWORD)
    assert table_counts(world.ctx.db) == before
    assert SigningService(world.ctx).signature_for("dosing_session", sid) is None


def test_a_promoted_user_signs_in_again_too(world: World) -> None:
    sid = world.kit.checked_in()
    _demote(world, world.nurse, Role.CLINICIAN)
    with pytest.raises(SignInRevoked, match="Your role is now clinician"):
        VitalsService(world.ctx).record(world.nurse, sid, 124, 80)


def test_a_locked_user_cannot_record(world: World) -> None:
    sid = world.kit.checked_in()
    for _ in range(5):  # someone guesses the nurse's password elsewhere
        with pytest.raises(AuthenticationFailed):
            UserService(world.ctx).authenticate("nurse", "not the password")
    before = table_counts(world.ctx.db)
    with pytest.raises(SignInRevoked, match="Your account is locked"):
        VitalsService(world.ctx).record(world.nurse, sid, 124, 80)
    assert table_counts(world.ctx.db) == before
    UserService(world.ctx).unlock(world.admin, world.nurse.user_id)
    VitalsService(world.ctx).record(world.nurse, sid, 124, 80)


def test_an_account_that_is_gone_is_refused(world: World) -> None:
    """Only raw SQL removes a user (the services never do); the sign-in still stops."""
    patient = world.patient()
    ghost = Actor(user_id=999, username="ghost", full_name="Nobody", role=Role.NURSE)
    before = table_counts(world.ctx.db)
    with pytest.raises(SignInRevoked, match="no longer exists"):
        PatientService(world.ctx).record_view(ghost, patient)
    assert table_counts(world.ctx.db) == before


def test_the_recheck_sees_a_change_committed_after_the_call_began(world: World) -> None:
    """The deactivation commits while the nurse's call is between its reads and its write:
    the check inside the write transaction still sees it."""
    sid = world.kit.checked_in()
    svc = VitalsService(world.ctx)
    real_write = world.ctx.db.write
    fired: list[bool] = []

    def write_after_deactivation() -> Any:
        if not fired:
            fired.append(True)
            with real_write() as s:
                row = s.get(User, world.nurse.user_id)
                assert row is not None
                row.active = False
        return real_write()

    world.ctx.db.write = write_after_deactivation  # type: ignore[method-assign]
    try:
        with pytest.raises(SignInRevoked):
            svc.record(world.nurse, sid, 124, 80)
    finally:
        world.ctx.db.write = real_write  # type: ignore[method-assign]
