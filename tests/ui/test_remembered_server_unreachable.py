"""A workstation whose remembered clinic server cannot be used (stopped, moved, wrong
password) says so and says how to choose again: ``kapdesk workstation forget``, then the
next start asks where the records are. A server given with --db says nothing of that."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapdesk import workstation as ws
from kapdesk.storage.server_url import parse_server_url
from kapdesk.ui import run as app_module
from kapdesk.ui.errors import ErrorBox

# Nothing listens on port 1 of this computer: refused at once.
UNREACHABLE = "postgresql://kapdesk_app@127.0.0.1:1/kapdesk?sslmode=disable"


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    texts: list[str] = []
    monkeypatch.setattr(
        ErrorBox, "show", classmethod(lambda cls, parent, title, text: texts.append(text))
    )
    return texts


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This workstation remembers the unreachable server, with a kept password."""
    folder = tmp_path / "config"
    monkeypatch.setattr(ws, "config_dir", lambda: folder)
    fields = ws.ServerFields("127.0.0.1", "1", "kapdesk", "kapdesk_app", "disable", "")
    ws.remember_server(ws.server_from_fields(fields), "workstation-secret", folder)
    return folder


def test_an_unreachable_remembered_server_says_how_to_choose_again(
    config: Path, shown: list[str]
) -> None:
    choice = ws.read_choice(config)
    assert choice is not None
    code = app_module.run_gui(ws.remembered_server(choice, config), demo=False)
    assert code == 1
    [text] = shown
    assert "127.0.0.1:1" in text  # the server's own problem first
    assert "kapdesk workstation forget" in text
    assert str(config / ws.CHOICE_FILE) in text
    assert "asks where the records are" in text
    assert "workstation-secret" not in text


def test_a_server_given_with_db_says_nothing_of_the_remembered_choice(
    config: Path, shown: list[str]
) -> None:
    assert app_module.run_gui(parse_server_url(UNREACHABLE), demo=False) == 1
    [text] = shown
    assert "127.0.0.1:1" in text
    assert "workstation forget" not in text


def test_an_unreachable_server_at_start_up_does_not_promise_to_reconnect(
    shown: list[str],
) -> None:
    """The app stops (exit code 1): 'kapdesk reconnects by itself' would be untrue there."""
    assert app_module.run_gui(parse_server_url(UNREACHABLE), demo=False) == 1
    [text] = shown
    assert "reconnects by itself" not in text
    assert "Start kapdesk again once the server answers." in text


def test_a_file_that_cannot_be_opened_says_nothing_of_the_remembered_choice(
    config: Path, tmp_path: Path
) -> None:
    text = app_module.opening_refused(ValueError("damaged"), tmp_path / "x.sqlite")
    assert text == "damaged"
