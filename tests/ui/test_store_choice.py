"""The first-run question "Where does this workstation keep the clinic's records?"
(kapdesk.ui.store_choice): both answers, a bad field named, the test connection against a
real server (the test server; a TLS one when PostgreSQL's binaries are here), and the app
started with no --db opening the remembered server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kapdesk import workstation as ws
from kapdesk.storage.db import Database
from kapdesk.storage.migrate import current_revision, head_revision
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_url import ServerURL, parse_server_url
from kapdesk.ui.store_choice import QUESTION, StoreChoiceDialog
from tests.pg_support import pg_admin_url, pg_skip_reason, throwaway_database
from tests.pg_tls_server import TLSServer, tls_server, tls_skip_reason

WAIT_MS = 20_000
needs_server = pytest.mark.skipif(pg_skip_reason() is not None, reason=str(pg_skip_reason()))


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> StoreChoiceDialog:
    box = StoreChoiceDialog(tmp_path / "data" / "kapdesk.sqlite", tmp_path / "config")
    qtbot.addWidget(box)
    box.show()
    return box


def _fill(box: StoreChoiceDialog, server: ServerURL, password: str, sslmode: str) -> None:
    box.server.setChecked(True)
    box.host.setText(server.host)
    box.port.setText(str(server.port))
    box.database.setText(server.database)
    box.user.setText(server.username or "")
    box.password.setText(password)
    box.tls.setCurrentIndex(box.tls.findData(sslmode))


def _test(qtbot: QtBot, box: StoreChoiceDialog) -> str:
    """Click Test connection; the outcome or the error line once the worker answered."""
    qtbot.mouseClick(box.test_button, _left())
    qtbot.waitUntil(lambda: box.test_button.isEnabled(), timeout=WAIT_MS)
    return box.error.text() if box.error.isVisible() else box.outcome.text()


def _left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_it_asks_the_question_and_this_workstation_is_the_default(
    dialog: StoreChoiceDialog, tmp_path: Path
) -> None:
    assert dialog.findChild(type(dialog.error), "dialogIntro").text() == QUESTION
    assert dialog.local.isChecked()
    assert not dialog.form_box.isVisible()
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.choice == tmp_path / "data" / "kapdesk.sqlite"
    assert (tmp_path / "data").is_dir()
    assert ws.read_choice(tmp_path / "config") == ws.Remembered(ws.THIS_WORKSTATION)


def test_the_server_form_shows_tls_choices_and_warns_without_verification(
    dialog: StoreChoiceDialog,
) -> None:
    dialog.server.setChecked(True)
    assert dialog.form_box.isVisible()
    assert dialog.test_button.isVisible()
    assert dialog.tls.currentData() == "verify-full"
    assert dialog.ca_file.isEnabled()
    assert not dialog.tls_warning.isVisible()
    dialog.tls.setCurrentIndex(dialog.tls.findData("disable"))
    assert not dialog.ca_file.isEnabled()
    assert dialog.tls_warning.isVisible()
    assert "plain text" in dialog.tls_warning.text()
    dialog.tls.setCurrentIndex(dialog.tls.findData("require"))
    assert "impostor" in dialog.tls_warning.text()


def test_a_bad_port_is_named_and_nothing_is_remembered(
    dialog: StoreChoiceDialog, tmp_path: Path
) -> None:
    dialog.server.setChecked(True)
    dialog.host.setText("db.clinic.lan")
    dialog.port.setText("54x2")
    dialog.tls.setCurrentIndex(dialog.tls.findData("require"))
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.choice is None
    assert dialog.error.text().startswith("Port '54x2': a number from 1 to 65535")
    assert dialog.focusWidget() is dialog.port
    assert not (tmp_path / "config").exists()


def test_verify_full_without_a_ca_file_is_named(dialog: StoreChoiceDialog) -> None:
    dialog.server.setChecked(True)
    dialog.host.setText("db.clinic.lan")
    dialog.test_connection()
    assert dialog.error.text().startswith("CA file: choose the clinic's CA certificate")
    assert not dialog.runner.busy  # nothing was sent anywhere


def test_an_unreachable_host_is_named(qtbot: QtBot, dialog: StoreChoiceDialog) -> None:
    server = parse_server_url("postgresql://kapdesk_app@127.0.0.1:1/kapdesk")
    _fill(dialog, server, "", "disable")
    message = _test(qtbot, dialog)
    assert message.startswith("Host: The clinic server")
    assert "cannot be reached" in message


@pytest.fixture
def test_server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        yield url


def _admin_password() -> str:
    url = pg_admin_url()
    assert url is not None
    return parse_server_url(url).url.password or ""


@needs_server
def test_against_the_test_server_empty_wrong_password_then_remembered(
    qtbot: QtBot, dialog: StoreChoiceDialog, test_server: ServerURL, tmp_path: Path
) -> None:
    password = _admin_password()
    _fill(dialog, test_server, password, "disable")
    assert "kapdesk server init" in _test(qtbot, dialog)  # an empty database
    assert dialog.focusWidget() is dialog.database
    Database.open(test_server).close()  # now it holds kapdesk's schema
    dialog.password.setText(password + "-wrong")
    message = _test(qtbot, dialog)
    assert message.startswith("User or password: The clinic server")
    assert password + "-wrong" not in message
    dialog.password.setText(password)
    outcome = _test(qtbot, dialog)
    assert outcome.startswith(f"Connected to kapdesk's database '{test_server.database}'")
    assert "NOT encrypted" in outcome

    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert dialog.result() == dialog.DialogCode.Accepted
    chosen = dialog.choice
    assert isinstance(chosen, ServerURL)
    assert chosen.url.password is None
    assert "passfile" in chosen.query
    config = tmp_path / "config"
    saved = json.loads((config / ws.CHOICE_FILE).read_text())["url"]
    assert parse_server_url(saved).url.password is None  # (the test role's name = password)
    assert ws.read_choice(config) is not None
    assert (config / ws.PASSFILE).read_text().endswith(f":{password}\n")
    engine = create_server_engine(chosen)  # the kept passfile signs in
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def tls() -> Iterator[TLSServer]:
    reason = tls_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    import psycopg

    with tls_server() as server:
        with psycopg.connect(server.url(sslmode="require"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE kapdesk")
        Database.open(parse_server_url(server.url(database="kapdesk", sslmode="require"))).close()
        yield server


@pytest.mark.slow
def test_against_a_tls_server_verify_full_and_a_wrong_ca(
    qtbot: QtBot, dialog: StoreChoiceDialog, tls: TLSServer
) -> None:
    _fill(dialog, parse_server_url(tls.url(database="kapdesk")), "", "verify-full")
    dialog.ca_file.setText(str(tls.other_ca))
    message = _test(qtbot, dialog)
    assert message.startswith("CA file: The clinic server")
    assert "not signed by the CA in sslrootcert" in message
    assert dialog.focusWidget() is dialog.ca_file
    dialog.ca_file.setText(str(tls.ca))
    assert "server certificate and host name verified" in _test(qtbot, dialog)
    dialog.host.setText("127.0.0.1")
    message = _test(qtbot, dialog)
    assert message.startswith("Host: The clinic server")
    assert "not made out to the host name '127.0.0.1'" in message


def test_look(dialog: StoreChoiceDialog, tmp_path: Path) -> None:
    """Not an assertion of looks: the screenshot saved for a person to look at."""
    dialog.server.setChecked(True)
    dialog.host.setText("db.clinic.lan")
    dialog.ca_file.setText("/etc/kapdesk/clinic-ca.pem")
    dialog.password.setText("x" * 12)
    QApplication.processEvents()
    out = os.environ.get("KAPDESK_SCREENSHOT")
    assert dialog.grab().save(out or str(tmp_path / "store-choice.png"))


# ---------------------------------------------------------------- the whole app

_OPEN_AND_QUIT = ["-m", "kapdesk", "--quit-after-paint"]


def _app_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPDESK_DB", "PG"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),  # no ~/.pgpass of the tester's
    )
    return env


@needs_server
def test_the_app_without_db_opens_the_remembered_server(
    test_server: ServerURL, tmp_path: Path
) -> None:
    folder = tmp_path / "config" / "kapdesk"
    server = test_server.url._replace(password=None)
    ws.remember_server(ServerURL(server), _admin_password(), folder)
    done = subprocess.run(
        [sys.executable, *_OPEN_AND_QUIT], env=_app_env(tmp_path),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f":{_admin_password()}" not in done.stdout + done.stderr  # (= the role's name)
    engine = create_server_engine(test_server)
    try:
        assert current_revision(engine) == head_revision()  # the app created it there
    finally:
        engine.dispose()
    assert not (tmp_path / "data" / "kapdesk").exists()  # no file made on the workstation
    # The command line says so too, without the password.
    shown = subprocess.run(
        [sys.executable, "-m", "kapdesk", "workstation", "show"], env=_app_env(tmp_path),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert f"uses the clinic's server postgresql://{server.username}@" in shown.stdout
    assert "mode 0600" in shown.stdout
    assert f":{_admin_password()}" not in shown.stdout


def test_an_existing_default_file_is_remembered_as_this_workstation_silently(
    tmp_path: Path,
) -> None:
    clinic = tmp_path / "data" / "kapdesk" / "kapdesk.sqlite"
    clinic.parent.mkdir(parents=True)
    Database.open(clinic).close()
    done = subprocess.run(
        [sys.executable, *_OPEN_AND_QUIT], env=_app_env(tmp_path),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    saved = json.loads((tmp_path / "config" / "kapdesk" / ws.CHOICE_FILE).read_text())
    assert saved == {"store": ws.THIS_WORKSTATION}
