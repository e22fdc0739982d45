"""Find a patient as you type: name, MRN or date of birth.

Typing restarts a 150 ms timer; when it fires, ``PatientService.search`` runs
once. Down/Up in the search box move into the results; Enter (in the box or
the results) or a double-click opens the chart (``patient_opened``). Ctrl+N
adds a patient (PatientDialog) and opens the new chart. Import patients… (Alt+M) reads a
CSV file, shows what it would create (ui.patient_import) and, once imported, lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.text import counted
from kapdesk.services.changes import ChangeSet, Kind
from kapdesk.services.patients import PatientService
from kapdesk.ui.errors import message_of, show_error
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.patient_import import ImportFile, PatientImportDialog, import_title, read_file
from kapdesk.ui.widgets import fill_table, plain_table, row_id
from kapdesk.ui.widgets.fit import fit_columns
from kapdesk.ui.widgets.locale_words import day_text, in_english, translated

if TYPE_CHECKING:
    from kapdesk.services.dtos import PatientInfo
    from kapdesk.ui.app_context import AppContext

SEARCH_DELAY_MS = 150
RESULT_LIMIT = 50
_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
HEADERS = (
    str(QT_TRANSLATE_NOOP("PatientList", "Name")),
    str(QT_TRANSLATE_NOOP("PatientList", "MRN")),
    str(QT_TRANSLATE_NOOP("PatientList", "Born")),
)


class PatientList(QWidget):
    patient_opened = Signal(int)

    def __init__(
        self,
        app: AppContext,
        parent: QWidget | None = None,
        *,
        shortcut_scope: QWidget | None = None,
    ) -> None:
        """``shortcut_scope``: the widget within which Ctrl+N works (default: this list)."""
        super().__init__(parent)
        self.app = app
        self.results: list[PatientInfo] = []

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Name, MRN or date of birth"))
        self.search.setAccessibleName(self.tr("Search patients"))
        self.search.setClearButtonEnabled(True)
        label = QLabel(self.tr("&Search patients"))
        label.setBuddy(self.search)

        self.table: QTableWidget = plain_table(
            translated("PatientList", HEADERS), self.tr("Patients found"), stretch=0
        )
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(rows.defaultSectionSize())  # rows as roomy as before
        fit_columns(self.table, {0: 1})  # a long name wraps: read whole, never cut short
        self.table.setMinimumWidth(300)
        self.count = QLabel()
        self.count.setObjectName("pageSubtitle")
        self.add_button = QPushButton(self.tr("&Add patient…"))
        self.add_button.setToolTip(self.tr("Add patient (Ctrl+N)"))
        self.add_button.setAccessibleName(self.tr("Add patient"))
        self.import_button = QPushButton(self.tr("I&mport patients…"))
        self.import_button.setAccessibleName(self.tr("Import patients from a CSV file"))

        top = QHBoxLayout()  # under the count: the list stays as narrow as its table
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.add_button)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(label)
        root.addWidget(self.search)
        root.addWidget(self.table, 1)
        root.addWidget(self.count)
        root.addLayout(top)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.search.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.cellDoubleClicked.connect(lambda r, _c: self._open_row(r))
        self.add_button.clicked.connect(self.add_patient)
        self.import_button.clicked.connect(self.import_patients)
        self.add_shortcut = QShortcut(QKeySequence("Ctrl+N"), shortcut_scope or self)
        self.add_shortcut.setWhatsThis(self.tr("Add a patient"))
        self.add_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.add_shortcut.activated.connect(self.add_patient)
        self.dialog: PatientDialog | None = None
        self.import_dialog: PatientImportDialog | None = None

        app.signals.actor_changed.connect(self.update_permissions)
        app.signals.data_changed.connect(self._on_data_changed)
        self.update_permissions()
        self.run_search()

    # ------------------------------------------------------------ search
    def run_search(self) -> None:
        self.timer.stop()
        if not self._may_view():
            self.results = []
        else:
            try:
                self.results = PatientService(self.app.ctx).search(
                    self.search.text(), limit=RESULT_LIMIT
                )
            except KapdeskError as exc:
                self.results = []
                self.count.setText(message_of(exc))
                fill_table(self.table, [])
                return
        fill_table(
            self.table,
            [(p.id, (p.display_name, p.mrn, day_text(p.date_of_birth))) for p in self.results],
        )
        if self.results and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self.count.setText(self._count_text(len(self.results)))

    def _count_text(self, n: int) -> str:
        """'3 found', '50+ found', 'No patient matches.', '12 patients', '50+ patients'."""
        more = "+" if n >= RESULT_LIMIT else ""
        if not self._may_view():
            return self.tr("Your role cannot view patients.")
        if self.search.text().strip():
            if not n:
                return self.tr("No patient matches.")
            return self.tr("{count} found").format(count=f"{n}{more}")
        if more:
            return self.tr("{count}+ patients").format(count=n)
        return in_english(counted(n, "patient"), self.tr("%n patient(s)", None, n))

    def _on_data_changed(self, changes: ChangeSet) -> None:
        if changes.touches(Kind.PATIENT):
            self.timer.start()

    # ------------------------------------------------------------ keyboard
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search:
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown):
                if self.timer.isActive():
                    self.run_search()
                if self.table.rowCount():
                    self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                    if key == Qt.Key.Key_Down and self.table.currentRow() < 0:
                        self.table.selectRow(0)
                return True
            if key in _OPEN_KEYS:
                if self.timer.isActive():
                    self.run_search()
                self.open_current()
                return True
        elif watched is self.table:
            if key in _OPEN_KEYS:
                self.open_current()
                return True
            if key == Qt.Key.Key_Up and self.table.currentRow() <= 0:
                self.search.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
            if (
                event.text().isprintable()
                and event.text().strip()
                and not event.modifiers()
                & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
            ):
                # Typing in the results continues the search.
                self.search.setFocus(Qt.FocusReason.OtherFocusReason)
                self.search.insert(event.text())
                return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search.selectAll()

    # ------------------------------------------------------------ opening
    def open_current(self) -> None:
        row = self.table.currentRow()
        if row < 0 and self.table.rowCount():
            row = 0
        self._open_row(row)

    def _open_row(self, row: int) -> None:
        patient_id = row_id(self.table, row)
        if patient_id is not None:
            self.patient_opened.emit(patient_id)

    def select_patient(self, patient_id: int) -> None:
        for r in range(self.table.rowCount()):
            if row_id(self.table, r) == patient_id:
                self.table.selectRow(r)
                return

    # ------------------------------------------------------------ adding
    def make_dialog(self) -> PatientDialog:
        return PatientDialog(self.app, None, self)

    def add_patient(self) -> None:
        if not self.add_button.isEnabled():
            return
        dialog = self.make_dialog()
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._added(dialog))
        dialog.open()

    def _added(self, dialog: PatientDialog) -> None:
        patient = dialog.result_patient
        if patient is None:
            return
        self.search.blockSignals(True)
        self.search.setText(patient.mrn)
        self.search.blockSignals(False)
        self.run_search()
        self.select_patient(patient.id)
        self.patient_opened.emit(patient.id)

    # ------------------------------------------------------------ importing
    def import_patients(self) -> None:
        """Import patients…: a CSV file, its dry-run report, then Import (ui.patient_import)."""
        if not self.import_button.isEnabled():
            return
        path = ImportFile.ask(self)
        if path is None:
            return
        data = read_file(path)
        if isinstance(data, str):
            show_error(self, data, title=import_title())
            return
        try:
            dialog = PatientImportDialog(self.app, path, data, self)
        except KapdeskError as exc:
            show_error(self, exc, title=import_title())
            return
        self.import_dialog = dialog
        dialog.accepted.connect(lambda: self._imported(dialog))
        dialog.open()

    def _imported(self, dialog: PatientImportDialog) -> None:
        if not dialog.created:
            return
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.run_search()
        self.select_patient(dialog.created[0].id)
        imported = self.tr("{text} ({count} imported)")
        self.count.setText(imported.format(text=self.count.text(), count=len(dialog.created)))

    # ------------------------------------------------------------ permissions
    def _may_view(self) -> bool:
        actor = self.app.actor
        return actor is not None and can(actor.role, Action.VIEW_PATIENT)

    def update_permissions(self) -> None:
        actor = self.app.actor
        may_add = actor is not None and can(actor.role, Action.EDIT_PATIENT)
        self.add_button.setEnabled(may_add)
        self.import_button.setEnabled(may_add)
        cannot = self.tr("Your role cannot add patients.")
        self.import_button.setToolTip(
            self.tr(
                "Import patients from a CSV file (all of them, or none when a row has a problem)"
            )
            if may_add
            else cannot
        )
        self.add_button.setToolTip(self.tr("Add patient (Ctrl+N)") if may_add else cannot)
        self.search.setEnabled(self._may_view())
        self.run_search()
