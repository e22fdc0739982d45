"""The handover window of a fresh demo clinic, as its clinician sees it at the end of the day.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_handover_screenshot.py OUT

Saves OUT/handover.png (resources/screenshots for the README): the demo clinic built
around now, its history ending at 17:00 and the clock at 17:30, Go > Handover… opened.
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, time
from pathlib import Path

from make_screenshots import settle

from kapdesk.demo import build_demo_clinic
from kapdesk.domain.clock import FakeClock
from kapdesk.services.users import UserService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.run import _qapplication

END_OF_DAY = time(17, 30)
DEMO_ENDS = time(17, 0)  # the demo's history ends here, with that day's sessions around it


def main(outdir: Path) -> int:
    outdir.mkdir(parents=True, exist_ok=True)
    qapp = _qapplication()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "demo.sqlite"
        build_demo_clinic(db_path, seed=1, patients=12, end_time=DEMO_ENDS)
        evening = datetime.combine(datetime.now().date(), END_OF_DAY).astimezone()
        app = build_app_context(db_path, demo=True, clock=FakeClock(evening))
        app.actor = UserService(app.ctx).authenticate("clinician", "demo")
        window = MainWindow(app, resume=False)
        window.resize(1280, 800)
        window.show()
        settle(0.5)
        handover = window.handover_actions.open_window()
        assert handover is not None
        handover.resize(1100, 740)
        settle(1.0)
        path = outdir / "handover.png"
        handover.grab().save(str(path))
        print(path)
        handover.close()
        window.close()
        app.close()
    qapp.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/kapdesk-handover")))
