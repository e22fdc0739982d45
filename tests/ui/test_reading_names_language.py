"""A schedule reading's name (a protocol label, a recheck) in the active language where
shown: the alert bar, the board's next reading; the item's label stays English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication

from kapdesk.domain.protocol import Route, builtin_protocols
from kapdesk.domain.schedule import DueItem, RecheckRequest, compute_schedule
from kapdesk.domain.session_state import SessionState
from kapdesk.ui.alerts import Alert
from kapdesk.ui.models.board import next_reading_text
from kapdesk.ui.translation import speak

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def items() -> dict[str, DueItem]:
    kap = builtin_protocols()["kap-default"]
    made = compute_schedule(
        kap,
        route=Route.IM,
        dose_times=[at(0)],
        readings=[at(-10), at(1)],
        now=at(32),
        checked_in_at=at(-20),
        rechecks=[RecheckRequest(at(1), 5, "elevated")],
    )
    return {i.key.split("@")[0].split("#")[0]: i for i in made}


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[None]:
    speak(qapp, "pt-PT")
    yield
    speak(qapp, "en")


def alert_text(item: DueItem, level: str) -> str:
    return Alert(4, item.key, level, "4", "Simões, Conceição", item.label, at(32)).text


def test_english_reading_names_unchanged(items: dict[str, DueItem]) -> None:
    late = items["post-dose-20-30"]
    assert alert_text(late, "overdue") == "Room 4: 20-30 min after dose reading is overdue"
    recheck = items["recheck"]
    assert alert_text(recheck, "missed") == (
        "Room 4: Recheck 5 min after the elevated reading is missed"
    )
    assert next_reading_text(late, SessionState.MONITORING, at(32)) == (
        "overdue 2 min · 20-30 min after dose"
    )


def test_portuguese_reading_names(items: dict[str, DueItem], portuguese: None) -> None:
    late = items["post-dose-20-30"]
    assert alert_text(late, "overdue") == "Sala 4: em atraso · 20-30 min após a dose"
    recheck = alert_text(items["recheck"], "missed")
    assert recheck == "Sala 4: falhada · Reavaliação 5 min após a medição elevada"
    board = next_reading_text(late, SessionState.MONITORING, at(32))
    assert board == "em atraso há 2 min · 20-30 min após a dose"
    # what is kept and compared stays English
    assert str.__str__(late.label) == "20-30 min after dose"
    assert late.label == "20-30 min after dose"
