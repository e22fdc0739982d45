"""The guided dosing-session workspace, driven through its widgets on a real database.

Every workflow asserts the rows in the database after each step, not only what
the widgets show. The FakeClock moves; ``workspace.tick()`` stands in for the
1 s QTimer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import YES_TO_ALL, Kit
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.storage.orm import (
    Dose,
    DosingSession,
    HoldOverride,
    Note,
    Observation,
    SideEffect,
    VitalReading,
)
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.dialogs import OverrideDialog, ReasonDialog
from kapdesk.ui.session.workspace import (
    STEP_CHECKLIST,
    STEP_DISCHARGE,
    STEP_DOSE,
    STEP_MONITORING,
    STEP_PRE_DOSE,
    STEP_SIDE_EFFECTS,
)
from kapdesk.ui.widgets.vitals_form import VitalsForm

from .conftest import actor_for, table_counts

_M = TypeVar("_M")
SPACE = Qt.Key.Key_Space


# ---------------------------------------------------------------- helpers


@pytest.fixture
def open_ws(qtbot: QtBot, app: AppContext) -> Iterator[Callable[..., SessionWorkspace]]:
    made: list[SessionWorkspace] = []

    def make(session_id: int, context: AppContext | None = None) -> SessionWorkspace:
        ws = SessionWorkspace(context or app, session_id)
        qtbot.addWidget(ws)
        ws.resize(1280, 800)
        ws.show()
        qtbot.waitExposed(ws)
        ws.activateWindow()
        made.append(ws)
        return ws

    yield make
    for ws in made:
        ws.stop()


def rows(app: AppContext, model: type[_M], session_id: int) -> list[_M]:
    with app.ctx.db.read() as s:
        column = model.id if model is DosingSession else model.session_id  # type: ignore[attr-defined]
        return list(s.scalars(select(model).where(column == session_id).order_by(model.id)))  # type: ignore[attr-defined]


def session_row(app: AppContext, session_id: int) -> DosingSession:
    return rows(app, DosingSession, session_id)[0]


def note_body(app: AppContext, session_id: int) -> str | None:
    with app.ctx.db.read() as s:
        note = s.scalar(select(Note).where(Note.dosing_session_id == session_id))
        return None if note is None else note.body


def enter_vitals(qtbot: QtBot, form: VitalsForm, *values: str) -> None:
    """Type into each field and press Enter in the last one, as a nurse would."""
    keys = ("systolic", "diastolic", "pulse", "spo2")[: len(values)]
    for key, value in zip(keys, values, strict=True):
        form.edits[key].clear()
        qtbot.keyClicks(form.edits[key], value)
    qtbot.keyClick(form.edits[keys[-1]], Qt.Key.Key_Return)


def due_row(table: QTableWidget, label: str) -> tuple[str, str, str]:
    """(status, countdown, status background) of the due-reading row with ``label``."""
    for r in range(table.rowCount()):
        if table.item(r, 0).text() == label:
            status = table.item(r, 2)
            return status.text(), table.item(r, 3).text(), status.background().color().name()
    raise AssertionError(f"no due reading {label!r}")


def hhmm(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def press(qtbot: QtBot, widget: Any) -> None:
    assert widget.isEnabled(), f"{widget.accessibleName()} is disabled"
    qtbot.keyClick(widget, SPACE)


# ---------------------------------------------------------------- the whole session


def test_full_kap_default_session_from_check_in_to_discharge(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    nurse: Actor,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.scheduled()
    ws = open_ws(sid)
    assert ws.current_step() == STEP_CHECKLIST
    assert ws.step_states() == ["current", "todo", "todo", "todo", "todo", "todo"]

    # 1. check in and the checklist, every answer stored as it is ticked
    checklist = ws.pages[STEP_CHECKLIST]
    press(qtbot, checklist.check_in_button)
    assert session_row(app, sid).state == "checked_in"
    assert list(checklist.boxes) == list(YES_TO_ALL)  # no nasal item: several routes, no dose
    for key, box in checklist.boxes.items():
        press(qtbot, box)
        assert session_row(app, sid).checklist[key] is True
    assert ws.current_step() == STEP_CHECKLIST  # weight still missing
    weight = checklist.numbers["weight_kg"]
    qtbot.keyClicks(weight, "70")
    qtbot.keyClick(weight, Qt.Key.Key_Return)
    assert session_row(app, sid).weight_kg == 70.0
    assert ws.step_states()[0] == "done"
    assert ws.current_step() == STEP_PRE_DOSE  # the guide moves on

    # 2. pre-dose vitals: normal, classified with its provenance
    pre = ws.pages[STEP_PRE_DOSE]
    enter_vitals(qtbot, pre.form, "128", "82", "72", "98")
    [reading] = rows(app, VitalReading, sid)
    assert (reading.systolic, reading.diastolic, reading.pulse, reading.spo2) == (128, 82, 72, 98)
    assert (reading.phase, reading.band, reading.recorded_by) == (
        "pre_dose",
        "normal",
        nurse.user_id,
    )
    assert session_row(app, sid).state == "pre_dose_vitals"
    assert "128/82 mmHg" in pre.result.text()
    assert pre.result.text().endswith("→  Within kap-default v1.0 pre-dose limits")
    assert "kap-default v1.0 pre-dose rules" in pre.provenance.text()
    assert pre.form.values()["systolic"] is None  # cleared for the next reading
    assert ws.current_step() == STEP_DOSE

    # 3. the dose: 0.5 mg/kg IM from today's weight
    clock.advance(minutes=1)
    ws.tick()
    dose = ws.pages[STEP_DOSE]
    assert dose.current_route().value == "im"
    assert dose.given_by.currentData() == nurse.user_id
    qtbot.keyClicks(dose.amount, "0.5")
    assert dose.calc.text() == "0.5 mg/kg × 70.0 kg = 35.0 mg"
    qtbot.keyClicks(dose.lot, "LOT-42")
    qtbot.keyClick(dose.lot, Qt.Key.Key_Return)
    [given] = rows(app, Dose, sid)
    assert (given.route, given.unit, given.amount, given.mg) == ("im", "mg_per_kg", 0.5, 35.0)
    assert (given.lot_number, given.given_by, given.is_booster) == ("LOT-42", nurse.user_id, False)
    assert given.given_at == clock.now()
    dose_at = clock.now()
    assert session_row(app, sid).state == "dosed"
    assert dose.table.rowCount() == 1
    assert dose.table.item(0, 4).text() == "35.0"
    assert ws.current_step() == STEP_MONITORING
    assert ws.header.clock.text() == "Since dose 0 min"

    # 4. monitoring: 20 min -> due (amber), 30 min 1 s -> overdue (red), then done late
    mon = ws.pages[STEP_MONITORING]
    label = "20-30 min after dose"
    assert due_row(mon.due, label)[:2] == ("upcoming", "opens in 20 min")
    clock.advance(minutes=20)
    ws.tick()
    status, countdown, color = due_row(mon.due, label)
    assert (status, countdown, color) == ("due", "closes in 10 min", "#f5c26b")
    assert ws.header.next.text() == f"{label}: due now, closes in 10 min"
    assert ws.header.clock.text() == "Since dose 20 min"
    clock.advance(minutes=10, seconds=1)
    ws.tick()
    status, countdown, color = due_row(mon.due, label)
    assert (status, color) == ("overdue", "#e57373")
    missed_at = (clock.now() - timedelta(seconds=1) + timedelta(minutes=15)).astimezone()
    assert countdown == f"overdue by less than 1 min; missed at {missed_at:%H:%M}"  # issue 9
    assert ws.header.next.text() == f"{label}: OVERDUE by less than 1 min"
    assert ws.header.next.property("level") == "overdue"

    enter_vitals(qtbot, mon.form, "134", "86", "80", "97")
    post = rows(app, VitalReading, sid)[-1]
    assert (post.systolic, post.phase, post.taken_at) == (134, "post_dose", clock.now())
    assert session_row(app, sid).state == "monitoring"
    assert due_row(mon.due, label)[0] == "done late"
    assert mon.readings.rowCount() == 2
    assert "Latest" in mon.result.text()
    assert mon.result.text().endswith("→  Within kap-default v1.0 post-dose limits")

    mon.moaas.setCurrentIndex(mon.moaas.findData(4))
    press(qtbot, mon.moaas_button)
    press(qtbot, mon.dissociation)
    qtbot.keyClicks(mon.dissociation_text, "floating, calm")
    qtbot.keyClick(mon.dissociation_text, Qt.Key.Key_Return)
    moaas, dissociation = rows(app, Observation, sid)
    assert (moaas.kind, moaas.score) == ("moaas", 4)
    assert (dissociation.kind, dissociation.present, dissociation.text) == (
        "dissociation",
        True,
        "floating, calm",
    )
    assert "MOAA/S 4" in mon.observation_list.text()

    # the pre-discharge reading, then 2 h after the dose
    clock.set(dose_at + timedelta(minutes=110))
    enter_vitals(qtbot, mon.form, "124", "80", "74", "98")
    assert due_row(mon.due, "Before discharge")[0] == "done on time"
    clock.set(dose_at + timedelta(minutes=120))
    ws.tick()

    # 6. discharge: computed criteria explained, staff criteria ticked, then discharge
    ws.go_to(STEP_DISCHARGE)
    dis = ws.pages[STEP_DISCHARGE]
    assert dis.computed["min_observation"].text() == (
        "✓  Minimum observation time passed – 2 h 00 min observed of 2 h required"
    )
    assert dis.computed["vitals_acceptable"].text().startswith("✓  Vitals acceptable")
    for key, box in dis.staff.items():
        press(qtbot, box)
        assert session_row(app, sid).discharge_criteria["answers"][key] is True
    press(qtbot, dis.discharge_button)
    done = session_row(app, sid)
    assert (done.state, done.discharged_at, done.discharged_by) == (
        "discharged",
        clock.now(),
        nurse.user_id,
    )
    assert done.discharge_reason is None
    assert all(c["met"] for c in done.discharge_criteria["checks"])
    assert ws.current_step() == STEP_DISCHARGE
    assert ws.step_states()[STEP_DISCHARGE] == "done"
    assert ws.header.alert.text() == f"Discharged at {hhmm(clock.now())}"

    # read-only now: nothing can be entered any more
    assert not mon.form.first_field.isEnabled()
    assert not dose.amount.isEnabled()
    assert not any(b.isEnabled() for b in checklist.boxes.values())
    assert not dis.discharge_button.isEnabled()
    assert not any(b.isEnabled() for b in dis.staff.values())
    assert not ws.pages[STEP_SIDE_EFFECTS].rows["nausea"].present.isEnabled()
    assert not mon.moaas_button.isEnabled()


# ---------------------------------------------------------------- hold and override


def test_elevated_pre_dose_bp_holds_the_dose_until_a_clinician_overrides(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    nurse: Actor,
    clinician: Actor,
    open_ws: Callable[..., SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    ws = open_ws(sid)
    assert ws.current_step() == STEP_PRE_DOSE
    pre = ws.pages[STEP_PRE_DOSE]
    enter_vitals(qtbot, pre.form, "150", "95", "76", "98")
    [reading] = rows(app, VitalReading, sid)
    assert (reading.band, reading.rules) == ("elevated", ["pre-dose-elevated"])

    assert "150/95 mmHg" in pre.result.text()
    assert "Elevated" in pre.result.text()
    assert pre.result.property("band") == "elevated"
    assert "systolic ≥ 140 or diastolic ≥ 90 mmHg" in pre.provenance.text()
    assert "pre-dose-elevated" in pre.provenance.text()  # the rule that fired
    assert (
        pre.recheck.text()
        == f"Recheck after 5 min rest: at {hhmm(clock.now() + timedelta(minutes=5))} (in 5 min)."
    )
    assert "Dose on hold" in ws.header.alert.text()
    assert ws.current_step() == STEP_PRE_DOSE
    dose = ws.pages[STEP_DOSE]
    assert not dose.amount.isEnabled()
    assert not dose.record_button.isEnabled()
    assert "on hold" in dose.hint.text()

    # a nurse cannot override: the button is disabled and the service refuses anyway
    assert not pre.override_button.isHidden()
    assert not pre.override_button.isEnabled()
    assert pre.withhold_button.isEnabled()
    monkeypatch.setattr(OverrideDialog, "ask", lambda parent, intro, prescriber="": ("Dr X", "ok"))
    before = table_counts(app.ctx.db)
    pre.override()
    assert pre.message.text() == "A nurse may not override a pre-dose hold."
    assert table_counts(app.ctx.db) == before

    clock.advance(minutes=5)
    ws.tick()
    assert pre.recheck.text().endswith("due now (since " + hhmm(clock.now()) + ").")

    # a clinician signs in and records the override from the keyboard
    asked: list[tuple[str, str]] = []

    def ask(parent: Any, intro: str, prescriber: str = "") -> tuple[str, str]:
        asked.append((intro, prescriber))
        return "Dr Test Clinician", "Known white-coat hypertension; home BP normal."

    monkeypatch.setattr(OverrideDialog, "ask", ask)
    app.actor = clinician
    assert pre.override_button.isEnabled()
    press(qtbot, pre.override_button)
    assert asked
    assert asked[0][1] == clinician.full_name
    assert "150/95" in asked[0][0]
    [override] = rows(app, HoldOverride, sid)
    assert override.prescriber_name == "Dr Test Clinician"
    assert override.reason == "Known white-coat hypertension; home BP normal."
    assert (override.reading_id, override.recorded_by) == (reading.id, clinician.user_id)
    assert not ws.detail.hold_active
    # issue 9: the override is shown as what it is, with who, when and why
    assert pre.hold.text() == (
        f"Hold lifted: override recorded by Dr Test Clinician at {hhmm(clock.now())}: "
        f"Known white-coat hypertension; home BP normal. (entered by {clinician.full_name})"
    )
    assert ws.current_step() == STEP_DOSE
    assert dose.amount.isEnabled()

    qtbot.keyClicks(dose.amount, "0.5")
    qtbot.keyClicks(dose.lot, "LOT-7")
    qtbot.keyClick(dose.amount, Qt.Key.Key_Return)
    [given] = rows(app, Dose, sid)
    assert (given.mg, given.recorded_by) == (35.0, clinician.user_id)


def test_withholding_the_dose_ends_the_session_read_only(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    nurse: Actor,
    open_ws: Callable[..., SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.ready(bp=(162, 101))
    ws = open_ws(sid)
    pre = ws.pages[STEP_PRE_DOSE]
    monkeypatch.setattr(ReasonDialog, "ask", lambda parent, title, intro, ok="": None)
    press(qtbot, pre.withhold_button)  # cancelled: nothing happens
    assert session_row(app, sid).state == "pre_dose_vitals"
    reason = "BP still 162/101 after rest; GP review first."
    monkeypatch.setattr(ReasonDialog, "ask", lambda parent, title, intro, ok="": reason)
    press(qtbot, pre.withhold_button)
    row = session_row(app, sid)
    assert (row.state, row.state_reason) == ("dose_withheld", reason)
    assert ws.header.alert.text() == f"Dose withheld: {reason}"
    assert not pre.form.first_field.isEnabled()
    assert not pre.withhold_button.isVisible()
    assert not ws.pages[STEP_DOSE].amount.isEnabled()
    assert not ws.pages[STEP_MONITORING].form.first_field.isEnabled()


# ---------------------------------------------------------------- invalid input


def test_invalid_inputs_show_the_domain_message_and_store_nothing(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    nurse: Actor,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.checked_in()
    ws = open_ws(sid)
    db = app.ctx.db
    before = table_counts(db)

    checklist = ws.pages[STEP_CHECKLIST]
    weight = checklist.numbers["weight_kg"]
    qtbot.keyClicks(weight, "500")
    qtbot.keyClick(weight, Qt.Key.Key_Return)
    assert checklist.number_errors["weight_kg"].text() == (
        "Weight 500 kg is outside the allowed range 25-350 kg."
    )
    qtbot.waitUntil(lambda: QApplication.focusWidget() is weight)
    assert session_row(app, sid).weight_kg is None

    ws.go_to(STEP_PRE_DOSE)
    form = ws.pages[STEP_PRE_DOSE].form
    enter_vitals(qtbot, form, "400", "80")
    assert form.errors["systolic"].text() == (
        "Systolic 400 mmHg is outside the allowed range 50-300 mmHg."
    )
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.edits["systolic"])
    enter_vitals(qtbot, form, "120", "130")
    assert form.errors["diastolic"].text() == (
        "Diastolic 130 mmHg must be lower than systolic 120 mmHg."
    )
    assert form.errors["systolic"].isHidden()
    assert table_counts(db) == before

    # a valid weight and reading, then an invalid dose
    weight.clear()
    qtbot.keyClicks(weight, "70,5")
    qtbot.keyClick(weight, Qt.Key.Key_Return)
    assert session_row(app, sid).weight_kg == 70.5
    assert checklist.number_errors["weight_kg"].isHidden()
    for key in YES_TO_ALL:  # the blocking items must be yes before any dose (issue 9)
        checklist.boxes[key].setChecked(True)
    enter_vitals(qtbot, form, "120", "80")
    clock.advance(minutes=1)
    ws.tick()
    dose = ws.pages[STEP_DOSE]
    before = table_counts(db)
    qtbot.keyClicks(dose.amount, "0.5")
    qtbot.keyClick(dose.amount, Qt.Key.Key_Return)  # lot number left empty
    assert dose.lot_error.text() == "Lot number is required."
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dose.lot)
    dose.amount.clear()
    qtbot.keyClicks(dose.amount, "abc")
    assert dose.calc.text().startswith("Amount 'abc' is not a number")
    qtbot.keyClicks(dose.lot, "LOT-1")
    qtbot.keyClick(dose.lot, Qt.Key.Key_Return)
    assert dose.amount_error.text() == (
        "Amount 'abc' is not a number: enter a positive amount in mg/kg."
    )
    assert table_counts(db) == before
    assert rows(app, Dose, sid) == []


# ---------------------------------------------------------------- doses


def test_over_the_maximum_needs_a_clinicians_confirmation_kept_with_the_dose(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clinician: Actor,
    open_ws: Callable[..., SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.ready()
    ws = open_ws(sid)
    dose = ws.pages[STEP_DOSE]
    qtbot.keyClicks(dose.amount, "2")
    qtbot.keyClicks(dose.lot, "LOT-9")
    assert "exceeds the kap-default v1.0 maximum for IM (1.5 mg/kg)" in dose.calc.text()
    before = table_counts(app.ctx.db)

    # a nurse is told who may confirm; nothing is stored
    monkeypatch.setattr(ReasonDialog, "ask", lambda *a, **k: pytest.fail("nurse was asked"))
    press(qtbot, dose.record_button)
    assert "Only a clinician may confirm a dose above the protocol maximum." in dose.message.text()
    assert table_counts(app.ctx.db) == before

    asked: list[str] = []

    def ask(parent: Any, title: str, intro: str, ok: str = "") -> str | None:
        asked.append(intro)
        return None if len(asked) == 1 else "Prescribed 2 mg/kg after partial response."

    monkeypatch.setattr(ReasonDialog, "ask", ask)
    app.actor = clinician
    press(qtbot, dose.record_button)  # cancelled
    assert table_counts(app.ctx.db) == before
    press(qtbot, dose.record_button)
    assert "2 mg/kg × 70.0 kg = 140.0 mg" in asked[-1]
    [given] = rows(app, Dose, sid)
    assert (given.over_limit, given.confirmed_by) == (True, clinician.user_id)
    assert given.confirmation_reason == "Prescribed 2 mg/kg after partial response."
    assert "Above max, confirmed by Test Clinician" in dose.table.item(0, 8).text()


def test_a_booster_is_flagged_automatically_after_the_first_dose(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.dosed()
    clock.advance(minutes=25)
    ws = open_ws(sid)
    dose = ws.pages[STEP_DOSE]
    ws.go_to(STEP_DOSE)
    assert dose.booster.text() == "Booster: this will be dose 2."
    qtbot.keyClicks(dose.amount, "0.25")
    assert dose.calc.text() == "0.25 mg/kg × 70.0 kg = 17.5 mg"
    qtbot.keyClicks(dose.lot, "LOT-43")
    qtbot.keyClick(dose.lot, Qt.Key.Key_Return)
    first, booster = rows(app, Dose, sid)
    assert (first.is_booster, booster.is_booster, booster.mg) == (False, True, 17.5)
    assert dose.table.rowCount() == 2
    assert dose.table.item(1, 7).text() == "booster"


# ---------------------------------------------------------------- side effects, note


def test_side_effects_are_saved_as_they_are_entered(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    nurse: Actor,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.dosed()
    clock.advance(minutes=12)
    ws = open_ws(sid)
    ws.go_to(STEP_SIDE_EFFECTS)
    page = ws.pages[STEP_SIDE_EFFECTS]
    assert "nasal_discomfort" not in page.rows  # catalogue for the IM route
    row = page.rows["nausea"]
    assert not row.severity.isEnabled()

    press(qtbot, row.present)
    assert row.error.text() == "Nausea: choose a severity to save it."
    assert rows(app, SideEffect, sid) == []  # severity is never guessed
    assert row.severity.isEnabled()
    qtbot.keyClick(row.severity, Qt.Key.Key_Down)  # mild
    [effect] = rows(app, SideEffect, sid)
    assert (effect.effect_id, effect.present, effect.severity) == ("nausea", True, "mild")
    assert (effect.onset_at, effect.recorded_by) == (clock.now(), nurse.user_id)

    qtbot.keyClick(row.severity, Qt.Key.Key_Down)  # moderate: corrects the same record
    qtbot.keyClicks(row.intervention, "ondansetron 4 mg SL")
    qtbot.keyClick(row.intervention, Qt.Key.Key_Return)
    [effect] = rows(app, SideEffect, sid)
    assert (effect.severity, effect.intervention) == ("moderate", "ondansetron 4 mg SL")

    clock.advance(minutes=15)
    ws.tick()
    press(qtbot, row.resolved)
    [effect] = rows(app, SideEffect, sid)
    assert effect.resolved_at == clock.now()
    assert ws.step_states()[STEP_SIDE_EFFECTS] == "done"

    press(qtbot, row.present)  # unticked: recorded as absent
    [effect] = rows(app, SideEffect, sid)
    assert (effect.present, effect.severity, effect.resolved_at) == (False, None, None)


def test_session_note_autosaves_after_a_pause_and_on_focus_out(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.checked_in()
    ws = open_ws(sid)
    editor = ws.note.editor
    editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor)
    qtbot.keyClicks(editor, "Anxious before dosing")
    assert note_body(app, sid) is None  # not on every keystroke
    qtbot.waitUntil(lambda: note_body(app, sid) == "Anxious before dosing", timeout=3000)
    assert ws.note.saved.text() == f"Saved {hhmm(clock.now())}"

    clock.advance(minutes=3)
    qtbot.keyClicks(editor, "; calmer after breathing")
    ws.steps.setFocus()  # leaving the editor saves at once
    assert note_body(app, sid) == "Anxious before dosing; calmer after breathing"
    assert ws.note.saved.text() == f"Saved {hhmm(clock.now())}"


# ---------------------------------------------------------------- discharge


def test_discharge_before_the_criteria_are_met_needs_a_clinician_and_a_reason(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    clinician: Actor,
    open_ws: Callable[..., SessionWorkspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = kit.dosed()
    clock.advance(minutes=40)
    ws = open_ws(sid)
    ws.go_to(STEP_DISCHARGE)
    dis = ws.pages[STEP_DISCHARGE]
    assert dis.computed["min_observation"].text() == (
        "✗  Minimum observation time passed – 40 min observed of 2 h required"
    )
    monkeypatch.setattr(ReasonDialog, "ask", lambda *a, **k: pytest.fail("nurse was asked"))
    before = table_counts(app.ctx.db)
    press(qtbot, dis.discharge_button)
    assert "Only a clinician may discharge with unmet criteria" in dis.message.text()
    assert table_counts(app.ctx.db) == before

    asked: list[str] = []

    def ask(parent: Any, title: str, intro: str, ok: str = "") -> str:
        asked.append(intro)
        return "Transferred to the emergency department."

    monkeypatch.setattr(ReasonDialog, "ask", ask)
    app.actor = clinician
    press(qtbot, dis.discharge_button)
    assert "Minimum observation time passed (40 min observed of 2 h required)" in asked[0]
    row = session_row(app, sid)
    assert (row.state, row.discharged_by) == ("discharged", clinician.user_id)
    assert row.discharge_reason == "Transferred to the emergency department."
    assert ws.header.alert.text().startswith(
        "Discharged against criteria: Transferred to the emergency department."
    )


# ---------------------------------------------------------------- resume and roles


def test_reopening_shows_the_stored_step_doses_readings_note_and_clock(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    nurse: Actor,
    db_path: Path,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.dosed()
    dose_at = clock.now()
    clock.advance(minutes=22)
    kit.vitals.record(nurse, sid, 140, 88, 80, 97)
    ws = open_ws(sid)
    assert ws.current_step() == STEP_MONITORING
    qtbot.keyClicks(ws.note.editor, "Eyes closed, music on.")
    states = ws.step_states()
    ws.close()  # closing saves the note that was still being typed
    assert note_body(app, sid) == "Eyes closed, music on."

    # "restart": a new app context on the same file, three minutes later
    clock.advance(minutes=3)
    again = build_app_context(db_path, demo=False, clock=clock)
    try:
        again.actor = nurse
        ws2 = open_ws(sid, again)
        assert ws2.current_step() == STEP_MONITORING
        assert ws2.step_states() == states
        assert ws2.header.clock.text() == "Since dose 25 min"
        assert ws2.header.facts.text().endswith("In monitoring  ·  weight 70 kg")
        doses = ws2.pages[STEP_DOSE].table
        assert doses.rowCount() == 1
        assert doses.item(0, 0).text() == hhmm(dose_at)
        mon = ws2.pages[STEP_MONITORING]
        assert mon.readings.rowCount() == 2
        assert due_row(mon.due, "20-30 min after dose")[:2] == (
            "done on time",
            f"taken {hhmm(dose_at + timedelta(minutes=22))}",
        )
        status, countdown, _ = due_row(mon.due, "Before discharge")
        assert (status, countdown) == ("upcoming", "opens in 1 h 20 min")
        assert ws2.note.editor.toPlainText() == "Eyes closed, music on."
        clock.advance(seconds=60)
        ws2.tick()
        assert ws2.header.clock.text() == "Since dose 26 min"
    finally:
        ws2.stop()
        again.close()


def test_a_therapist_sees_the_session_but_cannot_do_a_nurses_tasks(
    app: AppContext,
    kit: Kit,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.ready()
    app.actor = actor_for(app, Role.THERAPIST)
    ws = open_ws(sid)
    assert not any(b.isEnabled() for b in ws.pages[STEP_CHECKLIST].boxes.values())
    dose = ws.pages[STEP_DOSE]
    assert not dose.amount.isEnabled()
    assert dose.hint.text() == "A therapist cannot record doses."
    assert ws.pages[STEP_PRE_DOSE].form.first_field.isEnabled()  # therapists take vitals
    assert not ws.pages[STEP_PRE_DOSE].withhold_button.isEnabled()


def test_steps_can_be_revisited_from_the_keyboard(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.dosed()
    ws = open_ws(sid)
    assert ws.current_step() == STEP_MONITORING
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is ws.pages[STEP_MONITORING].form.first_field
    )
    qtbot.keyClick(
        ws.pages[STEP_MONITORING].form.first_field, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier
    )
    assert ws.current_step() == STEP_CHECKLIST
    assert ws.stack.currentIndex() == STEP_CHECKLIST
    assert ws.steps.item(STEP_CHECKLIST).text() == "✓  1. Pre-session checklist"
    ws.steps.setFocus()
    qtbot.keyClick(ws.steps, Qt.Key.Key_Down)
    assert ws.current_step() == STEP_PRE_DOSE
    # nobody signed in (switching user): everything is read-only, nothing fails
    app.actor = None
    assert not ws.pages[STEP_MONITORING].form.first_field.isEnabled()
    assert ws.pages[STEP_DOSE].hint.text() == "Sign in to record doses."


def test_intranasal_esketamine_is_counted_in_devices(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    nurse: Actor,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    sid = kit.checked_in(protocol_id="spravato-rems")
    ws = open_ws(sid)
    checklist = ws.pages[STEP_CHECKLIST]
    assert "nasal_products" in checklist.boxes  # the protocol's only route is intranasal
    kit.sessions.record_checklist(nurse, sid, {**YES_TO_ALL, "nasal_products": True})
    kit.vitals.record(nurse, sid, 124, 80, 70, 98)
    clock.advance(minutes=1)
    ws.refresh()  # what the workspace's clock does every few seconds
    dose = ws.pages[STEP_DOSE]
    assert ws.current_step() == STEP_DOSE
    assert dose.amount_label.text() == "&Devices"
    assert dose.amount.accessibleName() == "Devices"
    assert [dose.unit.itemText(i) for i in range(dose.unit.count())] == ["device(s)"]
    qtbot.keyClicks(dose.amount, "2")
    assert dose.calc.text() == "2 devices × 28 mg = 56.0 mg"
    qtbot.keyClicks(dose.lot, "ESK-1")
    qtbot.keyClick(dose.lot, Qt.Key.Key_Return)
    [given] = rows(app, Dose, sid)
    assert (given.route, given.unit, given.amount, given.mg) == ("intranasal", "device", 2.0, 56.0)
    ws.go_to(STEP_SIDE_EFFECTS)
    assert "nasal_discomfort" in ws.pages[STEP_SIDE_EFFECTS].rows
