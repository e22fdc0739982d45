"""Screenshots of the Help menu's dialogs and of Back up now's answer, on a demo clinic.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_help_screenshots.py OUT

Saves into OUT (resources/screenshots for the README): help-shortcuts.png (a nurse with
a session open), help-guide.png (the nurse's guide), help-about.png and backup-done.png
(the admin backed up into a chosen folder).
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from make_screenshots import settle
from PySide6.QtWidgets import QFileDialog, QWidget

from kapdesk.demo import build_demo_clinic
from kapdesk.services.board import today_board
from kapdesk.services.users import UserService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.run import _qapplication


def shoot(widget: QWidget | None, path: Path) -> None:
    assert widget is not None
    settle(0.8)
    widget.grab().save(str(path))
    print(path)


def main(outdir: Path) -> int:
    outdir.mkdir(parents=True, exist_ok=True)
    qapp = _qapplication()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "demo.sqlite"
        build_demo_clinic(db_path, seed=1, patients=12)
        app = build_app_context(db_path, demo=True)
        app.actor = UserService(app.ctx).authenticate("nurse", "demo")
        window = MainWindow(app, resume=False)
        window.resize(1280, 800)
        window.show()
        monitoring = next(r for r in today_board(app.ctx) if r.state == "monitoring")
        window.open_session(monitoring.session_id)
        settle(1.0)
        help_actions = window.help_actions
        shoot(help_actions.show_shortcuts(), outdir / "help-shortcuts.png")
        shoot(help_actions.show_guide(), outdir / "help-guide.png")
        shoot(help_actions.show_about(), outdir / "help-about.png")
        if help_actions.dialog is not None:
            help_actions.dialog.close()

        app.actor = UserService(app.ctx).authenticate("admin", "demo")
        usb = Path(tmp) / "media" / "USB STICK"
        usb.mkdir(parents=True)
        QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(usb))  # type: ignore[method-assign]
        actions = window.backup_actions
        actions.choose_and_back_up()
        while actions.done_box is None:
            settle(0.2)
        shoot(actions.done_box, outdir / "backup-done.png")
        actions.done_box.accept()
        window.close()
        app.close()
    qapp.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/kapdesk-help-shots")))
