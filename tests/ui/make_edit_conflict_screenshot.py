"""Make resources/screenshots/edit-conflict.png: two workstations edited one session note;
the second save wrote nothing and asks what to keep, with their text beside the user's own
(issue 14). Also edit-conflict-patient.png: the same question for a patient's details,
showing the fields that differ.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_edit_conflict_screenshot.py OUTDIR

Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import NO_RECORD, EditConflict
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService, actor_of
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.edit_conflict import Choice, ConflictQuestion, ConflictView, EditConflictDialog
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.run import _qapplication

THEIRS = (
    "Arrived 09:05 with her partner, who drives her home.\n"
    "Anxious before the dose; settled with the eye mask and music.\n"
    "BP 128/82 at 10:15, no nausea."
)
MINE = "Tearful around 25 min, spoke about her father; grounding helped.\nIntegration next Tuesday."


def settle(seconds: float = 0.4) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    d = QDeadlineTimer(int(seconds * 1000))
    while not d.hasExpired():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _grab(dialog: EditConflictDialog, path: Path) -> None:
    dialog.show()
    dialog.adjustSize()
    settle()
    dialog.grab().save(str(path))
    print(path)
    dialog.close()


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    _qapplication()
    local = datetime.now().astimezone().tzinfo
    clock = FakeClock(datetime(2026, 3, 2, 10, 30, tzinfo=local).astimezone(UTC))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.sqlite"
        here = build_context(path, clock=clock)
        users = UserService(here)
        for role, name in (
            (Role.NURSE, "Sam Okafor, RN"),
            (Role.THERAPIST, "Mara Quinn"),
            (Role.CLINICIAN, "Dr Ana Lima"),
        ):
            users.add_user_from_console(
                username=role.value, full_name=name, role=role, password="correct horse battery"
            )
        by_role = {u.role: actor_of(u) for u in users.list_users()}
        there = build_context(path, clock=clock, create=False)  # the second workstation
        patient = PatientService(here).create(
            by_role[Role.CLINICIAN], mrn="KAP-0412", given_name="Conceição",
            family_name="Simões", date_of_birth="1980-05-17", sex="female", weight_kg=68.0,
        )  # fmt: skip
        course = CourseService(here).start(by_role[Role.CLINICIAN], patient.id, "kap-default")
        session = SessionService(here).schedule(
            by_role[Role.NURSE], course.id, clock.now(), "Room 2"
        )
        clock.advance(timedelta(minutes=12))  # 10:42
        NoteService(here).save_session_note(
            by_role[Role.THERAPIST], session.id, THEIRS, version=NO_RECORD
        )
        try:
            NoteService(there).save_session_note(
                by_role[Role.NURSE], session.id, MINE, version=NO_RECORD
            )
        except EditConflict as conflict:
            view = ConflictView("this note", theirs=conflict.current.body, mine=MINE)
            _grab(EditConflictDialog(conflict, view), outdir / "edit-conflict.png")
        # The patient's details, through the real dialog of the second workstation.
        station = AppContext(there)
        station.actor = by_role[Role.NURSE]
        dialog = PatientDialog(station, PatientService(there).get(patient.id))
        dialog.show()
        PatientService(here).update(
            by_role[Role.CLINICIAN], patient.id, weight_kg=66.5, allergies="Penicillin (rash)"
        )
        dialog.contra.setPlainText("Pregnancy test negative 02.03.")

        def grab(_cls: type, parent: object, conflict: EditConflict, view: ConflictView) -> Choice:
            _grab(EditConflictDialog(conflict, view), outdir / "edit-conflict-patient.png")
            return Choice.KEEP

        ConflictQuestion.ask = classmethod(grab)  # type: ignore[method-assign,assignment]
        dialog.submit()
        dialog.close()
        here.db.close()
        station.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("resources/screenshots"))
