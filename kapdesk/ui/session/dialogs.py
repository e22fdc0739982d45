"""The questions the session workspace asks: a reason, an override, a confirmation,
an acknowledgement of warnings.

Logic paths call the ``ask`` classmethods, which tests replace with
``monkeypatch.setattr(ReasonDialog, "ask", ...)``; the services validate what
comes back (a blank reason is refused there, with its message on the page).
Enter accepts (default button), Esc cancels.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

translate = QCoreApplication.translate


def _line(name: str, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    edit.setMinimumWidth(360)
    return edit


class _Dialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        root = QVBoxLayout(self)
        label = QLabel(intro)
        label.setObjectName("dialogIntro")
        label.setWordWrap(True)
        label.setMaximumWidth(520)
        root.addWidget(label)
        self.form = QFormLayout()
        root.addLayout(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        root.addWidget(self.buttons)
        self.required: list[QLineEdit] = []

    def add_field(self, label_text: str, edit: QLineEdit, *, required: bool = True) -> None:
        label = QLabel(label_text)
        label.setBuddy(edit)
        self.form.addRow(label, edit)
        if required:
            self.required.append(edit)
            edit.textChanged.connect(self._update_ok)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok.setEnabled(all(e.text().strip() for e in self.required))


class ReasonDialog(_Dialog):
    """One required reason (withholding a dose, discharging with unmet criteria, over max)."""

    def __init__(
        self, parent: QWidget | None, title: str, intro: str, ok_text: str | None = None
    ) -> None:
        ok = ok_text if ok_text is not None else translate("ReasonDialog", "&Confirm")
        super().__init__(parent, title, intro, ok)
        self.reason = _line(translate("ReasonDialog", "Reason"))
        self.add_field(translate("ReasonDialog", "&Reason"), self.reason)
        self.reason.setFocus()

    @classmethod
    def ask(
        cls, parent: QWidget | None, title: str, intro: str, ok_text: str | None = None
    ) -> str | None:
        dialog = cls(parent, title, intro, ok_text)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.text()


class OverrideDialog(_Dialog):
    """The prescriber's name and reason for dosing past a gate (a pre-dose hold, a
    post-dose alert before a booster, a blocking checklist answer)."""

    def __init__(
        self,
        parent: QWidget | None,
        intro: str,
        prescriber: str = "",
        title: str | None = None,
    ) -> None:
        if title is None:
            title = translate("OverrideDialog", "Override pre-dose hold")
        super().__init__(parent, title, intro, translate("OverrideDialog", "&Record override"))
        self.prescriber = _line(translate("OverrideDialog", "Prescriber name"), prescriber)
        self.reason = _line(translate("OverrideDialog", "Reason"))
        self.add_field(translate("OverrideDialog", "&Prescriber name"), self.prescriber)
        self.add_field(translate("OverrideDialog", "&Reason"), self.reason)
        (self.reason if prescriber else self.prescriber).setFocus()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        intro: str,
        prescriber: str = "",
        title: str | None = None,
    ) -> tuple[str, str] | None:
        """(prescriber name, reason), or None when cancelled."""
        dialog = cls(parent, intro, prescriber, title)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.prescriber.text(), dialog.reason.text()


class AcknowledgeDialog(_Dialog):
    """Warnings the person dosing acknowledges with the dose (they are stored with it)."""

    def __init__(self, parent: QWidget | None, intro: str, ok_text: str) -> None:
        title = translate("AcknowledgeDialog", "Acknowledge before dosing")
        super().__init__(parent, title, intro, ok_text)

    @classmethod
    def ask(cls, parent: QWidget | None, intro: str, ok_text: str | None = None) -> bool:
        if ok_text is None:
            ok_text = translate("AcknowledgeDialog", "&Acknowledge and dose")
        return cls(parent, intro, ok_text).exec() == QDialog.DialogCode.Accepted
