"""Dose page (issue 9): unit switching converts the typed amount, a held booster is shown
with its rule and an override action, warnings are acknowledged, amounts shown as typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import YES_TO_ALL, Kit
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.storage.orm import Dose, HoldOverride
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.models.board import local_hhmm
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.dialogs import AcknowledgeDialog, OverrideDialog
from kapdesk.ui.session.dose import DosePage
from kapdesk.ui.session.workspace import STEP_CHECKLIST, STEP_DOSE, STEP_PRE_DOSE

from .conftest import table_counts


def doses(app: AppContext, sid: int) -> list[Dose]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(Dose).where(Dose.session_id == sid).order_by(Dose.id)))


def select_unit(page: DosePage, label: str) -> None:
    page.unit.setCurrentIndex(page.unit.findText(label))


def test_switching_the_unit_converts_the_typed_amount_or_clears_it(
    qtbot: QtBot, app: AppContext, kit: Kit, open_ws: Callable[[int], SessionWorkspace]
) -> None:
    sid = kit.ready(weight=82.8)
    page = open_ws(sid).pages[STEP_DOSE]
    assert isinstance(page, DosePage)
    assert page.current_route().value == "im"
    qtbot.keyClicks(page.amount, "0.75")
    select_unit(page, "mg")
    assert page.amount.text() == "62.1"  # 0.75 mg/kg x 82.8 kg, never "0.75 mg"
    assert page.calc.text().startswith("62.1 mg = 0.75 mg/kg at 82.8 kg")
    select_unit(page, "mg/kg")
    assert page.amount.text() == "0.75"
    # a route taking mg only: converted as well
    page.route.setCurrentIndex(page.route.findData("sublingual"))
    assert page.current_unit().value == "mg"
    assert page.amount.text() == "62.1"


def test_without_a_weight_switching_the_unit_clears_the_amount(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    nurse: Actor,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(nurse, sid, YES_TO_ALL)  # no weight today
    kit.vitals.record(nurse, sid, 120, 80)
    kit.advance(minutes=1)
    page = open_ws(sid).pages[STEP_DOSE]
    assert isinstance(page, DosePage)
    assert page.amount.isEnabled()
    qtbot.keyClicks(page.amount, "0.75")
    assert page.amount.text() == "0.75"
    select_unit(page, "mg")
    assert page.amount.text() == ""
    assert page.calc.text() == "Enter the amount in mg."


def test_a_held_booster_is_shown_with_its_rule_and_a_clinicians_override_lifts_it(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    clinician: Actor,
    open_ws: Callable[[int], SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=25)
    alert = kit.vitals.record(kit.nurse, sid, 212, 126, pulse=96, spo2=97).reading
    kit.advance(minutes=5)
    ws = open_ws(sid)
    ws.go_to(STEP_DOSE)
    page = ws.pages[STEP_DOSE]
    assert isinstance(page, DosePage)
    assert page.gate.text() == (
        f"Dose refused: held by critical-bp, kap-default v1.0: post-dose BP 212/126 at "
        f"{local_hhmm(alert.taken_at)} is critical. No further dose until a clinician records "
        "an override with the prescriber's name and a reason."
    )
    assert page.gate.property("band") == "critical"
    assert page.hint.text().startswith("Booster on hold")
    assert not page.record_button.isEnabled()
    assert not page.amount.isEnabled()
    assert not page.override_button.isHidden()
    assert not page.override_button.isEnabled()  # a nurse cannot override

    # a clinician records the override from the dose page
    asked: list[tuple[Any, ...]] = []

    def ask(*args: Any) -> tuple[str, str]:
        asked.append(args)
        return "Dr Test Clinician", "Settled at 150/90 after 10 min; booster as planned."

    monkeypatch.setattr(OverrideDialog, "ask", ask)
    app.actor = clinician
    ws.refresh()
    assert page.override_button.isEnabled()
    page.override_button.click()
    assert "post-dose BP 212/126" in asked[0][1]
    assert asked[0][3] == "Override booster gate"
    with app.ctx.db.read() as s:
        [override] = s.scalars(select(HoldOverride).where(HoldOverride.session_id == sid))
        assert (override.kind, override.reading_id) == ("reading", alert.id)
    assert page.gate.isHidden()
    assert page.overrides.text() == (
        f"Override recorded by Dr Test Clinician at {local_hhmm(clock.now())}: "
        "Settled at 150/90 after 10 min; booster as planned."
    )
    assert page.record_button.isEnabled()
    qtbot.keyClicks(page.amount, "0.25")
    qtbot.keyClicks(page.lot, "LOT-B")
    qtbot.keyClick(page.lot, Qt.Key.Key_Return)
    assert [d.is_booster for d in doses(app, sid)] == [False, True]


def test_checklist_warnings_are_acknowledged_and_typed_amounts_shown_as_typed(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    nurse: Actor,
    open_ws: Callable[[int], SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.ready()
    kit.sessions.record_checklist(nurse, sid, {"fasting": False})
    ws = open_ws(sid)
    page = ws.pages[STEP_DOSE]
    assert isinstance(page, DosePage)
    page.route.setCurrentIndex(page.route.findData("oral"))
    qtbot.keyClicks(page.amount, "62.35")
    qtbot.keyClicks(page.lot, "LOT-A")
    assert "To acknowledge with the dose: Checklist: 'Fasting" in page.calc.text()
    assert page.calc.text().startswith("62.35 mg")
    monkeypatch.setattr(AcknowledgeDialog, "ask", lambda *a, **k: False)
    before = table_counts(app.ctx.db)
    page.record_button.click()
    assert table_counts(app.ctx.db) == before  # declined: nothing stored
    monkeypatch.setattr(AcknowledgeDialog, "ask", lambda *a, **k: True)
    page.record_button.click()
    [dose] = doses(app, sid)
    assert (dose.mg, dose.amount) == (62.35, 62.35)
    assert dose.warnings == [
        "Checklist: 'Fasting (no food 2 h, no liquids 30 min)' is answered no."
    ]
    assert page.table.item(0, 3).text() == "62.35 mg"
    assert page.table.item(0, 4).text() == "62.35"
    assert "Acknowledged: Checklist: 'Fasting" in page.table.item(0, 8).text()


def test_a_blocking_checklist_no_is_shown_on_the_checklist_and_dose_pages(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    nurse: Actor,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    sid = kit.ready()
    ws = open_ws(sid)
    checklist = ws.pages[STEP_CHECKLIST]
    checklist.boxes["consent"].setChecked(False)  # type: ignore[attr-defined]
    assert checklist.gate.text().startswith(  # type: ignore[attr-defined]
        "Dose refused: held by checklist-consent, kap-default v1.0: 'Consent on file' is "
        "answered no."
    )
    page = ws.pages[STEP_DOSE]
    assert isinstance(page, DosePage)
    assert "held by checklist-consent" in page.gate.text()
    assert not page.record_button.isEnabled()


def test_a_recheck_too_soon_is_shown_and_the_hold_stands(
    qtbot: QtBot, app: AppContext, kit: Kit, open_ws: Callable[[int], SessionWorkspace]
) -> None:
    sid = kit.ready(bp=(152, 94))  # elevated at 09:00, now 09:01
    elevated_at = kit.clock.now() - timedelta(minutes=1)
    kit.vitals.record(kit.nurse, sid, 124, 80)  # a normal reading one minute later
    ws = open_ws(sid)
    pre = ws.pages[STEP_PRE_DOSE]
    until = local_hhmm(elevated_at + timedelta(minutes=5))
    assert pre.hold.text().startswith(  # type: ignore[attr-defined]
        f"Dose on hold: held by pre-dose-elevated, kap-default v1.0: pre-dose BP 152/94 at "
        f"{local_hhmm(elevated_at)} is elevated; recheck too soon: the hold stands until {until}."
    )
    assert not pre.override_button.isHidden()  # type: ignore[attr-defined]
    page = ws.pages[STEP_DOSE]
    assert isinstance(page, DosePage)
    assert not page.record_button.isEnabled()
    assert "recheck too soon" in page.gate.text()
    kit.advance(minutes=4)  # 09:05: a recheck at the interval lifts the hold
    kit.vitals.record(kit.nurse, sid, 126, 82)
    ws.refresh()
    assert pre.hold.text().startswith("Hold lifted by the recheck at")  # type: ignore[attr-defined]
    assert page.record_button.isEnabled()
