"""Entered in error, through the real widgets on a real database (issue 12).

Right-click (or the Menu key on) a row showing a reading, dose, observation, side effect
or PHQ-9 -> "Entered in error…" -> the dialog names the entry and asks why -> the row
stays, struck through, with who, when and why; the database row carries the mark, an
audit entry exists, and the alert, chart point or banner it caused goes away. Refused
after signing (an addendum instead) and without a reason, with nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import YES_TO_ALL, Kit
from services.signkit import cheap_passwords, closed_session
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.storage.orm import AuditEntry, Dose, Observation, SideEffect, VitalReading
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.entered_in_error import (
    ALREADY_TEXT,
    MARK_TEXT,
    SIGNED_TEXT,
    EnteredInErrorDialog,
    EntryMenu,
)
from kapdesk.ui.entry_rows import MARKED_GREY, entry_rows
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_DOSE, STEP_MONITORING, STEP_SIDE_EFFECTS

from .conftest import PASSWORD, actor_for

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def kit(kit: Kit, app: AppContext) -> Kit:
    """The shared kit (tests/ui/conftest.py), with passwords cheap to hash for sign-ins."""
    cheap_passwords(app.ctx.db)
    return kit


# ---------------------------------------------------------------- driving the widgets


def right_click(widget: QWidget, pos: QPoint) -> None:
    """What a right-click delivers (QTest's mouse clicks never make a context-menu event)."""
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)


def right_click_row(table: QAbstractItemView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    right_click(table.viewport(), rect.center())


def action_texts(menu: QMenu) -> list[tuple[str, bool]]:
    return [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]


def choose_mark(qtbot: QtBot, entry_menu: EntryMenu) -> EnteredInErrorDialog:
    """Press E in the open menu ("&Entered in error…"): the dialog opens."""
    menu = entry_menu.menu
    assert menu is not None, "no menu opened"
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, Qt.Key.Key_E)
    dialog = entry_menu.dialog
    assert dialog is not None, "the dialog did not open"
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def give_reason(qtbot: QtBot, dialog: EnteredInErrorDialog, reason: str) -> None:
    qtbot.keyClicks(dialog.reason, reason)
    qtbot.mouseClick(dialog.ok, LEFT)


def row_of(table: QTableWidget, kind: str, entry_id: int) -> int:
    rows = entry_rows(table, kind, entry_id)  # type: ignore[arg-type]
    assert rows, f"no row shows {kind} {entry_id}"
    return rows[0]


def struck(table: QTableWidget, row: int) -> bool:
    cells = [table.item(row, c) for c in range(table.columnCount())]
    return all(
        c is not None and c.font().strikeOut() and c.foreground().color().name() == MARKED_GREY
        for c in cells
    )


def db_row(app: AppContext, model: Any, entry_id: int) -> Any:
    with app.ctx.db.read() as s:
        return s.get(model, entry_id)


def audit_for(app: AppContext, entity: str, entity_id: int) -> list[AuditEntry]:
    """The audit entries of marks on one entry ('vital_reading', 12)."""
    with app.ctx.db.read() as s:
        query = select(AuditEntry).where(
            AuditEntry.action == "entry.entered_in_error",
            AuditEntry.entity == entity,
            AuditEntry.entity_id == str(entity_id),
        )
        return list(s.scalars(query.order_by(AuditEntry.id)))


# ---------------------------------------------------------------- a reading


def test_a_reading_marked_from_its_row_is_struck_through_and_its_alert_goes(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    good = kit.vitals.record(nurse, sid, 136, 84, pulse=80, spo2=97).reading.id
    kit.advance(minutes=1)
    wrong = kit.vitals.record(nurse, sid, 186, 114, pulse=80, spo2=97).reading.id
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    assert "186/114" in ws.header.alert.text()  # the hold/alert banner this reading causes
    chart = mon.ensure_chart()
    assert 186 in list(chart.systolic_curve.getData()[1])

    row = row_of(mon.readings, "reading", wrong)
    right_click_row(mon.readings, row)
    dialog = choose_mark(qtbot, mon.readings_menu)
    assert dialog.what.text().startswith("Reading ")
    assert "BP 186/114" in dialog.what.text()
    give_reason(qtbot, dialog, "typed 186/114 for 136/84")
    qtbot.waitUntil(lambda: not dialog.isVisible())

    stored = db_row(app, VitalReading, wrong)
    assert stored.error_at is not None
    assert stored.error_reason == "typed 186/114 for 136/84"
    assert stored.error_by == nurse.user_id
    assert db_row(app, VitalReading, good).error_at is None
    [entry] = audit_for(app, "vital_reading", wrong)
    assert entry.user_id == nurse.user_id
    assert (entry.after_data or {}).get("error_reason") == "typed 186/114 for 136/84"

    qtbot.waitUntil(lambda: len(entry_rows(mon.readings, "reading", wrong)) == 2)
    row, line = entry_rows(mon.readings, "reading", wrong)
    assert struck(mon.readings, row)
    assert not struck(mon.readings, row_of(mon.readings, "reading", good))
    hhmm = app.ctx.now().astimezone().strftime("%H:%M")
    assert mon.readings.item(line, 0).text() == (
        f"Entered in error by {nurse.full_name} at {hhmm}: typed 186/114 for 136/84"
    )
    assert mon.readings.columnSpan(line, 0) == mon.readings.columnCount()
    assert "186/114" not in ws.header.alert.text()  # the banner it caused is gone
    assert 186 not in list(chart.systolic_curve.getData()[1])  # and its chart point
    assert 136 in list(chart.systolic_curve.getData()[1])
    assert "136/84" in mon.latest.result.text()  # the latest reading that counts

    # Marked once: the menu says so and offers nothing more.
    right_click_row(mon.readings, row)
    assert mon.readings_menu.menu is not None
    texts = action_texts(mon.readings_menu.menu)
    assert (ALREADY_TEXT, False) in texts
    assert all(not enabled for _text, enabled in texts)


def test_the_keyboard_opens_the_menu_on_the_current_row(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    wrong = kit.vitals.record(nurse, sid, 186, 114, pulse=80, spo2=97).reading.id
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    table = mon.readings
    table.setFocus()
    table.setCurrentCell(row_of(table, "reading", wrong), 0)
    qtbot.keyClick(table, Qt.Key.Key_Menu)
    assert mon.readings_menu.menu is not None
    assert (MARK_TEXT, True) in action_texts(mon.readings_menu.menu)
    mon.readings_menu.menu.close()
    qtbot.keyClick(table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    dialog = choose_mark(qtbot, mon.readings_menu)
    assert "BP 186/114" in dialog.what.text()
    dialog.reject()


def test_an_empty_reason_is_refused_at_the_field_and_nothing_is_stored(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    wrong = kit.vitals.record(nurse, sid, 186, 114).reading.id
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    right_click_row(mon.readings, row_of(mon.readings, "reading", wrong))
    dialog = choose_mark(qtbot, mon.readings_menu)
    qtbot.keyClicks(dialog.reason, "   ")
    qtbot.mouseClick(dialog.ok, LEFT)
    error = dialog.reason_field.error
    assert dialog.isVisible()
    assert error.isVisible()
    assert "reason" in error.text().lower()
    assert db_row(app, VitalReading, wrong).error_at is None
    assert not audit_for(app, "vital_reading", wrong)
    qtbot.keyClicks(dialog.reason, "x")  # editing the field clears its error
    assert not error.isVisible()
    dialog.reason.setText("x" * 501)  # over the limit: said at the field, nothing stored
    qtbot.mouseClick(dialog.ok, LEFT)
    assert error.isVisible()
    assert "500" in error.text()
    assert db_row(app, VitalReading, wrong).error_at is None
    dialog.reject()
    assert not struck(mon.readings, row_of(mon.readings, "reading", wrong))


# ---------------------------------------------------------------- after signing


def test_a_signed_session_takes_an_addendum_instead(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clinician: Actor,
    open_ws: Callable[..., SessionWorkspace],
) -> None:
    therapist = actor_for(app, Role.THERAPIST)
    sid = closed_session(kit, clinician, therapist)
    reading = kit.sessions.detail(sid).readings[-1].id
    app.actor = clinician
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    # Opened before the signature, confirmed after it: the service refuses, in the dialog.
    right_click_row(mon.readings, row_of(mon.readings, "reading", reading))
    dialog = choose_mark(qtbot, mon.readings_menu)
    SigningService(app.ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    give_reason(qtbot, dialog, "wrong patient")
    assert dialog.isVisible()
    assert "addendum" in dialog.message.text().lower()
    assert db_row(app, VitalReading, reading).error_at is None
    dialog.reject()

    ws.refresh()
    assert not mon.isEnabled()  # the signed session is read-only; the menu still answers
    right_click_row(mon.readings, row_of(mon.readings, "reading", reading))
    menu = mon.readings_menu.menu
    assert menu is not None
    texts = action_texts(menu)
    assert (SIGNED_TEXT, False) in texts
    assert not any(t == MARK_TEXT for t, _ in texts)
    addendum = next(a for a in menu.actions() if a.text() == "Add a&ddendum…")
    addendum.trigger()
    assert ws.signature_banner.addendum_dialog is not None
    qtbot.waitUntil(ws.signature_banner.addendum_dialog.isVisible)
    ws.signature_banner.addendum_dialog.reject()


# ---------------------------------------------------------------- other entries


def test_a_dose_is_marked_from_the_dose_table(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.dosed()
    dose = kit.sessions.detail(sid).doses[0].id
    ws = open_ws(sid)
    ws.go_to(STEP_DOSE)
    page = ws.pages[STEP_DOSE]
    right_click_row(page.table, row_of(page.table, "dose", dose))
    dialog = choose_mark(qtbot, page.table_menu)
    assert dialog.what.text().startswith("Dose ")
    assert "racemic ketamine" in dialog.what.text()
    give_reason(qtbot, dialog, "entered on the wrong session")
    qtbot.waitUntil(lambda: len(entry_rows(page.table, "dose", dose)) == 2)
    assert struck(page.table, row_of(page.table, "dose", dose))
    assert db_row(app, Dose, dose).error_reason == "entered on the wrong session"
    # The only dose was not given: the dose step is to do again, the form takes a first dose.
    assert ws.step_states()[STEP_DOSE] != "done"
    assert page.booster.isHidden()


def test_an_observation_is_marked_from_the_list(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.dosed()
    obs = ObservationService(app.ctx).record_moaas(nurse, sid, 2).id
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    listing = mon.observation_list
    assert listing.count() == 1
    right_click(listing.viewport(), listing.visualItemRect(listing.item(0)).center())
    dialog = choose_mark(qtbot, mon.observations_menu)
    assert "MOAA/S 2" in dialog.what.text()
    give_reason(qtbot, dialog, "meant 4")
    qtbot.waitUntil(lambda: "Entered in error" in listing.text())
    assert listing.item(0).font().strikeOut()
    assert "MOAA/S 2" in listing.item(0).text()
    line = listing.item(1)  # who, when and why on the line under it, not struck through
    assert line.text().startswith(f"Entered in error by {nurse.full_name} at ")
    assert line.text().endswith(": meant 4")
    assert not line.font().strikeOut()
    assert listing.height() >= sum(
        listing.visualItemRect(listing.item(i)).height() for i in range(listing.count())
    )  # both lines readable without scrolling
    assert db_row(app, Observation, obs).error_reason == "meant 4"


def test_a_side_effect_is_marked_from_its_row_and_the_row_starts_afresh(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.dosed()
    effect = SideEffectService(app.ctx).record(nurse, sid, "nausea", severity="moderate").id
    ws = open_ws(sid)
    ws.go_to(STEP_SIDE_EFFECTS)
    page = ws.pages[STEP_SIDE_EFFECTS]
    row = page.rows["nausea"]
    assert row.present.isChecked()
    right_click(row.present, row.present.rect().center())
    dialog = choose_mark(qtbot, row.menu)
    assert dialog.what.text().startswith("Side effect · Nausea")
    give_reason(qtbot, dialog, "was another patient")
    qtbot.waitUntil(lambda: row.marked.isVisible())
    assert "<s>" in row.marked.text()
    assert "was another patient" in row.marked.text()
    assert not row.present.isChecked()
    assert row.severity.currentData() is None
    assert db_row(app, SideEffect, effect).error_reason == "was another patient"

    # The row starts afresh: ticked again with a severity, it is a new record.
    row.present.setFocus()
    qtbot.keyClick(row.present, Qt.Key.Key_Space)
    assert row.present.isChecked()
    row.severity.setFocus()
    row.severity.setCurrentIndex(row.severity.findData("mild"))
    row.severity.activated.emit(row.severity.currentIndex())
    qtbot.waitUntil(lambda: row.record is not None and row.record.id != effect)
    with app.ctx.db.read() as s:
        stored = list(s.scalars(select(SideEffect).where(SideEffect.session_id == sid)))
    assert [(x.severity, x.error_at is None) for x in stored] == [
        ("moderate", False),
        ("mild", True),
    ]
    assert row.marked.isVisible()


# ---------------------------------------------------------------- PHQ-9 on the chart


def test_a_phq9_marked_in_the_chart_leaves_the_outcome_and_the_item9_banner(
    qtbot: QtBot, app: AppContext, clock: FakeClock
) -> None:
    from kapdesk.services.instruments import InstrumentService
    from kapdesk.storage.orm import InstrumentResult
    from kapdesk.ui.patient_chart import PatientChart

    from .conftest import insert_patient_and_course

    clinician = actor_for(app, Role.CLINICIAN)
    app.actor = clinician
    patient_id, course_id = insert_patient_and_course(app.ctx.db, mrn="MRN-7")
    svc = InstrumentService(app.ctx)
    svc.record(clinician, patient_id, "PHQ-9", [2] * 8 + [0], course_id=course_id)
    clock.advance(minutes=10)
    wrong = svc.record(clinician, patient_id, "PHQ-9", [3] * 9, course_id=course_id).id
    chart = PatientChart(app, patient_id)
    qtbot.addWidget(chart)
    chart.resize(1200, 800)
    chart.show()
    qtbot.waitExposed(chart)
    assert chart.item9_banner.isVisible()
    assert 27.0 in chart.outcome_chart.curve_data()[1]

    right_click_row(chart.phq_table, row_of(chart.phq_table, "instrument", wrong))
    menu = chart.instrument_menus[0]
    dialog = choose_mark(qtbot, menu)
    assert dialog.what.text().startswith("PHQ-9 ")
    assert "total 27" in dialog.what.text()
    give_reason(qtbot, dialog, "answers of another form")
    qtbot.waitUntil(lambda: len(entry_rows(chart.phq_table, "instrument", wrong)) == 2)

    assert struck(chart.phq_table, row_of(chart.phq_table, "instrument", wrong))
    assert not chart.item9_banner.isVisible()
    assert 27.0 not in chart.outcome_chart.curve_data()[1]
    assert db_row(app, InstrumentResult, wrong).error_reason == "answers of another form"


# ---------------------------------------------------------------- mnemonics


def test_the_dialog_and_the_menu_have_no_mnemonic_clash(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    from .test_mnemonics import _menu_clashes, clashes, mnemonic

    sid = kit.dosed()
    kit.advance(minutes=5)
    reading = kit.vitals.record(nurse, sid, 126, 80, pulse=76, spo2=98).reading.id
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    right_click_row(mon.readings, row_of(mon.readings, "reading", reading))
    menu = mon.readings_menu.menu
    assert menu is not None
    assert _menu_clashes(menu) == []
    dialog = choose_mark(qtbot, mon.readings_menu)
    assert clashes(dialog) == []
    assert mnemonic(dialog.ok.text()) == "m"
    assert dialog.reason_field.label.buddy() is dialog.reason
    dialog.reject()


def test_a_long_reason_wraps_in_its_row_instead_of_being_cut_off(qtbot: QtBot) -> None:
    from datetime import UTC, datetime

    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QTableWidgetItem

    from kapdesk.services.dtos import ErrorMark
    from kapdesk.ui.entry_rows import Entry, fill_entry_rows

    table = QTableWidget(0, 3)
    table.horizontalHeader().setStretchLastSection(True)  # as the screens' tables
    qtbot.addWidget(table)
    table.resize(360, 300)
    table.show()
    reason = "typed into the wrong patient's row during the handover; " * 3
    mark = ErrorMark("Kim Nurse", datetime(2026, 3, 2, 9, 40, tzinfo=UTC), reason.strip())
    entry = Entry("reading", 1, "Reading 09:35 · BP 182/104", 7, mark)
    fill_entry_rows(table, [(entry, [QTableWidgetItem(t) for t in ("09:35", "182/104", "x")])])
    assert table.rowCount() == 2
    assert table.item(1, 0).text().endswith("during the handover;")
    narrow = table.rowHeight(1)
    assert narrow >= 3 * QFontMetrics(table.font()).lineSpacing()  # three lines or more
    table.resize(1200, 300)  # wider: the line needs fewer lines of text
    qtbot.waitUntil(lambda: table.rowHeight(1) < narrow)


# ---------------------------------------------------------------- the pre-dose hold


def test_a_mistyped_pre_dose_reading_marked_from_the_result_lifts_its_hold(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    from kapdesk.ui.session.workspace import STEP_PRE_DOSE

    sid = kit.checked_in()
    kit.sessions.record_checklist(nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
    first = kit.vitals.record(nurse, sid, 128, 82, pulse=72, spo2=98).reading.id
    kit.advance(minutes=1)
    wrong = kit.vitals.record(nurse, sid, 182, 112, pulse=72, spo2=98).reading.id
    ws = open_ws(sid)
    ws.go_to(STEP_PRE_DOSE)
    page = ws.pages[STEP_PRE_DOSE]
    assert "Dose on hold" in ws.header.alert.text()
    assert page.hold.isVisible()
    assert "182/112" in page.result.text()

    right_click(page.latest, page.latest.rect().center())
    dialog = choose_mark(qtbot, page.latest_menu)
    assert "BP 182/112" in dialog.what.text()
    give_reason(qtbot, dialog, "typed 182/112 for 128/82")
    qtbot.waitUntil(lambda: "Dose on hold" not in ws.header.alert.text())
    assert page.hold.isHidden()  # (the workspace moves on to the dose step)
    assert not kit.sessions.detail(sid).hold_active
    assert "128/82" in page.result.text()  # the reading that counts again
    history = page.history
    assert not page.history_title.isHidden()
    assert history.entry(0) is not None
    assert history.entry(0).id == wrong
    assert history.item(0).font().strikeOut()
    assert history.item(1).text().endswith(": typed 182/112 for 128/82")
    assert db_row(app, VitalReading, wrong).error_reason == "typed 182/112 for 128/82"
    assert db_row(app, VitalReading, first).error_at is None


def test_someone_else_s_entry_is_refused_in_the_dialog_and_nothing_is_stored(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    reading = kit.vitals.record(nurse, sid, 150, 95).reading.id
    app.actor = actor_for(app, Role.THERAPIST)  # neither its author nor a clinician
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    right_click_row(mon.readings, row_of(mon.readings, "reading", reading))
    dialog = choose_mark(qtbot, mon.readings_menu)
    give_reason(qtbot, dialog, "looks wrong")
    assert dialog.isVisible()
    assert dialog.message.isVisible()
    assert "clinician" in dialog.message.text()
    assert db_row(app, VitalReading, reading).error_at is None
    assert not audit_for(app, "vital_reading", reading)
    dialog.reject()


def test_a_role_that_may_not_mark_sees_why_before_typing(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    from kapdesk.domain.permissions import Action, can

    sid = kit.dosed()
    reading = kit.sessions.detail(sid).readings[0].id
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    app.actor = actor_for(app, Role.ADMIN)
    assert not can(Role.ADMIN, Action.MARK_ENTERED_IN_ERROR)
    right_click_row(mon.readings, row_of(mon.readings, "reading", reading))
    assert mon.readings_menu.menu is not None
    texts = action_texts(mon.readings_menu.menu)
    assert ("An admin cannot mark entries entered in error", False) in texts
    assert not any(t == MARK_TEXT for t, _ in texts)


def test_a_pre_dose_reading_under_its_dose_says_what_to_mark_first_before_typing(
    qtbot: QtBot, app: AppContext, kit: Kit, nurse: Actor, open_ws: Callable[..., SessionWorkspace]
) -> None:
    sid = kit.ready()
    given = kit.ctx.shown(kit.clock.now())
    dose = kit.dose(sid)
    pre = kit.sessions.detail(sid).readings[0].id
    ws = open_ws(sid)
    ws.go_to(STEP_MONITORING)
    mon = ws.pages[STEP_MONITORING]
    right_click_row(mon.readings, row_of(mon.readings, "reading", pre))
    menu = mon.readings_menu.menu
    assert menu is not None
    texts = action_texts(menu)
    assert (f"Mark the dose at {given} entered in error first", False) in texts
    assert not any(t == MARK_TEXT for t, _ in texts)
    why = next(a for a in menu.actions() if a.text().startswith("Mark the dose"))
    assert f"given on pre-dose reading {pre}" in why.toolTip()
    menu.close()
    # Once the dose is marked, the pre-dose reading is marked from its row.
    kit.ctx.corrections.mark_entered_in_error(nurse, "dose", dose, "wrong patient")
    ws.refresh()
    right_click_row(mon.readings, row_of(mon.readings, "reading", pre))
    dialog = choose_mark(qtbot, mon.readings_menu)
    give_reason(qtbot, dialog, "wrong patient")
    qtbot.waitUntil(lambda: db_row(app, VitalReading, pre).error_at is not None)
