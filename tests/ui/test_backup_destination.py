"""Back up now: the admin chooses the destination (a USB drive), and a dialog says where the
backup went and that it verified."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kapdesk.domain.permissions import Role
from kapdesk.services.backups import BackupService
from kapdesk.storage.orm import AuditEntry
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import MainWindow

from .conftest import actor_for, show_main_window


@pytest.fixture
def window(qtbot: QtBot, app: AppContext) -> Iterator[MainWindow]:
    app.actor = actor_for(app, Role.ADMIN)
    w = show_main_window(qtbot, app)
    yield w
    w.close()


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    drive = tmp_path / "media" / "USB STICK"
    drive.mkdir(parents=True)
    return drive


def _choose(monkeypatch: pytest.MonkeyPatch, answer: str) -> list[tuple[Any, ...]]:
    asked: list[tuple[Any, ...]] = []

    def fake(*args: Any, **kwargs: Any) -> str:
        asked.append(args)
        return answer

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(fake))
    return asked


def test_back_up_now_asks_where_and_says_where_it_went_and_that_it_verified(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    usb: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = _choose(monkeypatch, str(usb))
    actions = window.backup_actions
    assert actions.back_up_action.text() == "&Back up now…"
    actions.back_up_action.trigger()
    qtbot.waitUntil(lambda: actions.done_box is not None, timeout=15_000)

    assert len(asked) == 1
    assert asked[0][2] == str(BackupService(app.ctx).folder)  # starts at the backup folder
    info = actions.last_backup
    assert info is not None
    assert info.path.parent == usb
    assert info.path.is_file()
    assert [b.path for b in BackupService(app.ctx, folder=usb).list_backups()] == [info.path]
    with app.ctx.db.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert entry.action == "backup.create"
    assert str(info.path) in (entry.after or "")

    box = actions.done_box
    assert isinstance(box, QMessageBox)
    assert box.isVisible()
    assert box.windowTitle() == "Backup saved"
    assert box.icon() == QMessageBox.Icon.Information
    text = box.text() + "\n" + box.informativeText()
    assert str(usb) in text
    assert info.path.name in text
    assert "verified" in text
    assert "audit trail" in text
    assert actions.last_check is not None
    assert actions.last_check.ok
    assert actions.last_check.entries > 0
    assert f"{actions.last_check.entries} entries" in text
    box.accept()


def test_cancelling_the_folder_choice_makes_no_backup(
    qtbot: QtBot, window: MainWindow, app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _choose(monkeypatch, "")
    actions = window.backup_actions
    assert actions.choose_and_back_up() is False
    assert actions.last_backup is None
    assert actions.progress is None
    assert BackupService(app.ctx).list_backups() == []


def test_a_backup_that_does_not_verify_says_so(
    qtbot: QtBot,
    window: MainWindow,
    app: AppContext,
    usb: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = BackupService.back_up_now

    def damaged(self: BackupService, actor: Any) -> Any:
        info = real(self, actor)
        with info.path.open("r+b") as f:  # the drive garbled the copy
            f.seek(4096)
            f.write(b"\xff" * 8192)
        return info

    monkeypatch.setattr(BackupService, "back_up_now", damaged)
    _choose(monkeypatch, str(usb))
    actions = window.backup_actions
    actions.back_up_action.trigger()
    qtbot.waitUntil(lambda: actions.done_box is not None, timeout=15_000)
    box = actions.done_box
    assert box is not None
    assert box.windowTitle() == "Backup did not verify"
    assert box.icon() == QMessageBox.Icon.Warning
    text = box.text() + "\n" + box.informativeText()
    assert str(usb) in text
    assert "did not verify" in text
    assert actions.last_check is not None
    assert not actions.last_check.ok
    box.accept()
