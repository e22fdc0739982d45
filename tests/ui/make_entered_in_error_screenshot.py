"""Make resources/screenshots/entered-in-error.png: the monitoring step of a session in
which one reading (182/104, typed into the wrong row) was marked entered in error: it
stays in the table struck through, with who, when and why under it, and is off the chart
(issue 12). Also entered-in-error-dialog.png: the dialog for the next one, with a reason.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_entered_in_error_screenshot.py OUTDIR

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
from kapdesk.services.observations import ObservationService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.entered_in_error import EnteredInErrorDialog
from kapdesk.ui.entry_rows import reading_entry
from kapdesk.ui.run import _qapplication
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_MONITORING

CHECKLIST = {
    "consent": True,
    "ride_home": True,
    "fasting": True,
    "medication_changes": True,
    "contraindications": True,
    "weight_kg": 68.0,
}


def settle(seconds: float = 0.5) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    d = QDeadlineTimer(int(seconds * 1000))
    while not d.hasExpired():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    qapp = _qapplication()
    local = datetime.now().astimezone().tzinfo
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=local).astimezone(UTC))
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
            allergies="",
            contraindications="",
        )
        course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
        sessions, vitals = SessionService(app.ctx), VitalsService(app.ctx)
        sid = sessions.schedule(nurse, course.id, clock.now(), "Room 2").id
        sessions.check_in(nurse, sid)
        sessions.record_checklist(nurse, sid, CHECKLIST)
        clock.advance(timedelta(minutes=3))
        vitals.record(nurse, sid, 128, 82, pulse=74, spo2=98)
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
        clock.advance(timedelta(minutes=15))
        vitals.record(nurse, sid, 136, 86, pulse=80, spo2=98)
        ObservationService(app.ctx).record_moaas(nurse, sid, 4)
        clock.advance(timedelta(minutes=15))
        wrong = vitals.record(nurse, sid, 182, 104, pulse=78, spo2=97).reading.id
        clock.advance(timedelta(minutes=2))
        app.ctx.corrections.mark_entered_in_error(
            nurse, "reading", wrong, "typed into Room 3's row; Maren was 132/84"
        )
        vitals.record(nurse, sid, 132, 84, pulse=78, spo2=97)
        clock.advance(timedelta(minutes=3))
        app.actor = nurse
        ws = SessionWorkspace(app, sid)
        ws.resize(1366, 900)
        ws.show()
        settle(0.8)
        ws.go_to(STEP_MONITORING)
        settle(0.8)
        ws.grab().save(str(outdir / "entered-in-error.png"))

        latest = sessions.detail(sid).readings[-1]
        dialog = EnteredInErrorDialog(app, reading_entry(latest), ws)
        dialog.reason.setText("")
        dialog.show()
        settle(0.3)
        dialog.submit()  # no reason yet: the error at the field
        settle(0.3)
        dialog.grab().save(str(outdir / "entered-in-error-dialog.png"))
        dialog.reject()
        ws.stop()
        ws.close()
        app.close()
    qapp.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots"))
