"""Test data for the patient list and chart, built through the services.

``build_course_history`` makes one patient with a kap-default course: four
weekly dosing sessions (the first two held, dosed and discharged, two more
scheduled), four PHQ-9s (20 -> 14 -> 9 -> 7: a response without remission,
item 9 above 0 at baseline and optionally at the latest), one GAD-7 and two
integration notes (one final, one draft). The clock ends six weeks after T0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pytestqt.qtbot import QtBot
from services.conftest import T0

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.dtos import CourseInfo, PatientInfo
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.vitals import VitalsService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.patients_page import PatientsPage

from .conftest import actor_for

__all__ = [
    "T0",
    "CourseHistory",
    "actor_for",  # from .conftest
    "add_patient",
    "build_course_history",
    "show_chart",
    "show_patients_page",
]


YES_TO_ALL = {
    "consent": True,
    "ride_home": True,
    "fasting": True,
    "medication_changes": True,
    "contraindications": True,
}

DISCHARGE_ANSWERS = {"alert_oriented": True, "steady": True, "ride_home_present": True}

# PHQ-9 answers by week: totals 20, 14, 9, 7.
PHQ9_WEEKS: tuple[tuple[int, tuple[int, ...]], ...] = (
    (0, (3, 3, 2, 3, 2, 3, 2, 1, 1)),
    (2, (2, 2, 2, 2, 1, 2, 2, 1, 0)),
    (4, (1, 2, 1, 1, 1, 1, 1, 1, 0)),
    (6, (1, 1, 1, 1, 1, 1, 1, 0, 0)),
)


def show_chart(qtbot: QtBot, app: AppContext, patient_id: int, role: Role) -> PatientChart:
    """The patient's chart opened by the first user with ``role``, shown at 1100 x 760."""
    app.actor = actor_for(app, role)
    chart = PatientChart(app, patient_id)
    qtbot.addWidget(chart)
    chart.resize(1100, 760)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def show_patients_page(
    qtbot: QtBot, app: AppContext, size: tuple[int, int] = (1200, 700)
) -> PatientsPage:
    """The patients page of whoever is signed in, shown at ``size``."""
    page = PatientsPage(app)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


def add_patient(app: AppContext, actor: Actor, **overrides: object) -> PatientInfo:
    values: dict[str, object] = {
        "mrn": "KAP-0042",
        "given_name": "Conceição",
        "family_name": "Simões",
        "date_of_birth": date(1980, 5, 17),
        "sex": "female",
        "weight_kg": 64.5,
        "allergies": "",
        "contraindications": "",
    }
    values.update(overrides)
    return PatientService(app.ctx).create(actor, **values)  # type: ignore[arg-type]


@dataclass
class CourseHistory:
    patient: PatientInfo
    course: CourseInfo
    session_ids: list[int]
    phq9_ids: list[int]
    final_note_id: int
    draft_note_id: int


def _held_session(app: AppContext, clock: FakeClock, nurse: Actor, course_id: int) -> int:
    sessions, ctx = SessionService(app.ctx), app.ctx
    sid = sessions.schedule(nurse, course_id, clock.now(), "2").id
    sessions.check_in(nurse, sid)
    sessions.record_checklist(nurse, sid, {**YES_TO_ALL, "weight_kg": 64.5})
    VitalsService(ctx).record(nurse, sid, 124, 80, pulse=70, spo2=98)
    clock.advance(minutes=2)
    DoseService(ctx).record(
        nurse,
        sid,
        medication="racemic ketamine",
        route="im",
        amount=0.5,
        unit="mg/kg",
        lot_number="LOT-7",
    )
    clock.advance(minutes=25)
    VitalsService(ctx).record(nurse, sid, 138, 86, pulse=78, spo2=97)
    clock.advance(minutes=95)
    VitalsService(ctx).record(nurse, sid, 126, 80, pulse=72, spo2=98)
    sessions.record_discharge_answers(nurse, sid, DISCHARGE_ANSWERS)
    clock.advance(minutes=5)
    sessions.discharge(nurse, sid)
    return sid


def build_course_history(
    app: AppContext, clock: FakeClock, *, latest_item9: int = 0, allergies: str = ""
) -> CourseHistory:
    clinician = actor_for(app, Role.CLINICIAN)
    nurse = actor_for(app, Role.NURSE)
    therapist = actor_for(app, Role.THERAPIST)
    clock.set(T0)
    patient = add_patient(app, clinician, allergies=allergies)
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    instruments = InstrumentService(app.ctx)
    notes = NoteService(app.ctx)
    start = clock.now()
    phq_ids: list[int] = []

    def phq(week: int, answers: tuple[int, ...]) -> None:
        values = list(answers)
        if week == PHQ9_WEEKS[-1][0]:
            values[8] = latest_item9
        taken = start + timedelta(weeks=week)
        phq_ids.append(
            instruments.record(
                therapist, patient.id, "PHQ-9", values, taken_at=taken, course_id=course.id
            ).id
        )

    phq(*PHQ9_WEEKS[0])
    instruments.record(therapist, patient.id, "GAD-7", [2, 2, 1, 2, 1, 1, 2], course_id=course.id)
    s1 = _held_session(app, clock, nurse, course.id)
    clock.set(start + timedelta(days=1))
    n1 = notes.create_integration_note(therapist, course.id, follows_session_id=s1)
    notes.update_integration_note(
        therapist,
        n1.id,
        sections={"themes": "Felt held; image of a lake.", "risk": "No suicidal ideation."},
    )
    notes.finalize(therapist, n1.id)
    clock.set(start + timedelta(weeks=2))
    s2 = _held_session(app, clock, nurse, course.id)
    phq(*PHQ9_WEEKS[1])
    clock.set(start + timedelta(weeks=2, days=2))
    n2 = notes.create_integration_note(therapist, course.id, follows_session_id=s2)
    notes.update_integration_note(therapist, n2.id, body="Sleeping better.")
    clock.set(start + timedelta(weeks=6))
    phq(*PHQ9_WEEKS[2])
    phq(*PHQ9_WEEKS[3])
    sessions = SessionService(app.ctx)
    s3 = sessions.schedule(nurse, course.id, clock.now() + timedelta(days=1), "2").id
    s4 = sessions.schedule(nurse, course.id, clock.now() + timedelta(days=8), "3").id
    return CourseHistory(
        patient=patient,
        course=CourseService(app.ctx).get(course.id),
        session_ids=[s1, s2, s3, s4],
        phq9_ids=phq_ids,
        final_note_id=n1.id,
        draft_note_id=n2.id,
    )
