"""The cohort window's column headers and definitions in the signed-in language."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kapdesk.domain.permissions import Role
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.cohort_window import CohortWindow
from kapdesk.ui.translation import speak

from .conftest import actor_for


def _window(qtbot: QtBot, app: AppContext) -> tuple[list[str], str]:
    w = CohortWindow(app)
    qtbot.addWidget(w)
    model = w.table.model()
    heads = [str(model.headerData(i, Qt.Orientation.Horizontal)) for i in range(10)]
    return heads, w.definitions.text()


def test_cohort_headers_and_definitions_in_portuguese(
    qtbot: QtBot, qapp: QApplication, app: AppContext
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    heads, text = _window(qtbot, app)
    assert heads[2:5] == ["Baseline", "Endpoint", "Change"]
    assert text.startswith("Baseline = the course's first PHQ-9.")
    assert "Deterioration within 3 months" in text
    speak(qapp, "pt-PT")
    try:
        heads, text = _window(qtbot, app)
    finally:
        speak(qapp, "en")
    assert heads[2] == "Inicial"
    assert "Latest follow-up" not in heads
    assert "Baseline" not in text
    assert "3 meses" in text
