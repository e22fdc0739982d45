"""The audit log window on a real database: filters, before/after, paging, CSV export, roles."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.audit_log import CSV_COLUMNS
from kapdesk.services.context import Actor
from kapdesk.services.side_effects import SideEffectService
from kapdesk.storage.orm import AuditEntry, Patient
from kapdesk.ui import audit_viewer
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.audit_viewer import AuditLogWindow, SavePath
from kapdesk.ui.main_window import MainWindow

from .conftest import actor_for


@pytest.fixture
def clinic(app: AppContext, clock: FakeClock, nurse: Actor) -> dict[str, int]:
    """Two patients with a session each; patient A has a side effect corrected later."""
    kit = Kit(app.ctx, clock, nurse)
    sid_a = kit.dosed(mrn="MRN-1")
    kit.advance(minutes=5)
    kit.vitals.record(nurse, sid_a, 131, 82, pulse=76, spo2=97)
    effect = SideEffectService(app.ctx).record(nurse, sid_a, "nausea", severity="mild")
    kit.advance(minutes=5)
    SideEffectService(app.ctx).update(nurse, effect.id, severity="moderate")
    sid_b = kit.dosed(mrn="MRN-2")
    kit.vitals.record(nurse, sid_b, 140, 90, pulse=80, spo2=96)
    with app.ctx.db.read() as s:
        ids = dict(s.execute(select(Patient.mrn, Patient.id)).all())
    return {"a": ids["MRN-1"], "b": ids["MRN-2"], "session_a": sid_a}


@pytest.fixture
def viewer(qtbot: QtBot, app: AppContext, clinic: dict[str, int]) -> Iterator[AuditLogWindow]:
    app.actor = actor_for(app, Role.CLINICIAN)
    window = AuditLogWindow(app)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def shown(window: AuditLogWindow, column: int) -> list[str]:
    t = window.table
    return [t.item(r, column).text() for r in range(t.rowCount())]


def choose_action(window: AuditLogWindow, prefix: str | None) -> None:
    window.action_combo.setCurrentIndex(window.action_combo.findData(prefix))
    window.apply_filters()


def select_row(window: AuditLogWindow, predicate: object) -> None:
    for r, row in enumerate(window.rows):
        if predicate(row):  # type: ignore[operator]
            window.table.selectRow(r)
            return
    raise AssertionError("no such entry shown")


def detail(window: AuditLogWindow) -> dict[str, tuple[str, str]]:
    t = window.detail
    return {
        t.item(r, 0).text(): (t.item(r, 1).text(), t.item(r, 2).text()) for r in range(t.rowCount())
    }


def test_filter_by_patient_and_action_shows_before_and_after(
    qtbot: QtBot, viewer: AuditLogWindow, clinic: dict[str, int]
) -> None:
    assert {"Simões, Conceição (MRN-1)", "Simões, Conceição (MRN-2)"} <= set(shown(viewer, 5))
    qtbot.keyClicks(viewer.patient_search, "MRN-1")
    qtbot.waitUntil(lambda: viewer.patient_combo.currentData() == clinic["a"], timeout=2000)
    qtbot.waitUntil(lambda: set(shown(viewer, 5)) == {"Simões, Conceição (MRN-1)"})
    assert all(r.patient_id == clinic["a"] for r in viewer.rows)
    ids = [r.id for r in viewer.rows]
    assert ids == sorted(ids, reverse=True)  # newest first

    # A vital-sign reading: recorded once, so only "after" values.
    choose_action(viewer, "vitals")
    assert set(shown(viewer, 2)) == {"vitals.record"}
    assert len(viewer.rows) == 2  # the pre-dose reading and the one after the dose
    select_row(viewer, lambda r: r.after and r.after["systolic"] == 131)
    values = detail(viewer)
    assert values["systolic"] == ("", "131")
    assert values["diastolic"] == ("", "82")
    assert values["session_id"] == ("", str(clinic["session_a"]))
    assert viewer.changed_fields == []
    assert "no earlier values" in viewer.detail_title.text()

    # A corrected side effect: before and after side by side, the change highlighted.
    choose_action(viewer, "side_effect")
    select_row(viewer, lambda r: r.action == "side_effect.update")
    values = detail(viewer)
    assert values["severity"] == ("mild", "moderate")
    assert "severity" in viewer.changed_fields
    assert "label" not in viewer.changed_fields
    assert values["label"][0] == values["label"][1] != ""


def test_user_and_date_filters(
    qtbot: QtBot, app: AppContext, viewer: AuditLogWindow, nurse: Actor, clock: FakeClock
) -> None:
    viewer.user_combo.setCurrentIndex(viewer.user_combo.findData(nurse.user_id))
    viewer.apply_filters()
    assert viewer.rows
    assert {r.user_id for r in viewer.rows} == {nurse.user_id}
    assert set(shown(viewer, 1)) == {"Test Nurse"}

    today = clock.now().astimezone().date()
    day = QDate(today.year, today.month, today.day).addDays(1)
    viewer.since.setDate(day)  # dateChanged applies the filter
    assert viewer.rows == []
    viewer.until.setDate(day.addDays(-2))
    assert "is before From" in viewer.until_error.text()
    assert viewer.rows == []


def test_load_more_pages_through_the_entries(
    qtbot: QtBot, viewer: AuditLogWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = [r.id for r in viewer.rows]
    assert len(everything) > 6
    monkeypatch.setattr(audit_viewer, "PAGE_SIZE", 3)
    viewer.apply_filters()
    assert [r.id for r in viewer.rows] == everything[:3]
    assert viewer.more_button.isEnabled()
    qtbot.mouseClick(viewer.more_button, Qt.MouseButton.LeftButton)
    assert [r.id for r in viewer.rows] == everything[:6]
    assert viewer.table.rowCount() == 6
    assert viewer.count_label.text() == "6 entries shown (more available)"


def test_export_csv_writes_the_filtered_entries_and_is_audited(
    qtbot: QtBot,
    app: AppContext,
    viewer: AuditLogWindow,
    clinic: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out" / "audit.csv"
    target.parent.mkdir()
    asked: list[Path] = []

    def ask(cls: type, parent: object, suggested: Path) -> Path:
        asked.append(suggested)
        return target

    monkeypatch.setattr(SavePath, "ask", classmethod(ask))
    viewer.patient_search.setText("MRN-1")
    viewer.search_patients()
    choose_action(viewer, "vitals")
    expected = sorted(r.id for r in viewer.rows)
    qtbot.mouseClick(viewer.export_button, Qt.MouseButton.LeftButton)

    assert asked[0].name == "kapdesk-audit-2026-03-02.csv"
    with target.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert [int(x[0]) for x in lines[1:]] == expected  # oldest first
    assert {x[4] for x in lines[1:]} == {"vitals.record"}
    assert {x[9] for x in lines[1:]} == {"MRN-1"}
    with app.ctx.db.read() as s:
        export = s.scalars(select(AuditEntry).where(AuditEntry.action == "audit.export")).one()
    assert export.after_data is not None
    assert export.after_data["rows"] == len(expected)
    assert export.after_data["path"] == str(target)
    assert export.after_data["filters"]["patient_id"] == clinic["a"]
    assert export.user_id == app.require_actor().user_id
    assert viewer.status.text() == f"Exported {len(expected)} entries to {target}."


def test_export_cancelled_writes_nothing(
    viewer: AuditLogWindow, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SavePath, "ask", classmethod(lambda cls, parent, suggested: None))
    assert viewer.export_csv() is None
    with app.ctx.db.read() as s:
        n = s.scalar(select(func.count()).where(AuditEntry.action == "audit.export"))
    assert n == 0


def test_menu_shows_the_audit_log_to_clinicians_and_admins_only(
    qtbot: QtBot, app: AppContext, nurse: Actor
) -> None:
    app.actor = nurse
    window = MainWindow(app, resume=False)
    window.today.stop()
    window.alerts.stop()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.audit_action.isVisible()
    assert not window.records_menu.menuAction().isVisible()
    assert not window.admin_menu.menuAction().isVisible()
    assert window.open_audit_log() is None
    for role, users in ((Role.CLINICIAN, False), (Role.ADMIN, True), (Role.THERAPIST, False)):
        app.actor = actor_for(app, role)
        may_audit = role in (Role.CLINICIAN, Role.ADMIN)
        assert window.audit_action.isVisible() is may_audit
        assert window.users_action.isVisible() is users
    app.actor = actor_for(app, Role.CLINICIAN)
    assert window.audit_action.shortcut().toString() == "Ctrl+Shift+A"
    window.audit_action.trigger()
    opened = window.audit_window
    assert isinstance(opened, AuditLogWindow)
    assert opened.isVisible()
    app.actor = nurse  # switching to a role without the audit log closes it
    assert not opened.isVisible()
    window.close()
