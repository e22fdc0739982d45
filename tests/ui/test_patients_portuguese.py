"""The patient screens in Portuguese (pt-PT): the list, the chart and its tabs, the patient,
course and session dialogs, the import dialog, the PHQ-9 form and the cohort window. Their
own texts are Portuguese (a plural by its number, dates 17/05/1980, weights 64,5), a
Portuguese date and decimal typed in the patient form are taken, nothing is cut off at
1024x700, no Alt+letter does two things; and in English every text is as it was."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.cohort import DEFINITIONS
from kapdesk.domain.cohort_cells import SHOWN_COLUMNS
from kapdesk.domain.permissions import Role
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.cohort_window import CohortWindow
from kapdesk.ui.course_dialog import NewIntegrationDialog, ScheduleSessionDialog, StartCourseDialog
from kapdesk.ui.instrument_form import InstrumentDialog
from kapdesk.ui.integration_note import IntegrationNoteEditor
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.patient_dialog import PatientDialog
from kapdesk.ui.patient_import import PatientImportDialog
from kapdesk.ui.translation import speak

from .conftest import show_main_window
from .helpers_patients import (
    CourseHistory,
    actor_for,
    add_patient,
    build_course_history,
    show_chart,
    show_patients_page,
)
from .test_mnemonics import clashes
from .test_nothing_cut_off import cut_off, styled  # noqa: F401  (styled: a fixture)

CSV = (
    "mrn,name,date_of_birth,sex,weight_kg,allergies,contraindications\n"
    'IMP-001,"Simões, Conceição",1980-05-17,female,64.5,penicillin,\n'
    'IMP-002,"Nguyen, Lan",1992-11-03,female,,,\n'
)

# Shown alike in both languages: names, record numbers, instrument and protocol names,
# units, the patient's own data (from helpers_patients), numbers.
SAME = {
    "",
    "–",
    "PHQ-9",
    "GAD-7",
    "kapdesk",
    "Simões, Conceição",
    "Total",  # the Portuguese word too
    "Item 9",  # "item 9 do PHQ-9", as Portuguese clinicians say it
    "Penicillin (rash)",
    "Final",
    "Contraind.",  # the Portuguese abbreviation too
    "penicillin",  # the imported file's data
}


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[QApplication]:
    speak(qapp, "pt-PT")
    yield qapp
    speak(qapp, "en")


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock, allergies="Penicillin (rash)")


def shown_texts(window: QWidget) -> set[str]:
    """What a person reads or hears on ``window``: its title, labels, buttons, tabs, table
    headers, combo box items, placeholders, tooltips and accessible names."""
    texts = {window.windowTitle()}
    for w in [window, *window.findChildren(QWidget)]:
        if isinstance(w, QLabel | QAbstractButton):
            texts.add(w.text().replace("&", ""))
        if isinstance(w, QLineEdit | QPlainTextEdit):
            texts.add(w.placeholderText())
        if isinstance(w, QTabBar):
            texts |= {w.tabText(i).replace("&", "") for i in range(w.count())}
        if isinstance(w, QTableWidget):
            heads = (w.horizontalHeaderItem(c) for c in range(w.columnCount()))
            texts |= {h.text() for h in heads if h is not None}
        if isinstance(w, QComboBox):
            texts |= {w.itemText(i) for i in range(w.count())}
        texts |= {w.toolTip(), w.accessibleName()}
    return texts


def _both(qapp: QApplication, build: object) -> tuple[QWidget, QWidget]:
    speak(qapp, "en")
    english = build()  # type: ignore[operator]
    speak(qapp, "pt-PT")
    return build(), english  # type: ignore[operator]


def _english_left(qtbot: QtBot, portuguese: QWidget, english: QWidget) -> set[str]:
    for w in (portuguese, english):
        qtbot.addWidget(w)
        w.show()
    return (shown_texts(portuguese) & shown_texts(english)) - SAME


# ------------------------------------------------------------------ the chart


def test_the_chart_reads_in_portuguese_and_english_is_unchanged(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, history: CourseHistory
) -> None:
    chart = show_chart(qtbot, app, history.patient.id, Role.CLINICIAN)
    assert chart.demographics.text() == (
        "N.º de processo KAP-0042  ·  nascimento 17/05/1980 (45\xa0anos)  ·  feminino  ·  64,5 kg"
    )
    assert chart.allergy_banner.text() == "Alergias: Penicillin (rash)"
    assert chart.course_combo.currentText() == (
        "kap-default v1.0 · desde 02/03/2026 (aberto, 4 sessões)"
    )
    assert [chart.tabs.tabText(i) for i in range(3)] == [
        "&Resultados",
        "&Sessões",
        "&Notas de integração",
    ]
    outcome = chart.outcome.text()
    assert outcome.startswith("Resultado do ciclo (PHQ-9): basal 20 (")
    assert "02/03/2026) → final 7 (" in outcome
    assert outcome.endswith(
        "13/04/2026, semana 6) · variação −65 % · resposta: sim · remissão: não"
    )
    assert chart.sessions_table.item(0, 0).text() == "02/03/2026"
    assert chart.outcome_chart.plot.getPlotItem().getAxis("bottom").labelText == "Semana do ciclo"

    speak(portuguese, "en")
    english = show_chart(qtbot, app, history.patient.id, Role.CLINICIAN)
    assert english.demographics.text() == (
        "MRN KAP-0042  ·  born 1980-05-17 (age 45)  ·  female  ·  64.5 kg"
    )
    assert english.course_combo.currentText() == (
        "kap-default v1.0 · from 2026-03-02 (open, 4 sessions)"
    )
    assert english.outcome.text().startswith("Course outcome (PHQ-9): baseline 20 (severe, ")


def test_no_english_is_left_on_the_chart_s_own_texts(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, history: CourseHistory
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    pid = history.patient.id
    pt, en = _both(portuguese, lambda: PatientChart(app, pid))
    for chart in (pt, en):
        chart.resize(1100, 760)
    assert _english_left(qtbot, pt, en) - _not_this_screen_s(app, pt) == set()


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.NURSE])
def test_the_patient_list_counts_in_portuguese(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, role: Role
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    add_patient(app, clinician)
    app.actor = actor_for(app, role)
    page = show_patients_page(qtbot, app)
    assert page.list.count.text() == "1 doente"
    add_patient(app, clinician, mrn="KAP-0043", given_name="Rui")
    page.list.run_search()
    assert page.list.count.text() == "2 doentes"
    assert page.list.table.item(0, 2).text() == "17/05/1980"
    assert page.list.add_button.text() == "&Adicionar doente…"
    speak(portuguese, "en")
    english = show_patients_page(qtbot, app)
    assert english.list.count.text() == "2 patients"
    assert english.list.table.item(0, 2).text() == "1980-05-17"


# ------------------------------------------------------------------ the dialogs


def _dialogs(app: AppContext, history: CourseHistory, tmp_path: Path) -> dict[str, object]:
    pid, course = history.patient.id, history.course
    csv = tmp_path / "clinica.csv"
    csv.write_text(CSV, encoding="utf-8")
    return {
        "new patient": lambda: PatientDialog(app),
        "edit patient": lambda: PatientDialog(app, history.patient),
        "start course": lambda: StartCourseDialog(app, pid),
        "schedule": lambda: ScheduleSessionDialog(app, course),
        "new integration": lambda: NewIntegrationDialog(app, course),
        "PHQ-9": lambda: InstrumentDialog(app, pid, "PHQ-9", course_id=course.id),
        "import": lambda: PatientImportDialog(app, csv, csv.read_bytes()),
        "note": lambda: IntegrationNoteEditor(app, history.draft_note_id),
        "cohort": lambda: CohortWindow(app),
    }


def _not_this_screen_s(app: AppContext, window: QWidget) -> set[str]:
    """Texts shown here that these screens do not write: the instrument's own wording
    (domain.instruments, one source for the form and the PDF: English until a validated
    Portuguese wording may be reproduced), the domain's and the services' texts (their
    catalogue, kapdesk.i18n), the protocols' titles and the print actions (ui.printing),
    the signature banner (ui.signing)."""
    texts = {"Save as PDF…", "Save as PDF (Ctrl+Shift+S)"}
    texts |= {"Signature status", "Signature", "Add addendum…"}
    for p in app.ctx.protocols.values():
        texts |= {p.id, f"{p.title} ({p.id} v{p.version})"}
    if isinstance(window, InstrumentDialog):
        ins = window.instrument
        texts |= {ins.title, ins.stem, f"{ins.reference} {ins.attribution}"}
        for n, item in enumerate(ins.items, start=1):
            texts |= {item, f"Item {n}: {item}", f"{n}."}
            texts |= {f"Item {n}: {v} {a}" for v, a in enumerate(ins.answer_labels)}
        texts |= {f"{v}\n{a}" for v, a in enumerate(ins.answer_labels)}
        texts |= {*ins.answer_labels, *(str(v) for v in range(len(ins.answer_labels)))}
    if isinstance(window, IntegrationNoteEditor):
        sections = NoteService.template()
        texts |= {t for s in sections for t in (s.label, s.prompt)}
    if isinstance(window, CohortWindow):
        texts |= {*SHOWN_COLUMNS, "\n".join(DEFINITIONS), window.summary.text()}
    return texts


@pytest.mark.parametrize(
    "name",
    ["new patient", "edit patient", "start course", "schedule", "new integration", "PHQ-9",
     "import", "note", "cohort"],
)  # fmt: skip
def test_a_dialog_s_own_texts_are_portuguese_and_its_letters_unique(
    qtbot: QtBot,
    portuguese: QApplication,
    app: AppContext,
    history: CourseHistory,
    tmp_path: Path,
    name: str,
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    pt, en = _both(portuguese, _dialogs(app, history, tmp_path)[name])
    left = _english_left(qtbot, pt, en) - _not_this_screen_s(app, pt)
    # An editor's error line is named after its field as the domain names it, in English
    # (widgets.Field: "Date of birth error").
    left = {t for t in left if not t.endswith(" error")}
    assert left == set()
    assert clashes(pt) == []


def test_a_portuguese_date_and_decimal_are_taken_and_an_iso_date_still_is(
    qtbot: QtBot, portuguese: QApplication, app: AppContext
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    for mrn, born, weight in (("PT-1", "17/05/1980", "64,5"), ("PT-2", "1980-05-17", "64.5")):
        dialog = PatientDialog(app)
        qtbot.addWidget(dialog)
        dialog.mrn.setText(mrn)
        dialog.given.setText("Rui")
        dialog.family.setText("Sousa" if mrn == "PT-1" else "Lopes")
        dialog.dob.setText(born)
        dialog.sex.setCurrentIndex(dialog.sex.findData("male"))
        dialog.weight.setText(weight)
        assert dialog.sex.currentText() == "Masculino"
        dialog.submit()
        stored = dialog.result_patient
        assert stored is not None, dialog.fields.messages()
        assert (stored.date_of_birth, stored.weight_kg) == (date(1980, 5, 17), 64.5)
    edit = PatientDialog(app, PatientService(app.ctx).get(stored.id))
    qtbot.addWidget(edit)
    assert (edit.dob.text(), edit.weight.text()) == ("17/05/1980", "64,5")
    assert edit.dob.placeholderText() == "DD/MM/AAAA ou AAAA-MM-DD"


def test_the_import_dialog_counts_in_portuguese(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, tmp_path: Path
) -> None:
    app.actor = actor_for(app, Role.NURSE)
    csv = tmp_path / "clinica.csv"
    csv.write_text(CSV, encoding="utf-8")
    dialog = PatientImportDialog(app, csv, csv.read_bytes())
    qtbot.addWidget(dialog)
    assert dialog.summary.text().startswith("clinica.csv: seriam criados 2 doentes, sem problemas.")
    assert dialog.import_button.text() == "&Importar 2 doentes"
    assert dialog.table.item(0, 3).text() == "17/05/1980"
    assert dialog.table.item(0, 5).text() == "64,5"


# ------------------------------------------------------------------ at 1024x700


@pytest.mark.usefixtures("styled")
def test_nothing_of_the_chart_is_cut_off_at_1024x700(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, history: CourseHistory
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    w = show_main_window(qtbot, app)
    w.resize(QSize(1024, 700))
    w.open_patient(history.patient.id)
    chart = w.findChild(PatientChart)
    assert isinstance(chart, PatientChart)
    assert not clashes(w)
    found: list[str] = []
    for tab in range(chart.tabs.count()):
        chart.tabs.setCurrentIndex(tab)
        qtbot.wait(10)
        # A combo box shows the start of a long course, read whole in its list.
        found += [p for p in cut_off(w) if not p.startswith("combo box")]
    assert not found, "\n".join(found)
