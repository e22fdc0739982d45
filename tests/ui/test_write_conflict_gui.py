"""A save the clinic server breaks off every time (another program deadlocking with it):
the vitals dialog says so in one sentence, keeps what was typed, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pg_support import pg_skip_reason
from pytestqt.qtbot import QtBot
from services.conftest import ServerClinic
from services.conftest import server_clinic as server_clinic  # re-exported fixture
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.vitals import VitalsService
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.quick_vitals import QuickVitalsDialog

from .conftest import actor_for

TYPED = {"systolic": "121", "diastolic": "79", "pulse": "71", "spo2": "97"}
pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=str(pg_skip_reason()))


@pytest.fixture
def server_app(server_clinic: ServerClinic, clock: FakeClock) -> Iterator[AppContext]:
    server_clinic.reset()
    context = build_app_context(server_clinic.server, demo=False, clock=clock)
    yield context
    context.close()


@pytest.fixture
def deadlocking(server_clinic: ServerClinic) -> Iterator[None]:
    """Every insert of a reading broken off by the server as a deadlock (SQLSTATE 40P01)."""
    dsn = server_clinic.server.url.set(drivername="postgresql")
    conn = psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True)
    conn.execute(
        "CREATE FUNCTION kt_deadlock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'broken off by the test' USING ERRCODE = '40P01'; END $$"
    )
    conn.execute(
        "CREATE TRIGGER kt_deadlock BEFORE INSERT ON vital_readings "
        "FOR EACH ROW EXECUTE FUNCTION kt_deadlock()"
    )
    yield
    conn.execute("DROP TRIGGER kt_deadlock ON vital_readings")
    conn.execute("DROP FUNCTION kt_deadlock()")
    conn.close()


@pytest.mark.usefixtures("deadlocking")
def test_a_save_broken_off_every_time_is_one_sentence_and_the_text_kept(
    qtbot: QtBot, server_app: AppContext, clock: FakeClock, tmp_path: Path
) -> None:
    app = server_app
    nurse = actor_for(app, Role.NURSE)
    app.actor = nurse
    sid = Kit(app.ctx, clock, nurse).checked_in()
    dialog = QuickVitalsDialog(app, sid, "Room 2")
    qtbot.addWidget(dialog)
    dialog.show()
    for key, text in TYPED.items():
        dialog.form.edits[key].setText(text)
    dialog.submit()
    assert dialog.isVisible()
    assert {key: dialog.form.edits[key].text() for key in TYPED} == TYPED
    shown = dialog.form.error_text()
    assert "broke off this change 3 times in a row" in shown
    assert "a deadlock with another transaction" in shown
    assert "nothing was saved" in shown
    assert "Traceback" not in shown
    assert "kapdesk_test@" not in shown or ":***@" in shown  # never the password
    assert VitalsService(app.ctx).readings(sid) == []
    assert dialog.grab().save(str(tmp_path / "write_conflict.png"))  # looked at by hand
