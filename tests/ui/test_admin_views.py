"""An admin may not open a chart: not from the Today board either, not by inheriting the
previous user's open screen after Switch user, and in the audit log sees which fields
changed but not the clinical text (a clinician sees the text)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.services.side_effects import SideEffectService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.audit_viewer import AuditLogWindow, SavePath
from kapdesk.ui.main_window import PAGE_PATIENTS, PAGE_SESSION, PAGE_TODAY, MainWindow
from kapdesk.ui.models.board import COL_PATIENT

from .conftest import PASSWORD, actor_for, focused

INTERVENTION = "Ondansetron 4 mg given, patient reassured"
CORRECTED = "Ondansetron 8 mg given after vomiting twice"


def _switch_user(qtbot: QtBot, window: MainWindow, username: str) -> None:
    window.switch_user()
    dialog = window.login_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: focused() is dialog.username.edit)
    qtbot.keyClicks(focused(), username)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), PASSWORD)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_an_admin_opens_no_session_from_the_board_and_is_told_why(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    Kit(app.ctx, clock, nurse).checked_in(room="1")
    app.actor = actor_for(app, Role.ADMIN)
    board = window.today
    board.refresh()
    opened: list[int] = []
    app.signals.navigate_session.connect(opened.append)

    board.activateWindow()
    board.table.setFocus()
    board.table.selectRow(0)
    qtbot.keyClick(board.table, Qt.Key.Key_Return)
    rect = board.table.visualRect(board.model.index(0, COL_PATIENT))
    qtbot.mouseDClick(board.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    window.open_session(board.model.row_at(0).session_id)  # any other way in is refused too

    assert opened == []
    assert window.session_page is None
    assert window.current_page() == PAGE_TODAY
    assert board.status_line.isVisible()
    assert board.status_line.text() == (
        "An admin cannot open a session: sessions and charts are for clinical staff."
    )


def test_an_admin_pressing_v_on_the_board_gets_no_vitals_dialog_and_is_told_why(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    Kit(app.ctx, clock, nurse).checked_in(room="1")
    app.actor = actor_for(app, Role.ADMIN)
    board = window.today
    board.refresh()
    board.activateWindow()
    board.table.setFocus()
    board.table.selectRow(0)
    qtbot.keyClick(board.table, Qt.Key.Key_V)
    assert board.vitals_dialog is None or not board.vitals_dialog.isVisible()
    assert board.status_line.text() == (
        "An admin cannot record vital signs: readings are for clinical staff."
    )


def test_the_clinician_still_opens_a_session_from_the_board(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    sid = Kit(app.ctx, clock, nurse).checked_in(room="1")
    app.actor = actor_for(app, Role.CLINICIAN)
    window.today.refresh()
    window.today.table.selectRow(0)
    with qtbot.waitSignal(app.signals.navigate_session) as opened:
        qtbot.keyClick(window.today.table, Qt.Key.Key_Return)
    assert opened.args == [sid]
    assert window.current_page() == PAGE_SESSION


def test_after_switch_user_the_admin_does_not_see_the_previous_users_screen(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    sid = Kit(app.ctx, clock, nurse).dosed(room="2")
    window.open_patient(1)
    window.open_session(sid)
    assert window.current_page() == PAGE_SESSION

    _switch_user(qtbot, window, "admin")

    assert app.actor == actor_for(app, Role.ADMIN)
    assert window.current_page() == PAGE_TODAY
    assert window.session_page is None
    assert window.patients_page is None
    assert window.nav.item(PAGE_SESSION).isHidden()
    assert not window.page_actions[PAGE_SESSION].isEnabled()
    qtbot.waitUntil(lambda: not window.findChildren(QWidget, "sessionWorkspace"))  # deleted
    window.show_page(PAGE_PATIENTS)  # the Patients page is built anew, for the admin
    assert window.patients_page is not None
    assert window.current_page() == PAGE_PATIENTS


def test_a_nurse_after_a_clinician_keeps_the_open_session(
    qtbot: QtBot, window: MainWindow, app: AppContext, nurse: Actor, clock: FakeClock
) -> None:
    sid = Kit(app.ctx, clock, nurse).dosed(room="2")
    window.open_session(sid)
    _switch_user(qtbot, window, "clinician")
    assert window.session_id == sid
    assert window.current_page() == PAGE_SESSION


# ------------------------------------------------------------ the audit log


@pytest.fixture
def corrected_effect(app: AppContext, clock: FakeClock, nurse: Actor) -> int:
    kit = Kit(app.ctx, clock, nurse)
    sid = kit.dosed(mrn="MRN-1")
    effects = SideEffectService(app.ctx)
    effect = effects.record(nurse, sid, "nausea", severity="mild", intervention=INTERVENTION)
    kit.advance(minutes=5)
    effects.update(nurse, effect.id, severity="moderate", intervention=CORRECTED)
    return effect.id


def _viewer(qtbot: QtBot, app: AppContext, role: Role) -> AuditLogWindow:
    app.actor = actor_for(app, role)
    viewer = AuditLogWindow(app)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    viewer.action_combo.setCurrentIndex(viewer.action_combo.findData("side_effect"))
    viewer.apply_filters()
    for r, row in enumerate(viewer.rows):
        if row.action == "side_effect.update":
            viewer.table.selectRow(r)
            break
    else:
        raise AssertionError("the correction is not listed")
    return viewer


def _detail(viewer: AuditLogWindow) -> dict[str, tuple[str, str]]:
    t = viewer.detail
    return {
        t.item(r, 0).text(): (t.item(r, 1).text(), t.item(r, 2).text()) for r in range(t.rowCount())
    }


def _all_text(viewer: AuditLogWindow) -> str:
    t = viewer.detail
    cells = [t.item(r, c).text() for r in range(t.rowCount()) for c in range(3)]
    return " | ".join([*cells, viewer.detail_title.text()])


def test_a_clinician_reads_the_clinical_text_in_the_audit_log(
    qtbot: QtBot, app: AppContext, corrected_effect: int
) -> None:
    viewer = _viewer(qtbot, app, Role.CLINICIAN)
    values = _detail(viewer)
    assert values["intervention"] == (INTERVENTION, CORRECTED)
    assert values["severity"] == ("mild", "moderate")
    assert {"intervention", "severity"} <= set(viewer.changed_fields)
    viewer.close()


def test_an_admin_sees_which_fields_changed_but_not_the_clinical_text(
    qtbot: QtBot,
    app: AppContext,
    corrected_effect: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = _viewer(qtbot, app, Role.ADMIN)
    values = _detail(viewer)
    assert "intervention" in viewer.changed_fields  # that it changed is shown
    assert values["intervention"] == ("(clinical text hidden)", "(clinical text hidden, changed)")
    assert values["severity"] == ("mild", "moderate")  # not free text: shown
    assert "Ondansetron" not in _all_text(viewer)

    # The CSV an admin exports holds no clinical text either.
    out = tmp_path / "audit.csv"
    monkeypatch.setattr(SavePath, "ask", classmethod(lambda cls, parent, suggested: out))
    assert viewer.export_csv() == out
    with out.open(encoding="utf-8", newline="") as f:
        exported = "\n".join(",".join(row) for row in csv.reader(f))
    assert "side_effect.update" in exported
    assert "Ondansetron" not in exported
    assert "(clinical text hidden, changed)" in exported
    viewer.close()
