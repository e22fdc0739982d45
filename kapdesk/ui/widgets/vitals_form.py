"""One set of vital signs as typed: Systolic, Diastolic, Pulse, SpO2.

The form validates through ``kapdesk.domain.vitals.validate_vitals`` and, when
the values are plausible, emits ``submitted(VitalsInput)``; the host stores the
reading through ``VitalsService`` and calls ``clear()`` on success, or
``show_error`` / ``show_message`` with what the service refused. An invalid
value shows the domain's sentence under its field and keeps the focus there.

Keyboard: systolic, Tab, diastolic, Tab, pulse, Tab, SpO2, Enter. In a dialog
with its own default button pass ``submit_on_enter=False`` (the dialog's button
then handles Enter) and ``show_button=False``.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.vitals import PLAUSIBLE_RANGES, VitalsInput, validate_vitals
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP
from kapdesk.ui.widgets import with_error_line
from kapdesk.ui.widgets.edits import clear_when_edited

# (key, label with mnemonic); in English the visible label is the domain's field name, so
# a ValidationError's ``field`` finds its line edit (in any language: by the English name).
FIELDS: Final = (
    ("systolic", QT_TRANSLATE_NOOP("VitalsForm", "&Systolic")),
    ("diastolic", QT_TRANSLATE_NOOP("VitalsForm", "&Diastolic")),
    ("pulse", QT_TRANSLATE_NOOP("VitalsForm", "&Pulse")),
    ("spo2", QT_TRANSLATE_NOOP("VitalsForm", "Sp&O2")),
)

translate = QCoreApplication.translate


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setAccessibleName(translate("VitalsForm", "{field} error").format(field=name))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class VitalsForm(QWidget):
    """Four labelled line edits with inline errors and an optional "Record reading" button."""

    submitted = Signal(object)  # VitalsInput

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        show_button: bool = True,
        submit_on_enter: bool = True,
        button_text: str | None = None,
    ) -> None:
        if button_text is None:
            button_text = translate("VitalsForm", "&Record reading")
        super().__init__(parent)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(4)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        root.addLayout(form)
        self.edits: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        self._keys_by_field: dict[str, str] = {}
        for key, source in FIELDS:
            text = translate("VitalsForm", source)
            name = text.replace("&", "")
            rng = PLAUSIBLE_RANGES[key]
            edit = QLineEdit()
            edit.setObjectName(f"vitals_{key}")
            edit.setAccessibleName(name)
            edit.setPlaceholderText(rng.unit)
            tip = translate("VitalsForm", "{field}: whole number {range}")
            edit.setToolTip(tip.format(field=name, range=rng.span))
            edit.setMaxLength(6)
            edit.setMaximumWidth(110)
            if submit_on_enter:
                edit.returnPressed.connect(self.submit)
            label = QLabel(text)
            label.setBuddy(edit)
            error = _error_label(name)
            form.addRow(label, with_error_line(edit, error))
            self.edits[key], self.labels[key], self.errors[key] = edit, label, error
            for field in (name, source.replace("&", ""), rng.label):  # shown, English, domain's
                self._keys_by_field[field.lower()] = key
        self.first_field = self.edits["systolic"]
        self.message = _error_label(translate("VitalsForm", "Vitals"))
        root.addWidget(self.message)
        for key, edit in self.edits.items():
            clear_when_edited(edit, self.errors[key], self.message)
        self.button: QPushButton | None = None
        if show_button:
            self.button = QPushButton(button_text)
            self.button.setAccessibleName(button_text.replace("&", ""))
            self.button.clicked.connect(self.submit)
            row = QHBoxLayout()
            row.addWidget(self.button)
            row.addStretch(1)
            root.addLayout(row)
        prev: QWidget | None = None
        for widget in [*self.edits.values(), *([self.button] if self.button else [])]:
            if prev is not None:
                QWidget.setTabOrder(prev, widget)
            prev = widget

    # ------------------------------------------------------------ values

    def values(self) -> dict[str, str | None]:
        """As typed; blank fields are None (the domain decides what is required)."""
        return {k: (e.text().strip() or None) for k, e in self.edits.items()}

    def submit(self) -> VitalsInput | None:
        """Validate; emit ``submitted`` and return the values, or show the error and return None."""
        self.clear_errors()
        v = self.values()
        try:
            values = validate_vitals(v["systolic"], v["diastolic"], v["pulse"], v["spo2"])
        except ValidationError as exc:
            if not self.show_error(exc.field, exc.message):
                self.show_message(exc.message)
            return None
        self.submitted.emit(values)
        return values

    def clear(self) -> None:
        """Empty every field and message, ready for the next reading."""
        for edit in self.edits.values():
            edit.clear()
        self.clear_errors()

    # ------------------------------------------------------------ messages

    def clear_errors(self) -> None:
        for label in [*self.errors.values(), self.message]:
            label.clear()
            label.hide()

    def show_error(self, field: str, message: str) -> bool:
        """Show ``message`` under the field the domain named and focus it; False if unknown."""
        key = self._keys_by_field.get(field.strip().lower())
        if key is None:
            return False
        label = self.errors[key]
        label.setText(message)
        label.show()
        edit = self.edits[key]
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        edit.selectAll()
        return True

    def show_message(self, message: str) -> None:
        """A problem that belongs to no single field (permission, session state, time)."""
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def error_text(self) -> str:
        """Every visible message, for tests and screen readers."""
        shown = [lbl.text() for lbl in [*self.errors.values(), self.message] if lbl.text()]
        return " ".join(shown)

    def set_inputs_enabled(self, enabled: bool) -> None:
        for edit in self.edits.values():
            edit.setEnabled(enabled)
        if self.button is not None:
            self.button.setEnabled(enabled)
