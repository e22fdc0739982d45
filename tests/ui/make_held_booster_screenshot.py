"""Make resources/screenshots/held-booster.png: the dose page of a session in monitoring
after a 212/126 reading (issue 9), as a clinician sees it (refusal and override action).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_held_booster_screenshot.py OUT.png

Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.run import _qapplication
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_DOSE


def settle(seconds: float = 0.5) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    d = QDeadlineTimer(int(seconds * 1000))
    while not d.hasExpired():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def main(out: Path) -> None:
    qapp = _qapplication()
    local = datetime.now().astimezone().tzinfo
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=local).astimezone(UTC)
    clock = FakeClock(t0)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app_context(Path(tmp) / "c.sqlite", demo=False, clock=clock)
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
            allergies="Penicillin (rash)",
            contraindications="",
        )
        course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
        sessions, vitals, doses = (
            SessionService(app.ctx),
            VitalsService(app.ctx),
            DoseService(app.ctx),
        )
        sid = sessions.schedule(nurse, course.id, clock.now(), "Room 2").id
        sessions.check_in(nurse, sid)
        sessions.record_checklist(
            nurse,
            sid,
            {
                "consent": True,
                "ride_home": True,
                "fasting": True,
                "medication_changes": True,
                "contraindications": True,
                "weight_kg": 68.0,
            },
        )
        clock.advance(timedelta(minutes=3))
        vitals.record(nurse, sid, 128, 82, pulse=74, spo2=98)
        clock.advance(timedelta(minutes=2))
        doses.record(
            nurse,
            sid,
            medication="racemic ketamine",
            route="im",
            amount=0.5,
            unit="mg/kg",
            lot_number="KT-2291",
        )
        clock.advance(timedelta(minutes=22))
        vitals.record(nurse, sid, 212, 126, pulse=98, spo2=97)
        clock.advance(timedelta(minutes=6))
        vitals.record(nurse, sid, 146, 90, pulse=88, spo2=98)
        clock.advance(timedelta(minutes=2))
        app.actor = clinician
        ws = SessionWorkspace(app, sid)
        ws.resize(1366, 900)
        ws.show()
        settle(0.8)
        ws.go_to(STEP_DOSE)
        settle(0.8)
        ws.grab().save(str(out))
        ws.stop()
        ws.close()
        app.close()
    qapp.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
