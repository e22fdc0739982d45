"""Shared pieces of the screenshot scripts (tests/ui/make_*_screenshot.py): letting the GUI
settle before a grab, a session's workspace shown at one step, and the dosed session of
Maren Holm that several of them show.

Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QApplication

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace

CHECKLIST = {
    "consent": True,
    "ride_home": True,
    "fasting": True,
    "medication_changes": True,
    "contraindications": True,
    "weight_kg": 68.0,
}


def settle(seconds: float) -> None:
    """Run the event loop for ``seconds`` (layouts, paints and timers catch up)."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    d = QDeadlineTimer(int(seconds * 1000))
    while not d.hasExpired():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def workspace_at(app: AppContext, session_id: int, step: int) -> SessionWorkspace:
    """The session's workspace at 1366 x 900 for whoever is signed in, shown at ``step``
    and settled, ready to grab."""
    ws = SessionWorkspace(app, session_id)
    ws.resize(1366, 900)
    ws.show()
    settle(0.8)
    ws.go_to(step)
    settle(0.8)
    return ws


def dosed_session(app: AppContext, clock: FakeClock, *, allergies: str) -> tuple[Actor, Actor, int]:
    """Sam Okafor, RN and Dr Ana Lima; Maren Holm (KAP-0412) on a kap-default course; her
    session in Room 2 at the clock's time: checked in, the checklist done, 128/82 three
    minutes later, 0.5 mg/kg racemic ketamine IM two minutes after that. The nurse, the
    clinician and the session's id."""
    users = UserService(app.ctx)
    for role, name in ((Role.NURSE, "Sam Okafor, RN"), (Role.CLINICIAN, "Dr Ana Lima")):
        users.add_user_from_console(
            username=role.value, full_name=name, role=role, password="correct horse battery"
        )
    by_role = {u.role: actor_of(u) for u in users.list_users()}
    nurse, clinician = by_role[Role.NURSE], by_role[Role.CLINICIAN]
    patient = PatientService(app.ctx).create(
        clinician,
        mrn="KAP-0412",
        given_name="Maren",
        family_name="Holm",
        date_of_birth="1979-04-12",
        sex="female",
        weight_kg=68.0,
        allergies=allergies,
        contraindications="",
    )
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    sessions = SessionService(app.ctx)
    sid = sessions.schedule(nurse, course.id, clock.now(), "Room 2").id
    sessions.check_in(nurse, sid)
    sessions.record_checklist(nurse, sid, CHECKLIST)
    clock.advance(timedelta(minutes=3))
    VitalsService(app.ctx).record(nurse, sid, 128, 82, pulse=74, spo2=98)
    clock.advance(timedelta(minutes=2))
    DoseService(app.ctx).record(
        nurse,
        sid,
        medication="racemic ketamine",
        route="im",
        amount=0.5,
        unit="mg/kg",
        lot_number="KT-2291",
    )
    return nurse, clinician, sid
