"""Showing a KapdeskError to the user: its sentence, in a message box, never a traceback.

Logic paths call :func:`show_error`; tests replace ``ErrorBox.show`` with a
recorder (``monkeypatch.setattr(ErrorBox, "show", ...)``) instead of clicking
modal boxes.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from kapdesk.domain.errors import KapdeskError


class ErrorBox:
    @classmethod
    def show(cls, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)


def error_text(error: BaseException | str) -> str:
    """The sentence to show: a KapdeskError's own message; anything else said plainly."""
    if isinstance(error, str):
        return error
    if isinstance(error, KapdeskError):
        return str(error)
    return f"Unexpected problem: {error.__class__.__name__}: {error}"


def show_error(
    parent: QWidget | None, error: BaseException | str, *, title: str = "kapdesk"
) -> None:
    ErrorBox.show(parent, title, error_text(error))
