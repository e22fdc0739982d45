"""Import patients… on the Patients screen: pick a CSV, see what it would create, import.

:class:`ImportFile.ask` picks the file (tests replace it). :class:`PatientImportDialog`
shows the service's dry run (``PatientImportService.check``): the rows that would be
created, or every problem with its line, column, value and what is allowed. The Import
button is there only when the file has no problem; importing checks the file again in
the write (``import_file``): a problem found then (a colleague added one of its MRNs
meanwhile) is shown instead and nothing is stored. After an import ``created`` holds the
stored patients (the service's change set has told the patient list).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.patient_import import shown_value
from kapdesk.domain.text import counted
from kapdesk.services.patient_import import ImportReport, PatientImportService
from kapdesk.ui.chart_texts import sex_text
from kapdesk.ui.errors import error_text
from kapdesk.ui.widgets import banner, error_label, fill_table, plain_table, set_banner, set_error
from kapdesk.ui.widgets.locale_words import day_text, in_english, number_text, translated

if TYPE_CHECKING:
    from kapdesk.services.dtos import PatientInfo
    from kapdesk.ui.app_context import AppContext

CONTEXT = "PatientImportDialog"
TITLE = str(QT_TRANSLATE_NOOP("PatientImportDialog", "Import patients"))  # shown: import_title()
ROW_HEADERS = (
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Line")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "MRN")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Name")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Born")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Sex")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Weight (kg)")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Allergies")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Contraind.")),
)
PROBLEM_HEADERS = (
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Line")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Column")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Value")),
    str(QT_TRANSLATE_NOOP("PatientImportDialog", "Problem")),
)
CELL_MAX = 40
NOTES_SHOWN = 8


def import_title() -> str:
    """'Import patients', in the language spoken."""
    return QCoreApplication.translate(CONTEXT, TITLE)


class ImportFile:
    """Which CSV to import; tests replace ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            import_title(),
            "",
            QCoreApplication.translate(
                "PatientImportDialog", "CSV files (*.csv *.CSV);;All files (*)"
            ),
        )
        return Path(name) if name else None


def _cut(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= CELL_MAX else line[: CELL_MAX - 1] + "…"


class PatientImportDialog(QDialog):
    """The dry-run report of one file and, when it has no problem, its Import button."""

    def __init__(self, app: AppContext, path: Path, data: bytes, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.path = path
        self.data = data
        self.created: tuple[PatientInfo, ...] = ()
        self.setWindowTitle(f"{import_title()}: {path.name}")
        self.setObjectName("patientImportDialog")
        self.resize(920, 520)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("importSummary")
        self.notes = banner()
        self.table: QTableWidget = plain_table(
            translated(CONTEXT, ROW_HEADERS), self.tr("Patients to import")
        )
        self.error = error_label()
        self.buttons = QDialogButtonBox()
        self.import_button: QPushButton = self.buttons.addButton(
            self.tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.import_now)
        self.close_button.clicked.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.notes)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.show_report(PatientImportService(app.ctx).check(data, path.name))

    # ------------------------------------------------------------ showing
    def show_report(self, report: ImportReport) -> None:
        self.report = report
        if report.problems:
            self._show_problems(report)
        else:
            self._show_rows(report)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_rows(self, report: ImportReport) -> None:
        count = len(report.rows)
        n = counted(count, "patient")
        self.summary.setText(
            in_english(
                f"{report.file_name}: {n} would be created, no problems. Nothing is stored "
                "until you press Import; then all of them are, at once.",
                self.tr(
                    "{file}: %n patient(s) would be created, no problems. Nothing is stored "
                    "until you press Import; then all of them are, at once.",
                    None,
                    count,
                ).format(file=report.file_name),
            )
        )
        self.table.setColumnCount(len(ROW_HEADERS))
        self.table.setHorizontalHeaderLabels(translated(CONTEXT, ROW_HEADERS))
        self.table.setAccessibleName(self.tr("Patients to import"))
        self.table.setWordWrap(False)
        fill_table(
            self.table,
            [
                (
                    r.line,
                    (
                        str(r.line),
                        r.patient.mrn,
                        r.display_name,
                        day_text(r.patient.date_of_birth),
                        in_english(r.patient.sex.value, sex_text(r.patient.sex.value)),
                        "" if r.patient.weight_kg is None else number_text(r.patient.weight_kg),
                        _cut(r.patient.allergies),
                        _cut(r.patient.contraindication_notes),
                    ),
                )
                for r in report.rows
            ],
            bold_rows={n.line for n in report.notes},
        )
        set_banner(self.notes, self._notes_text(report), "caution")
        self.import_button.setText(
            in_english(f"&Import {n}", self.tr("&Import %n patient(s)", None, count))
        )
        self.import_button.setVisible(True)
        self.import_button.setDefault(True)
        self.close_button.setText(QCoreApplication.translate("QPlatformTheme", "Cancel"))

    def _notes_text(self, report: ImportReport) -> str:
        """The possible duplicates (bold in the table), for the caution banner; '' for none."""
        if not report.notes:
            return ""
        lines = [n.text() for n in report.notes[:NOTES_SHOWN]]
        if len(report.notes) > NOTES_SHOWN:
            more = self.tr("… and {count} more (in bold below).")
            lines.append(more.format(count=len(report.notes) - NOTES_SHOWN))
        n = len(report.notes)
        head = in_english(
            f"{counted(n, 'possible duplicate')}: check before importing.",
            self.tr("%n possible duplicate(s): check before importing.", None, n),
        )
        return "\n".join([head, *lines])

    def _show_problems(self, report: ImportReport) -> None:
        count = len(report.problems)
        self.summary.setText(
            in_english(
                f"{report.file_name}: {counted(count, 'problem')}. Nothing can be imported "
                "until the file is corrected: correct these lines and import it again.",
                self.tr(
                    "{file}: %n problem(s). Nothing can be imported until the file is "
                    "corrected: correct these lines and import it again.",
                    None,
                    count,
                ).format(file=report.file_name),
            )
        )
        self.table.setColumnCount(len(PROBLEM_HEADERS))
        self.table.setHorizontalHeaderLabels(translated(CONTEXT, PROBLEM_HEADERS))
        self.table.setAccessibleName(self.tr("Problems in the file"))
        self.table.setWordWrap(True)
        fill_table(
            self.table,
            [
                (i, (str(p.line), p.column, shown_value(p.value) if p.column else "", p.message))
                for i, p in enumerate(report.problems)
            ],
        )
        self.table.resizeRowsToContents()
        set_banner(self.notes, "")
        self.import_button.setVisible(False)
        self.close_button.setText(QCoreApplication.translate("QPlatformTheme", "Close"))

    # ------------------------------------------------------------ importing
    def import_now(self) -> None:
        if not self.report.ok:
            return
        try:
            report = PatientImportService(self.app.ctx).import_file(
                self.app.require_actor(), self.data, self.path.name
            )
        except KapdeskError as exc:
            set_error(self.error, error_text(exc))
            return
        if not report.stored:  # something changed since the dry run: nothing was stored
            self.show_report(report)
            return
        self.created = report.created
        self.accept()


def read_file(path: Path) -> bytes | str:
    """The file's bytes, or what is wrong, said plainly."""
    try:
        return path.read_bytes()
    except OSError as exc:
        text = QCoreApplication.translate("PatientImportDialog", "{path} cannot be read: {error}.")
        return text.format(path=path, error=exc.strerror or exc)
