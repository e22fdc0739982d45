"""The shared 'or back to the form' question (kapdesk.ui.discard_guard.answer_or_back),
used by the possible-duplicate patient question and the ended-course question."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from kapdesk.ui.discard_guard import answer_or_back


def _box(qtbot: QtBot) -> tuple[QMessageBox, dict[QAbstractButton, str]]:
    box = QMessageBox(QMessageBox.Icon.Warning, "Possible duplicate", "Same patient?")
    choices: dict[QAbstractButton, str] = {
        box.addButton("&Open existing patient", QMessageBox.ButtonRole.AcceptRole): "open",
        box.addButton("&Create anyway", QMessageBox.ButtonRole.DestructiveRole): "create",
    }
    qtbot.addWidget(box)
    return box, choices


def _buttons_text(box: QMessageBox) -> list[str]:
    return [b.text() for b in box.buttons()]


def test_the_clicked_answer_is_returned(qtbot: QtBot) -> None:
    box, choices = _box(qtbot)
    create = next(b for b, answer in choices.items() if answer == "create")
    QTimer.singleShot(0, create.click)
    assert answer_or_back(box, choices) == "create"


def test_back_to_the_form_is_the_default_and_esc_answers_none(qtbot: QtBot) -> None:
    box, choices = _box(qtbot)
    seen: list[str] = []

    def press_esc() -> None:
        seen.extend(_buttons_text(box))
        default = box.defaultButton()
        seen.append(default.text() if default is not None else "")
        focus = QApplication.activeModalWidget() or box
        qtbot.keyClick(focus, Qt.Key.Key_Escape)

    QTimer.singleShot(0, press_esc)
    assert answer_or_back(box, choices) is None
    assert "&Back to the form" in seen[:-1]
    assert seen[-1] == "&Back to the form"  # the default button
