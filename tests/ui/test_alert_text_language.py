"""An alert about a due reading names the reading in the language the screen speaks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication

from kapdesk.domain.protocol import builtin_protocols
from kapdesk.domain.wording import label_of
from kapdesk.ui.alerts import Alert
from kapdesk.ui.translation import speak


@pytest.fixture
def qapp_language(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    speak(qapp, "en")


def _alert() -> Alert:
    spec = next(s for s in builtin_protocols()["kap-default"].schedule if s.id == "pre-discharge")
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    return Alert(4, "pre-discharge", "overdue", "2", "Simões, Conceição", label_of(spec), now)


def test_a_due_readings_alert_is_said_in_each_language(qapp_language: QApplication) -> None:
    assert _alert().text == "Room 2: Before discharge reading is overdue"
    speak(qapp_language, "pt-PT")
    text = _alert().text
    assert "Before discharge" not in text
    assert (
        label_of(
            next(s for s in builtin_protocols()["kap-default"].schedule if s.id == "pre-discharge")
        ).shown()
        in text
    )
