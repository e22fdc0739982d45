"""The reusable vitals form: labels and mnemonics, keyboard entry, domain messages."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kapdesk.domain.vitals import VitalsInput
from kapdesk.ui.widgets.vitals_form import FIELDS, VitalsForm


@pytest.fixture
def form(qtbot: QtBot) -> VitalsForm:
    widget = VitalsForm()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


def collect(form: VitalsForm) -> list[VitalsInput]:
    got: list[VitalsInput] = []
    form.submitted.connect(got.append)
    return got


def type_reading(qtbot: QtBot, form: VitalsForm, *values: str) -> None:
    for key, value in zip(("systolic", "diastolic", "pulse", "spo2"), values, strict=False):
        qtbot.keyClicks(form.edits[key], value)


def test_every_field_has_a_mnemonic_buddy_and_its_label_as_accessible_name(
    form: VitalsForm,
) -> None:
    assert [form.labels[k].text() for k, _ in FIELDS] == [
        "&Systolic",
        "&Diastolic",
        "&Pulse",
        "Sp&O2",
    ]
    for key, text in FIELDS:
        label, edit = form.labels[key], form.edits[key]
        assert label.buddy() is edit
        assert edit.accessibleName() == text.replace("&", "")
    assert form.first_field is form.edits["systolic"]


def test_enter_submits_the_values_typed(qtbot: QtBot, form: VitalsForm) -> None:
    got = collect(form)
    type_reading(qtbot, form, "128", "82", "72", "98")
    qtbot.keyClick(form.edits["spo2"], Qt.Key.Key_Return)
    assert got == [VitalsInput(128, 82, 72, 98)]
    assert form.error_text() == ""


def test_the_button_submits_and_optional_fields_may_stay_blank(
    qtbot: QtBot, form: VitalsForm
) -> None:
    got = collect(form)
    type_reading(qtbot, form, " 131 ", "79")
    assert form.button is not None
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    assert got == [VitalsInput(131, 79, None, None)]


def test_systolic_out_of_range_shows_the_domain_message_at_its_field(
    qtbot: QtBot, form: VitalsForm
) -> None:
    got = collect(form)
    type_reading(qtbot, form, "400", "80")
    qtbot.keyClick(form.edits["diastolic"], Qt.Key.Key_Return)
    assert got == []
    assert form.errors["systolic"].text() == (
        "Systolic 400 mmHg is outside the allowed range 50-300 mmHg."
    )
    assert not form.errors["systolic"].isHidden()
    assert form.errors["diastolic"].isHidden()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.edits["systolic"])
    assert form.edits["systolic"].selectedText() == "400"


def test_diastolic_not_below_systolic_is_refused_at_diastolic(
    qtbot: QtBot, form: VitalsForm
) -> None:
    got = collect(form)
    type_reading(qtbot, form, "120", "130", "70")
    qtbot.keyClick(form.edits["pulse"], Qt.Key.Key_Return)
    assert got == []
    assert form.errors["diastolic"].text() == (
        "Diastolic 130 mmHg must be lower than systolic 120 mmHg."
    )
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.edits["diastolic"])


def test_missing_systolic_and_bad_spo2(qtbot: QtBot, form: VitalsForm) -> None:
    got = collect(form)
    form.submit()
    assert "Systolic is required" in form.errors["systolic"].text()
    type_reading(qtbot, form, "120", "80", "", "49")
    form.submit()
    assert form.errors["systolic"].isHidden()  # earlier message cleared
    assert form.errors["spo2"].text() == "SpO2 49% is outside the allowed range 50-100%."
    assert got == []


def test_errors_from_the_service_and_clear(qtbot: QtBot, form: VitalsForm) -> None:
    type_reading(qtbot, form, "120", "80", "70", "97")
    assert form.show_error("Pulse", "Pulse problem.") is True
    assert form.errors["pulse"].text() == "Pulse problem."
    assert form.show_error("Taken at", "Taken at is in the future.") is False
    form.show_message("A therapist may not record a dose.")
    assert "A therapist may not" in form.error_text()
    form.clear()
    assert form.values() == dict.fromkeys(("systolic", "diastolic", "pulse", "spo2"))
    assert form.error_text() == ""


def test_inputs_can_be_disabled(form: VitalsForm) -> None:
    form.set_inputs_enabled(False)
    assert not any(e.isEnabled() for e in form.edits.values())
    assert form.button is not None
    assert not form.button.isEnabled()


def test_without_button_enter_is_left_to_the_dialog(qtbot: QtBot) -> None:
    form = VitalsForm(show_button=False, submit_on_enter=False)
    qtbot.addWidget(form)
    got = collect(form)
    type_reading(qtbot, form, "120", "80")
    qtbot.keyClick(form.edits["diastolic"], Qt.Key.Key_Return)
    assert form.button is None
    assert got == []
    assert form.submit() == VitalsInput(120, 80)
    assert got == [VitalsInput(120, 80)]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    systolic=st.integers(min_value=0, max_value=400),
    diastolic=st.integers(min_value=0, max_value=260),
)
def test_the_form_emits_exactly_what_the_domain_accepts(
    qtbot: QtBot, systolic: int, diastolic: int
) -> None:
    form = VitalsForm()
    qtbot.addWidget(form)
    got = collect(form)
    type_reading(qtbot, form, str(systolic), str(diastolic))
    form.submit()
    plausible = 50 <= systolic <= 300 and 20 <= diastolic <= 200 and diastolic < systolic
    assert (got == [VitalsInput(systolic, diastolic)]) is plausible
    assert bool(form.error_text()) is not plausible
