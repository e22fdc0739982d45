"""Admin > Clinic settings…: shown to admins only, saves through the service, reports bad values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.services.settings import SettingsService
from kapdesk.storage.orm import AuditEntry
from kapdesk.storage.settings_store import ClinicSettings, set_setting
from kapdesk.ui import settings_dialog
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.course_dialog import StartCourseDialog
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.settings_dialog import ClinicSettingsDialog

from .conftest import actor_for, insert_patient_and_course, table_counts


def _window(qtbot: QtBot, app: AppContext, role: Role) -> MainWindow:
    app.actor = actor_for(app, role)
    w = MainWindow(app, resume=False)
    w.today.stop()
    w.alerts.stop()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Questions to the admin about invalid stored settings (answered: Close)."""
    questions: list[str] = []

    def ask(parent: object, text: str) -> bool:
        questions.append(text)
        return False

    monkeypatch.setattr(
        settings_dialog.SettingsNotice, "ask", classmethod(lambda c, p, t: ask(p, t))
    )
    return questions


@pytest.fixture
def admin_window(qtbot: QtBot, app: AppContext, asked: list[str]) -> Iterator[MainWindow]:
    w = _window(qtbot, app, Role.ADMIN)
    yield w
    w.close()


def _open(window: MainWindow) -> ClinicSettingsDialog:
    action = window.settings_actions.action
    assert action.isVisible()
    assert action.isEnabled()
    assert action in window.admin_menu.actions()
    action.trigger()
    dialog = window.settings_actions.dialog
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def test_the_admin_sees_the_stored_settings_and_saves_them(
    qtbot: QtBot, app: AppContext, admin_window: MainWindow, tmp_path: Path
) -> None:
    dialog = _open(admin_window)
    assert dialog.clinic_name.text() == "kapdesk clinic"
    assert dialog.idle_lock.value() == 5
    assert dialog.idle_lock.suffix() == " minutes"
    assert dialog.keep_days.value() == 7
    assert dialog.keep_days.suffix() == " days"
    assert dialog.keep_weeks.value() == 4
    assert dialog.keep_weeks.suffix() == " weeks"
    assert dialog.size_cap.value() == 20
    assert dialog.size_cap.suffix() == " GB"
    assert dialog.old_keep.isHidden()
    assert dialog.folder.text() == ""
    assert dialog.folder.placeholderText() == "the folder 'backups' beside the database"
    assert dialog.protocol.currentData() == "kap-default"
    assert dialog.problems_banner.isHidden()

    dialog.clinic_name.clear()
    qtbot.keyClicks(dialog.clinic_name, "Harbour Clinic")
    dialog.idle_lock.setValue(12)
    dialog.keep_days.setValue(10)
    dialog.keep_weeks.setValue(6)
    dialog.size_cap.setValue(50)
    dialog.folder.setText(str(tmp_path))
    dialog.protocol.setCurrentIndex(dialog.protocol.findData("iv-infusion"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    assert SettingsService(app.ctx).current() == ClinicSettings(
        "Harbour Clinic", 12, 30, str(tmp_path), "iv-infusion", 10, 6, 50
    )
    with app.ctx.db.read() as s:
        changed = s.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.action == "settings.update")
        ).all()
    assert sorted(changed) == sorted(
        ["clinic_name", "idle_lock_minutes", "backup_keep_days", "backup_keep_weeks",
         "backup_size_cap_gb", "backup_folder", "default_protocol"]
    )  # fmt: skip
    assert admin_window.windowTitle() == "Harbour Clinic – kapdesk"
    assert admin_window.screen_lock.watcher.timeout == timedelta(minutes=12)

    # a new course now starts on the clinic's default protocol
    app.actor = actor_for(app, Role.CLINICIAN)
    patient_id, _ = insert_patient_and_course(app.ctx.db)
    course = StartCourseDialog(app, patient_id)
    qtbot.addWidget(course)
    assert course.protocol.currentData() == "iv-infusion"


def test_an_old_backups_to_keep_is_shown_as_days_and_saved_as_days(
    qtbot: QtBot, app: AppContext, admin_window: MainWindow
) -> None:
    with app.ctx.db.write() as s:
        set_setting(s, "backups_to_keep", 12)
    dialog = _open(admin_window)
    assert dialog.keep_days.value() == 12
    assert not dialog.old_keep.isHidden()
    assert dialog.old_keep.text() == (
        "Daily backups kept is read from the former setting Backups to keep (12): the newest "
        "backup of each of the last 12 days. Save stores it in days."
    )
    dialog.grab().save("/tmp/settings-dialog-old-keep.png")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    current = SettingsService(app.ctx).current()
    assert (current.backup_keep_days, current.keep_days_read_from) == (12, None)
    assert _open(admin_window).old_keep.isHidden()


def test_an_invalid_value_is_shown_at_its_field_and_nothing_is_stored(
    qtbot: QtBot, app: AppContext, admin_window: MainWindow
) -> None:
    before = table_counts(app.ctx.db)
    dialog = _open(admin_window)
    dialog.clinic_name.setText("Harbour Clinic")
    dialog.folder.setText("usb-stick/backups")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    errors = dialog.fields.messages()
    assert list(errors) == ["Backup folder"]
    assert "Backup folder 'usb-stick/backups' must be a full path" in errors["Backup folder"]
    assert table_counts(app.ctx.db) == before
    dialog.folder.clear()  # back to the default: saves
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert SettingsService(app.ctx).current().clinic_name == "Harbour Clinic"


@pytest.mark.parametrize("role", [Role.NURSE, Role.THERAPIST, Role.CLINICIAN])
def test_only_admins_see_the_menu_item(qtbot: QtBot, app: AppContext, role: Role) -> None:
    w = _window(qtbot, app, role)
    assert not w.settings_actions.action.isVisible()
    assert w.settings_actions.open_dialog() is None
    w.close()


def _store_raw(app: AppContext, key: str, value: object) -> None:
    with app.ctx.db.write() as s:
        s.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )


def test_invalid_stored_values_are_reported_to_everyone_and_the_admin_is_asked(
    qtbot: QtBot, app: AppContext, asked: list[str]
) -> None:
    _store_raw(app, "idle_lock_minutes", 0)
    nurse_window = _window(qtbot, app, Role.NURSE)
    status = nurse_window.settings_actions.status
    assert status.isVisible()
    assert status.text().startswith("Clinic settings: 1 stored value is not valid")
    qtbot.wait(10)
    assert asked == []  # the nurse cannot fix it: not asked
    nurse_window.close()

    admin_window = _window(qtbot, app, Role.ADMIN)
    qtbot.waitUntil(lambda: len(asked) == 1)
    assert "Clinic setting Idle lock: the stored value 0 is not valid" in asked[0]
    dialog = _open(admin_window)
    assert dialog.problems_banner.isVisible()
    assert "the stored value 0 is not valid" in dialog.problems_banner.text()
    assert dialog.idle_lock.value() == 5  # the default in use, until saved
    with app.ctx.db.read() as s:  # nothing replaced it behind the admin's back
        raw = s.connection().exec_driver_sql(
            "SELECT value FROM settings WHERE key = 'idle_lock_minutes'"
        )
        assert str(raw.scalar()) == "0"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert admin_window.settings_actions.status.isHidden()
    assert SettingsService(app.ctx).problems() == []
    admin_window.close()
