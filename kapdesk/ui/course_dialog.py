"""Things started on a course: the course itself, a dosing session, an integration session.

``StartCourseDialog`` starts a course with a protocol, ``ScheduleSessionDialog``
schedules a dosing session (date, time, room), ``NewIntegrationDialog`` starts
an integration note (optionally following one of the course's dosing sessions).

Each passes what was typed to its service; a ValidationError is shown at its field and
nothing is stored. After accepting, ``dialog.created`` is the stored
CourseInfo / SessionInfo / NoteInfo (the service's change set has told every view).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.session_state import SessionState
from kapdesk.i18n import _
from kapdesk.services.courses import CourseService
from kapdesk.services.notes import NoteService
from kapdesk.services.sessions import SessionService
from kapdesk.services.settings import SettingsService
from kapdesk.ui.discard_guard import FormState, may_close
from kapdesk.ui.errors import message_of
from kapdesk.ui.models.board import room_text
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error
from kapdesk.ui.widgets.locale_words import date_format, day_clock_text, day_text

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseInfo, SessionInfo
    from kapdesk.services.screen_dtos import NoteInfo
    from kapdesk.ui.app_context import AppContext


def _qdate(moment: datetime) -> QDate:
    local = moment.astimezone()
    return QDate(local.year, local.month, local.day)


class _FormDialog(QDialog):
    # "Discard the unsaved <thing>?"; marked in the context of the dialog's own class.
    unsaved_thing = "details"

    def __init__(
        self, app: AppContext, title: str, intro: str, ok_text: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(460)
        self.root = QVBoxLayout(self)
        heading = QLabel(intro)
        heading.setObjectName("dialogIntro")
        heading.setWordWrap(True)
        self.root.addWidget(heading)
        self.form = QFormLayout()
        self.root.addLayout(self.form)
        self.message = error_label()
        self.fields = FieldSet([])
        self._buttons, self.ok_button = ok_cancel(ok_text, self.submit, self.reject)

    def _finish_layout(self, fields: list[Field], aliases: dict[str, str]) -> None:
        for f in fields:
            f.add_to(self.form)
        self.fields = FieldSet(fields, aliases)
        self.root.addStretch(1)
        self.root.addWidget(self.message)
        self.root.addWidget(self._buttons)
        fields[0].editor.setFocus()
        self.state = FormState(self)

    def reject(self) -> None:
        thing = QCoreApplication.translate(type(self).__name__, self.unsaved_thing)
        if may_close(self, thing, self.state):
            super().reject()

    def _fail(self, exc: KapdeskError) -> None:
        if isinstance(exc, ValidationError) and self.fields.show_error(exc.field, exc.message):
            return
        set_error(
            self.message, exc.message if isinstance(exc, ValidationError) else message_of(exc)
        )

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class StartCourseDialog(_FormDialog):
    unsaved_thing = str(QT_TRANSLATE_NOOP("StartCourseDialog", "course"))

    def __init__(self, app: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            app,
            QCoreApplication.translate("StartCourseDialog", "Start treatment course"),
            QCoreApplication.translate(
                "StartCourseDialog",
                "Choose the clinic protocol this course follows. Its version is kept with the "
                "course, and every alert in its sessions names it.",
            ),
            QCoreApplication.translate("StartCourseDialog", "&Start course"),
            parent,
        )
        self.patient_id = patient_id
        self.created: CourseInfo | None = None
        self.protocol = QComboBox()
        for pid in sorted(app.ctx.protocols):
            p = app.ctx.protocols[pid]
            self.protocol.addItem(f"{_(p.title)} ({p.id} v{p.version})", p.id)
        try:  # the clinic setting (Admin > Clinic settings)
            chosen = SettingsService(app.ctx).current().default_protocol
        except KapdeskError:
            chosen = "kap-default"
        self.protocol.setCurrentIndex(max(self.protocol.findData(chosen), 0))
        self.started_on = QDateEdit(_qdate(app.now()))
        self.started_on.setDisplayFormat(date_format())
        self.started_on.setCalendarPopup(True)
        self.goal = QLineEdit()
        self.goal.setPlaceholderText(
            QCoreApplication.translate(
                "StartCourseDialog", "optional, e.g. PHQ-9 below 10 by week 8"
            )
        )
        self.message.setAccessibleName(
            QCoreApplication.translate("StartCourseDialog", "Course message")
        )
        self._finish_layout(
            [
                Field(
                    QCoreApplication.translate("StartCourseDialog", "&Protocol"),
                    self.protocol,
                    name="Protocol",
                ),
                Field(
                    QCoreApplication.translate("StartCourseDialog", "Start &date"),
                    self.started_on,
                    name="Start date",
                ),
                Field(
                    QCoreApplication.translate("StartCourseDialog", "&Goal"), self.goal, name="Goal"
                ),
            ],
            {"Course": "Protocol"},
        )

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        try:
            self.created = CourseService(self.app.ctx).start(
                self.app.require_actor(),
                self.patient_id,
                str(self.protocol.currentData()),
                started_on=self.started_on.date().toPython(),  # type: ignore[arg-type]
                goal=self.goal.text(),
            )
        except KapdeskError as exc:
            self._fail(exc)
            return
        self.accept()


class ScheduleSessionDialog(_FormDialog):
    unsaved_thing = str(QT_TRANSLATE_NOOP("ScheduleSessionDialog", "session"))

    def __init__(self, app: AppContext, course: CourseInfo, parent: QWidget | None = None) -> None:
        intro = QCoreApplication.translate(
            "ScheduleSessionDialog",
            "A dosing session on the course {protocol} v{version} (started {started}).",
        )
        super().__init__(
            app,
            QCoreApplication.translate("ScheduleSessionDialog", "Schedule dosing session"),
            intro.format(
                protocol=course.protocol_id,
                version=course.protocol_version,
                started=day_text(course.started_on),
            ),
            QCoreApplication.translate("ScheduleSessionDialog", "&Schedule"),
            parent,
        )
        self.course = course
        self.created: SessionInfo | None = None
        self._warned: tuple[datetime, tuple[str, ...]] | None = None
        now = app.now().astimezone()
        self.day = QDateEdit(_qdate(now))
        self.day.setDisplayFormat(date_format())
        self.day.setCalendarPopup(True)
        self.time = QTimeEdit(QTime(now.hour, 0).addSecs(3600) if now.hour < 23 else QTime(9, 0))
        self.time.setDisplayFormat("HH:mm")
        self.room = QLineEdit()
        self.room.setMaxLength(64)
        self.room.setPlaceholderText(QCoreApplication.translate("ScheduleSessionDialog", "e.g. 2"))
        self.message.setAccessibleName(
            QCoreApplication.translate("ScheduleSessionDialog", "Schedule message")
        )
        self._finish_layout(
            [
                Field(
                    QCoreApplication.translate("ScheduleSessionDialog", "&Date"),
                    self.day,
                    name="Date",
                ),
                Field(
                    QCoreApplication.translate("ScheduleSessionDialog", "&Time"),
                    self.time,
                    name="Time",
                ),
                Field(
                    QCoreApplication.translate("ScheduleSessionDialog", "&Room"),
                    self.room,
                    name="Room",
                ),
            ],
            {"Scheduled at": "Date", "Course": "Date"},
        )

    def scheduled_at(self) -> datetime:
        moment = QDateTime(self.day.date(), self.time.time())  # local time
        return datetime.fromtimestamp(moment.toSecsSinceEpoch(), tz=UTC)

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        service = SessionService(self.app.ctx)
        try:
            when = self.scheduled_at()
            # The patient already booked that day: say so once; a second press books it.
            warnings = service.schedule_warnings(self.course.id, when) if self.room.text() else ()
            if warnings and self._warned != (when, warnings):
                self._warned = (when, warnings)
                again = QCoreApplication.translate(
                    "ScheduleSessionDialog", "Press Schedule again to book it."
                )
                set_error(self.message, " ".join([*warnings, again]))
                return
            self.created = service.schedule(
                self.app.require_actor(), self.course.id, when, self.room.text()
            )
        except KapdeskError as exc:
            self._fail(exc)
            return
        self.accept()


# ------------------------------------------------------------------ integration sessions

_NOT_HELD = frozenset({SessionState.SCHEDULED, SessionState.CANCELLED, SessionState.DOSE_WITHHELD})


def session_choice_text(s: SessionInfo) -> str:
    moment = s.first_dose_at or s.scheduled_at
    room = f", {room_text(s.room)}" if s.room.strip() else ""  # never "room Room 2"
    return f"{day_clock_text(moment)} – {SessionState(s.state).label}{room}"


def followable_sessions(sessions: list[SessionInfo]) -> list[SessionInfo]:
    """Sessions that took place (checked in at least, not cancelled or withheld)."""
    return [s for s in sessions if SessionState(s.state) not in _NOT_HELD]


class NewIntegrationDialog(_FormDialog):
    """Start an integration note: the dosing session it follows up (optional), when held."""

    unsaved_thing = str(QT_TRANSLATE_NOOP("NewIntegrationDialog", "integration note"))

    def __init__(self, app: AppContext, course: CourseInfo, parent: QWidget | None = None) -> None:
        intro = QCoreApplication.translate(
            "NewIntegrationDialog",
            "An integration session on the course {protocol} v{version}; it may follow up "
            "one of its dosing sessions.",
        )
        super().__init__(
            app,
            QCoreApplication.translate("NewIntegrationDialog", "New integration session"),
            intro.format(protocol=course.protocol_id, version=course.protocol_version),
            QCoreApplication.translate("NewIntegrationDialog", "&Start note"),
            parent,
        )
        self.course = course
        self.created: NoteInfo | None = None
        self.follows = QComboBox()
        self.follows.addItem(
            QCoreApplication.translate(
                "NewIntegrationDialog", "None (not following a dosing session)"
            ),
            None,
        )
        held = followable_sessions(SessionService(app.ctx).sessions_for_course(course.id))
        for s in held:
            self.follows.addItem(session_choice_text(s), s.id)
        self.follows.setCurrentIndex(self.follows.count() - 1)  # the latest session held
        self.held_at = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(app.now().timestamp())))
        self.held_at.setDisplayFormat(f"{date_format()} HH:mm")
        self.held_at.setCalendarPopup(True)
        self.message.setAccessibleName(
            QCoreApplication.translate("NewIntegrationDialog", "Integration session message")
        )
        self._finish_layout(
            [
                Field(
                    QCoreApplication.translate("NewIntegrationDialog", "&Follows dosing session"),
                    self.follows,
                    name="Follows dosing session",
                ),
                Field(
                    QCoreApplication.translate("NewIntegrationDialog", "&Held at"),
                    self.held_at,
                    name="Held at",
                ),
            ],
            {},
        )

    def held_at_utc(self) -> datetime:
        return datetime.fromtimestamp(self.held_at.dateTime().toSecsSinceEpoch(), tz=UTC)

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        try:
            self.created = NoteService(self.app.ctx).create_integration_note(
                self.app.require_actor(),
                self.course.id,
                follows_session_id=self.follows.currentData(),
                held_at=self.held_at_utc(),
            )
        except KapdeskError as exc:
            self._fail(exc)
            return
        self.accept()
