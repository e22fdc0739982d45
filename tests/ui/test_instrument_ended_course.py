"""Issue 12: a PHQ-9 recorded when the course on offer has ended asks where it goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.storage.orm import Course, InstrumentResult
from kapdesk.ui import instrument_form
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.course_dialog import StartCourseDialog
from kapdesk.ui.instrument_form import InstrumentDialog

from .conftest import T0
from .helpers_patients import actor_for, add_patient

NINE = [Qt.Key.Key_2] * 9  # total 18


@pytest.fixture
def ended(app: AppContext, clock: FakeClock) -> tuple[int, int]:
    """A patient whose only course (baseline 20, week-4 8) ended on day 28."""
    clinician, therapist = actor_for(app, Role.CLINICIAN), actor_for(app, Role.THERAPIST)
    clock.set(T0)
    patient = add_patient(app, clinician)
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    service = InstrumentService(app.ctx)
    service.record(therapist, patient.id, "PHQ-9", [3, 3, 3, 3, 3, 3, 2, 0, 0], course_id=course.id)
    clock.set(T0 + timedelta(weeks=4))
    service.record(therapist, patient.id, "PHQ-9", [1] * 8 + [0], course_id=course.id)
    CourseService(app.ctx).end(clinician, course.id, clock.now().date(), "completed")
    clock.set(T0 + timedelta(weeks=6))
    app.actor = therapist
    return patient.id, course.id


def form(qtbot: QtBot, app: AppContext, patient_id: int) -> InstrumentDialog:
    dialog = InstrumentDialog(app, patient_id, "PHQ-9")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for row, key in zip(dialog.form.rows, NINE, strict=True):
        qtbot.keyClick(row, key)
    return dialog


def results(app: AppContext) -> list[tuple[int | None, int]]:
    with app.ctx.db.read() as s:
        rows = s.scalars(select(InstrumentResult).order_by(InstrumentResult.id))
        return [(r.course_id, r.total) for r in rows]


def test_saving_under_the_ended_course_asks_and_cancel_stores_nothing(
    qtbot: QtBot, app: AppContext, ended: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id, course_id = ended
    asked: list[tuple[str, str]] = []

    def ask(parent: object, course: str, effect: str, may_start: bool) -> str | None:
        asked.append((course, effect))
        assert not may_start  # a therapist cannot start a course: not offered
        return None

    monkeypatch.setattr(instrument_form.FilingChoice, "ask", ask)
    dialog = form(qtbot, app, patient_id)
    assert dialog.course.currentData() == course_id  # the form offers the ended course
    before = results(app)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    [(course_text, effect)] = asked
    assert "ended 2026-03-30" in course_text
    assert "would become the course's endpoint" in effect
    assert "change the course outcome\nfrom: PHQ-9 20 → 8" in effect
    assert "\nto: PHQ-9 20 → 18" in effect
    assert results(app) == before
    assert dialog.isVisible()  # back to the form, answers kept
    assert dialog.form.first_unanswered() is None


def test_filing_as_after_the_course_stores_it_under_the_ended_course(
    qtbot: QtBot, app: AppContext, ended: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id, course_id = ended
    monkeypatch.setattr(instrument_form.FilingChoice, "ask", lambda *_: "file")
    dialog = form(qtbot, app, patient_id)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert results(app)[-1] == (course_id, 18)


def test_a_new_course_takes_it_and_the_ended_course_outcome_is_unchanged(
    qtbot: QtBot, app: AppContext, ended: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id, course_id = ended
    app.actor = actor_for(app, Role.CLINICIAN)  # may start a course and record a PHQ-9
    outcome_before = InstrumentService(app.ctx).course_outcome(course_id)
    offered: list[bool] = []

    def ask(parent: object, course: str, effect: str, may_start: bool) -> str:
        offered.append(may_start)
        return "new"

    monkeypatch.setattr(instrument_form.FilingChoice, "ask", ask)
    dialog = form(qtbot, app, patient_id)
    started: list[StartCourseDialog] = []

    def accept_start() -> None:
        modal = QApplication.activeModalWidget()
        assert isinstance(modal, StartCourseDialog)
        started.append(modal)
        qtbot.mouseClick(modal.ok_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, accept_start)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    assert offered == [True]
    assert started
    assert not dialog.isVisible()
    with app.ctx.db.read() as s:
        new_course = s.scalar(select(Course).where(Course.ended_on.is_(None)))
    assert new_course is not None
    assert new_course.id != course_id
    assert results(app)[-1] == (new_course.id, 18)
    after = InstrumentService(app.ctx).course_outcome(course_id)
    assert after.outcome == outcome_before.outcome
    assert [r.id for r in after.results] == [r.id for r in outcome_before.results]


def test_an_open_course_is_not_asked_about(
    qtbot: QtBot, app: AppContext, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician)
    course = CourseService(app.ctx).start(clinician, patient.id, "kap-default")
    app.actor = clinician

    def never(*_: object) -> str | None:
        raise AssertionError("asked about an open course")

    monkeypatch.setattr(instrument_form.FilingChoice, "ask", never)
    dialog = form(qtbot, app, patient.id)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    assert results(app)[-1] == (course.id, 18)
