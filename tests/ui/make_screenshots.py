"""Make the README screenshots from a fresh demo clinic.

    ../shared/tools/screenshot /tmp/x.png 60 -- .venv/bin/python tests/ui/make_screenshots.py \
        OUT [LANG]

With a language (e.g. pt-PT) the app speaks it and the files are named
``today-board-pt-PT.png``...

Runs on a real (virtual) screen, drives the main window to the Today board, a
session in monitoring and a patient chart, and saves each window as a PNG.
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kapdesk.demo import build_demo_clinic
from kapdesk.demo.plan.session import local_time
from kapdesk.domain.clock import FakeClock
from kapdesk.services.board import today_board
from kapdesk.services.users import UserService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.run import _qapplication
from kapdesk.ui.translation import speak


def settle(seconds: float = 0.8) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    deadline = QDeadlineTimer(int(seconds * 1000))
    while not deadline.hasExpired():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def main(outdir: Path, language: str = "en") -> int:
    outdir.mkdir(parents=True, exist_ok=True)
    qapp = _qapplication()
    speak(qapp, language)
    suffix = "" if language == "en" else f"-{language}"
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "demo.sqlite"
        # The clinic's day seen at 11:30 whatever the hour the script runs (late in the
        # evening the day's sessions would run past midnight).
        day, at = date.today(), time(11, 30)
        build_demo_clinic(db_path, seed=1, patients=12, today=day, end_time=at)
        app = build_app_context(db_path, demo=True, clock=FakeClock(local_time(day, at)))
        app.actor = UserService(app.ctx).authenticate("nurse", "demo")
        window = MainWindow(app, resume=False)
        window.resize(1366, 768)
        window.show()
        settle(1.5)
        window.grab().save(str(outdir / f"today-board{suffix}.png"))

        rows = today_board(app.ctx)
        monitoring = next(r for r in rows if r.state == "monitoring")
        window.open_session(monitoring.session_id)
        settle(1.5)
        window.grab().save(str(outdir / f"session-monitoring{suffix}.png"))

        app.actor = UserService(app.ctx).authenticate("clinician", "demo")
        detail_patient = next(r for r in rows if r.state == "discharged")
        from kapdesk.services.sessions import SessionService

        info = SessionService(app.ctx).get(detail_patient.session_id)
        window.open_patient(info.patient_id)
        settle(1.5)
        window.grab().save(str(outdir / f"patient-chart{suffix}.png"))
        window.close()
        app.close()
    qapp.quit()
    return 0


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/kapdesk-shots")
    raise SystemExit(main(out, sys.argv[2] if len(sys.argv) > 2 else "en"))
