"""Building blocks every step page is laid out with: its title and hint lines, and rows
of action buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def step_layout(page: QWidget, title: str) -> QVBoxLayout:
    """The step page's column, opened by its title ("3 · Dose")."""
    root = QVBoxLayout(page)
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    root.addWidget(heading)
    return root


def hint_label(root: QVBoxLayout) -> QLabel:
    """The line under a step's title saying what the step needs or why it is closed."""
    hint = QLabel()
    hint.setObjectName("pageSubtitle")
    hint.setWordWrap(True)
    root.addWidget(hint)
    return hint


def action_button(text: str, slot: Callable[[], object]) -> QPushButton:
    """A button calling ``slot``; screen readers hear its text without the mnemonic."""
    button = QPushButton(text)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    button.clicked.connect(slot)
    return button


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """The buttons side by side at the left of a row of their own."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
