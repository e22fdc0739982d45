"""FieldSet.show_refusal: where a dialog says why its save was refused."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.ui.widgets import Field, FieldSet, error_label


def _form(qtbot: QtBot) -> tuple[FieldSet, QLabel, QWidget]:
    holder = QWidget()
    qtbot.addWidget(holder)
    mrn = QLineEdit(holder)
    fields = FieldSet([Field("&MRN", mrn)])
    message = error_label()
    message.setParent(holder)
    return fields, message, holder


def test_a_validation_error_is_shown_at_its_field(qtbot: QtBot) -> None:
    fields, message, _holder = _form(qtbot)
    fields.show_refusal(ValidationError("MRN", "", "MRN: required."), message)
    assert fields.messages() == {"MRN": "MRN: required."}
    assert message.isHidden()


def test_a_validation_error_of_another_field_goes_to_the_message_line(qtbot: QtBot) -> None:
    fields, message, _holder = _form(qtbot)
    fields.show_refusal(ValidationError("Room", "X", "Room: 'X' is not a room."), message)
    assert fields.messages() == {}
    assert message.text() == "Room: 'X' is not a room."
    assert not message.isHidden()


def test_any_other_refusal_goes_to_the_message_line(qtbot: QtBot) -> None:
    fields, message, _holder = _form(qtbot)
    fields.show_refusal(PermissionDenied("admin", "add_patient"), message)
    assert fields.messages() == {}
    assert message.text() == "A admin may not add patient."
