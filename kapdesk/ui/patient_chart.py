"""A patient's chart: demographics and alerts, courses, sessions, outcomes, integration notes.

Opening a chart audits the view (``PatientService.record_view``); a role that
may not view charts sees only a sentence saying so. The chart reads everything
through the services and refreshes when ``actor_changed`` fires or ``data_changed``
brings a change of this patient (coalesced into one refresh per event-loop
turn). Buttons for actions the signed-in role cannot do are disabled with a
tooltip; the services enforce.

Top to bottom: name and demographics, allergies / contraindications (amber),
the item-9 banner (red) when the latest PHQ-9 has item 9 above 0, the course
selector with the course outcome line (the follow-ups folded under it), then three
tabs: Outcomes (trend plot and PHQ-9 / GAD-7 history: beside it where both fit, under
it in a narrower window), Sessions (double-click or Enter opens one), and
Integration notes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.session_state import state_title
from kapdesk.i18n import _
from kapdesk.services.chart_reads import ChartReads
from kapdesk.services.patients import PatientService
from kapdesk.ui.chart_actions import ChartActions
from kapdesk.ui.chart_texts import (
    PHQ_HEADERS,
    SESSION_HEADERS,
    allergy_text,
    course_info_text,
    course_text,
    demographics_text,
    signed_text,
)
from kapdesk.ui.course_dialog import StartCourseDialog
from kapdesk.ui.entered_in_error import table_menu
from kapdesk.ui.entry_rows import fill_instrument_rows, standing
from kapdesk.ui.errors import message_of
from kapdesk.ui.follow_up_list import FollowUpList
from kapdesk.ui.integration_notes_panel import IntegrationNotesPanel
from kapdesk.ui.outcomes_tab import OutcomesTab
from kapdesk.ui.printing import ReportActions
from kapdesk.ui.widgets import banner, fill_table, local_time, plain_table, set_banner
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.locale_words import day_text, translated
from kapdesk.ui.widgets.open_rows import open_rows_by_id
from kapdesk.ui.widgets.outcome_chart import (
    OutcomeChart,
    item9_banner_text,
    outcome_text,
    scoring_rules_text,
)
from kapdesk.ui.widgets.scroll_page import ScrollPage
from kapdesk.ui.widgets.wrap_label import WrapLabel

if TYPE_CHECKING:
    from kapdesk.services.changes import ChangeSet
    from kapdesk.services.chart_reads import CourseRead
    from kapdesk.services.dtos import CourseInfo, InstrumentInfo, PatientInfo
    from kapdesk.ui.app_context import AppContext


class PatientChart(ChartActions):
    """A patient's chart; ``patient_id`` None: an empty chart, built ahead of the first open
    (``deferred``: part by part through :meth:`build_step`, see ui/chart_warmup.py) and then
    shown with :meth:`show_patient`. It reads and audits nothing until then."""

    def __init__(
        self,
        app: AppContext,
        patient_id: int | None,
        parent: QWidget | None = None,
        *,
        deferred: bool = False,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.patient_id = patient_id
        self.patient: PatientInfo | None = None
        self.courses: list[CourseInfo] = []
        self.phq9: list[InstrumentInfo] = []
        self.dialog: QWidget | None = None
        self.viewed_by: int | None = None

        self.denied = QLabel()
        self.denied.setObjectName("pageSubtitle")
        self.denied.setWordWrap(True)
        self.denied.hide()
        self.body = QWidget()
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.denied)
        root.addWidget(self.body, 1)
        # The parts of the chart, each built in one step (one event-loop turn when deferred).
        self._parts: list[Callable[[], bool | None]] = [
            self._build_head,
            self._create_plot,
            self._build_plot,  # a part of the plot a step
            self._build_instrument_tables,
            self._build_outcomes_tab,
            self._build_sessions_tab,
            self._build_notes,
            self._build_tabs,
            self._assemble,
        ]
        if not deferred:
            self.finish_building()
            self._actor_changed()

    @property
    def built(self) -> bool:
        return not self._parts

    def build_step(self) -> bool:
        """Build the next part of the chart; True while parts are left. (A part that
        returns True has more to build: it stays first.)"""
        if self._parts and not self._parts[0]():
            self._parts.pop(0)
        return bool(self._parts)

    def finish_building(self) -> None:
        """Build every part left (none: nothing happens)."""
        while self.build_step():
            pass

    # ------------------------------------------------------------ layout
    def _build_head(self) -> None:
        self.name = QLabel()
        self.name.setObjectName("pageTitle")
        self.demographics = WrapLabel()  # wraps in a narrow window, never cut
        self.demographics.setObjectName("pageSubtitle")
        self.demographics.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton(self.tr("&Edit patient…"))
        head = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.name)
        names.addWidget(self.demographics)
        head.addLayout(names, 1)
        head.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.allergy_banner = banner()
        self.item9_banner = banner()

        self.course_combo = QComboBox()
        self.course_combo.setAccessibleName(self.tr("Treatment course"))
        # Its text elides before the course buttons beside it are squeezed (1024 px).
        self.course_combo.setMinimumWidth(100)
        course_label = QLabel(self.tr("Treatment co&urse"))
        course_label.setBuddy(self.course_combo)
        self.course_info = WrapLabel()
        self.course_info.setObjectName("pageSubtitle")
        self.start_course_button = QPushButton(self.tr("S&tart course…"))
        self.schedule_button = QPushButton(self.tr("Schedu&le session…"))
        course_row = QHBoxLayout()
        course_row.addWidget(course_label)
        course_row.addWidget(self.course_combo, 1)
        course_row.addWidget(self.start_course_button)
        course_row.addWidget(self.schedule_button)
        # In the body's layout at once: a chart dropped half built (the warm-up's, when the
        # window is rebuilt) must leave no layout of its own for the garbage collector, which
        # deleted a nested one after its parent and crashed Qt.
        self._body_layout = lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.allergy_banner)
        lay.addWidget(self.item9_banner)
        lay.addLayout(course_row)
        self.report_actions = ReportActions(
            self.app,
            self,
            self._course_target,
            nothing=self.tr("Choose a treatment course to print its summary."),
            print_text=self.tr("Print course summary…"),
        )
        self.outcome = WrapLabel()
        self.outcome.setObjectName("outcomeLine")
        self.outcome.setAccessibleName(self.tr("Course outcome"))
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.follow_ups = FollowUpList()

    def _build_notes(self) -> None:
        self.notes_panel = IntegrationNotesPanel(self.app, self)

    def _build_tabs(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self.outcomes_tab, self.tr("&Outcomes"))
        self.tabs.addTab(self.sessions_tab, self.tr("Sess&ions"))
        self.tabs.addTab(self.notes_panel, self.tr("Integration &notes"))

    def _assemble(self) -> None:
        """Who the patient is, the banners and the course shown stay in sight; under them
        the course's outcome and tabs scroll when the window is too short for them
        (1024x700: the plot, and the tables under it, at their least heights), never
        squeezed or cut off."""
        self.page = ScrollPage()
        self._body_layout.addWidget(self.page, 1)
        lay = QVBoxLayout(self.page.page)
        lay.setContentsMargins(0, 0, 0, 0)
        course_info_row = QHBoxLayout()
        course_info_row.addWidget(self.course_info, 1)
        course_info_row.addWidget(self.report_actions.buttons(), 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(course_info_row)
        lay.addWidget(self.outcome)
        lay.addWidget(self.follow_ups)
        lay.addWidget(self.tabs, 1)

        self.edit_button.clicked.connect(self.edit_patient)
        self.course_combo.currentIndexChanged.connect(self._course_chosen)
        self.start_course_button.clicked.connect(self.start_course)
        self.schedule_button.clicked.connect(self.schedule_session)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self.app.signals.data_changed.connect(self._on_data_changed)
        self.app.signals.actor_changed.connect(self._actor_changed)

    def _create_plot(self) -> None:
        self.outcome_chart = OutcomeChart(deferred=True)
        self.outcome_chart.setMinimumHeight(240)

    def _build_plot(self) -> bool:
        return self.outcome_chart.build_step()

    def _build_instrument_tables(self) -> None:
        self.phq_table = plain_table(
            translated("PatientChart", PHQ_HEADERS), self.tr("PHQ-9 history"), stretch=2
        )
        self.gad_table = plain_table(
            translated("PatientChart", PHQ_HEADERS[:3]), self.tr("GAD-7 history"), stretch=2
        )
        self.instrument_menus = [table_menu(self.app, t) for t in (self.phq_table, self.gad_table)]

    def _build_outcomes_tab(self) -> None:
        tab = self.outcomes_tab = OutcomesTab(self.outcome_chart, self.phq_table, self.gad_table)
        self.phq_button, self.gad_button = tab.phq_button, tab.gad_button
        self.scoring_rules = tab.scoring_rules
        self.phq_button.clicked.connect(lambda: self.record_instrument("PHQ-9"))
        self.gad_button.clicked.connect(lambda: self.record_instrument("GAD-7"))

    def _build_sessions_tab(self) -> None:
        self.sessions_table = plain_table(
            translated("PatientChart", SESSION_HEADERS), self.tr("Dosing sessions")
        )
        fit_columns(self.sessions_table, {2: 1, 5: 1})  # protocol, signature wrap: no scrolling
        open_rows_by_id(self.sessions_table, self._open_session)
        hint = QLabel(self.tr("Double-click or press Enter to open a session."))
        hint.setObjectName("pageSubtitle")
        tab = QWidget()
        lay = QVBoxLayout(tab)
        lay.addWidget(self.sessions_table, 1)
        lay.addWidget(hint)
        self.sessions_tab = tab

    # ------------------------------------------------------------ data
    def _actor_changed(self) -> None:
        """Audit the view for whoever is signed in now; refuse roles that may not look."""
        if self.patient_id is None:  # built ahead, no patient yet: nothing to read or audit
            return
        actor = self.app.actor
        if actor is not None and actor.user_id != self.viewed_by:
            try:
                PatientService(self.app.ctx).record_view(actor, self.patient_id)
            except KapdeskError as exc:
                self._deny(message_of(exc))
                return
            self.viewed_by = actor.user_id
        elif actor is None:
            self._deny(self.tr("Sign in to view this chart."))
            return
        self.denied.clear()
        self.denied.hide()
        self.body.show()
        self.refresh()

    def _on_data_changed(self, changes: ChangeSet) -> None:
        # another patient's change (or no patient yet): not ours
        if self.patient_id is not None and changes.touches_patient(self.patient_id):
            self._refresh_timer.start()

    def close_editors(self) -> None:
        """Close open note editors (each saves its draft); call before discarding the chart."""
        for editor in list(self.notes_panel.editors.values()):
            editor.close()

    def show_patient(self, patient_id: int) -> None:
        """Show another patient in this chart, as a chart built for them would show them:
        the Outcomes tab, their newest course, no row selected, the follow-ups folded, the
        page at its top, the view audited.

        The windows opened from the previous patient's chart go, as they went with a
        discarded chart: note editors are closed (each saves its draft), dialogs dropped.
        Every view is emptied before the next patient is read, so a part that cannot be read
        (the database busy) shows nothing rather than the previous patient's.
        Reusing the widgets spares building and styling ~300 of them on every open.
        A chart built ahead (no patient yet) builds what is left of it first.
        """
        self.finish_building()
        if patient_id == self.patient_id:
            if self.body.isHidden():  # refused (the database was busy): open it again
                self._actor_changed()
            else:
                self.refresh()
            return
        self.close_editors()
        for dialog in self.findChildren(QDialog):
            dialog.hide()
            dialog.deleteLater()
        self.notes_panel.editors.clear()
        self.dialog = self.notes_panel.dialog = self.report_actions.dialog = None
        for menu in self.instrument_menus:  # an entry's menu or dialog is the window's child
            for window in (menu.menu, menu.dialog):
                if window is not None and shiboken6.isValid(window):  # a menu deletes itself
                    window.hide()
                    window.deleteLater()
            menu.menu = menu.dialog = None
        self._refresh_timer.stop()
        self.patient_id = patient_id
        self.viewed_by = None
        self._clear()
        self.tabs.setCurrentIndex(0)
        self._actor_changed()

    def _clear(self) -> None:
        """Show no patient, so that nothing of the previous one stays when the next one
        cannot be read (or not all of them): no text, banner, course, row or plot point."""
        self.patient, self.courses, self.phq9 = None, [], []
        for label in (self.name, self.demographics, self.course_info, self.scoring_rules):
            label.clear()
        set_banner(self.allergy_banner, "", "caution")
        set_banner(self.item9_banner, "", "alert")
        self.follow_ups.clear()
        self.page.verticalScrollBar().setValue(0)  # the next patient from the top
        self.course_combo.blockSignals(True)
        self.course_combo.clear()
        self.course_combo.blockSignals(False)
        for table in (self.phq_table, self.gad_table, self.sessions_table):
            table.setRowCount(0)  # no current row kept, scrolled to the top
        self._show_no_outcome("")  # the notes table too; the actions follow

    def _deny(self, text: str) -> None:
        self.viewed_by = None
        self.denied.setText(text)
        self.denied.show()
        self.body.hide()
        self.update_permissions()  # the print actions are window-wide: none without a course

    def refresh(self) -> None:
        if self.body.isHidden() or self.patient_id is None:
            return
        keep = self.course_combo.currentData()
        try:  # one transaction: the patient, courses, results, sessions, the course shown
            head = ChartReads(self.app.ctx).for_patient(self.patient_id, keep)
        except KapdeskError as exc:
            self._deny(message_of(exc))
            return
        sessions = head.sessions
        self.patient, self.courses, self.phq9, gad7 = (
            head.patient, head.courses, head.phq9, head.gad7
        )  # fmt: skip
        p = self.patient
        today = self.app.now().astimezone().date()
        self.name.setText(f"{p.family_name}, {p.given_name}")
        self.demographics.setText(demographics_text(p, today))
        set_banner(self.allergy_banner, allergy_text(p), "caution")
        set_banner(self.item9_banner, item9_banner_text(standing(self.phq9)), "alert")

        self.course_combo.blockSignals(True)
        self.course_combo.clear()
        for c in reversed(self.courses):  # newest first
            self.course_combo.addItem(course_text(c), c.id)
        if self.course_combo.count() == 0:
            self.course_combo.addItem(self.tr("No treatment course yet"), None)
        shown = head.course.course_id if head.course is not None else None
        self.course_combo.setCurrentIndex(max(self.course_combo.findData(shown), 0))
        self.course_combo.blockSignals(False)

        fill_instrument_rows(  # entered in error: struck through, with who, when, why
            self.phq_table,
            list(reversed(self.phq9)),
            lambda r: (day_text(r.taken_at), str(r.total), _(r.band), str(r.answers[8])),
            bold=lambda r: r.item9_flag,
        )
        fill_instrument_rows(
            self.gad_table,
            list(reversed(gad7)),
            lambda r: (day_text(r.taken_at), str(r.total), _(r.band)),
        )
        self.scoring_rules.setText(scoring_rules_text([*self.phq9, *gad7]))
        fill_table(
            self.sessions_table,
            [
                (
                    s.id,
                    (
                        day_text(s.scheduled_at),
                        local_time(s.scheduled_at),
                        s.protocol_label,
                        state_title(s.state),
                        s.room,
                        signed_text(s),
                    ),
                )
                for s in sessions
            ],
        )
        self._show_course(head.course)
        self._settle()

    def _settle(self) -> None:
        """A shown chart filled: lay it out and place the plot's view, labels and texts now,
        before it paints. Left to the paint (pyqtgraph's prepareForPaint, after the banners
        and texts changed the plot's size and the results its range), they moved in it and
        the plot painted twice on every open (~10 ms). Not while hidden: a chart laid out
        before it is first shown came out 2 px shorter (see patients_page)."""
        layout = self.body.layout()
        if self.isVisible() and layout is not None:
            layout.activate()
            self.page.settle()
            self.outcome_chart.plot.scene().prepareForPaint()

    def _course_chosen(self, _index: int) -> None:
        self._show_course()
        self._settle()  # the plot paints once, as when a patient is opened

    def _show_course(self, read: CourseRead | None = None) -> None:
        """The selected course's outcome and notes: ``read`` when the chart's read brought
        them, else read now (another course chosen)."""
        course = self.selected_course()
        if course is None:
            self.course_info.setText("")
            self._show_no_outcome(self.tr("Start a treatment course to schedule dosing sessions."))
            self.follow_ups.set_outcome(None)
            return
        self.course_info.setText(course_info_text(course))
        try:
            if read is None or read.course_id != course.id:
                read = ChartReads(self.app.ctx).for_course(course.id)
        except KapdeskError as exc:
            # Nothing of another course (or patient) stays: its notes would take a new note.
            self._show_no_outcome(
                self.tr("The course outcome could not be read: {error}").format(error=exc)
            )
            self.follow_ups.set_outcome(None)
            code = self.outcome_chart.instrument.code  # not "none recorded": none were read
            self.outcome_chart.empty.setText(
                self.tr("The {code} results of this course could not be read.").format(code=code)
            )
            return
        self.outcome.setText(outcome_text(read.outcome))
        self.follow_ups.set_outcome(read.outcome)
        self.outcome_chart.set_outcome(read.outcome, origin=course.started_on)
        self.notes_panel.set_course(course, read.notes, read.started)
        self.update_permissions()

    def _show_no_outcome(self, message: str) -> None:
        self.outcome.setText(message)
        self.outcome_chart.set_results([], origin=None)
        self.notes_panel.set_course(None)
        self.update_permissions()

    # ------------------------------------------------------------ actions
    def start_course(self) -> None:
        if self.patient_id is None:
            return
        dialog = StartCourseDialog(self.app, self.patient_id, self)
        dialog.accepted.connect(lambda: self._select_course(dialog.created))
        self._show(dialog)

    def _select_course(self, course: CourseInfo | None) -> None:
        self.refresh()
        if course is not None:
            self.course_combo.setCurrentIndex(max(self.course_combo.findData(course.id), 0))
