"""Make resources/screenshots/held-booster.png: the dose page of a session in monitoring
after a 212/126 reading (issue 9), as a clinician sees it (refusal and override action).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_held_booster_screenshot.py OUT.png

Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from screenshot_kit import dosed_session, workspace_at

from kapdesk.domain.clock import FakeClock
from kapdesk.services.vitals import VitalsService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.run import _qapplication
from kapdesk.ui.session.workspace import STEP_DOSE


def main(out: Path) -> None:
    qapp = _qapplication()
    local = datetime.now().astimezone().tzinfo
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=local).astimezone(UTC)
    clock = FakeClock(t0)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app_context(Path(tmp) / "c.sqlite", demo=False, clock=clock)
        nurse, clinician, sid = dosed_session(app, clock, allergies="Penicillin (rash)")
        vitals = VitalsService(app.ctx)
        clock.advance(timedelta(minutes=22))
        vitals.record(nurse, sid, 212, 126, pulse=98, spo2=97)
        clock.advance(timedelta(minutes=6))
        vitals.record(nurse, sid, 146, 90, pulse=88, spo2=98)
        clock.advance(timedelta(minutes=2))
        app.actor = clinician
        ws = workspace_at(app, sid, STEP_DOSE)
        ws.grab().save(str(out))
        ws.stop()
        ws.close()
        app.close()
    qapp.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
