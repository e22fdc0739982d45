"""Make resources/screenshots/entered-in-error.png: the monitoring step of a session in
which one reading (182/104, typed into the wrong row) was marked entered in error: it
stays in the table struck through, with who, when and why under it, and is off the chart
(issue 12). Also entered-in-error-dialog.png: the dialog for the next one, with a reason.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_entered_in_error_screenshot.py OUTDIR

Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from screenshot_kit import dosed_session, settle, workspace_at

from kapdesk.domain.clock import FakeClock
from kapdesk.services.observations import ObservationService
from kapdesk.services.sessions import SessionService
from kapdesk.services.vitals import VitalsService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.entered_in_error import EnteredInErrorDialog
from kapdesk.ui.entry_rows import reading_entry
from kapdesk.ui.run import _qapplication
from kapdesk.ui.session.workspace import STEP_MONITORING


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    qapp = _qapplication()
    local = datetime.now().astimezone().tzinfo
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=local).astimezone(UTC))
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app_context(Path(tmp) / "c.sqlite", demo=False, clock=clock)
        nurse, _clinician, sid = dosed_session(app, clock, allergies="")
        sessions, vitals = SessionService(app.ctx), VitalsService(app.ctx)
        clock.advance(timedelta(minutes=15))
        vitals.record(nurse, sid, 136, 86, pulse=80, spo2=98)
        ObservationService(app.ctx).record_moaas(nurse, sid, 4)
        clock.advance(timedelta(minutes=15))
        wrong = vitals.record(nurse, sid, 182, 104, pulse=78, spo2=97).reading.id
        clock.advance(timedelta(minutes=2))
        app.ctx.corrections.mark_entered_in_error(
            nurse, "reading", wrong, "typed into Room 3's row; Maren was 132/84"
        )
        vitals.record(nurse, sid, 132, 84, pulse=78, spo2=97)
        clock.advance(timedelta(minutes=3))
        app.actor = nurse
        ws = workspace_at(app, sid, STEP_MONITORING)
        ws.grab().save(str(outdir / "entered-in-error.png"))

        latest = sessions.detail(sid).readings[-1]
        dialog = EnteredInErrorDialog(app, reading_entry(latest), ws)
        dialog.reason.setText("")
        dialog.show()
        settle(0.3)
        dialog.submit()  # no reason yet: the error at the field
        settle(0.3)
        dialog.grab().save(str(outdir / "entered-in-error-dialog.png"))
        dialog.reject()
        ws.stop()
        ws.close()
        app.close()
    qapp.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots"))
