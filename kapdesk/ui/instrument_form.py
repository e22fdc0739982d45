"""PHQ-9 / GAD-7 entry, keyboard first, with the published item texts and attribution.

Each item is one focusable row with four answers (0-3). Typing a digit answers
the focused item and moves to the next (after the last: the Save button);
Left/Right change the answer, Up/Down move between items, Delete clears it.
The total and severity band update as answers come in, and PHQ-9 item 9 above
0 raises a red flag for clinician follow-up at once. Saving goes through
``InstrumentService.record``; afterwards ``dialog.recorded`` is the stored
``InstrumentInfo`` (the service's change set has told every view).

Saving under a course that has ended (the form offers the patient's latest course)
asks first (``FilingChoice``): file it under that course, with what that does to its
outcome (``InstrumentService.filing_effect``), start a new course and file it there, or
go back to the form. Esc, Cancel or closing with answers given asks before discarding
them (``discard_guard``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.instruments import PHQ9, Instrument, get_instrument, score_instrument
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.wording import shown
from kapdesk.i18n import _
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.ui.chart_texts import course_status_text
from kapdesk.ui.course_dialog import StartCourseDialog
from kapdesk.ui.discard_guard import FormState, answer_or_back, may_close
from kapdesk.ui.errors import message_of
from kapdesk.ui.widgets import (
    Field,
    FieldSet,
    banner,
    error_label,
    fit_wrapped_labels,
    set_banner,
    set_error,
)
from kapdesk.ui.widgets.locale_words import date_format, day_text

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseInfo, InstrumentInfo
    from kapdesk.ui.app_context import AppContext

ANSWER_WIDTH = 92
ITEM_TEXT_WIDTH = 420
ITEM9_FLAG_TEXT = str(
    QT_TRANSLATE_NOOP(
        "InstrumentForm",
        "Item 9 (thoughts of self-harm) answered > 0 – clinician follow-up required.",
    )
)


def flagged_items(instrument: Instrument, answers: list[int | None]) -> list[int]:
    """1-based follow-up items (PHQ-9: item 9) answered above 0 so far."""
    return [n for n in instrument.follow_up_items if (answers[n - 1] or 0) > 0]


def flag_text(instrument: Instrument, items: list[int]) -> str:
    if not items:
        return ""
    if instrument is PHQ9 and items == [9]:
        return QCoreApplication.translate("InstrumentForm", ITEM9_FLAG_TEXT)
    numbers = ", ".join(str(n) for n in items)
    text = QCoreApplication.translate(
        "InstrumentForm", "Item {numbers} answered > 0 – clinician follow-up required."
    )
    return text.format(numbers=numbers)


class ItemRow(QFrame):
    """One item: its number and text and four answers; answered by keyboard or mouse."""

    changed = Signal()
    advance = Signal(int)  # +1: next item, -1: previous item

    def __init__(self, number: int, text: str, labels: tuple[str, ...]) -> None:
        super().__init__()
        self.number = number
        self.setObjectName("instrumentItem")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Item {number}: {text}").format(number=number, text=text))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        num = QLabel(f"{number}.")
        num.setFixedWidth(22)
        num.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        # Wrapped labels do not tell a dialog their height: reserve it for the narrowest width.
        self.text.setMinimumWidth(ITEM_TEXT_WIDTH)
        lay.addWidget(num)
        lay.addWidget(self.text, 1)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QRadioButton] = []
        for value, label in enumerate(labels):
            button = QRadioButton(str(value))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAccessibleName(
                self.tr("Item {number}: {value} {label}").format(
                    number=number, value=value, label=label
                )
            )
            button.setToolTip(label)
            cell = QWidget()
            cell.setFixedWidth(ANSWER_WIDTH)
            cell_lay = QHBoxLayout(cell)
            cell_lay.setContentsMargins(0, 0, 0, 0)
            cell_lay.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(cell)
            self.group.addButton(button, value)
            self.buttons.append(button)
        self.group.idClicked.connect(lambda _id: self._changed())

    def value(self) -> int | None:
        checked = self.group.checkedId()
        return None if checked < 0 else checked

    def set_value(self, value: int | None) -> None:
        if value is None:
            self.group.setExclusive(False)
            for b in self.buttons:
                b.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.buttons[value].setChecked(True)
        self._changed()

    def _changed(self) -> None:
        value = self.value()
        if value is None:
            self.setAccessibleDescription(self.tr("not answered"))
        else:
            answer = self.tr("answer {value}: {label}")
            self.setAccessibleDescription(
                answer.format(value=value, label=self.buttons[value].toolTip())
            )
        self.changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text, top = event.key(), event.text(), len(self.buttons) - 1
        current = self.value()
        if len(text) == 1 and "0" <= text <= str(top):
            self.set_value(int(text))
            self.advance.emit(1)
        elif key == Qt.Key.Key_Right:
            self.set_value(0 if current is None else min(current + 1, top))
        elif key == Qt.Key.Key_Left:
            self.set_value(0 if current is None else max(current - 1, 0))
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.set_value(None)
        elif key == Qt.Key.Key_Down:
            self.advance.emit(1)
        elif key == Qt.Key.Key_Up:
            self.advance.emit(-1)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.setProperty("current", True)
        self.style().unpolish(self)
        self.style().polish(self)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.setProperty("current", False)
        self.style().unpolish(self)
        self.style().polish(self)
        super().focusOutEvent(event)


class InstrumentForm(QWidget):
    """The questionnaire itself: stem, items, live total and band, follow-up flag."""

    completed = Signal()  # the last item was answered by keyboard

    def __init__(self, instrument: Instrument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instrument = instrument
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(2)
        head = QHBoxLayout()
        head.setContentsMargins(6, 0, 6, 0)
        stem = QLabel(_(instrument.stem))
        stem.setWordWrap(True)
        stem.setObjectName("instrumentStem")
        head.addWidget(stem, 1)
        labels = tuple(_(label) for label in instrument.answer_labels)
        for value, label in enumerate(labels):
            cell = QLabel(f"{value}\n{label}")
            cell.setWordWrap(True)
            cell.setFixedWidth(ANSWER_WIDTH)
            cell.setMinimumWidth(ANSWER_WIDTH)
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignBottom)
            cell.setObjectName("answerHeader")
            head.addWidget(cell)
        root.addLayout(head)
        self.rows: list[ItemRow] = []
        for number, text in enumerate(instrument.items, start=1):
            row = ItemRow(number, _(text), labels)
            row.changed.connect(self.update_summary)
            row.advance.connect(lambda step, n=number: self._move(n - 1 + step))
            root.addWidget(row)
            self.rows.append(row)
        self.total = QLabel()
        self.total.setObjectName("instrumentTotal")
        self.total.setAccessibleName(self.tr("Total"))
        self.band_rule = QLabel()
        self.band_rule.setObjectName("pageSubtitle")
        self.flag = banner()
        self.flag.setAccessibleName(self.tr("Follow-up flag"))
        root.addSpacing(6)
        root.addWidget(self.total)
        root.addWidget(self.band_rule)
        root.addWidget(self.flag)
        self.update_summary()

    def min_width(self) -> int:
        return ITEM_TEXT_WIDTH + len(self.instrument.answer_labels) * ANSWER_WIDTH + 60

    def showEvent(self, event: QShowEvent) -> None:
        fit_wrapped_labels(self.window(), self.min_width())
        super().showEvent(event)

    def answers(self) -> list[int | None]:
        return [r.value() for r in self.rows]

    def set_answers(self, answers: list[int | None]) -> None:
        for row, value in zip(self.rows, answers, strict=True):
            row.set_value(value)

    def first_unanswered(self) -> int | None:
        """0-based index of the first item without an answer."""
        return next((i for i, v in enumerate(self.answers()) if v is None), None)

    def focus_item(self, index: int) -> None:
        self.rows[index].setFocus(Qt.FocusReason.OtherFocusReason)

    def _move(self, index: int) -> None:
        if index >= len(self.rows):
            self.completed.emit()
        elif index >= 0:
            self.focus_item(index)

    def update_summary(self) -> None:
        answers = self.answers()
        given = [a for a in answers if a is not None]
        top = self.instrument.max_total
        n = len(answers)
        if len(given) == n:
            score = score_instrument(self.instrument.code, [int(a) for a in given])
            total = self.tr("Total {total} / {top} – {band}")
            self.total.setText(total.format(total=score.total, top=top, band=_(score.band)))
            self.band_rule.setText(shown(score.band_rule))
        else:
            so_far = self.tr("Total so far {total} / {top} ({given} of {count} items answered)")
            self.total.setText(so_far.format(total=sum(given), top=top, given=len(given), count=n))
            self.band_rule.setText("")
        self.band_rule.setVisible(bool(self.band_rule.text()))
        set_banner(self.flag, flag_text(self.instrument, flagged_items(self.instrument, answers)))
        if self.isVisible():
            fit_wrapped_labels(self.window(), self.min_width())


class FilingChoice:
    """Where a result goes when the course on offer has ended (tests replace ``ask``)."""

    @classmethod
    def ask(
        cls, parent: QWidget | None, course: str, effect: str, may_start: bool = True
    ) -> str | None:
        """'file' (under the ended course), 'new' (start a new course; offered when
        ``may_start``) or None (go back)."""
        ended = QCoreApplication.translate(
            "FilingChoice", "The course on offer has ended: {course}."
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            QCoreApplication.translate("FilingChoice", "Course has ended"),
            ended.format(course=course),
            parent=parent,
        )
        question = (
            QCoreApplication.translate(
                "FilingChoice", "File it under the ended course, or start a new course for it?"
            )
            if may_start
            else QCoreApplication.translate(
                "FilingChoice",
                "File it under the ended course? (A clinician can start a new course.)",
            )
        )
        box.setInformativeText(f"{effect}\n\n{question}")
        file_text = QCoreApplication.translate("FilingChoice", "&File under the ended course")
        choices: dict[QAbstractButton, str] = {
            box.addButton(file_text, QMessageBox.ButtonRole.AcceptRole): "file"
        }
        if may_start:
            new_text = QCoreApplication.translate("FilingChoice", "Start a &new course…")
            choices[box.addButton(new_text, QMessageBox.ButtonRole.ActionRole)] = "new"
        return answer_or_back(box, choices)


def course_text(c: CourseInfo) -> str:
    return QCoreApplication.translate(
        "InstrumentDialog", "{protocol} v{version}, started {started} ({status})"
    ).format(
        protocol=c.protocol_id,
        version=c.protocol_version,
        started=day_text(c.started_on),
        status=course_status_text(c),
    )


def _to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


class InstrumentDialog(QDialog):
    """Record one PHQ-9 or GAD-7 for a patient, linked to a course (and session) if given."""

    def __init__(
        self,
        app: AppContext,
        patient_id: int,
        instrument: str = "PHQ-9",
        *,
        course_id: int | None = None,
        session_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.patient_id = patient_id
        self.session_id = session_id
        self.instrument = get_instrument(instrument)
        self.recorded: InstrumentInfo | None = None
        self.setWindowTitle(self.tr("Record {code}").format(code=self.instrument.code))
        self.setModal(True)
        # No minimum size on the dialog itself: then its layout's minimum (which counts
        # the wrapped item texts) applies.

        root = QVBoxLayout(self)
        title = QLabel(_(self.instrument.title))
        title.setObjectName("pageTitle")
        root.addWidget(title)

        self.course = QComboBox()
        self.course.addItem(self.tr("No course"), None)
        self.courses = {c.id: c for c in CourseService(app.ctx).list_for_patient(patient_id)}
        for c in self.courses.values():
            self.course.addItem(course_text(c), c.id)
        if course_id is not None:
            self.course.setCurrentIndex(max(self.course.findData(course_id), 0))
        elif self.course.count() > 1:
            self.course.setCurrentIndex(self.course.count() - 1)
        self.taken_at = QDateTimeEdit(_to_qdatetime(app.now()))
        self.taken_at.setDisplayFormat(f"{date_format()} HH:mm")
        self.taken_at.setCalendarPopup(True)
        course_field = Field(self.tr("C&ourse"), self.course, name="Course")
        taken_field = Field(self.tr("&Taken at"), self.taken_at, name="Taken at")
        self.fields = FieldSet([course_field, taken_field], {"Session": "Course"})
        top = QFormLayout()
        course_field.add_to(top)
        taken_field.add_to(top)
        root.addLayout(top)
        if session_id is not None:
            self.course.setEnabled(False)

        self.form = InstrumentForm(self.instrument, self)
        root.addWidget(self.form)
        self.message = error_label()
        self.message.setAccessibleName(self.tr("{code} message").format(code=self.instrument.code))
        root.addWidget(self.message)
        attribution = QLabel(f"{self.instrument.reference} {self.instrument.attribution}")
        attribution.setObjectName("attribution")
        attribution.setWordWrap(True)
        root.addWidget(attribution)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save {code}").format(code=self.instrument.code))
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)
        self.form.completed.connect(
            lambda: self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)
        )
        fit_wrapped_labels(self, self.form.min_width())
        self.form.focus_item(0)
        self.state = FormState(self)

    def reject(self) -> None:
        if may_close(self, self.instrument.code, self.state):
            super().reject()

    def taken_at_utc(self) -> datetime:
        return datetime.fromtimestamp(self.taken_at.dateTime().toSecsSinceEpoch(), tz=UTC)

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        missing = self.form.first_unanswered()
        if missing is not None:
            unanswered = self.tr(
                "{code} item {number} is not answered yet; answer every item (0-{top})."
            )
            set_error(
                self.message,
                unanswered.format(
                    code=self.instrument.code, number=missing + 1, top=self.instrument.max_item
                ),
            )
            self.form.focus_item(missing)
            return
        answers = [int(a) for a in self.form.answers() if a is not None]
        try:
            course_id, after_end = self._where_to_file(sum(answers))
            if course_id == -1:
                return  # back to the form
            self.recorded = InstrumentService(self.app.ctx).record(
                self.app.require_actor(),
                self.patient_id,
                self.instrument.code,
                answers,
                taken_at=self.taken_at_utc(),
                course_id=course_id,
                session_id=self.session_id,
                after_course_end=after_end,
            )
        except ValidationError as exc:
            if exc.field.startswith(f"{self.instrument.code} item "):
                set_error(self.message, exc.message)
                number = int(exc.field.rsplit(" ", 1)[1])
                self.form.focus_item(number - 1)
            elif not self.fields.show_error(exc.field, exc.message):
                set_error(self.message, exc.message)
            return
        except KapdeskError as exc:  # PermissionDenied, NotFound, DatabaseBusy
            set_error(self.message, message_of(exc))
            return
        self.accept()

    def _where_to_file(self, total: int) -> tuple[int | None, bool]:
        """(course id, filed after its end); course id -1: the person went back to the form."""
        course_id: int | None = self.course.currentData()
        course = self.courses.get(course_id) if course_id is not None else None
        if self.session_id is not None or course is None or course.ended_on is None:
            return course_id, False
        effect = InstrumentService(self.app.ctx).filing_effect(
            course.id, self.instrument.code, total, self.taken_at_utc()
        )
        may_start = self.app.actor is not None and can(self.app.actor.role, Action.MANAGE_COURSES)
        choice = FilingChoice.ask(self, course_text(course), effect.text, may_start)
        if choice == "file":
            return course.id, True
        if choice == "new":
            started = self._start_course()
            if started is not None:
                return started, False
        return -1, False

    def _start_course(self) -> int | None:
        dialog = StartCourseDialog(self.app, self.patient_id, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.created is None:
            return None
        created = dialog.created
        self.courses[created.id] = created
        self.course.addItem(course_text(created), created.id)
        self.course.setCurrentIndex(self.course.count() - 1)
        return created.id
