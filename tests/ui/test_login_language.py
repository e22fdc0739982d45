"""The sign-in window in Portuguese: kapdesk's own .qm, Qt's standard buttons, the service's
message; and English again once the language is switched back, without a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kapdesk.i18n import current
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.login import FirstAdminDialog, LoginDialog
from kapdesk.ui.translation import language_at_sign_in, speak

# Shown as written in every language: the product's name.
ALLOWED = {"kapdesk", ""}


def visible_texts(window: QWidget) -> list[str]:
    """Every text a person reads on ``window``: title, labels, buttons, placeholders."""
    texts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton) and not widget.isHidden():
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        texts.append(widget.accessibleName())
    return texts


def untranslated(portuguese: QWidget, english: QWidget) -> set[str]:
    """Texts of ``portuguese`` still as the English window shows them."""
    return (set(visible_texts(portuguese)) & set(visible_texts(english))) - ALLOWED


@pytest.fixture
def qapp_language(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    speak(qapp, "en")


def _dialogs(qtbot: QtBot, build: type[QWidget], app: AppContext) -> tuple[QWidget, QWidget]:
    speak(QApplication.instance(), "en")  # type: ignore[arg-type]
    english = build(app)  # type: ignore[call-arg]
    speak(QApplication.instance(), "pt-PT")  # type: ignore[arg-type]
    portuguese = build(app)  # type: ignore[call-arg]
    for dialog in (english, portuguese):
        qtbot.addWidget(dialog)
        dialog.show()
    return portuguese, english


@pytest.mark.parametrize("build", [LoginDialog, FirstAdminDialog])
def test_the_sign_in_windows_show_no_english_in_portuguese(
    qtbot: QtBot, qapp_language: QApplication, app: AppContext, build: type[QWidget]
) -> None:
    portuguese, english = _dialogs(qtbot, build, app)
    assert untranslated(portuguese, english) == set()
    texts = visible_texts(portuguese)
    assert "Cancelar" in texts  # Qt's own translation of its standard button
    assert QLocale().toString(41.2, "f", 1) == "41,2"


def test_a_wrong_password_is_said_in_portuguese(
    qtbot: QtBot, qapp_language: QApplication, app: AppContext
) -> None:
    speak(qapp_language, "pt-PT")
    dialog = LoginDialog(app)
    qtbot.addWidget(dialog)
    dialog.username.edit.setText("nobody")
    dialog.password.edit.setText("wrong")
    dialog.submit()
    assert dialog.message.text() == "Utilizador desconhecido ou palavra-passe errada."
    assert dialog.windowTitle().startswith("Iniciar sessão")


def test_switching_back_to_english_needs_no_restart(
    qtbot: QtBot, qapp_language: QApplication, app: AppContext
) -> None:
    speak(qapp_language, "pt-PT")
    speak(qapp_language, language_at_sign_in("en"))
    assert current() == "en"
    dialog = LoginDialog(app)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle().startswith("Sign in")
    assert "Cancel" in visible_texts(dialog)


@pytest.mark.parametrize(
    ("field", "values", "said"),
    [
        ("username", {"username": "Ana Lima"}, "Nome de utilizador"),
        ("full_name", {"full_name": "Ana 3"}, "Nome completo"),
        ("password", {"password": "curta", "repeat": "curta"}, "palavra-passe"),
        ("clinic", {"clinic": "x" * 300}, "Nome da clínica"),
    ],
)
def test_the_first_administrators_errors_are_at_their_fields_in_portuguese(
    qtbot: QtBot,
    qapp_language: QApplication,
    empty_app: AppContext,
    field: str,
    values: dict[str, str],
    said: str,
) -> None:
    speak(qapp_language, "pt-PT")
    dialog = FirstAdminDialog(empty_app)
    qtbot.addWidget(dialog)
    typed = {
        "username": "ana",
        "full_name": "Ana Lima, MD",
        "password": "a long enough secret",
        "repeat": "a long enough secret",
        "clinic": "",
        **values,
    }
    for name, text in typed.items():
        getattr(dialog, name).edit.setText(text)
    dialog.submit()
    target = getattr(dialog, field)
    assert target.error.text(), dialog.message.text()
    assert said.lower() in target.error.text().lower()
    assert dialog.message.text() == ""
    assert dialog.actor is None
