"""Asking before typed input is thrown away, in one place for every form.

``FormState`` remembers what a form's editors held when it was filled (or last saved);
``may_close`` asks "Discard the unsaved <thing>?" (Discard / Keep editing, Keep editing the
default and the Esc answer) when that changed, and lets an empty or unchanged form close
without a question. A form hidden by the screen lock is not asked about: the lock hides it
and, when someone else unlocks, closes it (what the signed-out person typed is theirs,
not the next user's). ``DiscardQuestion.ask`` is the one hook tests replace.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

Value = str | int | bool
translate = QCoreApplication.translate


def discard_box(parent: QWidget | None, thing: str) -> QMessageBox:
    """The question, not shown yet; its buttons are named 'discard' and 'keep'."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        translate("DiscardQuestion", "Unsaved input"),
        translate("DiscardQuestion", "Discard the unsaved {thing}?").format(thing=thing),
        parent=parent,
    )
    box.setInformativeText(translate("DiscardQuestion", "What was typed has not been saved."))
    discard = box.addButton(
        translate("DiscardQuestion", "&Discard"), QMessageBox.ButtonRole.DestructiveRole
    )
    discard.setObjectName("discard")
    keep = box.addButton(
        translate("DiscardQuestion", "&Keep editing"), QMessageBox.ButtonRole.RejectRole
    )
    keep.setObjectName("keep")
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    return box


def answer_or_back(box: QMessageBox, choices: dict[QAbstractButton, str]) -> str | None:
    """Add '&Back to the form' to ``box`` (the default and the Esc answer), show it and
    return the answer of the button clicked in ``choices`` (None: back to the form)."""
    back = box.addButton(
        translate("DiscardQuestion", "&Back to the form"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    box.exec()
    clicked = box.clickedButton()
    return choices.get(clicked) if clicked is not None else None


class DiscardQuestion:
    """The question before discarding typed input (tests replace ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget | None, thing: str) -> bool:
        """True: discard what was typed; False: keep editing."""
        box = discard_box(parent, thing)
        box.exec()
        clicked = box.clickedButton()
        return clicked is not None and clicked.objectName() == "discard"


def _value(widget: QWidget) -> Value | None:
    if isinstance(widget, QLineEdit):  # also the editor inside a spin, date or combo box
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return widget.isChecked()
    return None


class FormState:
    """The values of the editors under ``roots`` (each root itself included)."""

    def __init__(self, *roots: QWidget) -> None:
        self.roots = roots
        self.saved = self.values()

    def _editors(self) -> Iterable[QWidget]:
        for root in self.roots:
            yield root
            yield from root.findChildren(QWidget)

    def values(self) -> list[Value | None]:
        return [_value(w) for w in self._editors()]

    def changed(self) -> bool:
        return self.values() != self.saved

    def mark_saved(self) -> None:
        """What the editors hold now is stored (or was never typed): nothing to lose."""
        self.saved = self.values()


def may_close(widget: QWidget, thing: str, unsaved: FormState | bool) -> bool:
    """True when ``widget`` may close now: nothing typed, hidden by the lock, or the person
    chose to discard ``thing`` ('PHQ-9', 'dose', 'patient details')."""
    dirty = unsaved.changed() if isinstance(unsaved, FormState) else unsaved
    if not dirty or not widget.isVisible():
        return True
    return DiscardQuestion.ask(widget, thing)


def unsaved_session_input(page: QWidget) -> str | None:
    """What a session page holds typed but not stored: the session note is saved now (it
    autosaves); each step page names what it holds unrecorded (``StepPage.unsaved_input``:
    'dose', 'dissociation notes', 'vitals', ...), else None."""
    from kapdesk.ui.session.common import StepPage
    from kapdesk.ui.session.note import NotePanel

    for note in page.findChildren(NotePanel):
        note.save_now()
        if note.pending:
            return translate("DiscardQuestion", "session note")
    steps = page.findChildren(StepPage)
    for step in [page, *steps] if isinstance(page, StepPage) else steps:
        thing = step.unsaved_input()
        if thing is not None:
            return thing
    return None


def may_leave(parent: QWidget, page: QWidget | None) -> bool:
    """True when ``page`` (a session page about to be replaced) may go: nothing typed is
    left unsaved, or the person chose to discard it."""
    thing = None if page is None else unsaved_session_input(page)
    return thing is None or DiscardQuestion.ask(parent, thing)
