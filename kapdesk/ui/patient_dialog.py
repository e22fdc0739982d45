"""Add or edit a patient: demographics, weight, allergies and contraindications.

Everything typed goes to ``PatientService`` as typed; the domain validates it
and a ValidationError is shown at the field it names (focus stays there) and
nothing is stored. After accepting, ``dialog.result_patient`` is the stored
``PatientInfo`` (the service's change set has told every view).

A new patient with the name and date of birth of one already registered (another MRN) is
a possible duplicate: before anything is created the dialog says so ("Possible duplicate:
Simões, Conceição, born 1980-05-17, MRN KAP-0042") and asks to open the existing patient
(nothing is created; ``result_patient`` is that patient, ``opened_existing`` is True),
create the new one anyway, or go back to the form. Esc, Cancel or closing with anything
typed asks before discarding it.

Editing a patient reads the details again with their version (``for_editing``). When another
workstation saved them since, "Save changes" writes nothing and asks what to keep, showing
the fields that differ (``ui.edit_conflict``). The form is rebased on theirs first: every
field the user did not change takes their value, so only the user's own changes that differ
from theirs are shown (none: nothing is asked, the form shows theirs). Then: save mine over
theirs (the user's changes plus their other changes), take theirs (the form shows theirs,
mine go to the clipboard) or keep editing (the next save replaces theirs where they differ).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import EditConflict, KapdeskError
from kapdesk.domain.patients import Sex
from kapdesk.domain.timetext import NONE_TEXT
from kapdesk.services.patients import DATE_FORMATS, PatientService
from kapdesk.ui.chart_texts import sex_text
from kapdesk.ui.discard_guard import FormState, answer_or_back, may_close
from kapdesk.ui.edit_conflict import (
    KEEP_PATIENT,
    Choice,
    ConflictQuestion,
    ConflictView,
    copy_to_clipboard,
    kept_message,
)
from kapdesk.ui.widgets import Field, FieldSet, error_label, ok_cancel, set_error
from kapdesk.ui.widgets.locale_words import day_text, number_text

if TYPE_CHECKING:
    from kapdesk.services.dtos import PatientInfo
    from kapdesk.ui.app_context import AppContext

DOB_HINT = str(QT_TRANSLATE_NOOP("PatientDialog", "YYYY-MM-DD or DD.MM.YYYY"))
WHAT = str(QT_TRANSLATE_NOOP("PatientDialog", "this patient's details"))
UNKNOWN_VERSION = -1  # the details could not be read again: any stored version differs
LABELS = (  # shown translated: the conflict table, the details copied to the clipboard
    ("mrn", str(QT_TRANSLATE_NOOP("PatientDialog", "MRN"))),
    ("given_name", str(QT_TRANSLATE_NOOP("PatientDialog", "Given name"))),
    ("family_name", str(QT_TRANSLATE_NOOP("PatientDialog", "Family name"))),
    ("date_of_birth", str(QT_TRANSLATE_NOOP("PatientDialog", "Date of birth"))),
    ("sex", str(QT_TRANSLATE_NOOP("PatientDialog", "Sex"))),
    ("weight_kg", str(QT_TRANSLATE_NOOP("PatientDialog", "Weight"))),
    ("allergies", str(QT_TRANSLATE_NOOP("PatientDialog", "Allergies"))),
    ("contraindications", str(QT_TRANSLATE_NOOP("PatientDialog", "Contraindications"))),
)


def _tr(text: str) -> str:
    """A text marked with str(QT_TRANSLATE_NOOP("PatientDialog", ...)), translated."""
    return QCoreApplication.translate("PatientDialog", text)


def parse_dob(text: str) -> date | str:
    """A date typed in one of the accepted forms; anything else as typed (the domain says why)."""
    clean = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(clean, fmt).date()
        except ValueError:
            continue
    return clean


def duplicate_text(found: list[PatientInfo]) -> str:
    line = QCoreApplication.translate(
        "PatientDialog", "Possible duplicate: {family}, {given}, born {born}, MRN {mrn}"
    )
    return "\n".join(
        line.format(
            family=p.family_name, given=p.given_name, born=day_text(p.date_of_birth), mrn=p.mrn
        )
        for p in found
    )


def details_texts(p: PatientInfo) -> dict[str, str]:
    """Stored details as the form shows them (the conflict table compares these)."""
    return {
        "mrn": p.mrn,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "date_of_birth": day_text(p.date_of_birth),
        "sex": sex_text(p.sex),
        "weight_kg": "" if p.weight_kg is None else number_text(p.weight_kg),
        "allergies": p.allergies,
        "contraindications": p.contraindications,
    }


def _cell(text: str) -> str:
    return text if text.strip() else NONE_TEXT


class DuplicateChoice:
    """Open the existing patient or create the new one anyway (tests replace ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget | None, text: str) -> str | None:
        """'open' (the existing patient), 'create' (anyway) or None (back to the form)."""
        title = QCoreApplication.translate("DuplicateChoice", "Possible duplicate")
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
        box.setInformativeText(
            QCoreApplication.translate(
                "DuplicateChoice",
                "A patient with this name and date of birth is registered already. "
                "Open that patient, or add this one as a different person?",
            )
        )
        open_text = QCoreApplication.translate("DuplicateChoice", "&Open existing patient")
        create_text = QCoreApplication.translate("DuplicateChoice", "&Create anyway")
        choices: dict[QAbstractButton, str] = {
            box.addButton(open_text, QMessageBox.ButtonRole.AcceptRole): "open",
            box.addButton(create_text, QMessageBox.ButtonRole.DestructiveRole): "create",
        }
        return answer_or_back(box, choices)


def _notes_edit() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(54)
    return edit


class PatientDialog(QDialog):
    def __init__(
        self, app: AppContext, patient: PatientInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.base_version = UNKNOWN_VERSION
        if patient is not None:
            # The details as stored now, with the version a save is checked against; if they
            # cannot be read, a save shows what differs (or fails the same way).
            with suppress(KapdeskError):
                patient = PatientService(app.ctx).for_editing(patient.id)
            if patient.version is not None:
                self.base_version = patient.version
        self.patient = patient
        self.result_patient: PatientInfo | None = None
        self.opened_existing = False
        self._went_back = False
        self.setWindowTitle(self.tr("Edit patient") if patient else self.tr("Add patient"))
        self.setModal(True)
        self.setMinimumWidth(480)

        self.mrn = QLineEdit()
        self.mrn.setMaxLength(40)
        self.given = QLineEdit()
        self.family = QLineEdit()
        self.dob = QLineEdit()
        self.dob.setPlaceholderText(_tr(DOB_HINT))
        self.sex = QComboBox()
        self.sex.addItem("", "")
        for s in Sex:
            self.sex.addItem(sex_text(s.value), s.value)
        self.weight = QLineEdit()
        self.weight.setPlaceholderText(self.tr("kg (optional)"))
        self.allergies = _notes_edit()
        self.allergies.setPlaceholderText(self.tr("None known"))
        self.contra = _notes_edit()
        self.contra.setPlaceholderText(
            self.tr("e.g. uncontrolled hypertension, psychosis, pregnancy")
        )

        fields = [
            Field(self.tr("&MRN"), self.mrn, name="MRN"),
            Field(self.tr("&Given name"), self.given, name="Given name"),
            Field(self.tr("&Family name"), self.family, name="Family name"),
            Field(self.tr("&Date of birth"), self.dob, name="Date of birth"),
            Field(self.tr("&Sex"), self.sex, name="Sex"),
            Field(self.tr("&Weight"), self.weight, name="Weight"),
            Field(self.tr("&Allergies"), self.allergies, name="Allergies"),
            Field(self.tr("&Contraindications"), self.contra, name="Contraindications"),
        ]
        # The domain names the contraindication field "Contraindication notes".
        self.fields = FieldSet(fields, {"Contraindication notes": "Contraindications"})

        root = QVBoxLayout(self)
        intro = QLabel(
            self.tr("Correct the patient's details.")
            if patient
            else self.tr("Register a new patient.")
        )
        intro.setObjectName("dialogIntro")
        root.addWidget(intro)
        form = QFormLayout()
        for f in fields:
            f.add_to(form)
        root.addLayout(form)
        root.addStretch(1)
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Patient message"))
        root.addWidget(self.message)
        buttons, self.ok_button = ok_cancel(
            self.tr("Sa&ve changes") if patient else self.tr("Add &patient"),
            self.submit,
            self.reject,
        )
        root.addWidget(buttons)
        if patient is not None:
            self._fill(patient)
        self.state = FormState(self)
        self.mrn.setFocus()

    def reject(self) -> None:
        thing = self.tr("changes to the patient") if self.patient else self.tr("new patient")
        if may_close(self, thing, self.state):
            super().reject()

    def _fill(self, p: PatientInfo) -> None:
        self.mrn.setText(p.mrn)
        self.given.setText(p.given_name)
        self.family.setText(p.family_name)
        self.dob.setText(day_text(p.date_of_birth))
        index = self.sex.findData(p.sex)
        self.sex.setCurrentIndex(max(index, 0))
        self.weight.setText("" if p.weight_kg is None else number_text(p.weight_kg))
        self.allergies.setPlainText(p.allergies)
        self.contra.setPlainText(p.contraindications)

    def values(self) -> dict[str, object]:
        weight = self.weight.text().strip()
        return {
            "mrn": self.mrn.text(),
            "given_name": self.given.text(),
            "family_name": self.family.text(),
            "date_of_birth": parse_dob(self.dob.text()),
            "sex": str(self.sex.currentData() or ""),
            "weight_kg": weight or None,
            "allergies": self.allergies.toPlainText(),
            "contraindications": self.contra.toPlainText(),
        }

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        service = PatientService(self.app.ctx)
        values = self.values()
        try:
            actor = self.app.require_actor()
            if self.patient is None:
                existing = self._duplicate_choice(service, values)
                if existing is not None:
                    self._open_existing(existing)
                    return
                if self._went_back:
                    return
                result = service.create(actor, **values)  # type: ignore[arg-type]
            else:
                result = service.update(actor, self.patient.id, version=self.base_version, **values)
        except EditConflict as conflict:
            self._resolve(conflict)
            return
        except KapdeskError as exc:  # ValidationError, PermissionDenied, NotFound, DatabaseBusy
            self.fields.show_refusal(exc, self.message)
            return
        self.result_patient = result
        self.accept()

    def _shown(self) -> dict[str, str]:
        """The form's values as the conflict table shows them."""
        dob = parse_dob(self.dob.text())
        return {
            "mrn": self.mrn.text(),
            "given_name": self.given.text(),
            "family_name": self.family.text(),
            "date_of_birth": day_text(dob) if isinstance(dob, date) else dob,
            "sex": self.sex.currentText(),
            "weight_kg": self.weight.text().strip(),
            "allergies": self.allergies.toPlainText(),
            "contraindications": self.contra.toPlainText(),
        }

    def _raw(self) -> dict[str, str]:
        """Each field's editor text as typed (the sex as its stored value)."""
        return {
            "mrn": self.mrn.text(),
            "given_name": self.given.text(),
            "family_name": self.family.text(),
            "date_of_birth": self.dob.text(),
            "sex": str(self.sex.currentData() or ""),
            "weight_kg": self.weight.text(),
            "allergies": self.allergies.toPlainText(),
            "contraindications": self.contra.toPlainText(),
        }

    def _put(self, key: str, text: str) -> None:
        """Put back one field's editor text (as ``_raw`` gave it)."""
        if key == "sex":
            self.sex.setCurrentIndex(max(self.sex.findData(text), 0))
            return
        editors: dict[str, QLineEdit | QPlainTextEdit] = {
            "mrn": self.mrn,
            "given_name": self.given,
            "family_name": self.family,
            "date_of_birth": self.dob,
            "weight_kg": self.weight,
            "allergies": self.allergies,
            "contraindications": self.contra,
        }
        editor = editors[key]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(text)
        else:
            editor.setText(text)

    def _rebase(self, theirs: PatientInfo) -> list[str]:
        """Take their details as the new base: every field the user did not change (the form
        shows it as it was opened) takes theirs, the user's own changes stay on top. Returns
        the keys of the user's changes that differ from theirs."""
        opened = details_texts(self.patient) if self.patient is not None else {}
        shown, raw, stored = self._shown(), self._raw(), details_texts(theirs)
        edited = [k for k, _label in LABELS if shown[k] != opened.get(k)]
        self.patient = theirs
        self._fill(theirs)
        self.state.mark_saved()  # their details are the base now: only the user's edits differ
        for k in edited:
            self._put(k, raw[k])
        shown = self._shown()
        return [k for k in edited if shown[k] != stored[k]]

    def _resolve(self, conflict: EditConflict) -> None:
        """Another workstation saved the details since they were read; nothing was saved.
        The form is rebased on theirs first, so no field the user left alone undoes theirs."""
        theirs: PatientInfo = conflict.current
        self.base_version = conflict.version
        differ = set(self._rebase(theirs))
        if not differ:
            same = self.tr(
                "{who} changed {what} at {when}; your changes match what they saved. "
                "The form shows the saved details."
            )
            set_error(
                self.message,
                same.format(who=conflict.changed_by, what=_tr(WHAT), when=conflict.changed_at_text),
            )
            return
        mine, stored = self._shown(), details_texts(theirs)
        rows = [
            (_tr(label), _cell(stored[k]), _cell(mine[k])) for k, label in LABELS if k in differ
        ]
        view = ConflictView(_tr(WHAT), rows=rows, keep=KEEP_PATIENT)
        choice = ConflictQuestion.ask(self, conflict, view)
        if choice is Choice.MINE:
            self.submit()  # against their version; asks again if a third save came first
        elif choice is Choice.THEIRS:
            copy_to_clipboard("\n".join(f"{_tr(label)}: {mine[k]}" for k, label in LABELS))
            self._fill(theirs)
            self.state.mark_saved()
            set_error(
                self.message,
                self.tr(
                    "Your details were copied to the clipboard; the form shows the saved ones now."
                ),
            )
        else:
            set_error(self.message, kept_message(conflict, _tr(WHAT), KEEP_PATIENT))

    def _duplicate_choice(
        self, service: PatientService, values: dict[str, object]
    ) -> PatientInfo | None:
        """The existing patient to open instead, or None (create; ``_went_back``: neither)."""
        self._went_back = False
        found = service.possible_duplicates(
            str(values["given_name"]),
            str(values["family_name"]),
            values["date_of_birth"],  # type: ignore[arg-type]
        )
        if not found:
            return None
        choice = DuplicateChoice.ask(self, duplicate_text(found))
        if choice == "open":
            return found[0]
        self._went_back = choice != "create"
        return None

    def _open_existing(self, patient: PatientInfo) -> None:
        """Nothing is created: the list opens the existing patient's chart."""
        self.result_patient = patient
        self.opened_existing = True
        self.accept()
