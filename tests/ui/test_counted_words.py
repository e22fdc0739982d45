"""Issue 12 review: a number on screen is followed by its noun in the singular for one
('1 patient', '1 week'), through kapdesk.domain.text.counted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot

from kapdesk.domain.permissions import Role
from kapdesk.services.backup_check import BackupCheck
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.patients import PatientService
from kapdesk.services.screen_dtos import BackupInfo
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.backup_destination import backup_done_text
from kapdesk.ui.patient_list import PatientList
from kapdesk.ui.widgets.outcome_chart import outcome_text

from .conftest import T0
from .helpers_patients import actor_for, add_patient


def test_the_patient_list_counts_one_patient(qtbot: QtBot, app: AppContext) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    app.actor = clinician
    service = PatientService(app.ctx)
    service.create(
        clinician, mrn="X1", given_name="Ann", family_name="Lee",
        date_of_birth=date(1970, 1, 1), sex="female",
    )  # fmt: skip
    plist = PatientList(app)
    qtbot.addWidget(plist)
    plist.show()
    qtbot.waitUntil(lambda: plist.count.text() == "1 patient", timeout=2000)
    service.create(
        clinician, mrn="X2", given_name="Bo", family_name="Lee",
        date_of_birth=date(1971, 1, 1), sex="male",
    )  # fmt: skip
    qtbot.waitUntil(lambda: plist.count.text() == "2 patients", timeout=2000)


def test_an_acute_phase_of_one_week_says_week(app: AppContext) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician)
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    service = InstrumentService(app.ctx)
    service.record(clinician, patient.id, "PHQ-9", [1] * 9, course_id=course.id)
    info = replace(service.course_outcome(course.id), acute_weeks=1)
    assert "a later PHQ-9 within 1 week of the course start" in outcome_text(info)


def test_a_verified_backup_of_one_audit_entry_says_entry(tmp_path: Path) -> None:
    path = tmp_path / "kapdesk.sqlite"
    info = BackupInfo(path=path, taken_at=T0, reason="manual", size_bytes=2048)
    check = BackupCheck(path=path, problems=(), entries=1)
    _, details = backup_done_text(info, check)
    assert "the audit trail of 1 entry intact" in details
