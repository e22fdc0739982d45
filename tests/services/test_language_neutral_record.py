"""What kapdesk records does not depend on the language of the person recording.

One complete dosing session — patient, course, check-in, checklist, a held pre-dose
reading and its override, a recheck, a questioned dose, a booster, a critical reading and
its acknowledgement, observations, side effects, an entry marked in error, a discharge
against criteria, the session note, the signature, an addendum, a refused action, a PHQ-9
and a user's language — is run twice on two copies of the same clinic with the same
clock, once in English and once in Portuguese: every row of every table (audit log with
its details and hash chain included) is the same, byte for byte, and ``kapdesk check``
finds the Portuguese one sound.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import AuthenticationFailed, PermissionDenied
from kapdesk.domain.permissions import Role
from kapdesk.domain.wording import shown_error
from kapdesk.i18n import use_language
from kapdesk.services.addenda import AddendumService
from kapdesk.services.alerts import AlertService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.corrections import CorrectionsService
from kapdesk.services.courses import CourseService
from kapdesk.services.database_check import run_check
from kapdesk.services.doses import DoseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.orm import Base

from .conftest import PASSWORD
from .sessionkit import YES_TO_ALL

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def _actors(ctx: ServiceContext) -> dict[Role, Actor]:
    return {info.role: actor_of(info) for info in UserService(ctx).list_users()}


SHOWN: list[str] = []  # what the refusals said to the person, in their language


def _refused(call: Callable[[], object]) -> None:
    with pytest.raises((PermissionDenied, AuthenticationFailed)) as caught:
        call()
    SHOWN.append(shown_error(caught.value))


def _dose(ctx: ServiceContext, nurse: Actor, sid: int, amount: float, **kw: object) -> int:
    return (
        DoseService(ctx)
        .record(
            nurse,
            sid,
            medication="racemic ketamine",
            route="im",
            amount=amount,
            unit="mg/kg",
            lot_number="LOT-7",
            **kw,  # type: ignore[arg-type]
        )
        .id
    )


def _over_the_maximum(
    ctx: ServiceContext, clock: FakeClock, who: dict[Role, Actor], sid: int, critical: int
) -> None:
    """The critical reading gates a booster: a clinician overrides it; a booster over the
    protocol's maximum is refused to the nurse and confirmed by the clinician."""
    nurse, clinician = who[Role.NURSE], who[Role.CLINICIAN]
    clock.advance(minutes=2)
    SessionService(ctx).override_hold(
        clinician, sid, "Dr. Ana Lima, MD", "Reviewed, settling", reading_id=critical
    )
    clock.advance(minutes=1)
    _refused(lambda: _dose(ctx, nurse, sid, 1.3, confirm_over_max=True, confirmation_reason="x"))
    _dose(ctx, clinician, sid, 1.3, confirm_over_max=True, confirmation_reason="Planned top-up")


def _session(ctx: ServiceContext, clock: FakeClock, who: dict[Role, Actor]) -> tuple[int, int]:
    """From a new patient to a discharged session; (patient id, session id)."""
    nurse, clinician, therapist = who[Role.NURSE], who[Role.CLINICIAN], who[Role.THERAPIST]
    sessions, vitals = SessionService(ctx), VitalsService(ctx)
    patient = PatientService(ctx).create(
        clinician,
        mrn="KD-0042",
        given_name="Conceição",
        family_name="Simões",
        date_of_birth="1980-05-17",
        sex="female",
        weight_kg=71.0,
        allergies="Penicillin",
    )
    course = CourseService(ctx).start(clinician, patient.id, "kap-default", goal="Remission")
    sid = sessions.schedule(nurse, course.id, clock.now(), "Room 2").id
    clock.advance(minutes=2)
    sessions.check_in(nurse, sid)
    answers = {**YES_TO_ALL, "fasting": False, "weight_kg": "72,5"}
    del answers["medication_changes"]  # not answered: a warning to acknowledge, as "no" is
    sessions.record_checklist(nurse, sid, answers)
    clock.advance(minutes=2)
    assert vitals.record(nurse, sid, 152, 94, pulse=80, spo2=97).hold_active
    _refused(lambda: sessions.override_hold(nurse, sid, "Dr. Ana Lima", "Baseline"))
    clock.advance(minutes=5)
    recheck = vitals.record(nurse, sid, 148, 92, pulse=78, spo2=98)
    sessions.override_hold(
        clinician, sid, "Dr. Ana Lima, MD", "Known baseline", reading_id=recheck.reading.id
    )
    clock.advance(minutes=1)
    _dose(ctx, nurse, sid, 0.1, acknowledge_warnings=True)  # below the questioned amount
    clock.advance(minutes=20)
    vitals.record(nurse, sid, 134, 86, pulse=88, spo2=97)
    ObservationService(ctx).record_moaas(nurse, sid, 4)
    ObservationService(ctx).record_dissociation(therapist, sid, True, "floating")
    SideEffectService(ctx).record(nurse, sid, "nausea", severity="mild", intervention="Ondansetron")
    wrong = SideEffectService(ctx).record(nurse, sid, "headache", severity="moderate")
    CorrectionsService(ctx).mark_entered_in_error(nurse, "side_effect", wrong.id, "Other patient")
    clock.advance(minutes=10)
    _dose(ctx, nurse, sid, 0.25)  # a booster
    clock.advance(minutes=10)
    critical = vitals.record(nurse, sid, 206, 124, pulse=96, spo2=96)
    AlertService(ctx).acknowledge(clinician, sid, critical.reading.id, "Seen, labetalol")
    _over_the_maximum(ctx, clock, who, sid, critical.reading.id)
    clock.advance(minutes=5)
    vitals.record(nurse, sid, 138, 88, pulse=84, spo2=97)
    sessions.record_discharge_answers(
        nurse, sid, {"alert_oriented": True, "steady": True, "ride_home_present": True}
    )
    _refused(lambda: sessions.discharge(nurse, sid))  # too early: criteria unmet
    clock.advance(minutes=5)
    sessions.discharge(clinician, sid, unmet_reason="Transfer to the ward")
    return patient.id, sid


def _ended_sessions(
    ctx: ServiceContext, clock: FakeClock, who: dict[Role, Actor], sid: int
) -> None:
    """Two more sessions of the course: one the same day (the nurse refused, a clinician
    confirms it), its dose withheld; one cancelled."""
    nurse, clinician = who[Role.NURSE], who[Role.CLINICIAN]
    sessions = SessionService(ctx)
    course_id = sessions.get(sid).course_id
    clock.advance(minutes=1)
    held = sessions.schedule(nurse, course_id, clock.now(), "Room 3").id
    _refused(lambda: sessions.check_in(nurse, held))
    sessions.check_in(clinician, held, same_day_reason="Rescheduled from this morning")
    sessions.withhold_dose(nurse, held, "Unwell today")
    cancelled = sessions.schedule(nurse, course_id, clock.now(), "Room 4").id
    sessions.cancel(nurse, cancelled, "Patient called in sick")


def _workflow(ctx: ServiceContext, clock: FakeClock) -> None:
    who = _actors(ctx)
    nurse, clinician, therapist = who[Role.NURSE], who[Role.CLINICIAN], who[Role.THERAPIST]
    patient_id, sid = _session(ctx, clock, who)
    NoteService(ctx).save_session_note(therapist, sid, "Calm session; music helped.")
    clock.advance(minutes=3)
    signing = SigningService(ctx)
    _refused(lambda: signing.sign(clinician, "dosing_session", sid, "wrong password"))
    signing.sign(clinician, "dosing_session", sid, PASSWORD)
    clock.advance(minutes=3)
    AddendumService(ctx).add_addendum(clinician, "dosing_session", sid, "BP settled on the ward.")
    _refused(lambda: AddendumService(ctx).add_addendum(who[Role.ADMIN], "dosing_session", sid, "-"))
    _ended_sessions(ctx, clock, who, sid)
    notes = NoteService(ctx)
    course_id = SessionService(ctx).get(sid).course_id
    note = notes.create_integration_note(therapist, course_id)
    notes.update_integration_note(therapist, note.id, sections={"themes": "Grief, relief"})
    notes.finalize(therapist, note.id)
    InstrumentService(ctx).record(clinician, patient_id, "PHQ-9", [1, 2, 1, 0, 2, 1, 0, 1, 0])
    CourseService(ctx).end(clinician, course_id, clock.now().date(), "Course completed")
    UserService(ctx).set_language(nurse, nurse.user_id, "pt-PT")
    _refused(lambda: UserService(ctx).set_language(nurse, clinician.user_id, "en"))


def _rows(ctx: ServiceContext) -> dict[str, list[str]]:
    """Every row of every table, all columns, as text (repr: a str and a Wording differ
    in nothing here, a value of another type would show)."""
    with ctx.db.read() as s:
        return {
            table.name: [
                repr(tuple(row))
                for row in s.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def _recorded(template: Path, folder: Path, language: str) -> tuple[Path, dict[str, list[str]]]:
    folder.mkdir()
    path = folder / "clinic.sqlite"
    shutil.copyfile(template, path)
    clock = FakeClock(T0)
    ctx = build_context(path, clock=clock)
    try:
        with use_language(language):
            _workflow(ctx, clock)
        return path, _rows(ctx)
    finally:
        ctx.db.close()


def test_the_record_is_the_same_in_english_and_in_portuguese(
    template_db: Path, tmp_path: Path
) -> None:
    SHOWN.clear()
    _, english = _recorded(template_db, tmp_path / "en", "en")
    said_in_english = SHOWN[:]
    SHOWN.clear()
    path, portuguese = _recorded(template_db, tmp_path / "pt", "pt-PT")
    assert said_in_english[0] == "A nurse may not override a pre-dose hold."
    assert SHOWN[0] != said_in_english[0]  # the person was told in Portuguese
    for said in SHOWN:  # the domain's parts of a refusal too
        for english_part in ("Minimum observation time passed", "already dosed today", "BP 1"):
            assert english_part not in said
    assert english["audit_log"], "the workflow wrote nothing"
    for table in english:
        assert len(portuguese[table]) == len(english[table]), table
        for en_row, pt_row in zip(english[table], portuguese[table], strict=True):
            assert pt_row == en_row, table
    with use_language("pt-PT"):
        lines, ok = run_check(path)
    assert ok, lines
