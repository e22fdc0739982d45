"""The passphrase prompt for an encrypted database: wrong, then right; three tries; new files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.db import Database
from kapdesk.storage.encryption import (
    ENV_KEY,
    NotEncrypted,
    WrongPassphrase,
    looks_encrypted,
    sqlcipher_module,
)
from kapdesk.ui import passphrase as passphrase_module
from kapdesk.ui import run as app_module
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.passphrase import PassphraseDialog

pytestmark = pytest.mark.skipif(sqlcipher_module() is None, reason="sqlcipher3 is not installed")

KEY = "harbour lights 1942"


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_KEY, raising=False)


@pytest.fixture
def encrypted(tmp_path: Path, clock: FakeClock) -> Path:
    path = tmp_path / "locked.sqlite"
    Database.open(path, clock=clock, key=KEY).close()
    assert looks_encrypted(path)
    return path


@pytest.fixture
def opened() -> Iterator[list[AppContext]]:
    contexts: list[AppContext] = []
    yield contexts
    for c in contexts:
        c.close()


def opener(path: Path, opened: list[AppContext]) -> Callable[[str], AppContext]:
    def attempt(key: str) -> AppContext:
        context = build_app_context(path, demo=False, key=key)
        opened.append(context)
        return context

    return attempt


def type_and_enter(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_wrong_then_right_passphrase(
    qtbot: QtBot, encrypted: Path, opened: list[AppContext]
) -> None:
    dialog = PassphraseDialog(encrypted, opener(encrypted, opened))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.ok_button.isDefault()
    assert dialog.repeat is None

    type_and_enter(qtbot, dialog.passphrase, "harbour lights 1943")
    assert dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected  # not decided yet
    message = dialog.passphrase_error.text()
    assert message.startswith("Wrong passphrase or not an encrypted kapdesk database")
    assert message.endswith("(2 tries left.)")
    assert dialog.passphrase.text() == ""
    assert opened == []

    type_and_enter(qtbot, dialog.passphrase, KEY)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted
    [context] = opened
    assert dialog.result_value is context
    assert context.ctx.db.encrypted
    assert context.clinic_name() == "kapdesk clinic"


def test_three_wrong_passphrases_end_the_prompt_and_change_nothing(
    qtbot: QtBot, encrypted: Path, opened: list[AppContext]
) -> None:
    before = encrypted.read_bytes()
    dialog = PassphraseDialog(encrypted, opener(encrypted, opened))
    qtbot.addWidget(dialog)
    dialog.show()
    type_and_enter(qtbot, dialog.passphrase, "one")
    type_and_enter(qtbot, dialog.passphrase, "two")
    assert dialog.passphrase_error.text().endswith("(1 try left.)")
    type_and_enter(qtbot, dialog.passphrase, "three")
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert isinstance(dialog.error, WrongPassphrase)
    assert opened == []
    assert encrypted.read_bytes() == before


def test_escape_cancels(qtbot: QtBot, encrypted: Path, opened: list[AppContext]) -> None:
    dialog = PassphraseDialog(encrypted, opener(encrypted, opened))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.error is None
    assert opened == []


def test_an_empty_passphrase_is_not_tried(qtbot: QtBot, encrypted: Path) -> None:
    tried: list[str] = []
    dialog = PassphraseDialog(encrypted, tried.append)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.passphrase_error.text() == "The passphrase is empty."
    assert tried == []
    assert dialog.tries_left == 3


def test_a_new_database_needs_a_long_passphrase_typed_twice(qtbot: QtBot, tmp_path: Path) -> None:
    tried: list[str] = []
    dialog = PassphraseDialog(tmp_path / "new.sqlite", tried.append, new=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.repeat is not None
    assert dialog.repeat_error is not None

    type_and_enter(qtbot, dialog.passphrase, "short")
    assert "has 5 characters; use at least 10" in dialog.passphrase_error.text()

    qtbot.keyClicks(dialog.passphrase, KEY)
    qtbot.keyClicks(dialog.repeat, KEY + "!")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert dialog.repeat_error.text() == "The two passphrases differ."
    assert tried == []

    type_and_enter(qtbot, dialog.repeat, KEY)
    assert tried == [KEY]
    assert dialog.result() == QDialog.DialogCode.Accepted


# ---------------------------------------------------------------- run_gui's part


def test_a_file_that_looks_encrypted_is_asked_for_even_without_the_flag(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Path, bool]] = []

    def ask(path: Path, attempt: Callable[[str], AppContext], *, new: bool) -> AppContext:
        asked.append((path, new))
        return attempt(KEY)

    monkeypatch.setattr(passphrase_module, "ask_passphrase", ask)
    context = app_module._open_database(encrypted, demo=False, key=None, encrypted=False)
    try:
        assert asked == [(encrypted, False)]
        assert context is not None
        assert context.ctx.db.key == KEY
    finally:
        if context is not None:
            context.close()


def test_the_environment_key_means_no_prompt(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passphrase_module, "ask_passphrase", pytest.fail)
    monkeypatch.setenv(ENV_KEY, KEY)
    context = app_module._open_database(encrypted, demo=False, key=None, encrypted=True)
    assert context is not None
    context.close()


def test_a_plain_file_with_encrypted_flag_is_refused_without_asking(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain.sqlite"
    Database.open(plain, clock=clock).close()
    monkeypatch.setattr(passphrase_module, "ask_passphrase", pytest.fail)
    with pytest.raises(NotEncrypted):
        app_module._open_database(plain, demo=False, key=None, encrypted=True)


def test_cancelled_prompt_ends_run_gui_quietly(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passphrase_module, "ask_passphrase", lambda *a, **k: None)
    assert app_module.run_gui(encrypted, demo=False) == 0


def test_encrypted_demo_is_built_with_the_typed_key(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first --demo build (behind its progress window) gets the passphrase typed."""
    built: list[str | None] = []

    def fake_demo(path: Path, *, key: str | None = None, **how: object) -> str:
        built.append(key)
        Database.open(path, clock=clock, key=key).close()
        return "demo"

    # the one builder both `kapdesk demo` (via kapdesk.demo) and the app's --demo call
    monkeypatch.setattr("kapdesk.demo.small.build_demo_clinic", fake_demo)
    monkeypatch.setattr(
        passphrase_module,
        "ask_passphrase",
        lambda path, attempt, *, new: attempt(KEY) if new else pytest.fail("not new"),
    )
    demo = tmp_path / "demo.sqlite"
    context = app_module._open_database(demo, demo=True, key=None, encrypted=True)
    assert context is not None
    context.close()
    assert built == [KEY]
    assert looks_encrypted(demo)
    with pytest.raises(WrongPassphrase):
        Database.open(demo, key="not the key at all")
