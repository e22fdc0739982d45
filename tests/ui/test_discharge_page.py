"""The discharge step shows a discharge against unmet criteria as what it is: amber,
"Discharged against criteria: <reason>", never a green tick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.services.side_effects import SideEffectService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.dialogs import ReasonDialog
from kapdesk.ui.session.discharge import DischargePage
from kapdesk.ui.session.workspace import STEP_DISCHARGE

STAFF_YES = {"alert_oriented": True, "steady": True, "ride_home_present": True}


@pytest.fixture
def workspace(qtbot: QtBot, app: AppContext) -> Iterator[list[SessionWorkspace]]:
    made: list[SessionWorkspace] = []
    yield made
    for ws in made:
        ws.stop()


def open_discharge(
    qtbot: QtBot, app: AppContext, sid: int, made: list[SessionWorkspace]
) -> tuple[SessionWorkspace, DischargePage]:
    ws = SessionWorkspace(app, sid)
    qtbot.addWidget(ws)
    ws.resize(1280, 800)
    ws.show()
    qtbot.waitExposed(ws)
    made.append(ws)
    ws.go_to(STEP_DISCHARGE)
    page = ws.pages[STEP_DISCHARGE]
    assert isinstance(page, DischargePage)
    return ws, page


def press(qtbot: QtBot, widget: Any) -> None:
    assert widget.isEnabled(), f"{widget.accessibleName()} is disabled"
    qtbot.keyClick(widget, Qt.Key.Key_Space)


def test_a_discharge_against_criteria_is_amber_with_its_reason(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    clinician: Actor,
    workspace: list[SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.dosed()
    kit.sessions.record_discharge_answers(kit.nurse, sid, STAFF_YES)
    SideEffectService(app.ctx).record(kit.nurse, sid, "nausea", present=True, severity="mild")
    clock.advance(minutes=50)
    ws, page = open_discharge(qtbot, app, sid, workspace)
    side = page.computed["side_effects_resolved"]
    assert (
        side.text() == "✗  No side effect still unresolved – Not resolved: Nausea (grade 1 – mild)."
    )
    readings = page.computed["readings_taken"]
    assert readings.text().startswith("✗  Every required reading taken – ")
    assert "20-30 min after dose" in readings.text()

    monkeypatch.setattr(ReasonDialog, "ask", lambda *a, **k: "Family emergency, seen by Dr. Lima")
    app.actor = clinician
    press(qtbot, page.discharge_button)
    at = clock.now().astimezone().strftime("%H:%M")
    expected = f"Discharged against criteria: Family emergency, seen by Dr. Lima (at {at})"
    assert page.outcome.text() == expected
    assert page.outcome.isVisible()
    assert page.outcome.property("band") == "elevated"
    assert "✓" not in page.outcome.text()
    assert page.hint.text() == "Criteria as recorded at discharge: 4 criteria not met."
    assert ws.header.alert.text() == expected
    assert ws.header.alert.property("level") == "elevated"
    assert ws.steps.item(STEP_DISCHARGE).text() == "⚠  6. Discharge"


def test_a_discharge_with_every_criterion_met_is_a_calm_tick(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    workspace: list[SessionWorkspace],
) -> None:
    sid = kit.dosed()
    first = clock.now()
    kit.sessions.record_discharge_answers(kit.nurse, sid, STAFF_YES)
    clock.set(first + timedelta(minutes=25))
    kit.vitals.record(kit.nurse, sid, 124, 80, pulse=72, spo2=98)
    clock.set(first + timedelta(minutes=110))
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    clock.set(first + timedelta(minutes=115))
    ws, page = open_discharge(qtbot, app, sid, workspace)
    assert page.hint.text() == (
        "1 criterion not met yet. Discharging before it is met needs a clinician and a reason."
    )
    clock.set(first + timedelta(minutes=120))
    ws.refresh()
    assert page.hint.text() == "All 7 criteria met."
    press(qtbot, page.discharge_button)
    at = clock.now().astimezone().strftime("%H:%M")
    assert page.outcome.text() == f"✓  Discharged at {at}; all criteria met."
    assert page.outcome.property("band") == "normal"
    assert ws.header.alert.text() == f"Discharged at {at}"
    assert ws.header.alert.property("level") == "info"
    assert ws.steps.item(STEP_DISCHARGE).text() == "✓  6. Discharge"


def test_a_future_discharge_time_is_refused_at_the_time_field(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    clinician: Actor,
    workspace: list[SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.dosed()
    clock.advance(minutes=30)
    _, page = open_discharge(qtbot, app, sid, workspace)
    monkeypatch.setattr(ReasonDialog, "ask", lambda *a, **k: "Leaving")
    app.actor = clinician
    ahead = (clock.now() + timedelta(minutes=10)).astimezone()
    page.time.set_fixed(ahead)
    press(qtbot, page.discharge_button)
    assert "in the future" in page.time_error.text()
    assert kit.sessions.get(sid).state == "dosed"


def test_unmet_criteria_are_counted_in_plain_words(
    qtbot: QtBot, app: AppContext, kit: Kit, workspace: list[SessionWorkspace]
) -> None:
    sid = kit.dosed()
    _, page = open_discharge(qtbot, app, sid, workspace)
    unmet = sum(1 for label in page.computed.values() if label.text().startswith("✗"))
    unmet += sum(1 for box in page.staff.values() if not box.isChecked())
    assert unmet > 1
    assert page.hint.text() == (
        f"{unmet} criteria not met yet. "
        "Discharging before they are met needs a clinician and a reason."
    )
    assert " of " not in page.hint.text()
